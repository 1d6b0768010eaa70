// nnc frontend_tflite: translators of shape and data-movement ops (reshape, transpose, concat, pad, slices, pack, space/batch).
#include <climits>

#include "tflite_ops.h"

namespace nnc::tflite_frontend {
namespace {

using BO = fb::BuiltinOperator;
using Attrs = std::map<std::string, Attribute>;

Expected<int64_t> norm_axis(ImportContext& ctx, int64_t axis, int64_t rank) {
  const int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    return ctx.error(ErrorCode::kInvalidArgument, "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  }
  return a;
}

Status reshape(ImportContext& ctx) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  Value* shape = nullptr;
  if (ctx.has_input(1) && !ctx.is_constant_input(1)) {
    // Shape computed at run time (SHAPE/STRIDED_SLICE/PACK chains): cast to the int64 ONNX wants.
    NNC_ASSIGN_OR_RETURN(Value * s, ctx.input(1));
    shape = s->dtype() == DType::kI64 ? s : ctx.add("Cast", {s}, ctx.tmp("shape_i64"), {{"to", Attribute(int64_t{7})}}, DType::kI64);
  } else {
    std::vector<int64_t> dims;
    if (ctx.has_input(1)) {
      NNC_ASSIGN_OR_RETURN(dims, ctx.constant_ints(1));
    } else if (auto* o = ctx.op().builtin_options_as_ReshapeOptions(); o && o->new_shape()) {
      dims.assign(o->new_shape()->begin(), o->new_shape()->end());
    } else {
      dims = ctx.declared_dims(ctx.output_tensor(0));
    }
    shape = ctx.const_i64(dims, ctx.tmp("shape"));
  }
  // TFLite has no "0 = copy this dim" rule: allowzero keeps a literal 0 a 0.
  return ctx.set_output(0, ctx.add("Reshape", {x, shape}, ctx.out_name(0), {{"allowzero", Attribute(int64_t{1})}}, x->dtype()));
}

Status squeeze(ImportContext& ctx) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  const fb::SqueezeOptions* o = ctx.op().builtin_options_as_SqueezeOptions();
  if (o && o->squeeze_dims() && o->squeeze_dims()->size() > 0) {
    const int64_t rank = static_cast<int64_t>(ctx.declared_dims(ctx.input_tensor(0)).size());
    std::vector<int64_t> axes;
    for (int32_t d : *o->squeeze_dims()) {
      NNC_ASSIGN_OR_RETURN(int64_t a, norm_axis(ctx, d, rank));
      axes.push_back(a);
    }
    return ctx.set_output(0, ctx.add("Squeeze", {x, ctx.const_i64(axes, ctx.tmp("axes"))}, ctx.out_name(0), {}, x->dtype()));
  }
  // No squeeze_dims: every size-1 dim goes; the declared output shape says which.
  std::vector<int64_t> out = ctx.declared_dims(ctx.output_tensor(0));
  return ctx.set_output(0, ctx.add("Reshape", {x, ctx.const_i64(out, ctx.tmp("shape"))}, ctx.out_name(0), {}, x->dtype()));
}

Status expand_dims(ImportContext& ctx) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> axis, ctx.constant_ints(1));
  if (axis.size() != 1) return ctx.error(ErrorCode::kInvalidArgument, "EXPAND_DIMS takes one axis");
  const int64_t rank = static_cast<int64_t>(ctx.declared_dims(ctx.input_tensor(0)).size()) + 1;
  NNC_ASSIGN_OR_RETURN(int64_t a, norm_axis(ctx, axis[0], rank));
  return ctx.set_output(0, ctx.add("Unsqueeze", {x, ctx.const_i64({a}, ctx.tmp("axes"))}, ctx.out_name(0), {}, x->dtype()));
}

Status transpose(ImportContext& ctx) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> perm, ctx.constant_ints(1));
  const size_t rank = ctx.declared_dims(ctx.input_tensor(0)).size();
  std::vector<bool> seen(rank, false);
  if (perm.size() != rank) return ctx.error(ErrorCode::kInvalidArgument, "perm has " + std::to_string(perm.size()) + " entries for rank " + std::to_string(rank));
  for (int64_t& p : perm) {
    if (p < 0) p += static_cast<int64_t>(rank);
    if (p < 0 || p >= static_cast<int64_t>(rank) || seen[static_cast<size_t>(p)]) return ctx.error(ErrorCode::kInvalidArgument, "perm is not a permutation");
    seen[static_cast<size_t>(p)] = true;
  }
  return ctx.set_output(0, ctx.transpose(x, perm, ctx.out_name(0)));
}

Status concatenation(ImportContext& ctx) {
  const fb::ConcatenationOptions* o = ctx.op().builtin_options_as_ConcatenationOptions();
  const int64_t rank = static_cast<int64_t>(ctx.declared_dims(ctx.output_tensor(0)).size());
  NNC_ASSIGN_OR_RETURN(int64_t axis, norm_axis(ctx, o ? o->axis() : 0, rank));
  std::vector<Value*> ins;
  for (size_t k = 0; k < ctx.input_count(); ++k) {
    NNC_ASSIGN_OR_RETURN(Value * v, ctx.input(k));
    ins.push_back(v);
  }
  if (ins.empty()) return ctx.error(ErrorCode::kParseError, "CONCATENATION without inputs");
  const auto act = o ? o->fused_activation_function() : fb::ActivationFunctionType::NONE;
  const bool has_act = act != fb::ActivationFunctionType::NONE;
  Value* y = ctx.add("Concat", ins, has_act ? ctx.tmp("concat") : ctx.out_name(0), {{"axis", Attribute(axis)}}, ins[0]->dtype());
  NNC_ASSIGN_OR_RETURN(y, ctx.activation(y, act, ctx.out_name(0)));
  return ctx.set_output(0, y);
}

Status pad(ImportContext& ctx, bool mirror) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> p, ctx.constant_ints(1));
  const size_t rank = ctx.declared_dims(ctx.input_tensor(0)).size();
  if (p.size() != 2 * rank) return ctx.error(ErrorCode::kInvalidArgument, "paddings must be [" + std::to_string(rank) + ", 2]");
  std::vector<int64_t> pads(2 * rank);
  for (size_t i = 0; i < rank; ++i) {
    if (p[2 * i] < 0 || p[2 * i + 1] < 0) return ctx.unsupported("negative padding");
    pads[i] = p[2 * i];
    pads[rank + i] = p[2 * i + 1];
  }
  std::vector<Value*> ins{x, ctx.const_i64(pads, ctx.tmp("pads"))};
  Attrs attrs;
  if (mirror) {
    auto* o = ctx.op().builtin_options_as_MirrorPadOptions();
    if (o && o->mode() == fb::MirrorPadMode::SYMMETRIC) return ctx.unsupported("MIRROR_PAD mode SYMMETRIC");
    attrs["mode"] = Attribute("reflect");
  } else if (ctx.has_input(2)) {  // PADV2 constant value (dequantized when quantized)
    NNC_ASSIGN_OR_RETURN(Value * cv, ctx.input(2));
    ins.push_back(cv);
  }
  // A quantized PAD pads with the zero point, i.e. 0.0 after dequantization: the float Pad's default.
  return ctx.set_output(0, ctx.add("Pad", ins, ctx.out_name(0), attrs, x->dtype()));
}
Status pad_op(ImportContext& ctx) { return pad(ctx, false); }
Status mirror_pad(ImportContext& ctx) { return pad(ctx, true); }

Status strided_slice(ImportContext& ctx) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> begin, ctx.constant_ints(1));
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> end, ctx.constant_ints(2));
  std::vector<int64_t> strides(begin.size(), 1);
  if (ctx.has_input(3)) {
    NNC_ASSIGN_OR_RETURN(strides, ctx.constant_ints(3));
  }
  const fb::StridedSliceOptions* o = ctx.op().builtin_options_as_StridedSliceOptions();
  const int32_t bm = o ? o->begin_mask() : 0, em = o ? o->end_mask() : 0, sm = o ? o->shrink_axis_mask() : 0;
  if (o && o->ellipsis_mask() != 0) return ctx.unsupported("STRIDED_SLICE ellipsis_mask");
  if (o && o->new_axis_mask() != 0) return ctx.unsupported("STRIDED_SLICE new_axis_mask");
  if (o && o->offset()) return ctx.unsupported("STRIDED_SLICE offset=true");
  const size_t n = begin.size();
  if (end.size() != n || strides.size() != n) return ctx.error(ErrorCode::kInvalidArgument, "begin, end and strides differ in length");
  std::vector<int64_t> starts, ends, axes, steps, squeeze_axes;
  for (size_t i = 0; i < n; ++i) {
    const int64_t s = strides[i];
    if (s == 0) return ctx.error(ErrorCode::kInvalidArgument, "stride 0 on axis " + std::to_string(i));
    int64_t b = begin[i], e = end[i];
    if (sm & (1 << i)) {
      // Shrink: exactly element `begin` (masks ignored for begin), then the axis is removed.
      e = b == -1 ? INT64_MAX : b + 1;
      squeeze_axes.push_back(static_cast<int64_t>(i));
      starts.push_back(b), ends.push_back(e), axes.push_back(static_cast<int64_t>(i)), steps.push_back(1);
      continue;
    }
    if (bm & (1 << i)) b = s > 0 ? 0 : INT64_MAX;
    if (em & (1 << i)) e = s > 0 ? INT64_MAX : INT64_MIN;
    starts.push_back(b), ends.push_back(e), axes.push_back(static_cast<int64_t>(i)), steps.push_back(s);
  }
  const bool shrink = !squeeze_axes.empty();
  Value* y = ctx.add("Slice", {x, ctx.const_i64(starts, ctx.tmp("starts")), ctx.const_i64(ends, ctx.tmp("ends")),
                               ctx.const_i64(axes, ctx.tmp("axes")), ctx.const_i64(steps, ctx.tmp("steps"))},
                     shrink ? ctx.tmp("slice") : ctx.out_name(0), {}, x->dtype());
  if (shrink) y = ctx.add("Squeeze", {y, ctx.const_i64(squeeze_axes, ctx.tmp("squeeze_axes"))}, ctx.out_name(0), {}, x->dtype());
  return ctx.set_output(0, y);
}

Status slice(ImportContext& ctx) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> begin, ctx.constant_ints(1));
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> size, ctx.constant_ints(2));
  if (size.size() != begin.size()) return ctx.error(ErrorCode::kInvalidArgument, "begin and size differ in length");
  std::vector<int64_t> ends, axes;
  for (size_t i = 0; i < begin.size(); ++i) {
    ends.push_back(size[i] == -1 ? INT64_MAX : begin[i] + size[i]);
    axes.push_back(static_cast<int64_t>(i));
  }
  return ctx.set_output(0, ctx.add("Slice", {x, ctx.const_i64(begin, ctx.tmp("starts")), ctx.const_i64(ends, ctx.tmp("ends")),
                                             ctx.const_i64(axes, ctx.tmp("axes"))}, ctx.out_name(0), {}, x->dtype()));
}

Status shape_op(ImportContext& ctx) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  Value* s = ctx.add("Shape", {x}, ctx.tmp("shape_i64"), {}, DType::kI64);
  const fb::TensorType out = ctx.tensor(ctx.output_tensor(0)).type();
  if (out == fb::TensorType::INT64) return ctx.set_output(0, s, false);
  if (out != fb::TensorType::INT32) return ctx.unsupported("SHAPE output type " + std::string(fb::EnumNameTensorType(out)));
  return ctx.set_output(0, ctx.add("Cast", {s}, ctx.out_name(0), {{"to", Attribute(int64_t{6})}}, DType::kI32));
}

Status pack(ImportContext& ctx) {
  const fb::PackOptions* o = ctx.op().builtin_options_as_PackOptions();
  const int64_t rank = static_cast<int64_t>(ctx.declared_dims(ctx.output_tensor(0)).size());
  NNC_ASSIGN_OR_RETURN(int64_t axis, norm_axis(ctx, o ? o->axis() : 0, rank));
  std::vector<Value*> ins;
  for (size_t k = 0; k < ctx.input_count(); ++k) {
    NNC_ASSIGN_OR_RETURN(Value * v, ctx.input(k));
    ins.push_back(ctx.add("Unsqueeze", {v, ctx.const_i64({axis}, ctx.tmp("axes"))}, ctx.tmp("item"), {}, v->dtype()));
  }
  if (ins.empty()) return ctx.error(ErrorCode::kParseError, "PACK without inputs");
  return ctx.set_output(0, ctx.add("Concat", ins, ctx.out_name(0), {{"axis", Attribute(axis)}}, ins[0]->dtype()));
}

Status unpack(ImportContext& ctx) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  const fb::UnpackOptions* o = ctx.op().builtin_options_as_UnpackOptions();
  std::vector<int64_t> xd = ctx.declared_dims(ctx.input_tensor(0));
  NNC_ASSIGN_OR_RETURN(int64_t axis, norm_axis(ctx, o ? o->axis() : 0, static_cast<int64_t>(xd.size())));
  const int64_t n = xd[static_cast<size_t>(axis)];
  const size_t outs = ctx.op().outputs() ? ctx.op().outputs()->size() : 0;
  if (static_cast<int64_t>(outs) != n) return ctx.error(ErrorCode::kInvalidArgument, "UNPACK has " + std::to_string(outs) + " outputs for a dim of " + std::to_string(n));
  for (int64_t i = 0; i < n; ++i) {
    Value* s = ctx.add("Slice", {x, ctx.const_i64({i}, ctx.tmp("start")), ctx.const_i64({i + 1}, ctx.tmp("end")),
                                 ctx.const_i64({axis}, ctx.tmp("axes"))}, ctx.tmp("part"), {}, x->dtype());
    NNC_RETURN_IF_ERROR(ctx.set_output(static_cast<size_t>(i), ctx.add("Squeeze", {s, ctx.const_i64({axis}, ctx.tmp("axes"))},
                                                                       ctx.out_name(static_cast<size_t>(i)), {}, x->dtype())));
  }
  return Status::ok();
}

/// SPACE_TO_BATCH_ND (NHWC, 2 block dims), exactly: Pad, split H and W by the block, move the block to the batch.
Status space_to_batch_nd(ImportContext& ctx) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> block, ctx.constant_ints(1));
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> p, ctx.constant_ints(2));
  // H, W and C come from the declared shape; the batch may be dynamic (Reshape -1).
  std::optional<std::vector<int64_t>> xd = ctx.declared_dims(ctx.input_tensor(0));
  if (xd->size() != 4 || block.size() != 2 || p.size() != 4) {
    return ctx.unsupported("SPACE_TO_BATCH_ND other than an NHWC input with 2 block dims");
  }
  const int64_t n = -1, h = (*xd)[1] + p[0] + p[1], w = (*xd)[2] + p[2] + p[3], c = (*xd)[3];
  const int64_t bh = block[0], bw = block[1];
  if (bh < 1 || bw < 1 || h % bh || w % bw) return ctx.error(ErrorCode::kInvalidArgument, "padded spatial dims are not divisible by the block");
  Value* padded = ctx.add("Pad", {x, ctx.const_i64({0, p[0], p[2], 0, 0, p[1], p[3], 0}, ctx.tmp("pads"))}, ctx.tmp("padded"),
                          {}, x->dtype());
  Value* r = ctx.add("Reshape", {padded, ctx.const_i64({n, h / bh, bh, w / bw, bw, c}, ctx.tmp("split_shape"))}, ctx.tmp("split"), {}, x->dtype());
  Value* t = ctx.transpose(r, {2, 4, 0, 1, 3, 5}, ctx.tmp("to_batch"));
  return ctx.set_output(0, ctx.add("Reshape", {t, ctx.const_i64({-1, h / bh, w / bw, c}, ctx.tmp("shape"))}, ctx.out_name(0)));
}

/// BATCH_TO_SPACE_ND, the inverse: block out of the batch into H and W, then crop.
Status batch_to_space_nd(ImportContext& ctx) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> block, ctx.constant_ints(1));
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> cr, ctx.constant_ints(2));
  std::optional<std::vector<int64_t>> xd = ctx.declared_dims(ctx.input_tensor(0));
  if (xd->size() != 4 || block.size() != 2 || cr.size() != 4) {
    return ctx.unsupported("BATCH_TO_SPACE_ND other than an NHWC input with 2 block dims");
  }
  const int64_t bh = block[0], bw = block[1];
  const int64_t b = (*xd)[0], h = (*xd)[1], w = (*xd)[2], c = (*xd)[3];
  if (bh < 1 || bw < 1 || (ctx.static_dims(ctx.input_tensor(0)) && b % (bh * bw))) {
    return ctx.error(ErrorCode::kInvalidArgument, "batch is not divisible by the block");
  }
  const int64_t n = -1;  // the batch may be dynamic
  Value* r = ctx.add("Reshape", {x, ctx.const_i64({bh, bw, n, h, w, c}, ctx.tmp("split_shape"))}, ctx.tmp("split"), {}, x->dtype());
  Value* t = ctx.transpose(r, {2, 3, 0, 4, 1, 5}, ctx.tmp("to_space"));
  Value* m = ctx.add("Reshape", {t, ctx.const_i64({n, h * bh, w * bw, c}, ctx.tmp("merged_shape"))}, ctx.tmp("merged"), {}, x->dtype());
  return ctx.set_output(0, ctx.add("Slice", {m, ctx.const_i64({cr[0], cr[2]}, ctx.tmp("starts")),
                                             ctx.const_i64({h * bh - cr[1], w * bw - cr[3]}, ctx.tmp("ends")),
                                             ctx.const_i64({1, 2}, ctx.tmp("axes"))}, ctx.out_name(0)));
}

Status gather(ImportContext& ctx) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  NNC_ASSIGN_OR_RETURN(Value * idx, ctx.input(1));
  const fb::GatherOptions* o = ctx.op().builtin_options_as_GatherOptions();
  if (o && o->batch_dims() != 0) return ctx.unsupported("GATHER batch_dims");
  const int64_t rank = static_cast<int64_t>(ctx.declared_dims(ctx.input_tensor(0)).size());
  NNC_ASSIGN_OR_RETURN(int64_t axis, norm_axis(ctx, o ? o->axis() : 0, rank));
  return ctx.set_output(0, ctx.add("Gather", {x, idx}, ctx.out_name(0), {{"axis", Attribute(axis)}}, x->dtype()));
}

Status split(ImportContext& ctx, bool with_sizes) {
  // SPLIT: (axis, input); SPLIT_V: (input, size_splits, axis).
  const size_t in_k = with_sizes ? 0 : 1, axis_k = with_sizes ? 2 : 0;
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(in_k));
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> axis_v, ctx.constant_ints(axis_k));
  if (axis_v.size() != 1) return ctx.error(ErrorCode::kInvalidArgument, "axis must be one value");
  std::vector<int64_t> xd = ctx.declared_dims(ctx.input_tensor(in_k));
  NNC_ASSIGN_OR_RETURN(int64_t axis, norm_axis(ctx, axis_v[0], static_cast<int64_t>(xd.size())));
  const size_t outs = ctx.op().outputs() ? ctx.op().outputs()->size() : 0;
  std::vector<int64_t> sizes;
  for (size_t i = 0; i < outs; ++i) {
    std::vector<int64_t> od = ctx.declared_dims(ctx.output_tensor(i));
    if (od.size() != xd.size()) return ctx.error(ErrorCode::kInvalidArgument, "output rank differs from the input's");
    sizes.push_back(od[static_cast<size_t>(axis)]);
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < outs; ++i) names.push_back(ctx.graph().unique_value_name(ctx.out_name(i)));
  Node* n = ctx.graph().add_node("Split", {x, ctx.const_i64(sizes, ctx.tmp("split"))}, names, ctx.graph().unique_node_name(ctx.tmp("split")));
  n->set_attribute("axis", Attribute(axis));
  for (size_t i = 0; i < outs; ++i) {
    n->output(i)->set_dtype(x->dtype());
    NNC_RETURN_IF_ERROR(ctx.set_output(i, n->output(i)));
  }
  return Status::ok();
}
Status split_op(ImportContext& ctx) { return split(ctx, false); }
Status split_v(ImportContext& ctx) { return split(ctx, true); }

Status depth_space(ImportContext& ctx, bool to_depth) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  int64_t bs = 0;
  if (to_depth) {
    if (auto* o = ctx.op().builtin_options_as_SpaceToDepthOptions()) bs = o->block_size();
  } else if (auto* o = ctx.op().builtin_options_as_DepthToSpaceOptions()) {
    bs = o->block_size();
  }
  if (bs < 1) return ctx.error(ErrorCode::kParseError, "block_size must be >= 1");
  Attrs attrs{{"blocksize", Attribute(bs)}};
  if (!to_depth) attrs["mode"] = Attribute("DCR");  // TF depth_to_space orders depth as (block_h, block_w, C): DCR
  Value* y = ctx.add(to_depth ? "SpaceToDepth" : "DepthToSpace", {ctx.transpose(x, kToNchw, ctx.tmp("nchw"))}, ctx.tmp("moved"),
                     attrs, x->dtype());
  return ctx.set_output(0, ctx.transpose(y, kToNhwc, ctx.out_name(0)));
}
Status space_to_depth(ImportContext& ctx) { return depth_space(ctx, true); }
Status depth_to_space(ImportContext& ctx) { return depth_space(ctx, false); }

Status cast(ImportContext& ctx) {
  NNC_ASSIGN_OR_RETURN(Value * x, ctx.input(0));
  std::optional<DType> to = dtype_of_tflite(ctx.tensor(ctx.output_tensor(0)).type());
  if (!to) return ctx.unsupported("CAST to " + std::string(fb::EnumNameTensorType(ctx.tensor(ctx.output_tensor(0)).type())));
  int64_t onnx_to = 0;
  switch (*to) {
    case DType::kF32: onnx_to = 1; break;
    case DType::kU8: onnx_to = 2; break;
    case DType::kI8: onnx_to = 3; break;
    case DType::kI16: onnx_to = 5; break;
    case DType::kI32: onnx_to = 6; break;
    case DType::kI64: onnx_to = 7; break;
    case DType::kBool: onnx_to = 9; break;
    default: return ctx.unsupported(std::string("CAST to ") + dtype_name(*to));
  }
  return ctx.set_output(0, ctx.add("Cast", {x}, ctx.out_name(0), {{"to", Attribute(onnx_to)}}, *to));
}

}  // namespace

void add_shape_translators(std::map<fb::BuiltinOperator, OpTranslator>& t) {
  t[BO::RESHAPE] = reshape;
  t[BO::SQUEEZE] = squeeze;
  t[BO::EXPAND_DIMS] = expand_dims;
  t[BO::TRANSPOSE] = transpose;
  t[BO::CONCATENATION] = concatenation;
  t[BO::PAD] = pad_op;
  t[BO::PADV2] = pad_op;
  t[BO::MIRROR_PAD] = mirror_pad;
  t[BO::STRIDED_SLICE] = strided_slice;
  t[BO::SLICE] = slice;
  t[BO::SHAPE] = shape_op;
  t[BO::PACK] = pack;
  t[BO::UNPACK] = unpack;
  t[BO::SPACE_TO_BATCH_ND] = space_to_batch_nd;
  t[BO::BATCH_TO_SPACE_ND] = batch_to_space_nd;
  t[BO::GATHER] = gather;
  t[BO::SPLIT] = split_op;
  t[BO::SPLIT_V] = split_v;
  t[BO::SPACE_TO_DEPTH] = space_to_depth;
  t[BO::DEPTH_TO_SPACE] = depth_to_space;
  t[BO::CAST] = cast;
}

}  // namespace nnc::tflite_frontend
