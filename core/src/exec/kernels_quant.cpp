// nnc core: integer and quantized linear algebra (ConvInteger, MatMulInteger, QLinearConv, QLinearMatMul).
// The zero points are subtracted up front; the products then run through the f64 Conv / i32 MatMul
// kernels, which are exact for 8-bit operands; QLinear* requantize with round-half-to-even.
#include <cmath>

#include "exec/kernels_linalg.h"
#include "exec/tensor_util.h"

namespace nnc::exec::linalg {
namespace {

bool is_8bit(const Tensor& t) { return t.dtype() == DType::kU8 || t.dtype() == DType::kI8; }

/// Zero point values: empty tensor -> {0}; must hold 1 or `per` values.
Expected<std::vector<double>> zero_points(const KernelArgs& args, const Tensor* zp, int64_t per, const char* what) {
  if (!zp) return std::vector<double>{0.0};
  if (zp->element_count() != 1 && zp->element_count() != per)
    return args.error(std::string(what) + " " + zp->description() + " must hold 1 or " + std::to_string(per) + " values");
  return read_double_values(*zp);
}

/// t - zp as dtype `to`; zp indexed by `axis_of(i)` when it has several values.
template <typename To, typename AxisFn>
Tensor shifted(const Tensor& t, const std::vector<double>& zp, AxisFn axis_of) {
  Tensor out(dtype_of<To>(), t.shape());
  auto o = out.mutable_data<To>();
  for (int64_t i = 0; i < t.element_count(); ++i)
    o[i] = static_cast<To>(t.value_as_double(i) - zp[zp.size() == 1 ? 0 : axis_of(i)]);
  return out;
}

/// round-half-even(acc * scale) + zp saturated to the output type.
void requantize(const Tensor& acc, const std::vector<double>& scale, int64_t per_axis_size, int64_t inner, double zp,
                DType out_type, Tensor& y) {
  y = Tensor(out_type, acc.shape());
  const double lo = out_type == DType::kU8 ? 0 : -128, hi = out_type == DType::kU8 ? 255 : 127;
  for (int64_t i = 0; i < acc.element_count(); ++i) {
    double s = scale[scale.size() == 1 ? 0 : (i / inner) % per_axis_size];
    double v = std::nearbyint(static_cast<double>(static_cast<float>(acc.value_as_double(i) * s))) + zp;
    v = std::min(hi, std::max(lo, v));
    if (out_type == DType::kU8)
      y.mutable_data<uint8_t>()[i] = static_cast<uint8_t>(v);
    else
      y.mutable_data<int8_t>()[i] = static_cast<int8_t>(v);
  }
}

/// Runs `kernel` on `inputs` with this node's attributes; returns its first output.
Expected<Tensor> run_inner(KernelArgs& args, Status (*kernel)(KernelArgs&), std::vector<const Tensor*> inputs) {
  std::vector<Tensor> outs(1);
  KernelArgs inner{args.node, args.opset, std::move(inputs), outs, args.pool};
  NNC_RETURN_IF_ERROR(kernel(inner));
  return outs[0];
}

/// Conv of (x - x_zp) and (w - w_zp) in f64 (exact for 8-bit data), optionally plus bias.
Expected<Tensor> integer_conv(KernelArgs& args, const Tensor& x, const Tensor* xzp, const Tensor& w, const Tensor* wzp,
                              const Tensor* bias) {
  if (!is_8bit(x) || !is_8bit(w)) return args.unsupported("inputs must be uint8 or int8");
  if (x.rank() < 3 || w.rank() != x.rank()) return args.error("X and W must be [N, C, spatial...] of the same rank");
  const int64_t m = w.shape()[0], w_plane = w.element_count() / std::max<int64_t>(m, 1);
  NNC_ASSIGN_OR_RETURN(std::vector<double> xz, zero_points(args, xzp, 1, "x_zero_point"));
  NNC_ASSIGN_OR_RETURN(std::vector<double> wz, zero_points(args, wzp, m, "w_zero_point"));
  Tensor xd = shifted<double>(x, xz, [](int64_t) { return int64_t{0}; });
  Tensor wd = shifted<double>(w, wz, [&](int64_t i) { return i / w_plane; });
  Tensor bd;
  if (bias) bd = shifted<double>(*bias, {0.0}, [](int64_t) { return int64_t{0}; });
  return run_inner(args, conv, {&xd, &wd, bias ? &bd : nullptr});
}

}  // namespace

Status conv_integer(KernelArgs& args) {
  const Tensor* x = args.input(0);
  const Tensor* w = args.input(1);
  if (!x || !w) return args.error("ConvInteger needs inputs x and w");
  NNC_ASSIGN_OR_RETURN(Tensor acc, integer_conv(args, *x, args.input(2), *w, args.input(3), nullptr));
  Tensor y(DType::kI32, acc.shape());
  for (int64_t i = 0; i < acc.element_count(); ++i) y.mutable_data<int32_t>()[i] = static_cast<int32_t>(acc.data<double>()[i]);
  args.outputs[0] = std::move(y);
  return Status::ok();
}

Status qlinear_conv(KernelArgs& args) {
  for (size_t i = 0; i < 8; ++i)
    if (!args.input(i)) return args.error("QLinearConv needs inputs 0-7 (x, scales and zero points, w, y)");
  const Tensor& x = *args.input(0);
  const Tensor& w = *args.input(3);
  const Tensor* b = args.input(8);
  if (b && b->dtype() != DType::kI32) return args.error("B must be int32, got " + b->description());
  NNC_ASSIGN_OR_RETURN(Tensor acc, integer_conv(args, x, args.input(2), w, args.input(5), b));
  const int64_t m = w.shape()[0];
  std::vector<double> xs = read_double_values(*args.input(1)), ws = read_double_values(*args.input(4));
  std::vector<double> ys = read_double_values(*args.input(6)), yz = read_double_values(*args.input(7));
  if (xs.size() != 1 || ys.size() != 1 || yz.size() != 1 || (ws.size() != 1 && static_cast<int64_t>(ws.size()) != m))
    return args.error("x_scale, y_scale and y_zero_point must be scalars and w_scale 1 or M values");
  std::vector<double> scale;
  for (double s : ws) scale.push_back(xs[0] * s / ys[0]);
  const int64_t inner = acc.rank() > 2 ? product(std::vector<int64_t>(acc.shape().begin() + 2, acc.shape().end())) : 1;
  requantize(acc, scale, m, inner, yz[0], args.input(7)->dtype(), args.outputs[0]);
  return Status::ok();
}

namespace {

/// MatMul of (a - a_zp) and (b - b_zp) in int32 (per-row zero points of A, per-column of B).
Expected<Tensor> integer_matmul(KernelArgs& args, const Tensor& a, const Tensor* azp, const Tensor& b, const Tensor* bzp) {
  if (!is_8bit(a) || !is_8bit(b)) return args.unsupported("inputs must be uint8 or int8");
  if (a.rank() == 0 || b.rank() == 0) return args.error("operands must have rank >= 1");
  const int64_t rows = a.rank() >= 2 ? a.shape()[a.rank() - 2] : 1, k = a.shape().back();
  const int64_t cols = b.rank() >= 2 ? b.shape().back() : 1;
  NNC_ASSIGN_OR_RETURN(std::vector<double> az, zero_points(args, azp, rows, "a_zero_point"));
  NNC_ASSIGN_OR_RETURN(std::vector<double> bz, zero_points(args, bzp, cols, "b_zero_point"));
  Tensor ai = shifted<int32_t>(a, az, [&](int64_t i) { return (i / k) % rows; });
  Tensor bi = shifted<int32_t>(b, bz, [&](int64_t i) { return i % cols; });
  return run_inner(args, matmul, {&ai, &bi});
}

}  // namespace

Status matmul_integer(KernelArgs& args) {
  const Tensor* a = args.input(0);
  const Tensor* b = args.input(1);
  if (!a || !b) return args.error("MatMulInteger needs inputs A and B");
  NNC_ASSIGN_OR_RETURN(Tensor y, integer_matmul(args, *a, args.input(2), *b, args.input(3)));
  args.outputs[0] = std::move(y);
  return Status::ok();
}

Status qlinear_matmul(KernelArgs& args) {
  for (size_t i = 0; i < 8; ++i)
    if (!args.input(i)) return args.error("QLinearMatMul needs 8 inputs (a, b, their scales and zero points, y's)");
  const Tensor& a = *args.input(0);
  const Tensor& b = *args.input(3);
  NNC_ASSIGN_OR_RETURN(Tensor acc, integer_matmul(args, a, args.input(2), b, args.input(5)));
  std::vector<double> as = read_double_values(*args.input(1)), bs = read_double_values(*args.input(4));
  std::vector<double> ys = read_double_values(*args.input(6)), yz = read_double_values(*args.input(7));
  const int64_t cols = b.rank() >= 2 ? b.shape().back() : 1;
  if (as.size() != 1 || ys.size() != 1 || yz.size() != 1 || (bs.size() != 1 && static_cast<int64_t>(bs.size()) != cols))
    return args.error("a_scale, y_scale and y_zero_point must be scalars and b_scale 1 or N values");
  std::vector<double> scale;
  for (double s : bs) scale.push_back(as[0] * s / ys[0]);
  requantize(acc, scale, cols, 1, yz[0], args.input(7)->dtype(), args.outputs[0]);
  return Status::ok();
}

}  // namespace nnc::exec::linalg
