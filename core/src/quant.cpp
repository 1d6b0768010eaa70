// nnc core: QuantParams helpers and the fixed-point requantization arithmetic (nnc/quant.h).
#include "nnc/quant.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

namespace nnc {

const char* quant_format_name(QuantFormat f) noexcept {
  switch (f) {
    case QuantFormat::kInt4: return "int4";
    case QuantFormat::kInt8: return "int8";
    case QuantFormat::kUInt8: return "uint8";
    case QuantFormat::kInt16: return "int16";
    case QuantFormat::kInt32: return "int32";
    case QuantFormat::kFloat16: return "float16";
    case QuantFormat::kBFloat16: return "bfloat16";
  }
  return "?";
}

Expected<QuantFormat> parse_quant_format(const std::string& text) {
  std::string t = text;
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (t == "int4" || t == "4") return QuantFormat::kInt4;
  if (t == "int8" || t == "8") return QuantFormat::kInt8;
  if (t == "uint8") return QuantFormat::kUInt8;
  if (t == "int16" || t == "16") return QuantFormat::kInt16;
  if (t == "int32" || t == "32") return QuantFormat::kInt32;
  if (t == "float16" || t == "fp16" || t == "half") return QuantFormat::kFloat16;
  if (t == "bfloat16" || t == "bf16") return QuantFormat::kBFloat16;
  return make_error(ErrorCode::kInvalidArgument, "unknown quantization format '" + text + "'", {},
                    "use int4, int8, uint8, int16, int32, float16 or bfloat16");
}

int quant_format_bits(QuantFormat f) noexcept {
  switch (f) {
    case QuantFormat::kInt4: return 4;
    case QuantFormat::kInt8:
    case QuantFormat::kUInt8: return 8;
    case QuantFormat::kInt16:
    case QuantFormat::kFloat16:
    case QuantFormat::kBFloat16: return 16;
    case QuantFormat::kInt32: return 32;
  }
  return 0;
}

bool quant_format_is_integer(QuantFormat f) noexcept {
  return f != QuantFormat::kFloat16 && f != QuantFormat::kBFloat16;
}

int64_t QuantParams::qmin() const noexcept {
  if (!quant_format_is_integer(format)) return 0;
  if (format == QuantFormat::kUInt8) return 0;
  const int bits = quant_format_bits(format);
  const int64_t lo = -(int64_t{1} << (bits - 1));
  return narrow_range ? lo + 1 : lo;
}

int64_t QuantParams::qmax() const noexcept {
  if (!quant_format_is_integer(format)) return 0;
  if (format == QuantFormat::kUInt8) return 255;
  return (int64_t{1} << (quant_format_bits(format) - 1)) - 1;
}

Status QuantParams::validate(const std::string& what) const {
  auto bad = [&](const std::string& msg) {
    return make_error(ErrorCode::kInvalidArgument, what + ": quantization parameters: " + msg);
  };
  if (!quant_format_is_integer(format)) {
    if (!scale.empty() || !zero_point.empty()) return bad(std::string(quant_format_name(format)) + " takes no scale");
    return Status::ok();
  }
  if (scale.empty()) return bad("no scale");
  if (zero_point.size() != scale.size()) return bad("zero points and scales differ in count");
  if (!per_channel() && scale.size() != 1) return bad("per-tensor parameters need exactly one scale");
  for (size_t i = 0; i < scale.size(); ++i) {
    if (!(scale[i] > 0.0f) || !std::isfinite(scale[i])) return bad("scale " + std::to_string(scale[i]) + " is not positive and finite");
    if (zero_point[i] < qmin() || zero_point[i] > qmax())
      return bad("zero point " + std::to_string(zero_point[i]) + " is outside [" + std::to_string(qmin()) + ", " +
                 std::to_string(qmax()) + "]");
    if (symmetric && zero_point[i] != 0) return bad("symmetric parameters need zero point 0");
  }
  return Status::ok();
}

std::string QuantParams::describe() const {
  std::ostringstream o;
  o << quant_format_name(format);
  if (!quant_format_is_integer(format)) return o.str();
  if (!per_channel()) {
    o << " per-tensor s=" << (scale.empty() ? 0.0f : scale[0]) << " zp=" << (zero_point.empty() ? 0 : zero_point[0]);
  } else {
    auto [lo, hi] = std::minmax_element(scale.begin(), scale.end());
    o << " per-channel(axis " << axis << ", " << scale.size() << ") s=[" << *lo << ".." << *hi << "]";
  }
  if (symmetric) o << " sym";
  return o.str();
}

namespace {

void params_for_channel(QuantParams& p, float lo, float hi) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  p.range_min.push_back(lo);
  p.range_max.push_back(hi);
  const double qmin = static_cast<double>(p.qmin()), qmax = static_cast<double>(p.qmax());
  if (p.symmetric) {
    double m = std::max(std::fabs(double(lo)), std::fabs(double(hi)));
    float s = m > 0 ? static_cast<float>(m / qmax) : 1.0f;
    p.scale.push_back(s > 0 ? s : std::numeric_limits<float>::min());
    p.zero_point.push_back(0);
    return;
  }
  double range = double(hi) - double(lo);
  float s = range > 0 ? static_cast<float>(range / (qmax - qmin)) : 1.0f;
  if (!(s > 0)) s = std::numeric_limits<float>::min();
  double zp = std::nearbyint(qmin - double(lo) / s);
  p.scale.push_back(s);
  p.zero_point.push_back(static_cast<int32_t>(std::clamp(zp, qmin, qmax)));
}

}  // namespace

QuantParams quant_params_from_range(QuantFormat format, float lo, float hi, bool symmetric, bool narrow_range) {
  QuantParams p;
  p.format = format;
  p.symmetric = symmetric && format != QuantFormat::kUInt8;
  p.narrow_range = narrow_range;
  if (!quant_format_is_integer(format)) {
    p.range_min = {lo};
    p.range_max = {hi};
    return p;
  }
  params_for_channel(p, lo, hi);
  return p;
}

QuantParams quant_params_from_ranges(QuantFormat format, const std::vector<float>& lo, const std::vector<float>& hi,
                                     int axis, bool symmetric, bool narrow_range) {
  QuantParams p;
  p.format = format;
  p.axis = axis;
  p.symmetric = symmetric && format != QuantFormat::kUInt8;
  p.narrow_range = narrow_range;
  if (!quant_format_is_integer(format)) {
    p.range_min = lo;
    p.range_max = hi;
    return p;
  }
  for (size_t c = 0; c < lo.size() && c < hi.size(); ++c) params_for_channel(p, lo[c], hi[c]);
  return p;
}

int32_t quantize_value(float x, float scale, int32_t zero_point, int64_t qmin, int64_t qmax) noexcept {
  float v = std::nearbyint(x / scale) + static_cast<float>(zero_point);
  if (std::isnan(v)) return zero_point;
  v = std::clamp(v, static_cast<float>(qmin), static_cast<float>(qmax));
  return static_cast<int32_t>(v);
}

float dequantize_value(int32_t q, float scale, int32_t zero_point) noexcept {
  return static_cast<float>(static_cast<int64_t>(q) - zero_point) * scale;
}

float round_to_bfloat16(float x) noexcept {
  uint32_t bits;
  std::memcpy(&bits, &x, 4);
  if (std::isnan(x)) {
    bits |= 0x00400000u;  // keep it a (quiet) NaN after truncation
  } else {
    bits += 0x7fffu + ((bits >> 16) & 1u);  // round to nearest even on the dropped 16 bits
  }
  bits &= 0xffff0000u;
  float out;
  std::memcpy(&out, &bits, 4);
  return out;
}

float round_to_float16(float x) noexcept {
  // IEEE half: 1 sign, 5 exponent, 10 mantissa bits; round to nearest even; overflow -> inf.
  if (std::isnan(x) || std::isinf(x)) return x;
  const float ax = std::fabs(x);
  if (ax >= 65520.0f) return std::copysign(std::numeric_limits<float>::infinity(), x);
  int e;
  std::frexp(ax, &e);                        // ax = m * 2^e, m in [0.5, 1)
  const int exp = std::max(e - 1, -14);      // subnormals share the smallest exponent
  const float ulp = std::ldexp(1.0f, exp - 10);
  return std::copysign(std::nearbyint(ax / ulp) * ulp, x);
}

FixedPointMultiplier quantize_multiplier(double real_multiplier) noexcept {
  FixedPointMultiplier m;
  if (!(real_multiplier > 0.0) || !std::isfinite(real_multiplier)) return m;
  int shift = 0;
  const double q = std::frexp(real_multiplier, &shift);  // real = q * 2^shift, q in [0.5, 1)
  auto q_fixed = static_cast<int64_t>(std::llround(q * double(int64_t{1} << 31)));
  if (q_fixed == (int64_t{1} << 31)) {
    q_fixed /= 2;
    ++shift;
  }
  if (shift < -31) return FixedPointMultiplier{};  // underflows to zero
  if (shift > 30) {                                // saturate: no accumulator needs more
    shift = 30;
    q_fixed = (int64_t{1} << 31) - 1;
  }
  m.multiplier = static_cast<int32_t>(q_fixed);
  m.shift = shift;
  return m;
}

namespace {

int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) noexcept {
  if (a == b && a == std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::max();
  const int64_t ab = int64_t{a} * int64_t{b};
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

int32_t rounding_divide_by_pot(int32_t x, int exponent) noexcept {
  if (exponent <= 0) return x;
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

}  // namespace

int32_t multiply_by_quantized_multiplier(int32_t acc, FixedPointMultiplier m) noexcept {
  const int left = m.shift > 0 ? m.shift : 0;
  const int right = m.shift > 0 ? 0 : -m.shift;
  int64_t shifted = int64_t{acc} * (int64_t{1} << left);
  shifted = std::clamp<int64_t>(shifted, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(static_cast<int32_t>(shifted), m.multiplier), right);
}

}  // namespace nnc
