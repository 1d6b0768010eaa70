// nnc frontend_tflite: UNIDIRECTIONAL_SEQUENCE_LSTM as one ONNX LSTM (gates reordered i,f,c,o -> i,o,f,c), or unrolled with cell_clip.
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

/// TFLite clips the cell state to [-clip, clip] after every step; ONNX LSTM's `clip` bounds gate inputs
/// instead, so a clipped LSTM is unrolled exactly: per step Gemm + Gemm, Split, gates, Clip(c), h.
Status unrolled(ImportContext& ctx, Value* x, bool time_major, int64_t batch, int64_t steps, int64_t hidden, bool cifg,
                const std::string& act, float clip) {
  auto weight = [&](size_t k, bool matrix) -> Expected<Value*> {
    if (!ctx.has_input(k)) return static_cast<Value*>(nullptr);
    return permuted_weight(ctx, k, matrix ? std::vector<int64_t>{0, 1} : std::vector<int64_t>{0});
  };
  // Gate blocks i, f, c, o (the input gate only without CIFG).
  std::vector<Value*> w, r, b;
  for (auto [wk, rk, bk] : {std::tuple{kW_i, kR_i, kB_i}, std::tuple{kW_f, kR_f, kB_f}, std::tuple{kW_c, kR_c, kB_c},
                            std::tuple{kW_o, kR_o, kB_o}}) {
    if (cifg && wk == kW_i) continue;
    NNC_ASSIGN_OR_RETURN(Value * wv, weight(wk, true));
    NNC_ASSIGN_OR_RETURN(Value * rv, weight(rk, true));
    NNC_ASSIGN_OR_RETURN(Value * bv, weight(bk, false));
    if (!wv || !rv || !bv) return ctx.error(ErrorCode::kParseError, "LSTM gate weights or biases are missing", "re-export the model");
    w.push_back(wv), r.push_back(rv), b.push_back(bv);
  }
  const int64_t gates = static_cast<int64_t>(w.size());
  Value* wcat = ctx.add("Concat", w, ctx.tmp("W"), {{"axis", Attribute(int64_t{0})}});
  Value* rcat = ctx.add("Concat", r, ctx.tmp("R"), {{"axis", Attribute(int64_t{0})}});
  Value* bcat = ctx.add("Concat", b, ctx.tmp("B"), {{"axis", Attribute(int64_t{0})}});
  NNC_ASSIGN_OR_RETURN(Value * p_i, weight(kP_i, false));
  NNC_ASSIGN_OR_RETURN(Value * p_f, weight(kP_f, false));
  NNC_ASSIGN_OR_RETURN(Value * p_o, weight(kP_o, false));
  auto state = [&](size_t k) -> Expected<Value*> {
    const int32_t t = ctx.input_tensor(k);
    if (t < 0 || (ctx.tensor(t).is_variable() && !ctx.is_constant_input(k))) {
      return ctx.const_f32(std::vector<float>(static_cast<size_t>(batch * hidden), 0.0f), {batch, hidden}, ctx.tmp("state0"));
    }
    return ctx.input(k);
  };
  NNC_ASSIGN_OR_RETURN(Value * h, state(kH0));
  NNC_ASSIGN_OR_RETURN(Value * c, state(kC0));
  Value* one = ctx.const_f32({1.0f}, {}, ctx.tmp("one"));
  Value* lo = ctx.const_f32({-clip}, {}, ctx.tmp("clip_min"));
  Value* hi = ctx.const_f32({clip}, {}, ctx.tmp("clip_max"));
  Value* split = ctx.const_i64(std::vector<int64_t>(static_cast<size_t>(gates), hidden), ctx.tmp("gate_sizes"));
  const int64_t time_axis = time_major ? 0 : 1;
  std::vector<Value*> hs;
  for (int64_t t = 0; t < steps; ++t) {
    const std::string s = "step" + std::to_string(t) + "/";
    Value* xt = ctx.add("Gather", {x, ctx.const_i64({t}, ctx.tmp(s + "t"), true)}, ctx.tmp(s + "x"), {{"axis", Attribute(time_axis)}});
    Value* gx = ctx.add("Gemm", {xt, wcat, bcat}, ctx.tmp(s + "gx"), {{"transB", Attribute(int64_t{1})}});
    Value* gh = ctx.add("Gemm", {h, rcat}, ctx.tmp(s + "gh"), {{"transB", Attribute(int64_t{1})}});
    Value* g = ctx.add("Add", {gx, gh}, ctx.tmp(s + "gates"));
    std::vector<std::string> names;
    for (int64_t k = 0; k < gates; ++k) names.push_back(ctx.graph().unique_value_name(ctx.tmp(s + "gate" + std::to_string(k))));
    Node* sp = ctx.graph().add_node("Split", {g, split}, names, ctx.graph().unique_node_name(ctx.tmp(s + "split")));
    sp->set_attribute("axis", Attribute(int64_t{1}));
    for (Value* v : sp->outputs()) v->set_dtype(DType::kF32);
    size_t k = 0;
    Value* gi = cifg ? nullptr : sp->output(k++);
    Value* gf = sp->output(k++);
    Value* gc = sp->output(k++);
    Value* go = sp->output(k++);
    if (p_f) gf = ctx.add("Add", {gf, ctx.add("Mul", {c, p_f}, ctx.tmp(s + "pf"))}, ctx.tmp(s + "f_peep"));
    Value* f = ctx.add("Sigmoid", {gf}, ctx.tmp(s + "f"));
    Value* i = nullptr;
    if (cifg) {
      i = ctx.add("Sub", {one, f}, ctx.tmp(s + "i"));
    } else {
      if (p_i) gi = ctx.add("Add", {gi, ctx.add("Mul", {c, p_i}, ctx.tmp(s + "pi"))}, ctx.tmp(s + "i_peep"));
      i = ctx.add("Sigmoid", {gi}, ctx.tmp(s + "i"));
    }
    Value* cand = ctx.add(act, {gc}, ctx.tmp(s + "g"));
    Value* cn = ctx.add("Add", {ctx.add("Mul", {f, c}, ctx.tmp(s + "fc")), ctx.add("Mul", {i, cand}, ctx.tmp(s + "ig"))},
                        ctx.tmp(s + "c_raw"));
    c = ctx.add("Clip", {cn, lo, hi}, ctx.tmp(s + "c"));
    if (p_o) go = ctx.add("Add", {go, ctx.add("Mul", {c, p_o}, ctx.tmp(s + "po"))}, ctx.tmp(s + "o_peep"));
    Value* og = ctx.add("Sigmoid", {go}, ctx.tmp(s + "o"));
    h = ctx.add("Mul", {og, ctx.add(act, {c}, ctx.tmp(s + "act_c"))}, ctx.tmp(s + "h"));
    hs.push_back(ctx.add("Unsqueeze", {h, ctx.const_i64({time_axis}, ctx.tmp(s + "axes"))}, ctx.tmp(s + "h_seq")));
  }
  return ctx.set_output(0, ctx.add("Concat", hs, ctx.out_name(0), {{"axis", Attribute(time_axis)}}));
}

Status unidirectional_sequence_lstm(ImportContext& ctx) {
  const fb::UnidirectionalSequenceLSTMOptions* o = ctx.op().builtin_options_as_UnidirectionalSequenceLSTMOptions();
  if (!o) return ctx.error(ErrorCode::kParseError, "missing UnidirectionalSequenceLSTMOptions", "re-export the model");
  if (o->cell_clip() < 0.0f) return ctx.error(ErrorCode::kParseError, "negative LSTM cell_clip");
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
  if (o->cell_clip() > 0.0f) return unrolled(ctx, x, time_major, batch, steps, hidden, cifg, acts[1], o->cell_clip());
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
