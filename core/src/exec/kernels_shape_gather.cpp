// nnc core: block-copy kernels: Concat, Split, Gather, GatherElements, Pad (constant/reflect/edge/wrap).
#include <algorithm>
#include <cstring>
#include <limits>

#include "exec/kernels_shape_common.h"

namespace nnc::exec::shape_ops {
namespace {

/// Products of the dims before and after `axis`.
int64_t outer_size(const std::vector<int64_t>& dims, int64_t axis) {
  return product(std::vector<int64_t>(dims.begin(), dims.begin() + axis));
}
int64_t inner_size(const std::vector<int64_t>& dims, int64_t axis) {
  return product(std::vector<int64_t>(dims.begin() + axis + 1, dims.end()));
}

/// Index values with negatives wrapped; error when outside [-dim, dim).
Expected<std::vector<int64_t>> wrapped_indices(const Tensor& indices, int64_t dim, const KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(auto values, read_int_values(indices, args, "indices"));
  for (int64_t& v : values) {
    if (v < -dim || v >= dim)
      return args.error("index " + std::to_string(v) + " is out of range for an axis of size " + std::to_string(dim));
    if (v < 0) v += dim;
  }
  return values;
}

/// Sizes of the Split outputs along an axis of size `dim`.
Expected<std::vector<int64_t>> split_sizes(const KernelArgs& args, int64_t dim) {
  NNC_ASSIGN_OR_RETURN(auto given, ints_from_input_or_attr(args, 1, "split"));
  const auto outputs = static_cast<int64_t>(args.output_count());
  std::vector<int64_t> sizes;
  if (given && !given->empty()) {
    sizes = *given;
    if (static_cast<int64_t>(sizes.size()) != outputs)
      return args.error("split " + dims_text(sizes) + " has " + std::to_string(sizes.size()) + " entries for " +
                        std::to_string(outputs) + " outputs");
  } else {
    int64_t parts = attr_int(args.node, "num_outputs", outputs);
    if (parts != outputs || parts <= 0)
      return args.error("num_outputs " + std::to_string(parts) + " does not match the " + std::to_string(outputs) +
                        " outputs");
    int64_t chunk = (dim + parts - 1) / parts;
    sizes.assign(static_cast<size_t>(parts), chunk);
    sizes.back() = dim - chunk * (parts - 1);
  }
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0) return args.error("cannot split an axis of size " + std::to_string(dim) + " into " + dims_text(sizes));
    total += s;
  }
  if (total != dim)
    return args.error("split " + dims_text(sizes) + " sums to " + std::to_string(total) + ", not the axis size " +
                      std::to_string(dim));
  return sizes;
}

/// Copies `rows` rows of `row_bytes` from src (row pitch src_pitch) to dst (pitch dst_pitch).
void copy_rows(const std::byte* src, size_t src_pitch, std::byte* dst, size_t dst_pitch, int64_t rows,
               size_t row_bytes, ThreadPool& pool) {
  if (rows == 0 || row_bytes == 0) return;
  pool.parallel_for(rows, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r)
      std::memcpy(dst + static_cast<size_t>(r) * dst_pitch, src + static_cast<size_t>(r) * src_pitch, row_bytes);
  }, std::max<int64_t>(1, static_cast<int64_t>(65536 / row_bytes)));
}

// --- Pad ---

/// Per output position of one axis: the source index, or -1 for the constant value.
Expected<std::vector<int64_t>> pad_source_map(int64_t dim, int64_t before, int64_t after, const std::string& mode,
                                              const KernelArgs& args) {
  int64_t out = dim + before + after;
  if (out < 0)
    return args.error("pads " + std::to_string(before) + ", " + std::to_string(after) + " remove more than the " +
                      std::to_string(dim) + " elements of an axis");
  std::vector<int64_t> map(static_cast<size_t>(out));
  if (dim == 0 && out > 0 && mode != "constant")
    return args.error("mode '" + mode + "' cannot pad an empty axis");
  for (int64_t o = 0; o < out; ++o) {
    int64_t i = o - before;
    if (mode == "constant") {
      map[o] = (i >= 0 && i < dim) ? i : -1;
    } else if (mode == "edge") {
      map[o] = std::clamp<int64_t>(i, 0, dim - 1);
    } else if (mode == "wrap") {
      map[o] = ((i % dim) + dim) % dim;
    } else if (dim == 1) {  // reflect of a single element
      map[o] = 0;
    } else {
      int64_t period = 2 * (dim - 1);
      int64_t m = ((i % period) + period) % period;
      map[o] = m < dim ? m : period - m;
    }
  }
  return map;
}

struct PadSpec {
  std::vector<int64_t> before, after;
  std::string mode;
  std::vector<std::byte> value;  ///< one element in the data's dtype
};

Expected<PadSpec> pad_spec(const KernelArgs& args, const Tensor& data, size_t elem) {
  PadSpec spec;
  spec.mode = attr_string(args.node, "mode", "constant");
  if (spec.mode != "constant" && spec.mode != "reflect" && spec.mode != "edge" && spec.mode != "wrap")
    return args.unsupported("pad mode '" + spec.mode + "' (expected constant, reflect, edge or wrap)");
  const int64_t rank = data.rank();
  std::vector<int64_t> pads;
  spec.value.assign(elem, std::byte{0});
  if (args.opset >= 11 || args.input(1)) {
    NNC_ASSIGN_OR_RETURN(const Tensor* pads_in, required_input(args, 1, "pads"));
    NNC_ASSIGN_OR_RETURN(pads, read_int_values(*pads_in, args, "pads"));
    if (const Tensor* v = args.input(2); v && v->element_count() > 0) {
      if (v->dtype() != data.dtype() || v->element_count() != 1)
        return args.error("constant_value must be one element of the data's dtype, got " + v->description());
      std::memcpy(spec.value.data(), v->raw_data(), elem);
    }
  } else {
    pads = attr_ints(args.node, has_attr(args.node, "pads") ? "pads" : "paddings");
    store_double(data.dtype(), attr_float(args.node, "value", 0.0f), spec.value.data());
  }
  std::vector<int64_t> axes;
  if (const Tensor* axes_in = args.input(3)) {
    NNC_ASSIGN_OR_RETURN(axes, read_int_values(*axes_in, args, "axes"));
  } else {
    for (int64_t a = 0; a < rank; ++a) axes.push_back(a);
  }
  if (pads.size() != 2 * axes.size())
    return args.error("pads " + dims_text(pads) + " must have 2 entries per padded axis (" +
                      std::to_string(axes.size()) + " axes of " + data.description() + ")");
  spec.before.assign(static_cast<size_t>(rank), 0);
  spec.after.assign(static_cast<size_t>(rank), 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    NNC_ASSIGN_OR_RETURN(int64_t a, normalize_axis(axes[i], rank, args));
    if (a >= rank)
      return args.error("pad axis " + std::to_string(axes[i]) + " is out of range for " + data.description());
    spec.before[a] = pads[i];
    spec.after[a] = pads[i + axes.size()];
  }
  return spec;
}

template <typename T>
void pad_row(const std::byte* src_row, std::byte* dst_row, const std::vector<int64_t>& map, const std::byte* value) {
  const T* s = reinterpret_cast<const T*>(src_row);
  T* d = reinterpret_cast<T*>(dst_row);
  T fill;
  std::memcpy(&fill, value, sizeof fill);
  for (size_t i = 0; i < map.size(); ++i) d[i] = map[i] >= 0 ? s[map[i]] : fill;
}

void pad_row_any(const std::byte* src_row, std::byte* dst_row, const std::vector<int64_t>& map,
                 const std::byte* value, size_t elem) {
  switch (elem) {
    case 1: return pad_row<uint8_t>(src_row, dst_row, map, value);
    case 2: return pad_row<uint16_t>(src_row, dst_row, map, value);
    case 4: return pad_row<uint32_t>(src_row, dst_row, map, value);
    case 8: return pad_row<uint64_t>(src_row, dst_row, map, value);
    default:
      for (size_t i = 0; i < map.size(); ++i)
        std::memcpy(dst_row + i * elem, map[i] >= 0 ? src_row + static_cast<size_t>(map[i]) * elem : value, elem);
  }
}

}  // namespace

Status concat(KernelArgs& args) {
  std::vector<const Tensor*> parts;
  for (const Tensor* t : args.inputs)
    if (t) parts.push_back(t);
  if (parts.empty()) return args.error("Concat needs at least one input");
  const Tensor& first = *parts.front();
  if (!has_attr(args.node, "axis") && args.opset >= 4) return args.error("missing attribute 'axis'");
  if (first.rank() == 0) return args.error("cannot concatenate scalars");
  NNC_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(attr_int(args.node, "axis", 1), first.rank(), args));
  NNC_ASSIGN_OR_RETURN(size_t elem, movable_element_bytes(first, args));
  std::vector<int64_t> out_shape = first.shape();
  out_shape[axis] = 0;
  for (const Tensor* t : parts) {
    bool same = t->dtype() == first.dtype() && t->rank() == first.rank();
    for (int64_t d = 0; same && d < first.rank(); ++d) same = d == axis || t->shape()[d] == first.shape()[d];
    if (!same)
      return args.error("cannot concatenate " + t->description() + " with " + first.description() + " on axis " +
                        std::to_string(axis));
    out_shape[axis] += t->shape()[axis];
  }
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, first.dtype(), out_shape));
  const int64_t outer = outer_size(out_shape, axis), inner = inner_size(out_shape, axis);
  const size_t out_pitch = static_cast<size_t>(out_shape[axis] * inner) * elem;
  size_t offset = 0;
  for (const Tensor* t : parts) {
    size_t block = static_cast<size_t>(t->shape()[axis] * inner) * elem;
    copy_rows(t->raw_data(), block, out->mutable_raw_data() + offset, out_pitch, outer, block, args.pool);
    offset += block;
  }
  return Status::ok();
}

Status split(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "input"));
  if (data->rank() == 0) return args.error("cannot split a scalar");
  NNC_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(attr_int(args.node, "axis", 0), data->rank(), args));
  NNC_ASSIGN_OR_RETURN(size_t elem, movable_element_bytes(*data, args));
  NNC_ASSIGN_OR_RETURN(auto sizes, split_sizes(args, data->shape()[axis]));
  const int64_t outer = outer_size(data->shape(), axis), inner = inner_size(data->shape(), axis);
  const size_t in_pitch = static_cast<size_t>(data->shape()[axis] * inner) * elem;
  size_t offset = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    std::vector<int64_t> shape = data->shape();
    shape[axis] = sizes[i];
    NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, i, data->dtype(), shape));
    size_t block = static_cast<size_t>(sizes[i] * inner) * elem;
    copy_rows(data->raw_data() + offset, in_pitch, out->mutable_raw_data(), block, outer, block, args.pool);
    offset += block;
  }
  return Status::ok();
}

Status gather(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "data"));
  NNC_ASSIGN_OR_RETURN(const Tensor* indices, required_input(args, 1, "indices"));
  if (data->rank() == 0) return args.error("cannot gather from a scalar");
  NNC_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(attr_int(args.node, "axis", 0), data->rank(), args));
  NNC_ASSIGN_OR_RETURN(size_t elem, movable_element_bytes(*data, args));
  const int64_t dim = data->shape()[axis];
  NNC_ASSIGN_OR_RETURN(auto idx, wrapped_indices(*indices, dim, args));
  const auto& ds = data->shape();
  std::vector<int64_t> out_shape(ds.begin(), ds.begin() + axis);
  out_shape.insert(out_shape.end(), indices->shape().begin(), indices->shape().end());
  out_shape.insert(out_shape.end(), ds.begin() + axis + 1, ds.end());
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, data->dtype(), out_shape));
  const int64_t outer = outer_size(ds, axis);
  const auto n = static_cast<int64_t>(idx.size());
  const size_t block = static_cast<size_t>(inner_size(ds, axis)) * elem;
  if (outer * n == 0 || block == 0) return Status::ok();
  const std::byte* src = data->raw_data();
  std::byte* dst = out->mutable_raw_data();
  args.pool.parallel_for(outer * n, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      int64_t o = k / n, j = k % n;
      std::memcpy(dst + static_cast<size_t>(k) * block, src + static_cast<size_t>(o * dim + idx[j]) * block, block);
    }
  }, std::max<int64_t>(1, static_cast<int64_t>(65536 / block)));
  return Status::ok();
}

Status gather_elements(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "data"));
  NNC_ASSIGN_OR_RETURN(const Tensor* indices, required_input(args, 1, "indices"));
  const int64_t rank = data->rank();
  if (rank == 0 || indices->rank() != rank)
    return args.error("data " + data->description() + " and indices " + indices->description() +
                      " must have the same non-zero rank");
  NNC_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(attr_int(args.node, "axis", 0), rank, args));
  NNC_ASSIGN_OR_RETURN(size_t elem, movable_element_bytes(*data, args));
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis && indices->shape()[d] > data->shape()[d])
      return args.error("indices " + indices->description() + " exceed data " + data->description() + " on axis " +
                        std::to_string(d));
  NNC_ASSIGN_OR_RETURN(auto idx, wrapped_indices(*indices, data->shape()[axis], args));
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, data->dtype(), indices->shape()));
  const auto& shape = indices->shape();
  std::vector<int64_t> data_strides = strides_of(data->shape());
  std::vector<int64_t> coord(static_cast<size_t>(rank), 0);
  const std::byte* src = data->raw_data();
  std::byte* dst = out->mutable_raw_data();
  for (int64_t i = 0; i < static_cast<int64_t>(idx.size()); ++i) {
    int64_t offset = 0;
    for (int64_t d = 0; d < rank; ++d) offset += (d == axis ? idx[i] : coord[d]) * data_strides[d];
    std::memcpy(dst + static_cast<size_t>(i) * elem, src + static_cast<size_t>(offset) * elem, elem);
    for (int64_t d = rank - 1; d >= 0 && ++coord[d] == shape[d]; --d) coord[d] = 0;
  }
  return Status::ok();
}

Status pad(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "data"));
  NNC_ASSIGN_OR_RETURN(size_t elem, movable_element_bytes(*data, args));
  NNC_ASSIGN_OR_RETURN(PadSpec spec, pad_spec(args, *data, elem));
  std::vector<int64_t> in_shape = data->rank() == 0 ? std::vector<int64_t>{1} : data->shape();
  if (data->rank() == 0) spec.before = spec.after = {0};
  const size_t rank = in_shape.size();
  std::vector<std::vector<int64_t>> maps(rank);
  std::vector<int64_t> out_shape(rank);
  for (size_t d = 0; d < rank; ++d) {
    NNC_ASSIGN_OR_RETURN(maps[d], pad_source_map(in_shape[d], spec.before[d], spec.after[d], spec.mode, args));
    out_shape[d] = static_cast<int64_t>(maps[d].size());
  }
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, data->dtype(), data->rank() == 0 ? data->shape() : out_shape));
  const int64_t inner = out_shape.back();
  const int64_t rows = inner == 0 ? 0 : product(out_shape) / inner;
  const std::vector<int64_t> in_strides = strides_of(in_shape);
  const std::vector<int64_t> filler(static_cast<size_t>(inner), -1);
  const std::byte* src = data->raw_data();
  std::byte* dst = out->mutable_raw_data();
  args.pool.parallel_for(rows, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      int64_t rest = row, src_offset = 0;
      bool inside = true;
      for (size_t d = rank - 1; d-- > 0;) {
        int64_t s = maps[d][rest % out_shape[d]];
        rest /= out_shape[d];
        inside = inside && s >= 0;
        src_offset += s * in_strides[d];
      }
      const std::byte* src_row = inside ? src + static_cast<size_t>(src_offset) * elem : nullptr;
      pad_row_any(src_row, dst + static_cast<size_t>(row * inner) * elem, inside ? maps[rank - 1] : filler,
                  spec.value.data(), elem);
    }
  }, std::max<int64_t>(1, 4096 / std::max<int64_t>(inner, 1)));
  return Status::ok();
}

}  // namespace nnc::exec::shape_ops
