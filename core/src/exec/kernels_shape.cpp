// nnc core: the shape-group op table, plus shape-only kernels (Reshape, Squeeze, Shape, constants, Range, NonZero).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "exec/kernels_data.h"
#include "exec/kernels_shape_common.h"

namespace nnc::exec {
namespace shape_ops {
namespace {

/// Output i becomes `t` (typically a view sharing the input's bytes).
Status set_output(KernelArgs& args, size_t i, Tensor t) {
  if (i >= args.outputs.size()) return args.error("the node has no output " + std::to_string(i));
  args.outputs[i] = std::move(t);
  return Status::ok();
}

Status set_reshaped_output(KernelArgs& args, const Tensor& data, std::vector<int64_t> shape) {
  if (product(shape) != data.element_count())
    return args.error("cannot reshape " + data.description() + " (" + std::to_string(data.element_count()) +
                      " elements) to " + dims_text(shape) + " (" + std::to_string(product(shape)) + " elements)");
  NNC_ASSIGN_OR_RETURN(Tensor view, data.reshaped(std::move(shape)));
  return set_output(args, 0, std::move(view));
}

/// Applies ONNX Reshape rules: 0 copies the input dim (unless allow_zero), one -1 is inferred.
Expected<std::vector<int64_t>> resolve_reshape(const std::vector<int64_t>& in, const std::vector<int64_t>& requested,
                                               bool allow_zero, const KernelArgs& args) {
  std::vector<int64_t> out(requested.size());
  int64_t inferred = -1;
  int64_t known = 1;
  auto fail = [&](const std::string& why) {
    return args.error("cannot reshape " + dims_text(in) + " to " + dims_text(requested) + ": " + why);
  };
  for (size_t i = 0; i < requested.size(); ++i) {
    int64_t v = requested[i];
    if (v == 0 && !allow_zero) {
      if (i >= in.size()) return fail("0 at position " + std::to_string(i) + " has no input dim to copy");
      v = in[i];
    } else if (v == -1) {
      if (inferred >= 0) return fail("more than one -1");
      inferred = static_cast<int64_t>(i);
      continue;
    } else if (v < 0) {
      return fail("invalid dim " + std::to_string(v));
    }
    out[i] = v;
    known *= v;
  }
  int64_t total = product(in);
  if (inferred >= 0) {
    if (known == 0) return fail("the -1 dim cannot be inferred next to a 0 dim");
    if (total % known != 0)
      return fail(std::to_string(total) + " elements do not divide into " + std::to_string(known));
    out[static_cast<size_t>(inferred)] = total / known;
  } else if (known != total) {
    return fail("element counts differ (" + std::to_string(total) + " vs " + std::to_string(known) + ")");
  }
  return out;
}

/// Normalises axes against `rank`; error on out-of-range or repeated axes.
Expected<std::vector<int64_t>> normalized_unique_axes(std::vector<int64_t> axes, int64_t rank, const KernelArgs& args) {
  for (int64_t& a : axes) {
    NNC_ASSIGN_OR_RETURN(a, normalize_axis(a, rank, args));
    if (a >= rank) return args.error("axis " + std::to_string(a) + " is out of range for rank " + std::to_string(rank));
  }
  std::vector<int64_t> sorted = axes;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
    return args.error("axes " + dims_text(axes) + " repeat an axis");
  return axes;
}

/// Fills every element of `out` with the single element at `value` (element size `elem`).
void fill_with_element(Tensor& out, const std::byte* value, size_t elem) {
  std::byte* dst = out.mutable_raw_data();
  for (int64_t i = 0; i < out.element_count(); ++i) std::memcpy(dst + static_cast<size_t>(i) * elem, value, elem);
}

}  // namespace

Status reshape(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "data"));
  NNC_ASSIGN_OR_RETURN(auto requested, ints_from_input_or_attr(args, 1, "shape"));
  if (!requested) return args.error("Reshape needs a shape (input 1, or attribute 'shape' before opset 5)");
  bool allow_zero = attr_int(args.node, "allowzero", 0) != 0;
  NNC_ASSIGN_OR_RETURN(auto shape, resolve_reshape(data->shape(), *requested, allow_zero, args));
  return set_reshaped_output(args, *data, std::move(shape));
}

Status flatten(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "input"));
  int64_t rank = data->rank();
  int64_t axis = attr_int(args.node, "axis", 1);
  if (axis < -rank || axis > rank)
    return args.error("axis " + std::to_string(axis) + " is out of range [" + std::to_string(-rank) + ", " +
                      std::to_string(rank) + "] for " + data->description());
  if (axis < 0) axis += rank;
  const auto& d = data->shape();
  int64_t outer = product(std::vector<int64_t>(d.begin(), d.begin() + axis));
  int64_t inner = product(std::vector<int64_t>(d.begin() + axis, d.end()));
  return set_reshaped_output(args, *data, {outer, inner});
}

Status squeeze(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "data"));
  NNC_ASSIGN_OR_RETURN(auto axes, ints_from_input_or_attr(args, 1, "axes"));
  const auto& in = data->shape();
  std::vector<bool> drop(in.size(), false);
  if (!axes || axes->empty()) {
    for (size_t i = 0; i < in.size(); ++i) drop[i] = in[i] == 1;
  } else {
    NNC_ASSIGN_OR_RETURN(auto normalized, normalized_unique_axes(*axes, data->rank(), args));
    for (int64_t a : normalized) {
      if (in[a] != 1)
        return args.error("cannot squeeze axis " + std::to_string(a) + " of " + data->description() +
                          ": its size is " + std::to_string(in[a]) + ", not 1");
      drop[a] = true;
    }
  }
  std::vector<int64_t> out;
  for (size_t i = 0; i < in.size(); ++i)
    if (!drop[i]) out.push_back(in[i]);
  return set_reshaped_output(args, *data, std::move(out));
}

Status unsqueeze(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "data"));
  NNC_ASSIGN_OR_RETURN(auto axes, ints_from_input_or_attr(args, 1, "axes"));
  if (!axes) return args.error("Unsqueeze needs axes (attribute before opset 13, input 1 from opset 13)");
  int64_t out_rank = data->rank() + static_cast<int64_t>(axes->size());
  NNC_ASSIGN_OR_RETURN(auto normalized, normalized_unique_axes(*axes, out_rank, args));
  std::vector<int64_t> out(static_cast<size_t>(out_rank), 0);
  std::vector<bool> inserted(out.size(), false);
  for (int64_t a : normalized) inserted[a] = true;
  size_t next_in = 0;
  for (size_t i = 0; i < out.size(); ++i) out[i] = inserted[i] ? 1 : data->shape()[next_in++];
  return set_reshaped_output(args, *data, std::move(out));
}

Status shape_of(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "data"));
  int64_t rank = data->rank();
  auto clamp_index = [rank](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
  int64_t start = clamp_index(attr_int(args.node, "start", 0));
  int64_t end = clamp_index(attr_int(args.node, "end", rank));
  std::vector<int64_t> dims;
  for (int64_t i = start; i < end; ++i) dims.push_back(data->shape()[i]);
  return set_output(args, 0, Tensor::from_vector<int64_t>(dims, {static_cast<int64_t>(dims.size())}));
}

Status size_of(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "data"));
  return set_output(args, 0, Tensor::scalar<int64_t>(data->element_count()));
}

Status constant(KernelArgs& args) {
  const Node& n = args.node;
  if (const Attribute* a = n.attribute("value"); a && a->holds<Tensor>()) return set_output(args, 0, a->get<Tensor>());
  if (n.has_attribute("value_float"))
    return set_output(args, 0, Tensor::scalar<float>(attr_float(n, "value_float", 0.0f)));
  if (n.has_attribute("value_floats")) {
    std::vector<float> v = attr_floats(n, "value_floats");
    return set_output(args, 0, Tensor::from_vector<float>(v, {static_cast<int64_t>(v.size())}));
  }
  if (n.has_attribute("value_int")) return set_output(args, 0, Tensor::scalar<int64_t>(attr_int(n, "value_int", 0)));
  if (n.has_attribute("value_ints")) {
    std::vector<int64_t> v = attr_ints(n, "value_ints");
    return set_output(args, 0, Tensor::from_vector<int64_t>(v, {static_cast<int64_t>(v.size())}));
  }
  return args.unsupported("Constant needs a tensor 'value' or value_float(s)/value_int(s); string and sparse "
                          "constants are not supported");
}

Status constant_of_shape(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* shape_in, required_input(args, 0, "shape"));
  NNC_ASSIGN_OR_RETURN(auto shape, read_int_values(*shape_in, args, "shape"));
  Tensor value = Tensor::scalar<float>(0.0f);
  if (const Attribute* a = args.node.attribute("value"); a && a->holds<Tensor>()) value = a->get<Tensor>();
  if (value.element_count() != 1)
    return args.error("attribute 'value' must hold exactly one element, got " + value.description());
  NNC_ASSIGN_OR_RETURN(size_t elem, movable_element_bytes(value, args));
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, value.dtype(), std::move(shape)));
  fill_with_element(*out, value.raw_data(), elem);
  return Status::ok();
}

Status range(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* start_t, required_input(args, 0, "start"));
  NNC_ASSIGN_OR_RETURN(const Tensor* limit_t, required_input(args, 1, "limit"));
  NNC_ASSIGN_OR_RETURN(const Tensor* delta_t, required_input(args, 2, "delta"));
  for (const Tensor* t : {start_t, limit_t, delta_t})
    if (t->element_count() != 1 || t->dtype() != start_t->dtype())
      return args.error("start, limit and delta must be scalars of one dtype, got " + start_t->description() + ", " +
                        limit_t->description() + ", " + delta_t->description());
  return dispatch_numeric(start_t->dtype(), args, [&]<typename T>() -> Status {
    T start = start_t->data<T>()[0], limit = limit_t->data<T>()[0], delta = delta_t->data<T>()[0];
    if (delta == T(0)) return args.error("delta must not be 0");
    double steps = std::ceil((static_cast<double>(limit) - static_cast<double>(start)) / static_cast<double>(delta));
    int64_t count = std::max<int64_t>(0, static_cast<int64_t>(steps));
    NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, start_t->dtype(), {count}));
    auto values = out->mutable_data<T>();
    for (int64_t i = 0; i < count; ++i) values[i] = static_cast<T>(start + static_cast<T>(i) * delta);
    return Status::ok();
  });
}

Status non_zero(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "X"));
  NNC_RETURN_IF_ERROR(movable_element_bytes(*data, args).status());
  std::vector<int64_t> dims = data->rank() == 0 ? std::vector<int64_t>{1} : data->shape();
  std::vector<int64_t> hits;
  for (int64_t i = 0; i < data->element_count(); ++i)
    if (load_double(data->dtype(), data->raw_data(), i) != 0.0) hits.push_back(i);
  const auto rank = static_cast<int64_t>(dims.size());
  const auto n = static_cast<int64_t>(hits.size());
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, DType::kI64, {rank, n}));
  auto coords = out->mutable_data<int64_t>();
  std::vector<int64_t> strides = strides_of(dims);
  for (int64_t j = 0; j < n; ++j)
    for (int64_t d = 0; d < rank; ++d) coords[d * n + j] = (hits[j] / strides[d]) % dims[d];
  return Status::ok();
}

}  // namespace shape_ops

std::span<const KernelEntry> shape_kernels() {
  using namespace shape_ops;
  static const KernelEntry table[] = {
      {"", "Reshape", 1, reshape, "shape attribute before opset 5; allowzero from 14"},
      {"", "Flatten", 1, flatten, ""},
      {"", "Squeeze", 1, squeeze, "axes attribute before opset 13, input from 13"},
      {"", "Unsqueeze", 1, unsqueeze, "axes attribute before opset 13, input from 13"},
      {"", "Shape", 1, shape_of, "start/end from opset 15"},
      {"", "Size", 1, size_of, ""},
      {"", "Constant", 1, constant, "value, value_float(s), value_int(s); no string or sparse constants"},
      {"", "ConstantOfShape", 9, constant_of_shape, ""},
      {"", "Range", 11, range, ""},
      {"", "NonZero", 9, non_zero, ""},
      {"", "Transpose", 1, transpose, ""},
      {"", "Expand", 8, expand, ""},
      {"", "Tile", 6, tile, ""},
      {"", "Slice", 1, slice, "attributes before opset 10, inputs from 10"},
      {"", "DepthToSpace", 1, depth_to_space, "DCR and CRD modes"},
      {"", "SpaceToDepth", 1, space_to_depth, ""},
      {"", "Concat", 1, concat, ""},
      {"", "Split", 1, split, "split attribute or input; num_outputs from opset 18"},
      {"", "Gather", 1, gather, ""},
      {"", "GatherElements", 11, gather_elements, ""},
      {"", "GatherND", 11, gather_nd, "batch_dims from opset 12"},
      {"", "Pad", 1, pad, "modes constant, reflect, edge, wrap; axes input from opset 18"},
      {"", "Resize", 10, resize,
       "nearest/linear/cubic, every coordinate_transformation_mode; opset 18 axes and keep_aspect_ratio_policy; "
       "antialias unsupported"},
      {"", "Upsample", 7, upsample, "nearest and linear"},
      {"", "NonMaxSuppression", 10, non_max_suppression, ""},
      {"nnc", "DetectionOutput", 1, detection_output,
       "Caffe-SSD DetectionOutput: CORNER/CENTER_SIZE/CORNER_SIZE decoding, per-class NMS (eta), keep_top_k"},
      {"", "ScatterND", 11, data_ops::scatter_nd, "reduction add/mul from opset 16, max/min from 18 (numeric dtypes)"},
      {"", "ScatterElements", 11, data_ops::scatter_elements,
       "reduction add/mul from opset 16, max/min from 18 (numeric dtypes)"},
      {"", "Scatter", 9, data_ops::scatter_elements, "deprecated opset 9-10 form of ScatterElements"},
      {"", "OneHot", 9, data_ops::one_hot, "indices outside [-depth, depth) give off_value rows, per the spec"},
      {"", "Trilu", 14, data_ops::trilu, ""},
      {"", "Compress", 9, data_ops::compress, ""},
      {"", "EyeLike", 9, data_ops::eye_like, ""},
      {"", "ReverseSequence", 10, data_ops::reverse_sequence, ""},
      {"", "Unique", 11, data_ops::unique, "numeric and bool dtypes; all four outputs"},
  };
  return table;
}

}  // namespace nnc::exec
