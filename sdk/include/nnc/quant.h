// nnc SDK: quantization parameters carried on IR values, and the integer arithmetic every integer path shares.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nnc/status.h"

namespace nnc {

/// Numeric format a value is stored in on the target. Integer formats carry scale/zero point;
/// kFloat16/kBFloat16 are pass-through formats (values rounded to that float type, no scale);
/// kInt32 is the format of biases (scale = input scale x weight scale, zero point 0).
enum class QuantFormat : uint8_t { kInt4, kInt8, kUInt8, kInt16, kInt32, kFloat16, kBFloat16 };

/// "int4", "int8", "uint8", "int16", "int32", "float16", "bfloat16".
const char* quant_format_name(QuantFormat f) noexcept;
/// Inverse of quant_format_name; also accepts "bf16", "fp16", "4", "8", "16" (bits of a signed int).
Expected<QuantFormat> parse_quant_format(const std::string& text);
/// Bits of storage: 4, 8, 8, 16, 32, 16, 16.
int quant_format_bits(QuantFormat f) noexcept;
/// True for the integer formats (scale/zero-point quantization).
bool quant_format_is_integer(QuantFormat f) noexcept;

/// How one IR value is quantized. Per-tensor when `axis` < 0 (scale/zero_point hold one entry),
/// per-channel along `axis` otherwise (one entry per index of that dim).
/// real = (q - zero_point) * scale; q = saturate(round_half_even(real / scale) + zero_point).
struct QuantParams {
  QuantFormat format = QuantFormat::kInt8;
  std::vector<float> scale;          ///< empty for float pass-through formats
  std::vector<int32_t> zero_point;   ///< as many as scale; all 0 when symmetric
  int axis = -1;                     ///< channel axis for per-channel parameters, -1 per-tensor
  bool symmetric = true;             ///< zero point fixed at 0 (signed formats)
  bool narrow_range = false;         ///< signed range without its minimum: [-(2^(b-1)-1), 2^(b-1)-1]
  /// The float range the parameters were derived from (per channel when per-channel), for reports
  /// and re-derivation at another bit width. May be empty for imported parameters.
  std::vector<float> range_min, range_max;
  std::string source;                ///< who set them: "calib.kl", "imported", "weights", ...

  bool per_channel() const noexcept { return axis >= 0; }
  /// Smallest / largest integer code of the format (honours narrow_range); 0 for float formats.
  int64_t qmin() const noexcept;
  int64_t qmax() const noexcept;
  /// Index into scale/zero_point for channel c (0 when per-tensor).
  size_t param_index(int64_t c) const noexcept { return per_channel() ? static_cast<size_t>(c) : 0; }
  /// Consistency: non-empty, positive finite scales for integer formats, zero points in range,
  /// symmetric => zero points 0, sizes agree. `what` names the value in the message.
  Status validate(const std::string& what) const;
  /// "int8 per-tensor s=0.0123 zp=-3" / "int8 per-channel(axis 0, 64) s=[0.001..0.02]".
  std::string describe() const;
};

/// Parameters mapping the float range [lo, hi] onto `format`. The range is first widened to contain 0.
/// Symmetric: scale = max(|lo|, |hi|) / qmax, zero point 0. Asymmetric: scale = (hi - lo) / (qmax - qmin),
/// zero point = saturate(round_half_even(qmin - lo / scale)). A degenerate range (lo == hi == 0) gets
/// scale 1. Float formats get no scale.
QuantParams quant_params_from_range(QuantFormat format, float lo, float hi, bool symmetric,
                                    bool narrow_range = false);
/// Per-channel version: one range per index of `axis`.
QuantParams quant_params_from_ranges(QuantFormat format, const std::vector<float>& lo, const std::vector<float>& hi,
                                     int axis, bool symmetric, bool narrow_range = false);

/// q = saturate(round_half_even(x / scale) + zero_point) into [qmin, qmax] (f32 arithmetic, as ONNX
/// QuantizeLinear); NaN maps to zero_point.
int32_t quantize_value(float x, float scale, int32_t zero_point, int64_t qmin, int64_t qmax) noexcept;
/// (q - zero_point) * scale in f32, as ONNX DequantizeLinear.
float dequantize_value(int32_t q, float scale, int32_t zero_point) noexcept;
/// x rounded to the nearest bfloat16 (round to nearest even, NaN kept) / float16, returned as float.
float round_to_bfloat16(float x) noexcept;
float round_to_float16(float x) noexcept;

/// A real multiplier m in (0, 2^31) as a Q31 fixed-point integer and a power-of-two shift:
/// m ~= multiplier * 2^(shift - 31), multiplier in [2^30, 2^31) (or 0 for m == 0). TFLite's
/// QuantizeMultiplier: the integer reference requantizes accumulators with it.
struct FixedPointMultiplier {
  int32_t multiplier = 0;
  int shift = 0;  ///< > 0 left shift, < 0 right shift
};
FixedPointMultiplier quantize_multiplier(double real_multiplier) noexcept;

/// acc * m with TFLite/gemmlowp rounding: left shift (when shift > 0) saturating, then
/// SaturatingRoundingDoublingHighMul (round half away from zero on the 64-bit product's high half),
/// then RoundingDivideByPOT (round half away from zero) for shift < 0. This is the requantization rule
/// of nnc's integer reference; every integer simulator must reproduce it bit for bit.
int32_t multiply_by_quantized_multiplier(int32_t acc, FixedPointMultiplier m) noexcept;

}  // namespace nnc
