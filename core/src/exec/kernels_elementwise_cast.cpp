// nnc core: dtype conversion and pass-through kernels (Cast, CastLike, Identity, Dropout) and f16/bf16 codecs.
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <type_traits>

#include "exec/kernels_elementwise_common.h"

namespace nnc::exec::elementwise_ops {

uint16_t float_to_f16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t abs_bits = x & 0x7fffffffu;
  if (abs_bits > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u | ((abs_bits >> 13) & 0x3ffu));  // NaN
  if (abs_bits >= 0x47800000u) return static_cast<uint16_t>(sign | 0x7c00u);  // >= 65536 (and inf): infinity
  if (abs_bits < 0x38800000u) {  // below 2^-14: half subnormal (or zero), in units of 2^-24
    const uint32_t exponent = abs_bits >> 23;
    if (exponent < 102) return sign;  // below 2^-25 (ties at 2^-25 round to even: zero)
    const uint32_t mantissa = (abs_bits & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - exponent;  // 14..24
    uint32_t h = mantissa >> shift;
    const uint32_t rest = mantissa & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (h & 1u))) ++h;
    return static_cast<uint16_t>(sign | h);
  }
  const uint32_t mantissa = abs_bits & 0x7fffffu;
  uint32_t h = ((((abs_bits >> 23) - 127 + 15)) << 10) | (mantissa >> 13);
  const uint32_t rest = mantissa & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;  // carries into the exponent, up to infinity
  return static_cast<uint16_t>(sign | h);
}

float f16_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  const uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0) {
    float v = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -v : v;
  }
  uint32_t bits =
      exponent == 31 ? (sign | 0x7f800000u | (mantissa << 13)) : (sign | ((exponent + 112) << 23) | (mantissa << 13));
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

uint16_t float_to_bf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);  // quiet NaN
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

float bf16_to_float(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

namespace {

/// Storage wrappers so that half types dispatch like the others.
struct Half {
  uint16_t bits;
};
struct BFloat16 {
  uint16_t bits;
};

template <typename T>
constexpr bool is_half_v = std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;

/// Converts one element like numpy's astype: floats truncate toward zero into integers (saturating
/// at the int64 range, or the uint64 range for u64; NaN -> 0), integers wrap, anything nonzero (NaN
/// too) is true.
template <typename S, typename D>
D convert(S v) {
  if constexpr (std::is_same_v<S, Half>) {
    return convert<float, D>(f16_to_float(v.bits));
  } else if constexpr (std::is_same_v<S, BFloat16>) {
    return convert<float, D>(bf16_to_float(v.bits));
  } else if constexpr (std::is_same_v<D, Half>) {
    return Half{float_to_f16(convert<S, float>(v))};
  } else if constexpr (std::is_same_v<D, BFloat16>) {
    return BFloat16{float_to_bf16(convert<S, float>(v))};
  } else if constexpr (std::is_same_v<D, bool>) {
    return v != S(0);
  } else if constexpr (std::is_floating_point_v<S> && std::is_integral_v<D>) {
    if (std::isnan(v)) return D(0);
    if constexpr (std::is_same_v<D, uint64_t>) {
      if (v >= static_cast<S>(18446744073709551616.0)) return std::numeric_limits<uint64_t>::max();
      if (v >= static_cast<S>(9223372036854775808.0)) return static_cast<uint64_t>(v);
    }
    if (v <= static_cast<S>(std::numeric_limits<int64_t>::min()))
      return static_cast<D>(std::numeric_limits<int64_t>::min());
    if (v >= static_cast<S>(std::numeric_limits<int64_t>::max()))
      return static_cast<D>(std::numeric_limits<int64_t>::max());
    return static_cast<D>(static_cast<int64_t>(v));
  } else {
    return static_cast<D>(v);
  }
}

/// dispatch_all plus the half types.
template <typename Fn>
Status dispatch_castable(DType dtype, const KernelArgs& args, Fn&& fn) {
  if (dtype == DType::kF16) return fn.template operator()<Half>();
  if (dtype == DType::kBF16) return fn.template operator()<BFloat16>();
  return dispatch_all(dtype, args, std::forward<Fn>(fn));
}

/// A tensor of `in`'s shape converted to `to`.
Expected<Tensor> converted(const Tensor& in, DType to, const KernelArgs& args) {
  if (in.dtype() == to) return in;
  Tensor out(to, in.shape());
  NNC_RETURN_IF_ERROR(dispatch_castable(in.dtype(), args, [&]<typename S>() {
    return dispatch_castable(to, args, [&]<typename D>() {
      map_unary<S, D>(in, out, args.pool, [](S v) { return convert<S, D>(v); });
      return Status::ok();
    });
  }));
  return out;
}

/// ONNX TensorProto.DataType number -> DType.
Expected<DType> dtype_from_onnx_number(int64_t to, const KernelArgs& args) {
  static const std::map<int64_t, DType> table = {
      {1, DType::kF32}, {2, DType::kU8},   {3, DType::kI8},   {4, DType::kU16},  {5, DType::kI16},
      {6, DType::kI32}, {7, DType::kI64},  {9, DType::kBool}, {10, DType::kF16}, {11, DType::kF64},
      {12, DType::kU32}, {13, DType::kU64}, {16, DType::kBF16},
  };
  auto it = table.find(to);
  if (it == table.end()) return args.unsupported("Cast to ONNX data type " + std::to_string(to) + " is not supported");
  return it->second;
}

/// Opset 1-5 spelled `to` as a string ("FLOAT", "INT64"...).
Expected<DType> dtype_from_onnx_name(const std::string& to, const KernelArgs& args) {
  static const std::map<std::string, int64_t> numbers = {
      {"FLOAT", 1}, {"UINT8", 2}, {"INT8", 3},     {"UINT16", 4},  {"INT16", 5},  {"INT32", 6},
      {"INT64", 7}, {"BOOL", 9},  {"FLOAT16", 10}, {"DOUBLE", 11}, {"UINT32", 12}, {"UINT64", 13},
      {"BFLOAT16", 16},
  };
  auto it = numbers.find(to);
  if (it == numbers.end()) return args.unsupported("Cast to '" + to + "' is not supported");
  return dtype_from_onnx_number(it->second, args);
}

bool is_half(DType d) { return d == DType::kF16 || d == DType::kBF16; }

}  // namespace

Status run_half_as_f32(KernelArgs& args, KernelFn fn) {
  DType first_float = DType::kUndefined;
  bool any_half = false;
  for (const Tensor* t : args.inputs) {
    if (!t) continue;
    if (first_float == DType::kUndefined && is_floating(t->dtype())) first_float = t->dtype();
    any_half = any_half || is_half(t->dtype());
  }
  if (!any_half) return fn(args);
  std::vector<Tensor> widened(args.inputs.size());
  std::vector<const Tensor*> inputs = args.inputs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i] || !is_half(inputs[i]->dtype())) continue;
    NNC_ASSIGN_OR_RETURN(widened[i], converted(*inputs[i], DType::kF32, args));
    inputs[i] = &widened[i];
  }
  KernelArgs inner{args.node, args.opset, std::move(inputs), args.outputs, args.pool};
  NNC_RETURN_IF_ERROR(fn(inner));
  if (!is_half(first_float)) return Status::ok();
  for (Tensor& out : args.outputs)
    if (out.dtype() == DType::kF32) {
      NNC_ASSIGN_OR_RETURN(out, converted(out, first_float, args));
    }
  return Status::ok();
}

namespace {

Status cast(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "input"));
  NNC_RETURN_IF_ERROR(check_output_slot(args, 0));
  const Attribute* to_attr = args.node.attribute("to");
  if (!to_attr) return args.error("missing attribute 'to'");
  DType to = DType::kUndefined;
  if (to_attr->holds<std::string>()) {
    NNC_ASSIGN_OR_RETURN(to, dtype_from_onnx_name(to_attr->get<std::string>(), args));
  } else if (to_attr->holds<int64_t>()) {
    NNC_ASSIGN_OR_RETURN(to, dtype_from_onnx_number(to_attr->get<int64_t>(), args));
  } else {
    return args.error("attribute 'to' must be an int, got " + to_attr->str());
  }
  NNC_ASSIGN_OR_RETURN(args.outputs[0], converted(*x, to, args));
  return Status::ok();
}

/// CastLike: converts input 0 to the dtype of input 1.
Status cast_like(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "input"));
  NNC_ASSIGN_OR_RETURN(const Tensor* like, required_input(args, 1, "target_type"));
  NNC_RETURN_IF_ERROR(check_output_slot(args, 0));
  NNC_ASSIGN_OR_RETURN(args.outputs[0], converted(*x, like->dtype(), args));
  return Status::ok();
}

Status identity(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "input"));
  NNC_RETURN_IF_ERROR(check_output_slot(args, 0));
  args.outputs[0] = *x;
  return Status::ok();
}

/// Inference Dropout: output = input; the optional mask is all true (all ones of the input's
/// dtype before opset 10). Training mode (opset >= 12 input 2) is only accepted with ratio 0.
Status dropout(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "data"));
  NNC_RETURN_IF_ERROR(check_output_slot(args, 0));
  if (args.opset >= 12 && args.input(2)) {
    const Tensor& training = *args.input(2);
    const bool train = training.element_count() > 0 && training.value_as_double(0) != 0;
    const double ratio = args.input(1) && args.input(1)->element_count() > 0 ? args.input(1)->value_as_double(0) : 0.5;
    if (train && ratio != 0)
      return args.unsupported(
          "training-mode Dropout with a nonzero ratio is random; the reference executor runs inference only");
  }
  args.outputs[0] = *x;
  if (args.output_count() > 1) {
    Tensor mask(DType::kBool, x->shape());
    for (bool& m : mask.mutable_data<bool>()) m = true;
    if (args.opset < 10) {
      NNC_ASSIGN_OR_RETURN(mask, converted(mask, x->dtype(), args));
    }
    args.outputs[1] = std::move(mask);
  }
  return Status::ok();
}

const KernelEntry kConversionEntries[] = {
    {"", "Cast", 1, cast, "f32, f64, f16, bf16, i64, i32, i16, i8, u64, u32, u16, u8, bool; no strings"},
    {"", "CastLike", 15, cast_like, "same dtypes as Cast"},
    {"", "Identity", 1, identity, "tensors only"},
    {"", "Dropout", 1, dropout, "inference only (training mode with ratio 0 accepted)"},
};

}  // namespace

std::span<const KernelEntry> conversion_entries() { return kConversionEntries; }

}  // namespace nnc::exec::elementwise_ops
