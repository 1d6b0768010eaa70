// nnc core: the reduction-group op table and the Reduce* kernels (axes attribute/input, keepdims, noop).
#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>

#include "exec/kernels_reduction_common.h"

namespace nnc::exec {
namespace reduction_ops {

namespace {

enum class ReduceKind { kSum, kMean, kMax, kMin, kProd, kL1, kL2, kSumSquare, kLogSum, kLogSumExp };

/// Input dims split into kept and reduced groups, adjacent dims of a group merged where contiguous.
struct ReducePlan {
  std::vector<int64_t> out_shape;
  std::vector<int64_t> kept_dims, kept_strides;
  std::vector<int64_t> red_dims, red_strides;
  int64_t out_count = 1;
  int64_t red_count = 1;
};

ReducePlan make_reduce_plan(const std::vector<int64_t>& shape, const std::vector<bool>& reduced, bool keepdims) {
  ReducePlan plan;
  const std::vector<int64_t> strides = strides_of(shape);
  int last_group = -1;  // 0 kept, 1 reduced
  for (size_t d = 0; d < shape.size(); ++d) {
    if (!reduced[d] || keepdims) plan.out_shape.push_back(reduced[d] ? 1 : shape[d]);
    (reduced[d] ? plan.red_count : plan.out_count) *= shape[d];
    if (shape[d] == 1) continue;
    auto& dims = reduced[d] ? plan.red_dims : plan.kept_dims;
    auto& dim_strides = reduced[d] ? plan.red_strides : plan.kept_strides;
    const int group = reduced[d] ? 1 : 0;
    if (last_group == group && dim_strides.back() == strides[d] * shape[d]) {
      dims.back() *= shape[d];
      dim_strides.back() = strides[d];
    } else {
      dims.push_back(shape[d]);
      dim_strides.push_back(strides[d]);
    }
    last_group = group;
  }
  return plan;
}

/// Input offset of the first element reduced into output element `out_index`.
int64_t kept_offset(const ReducePlan& plan, int64_t out_index) {
  int64_t offset = 0;
  for (size_t d = plan.kept_dims.size(); d-- > 0;) {
    offset += (out_index % plan.kept_dims[d]) * plan.kept_strides[d];
    out_index /= plan.kept_dims[d];
  }
  return offset;
}

/// Calls fn(offset) for every input element reduced into the output element whose first offset is `base`.
template <typename Fn>
void for_each_reduced(const ReducePlan& plan, int64_t base, Fn&& fn) {
  if (plan.red_count == 0) return;
  if (plan.red_dims.size() <= 1) {
    const int64_t n = plan.red_dims.empty() ? 1 : plan.red_dims[0];
    const int64_t stride = plan.red_dims.empty() ? 0 : plan.red_strides[0];
    for (int64_t k = 0; k < n; ++k) fn(base + k * stride);
    return;
  }
  const size_t rank = plan.red_dims.size();
  std::vector<int64_t> coord(rank, 0);
  int64_t offset = base;
  for (int64_t k = 0; k < plan.red_count; ++k) {
    fn(offset);
    for (size_t d = rank; d-- > 0;) {
      offset += plan.red_strides[d];
      if (++coord[d] < plan.red_dims[d]) break;
      offset -= coord[d] * plan.red_strides[d];
      coord[d] = 0;
    }
  }
}

/// double -> T, truncating toward zero for integers (NaN -> 0).
template <typename T>
T from_double(double v) {
  if constexpr (std::is_integral_v<T>) {
    if (std::isnan(v)) return T(0);
    if (v <= static_cast<double>(std::numeric_limits<int64_t>::min()))
      return static_cast<T>(std::numeric_limits<int64_t>::min());
    if (v >= static_cast<double>(std::numeric_limits<int64_t>::max()))
      return static_cast<T>(std::numeric_limits<int64_t>::max());
    return static_cast<T>(static_cast<int64_t>(v));
  } else {
    return static_cast<T>(v);
  }
}

/// Sum (or sum of squares / absolute values) in the accumulation type: double for floats,
/// wrap-around uint64 for integers (returned as int64 for signed, uint64 for unsigned types).
template <typename T, typename Transform>
auto accumulate_sum(const T* x, const ReducePlan& plan, int64_t base, Transform transform) {
  if constexpr (std::is_floating_point_v<T>) {
    double acc = 0;
    for_each_reduced(plan, base, [&](int64_t o) { acc += transform(static_cast<double>(x[o])); });
    return acc;
  } else if constexpr (std::is_unsigned_v<T>) {
    uint64_t acc = 0;
    for_each_reduced(plan, base, [&](int64_t o) { acc += transform(static_cast<uint64_t>(x[o])); });
    return acc;
  } else {
    uint64_t acc = 0;
    for_each_reduced(plan, base,
                     [&](int64_t o) { acc += static_cast<uint64_t>(transform(static_cast<int64_t>(x[o]))); });
    return static_cast<int64_t>(acc);
  }
}

template <typename T>
T reduce_extreme(const T* x, const ReducePlan& plan, int64_t base, bool want_max) {
  T acc = want_max
              ? (std::is_floating_point_v<T> ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest())
              : (std::is_floating_point_v<T> ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max());
  // Once acc is NaN every comparison fails, so a NaN anywhere wins (numpy semantics).
  for_each_reduced(plan, base, [&](int64_t o) {
    const T v = x[o];
    if (want_max ? v > acc : v < acc)
      acc = v;
    else if (v != v)
      acc = v;
  });
  return acc;
}

template <typename T>
T reduce_product(const T* x, const ReducePlan& plan, int64_t base) {
  if constexpr (std::is_floating_point_v<T>) {
    double acc = 1;
    for_each_reduced(plan, base, [&](int64_t o) { acc *= static_cast<double>(x[o]); });
    return static_cast<T>(acc);
  } else {
    uint64_t acc = 1;
    for_each_reduced(plan, base, [&](int64_t o) { acc *= static_cast<uint64_t>(static_cast<int64_t>(x[o])); });
    return static_cast<T>(acc);
  }
}

/// log(sum(exp(x))) computed around the maximum.
template <typename T>
T reduce_log_sum_exp(const T* x, const ReducePlan& plan, int64_t base) {
  double m = -std::numeric_limits<double>::infinity();
  for_each_reduced(plan, base, [&](int64_t o) { m = std::max(m, static_cast<double>(x[o])); });
  if (!std::isfinite(m)) return from_double<T>(m);
  double s = 0;
  for_each_reduced(plan, base, [&](int64_t o) { s += std::exp(static_cast<double>(x[o]) - m); });
  return from_double<T>(m + std::log(s));
}

/// One output element of reduction `kind`.
template <typename T>
T reduce_one(ReduceKind kind, const T* x, const ReducePlan& plan, int64_t base) {
  auto same = [](auto v) { return v; };
  auto absolute = [](auto v) {
    if constexpr (std::is_unsigned_v<decltype(v)>)
      return v;
    else
      return v < 0 ? -v : v;
  };
  auto square = [](auto v) { return v * v; };
  switch (kind) {
    case ReduceKind::kSum:
      return static_cast<T>(accumulate_sum(x, plan, base, same));
    case ReduceKind::kMean: {
      auto total = accumulate_sum(x, plan, base, same);
      if constexpr (std::is_floating_point_v<T>)
        return static_cast<T>(total / static_cast<double>(plan.red_count));
      else
        return plan.red_count == 0 ? T(0) : static_cast<T>(total / plan.red_count);
    }
    case ReduceKind::kMax:
      return reduce_extreme(x, plan, base, true);
    case ReduceKind::kMin:
      return reduce_extreme(x, plan, base, false);
    case ReduceKind::kProd:
      return reduce_product(x, plan, base);
    case ReduceKind::kL1:
      return static_cast<T>(accumulate_sum(x, plan, base, absolute));
    case ReduceKind::kSumSquare:
      return static_cast<T>(accumulate_sum(x, plan, base, square));
    case ReduceKind::kL2:
      return from_double<T>(std::sqrt(static_cast<double>(accumulate_sum(x, plan, base, square))));
    case ReduceKind::kLogSum:
      return from_double<T>(std::log(static_cast<double>(accumulate_sum(x, plan, base, same))));
    case ReduceKind::kLogSumExp:
      return reduce_log_sum_exp(x, plan, base);
  }
  return T(0);
}

/// The axes to reduce: input 1 when present (ReduceSum from opset 13, the others from 18), else
/// the `axes` attribute; nullopt when neither is given.
Expected<std::optional<std::vector<int64_t>>> requested_axes(const KernelArgs& args) {
  if (const Tensor* axes = args.input(1)) {
    NNC_ASSIGN_OR_RETURN(auto values, read_int_values(*axes, args, "axes"));
    return std::optional<std::vector<int64_t>>(std::move(values));
  }
  if (has_attr(args.node, "axes")) return std::optional<std::vector<int64_t>>(attr_ints(args.node, "axes"));
  return std::optional<std::vector<int64_t>>();
}

template <ReduceKind kKind>
Status reduce(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "data"));
  NNC_RETURN_IF_ERROR(check_output_slot(args, 0));
  NNC_ASSIGN_OR_RETURN(auto axes, requested_axes(args));
  const bool keepdims = attr_int(args.node, "keepdims", 1) != 0;
  const bool no_axes = !axes || axes->empty();
  if (no_axes && attr_int(args.node, "noop_with_empty_axes", 0) != 0) {
    args.outputs[0] = *x;
    return Status::ok();
  }
  std::vector<bool> reduced(x->shape().size(), no_axes);
  if (!no_axes) {
    for (int64_t axis : *axes) {
      NNC_ASSIGN_OR_RETURN(int64_t a, normalize_axis(axis, x->rank(), args));
      if (a < x->rank()) reduced[static_cast<size_t>(a)] = true;
    }
  }
  const ReducePlan plan = make_reduce_plan(x->shape(), reduced, keepdims);
  return dispatch_numeric(x->dtype(), args, [&]<typename T>() {
    args.outputs[0] = Tensor(x->dtype(), plan.out_shape);
    const T* in = x->data<T>().data();
    T* out = args.outputs[0].mutable_data<T>().data();
    args.pool.parallel_for(
        plan.out_count,
        [&](int64_t lo, int64_t hi) {
          for (int64_t i = lo; i < hi; ++i) out[i] = reduce_one<T>(kKind, in, plan, kept_offset(plan, i));
        },
        std::max<int64_t>(1, kMinChunk / std::max<int64_t>(plan.red_count, 1)));
    return Status::ok();
  });
}

constexpr const char* kAxesNote = "axes attribute or input (input from opset 18); f16/bf16 computed in f32";

const KernelEntry kReduceEntries[] = {
    {"", "ReduceSum", 1, half_as_f32<reduce<ReduceKind::kSum>>, "axes attribute or input (input from opset 13)"},
    {"", "ReduceMean", 1, half_as_f32<reduce<ReduceKind::kMean>>, kAxesNote},
    {"", "ReduceMax", 1, half_as_f32<reduce<ReduceKind::kMax>>, kAxesNote},
    {"", "ReduceMin", 1, half_as_f32<reduce<ReduceKind::kMin>>, kAxesNote},
    {"", "ReduceProd", 1, half_as_f32<reduce<ReduceKind::kProd>>, kAxesNote},
    {"", "ReduceL1", 1, half_as_f32<reduce<ReduceKind::kL1>>, kAxesNote},
    {"", "ReduceL2", 1, half_as_f32<reduce<ReduceKind::kL2>>, kAxesNote},
    {"", "ReduceSumSquare", 1, half_as_f32<reduce<ReduceKind::kSumSquare>>, kAxesNote},
    {"", "ReduceLogSum", 1, half_as_f32<reduce<ReduceKind::kLogSum>>, kAxesNote},
    {"", "ReduceLogSumExp", 1, half_as_f32<reduce<ReduceKind::kLogSumExp>>, kAxesNote},
};

}  // namespace

std::span<const KernelEntry> reduce_entries() { return kReduceEntries; }

}  // namespace reduction_ops

std::span<const KernelEntry> reduction_kernels() {
  static const std::vector<KernelEntry> table = [] {
    std::vector<KernelEntry> t;
    for (auto part : {reduction_ops::reduce_entries(), reduction_ops::axis_entries()})
      t.insert(t.end(), part.begin(), part.end());
    return t;
  }();
  return table;
}

}  // namespace nnc::exec
