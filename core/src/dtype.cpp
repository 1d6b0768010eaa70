// nnc core: element-type names, sizes and classification.
#include "nnc/dtype.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace nnc {

const char* dtype_name(DType t) noexcept {
  switch (t) {
    case DType::kUndefined: return "undefined";
    case DType::kF32: return "f32";
    case DType::kF16: return "f16";
    case DType::kBF16: return "bf16";
    case DType::kF64: return "f64";
    case DType::kI64: return "i64";
    case DType::kI32: return "i32";
    case DType::kI16: return "i16";
    case DType::kI8: return "i8";
    case DType::kU8: return "u8";
    case DType::kI4: return "i4";
    case DType::kBool: return "bool";
    case DType::kU16: return "u16";
    case DType::kU32: return "u32";
    case DType::kU64: return "u64";
  }
  return "undefined";
}

std::optional<DType> parse_dtype(std::string_view name) noexcept {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  struct Alias {
    const char* spelling;
    DType type;
  };
  static const Alias aliases[] = {
      {"f32", DType::kF32},    {"float32", DType::kF32}, {"float", DType::kF32},   {"f16", DType::kF16},
      {"float16", DType::kF16}, {"half", DType::kF16},   {"bf16", DType::kBF16},   {"bfloat16", DType::kBF16},
      {"f64", DType::kF64},    {"float64", DType::kF64}, {"double", DType::kF64},  {"i64", DType::kI64},
      {"int64", DType::kI64},  {"i32", DType::kI32},     {"int32", DType::kI32},   {"i16", DType::kI16},
      {"int16", DType::kI16},  {"i8", DType::kI8},       {"int8", DType::kI8},     {"u8", DType::kU8},
      {"uint8", DType::kU8},   {"i4", DType::kI4},       {"int4", DType::kI4},     {"bool", DType::kBool},
      {"u16", DType::kU16},    {"uint16", DType::kU16},  {"u32", DType::kU32},   {"uint32", DType::kU32},
      {"u64", DType::kU64},    {"uint64", DType::kU64},
  };
  for (const auto& a : aliases)
    if (n == a.spelling) return a.type;
  return std::nullopt;
}

int dtype_bits(DType t) noexcept {
  switch (t) {
    case DType::kUndefined: return 0;
    case DType::kF64:
    case DType::kI64:
    case DType::kU64: return 64;
    case DType::kF32:
    case DType::kI32:
    case DType::kU32: return 32;
    case DType::kF16:
    case DType::kBF16:
    case DType::kI16:
    case DType::kU16: return 16;
    case DType::kI8:
    case DType::kU8:
    case DType::kBool: return 8;
    case DType::kI4: return 4;
  }
  return 0;
}

size_t dtype_storage_bytes(DType t, int64_t count) noexcept {
  if (count <= 0) return 0;
  auto bits = static_cast<size_t>(dtype_bits(t));
  return (static_cast<size_t>(count) * bits + 7) / 8;
}

bool is_floating(DType t) noexcept {
  return t == DType::kF32 || t == DType::kF16 || t == DType::kBF16 || t == DType::kF64;
}

bool is_integer(DType t) noexcept {
  return t == DType::kI64 || t == DType::kI32 || t == DType::kI16 || t == DType::kI8 || t == DType::kU8 ||
         t == DType::kI4 || is_unsigned(t);
}

bool is_unsigned(DType t) noexcept {
  return t == DType::kU8 || t == DType::kU16 || t == DType::kU32 || t == DType::kU64;
}

}  // namespace nnc
