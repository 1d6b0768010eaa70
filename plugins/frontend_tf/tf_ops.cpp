// nnc frontend_tf: the op table: each TensorFlow op nnc imports and the ONNX-semantics nodes it becomes.
#include <cmath>
#include <limits>

#include "tf_convert.h"
#include "tf_tensor.h"

namespace nnc::tf_frontend::detail {
namespace {

using Item = PreparedGraph::Item;
using Ins = std::vector<Value*>;
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

Status need_inputs(Converter& c, const NodeDef& n, const Ins& in, size_t count) {
  if (in.size() < count)
    return c.fail(n, "has " + std::to_string(in.size()) + " data input(s), expected " + std::to_string(count),
                  "the file is damaged; re-export it", ErrorCode::kParseError);
  return Status::ok();
}

/// ONNX TensorProto.DataType number of `t` (the Cast "to" attribute).
int onnx_type(DType t) {
  switch (t) {
    case DType::kF32: return 1;
    case DType::kU8: return 2;
    case DType::kI8: return 3;
    case DType::kU16: return 4;
    case DType::kI16: return 5;
    case DType::kI32: return 6;
    case DType::kI64: return 7;
    case DType::kBool: return 9;
    case DType::kF16: return 10;
    case DType::kF64: return 11;
    case DType::kU32: return 12;
    case DType::kU64: return 13;
    case DType::kBF16: return 16;
    default: return 0;
  }
}

bool is_nchw(const NodeDef& n) { return attr_string(n, "data_format", "NHWC") == "NCHW"; }

Status check_format(Converter& c, const NodeDef& n) {
  const std::string f = attr_string(n, "data_format", "NHWC");
  if (f != "NHWC" && f != "NCHW")
    return c.fail(n, "data_format '" + f + "' is not supported (NHWC or NCHW)");
  return Status::ok();
}

/// Spatial pair (h, w) of a 4-entry NHWC/NCHW attribute list (default 1s).
Expected<std::vector<int64_t>> spatial(Converter& c, const NodeDef& n, const char* name) {
  auto v = attr_ints(n, name);
  if (v.empty()) return std::vector<int64_t>{1, 1};
  if (v.size() != 4) return c.fail(n, std::string("attribute ") + name + " has " + std::to_string(v.size()) + " entries, expected 4", "", ErrorCode::kParseError);
  if (is_nchw(n)) return std::vector<int64_t>{v[2], v[3]};
  if (v[0] != 1 || v[3] != 1) return c.fail(n, std::string("attribute ") + name + " strides over batch or channels, which nnc does not support");
  return std::vector<int64_t>{v[1], v[2]};
}

/// auto_pad / pads attributes for TF padding "SAME" / "VALID" / "EXPLICIT".
Status padding_attrs(Converter& c, const NodeDef& n, std::map<std::string, Attribute>& a) {
  const std::string p = attr_string(n, "padding", "VALID");
  if (p == "SAME") a["auto_pad"] = std::string("SAME_UPPER");  // TF puts the odd pixel at the end, as SAME_UPPER
  else if (p == "VALID") a["pads"] = std::vector<int64_t>{0, 0, 0, 0};
  else if (p == "EXPLICIT") {
    auto e = attr_ints(n, "explicit_paddings");
    if (e.size() != 8) return c.fail(n, "explicit_paddings has " + std::to_string(e.size()) + " entries, expected 8", "", ErrorCode::kParseError);
    const size_t h = is_nchw(n) ? 2 : 1, w = is_nchw(n) ? 3 : 2;
    a["pads"] = std::vector<int64_t>{e[2 * h], e[2 * w], e[2 * h + 1], e[2 * w + 1]};
  } else {
    return c.fail(n, "padding '" + p + "' is not one of SAME, VALID, EXPLICIT", "", ErrorCode::kParseError);
  }
  return Status::ok();
}

/// Runs `body` on the NCHW view of x and returns the result in the node's layout.
template <typename F>
Expected<Value*> in_nchw(Converter& c, const NodeDef& n, Value* x, F body) {
  const bool nhwc = !is_nchw(n);
  Value* xin = nhwc ? c.to_nchw(x, n.name()) : x;
  NNC_ASSIGN_OR_RETURN(Value * y, body(xin));
  return nhwc ? c.to_nhwc(y, n.name()) : y;
}

Status conv2d(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 2));
  NNC_RETURN_IF_ERROR(check_format(c, n));
  std::map<std::string, Attribute> a;
  NNC_ASSIGN_OR_RETURN(a["strides"], spatial(c, n, "strides"));
  NNC_ASSIGN_OR_RETURN(a["dilations"], spatial(c, n, "dilations"));
  NNC_RETURN_IF_ERROR(padding_attrs(c, n, a));
  const bool depthwise = n.op() == "DepthwiseConv2dNative";
  Value* w = in[1];
  if (depthwise) {
    // [H, W, C, M] -> [C*M, 1, H, W], group C (output channel c*M + m, as TF orders them).
    const Tensor* t = w->constant();
    std::vector<int64_t> ws;
    if (t) ws = t->shape();
    else if (w->shape().is_static()) ws = w->shape().sizes();
    if (ws.size() != 4) return c.fail(n, "needs a constant 4-D filter (or one of known shape)", "freeze the graph");
    Value* p = c.transpose(w, {2, 3, 0, 1}, n.name() + "::filter_cmhw");
    if (const Tensor* pt = p->constant()) {
      auto r = pt->reshaped({ws[2] * ws[3], 1, ws[0], ws[1]});
      if (!r) return r.error();
      w = c.constant(n.name() + "::filter", *r);
    } else {
      w = c.op("Reshape", {p, c.i64s(n.name() + "::filter_shape", {ws[2] * ws[3], 1, ws[0], ws[1]})}, n.name() + "::filter", p->dtype());
    }
    a["group"] = ws[2];
  } else {
    w = c.transpose(w, {3, 2, 0, 1}, n.name() + "::filter");  // HWIO -> OIHW
  }
  NNC_ASSIGN_OR_RETURN(Value * y, in_nchw(c, n, in[0], [&](Value* x) -> Expected<Value*> {
    return c.op("Conv", {x, w}, is_nchw(n) ? n.name() : n.name() + "::conv", in[0]->dtype(), a);
  }));
  c.set_out(n, 0, y);
  return Status::ok();
}

Status pool(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 1));
  NNC_RETURN_IF_ERROR(check_format(c, n));
  std::map<std::string, Attribute> a;
  NNC_ASSIGN_OR_RETURN(a["strides"], spatial(c, n, "strides"));
  NNC_ASSIGN_OR_RETURN(a["kernel_shape"], spatial(c, n, "ksize"));
  NNC_RETURN_IF_ERROR(padding_attrs(c, n, a));
  const std::string type = n.op() == "MaxPool" ? "MaxPool" : "AveragePool";
  // AveragePool's count_include_pad stays 0: TF averages over the valid pixels only.
  NNC_ASSIGN_OR_RETURN(Value * y, in_nchw(c, n, in[0], [&](Value* x) -> Expected<Value*> {
    return c.op(type, {x}, is_nchw(n) ? n.name() : n.name() + "::pool", in[0]->dtype(), a);
  }));
  c.set_out(n, 0, y);
  return Status::ok();
}

Status bias_add(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 2));
  NNC_RETURN_IF_ERROR(check_format(c, n));
  Value* b = in[1];
  if (is_nchw(n)) b = c.op("Reshape", {b, c.i64s(n.name() + "::bias_shape", {-1, 1, 1})}, n.name() + "::bias", b->dtype());
  c.set_out(n, 0, c.op("Add", {in[0], b}, n.name(), in[0]->dtype()));
  return Status::ok();
}

Status fused_batch_norm(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 5));
  NNC_RETURN_IF_ERROR(check_format(c, n));
  if (attr_bool(n, "is_training", true))
    return c.fail(n, "is_training=true normalises with batch statistics (training mode)",
                  "export the graph in inference mode (is_training=False) or freeze it");
  std::map<std::string, Attribute> a{{"epsilon", attr_float(n, "epsilon", 1e-4)}};
  NNC_ASSIGN_OR_RETURN(Value * y, in_nchw(c, n, in[0], [&](Value* x) -> Expected<Value*> {
    return c.op("BatchNormalization", {x, in[1], in[2], in[3], in[4]}, is_nchw(n) ? n.name() : n.name() + "::bn", in[0]->dtype(), a);
  }));
  c.set_out(n, 0, y);
  return Status::ok();
}

Status mat_mul(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 2));
  Value* a = in[0];
  Value* b = in[1];
  if (attr_bool(n, "transpose_a", false)) a = c.transpose(a, {1, 0}, n.name() + "::a_t");
  if (attr_bool(n, "transpose_b", false)) b = c.transpose(b, {1, 0}, n.name() + "::b_t");
  c.set_out(n, 0, c.op("MatMul", {a, b}, n.name(), in[0]->dtype()));
  return Status::ok();
}

Status unary(Converter& c, const Item& it, const Ins& in) {
  static const std::map<std::string, std::string> kMap = {
      {"Relu", "Relu"}, {"Elu", "Elu"}, {"Sigmoid", "Sigmoid"}, {"Tanh", "Tanh"}, {"Exp", "Exp"}, {"Log", "Log"},
      {"Neg", "Neg"}, {"Sqrt", "Sqrt"}, {"Abs", "Abs"}, {"Floor", "Floor"}, {"Ceil", "Ceil"}, {"Reciprocal", "Reciprocal"},
      {"Inv", "Reciprocal"}, {"Softplus", "Softplus"}, {"Softsign", "Softsign"}, {"Round", "Round"}, {"Sign", "Sign"},
      {"Sin", "Sin"}, {"Cos", "Cos"}, {"Erf", "Erf"}, {"LogicalNot", "Not"}};
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 1));
  c.set_out(n, 0, c.op(kMap.at(n.op()), {in[0]}, n.name(), in[0]->dtype()));
  return Status::ok();
}

Status activation(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 1));
  Value* x = in[0];
  Value* y = nullptr;
  if (n.op() == "Relu6") {
    y = c.op("Clip", {x, c.f32_scalar(n.name() + "::lo", 0.f), c.f32_scalar(n.name() + "::hi", 6.f)}, n.name(), x->dtype());
  } else if (n.op() == "LeakyRelu") {
    y = c.op("LeakyRelu", {x}, n.name(), x->dtype(), {{"alpha", attr_float(n, "alpha", 0.2)}});
  } else if (n.op() == "Selu") {
    y = c.op("Selu", {x}, n.name(), x->dtype(),
             {{"alpha", 1.6732632423543772848170429916717}, {"gamma", 1.0507009873554804934193349852946}});
  } else if (n.op() == "Rsqrt") {
    y = c.op("Reciprocal", {c.op("Sqrt", {x}, n.name() + "::sqrt", x->dtype())}, n.name(), x->dtype());
  } else if (n.op() == "Square") {
    y = c.op("Mul", {x, x}, n.name(), x->dtype());
  } else if (n.op() == "Softmax" || n.op() == "LogSoftmax") {
    y = c.op(n.op(), {x}, n.name(), x->dtype(), {{"axis", int64_t{-1}}});
  }
  c.set_out(n, 0, y);
  return Status::ok();
}

Status binary(Converter& c, const Item& it, const Ins& in) {
  static const std::map<std::string, std::string> kMap = {
      {"Add", "Add"}, {"AddV2", "Add"}, {"Sub", "Sub"}, {"Mul", "Mul"}, {"RealDiv", "Div"}, {"Maximum", "Max"},
      {"Minimum", "Min"}, {"Pow", "Pow"}, {"Greater", "Greater"}, {"Less", "Less"}, {"Equal", "Equal"},
      {"GreaterEqual", "GreaterOrEqual"}, {"LessEqual", "LessOrEqual"}, {"LogicalAnd", "And"}, {"LogicalOr", "Or"}};
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 2));
  const std::string& op = n.op();
  const bool compare = op == "Greater" || op == "Less" || op == "Equal" || op == "GreaterEqual" || op == "LessEqual";
  const DType dt = compare ? DType::kBool : in[0]->dtype();
  if (op == "SquaredDifference") {
    Value* d = c.op("Sub", {in[0], in[1]}, n.name() + "::diff", dt);
    c.set_out(n, 0, c.op("Mul", {d, d}, n.name(), dt));
  } else if (op == "Div" || op == "FloorDiv") {
    if (!is_floating(in[0]->dtype()))
      return c.fail(n, "integer division rounds differently in TensorFlow (toward -inf) and ONNX", "cast the operands to float");
    Value* q = c.op("Div", {in[0], in[1]}, op == "Div" ? n.name() : n.name() + "::div", dt);
    c.set_out(n, 0, op == "Div" ? q : c.op("Floor", {q}, n.name(), dt));
  } else {
    c.set_out(n, 0, c.op(kMap.at(op), {in[0], in[1]}, n.name(), dt));
  }
  return Status::ok();
}

Status add_n(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 1));
  c.set_out(n, 0, c.op("Sum", in, n.name(), in[0]->dtype()));
  return Status::ok();
}

Status reduce(Converter& c, const Item& it, const Ins& in) {
  static const std::map<std::string, std::string> kMap = {
      {"Mean", "ReduceMean"}, {"Sum", "ReduceSum"}, {"Max", "ReduceMax"}, {"Min", "ReduceMin"}, {"Prod", "ReduceProd"}};
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 2));
  NNC_ASSIGN_OR_RETURN(auto axes, c.const_ints(n, in[1], "reduction_indices"));
  const int64_t keep = attr_bool(n, "keep_dims", false) ? 1 : 0;
  if (axes.empty()) {  // TF reduces nothing; ONNX would reduce everything
    c.set_out(n, 0, c.op("Identity", {in[0]}, n.name(), in[0]->dtype()));
    return Status::ok();
  }
  const std::string type = kMap.at(n.op());
  if (type == "ReduceSum")
    c.set_out(n, 0, c.op(type, {in[0], c.i64s(n.name() + "::axes", axes)}, n.name(), in[0]->dtype(), {{"keepdims", keep}}));
  else
    c.set_out(n, 0, c.op(type, {in[0]}, n.name(), in[0]->dtype(), {{"axes", axes}, {"keepdims", keep}}));
  return Status::ok();
}

Status arg_max(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 2));
  NNC_ASSIGN_OR_RETURN(auto axis, c.const_ints(n, in[1], "dimension"));
  if (axis.size() != 1) return c.fail(n, "dimension must be a scalar", "", ErrorCode::kParseError);
  const int out_t = attr_type(n, "output_type") ? attr_type(n, "output_type") : nnc::tfproto::DT_INT64;
  const std::string type = n.op() == "ArgMax" ? "ArgMax" : "ArgMin";
  Value* y = c.op(type, {in[0]}, out_t == nnc::tfproto::DT_INT64 ? n.name() : n.name() + "::i64", DType::kI64,
                  {{"axis", axis[0]}, {"keepdims", int64_t{0}}});
  if (out_t != nnc::tfproto::DT_INT64) {
    NNC_ASSIGN_OR_RETURN(DType dt, to_nnc_dtype(out_t, "ArgMax output"));
    y = c.op("Cast", {y}, n.name(), dt, {{"to", static_cast<int64_t>(onnx_type(dt))}});
  }
  c.set_out(n, 0, y);
  return Status::ok();
}

Status reshape(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 2));
  Value* s = in[1];
  if (s->constant()) {
    NNC_ASSIGN_OR_RETURN(auto dims, c.const_ints(n, s, "shape"));
    for (int64_t d : dims)
      if (d == 0) return c.fail(n, "reshapes to a zero-size dim, which ONNX Reshape reads as 'copy this dim'");
    s = c.i64s(n.name() + "::shape", dims);
  } else if (s->dtype() != DType::kI64) {
    s = c.op("Cast", {s}, n.name() + "::shape", DType::kI64, {{"to", int64_t{7}}});
  }
  c.set_out(n, 0, c.op("Reshape", {in[0], s}, n.name(), in[0]->dtype()));
  return Status::ok();
}

Status squeeze(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 1));
  auto axes = attr_ints(n, n.attr().count("squeeze_dims") ? "squeeze_dims" : "axis");
  if (axes.empty()) c.set_out(n, 0, c.op("Squeeze", {in[0]}, n.name(), in[0]->dtype()));
  else c.set_out(n, 0, c.op("Squeeze", {in[0], c.i64s(n.name() + "::axes", axes)}, n.name(), in[0]->dtype()));
  return Status::ok();
}

Status expand_dims(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 2));
  NNC_ASSIGN_OR_RETURN(auto axis, c.const_ints(n, in[1], "axis"));
  if (axis.size() != 1) return c.fail(n, "axis must hold one value", "", ErrorCode::kParseError);
  c.set_out(n, 0, c.op("Unsqueeze", {in[0], c.i64s(n.name() + "::axes", axis)}, n.name(), in[0]->dtype()));
  return Status::ok();
}

Status concat(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 2));
  const bool v2 = n.op() == "ConcatV2";
  NNC_ASSIGN_OR_RETURN(auto axis, c.const_ints(n, v2 ? in.back() : in.front(), "axis"));
  if (axis.size() != 1) return c.fail(n, "axis must be a scalar", "", ErrorCode::kParseError);
  Ins xs(v2 ? in.begin() : in.begin() + 1, v2 ? in.end() - 1 : in.end());
  c.set_out(n, 0, c.op("Concat", xs, n.name(), xs[0]->dtype(), {{"axis", axis[0]}}));
  return Status::ok();
}

Status pack(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 1));
  const int64_t axis = attr_int(n, "axis", 0);
  Value* axes = c.i64s(n.name() + "::axes", {axis});
  Ins parts;
  for (size_t i = 0; i < in.size(); ++i)
    parts.push_back(c.op("Unsqueeze", {in[i], axes}, in.size() == 1 ? n.name() : n.name() + "::part" + std::to_string(i), in[i]->dtype()));
  c.set_out(n, 0, in.size() == 1 ? parts[0] : c.op("Concat", parts, n.name(), in[0]->dtype(), {{"axis", axis}}));
  return Status::ok();
}

Status unpack(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 1));
  const int64_t num = attr_int(n, "num", 0), axis = attr_int(n, "axis", 0);
  if (num < 1) return c.fail(n, "num must be positive", "", ErrorCode::kParseError);
  auto parts = c.op_multi("Split", {in[0]}, n.name() + "::split", static_cast<size_t>(num), in[0]->dtype(), {{"axis", axis}});
  Value* axes = c.i64s(n.name() + "::axes", {axis});
  for (int64_t k = 0; k < num; ++k)
    c.set_out(n, static_cast<int>(k), c.op("Squeeze", {parts[static_cast<size_t>(k)], axes}, ref_name(TfRef{n.name(), static_cast<int>(k)}), in[0]->dtype()));
  return Status::ok();
}

Status split(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, n.op() == "Split" ? 2 : 3));
  const bool v = n.op() == "SplitV";
  NNC_ASSIGN_OR_RETURN(auto axis, c.const_ints(n, v ? in[2] : in[0], "axis"));
  if (axis.size() != 1) return c.fail(n, "axis must be a scalar", "", ErrorCode::kParseError);
  Value* x = v ? in[0] : in[1];
  const int64_t num = attr_int(n, "num_split", 0);
  if (num < 1) return c.fail(n, "num_split must be positive", "", ErrorCode::kParseError);
  Ins ins{x};
  if (v) {
    NNC_ASSIGN_OR_RETURN(auto sizes, c.const_ints(n, in[1], "size_splits"));
    for (int64_t s : sizes)
      if (s < 0) return c.fail(n, "a size_splits entry of -1 (the remainder) needs the input's shape, which nnc does not infer here");
    ins.push_back(c.i64s(n.name() + "::split", sizes));
  }
  auto parts = c.op_multi("Split", ins, n.name(), static_cast<size_t>(num), x->dtype(), {{"axis", axis[0]}});
  for (int64_t k = 0; k < num; ++k) c.set_out(n, static_cast<int>(k), parts[static_cast<size_t>(k)]);
  return Status::ok();
}

Status pad(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 2));
  NNC_ASSIGN_OR_RETURN(auto p, c.const_ints(n, in[1], "paddings"));
  if (p.size() % 2) return c.fail(n, "paddings must have shape [rank, 2]", "", ErrorCode::kParseError);
  const size_t r = p.size() / 2;
  std::vector<int64_t> pads(2 * r);
  for (size_t i = 0; i < r; ++i) {
    pads[i] = p[2 * i];
    pads[r + i] = p[2 * i + 1];
  }
  std::map<std::string, Attribute> a;
  Ins ins{in[0], c.i64s(n.name() + "::pads", pads)};
  if (n.op() == "MirrorPad") {
    const std::string mode = attr_string(n, "mode", "REFLECT");
    if (mode != "REFLECT") return c.fail(n, "mode '" + mode + "' has no ONNX equivalent (only REFLECT does)");
    a["mode"] = std::string("reflect");
  } else if (n.op() == "PadV2" && in.size() >= 3) {
    ins.push_back(in[2]);
  }
  c.set_out(n, 0, c.op("Pad", ins, n.name(), in[0]->dtype(), a));
  return Status::ok();
}

Status transpose(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 2));
  NNC_ASSIGN_OR_RETURN(auto perm, c.const_ints(n, in[1], "perm"));
  c.set_out(n, 0, c.op("Transpose", {in[0]}, n.name(), in[0]->dtype(), {{"perm", perm}}));
  return Status::ok();
}

Status strided_slice(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 4));
  NNC_ASSIGN_OR_RETURN(auto b, c.const_ints(n, in[1], "begin"));
  NNC_ASSIGN_OR_RETURN(auto e, c.const_ints(n, in[2], "end"));
  NNC_ASSIGN_OR_RETURN(auto s, c.const_ints(n, in[3], "strides"));
  if (b.size() != e.size() || b.size() != s.size()) return c.fail(n, "begin, end and strides differ in length", "", ErrorCode::kParseError);
  const int64_t bm = attr_int(n, "begin_mask", 0), em = attr_int(n, "end_mask", 0), elm = attr_int(n, "ellipsis_mask", 0),
                nm = attr_int(n, "new_axis_mask", 0), sm = attr_int(n, "shrink_axis_mask", 0);
  // Expand the ellipsis into full slices (needs the input rank).
  struct Spec { int64_t b, e, s; bool bm, em, shrink, new_axis; };
  std::vector<Spec> spec;
  for (size_t i = 0; i < b.size(); ++i) {
    if (elm & (int64_t{1} << i)) {
      if (!in[0]->shape().has_rank())
        return c.fail(n, "an ellipsis in the slice needs the input's rank, which is unknown here", "give the input shapes (-is)");
      int64_t named = 0;
      for (size_t j = 0; j < b.size(); ++j)
        if (j != i && !(nm & (int64_t{1} << j))) ++named;
      for (int64_t k = 0; k < static_cast<int64_t>(in[0]->shape().rank()) - named; ++k) spec.push_back({0, 0, 1, true, true, false, false});
      continue;
    }
    spec.push_back({b[i], e[i], s[i], bool(bm & (int64_t{1} << i)), bool(em & (int64_t{1} << i)), bool(sm & (int64_t{1} << i)),
                    bool(nm & (int64_t{1} << i))});
  }
  Value* x = in[0];
  std::vector<int64_t> new_axes;
  for (size_t i = 0; i < spec.size(); ++i)
    if (spec[i].new_axis) new_axes.push_back(static_cast<int64_t>(i));
  if (!new_axes.empty()) x = c.op("Unsqueeze", {x, c.i64s(n.name() + "::new_axes", new_axes)}, n.name() + "::expanded", x->dtype());
  std::vector<int64_t> starts, ends, axes, steps, squeeze;
  for (size_t i = 0; i < spec.size(); ++i) {
    const Spec& p = spec[i];
    if (p.new_axis) continue;
    if (p.s == 0) return c.fail(n, "a stride is 0", "", ErrorCode::kParseError);
    int64_t st, en, step = p.s;
    if (p.shrink) {
      st = p.b;
      en = p.b == -1 ? kMax : p.b + 1;
      step = 1;
      squeeze.push_back(static_cast<int64_t>(i));
    } else {
      st = p.bm ? (step > 0 ? 0 : kMax) : p.b;
      en = p.em ? (step > 0 ? kMax : kMin) : p.e;
    }
    if (st == 0 && en == kMax && step == 1) continue;  // full range
    starts.push_back(st);
    ends.push_back(en);
    axes.push_back(static_cast<int64_t>(i));
    steps.push_back(step);
  }
  Value* y = x;
  const std::string sname = squeeze.empty() ? n.name() : n.name() + "::slice";
  if (!axes.empty())
    y = c.op("Slice", {x, c.i64s(n.name() + "::starts", starts), c.i64s(n.name() + "::ends", ends), c.i64s(n.name() + "::axes", axes),
                       c.i64s(n.name() + "::steps", steps)}, sname, x->dtype());
  if (!squeeze.empty()) y = c.op("Squeeze", {y, c.i64s(n.name() + "::squeeze_axes", squeeze)}, n.name(), x->dtype());
  if (y == in[0]) y = c.op("Identity", {y}, n.name(), y->dtype());
  c.set_out(n, 0, y);
  return Status::ok();
}

Status slice(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 3));
  NNC_ASSIGN_OR_RETURN(auto b, c.const_ints(n, in[1], "begin"));
  NNC_ASSIGN_OR_RETURN(auto s, c.const_ints(n, in[2], "size"));
  if (b.size() != s.size()) return c.fail(n, "begin and size differ in length", "", ErrorCode::kParseError);
  std::vector<int64_t> ends, axes;
  for (size_t i = 0; i < b.size(); ++i) {
    ends.push_back(s[i] < 0 ? kMax : b[i] + s[i]);
    axes.push_back(static_cast<int64_t>(i));
  }
  c.set_out(n, 0, c.op("Slice", {in[0], c.i64s(n.name() + "::starts", b), c.i64s(n.name() + "::ends", ends),
                                 c.i64s(n.name() + "::axes", axes)}, n.name(), in[0]->dtype()));
  return Status::ok();
}

Status shape(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 1));
  const int t = attr_type(n, "out_type") ? attr_type(n, "out_type") : nnc::tfproto::DT_INT32;
  Value* y = c.op("Shape", {in[0]}, t == nnc::tfproto::DT_INT64 ? n.name() : n.name() + "::i64", DType::kI64);
  if (t != nnc::tfproto::DT_INT64) y = c.op("Cast", {y}, n.name(), DType::kI32, {{"to", int64_t{6}}});
  c.set_out(n, 0, y);
  return Status::ok();
}

Status cast(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 1));
  NNC_ASSIGN_OR_RETURN(DType dt, to_nnc_dtype(attr_type(n, "DstT"), "the target type of node '" + n.name() + "'"));
  c.set_out(n, 0, c.op("Cast", {in[0]}, n.name(), dt, {{"to", static_cast<int64_t>(onnx_type(dt))}}));
  return Status::ok();
}

Status tile(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 2));
  Value* m = in[1];
  if (m->dtype() != DType::kI64) m = c.op("Cast", {m}, n.name() + "::multiples", DType::kI64, {{"to", int64_t{7}}});
  c.set_out(n, 0, c.op("Tile", {in[0], m}, n.name(), in[0]->dtype()));
  return Status::ok();
}

Status gather(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 3));
  if (attr_int(n, "batch_dims", 0) != 0) return c.fail(n, "batch_dims != 0 is not supported");
  NNC_ASSIGN_OR_RETURN(auto axis, c.const_ints(n, in[2], "axis"));
  if (axis.size() != 1) return c.fail(n, "axis must be a scalar", "", ErrorCode::kParseError);
  c.set_out(n, 0, c.op("Gather", {in[0], in[1]}, n.name(), in[0]->dtype(), {{"axis", axis[0]}}));
  return Status::ok();
}

Status resize(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 2));
  const bool align = attr_bool(n, "align_corners", false), half = attr_bool(n, "half_pixel_centers", false);
  if (align && half) return c.fail(n, "align_corners and half_pixel_centers are both set", "", ErrorCode::kParseError);
  std::map<std::string, Attribute> a;
  if (n.op() == "ResizeBilinear") {
    a["mode"] = std::string("linear");
    a["coordinate_transformation_mode"] = std::string(align ? "align_corners" : half ? "half_pixel" : "asymmetric");
  } else {
    a["mode"] = std::string("nearest");
    a["coordinate_transformation_mode"] = std::string(align ? "align_corners" : half ? "tf_half_pixel_for_nn" : "asymmetric");
    a["nearest_mode"] = std::string(align ? "round_prefer_ceil" : "floor");
  }
  Value* x = c.to_nchw(in[0], n.name());
  Value* hw = in[1];
  if (hw->constant()) {
    NNC_ASSIGN_OR_RETURN(auto s, c.const_ints(n, hw, "size"));
    if (s.size() != 2) return c.fail(n, "size must hold 2 values", "", ErrorCode::kParseError);
    hw = c.i64s(n.name() + "::hw", s);
  } else {
    hw = c.op("Cast", {hw}, n.name() + "::hw", DType::kI64, {{"to", int64_t{7}}});
  }
  Value* shp = c.op("Shape", {x}, n.name() + "::in_shape", DType::kI64);
  Value* nc = c.op("Slice", {shp, c.i64s(n.name() + "::s0", {0}), c.i64s(n.name() + "::s2", {2})}, n.name() + "::nc", DType::kI64);
  Value* sizes = c.op("Concat", {nc, hw}, n.name() + "::sizes", DType::kI64, {{"axis", int64_t{0}}});
  Value* y = c.op("Resize", {x, nullptr, nullptr, sizes}, n.name() + "::resize", in[0]->dtype(), a);
  c.set_out(n, 0, c.to_nhwc(y, n.name()));
  return Status::ok();
}

/// Dequantize: with constant inputs the float values are computed here, exactly as TF does.
Status dequantize(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, 3));
  const std::string mode = attr_string(n, "mode", "MIN_COMBINED");
  const bool narrow = attr_bool(n, "narrow_range", false);
  const int64_t axis = attr_int(n, "axis", -1);
  const Tensor* q = in[0]->constant();
  const Tensor* mn = in[1]->constant();
  const Tensor* mx = in[2]->constant();
  if (mode != "MIN_COMBINED" && mode != "MIN_FIRST" && mode != "SCALED") return c.fail(n, "mode '" + mode + "' is unknown", "", ErrorCode::kParseError);
  double lo = 0, hi = 0;
  switch (in[0]->dtype()) {
    case DType::kU8: lo = 0, hi = 255; break;
    case DType::kI8: lo = -128, hi = 127; break;
    case DType::kU16: lo = 0, hi = 65535; break;
    case DType::kI16: lo = -32768, hi = 32767; break;
    case DType::kI32: lo = -2147483648.0, hi = 2147483647.0; break;
    default: return c.fail(n, std::string("input type ") + dtype_name(in[0]->dtype()) + " is not a quantized type");
  }
  auto scale_offset = [&](double min_r, double max_r, double& scale, double& offset) {
    if (mode == "SCALED") {
      const double min_t = lo + (narrow ? 1 : 0);
      scale = lo == 0 ? max_r / hi : std::max(min_r / min_t, max_r / hi);
      offset = 0;
    } else if (mode == "MIN_FIRST") {
      // TF's QuantizedToFloat: the range is widened by steps/(steps-1) and min rounded to a multiple
      // of the step, so that 0.0 is exactly representable.
      const double steps = hi - lo + 1;
      scale = (max_r - min_r) * (steps / (steps - 1.0)) / steps;
      const double min_rounded = max_r == min_r ? min_r : std::round(min_r / scale) * scale;
      offset = min_rounded - lo * scale;
    } else {  // MIN_COMBINED: min_range + (q - lowest) * (max - min) / (highest - lowest)
      scale = (max_r - min_r) / (hi - lo);
      offset = min_r - lo * scale;
    }
  };
  if (!mn || !mx) return c.fail(n, "min_range/max_range must be constants", "freeze the graph");
  const int64_t channels = mn->element_count();
  if (channels != mx->element_count() || channels < 1) return c.fail(n, "min_range and max_range differ in size", "", ErrorCode::kParseError);
  if (q) {
    const auto& shp = q->shape();
    int64_t inner = 1;
    if (axis >= 0) {
      if (axis >= q->rank() || shp[static_cast<size_t>(axis)] != channels)
        return c.fail(n, "axis " + std::to_string(axis) + " does not match " + std::to_string(channels) + " min/max values", "", ErrorCode::kParseError);
      for (size_t i = static_cast<size_t>(axis) + 1; i < shp.size(); ++i) inner *= shp[i];
    } else if (channels != 1) {
      return c.fail(n, "per-channel ranges need the axis attribute", "", ErrorCode::kParseError);
    }
    Tensor out(DType::kF32, shp);
    auto o = out.mutable_data<float>();
    for (int64_t i = 0; i < q->element_count(); ++i) {
      const int64_t ch = axis >= 0 ? (i / inner) % channels : 0;
      double scale = 0, offset = 0;
      scale_offset(mn->value_as_double(ch), mx->value_as_double(ch), scale, offset);
      o[static_cast<size_t>(i)] = static_cast<float>(q->value_as_double(i) * scale + offset);
    }
    c.set_out(n, 0, c.constant(n.name(), std::move(out)));
    return Status::ok();
  }
  // Run-time input: DequantizeLinear when the zero point is an integer of the input type.
  if (channels != 1) return c.fail(n, "per-channel Dequantize of a run-time tensor is not supported", "freeze the graph");
  double scale = 0, offset = 0;
  scale_offset(mn->value_as_double(0), mx->value_as_double(0), scale, offset);
  const double zp = -offset / scale;
  if (!(scale > 0) || std::abs(zp - std::round(zp)) > 1e-6 || zp < lo || zp > hi || (in[0]->dtype() == DType::kI32 && zp != 0))
    return c.fail(n, "the range [" + std::to_string(mn->value_as_double(0)) + ", " + std::to_string(mx->value_as_double(0)) +
                         "] maps to a non-integer zero point, which DequantizeLinear cannot express");
  Tensor z(in[0]->dtype(), {});
  switch (in[0]->dtype()) {
    case DType::kU8: z.mutable_data<uint8_t>()[0] = static_cast<uint8_t>(std::lround(zp)); break;
    case DType::kI8: z.mutable_data<int8_t>()[0] = static_cast<int8_t>(std::lround(zp)); break;
    case DType::kU16: z.mutable_data<uint16_t>()[0] = static_cast<uint16_t>(std::lround(zp)); break;
    case DType::kI16: z.mutable_data<int16_t>()[0] = static_cast<int16_t>(std::lround(zp)); break;
    default: break;
  }
  c.set_out(n, 0, c.op("DequantizeLinear", {in[0], c.f32_scalar(n.name() + "::scale", static_cast<float>(scale)),
                                            c.constant(n.name() + "::zero_point", z)}, n.name(), DType::kF32));
  return Status::ok();
}

/// FakeQuantWithMinMax*: TF's nudged range as Clip -> QuantizeLinear -> DequantizeLinear.
Status fake_quant(Converter& c, const Item& it, const Ins& in) {
  const NodeDef& n = *it.node;
  const bool args = n.op() == "FakeQuantWithMinMaxArgs";
  NNC_RETURN_IF_ERROR(need_inputs(c, n, in, args ? 1 : 3));
  const int64_t bits = attr_int(n, "num_bits", 8);
  const bool narrow = attr_bool(n, "narrow_range", false);
  if (bits < 2 || bits > 16) return c.fail(n, "num_bits " + std::to_string(bits) + " is outside 2..16", "", ErrorCode::kParseError);
  std::vector<float> mins, maxs;
  if (args) {
    mins = {static_cast<float>(attr_float(n, "min", -6.0))};
    maxs = {static_cast<float>(attr_float(n, "max", 6.0))};
  } else {
    const Tensor* mn = in[1]->constant();
    const Tensor* mx = in[2]->constant();
    if (!mn || !mx) return c.fail(n, "min/max must be constants (or checkpoint variables)", "freeze the graph or pass its checkpoint");
    for (int64_t i = 0; i < mn->element_count(); ++i) mins.push_back(static_cast<float>(mn->value_as_double(i)));
    for (int64_t i = 0; i < mx->element_count(); ++i) maxs.push_back(static_cast<float>(mx->value_as_double(i)));
  }
  const bool per_channel = n.op() == "FakeQuantWithMinMaxVarsPerChannel";
  if (mins.size() != maxs.size() || mins.empty() || (!per_channel && mins.size() != 1))
    return c.fail(n, "min and max must be scalars (vectors per channel)", "", ErrorCode::kParseError);
  const float qmin = narrow ? 1.f : 0.f, qmax = static_cast<float>((int64_t{1} << bits) - 1);
  const size_t ch = mins.size();
  std::vector<float> scales(ch), lo(ch), hi(ch);
  std::vector<int64_t> zps(ch);
  for (size_t i = 0; i < ch; ++i) {
    // TensorFlow's Nudge(): the zero point is rounded to an integer and the range shifted to match.
    const float scale = (maxs[i] - mins[i]) / (qmax - qmin);
    if (!(scale > 0) || !std::isfinite(scale))
      return c.fail(n, "the range [" + std::to_string(mins[i]) + ", " + std::to_string(maxs[i]) + "] is empty", "", ErrorCode::kInvalidArgument);
    const float zp_from_min = qmin - mins[i] / scale;
    const float zp = zp_from_min < qmin ? qmin : zp_from_min > qmax ? qmax : std::round(zp_from_min);
    scales[i] = scale;
    zps[i] = static_cast<int64_t>(zp);
    lo[i] = (qmin - zp) * scale;
    hi[i] = (qmax - zp) * scale;
  }
  const DType qt = bits <= 8 ? DType::kU8 : DType::kU16;
  const std::vector<int64_t> vshape = per_channel ? std::vector<int64_t>{static_cast<int64_t>(ch)} : std::vector<int64_t>{};
  Tensor zt(qt, vshape);
  for (size_t i = 0; i < ch; ++i) {
    if (qt == DType::kU8) zt.mutable_data<uint8_t>()[i] = static_cast<uint8_t>(zps[i]);
    else zt.mutable_data<uint16_t>()[i] = static_cast<uint16_t>(zps[i]);
  }
  Value* x = in[0];
  Value* clipped = nullptr;
  if (per_channel) {
    Value* a = c.op("Max", {x, c.constant(n.name() + "::nudged_min", Tensor::from_vector<float>(lo, vshape))}, n.name() + "::clip_lo", x->dtype());
    clipped = c.op("Min", {a, c.constant(n.name() + "::nudged_max", Tensor::from_vector<float>(hi, vshape))}, n.name() + "::clip", x->dtype());
  } else {
    clipped = c.op("Clip", {x, c.f32_scalar(n.name() + "::nudged_min", lo[0]), c.f32_scalar(n.name() + "::nudged_max", hi[0])},
                   n.name() + "::clip", x->dtype());
  }
  Value* s = c.constant(n.name() + "::scale", Tensor::from_vector<float>(scales, vshape));
  Value* z = c.constant(n.name() + "::zero_point", zt);
  std::map<std::string, Attribute> a;
  if (per_channel) a["axis"] = int64_t{-1};
  Value* qv = c.op("QuantizeLinear", {clipped, s, z}, n.name() + "::q", qt, a);
  c.set_out(n, 0, c.op("DequantizeLinear", {qv, s, z}, n.name(), DType::kF32, a));
  return Status::ok();
}

}  // namespace

const std::map<std::string, OpHandler>& op_handlers() {
  static const std::map<std::string, OpHandler> table = [] {
    std::map<std::string, OpHandler> t;
    for (const char* op : {"Conv2D", "DepthwiseConv2dNative"}) t[op] = conv2d;
    for (const char* op : {"MaxPool", "AvgPool"}) t[op] = pool;
    t["BiasAdd"] = bias_add;
    for (const char* op : {"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"}) t[op] = fused_batch_norm;
    t["MatMul"] = mat_mul;
    for (const char* op : {"Relu", "Elu", "Sigmoid", "Tanh", "Exp", "Log", "Neg", "Sqrt", "Abs", "Floor", "Ceil", "Reciprocal",
                           "Inv", "Softplus", "Softsign", "Round", "Sign", "Sin", "Cos", "Erf", "LogicalNot"})
      t[op] = unary;
    for (const char* op : {"Relu6", "LeakyRelu", "Selu", "Rsqrt", "Square", "Softmax", "LogSoftmax"}) t[op] = activation;
    for (const char* op : {"Add", "AddV2", "Sub", "Mul", "RealDiv", "Div", "FloorDiv", "Maximum", "Minimum", "Pow",
                           "SquaredDifference", "Greater", "Less", "Equal", "GreaterEqual", "LessEqual", "LogicalAnd", "LogicalOr"})
      t[op] = binary;
    t["AddN"] = add_n;
    for (const char* op : {"Mean", "Sum", "Max", "Min", "Prod"}) t[op] = reduce;
    for (const char* op : {"ArgMax", "ArgMin"}) t[op] = arg_max;
    t["Reshape"] = reshape;
    t["Squeeze"] = squeeze;
    t["ExpandDims"] = expand_dims;
    for (const char* op : {"ConcatV2", "Concat"}) t[op] = concat;
    t["Pack"] = pack;
    t["Unpack"] = unpack;
    for (const char* op : {"Split", "SplitV"}) t[op] = split;
    for (const char* op : {"Pad", "PadV2", "MirrorPad"}) t[op] = pad;
    t["Transpose"] = transpose;
    t["StridedSlice"] = strided_slice;
    t["Slice"] = slice;
    t["Shape"] = shape;
    t["Cast"] = cast;
    t["Tile"] = tile;
    t["GatherV2"] = gather;
    for (const char* op : {"ResizeBilinear", "ResizeNearestNeighbor"}) t[op] = resize;
    t["Dequantize"] = dequantize;
    for (const char* op : {"FakeQuantWithMinMaxVars", "FakeQuantWithMinMaxArgs", "FakeQuantWithMinMaxVarsPerChannel"}) t[op] = fake_quant;
    return t;
  }();
  return table;
}

}  // namespace nnc::tf_frontend::detail
