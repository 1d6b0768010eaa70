// nnc frontend_tflite: UNIDIRECTIONAL_SEQUENCE_LSTM as one ONNX LSTM (gates reordered i,f,c,o -> i,o,f,c; batch-major transposed).
#include "tflite_ops.h"

namespace nnc::tflite_frontend {
namespace {

using BO = fb::BuiltinOperator;

// TFLite LSTM input slots.
enum : size_t {
  kInput = 0, kW_i = 1, kW_f = 2, kW_c = 3, kW_o = 4, kR_i = 5, kR_f = 6, kR_c = 7, kR_o = 8,
  kP_i = 9, kP_f = 10, kP_o = 11, kB_i = 12, kB_f = 13, kB_c = 14, kB_o = 15, kProj_w = 16, kProj_b = 17,
  kH0 = 18, kC0 = 19, kLn_i = 20, kLn_f = 21, kLn_c = 22, kLn_o = 23
};

/// Initial state: a variable tensor without data starts at 0.0 (TFLite resets it to the zero point).
Expected<Value*> initial_state(ImportContext& ctx, size_t k, int64_t batch, int64_t hidden) {
  const int32_t t = ctx.input_tensor(k);
  Value* v = nullptr;
  if (t < 0 || (ctx.tensor(t).is_variable() && !ctx.is_constant_input(k))) {
    v = ctx.const_f32(std::vector<float>(static_cast<size_t>(batch * hidden), 0.0f), {batch, hidden}, ctx.tmp("state0"));
  } else {
    NNC_ASSIGN_OR_RETURN(v, ctx.input(k));
  }
  return ctx.add("Unsqueeze", {v, ctx.const_i64({0}, ctx.tmp("axes"))}, ctx.tmp("state0_3d"), {}, DType::kF32,
                 Shape({1, batch, hidden}));
}

Status unidirectional_sequence_lstm(ImportContext& ctx) {
  const fb::UnidirectionalSequenceLSTMOptions* o = ctx.op().builtin_options_as_UnidirectionalSequenceLSTMOptions();
  if (!o) return ctx.error(ErrorCode::kParseError, "missing UnidirectionalSequenceLSTMOptions", "re-export the model");
  if (o->cell_clip() != 0.0f) return ctx.unsupported("LSTM cell_clip (ONNX LSTM clips gate inputs, not the cell state)");
  if (ctx.has_input(kProj_w) || ctx.has_input(kProj_b)) return ctx.unsupported("LSTM projection");
  for (size_t k : {kLn_i, kLn_f, kLn_c, kLn_o}) {
    if (ctx.has_input(k)) return ctx.unsupported("layer-normalized LSTM");
  }
  if (o->diagonal_recurrent_tensors()) return ctx.unsupported("LSTM diagonal_recurrent_tensors");
  std::vector<std::string> acts;
  switch (o->fused_activation_function()) {
    case fb::ActivationFunctionType::TANH: acts = {"Sigmoid", "Tanh", "Tanh"}; break;
    case fb::ActivationFunctionType::RELU: acts = {"Sigmoid", "Relu", "Relu"}; break;
    default:
      return ctx.unsupported("LSTM activation " + std::string(fb::EnumNameActivationFunctionType(o->fused_activation_function())));
  }
  std::vector<int64_t> xd = ctx.declared_dims(ctx.input_tensor(kInput));
  std::vector<int64_t> wd = ctx.declared_dims(ctx.input_tensor(kW_f));
  if (xd.size() != 3 || wd.size() != 2) return ctx.error(ErrorCode::kParseError, "LSTM input must be rank 3 and weights [hidden, input]");
  const int64_t hidden = wd[0];
  const bool time_major = o->time_major();
  const int64_t batch = time_major ? xd[1] : xd[0], steps = time_major ? xd[0] : xd[1];
  const bool cifg = !ctx.has_input(kW_i);  // coupled input-forget gate: i = 1 - f

  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(kInput));
  if (!time_major) x = ctx.transpose(x, {1, 0, 2}, ctx.tmp("time_major"));

  // Weights stacked in ONNX gate order i, o, f, c (a missing CIFG input gate is zeros; ONNX ignores it).
  auto gate = [&](size_t k, int64_t cols, const std::string& what) -> Expected<Value*> {
    if (!ctx.has_input(k)) {
      const int64_t n = cols == 0 ? hidden : hidden * cols;
      return ctx.const_f32(std::vector<float>(static_cast<size_t>(n), 0.0f),
                           cols == 0 ? std::vector<int64_t>{hidden} : std::vector<int64_t>{hidden, cols}, ctx.tmp(what));
    }
    return permuted_weight(ctx, k, cols == 0 ? std::vector<int64_t>{0} : std::vector<int64_t>{0, 1});
  };
  auto stack = [&](std::vector<Value*> parts, std::vector<int64_t> dims, const std::string& what) {
    Value* c = ctx.add("Concat", parts, ctx.tmp(what + "_2d"), {{"axis", Attribute(int64_t{0})}});
    return ctx.add("Unsqueeze", {c, ctx.const_i64({0}, ctx.tmp("axes"))}, ctx.tmp(what), {}, DType::kF32, Shape::of(dims));
  };
  const int64_t in_size = xd[2];
  std::vector<Value*> w, r, b, p;
  for (auto [wk, rk, bk, name] : {std::tuple{kW_i, kR_i, kB_i, "i"}, std::tuple{kW_o, kR_o, kB_o, "o"},
                                   std::tuple{kW_f, kR_f, kB_f, "f"}, std::tuple{kW_c, kR_c, kB_c, "c"}}) {
    NNC_ASSIGN_OR_RETURN(Value * wv, gate(wk, in_size, std::string("W_") + name));
    NNC_ASSIGN_OR_RETURN(Value * rv, gate(rk, hidden, std::string("R_") + name));
    NNC_ASSIGN_OR_RETURN(Value * bv, gate(bk, 0, std::string("B_") + name));
    w.push_back(wv), r.push_back(rv), b.push_back(bv);
  }
  b.push_back(ctx.const_f32(std::vector<float>(static_cast<size_t>(4 * hidden), 0.0f), {4 * hidden}, ctx.tmp("Rb")));
  std::vector<Value*> ins{x, stack(w, {1, 4 * hidden, in_size}, "W"), stack(r, {1, 4 * hidden, hidden}, "R"),
                          stack(b, {1, 8 * hidden}, "B"), nullptr};
  NNC_ASSIGN_OR_RETURN(Value * h0, initial_state(ctx, kH0, batch, hidden));
  NNC_ASSIGN_OR_RETURN(Value * c0, initial_state(ctx, kC0, batch, hidden));
  ins.push_back(h0);
  ins.push_back(c0);
  if (ctx.has_input(kP_i) || ctx.has_input(kP_f) || ctx.has_input(kP_o)) {
    for (size_t k : {kP_i, kP_o, kP_f}) {
      NNC_ASSIGN_OR_RETURN(Value * pv, gate(k, 0, "P"));
      p.push_back(pv);
    }
    ins.push_back(stack(p, {1, 3 * hidden}, "P"));
  }
  std::map<std::string, Attribute> attrs{{"hidden_size", Attribute(hidden)},
                                         {"activations", Attribute(acts)},
                                         {"input_forget", Attribute(int64_t{cifg ? 1 : 0})}};
  Node* n = ctx.graph().add_node("LSTM", ins, {ctx.graph().unique_value_name(ctx.tmp("Y"))},
                                 ctx.graph().unique_node_name(ctx.tmp("lstm")));
  for (auto& [k, a] : attrs) n->set_attribute(k, a);
  Value* y = n->output(0);  // [T, 1, B, H]
  y->set_dtype(DType::kF32);
  y->set_shape(Shape({steps, 1, batch, hidden}));
  Value* sq = ctx.add("Squeeze", {y, ctx.const_i64({1}, ctx.tmp("axes"))}, time_major ? ctx.out_name(0) : ctx.tmp("Y_tbh"),
                      {}, DType::kF32, Shape({steps, batch, hidden}));
  if (!time_major) sq = ctx.transpose(sq, {1, 0, 2}, ctx.out_name(0));
  return ctx.set_output(0, sq);
}

}  // namespace

void add_lstm_translators(std::map<fb::BuiltinOperator, OpTranslator>& t) {
  t[BO::UNIDIRECTIONAL_SEQUENCE_LSTM] = unidirectional_sequence_lstm;
}

}  // namespace nnc::tflite_frontend
