// nnc core: unary elementwise kernels without attributes (math functions, Abs/Neg/Sign/Relu, Not, IsNaN, IsInf).
#include <cmath>
#include <limits>
#include <type_traits>

#include "exec/kernels_elementwise_common.h"

namespace nnc::exec::elementwise_ops {

Expected<const Tensor*> required_input(const KernelArgs& args, size_t i, const char* what) {
  const Tensor* t = args.input(i);
  if (!t) return args.error(std::string("missing required input ") + std::to_string(i) + " (" + what + ")");
  return t;
}

Status check_output_slot(const KernelArgs& args, size_t i) {
  if (i < args.outputs.size()) return Status::ok();
  return args.error("the node has no output " + std::to_string(i));
}

namespace {

/// Applies Op::apply<T> to every element of input 0, for the dtypes chosen by `Dispatch`.
template <typename Op, typename Dispatch>
Status unary_same_type(KernelArgs& args, Dispatch dispatch) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "X"));
  NNC_RETURN_IF_ERROR(check_output_slot(args, 0));
  return dispatch(x->dtype(), args, [&]<typename T>() {
    args.outputs[0] = Tensor::uninitialized(x->dtype(), x->shape());
    map_unary<T, T>(*x, args.outputs[0], args.pool, [](T v) { return Op::template apply<T>(v); });
    return Status::ok();
  });
}

template <typename Op>
Status float_kernel(KernelArgs& args) {
  return unary_same_type<Op>(args, [](DType d, const KernelArgs& a, auto&& fn) { return dispatch_float(d, a, fn); });
}

template <typename Op>
Status numeric_kernel(KernelArgs& args) {
  return unary_same_type<Op>(args, [](DType d, const KernelArgs& a, auto&& fn) { return dispatch_numeric(d, a, fn); });
}

template <typename Op>
Status signed_kernel(KernelArgs& args) {
  return unary_same_type<Op>(args, [](DType d, const KernelArgs& a, auto&& fn) { return dispatch_signed(d, a, fn); });
}

#define NNC_UNARY_OP(Name, expr)   \
  struct Name {                    \
    template <typename T>          \
    static T apply(T x) {          \
      return static_cast<T>(expr); \
    }                              \
  };

/// Negation; integers wrap (-INT_MIN == INT_MIN) instead of overflowing.
struct NegOp {
  template <typename T>
  static T apply(T x) {
    if constexpr (std::is_integral_v<T>)
      return static_cast<T>(uint64_t(0) - static_cast<uint64_t>(x));
    else
      return -x;
  }
};
struct AbsOp {
  template <typename T>
  static T apply(T x) {
    if constexpr (std::is_unsigned_v<T>)
      return x;
    else
      return x < T(0) ? NegOp::apply(x) : x;
  }
};
struct SignOp {
  template <typename T>
  static T apply(T x) {
    if constexpr (std::is_unsigned_v<T>)
      return x > T(0) ? T(1) : T(0);
    else if (x != x)
      return x;  // NaN stays NaN
    else
      return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0));
  }
};
NNC_UNARY_OP(ReluOp, x > T(0) ? x : T(0))
NNC_UNARY_OP(FloorOp, std::floor(x))
NNC_UNARY_OP(CeilOp, std::ceil(x))
NNC_UNARY_OP(RoundOp, std::rint(x))  // default rounding mode: half to even, as ONNX requires
NNC_UNARY_OP(SqrtOp, std::sqrt(x))
NNC_UNARY_OP(ReciprocalOp, T(1) / x)
NNC_UNARY_OP(ExpOp, std::exp(x))
NNC_UNARY_OP(LogOp, std::log(x))
NNC_UNARY_OP(ErfOp, std::erf(x))
NNC_UNARY_OP(TanhOp, std::tanh(x))
NNC_UNARY_OP(SigmoidOp, x >= T(0) ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x)))
NNC_UNARY_OP(SoftplusOp, x > T(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)))
NNC_UNARY_OP(SoftsignOp, x / (T(1) + std::abs(x)))
NNC_UNARY_OP(MishOp, std::tanh(SoftplusOp::apply(x)) * x)
NNC_UNARY_OP(SinOp, std::sin(x))
NNC_UNARY_OP(CosOp, std::cos(x))
NNC_UNARY_OP(TanOp, std::tan(x))
NNC_UNARY_OP(AsinOp, std::asin(x))
NNC_UNARY_OP(AcosOp, std::acos(x))
NNC_UNARY_OP(AtanOp, std::atan(x))
NNC_UNARY_OP(SinhOp, std::sinh(x))
NNC_UNARY_OP(CoshOp, std::cosh(x))
NNC_UNARY_OP(AsinhOp, std::asinh(x))
NNC_UNARY_OP(AcoshOp, std::acosh(x))
NNC_UNARY_OP(AtanhOp, std::atanh(x))

#undef NNC_UNARY_OP

/// Not: logical negation of a bool tensor.
Status not_op(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "X"));
  NNC_RETURN_IF_ERROR(check_output_slot(args, 0));
  NNC_RETURN_IF_ERROR(expect_dtype(*x, DType::kBool, args, "input X"));
  args.outputs[0] = Tensor(DType::kBool, x->shape());
  map_unary<bool, bool>(*x, args.outputs[0], args.pool, [](bool v) { return !v; });
  return Status::ok();
}

/// Maps a float tensor to a bool tensor through pred.
template <typename Pred>
Status float_predicate(KernelArgs& args, Pred pred) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "X"));
  NNC_RETURN_IF_ERROR(check_output_slot(args, 0));
  return dispatch_float(x->dtype(), args, [&]<typename T>() {
    args.outputs[0] = Tensor(DType::kBool, x->shape());
    map_unary<T, bool>(*x, args.outputs[0], args.pool, [&](T v) { return pred(static_cast<double>(v)); });
    return Status::ok();
  });
}

Status is_nan(KernelArgs& args) {
  return float_predicate(args, [](double v) { return std::isnan(v); });
}

/// IsInf with detect_negative / detect_positive (both default 1).
Status is_inf(KernelArgs& args) {
  const bool negative = attr_int(args.node, "detect_negative", 1) != 0;
  const bool positive = attr_int(args.node, "detect_positive", 1) != 0;
  return float_predicate(args, [=](double v) { return std::isinf(v) && (v > 0 ? positive : negative); });
}

const KernelEntry kUnaryEntries[] = {
    {"", "Abs", 1, half_as_f32<numeric_kernel<AbsOp>>, ""},
    {"", "Neg", 1, half_as_f32<signed_kernel<NegOp>>, ""},
    {"", "Sign", 9, half_as_f32<numeric_kernel<SignOp>>, ""},
    {"", "Relu", 1, half_as_f32<signed_kernel<ReluOp>>, "f32/f64 and signed integers"},
    {"", "Floor", 1, half_as_f32<float_kernel<FloorOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Ceil", 1, half_as_f32<float_kernel<CeilOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Round", 11, half_as_f32<float_kernel<RoundOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Sqrt", 1, half_as_f32<float_kernel<SqrtOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Reciprocal", 1, half_as_f32<float_kernel<ReciprocalOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Exp", 1, half_as_f32<float_kernel<ExpOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Log", 1, half_as_f32<float_kernel<LogOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Erf", 9, half_as_f32<float_kernel<ErfOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Tanh", 1, half_as_f32<float_kernel<TanhOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Sigmoid", 1, half_as_f32<float_kernel<SigmoidOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Softplus", 1, half_as_f32<float_kernel<SoftplusOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Softsign", 1, half_as_f32<float_kernel<SoftsignOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Mish", 18, half_as_f32<float_kernel<MishOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Sin", 7, half_as_f32<float_kernel<SinOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Cos", 7, half_as_f32<float_kernel<CosOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Tan", 7, half_as_f32<float_kernel<TanOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Asin", 7, half_as_f32<float_kernel<AsinOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Acos", 7, half_as_f32<float_kernel<AcosOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Atan", 7, half_as_f32<float_kernel<AtanOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Sinh", 9, half_as_f32<float_kernel<SinhOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Cosh", 9, half_as_f32<float_kernel<CoshOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Asinh", 9, half_as_f32<float_kernel<AsinhOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Acosh", 9, half_as_f32<float_kernel<AcoshOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Atanh", 9, half_as_f32<float_kernel<AtanhOp>>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Not", 1, not_op, ""},
    {"", "IsNaN", 9, half_as_f32<is_nan>, "f32/f64; f16/bf16 computed in f32"},
    {"", "IsInf", 10, half_as_f32<is_inf>, "f32/f64; f16/bf16 computed in f32"},
};

}  // namespace

std::span<const KernelEntry> unary_entries() { return kUnaryEntries; }

}  // namespace nnc::exec::elementwise_ops
