// nnc frontend_tflite: translators of convolution, fully-connected, pooling, activation, arithmetic, reduction, quantize and resize ops.
#include <cmath>
#include <cstring>

#include "tflite_ops.h"

namespace nnc::tflite_frontend {
namespace {

using BO = fb::BuiltinOperator;
using Attrs = std::map<std::string, Attribute>;

Shape nchw_of(const Shape& nhwc) {
  if (!nhwc.has_rank() || nhwc.rank() != 4) return Shape();
  const auto& d = nhwc.dims();
  return Shape({d[0], d[3], d[1], d[2]});
}

/// Conv/pool window attributes: strides, dilations and explicit pads (auto_pad when dims are dynamic).
Status window_attrs(ImportContext& ctx, fb::Padding padding, int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                    int64_t dh, int64_t dw, Attrs& attrs) {
  if (sh < 1 || sw < 1 || dh < 1 || dw < 1 || kh < 1 || kw < 1) {
    return ctx.error(ErrorCode::kParseError,
                     "bad window: kernel " + std::to_string(kh) + "x" + std::to_string(kw) + ", stride " +
                         std::to_string(sh) + "x" + std::to_string(sw) + ", dilation " + std::to_string(dh) + "x" +
                         std::to_string(dw) + " (all must be >= 1)", "the file is damaged: re-export it");
  }
  attrs["strides"] = Attribute(std::vector<int64_t>{sh, sw});
  attrs["kernel_shape"] = Attribute(std::vector<int64_t>{kh, kw});
  if (padding == fb::Padding::VALID) {
    attrs["pads"] = Attribute(std::vector<int64_t>{0, 0, 0, 0});
    return Status::ok();
  }
  // Only H and W matter for the pads; a dynamic batch (-1 in shape_signature) is fine.
  const fb::Tensor& xt = ctx.tensor(ctx.input_tensor(0));
  std::optional<std::vector<int64_t>> in = ctx.declared_dims(ctx.input_tensor(0));
  for (uint32_t d : {1u, 2u}) {
    if (xt.shape_signature() && d < xt.shape_signature()->size() && xt.shape_signature()->Get(d) < 0) in.reset();
  }
  if (!in || in->size() != 4) {
    attrs["auto_pad"] = Attribute("SAME_UPPER");  // TF SAME puts the odd pixel at the end, as SAME_UPPER
    return Status::ok();
  }
  auto [t, b] = tf_same_pads((*in)[1], kh, sh, dh);
  auto [l, r] = tf_same_pads((*in)[2], kw, sw, dw);
  attrs["pads"] = Attribute(std::vector<int64_t>{t, l, b, r});
  return Status::ok();
}

Status require_rank4_input(ImportContext& ctx) {
  std::vector<int64_t> d = ctx.declared_dims(ctx.input_tensor(0));
  if (d.size() != 4) {
    return ctx.error(ErrorCode::kUnsupported, "input '" + ctx.model().tensor_name(ctx.input_tensor(0)) + "' has rank " +
                                                  std::to_string(d.size()) + "; this operator needs NHWC rank 4");
  }
  return Status::ok();
}

/// NHWC x -> Transpose -> Conv(w [O, I/group, KH, KW], optional bias input 2) -> fused activation ->
/// Transpose back, for CONV_2D and DEPTHWISE_CONV_2D (whose options share these fields).
template <typename ConvOptions>
Status emit_nhwc_conv(ImportContext& ctx, const ConvOptions& o, Value* x, Value* w, int64_t kh, int64_t kw,
                      int64_t group) {
  Attrs attrs;
  NNC_RETURN_IF_ERROR(window_attrs(ctx, o.padding(), kh, kw, o.stride_h(), o.stride_w(), o.dilation_h_factor(),
                                   o.dilation_w_factor(), attrs));
  attrs["dilations"] = Attribute(std::vector<int64_t>{o.dilation_h_factor(), o.dilation_w_factor()});
  attrs["group"] = Attribute(group);
  std::vector<Value*> ins{ctx.transpose(x, kToNchw, ctx.tmp("nchw")), w};
  if (ctx.has_input(2)) {
    NNC_ASSIGN_OR_RETURN(Value * b, ctx.input(2));
    ins.push_back(b);
  }
  Value* y = ctx.add("Conv", ins, ctx.tmp("conv"), attrs, DType::kF32,
                     nchw_of(Shape::of(ctx.declared_dims(ctx.output_tensor(0)))));
  NNC_ASSIGN_OR_RETURN(y, ctx.activation(y, o.fused_activation_function(), ctx.tmp("act")));
  return ctx.set_output(0, ctx.transpose(y, kToNhwc, ctx.out_name(0)));
}

Status conv_2d(ImportContext& ctx) {
  NNC_RETURN_IF_ERROR(require_rank4_input(ctx));
  const fb::Conv2DOptions* o = ctx.op().builtin_options_as_Conv2DOptions();
  if (!o) return ctx.error(ErrorCode::kParseError, "missing Conv2DOptions", "re-export the model");
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  std::vector<int64_t> wd = ctx.declared_dims(ctx.input_tensor(1));  // [O, KH, KW, I]
  if (wd.size() != 4) return ctx.error(ErrorCode::kParseError, "filter must have rank 4 [O, KH, KW, I]");
  NNC_ASSIGN_OR_RETURN(Value * w, permuted_weight(ctx, 1, {0, 3, 1, 2}));
  const int64_t cin = ctx.declared_dims(ctx.input_tensor(0))[3];
  if (wd[3] <= 0 || cin % wd[3] != 0) {
    return ctx.error(ErrorCode::kInvalidArgument, "input has " + std::to_string(cin) + " channels but the filter takes " +
                                                      std::to_string(wd[3]) + " per group");
  }
  return emit_nhwc_conv(ctx, *o, x, w, wd[1], wd[2], cin / wd[3]);
}

Status depthwise_conv_2d(ImportContext& ctx) {
  NNC_RETURN_IF_ERROR(require_rank4_input(ctx));
  const fb::DepthwiseConv2DOptions* o = ctx.op().builtin_options_as_DepthwiseConv2DOptions();
  if (!o) return ctx.error(ErrorCode::kParseError, "missing DepthwiseConv2DOptions", "re-export the model");
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  std::vector<int64_t> wd = ctx.declared_dims(ctx.input_tensor(1));  // [1, KH, KW, C*M]
  if (wd.size() != 4 || wd[0] != 1) return ctx.error(ErrorCode::kParseError, "depthwise filter must be [1, KH, KW, C*M]");
  const int64_t cin = ctx.declared_dims(ctx.input_tensor(0))[3];
  // depth_multiplier in the options is unreliable in real files; the filter's last dim decides.
  if (cin <= 0 || wd[3] % cin != 0) {
    return ctx.error(ErrorCode::kInvalidArgument, "filter has " + std::to_string(wd[3]) + " output channels, not a multiple of the " +
                                                      std::to_string(cin) + " input channels");
  }
  if (o->depth_multiplier() != 0 && o->depth_multiplier() != wd[3] / cin) {
    ctx.verbose(ctx.op_label() + ": depth_multiplier " + std::to_string(o->depth_multiplier()) +
                " disagrees with the filter; using " + std::to_string(wd[3] / cin) + " from the filter shape");
  }
  NNC_ASSIGN_OR_RETURN(Value * w, permuted_weight(ctx, 1, {3, 0, 1, 2}));  // -> [C*M, 1, KH, KW]
  return emit_nhwc_conv(ctx, *o, x, w, wd[1], wd[2], cin);
}

Status transpose_conv(ImportContext& ctx) {
  const fb::TransposeConvOptions* o = ctx.op().builtin_options_as_TransposeConvOptions();
  if (!o) return ctx.error(ErrorCode::kParseError, "missing TransposeConvOptions", "re-export the model");
  // inputs: 0 output_shape (int32 [4]), 1 weights [O, KH, KW, I], 2 input NHWC, 3 optional bias.
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> out_shape, ctx.constant_ints(0));
  std::vector<int64_t> wd = ctx.declared_dims(ctx.input_tensor(1));
  std::vector<int64_t> xd = ctx.declared_dims(ctx.input_tensor(2));
  if (out_shape.size() != 4 || wd.size() != 4 || xd.size() != 4) return ctx.error(ErrorCode::kParseError, "TRANSPOSE_CONV needs rank-4 output_shape, filter and input");
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(2));
  NNC_ASSIGN_OR_RETURN(Value * w, permuted_weight(ctx, 1, {3, 0, 1, 2}));  // ONNX ConvTranspose: [I, O, KH, KW]
  const int64_t sh = o->stride_h(), sw = o->stride_w();
  if (sh < 1 || sw < 1) return ctx.error(ErrorCode::kParseError, "strides must be >= 1");
  // Full output of a transposed conv is (in-1)*s + k; TF crops (total - out) with the smaller half at the start.
  auto pads = [&](int64_t in, int64_t k, int64_t s, int64_t out) -> std::pair<int64_t, int64_t> {
    const int64_t total = std::max<int64_t>((in - 1) * s + k - out, 0);
    return {total / 2, total - total / 2};
  };
  auto [t, b] = pads(xd[1], wd[1], sh, out_shape[1]);
  auto [l, r] = pads(xd[2], wd[2], sw, out_shape[2]);
  Attrs attrs{{"strides", Attribute(std::vector<int64_t>{sh, sw})},
              {"kernel_shape", Attribute(std::vector<int64_t>{wd[1], wd[2]})},
              {"pads", Attribute(std::vector<int64_t>{t, l, b, r})},
              {"output_shape", Attribute(std::vector<int64_t>{out_shape[1], out_shape[2]})}};
  std::vector<Value*> ins{ctx.transpose(x, kToNchw, ctx.tmp("nchw")), w};
  if (ctx.has_input(3)) {
    NNC_ASSIGN_OR_RETURN(Value * bias, ctx.input(3));
    ins.push_back(bias);
  }
  Value* y = ctx.add("ConvTranspose", ins, ctx.tmp("deconv"), attrs, DType::kF32,
                     Shape({out_shape[0], out_shape[3], out_shape[1], out_shape[2]}));
  NNC_ASSIGN_OR_RETURN(y, ctx.activation(y, o->fused_activation_function(), ctx.tmp("act")));
  return ctx.set_output(0, ctx.transpose(y, kToNhwc, ctx.out_name(0)));
}

Status fully_connected(ImportContext& ctx) {
  const fb::FullyConnectedOptions* o = ctx.op().builtin_options_as_FullyConnectedOptions();
  const auto act = o ? o->fused_activation_function() : fb::ActivationFunctionType::NONE;
  if (o && o->weights_format() != fb::FullyConnectedOptionsWeightsFormat::DEFAULT) {
    return ctx.unsupported("FULLY_CONNECTED weights_format " + std::string(fb::EnumNameFullyConnectedOptionsWeightsFormat(o->weights_format())));
  }
  std::vector<int64_t> wd = ctx.declared_dims(ctx.input_tensor(1));  // [N, K]
  if (wd.size() != 2) return ctx.error(ErrorCode::kParseError, "FULLY_CONNECTED weights must be [units, inputs]");
  const int64_t n = wd[0], k = wd[1];
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  NNC_ASSIGN_OR_RETURN(Value * w, permuted_weight(ctx, 1, {0, 1}));
  std::vector<int64_t> xd = ctx.declared_dims(ctx.input_tensor(0));
  int64_t count = 1;
  for (int64_t d : xd) count *= d;
  if (k <= 0 || (ctx.static_dims(ctx.input_tensor(0)) && count % k != 0)) {
    return ctx.error(ErrorCode::kInvalidArgument, "input " + Shape::of(xd).str() + " does not split into rows of " +
                                                      std::to_string(k) + " (the weights' input size)");
  }
  Value* rows = x;
  if (xd.size() != 2) {
    rows = ctx.add("Reshape", {x, ctx.const_i64({-1, k}, ctx.tmp("rows_shape"))}, ctx.tmp("rows"), {}, DType::kF32,
                   ctx.static_dims(ctx.input_tensor(0)) ? Shape::of({count / k, k}) : Shape());
  }
  std::vector<Value*> ins{rows, w};
  if (ctx.has_input(2)) {
    NNC_ASSIGN_OR_RETURN(Value * b, ctx.input(2));
    ins.push_back(b);
  }
  const bool keep = o && o->keep_num_dims() && xd.size() != 2;
  const std::string gemm_name = (act == fb::ActivationFunctionType::NONE && !keep) ? ctx.out_name(0) : ctx.tmp("gemm");
  Value* y = ctx.add("Gemm", ins, gemm_name, {{"transB", Attribute(int64_t{1})}}, DType::kF32);
  const std::string act_name = keep ? ctx.tmp("act") : ctx.out_name(0);
  NNC_ASSIGN_OR_RETURN(y, ctx.activation(y, act, act_name));
  if (keep) {  // output = input's leading dims + [units], computed at run time (the batch may be dynamic)
    Value* xs = ctx.add("Shape", {x}, ctx.tmp("in_shape"), {}, DType::kI64);
    Value* lead = ctx.add("Slice", {xs, ctx.const_i64({0}, ctx.tmp("zero")), ctx.const_i64({-1}, ctx.tmp("minus_one"))},
                          ctx.tmp("lead_dims"), {}, DType::kI64);
    Value* shape = ctx.add("Concat", {lead, ctx.const_i64({n}, ctx.tmp("units"))}, ctx.tmp("out_shape"),
                           {{"axis", Attribute(int64_t{0})}}, DType::kI64);
    y = ctx.add("Reshape", {y, shape}, ctx.out_name(0));
  }
  return ctx.set_output(0, y);
}

Status pool_2d(ImportContext& ctx, const char* onnx_op) {
  NNC_RETURN_IF_ERROR(require_rank4_input(ctx));
  const fb::Pool2DOptions* o = ctx.op().builtin_options_as_Pool2DOptions();
  if (!o) return ctx.error(ErrorCode::kParseError, "missing Pool2DOptions", "re-export the model");
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  Attrs attrs;
  NNC_RETURN_IF_ERROR(window_attrs(ctx, o->padding(), o->filter_height(), o->filter_width(), o->stride_h(),
                                   o->stride_w(), 1, 1, attrs));
  // TF average pooling divides by the number of real (unpadded) pixels: count_include_pad = 0 (default).
  Value* y = ctx.add(onnx_op, {ctx.transpose(x, kToNchw, ctx.tmp("nchw"))}, ctx.tmp("pool"), attrs, DType::kF32,
                     nchw_of(Shape::of(ctx.declared_dims(ctx.output_tensor(0)))));
  NNC_ASSIGN_OR_RETURN(y, ctx.activation(y, o->fused_activation_function(), ctx.tmp("act")));
  return ctx.set_output(0, ctx.transpose(y, kToNhwc, ctx.out_name(0)));
}
Status average_pool_2d(ImportContext& ctx) { return pool_2d(ctx, "AveragePool"); }
Status max_pool_2d(ImportContext& ctx) { return pool_2d(ctx, "MaxPool"); }

fb::ActivationFunctionType binary_activation(const fb::Operator& op) {
  if (auto* o = op.builtin_options_as_AddOptions()) return o->fused_activation_function();
  if (auto* o = op.builtin_options_as_SubOptions()) return o->fused_activation_function();
  if (auto* o = op.builtin_options_as_MulOptions()) return o->fused_activation_function();
  if (auto* o = op.builtin_options_as_DivOptions()) return o->fused_activation_function();
  return fb::ActivationFunctionType::NONE;
}

Status binary(ImportContext& ctx, const char* onnx_op) {
  NNC_ASSIGN_OR_RETURN(Value * a, ctx.input(0));
  NNC_ASSIGN_OR_RETURN(Value * b, ctx.input(1));
  if (a->dtype() != b->dtype()) {
    return ctx.error(ErrorCode::kInvalidArgument, std::string("operand types differ: ") + dtype_name(a->dtype()) + " and " +
                                                      dtype_name(b->dtype()));
  }
  const auto act = binary_activation(ctx.op());
  const bool has_act = act != fb::ActivationFunctionType::NONE;
  Value* y = ctx.add(onnx_op, {a, b}, has_act ? ctx.tmp("pre_act") : ctx.out_name(0), {}, a->dtype());
  NNC_ASSIGN_OR_RETURN(y, ctx.activation(y, act, ctx.out_name(0)));
  return ctx.set_output(0, y);
}
Status add(ImportContext& ctx) { return binary(ctx, "Add"); }
Status sub(ImportContext& ctx) { return binary(ctx, "Sub"); }
Status mul(ImportContext& ctx) { return binary(ctx, "Mul"); }
Status div(ImportContext& ctx) { return binary(ctx, "Div"); }
Status maximum(ImportContext& ctx) { return binary(ctx, "Max"); }
Status minimum(ImportContext& ctx) { return binary(ctx, "Min"); }
Status pow_op(ImportContext& ctx) { return binary(ctx, "Pow"); }

Status squared_difference(ImportContext& ctx) {
  NNC_ASSIGN_OR_RETURN(Value * a, ctx.input(0));
  NNC_ASSIGN_OR_RETURN(Value * b, ctx.input(1));
  Value* d = ctx.add("Sub", {a, b}, ctx.tmp("diff"));
  return ctx.set_output(0, ctx.add("Mul", {d, d}, ctx.out_name(0)));
}

Status unary(ImportContext& ctx, const char* onnx_op, Attrs attrs = {}) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  return ctx.set_output(0, ctx.add(onnx_op, {x}, ctx.out_name(0), std::move(attrs), x->dtype()));
}
Status logistic(ImportContext& ctx) { return unary(ctx, "Sigmoid"); }
Status tanh_op(ImportContext& ctx) { return unary(ctx, "Tanh"); }
Status relu(ImportContext& ctx) { return unary(ctx, "Relu"); }
Status exp_op(ImportContext& ctx) { return unary(ctx, "Exp"); }
Status log_op(ImportContext& ctx) { return unary(ctx, "Log"); }
Status abs_op(ImportContext& ctx) { return unary(ctx, "Abs"); }
Status neg(ImportContext& ctx) { return unary(ctx, "Neg"); }
Status sqrt_op(ImportContext& ctx) { return unary(ctx, "Sqrt"); }
Status floor_op(ImportContext& ctx) { return unary(ctx, "Floor"); }
Status hard_swish(ImportContext& ctx) { return unary(ctx, "HardSwish"); }
Status elu(ImportContext& ctx) { return unary(ctx, "Elu"); }
Status leaky_relu(ImportContext& ctx) {
  const fb::LeakyReluOptions* o = ctx.op().builtin_options_as_LeakyReluOptions();
  return unary(ctx, "LeakyRelu", {{"alpha", Attribute(static_cast<double>(o ? o->alpha() : 0.0f))}});
}
Status rsqrt(ImportContext& ctx) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  return ctx.set_output(0, ctx.add("Reciprocal", {ctx.add("Sqrt", {x}, ctx.tmp("sqrt"))}, ctx.out_name(0)));
}
Status clip_op(ImportContext& ctx, float lo, float hi) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  return ctx.set_output(0, ctx.add("Clip", {x, ctx.const_f32({lo}, {}, ctx.tmp("min")), ctx.const_f32({hi}, {}, ctx.tmp("max"))},
                                   ctx.out_name(0)));
}
Status relu6(ImportContext& ctx) { return clip_op(ctx, 0.0f, 6.0f); }
Status relu_n1_to_1(ImportContext& ctx) { return clip_op(ctx, -1.0f, 1.0f); }
Status relu_0_to_1(ImportContext& ctx) { return clip_op(ctx, 0.0f, 1.0f); }

Status prelu(ImportContext& ctx) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  NNC_ASSIGN_OR_RETURN(Value * alpha, ctx.input(1));
  return ctx.set_output(0, ctx.add("PRelu", {x, alpha}, ctx.out_name(0)));  // alpha broadcasts over NHWC's last dims
}

Status softmax_family(ImportContext& ctx, const char* onnx_op) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  const fb::SoftmaxOptions* o = ctx.op().builtin_options_as_SoftmaxOptions();
  const float beta = o ? o->beta() : 1.0f;
  if (beta != 1.0f) x = ctx.add("Mul", {x, ctx.const_f32({beta}, {}, ctx.tmp("beta"))}, ctx.tmp("scaled"));
  return ctx.set_output(0, ctx.add(onnx_op, {x}, ctx.out_name(0), {{"axis", Attribute(int64_t{-1})}}));
}
Status softmax(ImportContext& ctx) { return softmax_family(ctx, "Softmax"); }
Status log_softmax(ImportContext& ctx) { return softmax_family(ctx, "LogSoftmax"); }

Status reduce(ImportContext& ctx, const char* onnx_op) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, ctx.constant_ints(1));
  const fb::ReducerOptions* o = ctx.op().builtin_options_as_ReducerOptions();
  const int64_t rank = static_cast<int64_t>(ctx.declared_dims(ctx.input_tensor(0)).size());
  std::vector<int64_t> norm;
  for (int64_t a : axes) {
    const int64_t n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank) return ctx.error(ErrorCode::kInvalidArgument, "axis " + std::to_string(a) + " out of range for rank " + std::to_string(rank));
    if (std::find(norm.begin(), norm.end(), n) == norm.end()) norm.push_back(n);
  }
  std::sort(norm.begin(), norm.end());
  if (norm.empty()) return ctx.set_output(0, x, false);  // no axis: identity
  Attrs attrs{{"keepdims", Attribute(int64_t{o && o->keep_dims() ? 1 : 0})}};
  return ctx.set_output(0, ctx.add(onnx_op, {x, ctx.const_i64(norm, ctx.tmp("axes"))}, ctx.out_name(0), attrs, x->dtype()));
}
Status mean(ImportContext& ctx) { return reduce(ctx, "ReduceMean"); }
Status sum(ImportContext& ctx) { return reduce(ctx, "ReduceSum"); }
Status reduce_max(ImportContext& ctx) { return reduce(ctx, "ReduceMax"); }
Status reduce_min(ImportContext& ctx) { return reduce(ctx, "ReduceMin"); }
Status reduce_prod(ImportContext& ctx) { return reduce(ctx, "ReduceProd"); }

/// QUANTIZE (float -> int, or int -> int requantization) and DEQUANTIZE: in the QDQ form the value
/// itself passes through; the output's QuantizeLinear (or none) comes from its tensor's parameters.
Status quantize(ImportContext& ctx) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  if (!ctx.quant(ctx.output_tensor(0))) return ctx.error(ErrorCode::kParseError, "QUANTIZE output has no quantization parameters", "re-export the model");
  return ctx.set_output(0, x, false);
}
Status dequantize(ImportContext& ctx) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  if (x->dtype() != DType::kF32) {
    return ctx.error(ErrorCode::kParseError, "DEQUANTIZE input '" + ctx.model().tensor_name(ctx.input_tensor(0)) +
                                                 "' has no quantization parameters", "re-export the model");
  }
  return ctx.set_output(0, x, false);
}

Status resize(ImportContext& ctx, bool bilinear) {
  NNC_RETURN_IF_ERROR(require_rank4_input(ctx));
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> size, ctx.constant_ints(1));
  if (size.size() != 2 || size[0] < 1 || size[1] < 1) return ctx.error(ErrorCode::kParseError, "size must be 2 positive ints");
  bool align = false, half = false;
  if (bilinear) {
    if (auto* o = ctx.op().builtin_options_as_ResizeBilinearOptions()) align = o->align_corners(), half = o->half_pixel_centers();
  } else if (auto* o = ctx.op().builtin_options_as_ResizeNearestNeighborOptions()) {
    align = o->align_corners(), half = o->half_pixel_centers();
  }
  std::vector<int64_t> xd = ctx.declared_dims(ctx.input_tensor(0));
  Attrs attrs;
  attrs["mode"] = Attribute(bilinear ? "linear" : "nearest");
  if (bilinear) {
    attrs["coordinate_transformation_mode"] = Attribute(align ? "align_corners" : half ? "half_pixel" : "asymmetric");
  } else {
    // TF nearest: align_corners rounds, half_pixel_centers uses (i + 0.5) / scale floored, else floor(i / scale).
    attrs["coordinate_transformation_mode"] = Attribute(align ? "align_corners" : half ? "tf_half_pixel_for_nn" : "asymmetric");
    attrs["nearest_mode"] = Attribute(align ? "round_prefer_ceil" : "floor");
  }
  Value* sizes = ctx.const_i64({xd[0], xd[3], size[0], size[1]}, ctx.tmp("sizes"));
  Value* empty = ctx.graph().add_constant(ctx.graph().unique_value_name(ctx.tmp("no_scales")), Tensor(DType::kF32, {0}));
  Value* y = ctx.add("Resize", {ctx.transpose(x, kToNchw, ctx.tmp("nchw")), ctx.const_f32({}, {0}, ctx.tmp("roi")), empty, sizes},
                     ctx.tmp("resize"), attrs, DType::kF32, Shape({xd[0], xd[3], size[0], size[1]}));
  return ctx.set_output(0, ctx.transpose(y, kToNhwc, ctx.out_name(0)));
}
Status resize_bilinear(ImportContext& ctx) { return resize(ctx, true); }
Status resize_nearest(ImportContext& ctx) { return resize(ctx, false); }

}  // namespace

std::pair<int64_t, int64_t> tf_same_pads(int64_t in, int64_t k, int64_t stride, int64_t dilation) {
  const int64_t eff = (k - 1) * dilation + 1;
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + eff - in, 0);
  return {total / 2, total - total / 2};
}

Expected<Value*> permuted_weight(ImportContext& ctx, size_t k, const std::vector<int64_t>& perm) {
  const int32_t t = ctx.input_tensor(k);
  if (!ctx.is_constant_input(k)) {
    NNC_ASSIGN_OR_RETURN(Value * v, ctx.input(k));
    bool identity = true;
    for (size_t i = 0; i < perm.size(); ++i) identity = identity && perm[i] == static_cast<int64_t>(i);
    return identity ? v : ctx.transpose(v, perm, ctx.tmp("weights"));
  }
  NNC_ASSIGN_OR_RETURN(Tensor c, ctx.constant_input(k));
  if (c.rank() != static_cast<int64_t>(perm.size())) {
    return ctx.error(ErrorCode::kParseError, "weights '" + ctx.model().tensor_name(t) + "' have rank " + std::to_string(c.rank()) +
                                                 ", expected " + std::to_string(perm.size()));
  }
  const std::vector<int64_t>& in = c.shape();
  std::vector<int64_t> out_dims;
  for (int64_t p : perm) out_dims.push_back(in[static_cast<size_t>(p)]);
  Tensor out(c.dtype(), out_dims);
  const size_t es = static_cast<size_t>(dtype_bits(c.dtype()) / 8);
  const size_t rank = perm.size();
  std::vector<int64_t> in_strides(rank, 1);
  for (size_t i = rank; i-- > 1;) in_strides[i - 1] = in_strides[i] * in[i];
  std::vector<int64_t> idx(rank, 0);
  const std::byte* src = c.raw_data();
  std::byte* dst = out.mutable_raw_data();
  const int64_t count = out.element_count();
  for (int64_t o = 0; o < count; ++o) {
    int64_t off = 0;
    for (size_t i = 0; i < rank; ++i) off += idx[i] * in_strides[static_cast<size_t>(perm[i])];
    std::memcpy(dst + static_cast<size_t>(o) * es, src + static_cast<size_t>(off) * es, es);
    for (size_t i = rank; i-- > 0;) {
      if (++idx[i] < out_dims[i]) break;
      idx[i] = 0;
    }
  }
  const std::string name = ctx.model().tensor_name(t);
  std::optional<QuantInfo> q = ctx.quant(t);
  if (!q) {
    if (c.dtype() != DType::kF32) {
      return ctx.error(ErrorCode::kUnsupported, "weights '" + name + "' are " + dtype_name(c.dtype()) + " without quantization parameters",
                       "convert the model with float32 or quantized weights");
    }
    return ctx.graph().add_constant(ctx.graph().unique_value_name(name), std::move(out));
  }
  if (q->per_axis()) {
    const auto it = std::find(perm.begin(), perm.end(), static_cast<int64_t>(q->axis));
    q->axis = static_cast<int32_t>(it - perm.begin());
  }
  Value* stored = ctx.graph().add_constant(ctx.graph().unique_value_name(name), std::move(out));
  std::vector<float> scales = q->scales;
  std::vector<int64_t> sdims;
  if (q->per_axis()) sdims = {static_cast<int64_t>(scales.size())};
  Tensor zp(c.dtype(), sdims);
  for (size_t i = 0; i < q->zero_points.size(); ++i) {
    const int64_t z = q->zero_points[i];
    switch (c.dtype()) {
      case DType::kI8: zp.mutable_data<int8_t>()[i] = static_cast<int8_t>(z); break;
      case DType::kU8: zp.mutable_data<uint8_t>()[i] = static_cast<uint8_t>(z); break;
      case DType::kI16: zp.mutable_data<int16_t>()[i] = static_cast<int16_t>(z); break;
      case DType::kI32: zp.mutable_data<int32_t>()[i] = static_cast<int32_t>(z); break;
      default: return ctx.error(ErrorCode::kUnsupported, "weights '" + name + "' of quantized type " + dtype_name(c.dtype()));
    }
  }
  std::vector<Value*> ins{stored, ctx.graph().add_constant(ctx.graph().unique_value_name(name + "/scale"), Tensor::from_vector<float>(scales, sdims)),
                          ctx.graph().add_constant(ctx.graph().unique_value_name(name + "/zero_point"), std::move(zp))};
  Attrs attrs;
  if (q->per_axis()) attrs["axis"] = Attribute(int64_t{q->axis});
  return ctx.add("DequantizeLinear", ins, name + "/dq", attrs, DType::kF32, Shape::of(out_dims));
}

void add_nn_translators(std::map<fb::BuiltinOperator, OpTranslator>& t) {
  t[BO::CONV_2D] = conv_2d;
  t[BO::DEPTHWISE_CONV_2D] = depthwise_conv_2d;
  t[BO::TRANSPOSE_CONV] = transpose_conv;
  t[BO::FULLY_CONNECTED] = fully_connected;
  t[BO::AVERAGE_POOL_2D] = average_pool_2d;
  t[BO::MAX_POOL_2D] = max_pool_2d;
  t[BO::ADD] = add;
  t[BO::SUB] = sub;
  t[BO::MUL] = mul;
  t[BO::DIV] = div;
  t[BO::MAXIMUM] = maximum;
  t[BO::MINIMUM] = minimum;
  t[BO::POW] = pow_op;
  t[BO::SQUARED_DIFFERENCE] = squared_difference;
  t[BO::LOGISTIC] = logistic;
  t[BO::TANH] = tanh_op;
  t[BO::RELU] = relu;
  t[BO::RELU6] = relu6;
  t[BO::RELU_N1_TO_1] = relu_n1_to_1;
  t[BO::RELU_0_TO_1] = relu_0_to_1;
  t[BO::LEAKY_RELU] = leaky_relu;
  t[BO::PRELU] = prelu;
  t[BO::HARD_SWISH] = hard_swish;
  t[BO::ELU] = elu;
  t[BO::EXP] = exp_op;
  t[BO::LOG] = log_op;
  t[BO::ABS] = abs_op;
  t[BO::NEG] = neg;
  t[BO::SQRT] = sqrt_op;
  t[BO::RSQRT] = rsqrt;
  t[BO::FLOOR] = floor_op;
  t[BO::SOFTMAX] = softmax;
  t[BO::LOG_SOFTMAX] = log_softmax;
  t[BO::MEAN] = mean;
  t[BO::SUM] = sum;
  t[BO::REDUCE_MAX] = reduce_max;
  t[BO::REDUCE_MIN] = reduce_min;
  t[BO::REDUCE_PROD] = reduce_prod;
  t[BO::QUANTIZE] = quantize;
  t[BO::DEQUANTIZE] = dequantize;
  t[BO::RESIZE_BILINEAR] = resize_bilinear;
  t[BO::RESIZE_NEAREST_NEIGHBOR] = resize_nearest;
}

}  // namespace nnc::tflite_frontend
