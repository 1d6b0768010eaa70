// nnc core: broadcasting binary/variadic kernels (arithmetic, Pow, Mod, PRelu, Max..Mean, compare, logic, Where).
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "exec/kernels_elementwise_common.h"

namespace nnc::exec::elementwise_ops {
namespace {

// ---- scalar operations (integers wrap around instead of overflowing; x / 0 gives 0) ----

/// Two's-complement wrap-around of an integer result computed in uint64_t.
template <typename T>
T wrapped(uint64_t v) {
  return static_cast<T>(v);
}

struct AddOp {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>)
      return wrapped<T>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
    else
      return a + b;
  }
};
struct SubOp {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>)
      return wrapped<T>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
    else
      return a - b;
  }
};
struct MulOp {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>)
      return wrapped<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
    else
      return a * b;
  }
};
/// Integer division truncates toward zero (like C and ONNX's reference); x / 0 is 0 for integers.
struct DivOp {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      if (b == 0) return T(0);
      if constexpr (std::is_signed_v<T>)
        if (b == T(-1)) return wrapped<T>(uint64_t(0) - static_cast<uint64_t>(a));
      return static_cast<T>(a / b);
    } else {
      return a / b;
    }
  }
};
/// Max/Min propagate NaN like numpy's maximum/minimum.
struct MaxOp {
  template <typename T>
  T operator()(T a, T b) const {
    return (a != a || a > b) ? a : b;
  }
};
struct MinOp {
  template <typename T>
  T operator()(T a, T b) const {
    return (a != a || a < b) ? a : b;
  }
};

/// Mod: fmod=1 is C fmod / truncated remainder; fmod=0 takes the divisor's sign (numpy mod).
template <typename T>
T mod_value(T a, T b, bool c_fmod) {
  if constexpr (std::is_integral_v<T>) {
    if (b == 0) return T(0);
    if constexpr (std::is_signed_v<T>)
      if (b == T(-1)) return T(0);
    T r = static_cast<T>(a % b);
    if constexpr (std::is_signed_v<T>)
      if (!c_fmod && r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
    return r;
  } else {
    T r = std::fmod(a, b);
    if (!c_fmod && r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  }
}

/// x ** y with the base's type: exact integer powers, double precision otherwise.
template <typename X, typename Y>
X pow_value(X x, Y y) {
  if constexpr (std::is_integral_v<X> && std::is_integral_v<Y>) {
    if constexpr (std::is_signed_v<Y>)
      if (y < Y(0)) {
        if constexpr (std::is_signed_v<X>)
          if (x == X(-1)) return (y % 2) ? X(-1) : X(1);
        return x == X(1) ? X(1) : X(0);
      }
    uint64_t result = 1, base = static_cast<uint64_t>(x);
    for (uint64_t e = static_cast<uint64_t>(y); e; e >>= 1, base *= base)
      if (e & 1) result *= base;
    return wrapped<X>(result);
  } else {
    return static_cast<X>(std::pow(static_cast<double>(x), static_cast<double>(y)));
  }
}

// ---- shared plumbing ----

/// The two inputs of a binary node (views sharing the inputs' bytes) and the broadcast output shape.
struct BinaryOperands {
  Tensor a;
  Tensor b;
  std::vector<int64_t> out_shape;
};

/// Before opset 7, `broadcast=1` aligns B with A starting at `axis` (default: right-aligned).
Expected<Tensor> legacy_broadcast_view(const KernelArgs& args, const Tensor& a, const Tensor& b) {
  if (args.opset >= 7 || attr_int(args.node, "broadcast", 0) == 0) return b;
  const int64_t axis = attr_int(args.node, "axis", a.rank() - b.rank());
  const int64_t trailing = a.rank() - (axis < 0 ? axis + a.rank() : axis) - b.rank();
  if (trailing < 0)
    return args.error("legacy broadcast of " + b.description() + " at axis " + std::to_string(axis) + " does not fit " +
                      a.description());
  std::vector<int64_t> shape = b.shape();
  shape.insert(shape.end(), static_cast<size_t>(trailing), 1);
  return b.reshaped(std::move(shape));
}

Expected<BinaryOperands> binary_operands(const KernelArgs& args, bool same_dtype = true) {
  NNC_ASSIGN_OR_RETURN(const Tensor* a, required_input(args, 0, "A"));
  NNC_ASSIGN_OR_RETURN(const Tensor* b, required_input(args, 1, "B"));
  NNC_RETURN_IF_ERROR(check_output_slot(args, 0));
  if (same_dtype && a->dtype() != b->dtype())
    return args.error("inputs must have the same dtype, got " + a->description() + " and " + b->description());
  NNC_ASSIGN_OR_RETURN(Tensor b_view, legacy_broadcast_view(args, *a, *b));
  NNC_ASSIGN_OR_RETURN(auto shape, broadcast_shapes(a->shape(), b_view.shape(), args));
  return BinaryOperands{*a, std::move(b_view), std::move(shape)};
}

/// out = Op(a, b) for numeric dtypes.
template <typename Op>
Status arithmetic(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(BinaryOperands in, binary_operands(args));
  return dispatch_numeric(in.a.dtype(), args, [&]<typename T>() {
    args.outputs[0] = Tensor::uninitialized(in.a.dtype(), in.out_shape);
    if constexpr (std::is_same_v<T, float>) {
      if (const FusedClamp* clamp = args.fused_clamp) {  // a folded Relu/Clip (residual Add + Relu)
        broadcast_binary<T, T, T>(in.a, in.b, args.outputs[0], args.pool,
                                  [clamp](T x, T y) { return (*clamp)(Op{}(x, y)); });
        args.fused_clamp_applied = true;
        return Status::ok();
      }
    }
    broadcast_binary<T, T, T>(in.a, in.b, args.outputs[0], args.pool, [](T x, T y) { return Op{}(x, y); });
    return Status::ok();
  });
}

Status mod(KernelArgs& args) {
  const bool c_fmod = attr_int(args.node, "fmod", 0) != 0;
  NNC_ASSIGN_OR_RETURN(BinaryOperands in, binary_operands(args));
  return dispatch_numeric(in.a.dtype(), args, [&]<typename T>() {
    args.outputs[0] = Tensor(in.a.dtype(), in.out_shape);
    broadcast_binary<T, T, T>(in.a, in.b, args.outputs[0], args.pool,
                              [c_fmod](T x, T y) { return mod_value(x, y, c_fmod); });
    return Status::ok();
  });
}

/// Pow: the exponent may have another numeric dtype; the output has the base's dtype.
Status pow(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(BinaryOperands in, binary_operands(args, /*same_dtype=*/false));
  return dispatch_numeric(in.a.dtype(), args, [&]<typename X>() {
    return dispatch_numeric(in.b.dtype(), args, [&]<typename Y>() {
      args.outputs[0] = Tensor(in.a.dtype(), in.out_shape);
      broadcast_binary<X, Y, X>(in.a, in.b, args.outputs[0], args.pool, [](X x, Y y) { return pow_value(x, y); });
      return Status::ok();
    });
  });
}

/// PRelu: slope broadcasts unidirectionally to X (before opset 7 a [C] slope applies per channel).
Status prelu(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "X"));
  NNC_ASSIGN_OR_RETURN(const Tensor* slope_in, required_input(args, 1, "slope"));
  NNC_RETURN_IF_ERROR(check_output_slot(args, 0));
  if (x->dtype() != slope_in->dtype())
    return args.error("X and slope must have the same dtype, got " + x->description() + " and " +
                      slope_in->description());
  Tensor slope = *slope_in;
  const std::vector<int64_t>& xs = x->shape();
  if (args.opset < 7 && slope.rank() == 1 && xs.size() > 2 && slope.shape()[0] == xs[1] && xs[1] != 1) {
    std::vector<int64_t> per_channel(xs.size() - 1, 1);
    per_channel[0] = xs[1];
    NNC_ASSIGN_OR_RETURN(slope, slope.reshaped(per_channel));
  }
  auto shape = broadcast_shapes(xs, slope.shape(), args);
  if (!shape || *shape != xs)
    return args.error("slope " + slope_in->description() + " does not broadcast to X " + x->description());
  return dispatch_signed(x->dtype(), args, [&]<typename T>() {
    args.outputs[0] = Tensor(x->dtype(), xs);
    broadcast_binary<T, T, T>(*x, slope, args.outputs[0], args.pool,
                              [](T v, T s) { return v < T(0) ? static_cast<T>(s * v) : v; });
    return Status::ok();
  });
}

/// Max/Min/Sum/Mean: folds every present input with Op under multidirectional broadcasting.
template <typename Op>
Status variadic(KernelArgs& args, bool mean) {
  std::vector<const Tensor*> ins;
  for (const Tensor* t : args.inputs)
    if (t) ins.push_back(t);
  if (ins.empty()) return args.error("needs at least one input");
  NNC_RETURN_IF_ERROR(check_output_slot(args, 0));
  std::vector<int64_t> shape = ins[0]->shape();
  for (const Tensor* t : ins) {
    if (t->dtype() != ins[0]->dtype())
      return args.error("inputs must have the same dtype, got " + ins[0]->description() + " and " + t->description());
    NNC_ASSIGN_OR_RETURN(shape, broadcast_shapes(shape, t->shape(), args));
  }
  if (ins.size() == 1) {
    args.outputs[0] = *ins[0];
    return Status::ok();
  }
  return dispatch_numeric(ins[0]->dtype(), args, [&]<typename T>() {
    Tensor& out = args.outputs[0];
    out = Tensor(ins[0]->dtype(), shape);
    broadcast_binary<T, T, T>(*ins[0], *ins[1], out, args.pool, [](T x, T y) { return Op{}(x, y); });
    for (size_t k = 2; k < ins.size(); ++k)
      broadcast_binary<T, T, T>(out, *ins[k], out, args.pool, [](T x, T y) { return Op{}(x, y); });
    if (mean) {
      const T count = static_cast<T>(ins.size());
      map_unary<T, T>(out, out, args.pool, [count](T x) { return static_cast<T>(x / count); });
    }
    return Status::ok();
  });
}

Status max(KernelArgs& args) { return variadic<MaxOp>(args, false); }
Status min(KernelArgs& args) { return variadic<MinOp>(args, false); }
Status sum(KernelArgs& args) { return variadic<AddOp>(args, false); }
Status mean(KernelArgs& args) { return variadic<AddOp>(args, true); }

/// BitShift on unsigned integers: LEFT or RIGHT by B bits (shifts past the width give 0).
Status bit_shift(KernelArgs& args) {
  const std::string direction = attr_string(args.node, "direction", "");
  if (direction != "LEFT" && direction != "RIGHT")
    return args.error("direction must be 'LEFT' or 'RIGHT', got '" + direction + "'");
  const bool left = direction == "LEFT";
  NNC_ASSIGN_OR_RETURN(BinaryOperands in, binary_operands(args));
  if (!is_unsigned(in.a.dtype()))
    return args.unsupported("BitShift takes unsigned integers (u8, u16, u32, u64), got " + in.a.description());
  return dispatch_numeric(in.a.dtype(), args, [&]<typename T>() -> Status {
    if constexpr (std::is_unsigned_v<T>) {
      args.outputs[0] = Tensor(in.a.dtype(), in.out_shape);
      broadcast_binary<T, T, T>(in.a, in.b, args.outputs[0], args.pool, [left](T x, T y) {
        if (y >= T(sizeof(T) * 8)) return T(0);
        return static_cast<T>(left ? x << y : x >> y);
      });
      return Status::ok();
    } else {
      return args.unsupported("BitShift takes unsigned integers, got " + in.a.description());
    }
  });
}

// ---- comparison and logic ----

struct EqualCmp {
  template <typename T>
  bool operator()(T a, T b) const {
    return a == b;
  }
};
struct GreaterCmp {
  template <typename T>
  bool operator()(T a, T b) const {
    return a > b;
  }
};
struct LessCmp {
  template <typename T>
  bool operator()(T a, T b) const {
    return a < b;
  }
};
struct GreaterEqualCmp {
  template <typename T>
  bool operator()(T a, T b) const {
    return a >= b;
  }
};
struct LessEqualCmp {
  template <typename T>
  bool operator()(T a, T b) const {
    return a <= b;
  }
};

/// out (bool) = Cmp(a, b) for numeric and bool inputs.
template <typename Cmp>
Status compare(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(BinaryOperands in, binary_operands(args));
  return dispatch_all(in.a.dtype(), args, [&]<typename T>() {
    args.outputs[0] = Tensor(DType::kBool, in.out_shape);
    broadcast_binary<T, T, bool>(in.a, in.b, args.outputs[0], args.pool, [](T x, T y) { return Cmp{}(x, y); });
    return Status::ok();
  });
}

/// out = Logic(a, b) over bool tensors.
template <typename Logic>
Status logical(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(BinaryOperands in, binary_operands(args));
  NNC_RETURN_IF_ERROR(expect_dtype(in.a, DType::kBool, args, "input A"));
  args.outputs[0] = Tensor(DType::kBool, in.out_shape);
  broadcast_binary<bool, bool, bool>(in.a, in.b, args.outputs[0], args.pool, Logic{});
  return Status::ok();
}

/// Where(condition, X, Y): X where condition is true, else Y, broadcasting all three.
Status where(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* cond, required_input(args, 0, "condition"));
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 1, "X"));
  NNC_ASSIGN_OR_RETURN(const Tensor* y, required_input(args, 2, "Y"));
  NNC_RETURN_IF_ERROR(check_output_slot(args, 0));
  NNC_RETURN_IF_ERROR(expect_dtype(*cond, DType::kBool, args, "condition"));
  if (x->dtype() != y->dtype())
    return args.error("X and Y must have the same dtype, got " + x->description() + " and " + y->description());
  NNC_ASSIGN_OR_RETURN(auto shape, broadcast_shapes(cond->shape(), x->shape(), args));
  NNC_ASSIGN_OR_RETURN(shape, broadcast_shapes(shape, y->shape(), args));
  return dispatch_all(x->dtype(), args, [&]<typename T>() {
    Tensor& out = args.outputs[0];
    out = Tensor(x->dtype(), shape);
    const bool* pc = cond->data<bool>().data();
    const T* px = x->data<T>().data();
    const T* py = y->data<T>().data();
    T* po = out.mutable_data<T>().data();
    if (out.element_count() == 0) return Status::ok();
    const auto plan = make_broadcast_plan<3>(shape, {&cond->shape(), &x->shape(), &y->shape()});
    const int64_t sc = plan.inner_step[0], sx = plan.inner_step[1], sy = plan.inner_step[2];
    args.pool.parallel_for(
        plan.rows,
        [&](int64_t lo, int64_t hi) {
          for_each_row(plan, lo, hi, [&](int64_t o, const std::array<int64_t, 3>& off) {
            for (int64_t j = 0; j < plan.inner; ++j)
              po[o + j] = pc[off[0] + j * sc] ? px[off[1] + j * sx] : py[off[2] + j * sy];
          });
        },
        rows_per_chunk(plan.inner));
    return Status::ok();
  });
}

const KernelEntry kBinaryEntries[] = {
    {"", "Add", 1, half_as_f32<arithmetic<AddOp>>,
     "numpy broadcasting; legacy broadcast/axis attributes before opset 7"},
    {"", "Sub", 1, half_as_f32<arithmetic<SubOp>>, ""},
    {"", "Mul", 1, half_as_f32<arithmetic<MulOp>>, ""},
    {"", "Div", 1, half_as_f32<arithmetic<DivOp>>, "integer division truncates toward zero; x / 0 is 0 for integers"},
    {"", "Mod", 10, half_as_f32<mod>, ""},
    {"", "BitShift", 11, bit_shift, "unsigned integers (u8, u16, u32, u64)"},
    {"", "Pow", 1, half_as_f32<pow>, "base and exponent may differ in dtype"},
    {"", "PRelu", 1, half_as_f32<prelu>, ""},
    {"", "Max", 1, half_as_f32<max>, ""},
    {"", "Min", 1, half_as_f32<min>, ""},
    {"", "Sum", 1, half_as_f32<sum>, ""},
    {"", "Mean", 1, half_as_f32<mean>, ""},
    {"", "Equal", 1, half_as_f32<compare<EqualCmp>>, ""},
    {"", "Greater", 1, half_as_f32<compare<GreaterCmp>>, ""},
    {"", "Less", 1, half_as_f32<compare<LessCmp>>, ""},
    {"", "GreaterOrEqual", 12, half_as_f32<compare<GreaterEqualCmp>>, ""},
    {"", "LessOrEqual", 12, half_as_f32<compare<LessEqualCmp>>, ""},
    {"", "And", 1, logical<std::logical_and<bool>>, ""},
    {"", "Or", 1, logical<std::logical_or<bool>>, ""},
    {"", "Xor", 1, logical<std::not_equal_to<bool>>, ""},
    {"", "Where", 9, half_as_f32<where>, ""},
};

}  // namespace

std::span<const KernelEntry> binary_entries() { return kBinaryEntries; }

}  // namespace nnc::exec::elementwise_ops
