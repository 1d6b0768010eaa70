// nnc core: index-driven copies: OneHot, Trilu, Compress, EyeLike, ReverseSequence.
#include <cmath>
#include <cstring>
#include <map>

#include "exec/kernels_data.h"
#include "exec/kernels_shape_common.h"

namespace nnc::exec::data_ops {
namespace {

using shape_ops::dims_text;
using shape_ops::movable_element_bytes;
using shape_ops::new_output;
using shape_ops::required_input;

/// Reads a one-element tensor as double; error naming it otherwise.
Expected<double> scalar_value(const Tensor& t, const KernelArgs& args, const char* what) {
  if (t.element_count() != 1)
    return args.error(std::string(what) + " must hold exactly one value, got " + t.description());
  if (t.dtype() == DType::kI4 || t.dtype() == DType::kUndefined)
    return args.unsupported(std::string(what) + " of dtype " + dtype_name(t.dtype()));
  return t.value_as_double(0);
}

/// ONNX TensorProto.DataType number -> DType for the types EyeLike can produce.
Expected<DType> dtype_from_onnx(int64_t v, const KernelArgs& args) {
  static const std::map<int64_t, DType> table = {
      {1, DType::kF32}, {2, DType::kU8},   {3, DType::kI8},   {5, DType::kI16},  {6, DType::kI32},
      {7, DType::kI64}, {9, DType::kBool}, {10, DType::kF16}, {11, DType::kF64}, {16, DType::kBF16},
  };
  auto it = table.find(v);
  if (it == table.end()) return args.unsupported("output ONNX data type " + std::to_string(v));
  return it->second;
}

}  // namespace

Status one_hot(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* indices, required_input(args, 0, "indices"));
  NNC_ASSIGN_OR_RETURN(const Tensor* depth_in, required_input(args, 1, "depth"));
  NNC_ASSIGN_OR_RETURN(const Tensor* values, required_input(args, 2, "values"));
  NNC_ASSIGN_OR_RETURN(double depth_value, scalar_value(*depth_in, args, "depth"));
  if (!(depth_value >= 1) || depth_value > double(int64_t{1} << 40))
    return args.error("depth " + std::to_string(depth_value) + " must be a positive number of classes");
  const auto depth = static_cast<int64_t>(depth_value);
  if (values->element_count() != 2)
    return args.error("values must hold exactly [off_value, on_value], got " + values->description());
  if (indices->dtype() == DType::kI4 || indices->dtype() == DType::kUndefined || indices->dtype() == DType::kBool)
    return args.unsupported(std::string("indices of dtype ") + dtype_name(indices->dtype()));
  NNC_ASSIGN_OR_RETURN(size_t elem, movable_element_bytes(*values, args));
  const int64_t rank = indices->rank();
  NNC_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(attr_int(args.node, "axis", -1), rank + 1, args));
  std::vector<int64_t> shape = indices->shape();
  shape.insert(shape.begin() + axis, depth);
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, values->dtype(), shape));
  const int64_t inner = product(std::vector<int64_t>(indices->shape().begin() + axis, indices->shape().end()));
  const int64_t count = indices->element_count();
  const std::byte* off_value = values->raw_data();
  const std::byte* on_value = values->raw_data() + elem;
  std::byte* dst = out->mutable_raw_data();
  for (int64_t i = 0; i < out->element_count(); ++i) std::memcpy(dst + static_cast<size_t>(i) * elem, off_value, elem);
  // Per the spec, an index outside [-depth, depth - 1] yields a row of off_value (not an error).
  for (int64_t p = 0; p < count; ++p) {
    const double raw = std::trunc(indices->value_as_double(p));
    if (!(raw >= static_cast<double>(-depth) && raw < static_cast<double>(depth))) continue;  // NaN too
    auto v = static_cast<int64_t>(raw);
    if (v < 0) v += depth;
    const int64_t o = p / inner, in = p % inner;
    std::memcpy(dst + static_cast<size_t>((o * depth + v) * inner + in) * elem, on_value, elem);
  }
  return Status::ok();
}

Status trilu(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "input"));
  if (x->rank() < 2) return args.error("input " + x->description() + " must have rank >= 2");
  int64_t k = 0;
  if (const Tensor* k_in = args.input(1)) {
    NNC_ASSIGN_OR_RETURN(auto kv, read_int_values(*k_in, args, "k"));
    if (kv.size() != 1) return args.error("k must be a single int64 value, got " + k_in->description());
    k = kv[0];
  }
  const bool upper = attr_int(args.node, "upper", 1) != 0;
  NNC_ASSIGN_OR_RETURN(size_t elem, movable_element_bytes(*x, args));
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, x->dtype(), x->shape()));
  const int64_t rows = x->shape()[x->rank() - 2], cols = x->shape()[x->rank() - 1];
  const int64_t mats = rows > 0 && cols > 0 ? x->element_count() / (rows * cols) : 0;
  const std::byte* src = x->raw_data();
  std::byte* dst = out->mutable_raw_data();
  for (int64_t m = 0; m < mats; ++m)
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        const bool keep = upper ? j - i >= k : j - i <= k;
        if (!keep) continue;  // the output is zero-filled
        const size_t at = static_cast<size_t>((m * rows + i) * cols + j) * elem;
        std::memcpy(dst + at, src + at, elem);
      }
  return Status::ok();
}

Status compress(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "input"));
  NNC_ASSIGN_OR_RETURN(const Tensor* cond, required_input(args, 1, "condition"));
  if (cond->dtype() != DType::kBool) return args.error("condition must be bool, got " + cond->description());
  if (cond->rank() != 1) return args.error("condition must be 1-D, got " + cond->description());
  NNC_ASSIGN_OR_RETURN(size_t elem, movable_element_bytes(*x, args));
  const bool flat = !has_attr(args.node, "axis");
  std::vector<int64_t> shape = flat ? std::vector<int64_t>{x->element_count()} : x->shape();
  int64_t axis = 0;
  if (!flat) {
    if (x->rank() == 0) return args.error("cannot compress a scalar along an axis");
    NNC_ASSIGN_OR_RETURN(axis, normalize_axis(attr_int(args.node, "axis", 0), x->rank(), args));
  }
  const int64_t dim = shape[axis];
  auto c = cond->data<uint8_t>();  // bool storage, read as bytes
  std::vector<int64_t> keep;
  for (int64_t i = 0; i < static_cast<int64_t>(c.size()); ++i) {
    if (!c[i]) continue;
    if (i >= dim)
      return args.error("condition selects index " + std::to_string(i) + " but axis " + std::to_string(axis) + " of " +
                        (flat ? "the flattened input" : x->description()) + " has size " + std::to_string(dim));
    keep.push_back(i);
  }
  std::vector<int64_t> out_shape = shape;
  out_shape[axis] = static_cast<int64_t>(keep.size());
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, x->dtype(), out_shape));
  const int64_t outer = product(std::vector<int64_t>(shape.begin(), shape.begin() + axis));
  const size_t block = static_cast<size_t>(product(std::vector<int64_t>(shape.begin() + axis + 1, shape.end()))) * elem;
  const std::byte* src = x->raw_data();
  std::byte* dst = out->mutable_raw_data();
  if (block == 0) return Status::ok();
  for (int64_t o = 0; o < outer; ++o)
    for (size_t j = 0; j < keep.size(); ++j)
      std::memcpy(dst + (static_cast<size_t>(o) * keep.size() + j) * block,
                  src + static_cast<size_t>(o * dim + keep[j]) * block, block);
  return Status::ok();
}

Status eye_like(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "input"));
  if (x->rank() != 2) return args.error("input " + x->description() + " must be 2-D");
  DType dtype = x->dtype();
  if (has_attr(args.node, "dtype")) {
    NNC_ASSIGN_OR_RETURN(dtype, dtype_from_onnx(attr_int(args.node, "dtype", 1), args));
  }
  if (shape_ops::element_bytes(dtype) == 0) return args.unsupported(std::string("output dtype ") + dtype_name(dtype));
  const int64_t k = attr_int(args.node, "k", 0);
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, dtype, x->shape()));
  const int64_t rows = x->shape()[0], cols = x->shape()[1];
  const size_t elem = shape_ops::element_bytes(dtype);
  std::byte* dst = out->mutable_raw_data();
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t j = i + k;
    if (j >= 0 && j < cols) shape_ops::store_double(dtype, 1.0, dst + static_cast<size_t>(i * cols + j) * elem);
  }
  return Status::ok();
}

Status reverse_sequence(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "input"));
  NNC_ASSIGN_OR_RETURN(const Tensor* lens_in, required_input(args, 1, "sequence_lens"));
  if (x->rank() < 2) return args.error("input " + x->description() + " must have rank >= 2");
  const int64_t time_axis = attr_int(args.node, "time_axis", 0), batch_axis = attr_int(args.node, "batch_axis", 1);
  if (!((time_axis == 0 && batch_axis == 1) || (time_axis == 1 && batch_axis == 0)))
    return args.error("time_axis " + std::to_string(time_axis) + " and batch_axis " + std::to_string(batch_axis) +
                      " must be 0 and 1 in some order");
  NNC_ASSIGN_OR_RETURN(size_t elem, movable_element_bytes(*x, args));
  NNC_ASSIGN_OR_RETURN(auto lens, read_int_values(*lens_in, args, "sequence_lens"));
  const int64_t steps = x->shape()[time_axis], batch = x->shape()[batch_axis];
  if (lens_in->rank() != 1 || static_cast<int64_t>(lens.size()) != batch)
    return args.error("sequence_lens " + lens_in->description() + " must be 1-D with one length per batch entry (" +
                      std::to_string(batch) + ")");
  for (int64_t b = 0; b < batch; ++b)
    if (lens[b] < 0 || lens[b] > steps)
      return args.error("sequence_lens[" + std::to_string(b) + "] = " + std::to_string(lens[b]) +
                        " is out of range for a time axis of size " + std::to_string(steps) + " (valid: 0.." +
                        std::to_string(steps) + ")");
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, x->dtype(), x->shape()));
  const size_t block =
      static_cast<size_t>(product(std::vector<int64_t>(x->shape().begin() + 2, x->shape().end()))) * elem;
  const int64_t time_stride = time_axis == 0 ? batch : 1, batch_stride = time_axis == 0 ? 1 : steps;
  const std::byte* src = x->raw_data();
  std::byte* dst = out->mutable_raw_data();
  if (block == 0) return Status::ok();
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t t = 0; t < steps; ++t) {
      const int64_t from = t < lens[b] ? lens[b] - 1 - t : t;
      std::memcpy(dst + static_cast<size_t>(b * batch_stride + t * time_stride) * block,
                  src + static_cast<size_t>(b * batch_stride + from * time_stride) * block, block);
    }
  return Status::ok();
}

}  // namespace nnc::exec::data_ops
