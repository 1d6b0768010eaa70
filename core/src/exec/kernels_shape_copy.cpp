// nnc core: strided data-movement kernels: Transpose, Expand, Tile, Slice, DepthToSpace, SpaceToDepth.
#include <algorithm>
#include <limits>

#include "exec/kernels_shape_common.h"

namespace nnc::exec::shape_ops {
namespace {

/// Error unless `perm` is a permutation of [0, rank).
Status check_permutation(const std::vector<int64_t>& perm, int64_t rank, const KernelArgs& args) {
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  bool ok = static_cast<int64_t>(perm.size()) == rank;
  for (int64_t p : perm) {
    if (!ok || p < 0 || p >= rank || seen[p]) {
      ok = false;
      break;
    }
    seen[p] = true;
  }
  if (ok) return Status::ok();
  return args.error("perm " + dims_text(perm) + " is not a permutation of the " + std::to_string(rank) + " axes");
}

/// Output 0 = `data` viewed as `view_shape` with axes permuted by `perm`, reshaped to `out_shape`.
Status permuted_output(KernelArgs& args, const Tensor& data, const std::vector<int64_t>& view_shape,
                       const std::vector<int64_t>& perm, std::vector<int64_t> out_shape) {
  NNC_ASSIGN_OR_RETURN(size_t elem, movable_element_bytes(data, args));
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, data.dtype(), std::move(out_shape)));
  permute_copy(data.raw_data(), out->mutable_raw_data(), elem, view_shape, perm, args.pool);
  return Status::ok();
}

/// Output 0 = the strided view (`shape`, `strides`, `offset`) of `data`, reshaped to `out_shape`.
Status strided_output(KernelArgs& args, const Tensor& data, const std::vector<int64_t>& shape,
                      const std::vector<int64_t>& strides, int64_t offset, std::vector<int64_t> out_shape) {
  NNC_ASSIGN_OR_RETURN(size_t elem, movable_element_bytes(data, args));
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, data.dtype(), std::move(out_shape)));
  strided_copy(data.raw_data(), out->mutable_raw_data(), elem, shape, strides, offset, args.pool);
  return Status::ok();
}

/// One sliced axis: first index, element count and step.
struct AxisSlice {
  int64_t start = 0;
  int64_t count = 0;
  int64_t step = 1;
};

/// ONNX Slice clamping (also for INT64_MAX / INT64_MIN bounds) of one axis of size `dim`.
AxisSlice clamp_slice(int64_t start, int64_t end, int64_t step, int64_t dim) {
  if (dim == 0) return {0, 0, step};
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    return {start, end > start ? (end - start - 1) / step + 1 : 0, step};
  }
  start = std::clamp<int64_t>(start, 0, dim - 1);
  end = std::clamp<int64_t>(end, -1, dim - 1);
  if (start <= end) return {start, 0, step};
  if (step == std::numeric_limits<int64_t>::min()) return {start, 1, step};
  return {start, (start - end - 1) / -step + 1, step};
}

struct SliceParams {
  std::vector<int64_t> starts, ends, axes, steps;
};

Expected<SliceParams> slice_params(const KernelArgs& args, int64_t rank) {
  SliceParams p;
  if (args.input(1) || args.opset >= 10) {
    NNC_ASSIGN_OR_RETURN(const Tensor* starts, required_input(args, 1, "starts"));
    NNC_ASSIGN_OR_RETURN(const Tensor* ends, required_input(args, 2, "ends"));
    NNC_ASSIGN_OR_RETURN(p.starts, read_int_values(*starts, args, "starts"));
    NNC_ASSIGN_OR_RETURN(p.ends, read_int_values(*ends, args, "ends"));
    if (const Tensor* axes = args.input(3)) {
      NNC_ASSIGN_OR_RETURN(p.axes, read_int_values(*axes, args, "axes"));
    }
    if (const Tensor* steps = args.input(4)) {
      NNC_ASSIGN_OR_RETURN(p.steps, read_int_values(*steps, args, "steps"));
    }
  } else {
    p.starts = attr_ints(args.node, "starts");
    p.ends = attr_ints(args.node, "ends");
    p.axes = attr_ints(args.node, "axes");
  }
  if (p.axes.empty())
    for (size_t i = 0; i < p.starts.size(); ++i) p.axes.push_back(static_cast<int64_t>(i));
  if (p.steps.empty()) p.steps.assign(p.starts.size(), 1);
  if (p.ends.size() != p.starts.size() || p.axes.size() != p.starts.size() || p.steps.size() != p.starts.size())
    return args.error("starts " + dims_text(p.starts) + ", ends " + dims_text(p.ends) + ", axes " + dims_text(p.axes) +
                      " and steps " + dims_text(p.steps) + " must have the same length");
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (int64_t& a : p.axes) {
    if (a < -rank || a >= rank)
      return args.error("slice axis " + std::to_string(a) + " is out of range for rank " + std::to_string(rank));
    if (a < 0) a += rank;
    if (seen[a]) return args.error("slice axes " + dims_text(p.axes) + " repeat an axis");
    seen[a] = true;
  }
  for (int64_t s : p.steps)
    if (s == 0) return args.error("slice steps must not be 0");
  return p;
}

}  // namespace

Status transpose(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "data"));
  int64_t rank = data->rank();
  std::vector<int64_t> perm = attr_ints(args.node, "perm");
  if (!has_attr(args.node, "perm"))
    for (int64_t i = rank - 1; i >= 0; --i) perm.push_back(i);
  NNC_RETURN_IF_ERROR(check_permutation(perm, rank, args));
  std::vector<int64_t> out_shape;
  for (int64_t p : perm) out_shape.push_back(data->shape()[p]);
  return permuted_output(args, *data, data->shape(), perm, std::move(out_shape));
}

Status expand(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "input"));
  NNC_ASSIGN_OR_RETURN(const Tensor* shape_in, required_input(args, 1, "shape"));
  NNC_ASSIGN_OR_RETURN(auto shape, read_int_values(*shape_in, args, "shape"));
  NNC_ASSIGN_OR_RETURN(auto out_shape, broadcast_shapes(data->shape(), shape, args));
  return strided_output(args, *data, out_shape, broadcast_strides(data->shape(), out_shape), 0, out_shape);
}

Status tile(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "input"));
  NNC_ASSIGN_OR_RETURN(const Tensor* repeats_in, required_input(args, 1, "repeats"));
  NNC_ASSIGN_OR_RETURN(auto repeats, read_int_values(*repeats_in, args, "repeats"));
  if (static_cast<int64_t>(repeats.size()) != data->rank())
    return args.error("repeats " + dims_text(repeats) + " must have one entry per axis of " + data->description());
  // View the output as [r0, d0, r1, d1, ...] reading the input with stride 0 along each repeat axis.
  std::vector<int64_t> view_shape, view_strides, out_shape;
  std::vector<int64_t> in_strides = strides_of(data->shape());
  for (size_t i = 0; i < repeats.size(); ++i) {
    if (repeats[i] < 0) return args.error("repeats " + dims_text(repeats) + " must not be negative");
    view_shape.insert(view_shape.end(), {repeats[i], data->shape()[i]});
    view_strides.insert(view_strides.end(), {0, in_strides[i]});
    out_shape.push_back(repeats[i] * data->shape()[i]);
  }
  return strided_output(args, *data, view_shape, view_strides, 0, std::move(out_shape));
}

Status slice(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "data"));
  NNC_ASSIGN_OR_RETURN(SliceParams p, slice_params(args, data->rank()));
  const auto& in = data->shape();
  std::vector<int64_t> in_strides = strides_of(in);
  std::vector<AxisSlice> axes(in.size());
  for (size_t d = 0; d < in.size(); ++d) axes[d] = {0, in[d], 1};
  for (size_t i = 0; i < p.axes.size(); ++i) {
    int64_t a = p.axes[i];
    axes[a] = clamp_slice(p.starts[i], p.ends[i], p.steps[i], in[a]);
  }
  std::vector<int64_t> out_shape, strides;
  int64_t offset = 0;
  for (size_t d = 0; d < in.size(); ++d) {
    out_shape.push_back(axes[d].count);
    strides.push_back(in_strides[d] * axes[d].step);
    offset += axes[d].start * in_strides[d];
  }
  if (product(out_shape) == 0) offset = 0;
  return strided_output(args, *data, out_shape, strides, offset, out_shape);
}

Status depth_to_space(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "input"));
  int64_t b = attr_int(args.node, "blocksize", 0);
  std::string mode = attr_string(args.node, "mode", "DCR");
  if (data->rank() != 4) return args.error("input must be 4-D [N, C, H, W], got " + data->description());
  const auto& s = data->shape();
  int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  if (b <= 0 || c % (b * b) != 0)
    return args.error("blocksize " + std::to_string(b) + " must be positive and its square must divide the " +
                      std::to_string(c) + " channels");
  int64_t oc = c / (b * b);
  std::vector<int64_t> out_shape{n, oc, h * b, w * b};
  if (mode == "DCR") return permuted_output(args, *data, {n, b, b, oc, h, w}, {0, 3, 4, 1, 5, 2}, out_shape);
  if (mode == "CRD") return permuted_output(args, *data, {n, oc, b, b, h, w}, {0, 1, 4, 2, 5, 3}, out_shape);
  return args.unsupported("mode '" + mode + "' (expected DCR or CRD)");
}

Status space_to_depth(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "input"));
  int64_t b = attr_int(args.node, "blocksize", 0);
  if (data->rank() != 4) return args.error("input must be 4-D [N, C, H, W], got " + data->description());
  const auto& s = data->shape();
  int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  if (b <= 0 || h % b != 0 || w % b != 0)
    return args.error("blocksize " + std::to_string(b) + " must be positive and divide H and W of " +
                      data->description());
  return permuted_output(args, *data, {n, c, h / b, b, w / b, b}, {0, 3, 5, 1, 2, 4}, {n, c * b * b, h / b, w / b});
}

}  // namespace nnc::exec::shape_ops
