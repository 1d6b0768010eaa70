// nnc SDK: element types of IR values and tensors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nnc {

/// Element type. kUndefined marks a value whose type is not yet known (before inference).
enum class DType : uint8_t {
  kUndefined = 0,
  kF32,
  kF16,
  kBF16,
  kF64,
  kI64,
  kI32,
  kI16,
  kI8,
  kU8,
  kI4,  ///< signed 4-bit, packed two per byte (low nibble first)
  kBool,
  // Added in SDK 1.1 (appended so that the values above keep their numbers).
  kU16,
  kU32,
  kU64,
};

/// Short name used in dumps and messages: "f32", "i4", "u32", "bool", "undefined".
const char* dtype_name(DType t) noexcept;
/// Inverse of dtype_name; also accepts numpy-ish spellings ("float32", "int8", "uint8", "uint64"...).
std::optional<DType> parse_dtype(std::string_view name) noexcept;
/// Size in bits of one element (4 for kI4, 8 for kBool, 0 for kUndefined).
int dtype_bits(DType t) noexcept;
/// Bytes needed to store `count` elements (rounds up for sub-byte types).
size_t dtype_storage_bytes(DType t, int64_t count) noexcept;
bool is_floating(DType t) noexcept;
bool is_integer(DType t) noexcept;  ///< signed or unsigned integers, not bool
/// Unsigned integers: u8, u16, u32, u64.
bool is_unsigned(DType t) noexcept;

}  // namespace nnc
