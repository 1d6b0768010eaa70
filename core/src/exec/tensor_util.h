// nnc core (internal): helpers shared by kernels: attributes, axes, broadcasting, dtype dispatch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "exec/kernel.h"

namespace nnc::exec {

/// Product of dims (1 for a scalar).
int64_t product(const std::vector<int64_t>& dims);
/// Row-major strides for `dims`.
std::vector<int64_t> strides_of(const std::vector<int64_t>& dims);
/// Normalises a possibly negative axis into [0, rank); error when out of range.
Expected<int64_t> normalize_axis(int64_t axis, int64_t rank, const KernelArgs& args);
/// Numpy-style broadcast of two shapes; error naming both when incompatible.
Expected<std::vector<int64_t>> broadcast_shapes(const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                                                const KernelArgs& args);
/// Strides of `in` (right-aligned) against an `out` shape, with 0 for broadcast dims.
std::vector<int64_t> broadcast_strides(const std::vector<int64_t>& in, const std::vector<int64_t>& out);

/// Reads an integer tensor (i64 or i32) as int64 values (shape arithmetic inputs: axes, shapes, pads).
Expected<std::vector<int64_t>> read_int_values(const Tensor& t, const KernelArgs& args, const char* what);
/// Reads a float-ish scalar or tensor (f32, f64, f16, ints) as doubles.
std::vector<double> read_double_values(const Tensor& t);

/// Attribute getters with defaults.
int64_t attr_int(const Node& n, const char* name, int64_t fallback);
float attr_float(const Node& n, const char* name, float fallback);
std::string attr_string(const Node& n, const char* name, const std::string& fallback);
std::vector<int64_t> attr_ints(const Node& n, const char* name, const std::vector<int64_t>& fallback = {});
std::vector<float> attr_floats(const Node& n, const char* name);
bool has_attr(const Node& n, const char* name);

/// Error unless `t` has dtype `want`.
Status expect_dtype(const Tensor& t, DType want, const KernelArgs& args, const char* what);

/// Calls fn.template operator()<T>() for T matching `dtype` among the types a kernel supports.
/// Returns the kernel's unsupported() error for other dtypes.
#define NNC_DISPATCH_CASE(DT, T) \
  case DT:                       \
    return fn.template operator()<T>();

template <typename Fn>
Status dispatch_numeric(DType dtype, const KernelArgs& args, Fn&& fn) {
  switch (dtype) {
    NNC_DISPATCH_CASE(DType::kF32, float)
    NNC_DISPATCH_CASE(DType::kF64, double)
    NNC_DISPATCH_CASE(DType::kI64, int64_t)
    NNC_DISPATCH_CASE(DType::kI32, int32_t)
    NNC_DISPATCH_CASE(DType::kI16, int16_t)
    NNC_DISPATCH_CASE(DType::kI8, int8_t)
    NNC_DISPATCH_CASE(DType::kU8, uint8_t)
    NNC_DISPATCH_CASE(DType::kU16, uint16_t)
    NNC_DISPATCH_CASE(DType::kU32, uint32_t)
    NNC_DISPATCH_CASE(DType::kU64, uint64_t)
    default:
      return args.unsupported(std::string("dtype ") + dtype_name(dtype) + " is not supported by this kernel");
  }
}

/// Like dispatch_numeric plus bool (stored as uint8_t-compatible `bool`).
template <typename Fn>
Status dispatch_all(DType dtype, const KernelArgs& args, Fn&& fn) {
  if (dtype == DType::kBool) return fn.template operator()<bool>();
  return dispatch_numeric(dtype, args, std::forward<Fn>(fn));
}

}  // namespace nnc::exec
