// nnc core (internal): broadcasting loops, dtype dispatch, f16 bridging and per-file tables of the elementwise group.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "exec/kernel.h"
#include "exec/tensor_util.h"

namespace nnc::exec::elementwise_ops {

/// Elements per parallel chunk of an elementwise loop.
inline constexpr int64_t kMinChunk = 16384;

/// Calls fn.template operator()<T>() for the floating dtypes computed natively (f32, f64).
template <typename Fn>
Status dispatch_float(DType dtype, const KernelArgs& args, Fn&& fn) {
  switch (dtype) {
    NNC_DISPATCH_CASE(DType::kF32, float)
    NNC_DISPATCH_CASE(DType::kF64, double)
    default:
      return args.unsupported(std::string("dtype ") + dtype_name(dtype) +
                              " is not supported by this kernel (f32, f64)");
  }
}

/// Calls fn for the signed numeric dtypes (floats and signed integers; no unsigned, no bool).
template <typename Fn>
Status dispatch_signed(DType dtype, const KernelArgs& args, Fn&& fn) {
  if (is_unsigned(dtype))
    return args.unsupported(std::string("dtype ") + dtype_name(dtype) +
                            " is not supported by this kernel (signed types only)");
  return dispatch_numeric(dtype, args, std::forward<Fn>(fn));
}

/// Output/input layouts of an N-ary broadcast, coalesced to as few dims as possible. The output is
/// walked as `rows` rows of `inner` elements; input k advances by inner_step[k] (0 or 1) along a row.
template <size_t N>
struct BroadcastPlan {
  std::vector<int64_t> outer_dims;                    ///< output dims except the innermost
  std::array<std::vector<int64_t>, N> outer_strides;  ///< per input, element strides of outer_dims
  std::array<int64_t, N> inner_step{};
  int64_t inner = 1;
  int64_t rows = 0;
};

/// Builds the plan for inputs of `in_shapes` broadcast to `out_shape` (shapes already validated).
template <size_t N>
BroadcastPlan<N> make_broadcast_plan(const std::vector<int64_t>& out_shape,
                                     const std::array<const std::vector<int64_t>*, N>& in_shapes) {
  std::vector<int64_t> dims;
  std::array<std::vector<int64_t>, N> strides;
  std::array<std::vector<int64_t>, N> full;
  for (size_t k = 0; k < N; ++k) full[k] = broadcast_strides(*in_shapes[k], out_shape);
  for (size_t d = 0; d < out_shape.size(); ++d) {
    if (out_shape[d] == 1) continue;
    bool merge = !dims.empty();
    for (size_t k = 0; k < N && merge; ++k) merge = strides[k].back() == full[k][d] * out_shape[d];
    if (merge) {
      dims.back() *= out_shape[d];
      for (size_t k = 0; k < N; ++k) strides[k].back() = full[k][d];
    } else {
      dims.push_back(out_shape[d]);
      for (size_t k = 0; k < N; ++k) strides[k].push_back(full[k][d]);
    }
  }
  BroadcastPlan<N> plan;
  if (!dims.empty()) {
    plan.inner = dims.back();
    dims.pop_back();
    for (size_t k = 0; k < N; ++k) {
      plan.inner_step[k] = strides[k].back();
      strides[k].pop_back();
    }
  }
  plan.rows = product(dims);
  plan.outer_dims = std::move(dims);
  plan.outer_strides = std::move(strides);
  for (int64_t d : out_shape)
    if (d == 0) plan.rows = 0;
  return plan;
}

/// Calls row_fn(out_offset, in_offsets) for every row in [row_begin, row_end) of the plan.
template <size_t N, typename RowFn>
void for_each_row(const BroadcastPlan<N>& plan, int64_t row_begin, int64_t row_end, RowFn&& row_fn) {
  const size_t rank = plan.outer_dims.size();
  std::vector<int64_t> coord(rank, 0);
  std::array<int64_t, N> offsets{};
  int64_t rest = row_begin;
  for (size_t d = rank; d-- > 0;) {
    coord[d] = rest % plan.outer_dims[d];
    rest /= plan.outer_dims[d];
    for (size_t k = 0; k < N; ++k) offsets[k] += coord[d] * plan.outer_strides[k][d];
  }
  for (int64_t row = row_begin; row < row_end; ++row) {
    row_fn(row * plan.inner, offsets);
    for (size_t d = rank; d-- > 0;) {
      for (size_t k = 0; k < N; ++k) offsets[k] += plan.outer_strides[k][d];
      if (++coord[d] < plan.outer_dims[d]) break;
      for (size_t k = 0; k < N; ++k) offsets[k] -= coord[d] * plan.outer_strides[k][d];
      coord[d] = 0;
    }
  }
}

/// Rows per parallel chunk so that a chunk holds about kMinChunk elements.
inline int64_t rows_per_chunk(int64_t inner) { return std::max<int64_t>(1, kMinChunk / std::max<int64_t>(inner, 1)); }

/// out[i] = op(a[i], b[i]) with numpy broadcasting; `out` already has the broadcast shape.
template <typename A, typename B, typename O, typename Op>
void broadcast_binary(const Tensor& a, const Tensor& b, Tensor& out, ThreadPool& pool, Op op) {
  const A* pa = a.data<A>().data();
  const B* pb = b.data<B>().data();
  O* po = out.mutable_data<O>().data();
  const int64_t n = out.element_count();
  if (n == 0) return;
  if (a.element_count() == n && b.element_count() == n) {
    pool.parallel_for(
        n,
        [&](int64_t lo, int64_t hi) {
          for (int64_t i = lo; i < hi; ++i) po[i] = op(pa[i], pb[i]);
        },
        kMinChunk);
    return;
  }
  if (a.element_count() == n && b.element_count() == 1) {
    const B bv = pb[0];
    pool.parallel_for(
        n,
        [&](int64_t lo, int64_t hi) {
          for (int64_t i = lo; i < hi; ++i) po[i] = op(pa[i], bv);
        },
        kMinChunk);
    return;
  }
  if (a.element_count() == 1 && b.element_count() == n) {
    const A av = pa[0];
    pool.parallel_for(
        n,
        [&](int64_t lo, int64_t hi) {
          for (int64_t i = lo; i < hi; ++i) po[i] = op(av, pb[i]);
        },
        kMinChunk);
    return;
  }
  const auto plan = make_broadcast_plan<2>(out.shape(), {&a.shape(), &b.shape()});
  const int64_t sa = plan.inner_step[0], sb = plan.inner_step[1], inner = plan.inner;
  pool.parallel_for(
      plan.rows,
      [&](int64_t lo, int64_t hi) {
        for_each_row(plan, lo, hi, [&](int64_t o, const std::array<int64_t, 2>& off) {
          const A* ra = pa + off[0];
          const B* rb = pb + off[1];
          for (int64_t j = 0; j < inner; ++j) po[o + j] = op(ra[j * sa], rb[j * sb]);
        });
      },
      rows_per_chunk(inner));
}

/// out[i] = op(in[i]) over same-shaped tensors.
template <typename I, typename O, typename Op>
void map_unary(const Tensor& in, Tensor& out, ThreadPool& pool, Op op) {
  const I* pi = in.data<I>().data();
  O* po = out.mutable_data<O>().data();
  pool.parallel_for(
      in.element_count(),
      [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) po[i] = op(pi[i]);
      },
      kMinChunk);
}

/// Input i, or an error naming it when the node does not have it.
Expected<const Tensor*> required_input(const KernelArgs& args, size_t i, const char* what);
/// Error unless output slot `i` exists.
Status check_output_slot(const KernelArgs& args, size_t i);

/// Runs `fn` with f16/bf16 inputs widened to f32, then narrows its f32 outputs back to the dtype of
/// the first floating input when that was f16/bf16 (half-precision ops computed in f32, as ONNX
/// runtimes do). Without half inputs it just calls fn.
Status run_half_as_f32(KernelArgs& args, KernelFn fn);
template <KernelFn F>
Status half_as_f32(KernelArgs& args) {
  return run_half_as_f32(args, F);
}

/// IEEE half <-> float (round to nearest even).
uint16_t float_to_f16(float f);
float f16_to_float(uint16_t h);
/// bfloat16 <-> float (round to nearest even, NaN kept quiet).
uint16_t float_to_bf16(float f);
float bf16_to_float(uint16_t h);

// Table rows of each file of the group; kernels_elementwise.cpp concatenates them.
std::span<const KernelEntry> unary_entries();       ///< kernels_elementwise_unary.cpp
std::span<const KernelEntry> activation_entries();  ///< kernels_elementwise_activation.cpp
std::span<const KernelEntry> binary_entries();      ///< kernels_elementwise_binary.cpp
std::span<const KernelEntry> conversion_entries();  ///< kernels_elementwise_cast.cpp

}  // namespace nnc::exec::elementwise_ops
