// nnc core: GatherND (opsets 11-13, batch_dims from 12): block gathers addressed by index tuples.
#include <algorithm>
#include <cstring>

#include "exec/kernels_shape_common.h"

namespace nnc::exec::shape_ops {

Status gather_nd(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "data"));
  NNC_ASSIGN_OR_RETURN(const Tensor* indices, required_input(args, 1, "indices"));
  if (indices->dtype() != DType::kI64)
    return args.error("indices must be i64, got " + indices->description());
  const int64_t b = attr_int(args.node, "batch_dims", 0);
  if (b != 0 && args.opset < 12)
    return args.error("batch_dims is an opset-12 attribute; the model declares opset " + std::to_string(args.opset));
  const int64_t r = data->rank(), q = indices->rank();
  if (r < 1 || q < 1)
    return args.error("data " + data->description() + " and indices " + indices->description() +
                      " must both have rank >= 1");
  if (b < 0 || b >= std::min(r, q))
    return args.error("batch_dims " + std::to_string(b) + " must be in [0, min(rank(data), rank(indices))) for data " +
                      data->description() + " and indices " + indices->description());
  const auto& ds = data->shape();
  const auto& is = indices->shape();
  for (int64_t d = 0; d < b; ++d)
    if (ds[d] != is[d])
      return args.error("batch dimension " + std::to_string(d) + " differs: data " + data->description() +
                        ", indices " + indices->description());
  const int64_t k = is[q - 1];
  if (k < 1 || k > r - b)
    return args.error("the last dimension of indices " + indices->description() + " is " + std::to_string(k) +
                      "; it must be in [1, " + std::to_string(r - b) + "] for data " + data->description() +
                      " with batch_dims " + std::to_string(b));
  NNC_ASSIGN_OR_RETURN(size_t elem, movable_element_bytes(*data, args));

  std::vector<int64_t> out_shape(is.begin(), is.end() - 1);
  out_shape.insert(out_shape.end(), ds.begin() + b + k, ds.end());
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, data->dtype(), out_shape));

  const int64_t batches = product(std::vector<int64_t>(ds.begin(), ds.begin() + b));
  const int64_t tuples_per_batch = product(std::vector<int64_t>(is.begin() + b, is.end() - 1));
  const int64_t block_elems = product(std::vector<int64_t>(ds.begin() + b + k, ds.end()));
  const std::vector<int64_t> data_strides = strides_of(ds);
  const int64_t batch_stride = b == 0 ? 0 : data_strides[b - 1];
  const size_t block = static_cast<size_t>(block_elems) * elem;
  const int64_t total = batches * tuples_per_batch;
  if (total == 0 || block == 0) return Status::ok();

  // Resolve every tuple to an element offset first, so a bad index is reported before any copy.
  const auto idx = indices->data<int64_t>();
  std::vector<int64_t> offsets(static_cast<size_t>(total));
  for (int64_t t = 0; t < total; ++t) {
    int64_t offset = (t / tuples_per_batch) * batch_stride;
    for (int64_t j = 0; j < k; ++j) {
      const int64_t dim = ds[b + j];
      int64_t v = idx[static_cast<size_t>(t * k + j)];
      if (v < -dim || v >= dim)
        return args.error("index " + std::to_string(v) + " (tuple " + std::to_string(t) + ", position " +
                          std::to_string(j) + ") is out of range for data axis " + std::to_string(b + j) +
                          " of size " + std::to_string(dim));
      if (v < 0) v += dim;
      offset += v * data_strides[b + j];
    }
    offsets[static_cast<size_t>(t)] = offset;
  }
  const std::byte* src = data->raw_data();
  std::byte* dst = out->mutable_raw_data();
  args.pool.parallel_for(total, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t)
      std::memcpy(dst + static_cast<size_t>(t) * block, src + static_cast<size_t>(offsets[t]) * elem, block);
  }, std::max<int64_t>(1, static_cast<int64_t>(65536 / block)));
  return Status::ok();
}

}  // namespace nnc::exec::shape_ops
