// nnc core: single-axis reduction kernels: ArgMax/ArgMin, Softmax/LogSoftmax/Hardmax, CumSum, TopK.
#include <cmath>
#include <limits>
#include <numeric>
#include <type_traits>

#include "exec/kernels_reduction_common.h"

namespace nnc::exec::reduction_ops {
namespace {

template <typename T>
bool is_nan(T v) {
  return v != v;
}

// ---- ArgMax / ArgMin ----

/// Index of the extreme of one line; ties take the first index (or the last with select_last).
template <typename T>
int64_t arg_extreme(const T* x, const AxisLines& l, int64_t base, bool want_max, bool select_last) {
  int64_t best = 0;
  T best_value = x[base];
  for (int64_t k = 1; k < l.n; ++k) {
    const T v = x[base + k * l.inner];
    if (is_nan(best_value)) break;  // the first NaN wins, as in numpy
    const bool better =
        want_max ? (select_last ? v >= best_value : v > best_value) : (select_last ? v <= best_value : v < best_value);
    if (better || is_nan(v)) {
      best = k;
      best_value = v;
    }
  }
  return best;
}

Status arg_reduce(KernelArgs& args, bool want_max) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "data"));
  NNC_RETURN_IF_ERROR(check_output_slot(args, 0));
  NNC_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(attr_int(args.node, "axis", 0), x->rank(), args));
  const bool keepdims = attr_int(args.node, "keepdims", 1) != 0;
  const bool select_last = attr_int(args.node, "select_last_index", 0) != 0;
  std::vector<int64_t> out_shape = x->shape();
  if (!out_shape.empty()) {
    if (keepdims)
      out_shape[static_cast<size_t>(axis)] = 1;
    else
      out_shape.erase(out_shape.begin() + axis);
  }
  const AxisLines l = lines_around(x->shape(), axis);
  if (l.n == 0 && l.line_count() > 0)
    return args.error("cannot take the arg-extreme over an empty axis of " + x->description());
  return dispatch_numeric(x->dtype(), args, [&]<typename T>() {
    args.outputs[0] = Tensor(DType::kI64, out_shape);
    const T* in = x->data<T>().data();
    int64_t* out = args.outputs[0].mutable_data<int64_t>().data();
    parallel_lines(l, args.pool, [&](int64_t lo, int64_t hi) {
      for (int64_t line = lo; line < hi; ++line) out[line] = arg_extreme(in, l, l.base(line), want_max, select_last);
    });
    return Status::ok();
  });
}

Status arg_max(KernelArgs& args) { return arg_reduce(args, true); }
Status arg_min(KernelArgs& args) { return arg_reduce(args, false); }

// ---- Softmax family ----

enum class SoftmaxKind { kSoftmax, kLogSoftmax, kHardmax };

/// Before opset 13 the input is coerced to 2D [prod(dims[:axis]), prod(dims[axis:])] (axis default 1);
/// from 13 the op works along one axis (default -1).
Expected<AxisLines> softmax_lines(const KernelArgs& args, const Tensor& x) {
  const int64_t rank = x.rank();
  if (rank == 0) return AxisLines{};
  if (args.opset >= 13) {
    NNC_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(attr_int(args.node, "axis", -1), rank, args));
    return lines_around(x.shape(), axis);
  }
  int64_t axis = attr_int(args.node, "axis", 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank)
    return args.error("axis " + std::to_string(attr_int(args.node, "axis", 1)) + " is out of range for rank " +
                      std::to_string(rank));
  AxisLines l;
  for (int64_t d = 0; d < rank; ++d) (d < axis ? l.outer : l.n) *= x.shape()[d];
  return l;
}

template <typename T>
void softmax_line(const T* x, T* y, const AxisLines& l, int64_t base, SoftmaxKind kind) {
  if (l.n == 0) return;
  int64_t arg_max = 0;
  T m = x[base];
  for (int64_t k = 1; k < l.n; ++k)
    if (x[base + k * l.inner] > m) {
      m = x[base + k * l.inner];
      arg_max = k;
    }
  if (kind == SoftmaxKind::kHardmax) {
    for (int64_t k = 0; k < l.n; ++k) y[base + k * l.inner] = k == arg_max ? T(1) : T(0);
    return;
  }
  double sum = 0;
  for (int64_t k = 0; k < l.n; ++k)
    sum += std::exp(static_cast<double>(x[base + k * l.inner]) - static_cast<double>(m));
  const double log_sum = std::log(sum);
  for (int64_t k = 0; k < l.n; ++k) {
    const double shifted = static_cast<double>(x[base + k * l.inner]) - static_cast<double>(m);
    y[base + k * l.inner] = static_cast<T>(kind == SoftmaxKind::kSoftmax ? std::exp(shifted) / sum : shifted - log_sum);
  }
}

template <SoftmaxKind kKind>
Status softmax_family(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "input"));
  NNC_RETURN_IF_ERROR(check_output_slot(args, 0));
  NNC_ASSIGN_OR_RETURN(AxisLines l, softmax_lines(args, *x));
  return dispatch_float(x->dtype(), args, [&]<typename T>() {
    args.outputs[0] = Tensor(x->dtype(), x->shape());
    const T* in = x->data<T>().data();
    T* out = args.outputs[0].mutable_data<T>().data();
    parallel_lines(l, args.pool, [&](int64_t lo, int64_t hi) {
      for (int64_t line = lo; line < hi; ++line) softmax_line(in, out, l, l.base(line), kKind);
    });
    return Status::ok();
  });
}

// ---- CumSum ----

/// Running sums along one line (double for floats, wrap-around for integers).
template <typename T>
void cumsum_line(const T* x, T* y, const AxisLines& l, int64_t base, bool exclusive, bool reverse) {
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;
  Acc acc = 0;
  for (int64_t step = 0; step < l.n; ++step) {
    const int64_t k = reverse ? l.n - 1 - step : step;
    const int64_t o = base + k * l.inner;
    const Acc v = std::is_floating_point_v<T> ? static_cast<Acc>(x[o]) : static_cast<Acc>(static_cast<int64_t>(x[o]));
    if (!exclusive) acc += v;
    y[o] = static_cast<T>(acc);
    if (exclusive) acc += v;
  }
}

Status cumsum(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "x"));
  NNC_ASSIGN_OR_RETURN(const Tensor* axis_tensor, required_input(args, 1, "axis"));
  NNC_RETURN_IF_ERROR(check_output_slot(args, 0));
  NNC_ASSIGN_OR_RETURN(auto axis_values, read_int_values(*axis_tensor, args, "axis"));
  if (axis_values.size() != 1) return args.error("axis must hold one value, got " + axis_tensor->description());
  NNC_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_values[0], x->rank(), args));
  const bool exclusive = attr_int(args.node, "exclusive", 0) != 0;
  const bool reverse = attr_int(args.node, "reverse", 0) != 0;
  const AxisLines l = lines_around(x->shape(), axis);
  return dispatch_numeric(x->dtype(), args, [&]<typename T>() {
    args.outputs[0] = Tensor(x->dtype(), x->shape());
    const T* in = x->data<T>().data();
    T* out = args.outputs[0].mutable_data<T>().data();
    parallel_lines(l, args.pool, [&](int64_t lo, int64_t hi) {
      for (int64_t line = lo; line < hi; ++line) cumsum_line(in, out, l, l.base(line), exclusive, reverse);
    });
    return Status::ok();
  });
}

// ---- TopK ----

/// True when value a (at index ia) comes before b (at ib): larger (or smaller) first, NaN counted
/// as the largest value, ties broken by the lower index.
template <typename T>
bool topk_before(T a, int64_t ia, T b, int64_t ib, bool largest) {
  const bool a_nan = is_nan(a), b_nan = is_nan(b);
  if (a_nan || b_nan) {
    if (a_nan && b_nan) return ia < ib;
    return largest ? a_nan : b_nan;
  }
  if (a != b) return largest ? a > b : a < b;
  return ia < ib;
}

/// K from input 1 (opset >= 10) or attribute k.
Expected<int64_t> topk_k(const KernelArgs& args) {
  if (args.opset < 10) {
    if (!has_attr(args.node, "k")) return args.error("missing attribute 'k'");
    return attr_int(args.node, "k", 0);
  }
  NNC_ASSIGN_OR_RETURN(const Tensor* k_tensor, required_input(args, 1, "K"));
  NNC_ASSIGN_OR_RETURN(auto k_values, read_int_values(*k_tensor, args, "K"));
  if (k_values.size() != 1) return args.error("K must hold one value, got " + k_tensor->description());
  return k_values[0];
}

Status topk(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "X"));
  NNC_RETURN_IF_ERROR(check_output_slot(args, 1));
  if (x->rank() == 0) return args.error("TopK needs an input of rank >= 1, got " + x->description());
  NNC_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(attr_int(args.node, "axis", -1), x->rank(), args));
  NNC_ASSIGN_OR_RETURN(int64_t k, topk_k(args));
  const bool largest = attr_int(args.node, "largest", 1) != 0;
  const AxisLines l = lines_around(x->shape(), axis);
  if (k < 0 || k > l.n)
    return args.error("K = " + std::to_string(k) + " is out of range for axis " + std::to_string(axis) + " of " +
                      x->description());
  std::vector<int64_t> out_shape = x->shape();
  out_shape[static_cast<size_t>(axis)] = k;
  AxisLines out_lines = l;
  out_lines.n = k;
  return dispatch_numeric(x->dtype(), args, [&]<typename T>() {
    args.outputs[0] = Tensor(x->dtype(), out_shape);
    args.outputs[1] = Tensor(DType::kI64, out_shape);
    const T* in = x->data<T>().data();
    T* values = args.outputs[0].mutable_data<T>().data();
    int64_t* indices = args.outputs[1].mutable_data<int64_t>().data();
    if (k == 0) return Status::ok();
    parallel_lines(l, args.pool, [&](int64_t lo, int64_t hi) {
      std::vector<int64_t> order(static_cast<size_t>(l.n));
      for (int64_t line = lo; line < hi; ++line) {
        const int64_t base = l.base(line);
        std::iota(order.begin(), order.end(), int64_t{0});
        std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) {
          return topk_before(in[base + a * l.inner], a, in[base + b * l.inner], b, largest);
        });
        const int64_t out_base = out_lines.base(line);
        for (int64_t j = 0; j < k; ++j) {
          values[out_base + j * l.inner] = in[base + order[static_cast<size_t>(j)] * l.inner];
          indices[out_base + j * l.inner] = order[static_cast<size_t>(j)];
        }
      }
    });
    return Status::ok();
  });
}

constexpr const char* kSoftmaxNote = "f32/f64 (f16/bf16 in f32); 2D coercion before opset 13, one axis from 13";

const KernelEntry kAxisEntries[] = {
    {"", "ArgMax", 1, half_as_f32<arg_max>, "i64 output; select_last_index from opset 12"},
    {"", "ArgMin", 1, half_as_f32<arg_min>, "i64 output; select_last_index from opset 12"},
    {"", "Softmax", 1, half_as_f32<softmax_family<SoftmaxKind::kSoftmax>>, kSoftmaxNote},
    {"", "LogSoftmax", 1, half_as_f32<softmax_family<SoftmaxKind::kLogSoftmax>>, kSoftmaxNote},
    {"", "Hardmax", 1, half_as_f32<softmax_family<SoftmaxKind::kHardmax>>, kSoftmaxNote},
    {"", "CumSum", 11, half_as_f32<cumsum>, ""},
    {"", "TopK", 1, half_as_f32<topk>,
     "k attribute before opset 10, K input from 10; always sorted, ties by lower index"},
};

}  // namespace

std::span<const KernelEntry> axis_entries() { return kAxisEntries; }

}  // namespace nnc::exec::reduction_ops
