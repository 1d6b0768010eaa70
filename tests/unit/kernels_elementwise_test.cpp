// nnc tests: reference elementwise kernels (math, activations, broadcasting, logic, Where, Cast) via the op table.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "kernel_run_helpers.h"

namespace nnc {
namespace {

using kernel_test::expect_tensor;
using kernel_test::f32;
using kernel_test::i64;
using kernel_test::run1;
using kernel_test::run_error;
using kernel_test::run_op;
using kernel_test::tensor;
using kernel_test::values;

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

TEST(ElementwiseKernels, EveryOpIsInTheTable) {
  for (const char* op : {"Abs",         "Neg",
                         "Floor",       "Ceil",
                         "Sqrt",        "Reciprocal",
                         "Exp",         "Log",
                         "Erf",         "Sigmoid",
                         "Tanh",        "Softplus",
                         "Relu",        "Sin",
                         "Cos",         "Sign",
                         "Round",       "Not",
                         "LeakyRelu",   "Elu",
                         "Selu",        "HardSigmoid",
                         "HardSwish",   "Clip",
                         "PRelu",       "Add",
                         "Sub",         "Mul",
                         "Div",         "Pow",
                         "Max",         "Min",
                         "Sum",         "Mean",
                         "Equal",       "Greater",
                         "Less",        "GreaterOrEqual",
                         "LessOrEqual", "And",
                         "Or",          "Xor",
                         "Where",       "Cast",
                         "Identity",    "Dropout"})
    EXPECT_NE(exec::find_kernel("", op), nullptr) << op;
}

TEST(ElementwiseKernels, UnaryMathMatchesTheSpecExamples) {
  const Tensor x = f32({-1, 0, 1}, {3});
  expect_tensor(run1("Softplus", {x}), DType::kF32, {3}, {0.31326166, 0.69314718, 1.31326163});
  expect_tensor(run1("Sigmoid", {x}), DType::kF32, {3}, {0.26894143, 0.5, 0.7310586});
  expect_tensor(run1("Erf", {f32({0.5f, -2}, {2})}), DType::kF32, {2}, {0.52049988, -0.99532227});
  expect_tensor(run1("Reciprocal", {f32({-4, 2}, {2})}), DType::kF32, {2}, {-0.25, 0.5});
  expect_tensor(run1("Abs", {i64({-3, 4}, {2})}), DType::kI64, {2}, {3, 4});
  expect_tensor(run1("Neg", {tensor<int32_t>({-3, 4}, {2})}), DType::kI32, {2}, {3, -4});
  expect_tensor(run1("Sign", {f32({-2, 0, 3}, {3})}), DType::kF32, {3}, {-1, 0, 1});
  expect_tensor(run1("Relu", {tensor<int8_t>({-3, 5}, {2})}), DType::kI8, {2}, {0, 5});
  // Round: half to even (ONNX spec example).
  expect_tensor(run1("Round", {f32({0.1f, 0.5f, 0.9f, 1.5f, 2.5f, -1.5f, -2.5f, -2.8f}, {8})}), DType::kF32, {8},
                {0, 0, 1, 2, 2, -2, -2, -3});
  expect_tensor(run1("Sigmoid", {tensor<double>({-800, 800}, {2})}), DType::kF64, {2}, {0, 1});
  expect_tensor(run1("Sqrt", {f32({4, -1}, {2})}), DType::kF32, {2}, {2, kNaN});
  expect_tensor(run1("Not", {tensor<bool>({true, false}, {2})}), DType::kBool, {2}, {0, 1});
  EXPECT_EQ(run_error("Exp", {i64({1}, {1})}).code(), ErrorCode::kUnsupported);
}

TEST(ElementwiseKernels, ActivationsUseTheirAttributes) {
  const Tensor x = f32({-1, 0, 1}, {3});
  expect_tensor(run1("LeakyRelu", {x}, {{"alpha", 0.1}}), DType::kF32, {3}, {-0.1, 0, 1});
  expect_tensor(run1("LeakyRelu", {x}), DType::kF32, {3}, {-0.01, 0, 1});
  expect_tensor(run1("Elu", {x}, {{"alpha", 2.0}}), DType::kF32, {3}, {-1.26424102, 0, 1});
  expect_tensor(run1("Selu", {x}, {{"alpha", 2.0}, {"gamma", 3.0}}), DType::kF32, {3}, {-3.79272318, 0, 3});
  expect_tensor(run1("Selu", {x}), DType::kF32, {3}, {-1.1113307, 0, 1.050701});
  expect_tensor(run1("HardSigmoid", {x}, {{"alpha", 0.5}, {"beta", 0.6}}), DType::kF32, {3}, {0.1, 0.6, 1.0});
  expect_tensor(run1("HardSwish", {f32({-4, -1, 0, 1, 4}, {5})}), DType::kF32, {5}, {0, -1.0 / 3, 0, 2.0 / 3, 4});
}

TEST(ElementwiseKernels, ClipTakesAttributesBeforeOpset11AndInputsAfter) {
  const Tensor x = f32({-2, 0, 2, std::nanf("")}, {4});
  expect_tensor(run1("Clip", {x}, {{"min", -1.0}, {"max", 1.0}}, 6), DType::kF32, {4}, {-1, 0, 1, kNaN});
  expect_tensor(run1("Clip", {x}, {{"min", -1.0}}, 6), DType::kF32, {4}, {-1, 0, 2, kNaN});
  expect_tensor(run1("Clip", {x, f32({-1}, {}), f32({1}, {})}, {}, 13), DType::kF32, {4}, {-1, 0, 1, kNaN});
  expect_tensor(run1("Clip", {x, std::nullopt, f32({1}, {})}, {}, 13), DType::kF32, {4}, {-2, 0, 1, kNaN});
  expect_tensor(run1("Clip", {x}, {}, 13), DType::kF32, {4}, {-2, 0, 2, kNaN});
  // min > max: everything becomes max.
  expect_tensor(run1("Clip", {x, f32({2}, {}), f32({1}, {})}, {}, 13), DType::kF32, {4}, {1, 1, 1, kNaN});
  // Integer Clip (test_clip_default_int8_min).
  const Tensor xi = tensor<int8_t>({-5, 0, 7}, {3});
  expect_tensor(run1("Clip", {xi, tensor<int8_t>({0}, {})}, {}, 12), DType::kI8, {3}, {0, 0, 7});
  (void)run_error("Clip", {x, i64({0}, {})}, {}, 13);
}

TEST(ElementwiseKernels, BinaryArithmeticBroadcasts) {
  const Tensor a = f32({1, 2, 3, 4, 5, 6}, {2, 3});
  expect_tensor(run1("Add", {a, f32({10, 20, 30}, {3})}), DType::kF32, {2, 3}, {11, 22, 33, 14, 25, 36});
  expect_tensor(run1("Sub", {a, f32({1, 2}, {2, 1})}), DType::kF32, {2, 3}, {0, 1, 2, 2, 3, 4});
  expect_tensor(run1("Mul", {f32({2}, {}), a}), DType::kF32, {2, 3}, {2, 4, 6, 8, 10, 12});
  expect_tensor(run1("Div", {f32({1, 2}, {2, 1, 1}), f32({1, 2, 4}, {1, 3})}), DType::kF32, {2, 1, 3},
                {1, 0.5, 0.25, 2, 1, 0.5});
  expect_tensor(run1("Add", {f32({1, 2}, {2, 1}), f32({10, 20, 30}, {1, 3})}), DType::kF32, {2, 3},
                {11, 21, 31, 12, 22, 32});
  (void)run_error("Add", {a, f32({1, 2}, {2})});
  (void)run_error("Add", {a, i64({1}, {1})});
}

TEST(ElementwiseKernels, LegacyBroadcastAttributesBeforeOpset7) {
  const Tensor a = f32({0, 0, 0, 0, 0, 0}, {2, 3, 1});
  expect_tensor(run1("Add", {a, f32({1, 2, 3}, {3})}, {{"broadcast", int64_t{1}}, {"axis", int64_t{1}}}, 6),
                DType::kF32, {2, 3, 1}, {1, 2, 3, 1, 2, 3});
}

TEST(ElementwiseKernels, IntegerArithmeticTruncatesAndWraps) {
  const Tensor a = tensor<int32_t>({-7, 7, -7, 7, 5}, {5});
  const Tensor b = tensor<int32_t>({2, -2, -2, 0, 1}, {5});
  expect_tensor(run1("Div", {a, b}), DType::kI32, {5}, {-3, -3, 3, 0, 5});
  const int64_t lo = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(run1("Div", {i64({lo}, {1}), i64({-1}, {1})}).data<int64_t>()[0], lo);
  EXPECT_EQ(run1("Add", {i64({std::numeric_limits<int64_t>::max()}, {1}), i64({1}, {1})}).data<int64_t>()[0], lo);
  expect_tensor(run1("Div", {tensor<uint8_t>({16, 6, 0}, {3}), tensor<uint8_t>({11, 5, 23}, {3})}), DType::kU8, {3},
                {1, 1, 0});
  expect_tensor(run1("Mul", {i64({3, -4}, {2}), i64({-2}, {})}), DType::kI64, {2}, {-6, 8});
  expect_tensor(run1("Sub", {tensor<int16_t>({1}, {1}), tensor<int16_t>({3, 4}, {2})}), DType::kI16, {2}, {-2, -3});
}

TEST(ElementwiseKernels, ModFollowsTheTestData) {
  const Tensor x = tensor<int32_t>({-4, 7, 5, 4, -7, 8}, {6});
  const Tensor y = tensor<int32_t>({2, -3, 8, -2, 3, 5}, {6});
  expect_tensor(run1("Mod", {x, y}), DType::kI32, {6}, {0, -2, 5, 0, 2, 3});
  expect_tensor(run1("Mod", {x, y}, {{"fmod", int64_t{1}}}), DType::kI32, {6}, {0, 1, 5, 0, -1, 3});
  expect_tensor(run1("Mod", {f32({-4.3f, 7.2f}, {2}), f32({2.1f, -3.4f}, {2})}, {{"fmod", int64_t{1}}}), DType::kF32,
                {2}, {-0.10000038, 0.39999962});
}

TEST(ElementwiseKernels, PowMixesDtypes) {
  expect_tensor(run1("Pow", {tensor<int32_t>({1, 2, 3}, {3}), f32({4, 5, 6}, {3})}), DType::kI32, {3}, {1, 32, 729});
  expect_tensor(run1("Pow", {f32({1, 2, 3}, {3}), i64({4, 5, 6}, {3})}), DType::kF32, {3}, {1, 32, 729});
  expect_tensor(run1("Pow", {i64({2, -3}, {2}), i64({62, 3}, {2})}), DType::kI64, {2}, {4611686018427387904.0, -27});
  expect_tensor(run1("Pow", {f32({1, 2, 3, 4, 5, 6}, {2, 3}), f32({1, 2, 3}, {3})}), DType::kF32, {2, 3},
                {1, 4, 27, 4, 25, 216});
}

TEST(ElementwiseKernels, PReluBroadcastsSlopeToX) {
  expect_tensor(run1("PRelu", {f32({-1, 2, -3, 4, -5, 6}, {1, 2, 3}), f32({0.5f, 0.25f, 2}, {3})}), DType::kF32,
                {1, 2, 3}, {-0.5, 2, -6, 4, -1.25, 6});
  // Before opset 7 a [C] slope applies per channel.
  expect_tensor(run1("PRelu", {f32({-1, -1, -1, -1}, {1, 2, 2}), f32({0.5f, 2}, {2})}, {}, 6), DType::kF32, {1, 2, 2},
                {-0.5, -0.5, -2, -2});
  (void)run_error("PRelu", {f32({-1, 2}, {2}), f32({1, 2, 3, 4}, {2, 2})});
}

TEST(ElementwiseKernels, VariadicOpsFoldWithBroadcasting) {
  const Tensor a = f32({3, 2, 1}, {3});
  const Tensor b = f32({1, 4, 4}, {3});
  const Tensor c = f32({2, 5, 3}, {3});
  expect_tensor(run1("Max", {a, b, c}), DType::kF32, {3}, {3, 5, 4});
  expect_tensor(run1("Min", {a, b, c}), DType::kF32, {3}, {1, 2, 1});
  expect_tensor(run1("Sum", {a, b, c}), DType::kF32, {3}, {6, 11, 8});
  expect_tensor(run1("Mean", {a, b, c}), DType::kF32, {3}, {2, 11.0 / 3, 8.0 / 3});
  expect_tensor(run1("Sum", {a}), DType::kF32, {3}, {3, 2, 1});
  expect_tensor(run1("Mean", {f32({1, 2}, {2, 1}), f32({3, 5, 7}, {3})}), DType::kF32, {2, 3},
                {2, 3, 4, 2.5, 3.5, 4.5});
  expect_tensor(run1("Max", {i64({1, 9}, {2}), i64({5}, {1})}), DType::kI64, {2}, {5, 9});
  expect_tensor(run1("Max", {f32({1, std::nanf("")}, {2}), f32({2, 0}, {2})}), DType::kF32, {2}, {2, kNaN});
}

TEST(ElementwiseKernels, ComparisonsAndLogicGiveBool) {
  const Tensor a = i64({1, 2, 3}, {3});
  const Tensor b = i64({2}, {1});
  expect_tensor(run1("Equal", {a, b}), DType::kBool, {3}, {0, 1, 0});
  expect_tensor(run1("Greater", {a, b}), DType::kBool, {3}, {0, 0, 1});
  expect_tensor(run1("Less", {a, b}), DType::kBool, {3}, {1, 0, 0});
  expect_tensor(run1("GreaterOrEqual", {a, b}), DType::kBool, {3}, {0, 1, 1});
  expect_tensor(run1("LessOrEqual", {a, b}), DType::kBool, {3}, {1, 1, 0});
  expect_tensor(run1("Equal", {f32({1, std::nanf("")}, {2}), f32({1, std::nanf("")}, {2})}), DType::kBool, {2}, {1, 0});
  const Tensor p = tensor<bool>({true, false}, {2, 1});
  const Tensor q = tensor<bool>({true, false, true}, {3});
  expect_tensor(run1("And", {p, q}), DType::kBool, {2, 3}, {1, 0, 1, 0, 0, 0});
  expect_tensor(run1("Or", {p, q}), DType::kBool, {2, 3}, {1, 1, 1, 1, 0, 1});
  expect_tensor(run1("Xor", {p, q}), DType::kBool, {2, 3}, {0, 1, 0, 1, 0, 1});
  expect_tensor(run1("Equal", {p, q}), DType::kBool, {2, 3}, {1, 0, 1, 0, 1, 0});
  (void)run_error("And", {a, a});
}

TEST(ElementwiseKernels, WhereBroadcastsAllThreeInputs) {
  // ONNX spec example.
  expect_tensor(run1("Where", {tensor<bool>({true, false, true, true}, {2, 2}), f32({1, 2, 3, 4}, {2, 2}),
                               f32({9, 8, 7, 6}, {2, 2})}),
                DType::kF32, {2, 2}, {1, 8, 3, 4});
  expect_tensor(run1("Where", {tensor<bool>({true, false}, {2, 1}), i64({1, 2, 3}, {3}), i64({0}, {})}), DType::kI64,
                {2, 3}, {1, 2, 3, 0, 0, 0});
  (void)run_error("Where", {f32({1}, {1}), f32({1}, {1}), f32({1}, {1})});
}

TEST(ElementwiseKernels, CastConvertsBetweenDtypes) {
  auto cast = [](const Tensor& t, int64_t to) { return run1("Cast", {t}, {{"to", to}}); };
  expect_tensor(cast(f32({1.9f, -1.9f, 2.5f, -0.5f}, {4}), 6), DType::kI32, {4}, {1, -1, 2, 0});
  expect_tensor(cast(f32({0, 0.5f, -0.0f, std::nanf("")}, {4}), 9), DType::kBool, {4}, {0, 1, 0, 1});
  expect_tensor(cast(i64({300, -1}, {2}), 2), DType::kU8, {2}, {44, 255});
  expect_tensor(cast(i64({300, -129}, {2}), 3), DType::kI8, {2}, {44, 127});
  expect_tensor(cast(tensor<bool>({true, false}, {2}), 1), DType::kF32, {2}, {1, 0});
  expect_tensor(cast(tensor<int32_t>({7}, {1}), 11), DType::kF64, {1}, {7});
  expect_tensor(cast(i64({std::numeric_limits<int64_t>::max()}, {1}), 7), DType::kI64, {1}, {9.223372036854775807e18});
  // f32 -> f16 (values from test_cast_FLOAT_to_FLOAT16), then back.
  Tensor half = cast(f32({0.54881352186203f, 0.7151893377304077f, 65504, 1e6f, 1e-7f, -kInf}, {6}), 10);
  EXPECT_EQ(half.dtype(), DType::kF16);
  expect_tensor(cast(half, 1), DType::kF32, {6}, {0.548828125, 0.71533203125, 65504, kInf, 1.1920929e-07, -kInf}, 1e-9);
  EXPECT_TRUE(std::isnan(values(cast(cast(f32({std::nanf("")}, {1}), 10), 1))[0]));
  // bf16 rounds to nearest even.
  expect_tensor(cast(cast(f32({0.48033666610717773f, 1.0f}, {2}), 16), 1), DType::kF32, {2}, {0.48046875, 1}, 1e-9);
  // Opset 1-5 spelled `to` as a string.
  expect_tensor(run1("Cast", {f32({2.7f}, {1})}, {{"to", "INT64"}}, 5), DType::kI64, {1}, {2});
  EXPECT_EQ(run_error("Cast", {f32({1}, {1})}, {{"to", int64_t{8}}}).code(), ErrorCode::kUnsupported);
  expect_tensor(run1("CastLike", {f32({3.5f}, {1}), i64({0}, {1})}), DType::kI64, {1}, {3});
}

TEST(ElementwiseKernels, HalfRoundingEdgeCases) {
  auto round_trip = [](float v) {
    const Tensor h = run1("Cast", {f32({v}, {1})}, {{"to", int64_t{10}}});
    return values(run1("Cast", {h}, {{"to", int64_t{1}}}))[0];
  };
  EXPECT_EQ(round_trip(std::ldexp(1.0f, -25)), 0.0);                   // tie between 0 and 2^-24: even (0)
  EXPECT_EQ(round_trip(std::ldexp(3.0f, -26)), std::ldexp(1.0, -24));  // 0.75 units of 2^-24: 1 unit
  EXPECT_EQ(round_trip(std::ldexp(3.0f, -25)), std::ldexp(1.0, -23));  // 1.5 units: tie, to even (2)
  EXPECT_EQ(round_trip(std::ldexp(5.0f, -25)), std::ldexp(1.0, -23));  // 2.5 units: tie, to even (2)
  EXPECT_EQ(round_trip(std::ldexp(1.0f, -24)), std::ldexp(1.0, -24));  // smallest subnormal
  EXPECT_EQ(round_trip(65519.0f), 65504.0);
  EXPECT_EQ(round_trip(65520.0f), std::numeric_limits<double>::infinity());
  EXPECT_EQ(round_trip(-2049.0f), -2048.0);  // tie at 11 bits of precision: even
  EXPECT_EQ(round_trip(2051.0f), 2052.0);
}

TEST(ElementwiseKernels, HalfInputsAreComputedInF32) {
  auto half = [](const std::vector<float>& v, std::vector<int64_t> shape) {
    return run1("Cast", {f32(v, std::move(shape))}, {{"to", int64_t{10}}});
  };
  const Tensor sum = run1("Add", {half({1, 2.5f}, {2}), half({0.25f}, {1})});
  expect_tensor(sum, DType::kF16, {2}, {1.25, 2.75});
  expect_tensor(run1("Relu", {half({-1, 3}, {2})}), DType::kF16, {2}, {0, 3});
  expect_tensor(run1("Less", {half({1, 3}, {2}), half({2}, {})}), DType::kBool, {2}, {1, 0});
  expect_tensor(run1("Where", {tensor<bool>({true, false}, {2}), half({1, 2}, {2}), half({7}, {})}), DType::kF16, {2},
                {1, 7});
  // The output keeps the base's dtype: f32 ** f16 stays f32.
  expect_tensor(run1("Pow", {f32({3}, {1}), half({2}, {1})}), DType::kF32, {1}, {9});
  const Tensor bf = run1("Cast", {f32({1, 2}, {2})}, {{"to", int64_t{16}}});
  expect_tensor(run1("Mul", {bf, bf}), DType::kBF16, {2}, {1, 4});
}

TEST(ElementwiseKernels, BitShiftOnBytes) {
  const Tensor x = tensor<uint8_t>({16, 4, 1}, {3});
  expect_tensor(run1("BitShift", {x, tensor<uint8_t>({1, 2, 3}, {3})}, {{"direction", "RIGHT"}}), DType::kU8, {3},
                {8, 1, 0});
  expect_tensor(run1("BitShift", {x, tensor<uint8_t>({4}, {1})}, {{"direction", "LEFT"}}), DType::kU8, {3},
                {0, 64, 16});
  (void)run_error("BitShift", {x, x}, {{"direction", "UP"}});
}

TEST(ElementwiseKernels, BitShiftOnWideUnsigned) {
  expect_tensor(run1("BitShift", {tensor<uint16_t>({16, 4, 1}, {3}), tensor<uint16_t>({1, 2, 15}, {3})},
                     {{"direction", "LEFT"}}),
                DType::kU16, {3}, {32, 16, 32768});
  const Tensor r32 = run1("BitShift", {tensor<uint32_t>({0x80000000u, 7}, {2}), tensor<uint32_t>({31, 32}, {2})},
                          {{"direction", "RIGHT"}});
  expect_tensor(r32, DType::kU32, {2}, {1, 0});  // a shift by the full width gives 0
  const Tensor l64 = run1("BitShift", {tensor<uint64_t>({1}, {1}), tensor<uint64_t>({63}, {1})}, {{"direction", "LEFT"}});
  EXPECT_EQ(l64.dtype(), DType::kU64);
  EXPECT_EQ(l64.data<uint64_t>()[0], 0x8000000000000000ull);
  EXPECT_EQ(run_error("BitShift", {i64({1}, {1}), i64({1}, {1})}, {{"direction", "LEFT"}}).code(),
            ErrorCode::kUnsupported);
}

/// u16/u32/u64 through arithmetic, Max/Min, Mod, Pow, comparisons, Where and Cast, with values that a
/// signed type of the same width could not hold.
TEST(ElementwiseKernels, WideUnsignedIntegers) {
  const uint32_t big32 = 4000000000u;
  expect_tensor(run1("Max", {tensor<uint32_t>({big32, 1}, {2}), tensor<uint32_t>({5, 6}, {2})}), DType::kU32, {2},
                {4000000000.0, 6});
  expect_tensor(run1("Min", {tensor<uint16_t>({65535, 1}, {2}), tensor<uint16_t>({5}, {1})}), DType::kU16, {2}, {5, 1});
  const uint64_t big64 = 18446744073709551615ull;
  const Tensor m64 = run1("Max", {tensor<uint64_t>({big64, 3}, {2}), tensor<uint64_t>({9, 9}, {2})});
  EXPECT_EQ(m64.data<uint64_t>()[0], big64);
  EXPECT_EQ(m64.data<uint64_t>()[1], 9u);
  // Mod: no sign to fix up; fmod=1 and 0 agree.
  expect_tensor(run1("Mod", {tensor<uint32_t>({big32, 7}, {2}), tensor<uint32_t>({7, 0}, {2})}), DType::kU32, {2},
                {4000000000.0 - 571428571.0 * 7, 0});
  // Wrap-around arithmetic and truncating division.
  expect_tensor(run1("Sub", {tensor<uint16_t>({1}, {1}), tensor<uint16_t>({2}, {1})}), DType::kU16, {1}, {65535});
  expect_tensor(run1("Div", {tensor<uint32_t>({big32}, {1}), tensor<uint32_t>({3}, {1})}), DType::kU32, {1},
                {1333333333});
  // Pow: unsigned exponent with a float base, and an unsigned base.
  expect_tensor(run1("Pow", {f32({2, 3}, {2}), tensor<uint64_t>({10, 2}, {2})}), DType::kF32, {2}, {1024, 9});
  expect_tensor(run1("Pow", {tensor<uint32_t>({2}, {1}), tensor<uint32_t>({31}, {1})}), DType::kU32, {1},
                {2147483648.0});
  expect_tensor(run1("Greater", {tensor<uint32_t>({big32, 0}, {2}), tensor<uint32_t>({1, 0}, {2})}), DType::kBool,
                {2}, {1, 0});
  expect_tensor(run1("Where", {tensor<bool>({true, false}, {2}), tensor<uint16_t>({1, 2}, {2}),
                               tensor<uint16_t>({65535}, {1})}),
                DType::kU16, {2}, {1, 65535});
  auto cast = [](const Tensor& t, int64_t to) { return run1("Cast", {t}, {{"to", to}}); };
  expect_tensor(cast(i64({-1, 70000}, {2}), 4), DType::kU16, {2}, {65535, 4464});
  expect_tensor(cast(f32({3.9f, 4e9f}, {2}), 12), DType::kU32, {2}, {3, 4e9});
  const Tensor u64 = cast(tensor<double>({1.5e19}, {1}), 13);
  EXPECT_EQ(u64.dtype(), DType::kU64);
  EXPECT_EQ(u64.data<uint64_t>()[0], 15000000000000000000ull);  // beyond int64: converted exactly
  expect_tensor(cast(tensor<uint64_t>({big64}, {1}), 1), DType::kF32, {1}, {1.8446744073709552e19});
  expect_tensor(run1("Cast", {tensor<uint32_t>({7}, {1})}, {{"to", "UINT16"}}, 5), DType::kU16, {1}, {7});
  expect_tensor(run1("CastLike", {f32({3.5f}, {1}), tensor<uint64_t>({0}, {1})}), DType::kU64, {1}, {3});
  // Signed-only kernels name the dtype.
  EXPECT_EQ(run_error("Neg", {tensor<uint32_t>({1}, {1})}).code(), ErrorCode::kUnsupported);
}

TEST(ElementwiseKernels, IdentityAndDropoutPassDataThrough) {
  const Tensor x = f32({1, 2, 3}, {3});
  expect_tensor(run1("Identity", {x}), DType::kF32, {3}, {1, 2, 3});
  auto out = run_op("Dropout", {x}, {{"ratio", 0.5}}, 13, 2);
  ASSERT_TRUE(out.has_value()) << out.error().to_string();
  expect_tensor(out->at(0), DType::kF32, {3}, {1, 2, 3});
  expect_tensor(out->at(1), DType::kBool, {3}, {1, 1, 1});
  auto old = run_op("Dropout", {x}, {{"is_test", int64_t{1}}}, 7, 2);
  ASSERT_TRUE(old.has_value());
  expect_tensor(old->at(1), DType::kF32, {3}, {1, 1, 1});
  // Training mode is random unless the ratio is 0.
  auto train0 = run_op("Dropout", {x, f32({0}, {}), tensor<bool>({true}, {})}, {}, 13, 2);
  ASSERT_TRUE(train0.has_value());
  EXPECT_EQ(run_op("Dropout", {x, f32({0.5f}, {}), tensor<bool>({true}, {})}, {}, 13, 1).error().code(),
            ErrorCode::kUnsupported);
}

TEST(ElementwiseKernels, ZeroSizeTensorsWork) {
  const Tensor empty = f32({}, {0, 3});
  expect_tensor(run1("Add", {empty, f32({1, 2, 3}, {3})}), DType::kF32, {0, 3}, {});
  expect_tensor(run1("Add", {f32({}, {2, 0}), f32({1, 2}, {2, 1})}), DType::kF32, {2, 0}, {});
  expect_tensor(run1("Relu", {empty}), DType::kF32, {0, 3}, {});
  expect_tensor(run1("Cast", {empty}, {{"to", int64_t{7}}}), DType::kI64, {0, 3}, {});
  expect_tensor(run1("Where", {tensor<bool>({}, {0}), f32({1}, {1}), f32({2}, {1})}), DType::kF32, {0}, {});
  expect_tensor(run1("Sum", {empty, empty, f32({1}, {1})}), DType::kF32, {0, 3}, {});
  expect_tensor(run1("Clip", {empty, f32({0}, {}), f32({1}, {})}, {}, 13), DType::kF32, {0, 3}, {});
  expect_tensor(run1("Equal", {empty, empty}), DType::kBool, {0, 3}, {});
}

TEST(ElementwiseKernels, LargeBroadcastsMatchANaiveLoop) {
  // Big enough to be split across the pool; the inner broadcast dim exercises the strided plan.
  const int64_t n = 64, c = 3, hw = 700;
  std::vector<float> a(static_cast<size_t>(n * c * hw)), b(static_cast<size_t>(c));
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i % 97) - 48;
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(i + 1);
  const Tensor y = run1("Mul", {f32(a, {n, c, hw}), f32(b, {c, 1})});
  ASSERT_EQ(y.shape(), (std::vector<int64_t>{n, c, hw}));
  auto got = y.data<float>();
  for (int64_t i = 0; i < n * c * hw; ++i) {
    const float want = a[static_cast<size_t>(i)] * b[static_cast<size_t>((i / hw) % c)];
    ASSERT_EQ(got[static_cast<size_t>(i)], want) << "element " << i;
  }
  const Tensor z = run1("Where", {tensor<bool>({true, false, true}, {c, 1}), f32(a, {n, c, hw}), f32({0}, {})});
  auto zd = z.data<float>();
  for (int64_t i = 0; i < n * c * hw; ++i)
    ASSERT_EQ(zd[static_cast<size_t>(i)], (i / hw) % c == 1 ? 0.0f : a[static_cast<size_t>(i)]) << "element " << i;
}

}  // namespace
}  // namespace nnc
