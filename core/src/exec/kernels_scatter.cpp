// nnc core: ScatterND and ScatterElements (also the deprecated opset 9 Scatter) with every reduction mode.
#include <algorithm>
#include <cstring>

#include "exec/kernels_data.h"
#include "exec/kernels_shape_common.h"

namespace nnc::exec::data_ops {
namespace {

using shape_ops::dims_text;
using shape_ops::movable_element_bytes;
using shape_ops::new_output;
using shape_ops::required_input;

enum class Reduction { kNone, kAdd, kMul, kMax, kMin };

/// The `reduction` attribute, checked against the opset that introduced each mode (add/mul 16, max/min 18).
Expected<Reduction> reduction_of(const KernelArgs& args) {
  const std::string r = attr_string(args.node, "reduction", "none");
  Reduction red;
  int64_t since = 16;
  if (r == "none") return Reduction::kNone;
  if (r == "add")
    red = Reduction::kAdd;
  else if (r == "mul")
    red = Reduction::kMul;
  else if (r == "max")
    red = Reduction::kMax, since = 18;
  else if (r == "min")
    red = Reduction::kMin, since = 18;
  else
    return args.error("reduction '" + r + "' is not one of none, add, mul, max, min");
  if (args.opset < since)
    return args.error("reduction '" + r + "' needs opset " + std::to_string(since) + " (the model declares opset " +
                      std::to_string(args.opset) + "); raise the model's opset or drop the attribute");
  return red;
}

const char* reduction_name(Reduction r) {
  switch (r) {
    case Reduction::kAdd:
      return "add";
    case Reduction::kMul:
      return "mul";
    case Reduction::kMax:
      return "max";
    case Reduction::kMin:
      return "min";
    default:
      return "none";
  }
}

template <typename T>
void combine(T& dst, T v, Reduction r) {
  switch (r) {
    case Reduction::kNone:
      dst = v;
      break;
    case Reduction::kAdd:
      dst = static_cast<T>(dst + v);
      break;
    case Reduction::kMul:
      dst = static_cast<T>(dst * v);
      break;
    case Reduction::kMax:
      dst = std::max(dst, v);
      break;
    case Reduction::kMin:
      dst = std::min(dst, v);
      break;
  }
}

/// Index `v` (found at flat position `pos` of `indices_shape`) wrapped into [0, dim); error naming it otherwise.
Expected<int64_t> wrap_index(int64_t v, int64_t dim, int64_t axis, int64_t pos,
                             const std::vector<int64_t>& indices_shape, const KernelArgs& args) {
  if (v < -dim || v >= dim) {
    std::vector<int64_t> at(indices_shape.size());
    for (size_t d = indices_shape.size(); d-- > 0;) {
      at[d] = indices_shape[d] ? pos % indices_shape[d] : 0;
      pos = indices_shape[d] ? pos / indices_shape[d] : 0;
    }
    return args.error("index " + std::to_string(v) + " at indices" + dims_text(at) + " is out of range for axis " +
                      std::to_string(axis) + " of size " + std::to_string(dim) + " (valid: " + std::to_string(-dim) +
                      ".." + std::to_string(dim - 1) + ")");
  }
  return v < 0 ? v + dim : v;
}

/// Applies updates: element block j of `updates` (block_elems elements) goes to element offset offsets[j]
/// of `out`, combined with `red`. Offsets are applied in order, so duplicate indices reduce in order.
Status apply_blocks(const KernelArgs& args, Tensor& out, const Tensor& updates, const std::vector<int64_t>& offsets,
                    int64_t block_elems, Reduction red) {
  if (red == Reduction::kNone) {
    NNC_ASSIGN_OR_RETURN(size_t elem, movable_element_bytes(out, args));
    const size_t bytes = static_cast<size_t>(block_elems) * elem;
    if (bytes == 0) return Status::ok();
    std::byte* dst = out.mutable_raw_data();
    const std::byte* src = updates.raw_data();
    for (size_t j = 0; j < offsets.size(); ++j)
      std::memcpy(dst + static_cast<size_t>(offsets[j]) * elem, src + j * bytes, bytes);
    return Status::ok();
  }
  if (out.dtype() == DType::kBool)
    return args.unsupported(std::string("reduction '") + reduction_name(red) + "' on bool data");
  return dispatch_numeric(out.dtype(), args, [&]<typename T>() {
    T* dst = out.mutable_data<T>().data();
    const T* src = updates.data<T>().data();
    for (size_t j = 0; j < offsets.size(); ++j)
      for (int64_t e = 0; e < block_elems; ++e)
        combine(dst[offsets[j] + e], src[static_cast<int64_t>(j) * block_elems + e], red);
    return Status::ok();
  });
}

Status check_same_dtype(const Tensor& data, const Tensor& updates, const KernelArgs& args) {
  if (data.dtype() != updates.dtype())
    return args.error("updates " + updates.description() + " must have the dtype of data " + data.description());
  return Status::ok();
}

}  // namespace

Status scatter_nd(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "data"));
  NNC_ASSIGN_OR_RETURN(const Tensor* indices, required_input(args, 1, "indices"));
  NNC_ASSIGN_OR_RETURN(const Tensor* updates, required_input(args, 2, "updates"));
  NNC_ASSIGN_OR_RETURN(Reduction red, reduction_of(args));
  NNC_RETURN_IF_ERROR(check_same_dtype(*data, *updates, args));
  const auto& ds = data->shape();
  const auto& is = indices->shape();
  if (data->rank() == 0 || indices->rank() == 0)
    return args.error("data " + data->description() + " and indices " + indices->description() +
                      " must both have rank >= 1");
  const int64_t k = is.back();
  if (k < 1 || k > data->rank())
    return args.error("the last dimension of indices " + indices->description() + " must be in 1.." +
                      std::to_string(data->rank()) + " (the rank of data " + data->description() + ")");
  std::vector<int64_t> want(is.begin(), is.end() - 1);
  want.insert(want.end(), ds.begin() + k, ds.end());
  if (updates->shape() != want)
    return args.error("updates " + updates->description() + " must have shape " + dims_text(want) +
                      " (indices.shape[:-1] + data.shape[" + std::to_string(k) + ":])");
  NNC_ASSIGN_OR_RETURN(auto idx, read_int_values(*indices, args, "indices"));
  const std::vector<int64_t> strides = strides_of(ds);
  const int64_t block = product(std::vector<int64_t>(ds.begin() + k, ds.end()));
  const int64_t n = k ? static_cast<int64_t>(idx.size()) / k : 0;
  std::vector<int64_t> offsets(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) {
    int64_t off = 0;
    for (int64_t d = 0; d < k; ++d) {
      NNC_ASSIGN_OR_RETURN(int64_t v, wrap_index(idx[j * k + d], ds[d], d, j * k + d, is, args));
      off += v * strides[d];
    }
    offsets[j] = off;
  }
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, data->dtype(), ds));
  if (data->storage_bytes()) std::memcpy(out->mutable_raw_data(), data->raw_data(), data->storage_bytes());
  return apply_blocks(args, *out, *updates, offsets, block, red);
}

Status scatter_elements(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "data"));
  NNC_ASSIGN_OR_RETURN(const Tensor* indices, required_input(args, 1, "indices"));
  NNC_ASSIGN_OR_RETURN(const Tensor* updates, required_input(args, 2, "updates"));
  NNC_ASSIGN_OR_RETURN(Reduction red, reduction_of(args));
  NNC_RETURN_IF_ERROR(check_same_dtype(*data, *updates, args));
  const int64_t rank = data->rank();
  if (rank == 0 || indices->rank() != rank)
    return args.error("data " + data->description() + " and indices " + indices->description() +
                      " must have the same non-zero rank");
  if (updates->shape() != indices->shape())
    return args.error("updates " + updates->description() + " must have the shape of indices " +
                      indices->description());
  NNC_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(attr_int(args.node, "axis", 0), rank, args));
  const auto& ds = data->shape();
  const auto& is = indices->shape();
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis && is[d] > ds[d])
      return args.error("indices " + indices->description() + " exceed data " + data->description() + " on axis " +
                        std::to_string(d));
  NNC_ASSIGN_OR_RETURN(auto idx, read_int_values(*indices, args, "indices"));
  const std::vector<int64_t> strides = strides_of(ds);
  std::vector<int64_t> offsets(idx.size());
  std::vector<int64_t> coord(static_cast<size_t>(rank), 0);
  for (size_t i = 0; i < idx.size(); ++i) {
    NNC_ASSIGN_OR_RETURN(int64_t v, wrap_index(idx[i], ds[axis], axis, static_cast<int64_t>(i), is, args));
    int64_t off = 0;
    for (int64_t d = 0; d < rank; ++d) off += (d == axis ? v : coord[d]) * strides[d];
    offsets[i] = off;
    for (int64_t d = rank - 1; d >= 0 && ++coord[d] == is[d]; --d) coord[d] = 0;
  }
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, data->dtype(), ds));
  if (data->storage_bytes()) std::memcpy(out->mutable_raw_data(), data->raw_data(), data->storage_bytes());
  return apply_blocks(args, *out, *updates, offsets, 1, red);
}

}  // namespace nnc::exec::data_ops
