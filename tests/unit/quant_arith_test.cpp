// nnc tests: fixed-point requantization (TFLite rounding), quantize_multiplier, bfloat16/float16 rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "nnc/quant.h"

namespace nnc {
namespace {

float from_bits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}
uint32_t bits_of(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

TEST(QuantArith, QuantizeMultiplierHandCases) {
  auto m = quantize_multiplier(0.5);
  EXPECT_EQ(m.multiplier, 1 << 30);
  EXPECT_EQ(m.shift, 0);
  m = quantize_multiplier(1.0);
  EXPECT_EQ(m.multiplier, 1 << 30);
  EXPECT_EQ(m.shift, 1);
  m = quantize_multiplier(0.75);
  EXPECT_EQ(m.multiplier, 1610612736);
  EXPECT_EQ(m.shift, 0);
  m = quantize_multiplier(3.0);
  EXPECT_EQ(m.multiplier, 1610612736);
  EXPECT_EQ(m.shift, 2);
  m = quantize_multiplier(0.0);
  EXPECT_EQ(m.multiplier, 0);
  m = quantize_multiplier(1.0 - 1e-12);  // rounds up to 2^31: halved, shift + 1
  EXPECT_EQ(m.multiplier, 1 << 30);
  EXPECT_EQ(m.shift, 1);
  m = quantize_multiplier(std::ldexp(1.0, -40));  // below 2^-32: zero
  EXPECT_EQ(m.multiplier, 0);
}

TEST(QuantArith, MultiplyByQuantizedMultiplierTfliteRounding) {
  const auto half = quantize_multiplier(0.5), quarter = quantize_multiplier(0.25);
  EXPECT_EQ(multiply_by_quantized_multiplier(100, half), 50);
  EXPECT_EQ(multiply_by_quantized_multiplier(3, half), 2);    // 1.5: SRDHM rounds half away from zero
  EXPECT_EQ(multiply_by_quantized_multiplier(-3, half), -1);  // -1.5: SRDHM's nudge is 1 - 2^30 -> -1
  EXPECT_EQ(multiply_by_quantized_multiplier(6, quarter), 2);   // 1.5 -> 2 (RoundingDivideByPOT)
  EXPECT_EQ(multiply_by_quantized_multiplier(-6, quarter), -2); // -1.5 -> -2 (away from zero)
  EXPECT_EQ(multiply_by_quantized_multiplier(5, quarter), 2);   // 1.25: TFLite's double rounding (2.5 -> 3, 1.5 -> 2)
  EXPECT_EQ(multiply_by_quantized_multiplier(-5, quarter), -1); // -1.25: SRDHM -2.5 -> -2, then -1
  EXPECT_EQ(multiply_by_quantized_multiplier(7, quarter), 2);   // 1.75 -> 2
  // Large right shift: 2^30 * 2^-20.
  const auto tiny = quantize_multiplier(std::ldexp(1.0, -20));
  EXPECT_EQ(tiny.shift, -19);
  EXPECT_EQ(multiply_by_quantized_multiplier(1 << 30, tiny), 1 << 10);
  EXPECT_EQ(multiply_by_quantized_multiplier((1 << 19) + (1 << 18), quantize_multiplier(std::ldexp(1.0, -20))), 1);  // 0.75 -> 1
  // Left shift: 100 * 3.
  const auto three = quantize_multiplier(3.0);
  EXPECT_EQ(multiply_by_quantized_multiplier(100, three), 300);
  EXPECT_EQ(multiply_by_quantized_multiplier(-100, three), -300);
  // The left shift saturates at int32 before the multiply.
  const int64_t sat = (int64_t{std::numeric_limits<int32_t>::max()} * 1610612736 + (int64_t{1} << 30)) >> 31;
  EXPECT_EQ(multiply_by_quantized_multiplier(1 << 30, three), sat);
  // Zero multiplier.
  EXPECT_EQ(multiply_by_quantized_multiplier(12345, FixedPointMultiplier{}), 0);
}

TEST(QuantArith, BFloat16RoundsTiesToEven) {
  EXPECT_EQ(bits_of(round_to_bfloat16(from_bits(0x3F808000u))), 0x3F800000u);  // tie, even below
  EXPECT_EQ(bits_of(round_to_bfloat16(from_bits(0x3F818000u))), 0x3F820000u);  // tie, odd below: up
  EXPECT_EQ(bits_of(round_to_bfloat16(from_bits(0x3F808001u))), 0x3F810000u);  // above the tie
  EXPECT_EQ(bits_of(round_to_bfloat16(from_bits(0xBF818000u))), 0xBF820000u);  // negative tie
  EXPECT_TRUE(std::isnan(round_to_bfloat16(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_EQ(round_to_bfloat16(3.0f), 3.0f);
}

TEST(QuantArith, Float16RoundsTiesToEvenAndOverflows) {
  EXPECT_EQ(round_to_float16(1.0f + std::ldexp(1.0f, -11)), 1.0f);
  EXPECT_EQ(round_to_float16(1.0f + 3 * std::ldexp(1.0f, -11)), 1.0f + std::ldexp(1.0f, -9));
  EXPECT_EQ(round_to_float16(65519.0f), 65504.0f);
  EXPECT_TRUE(std::isinf(round_to_float16(65520.0f)));
}

TEST(QuantArith, QuantizeValueRoundsHalfEvenAndSaturates) {
  EXPECT_EQ(quantize_value(2.5f, 1.0f, 0, -128, 127), 2);
  EXPECT_EQ(quantize_value(3.5f, 1.0f, 0, -128, 127), 4);
  EXPECT_EQ(quantize_value(-2.5f, 1.0f, 0, -128, 127), -2);
  EXPECT_EQ(quantize_value(1000.0f, 1.0f, 0, -128, 127), 127);
  EXPECT_EQ(quantize_value(0.5f, 0.1f, 10, 0, 255), 15);
  EXPECT_EQ(quantize_value(std::numeric_limits<float>::quiet_NaN(), 0.1f, 7, 0, 255), 7);
}

}  // namespace
}  // namespace nnc
