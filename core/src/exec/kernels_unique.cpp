// nnc core: Unique (sorted or first-occurrence order, flattened or along an axis; Y, indices, inverse_indices, counts).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <type_traits>

#include "exec/kernels_data.h"
#include "exec/kernels_shape_common.h"

namespace nnc::exec::data_ops {
namespace {

using shape_ops::new_output;
using shape_ops::required_input;

/// Total order for one element: NaN sorts after everything and equals NaN (numpy's unique).
template <typename T>
int compare_values(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    const bool na = std::isnan(a), nb = std::isnan(b);
    if (na || nb) return na == nb ? 0 : (na ? 1 : -1);
  }
  return a < b ? -1 : (b < a ? 1 : 0);
}

/// The layout of the slices Unique compares: `count` slices of outer x inner elements, slice s holding
/// x[o, s, i] for every (o, i) in row-major order.
struct Slices {
  int64_t outer = 1, count = 0, inner = 1;
  int64_t at(int64_t s, int64_t e) const { return ((e / inner) * count + s) * inner + e % inner; }
  int64_t size() const { return outer * inner; }
};

template <typename T>
Status unique_typed(KernelArgs& args, const Tensor& x, const Slices& sl, std::optional<int64_t> axis) {
  const T* v = x.data<T>().data();
  auto cmp = [&](int64_t a, int64_t b) {
    for (int64_t e = 0; e < sl.size(); ++e)
      if (int c = compare_values(v[sl.at(a, e)], v[sl.at(b, e)])) return c;
    return 0;
  };
  std::vector<int64_t> order(static_cast<size_t>(sl.count));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return cmp(a, b) < 0; });
  // Groups of equal slices in sorted order; the stable sort puts each group's first occurrence first.
  std::vector<int64_t> first, counts, group_of(static_cast<size_t>(sl.count));
  for (size_t i = 0; i < order.size(); ++i) {
    if (i == 0 || cmp(order[i - 1], order[i]) != 0) {
      first.push_back(order[i]);
      counts.push_back(0);
    }
    ++counts.back();
    group_of[order[i]] = static_cast<int64_t>(first.size()) - 1;
  }
  const auto n = static_cast<int64_t>(first.size());
  std::vector<int64_t> rank_of(static_cast<size_t>(n));  // group -> output position
  std::iota(rank_of.begin(), rank_of.end(), int64_t{0});
  if (attr_int(args.node, "sorted", 1) == 0) {
    std::vector<int64_t> by_first(static_cast<size_t>(n));
    std::iota(by_first.begin(), by_first.end(), int64_t{0});
    std::sort(by_first.begin(), by_first.end(), [&](int64_t a, int64_t b) { return first[a] < first[b]; });
    for (int64_t p = 0; p < n; ++p) rank_of[by_first[p]] = p;
  }
  std::vector<int64_t> y_shape = axis ? x.shape() : std::vector<int64_t>{n};
  if (axis) y_shape[*axis] = n;
  NNC_ASSIGN_OR_RETURN(Tensor * y, new_output(args, 0, x.dtype(), y_shape));
  T* yd = y->mutable_data<T>().data();
  const Slices out_sl{sl.outer, n, sl.inner};
  std::vector<int64_t> indices(static_cast<size_t>(n)), out_counts(static_cast<size_t>(n));
  for (int64_t g = 0; g < n; ++g) {
    const int64_t p = rank_of[g];
    indices[p] = first[g];
    out_counts[p] = counts[g];
    for (int64_t e = 0; e < sl.size(); ++e) yd[out_sl.at(p, e)] = v[sl.at(first[g], e)];
  }
  auto write_i64 = [&](size_t slot, const std::vector<int64_t>& values) -> Status {
    if (slot >= args.output_count()) return Status::ok();
    NNC_ASSIGN_OR_RETURN(Tensor * t, new_output(args, slot, DType::kI64, {static_cast<int64_t>(values.size())}));
    if (!values.empty()) std::memcpy(t->mutable_raw_data(), values.data(), values.size() * sizeof(int64_t));
    return Status::ok();
  };
  std::vector<int64_t> inverse(static_cast<size_t>(sl.count));
  for (int64_t s = 0; s < sl.count; ++s) inverse[s] = rank_of[group_of[s]];
  NNC_RETURN_IF_ERROR(write_i64(1, indices));
  NNC_RETURN_IF_ERROR(write_i64(2, inverse));
  return write_i64(3, out_counts);
}

}  // namespace

Status unique(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "X"));
  Slices sl;
  std::optional<int64_t> axis;
  if (has_attr(args.node, "axis")) {
    if (x->rank() == 0) return args.error("cannot take unique slices of a scalar along an axis");
    NNC_ASSIGN_OR_RETURN(int64_t a, normalize_axis(attr_int(args.node, "axis", 0), x->rank(), args));
    axis = a;
    const auto& s = x->shape();
    sl.outer = product(std::vector<int64_t>(s.begin(), s.begin() + a));
    sl.count = s[a];
    sl.inner = product(std::vector<int64_t>(s.begin() + a + 1, s.end()));
  } else {
    sl.count = x->element_count();
  }
  if (sl.size() == 0 && sl.count > 0)
    return args.unsupported("unique slices of " + x->description() + " along axis " + std::to_string(*axis) +
                            " are empty");
  return dispatch_all(x->dtype(), args, [&]<typename T>() { return unique_typed<T>(args, *x, sl, axis); });
}

}  // namespace nnc::exec::data_ops
