// nnc tests: ScatterND, ScatterElements/Scatter, OneHot, Trilu, Compress, EyeLike, ReverseSequence, Unique kernels.
#include <gtest/gtest.h>

#include <cmath>

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

/// The error mentions every fragment (the node is named 'n' by the helpers).
void expect_error_mentions(const Status& s, const std::vector<std::string>& fragments) {
  const std::string text = s.to_string();
  for (const auto& f : fragments) EXPECT_NE(text.find(f), std::string::npos) << "'" << f << "' not in: " << text;
}

// --- ScatterND ---

TEST(ScatterNDKernel, SpecExampleWithNegativeIndex) {
  Tensor data = f32({1, 2, 3, 4, 5, 6, 7, 8}, {8});
  Tensor y = run1("ScatterND", {data, i64({4, 3, -7, 7}, {4, 1}), f32({9, 10, 11, 12}, {4})});
  expect_tensor(y, DType::kF32, {8}, {1, 11, 3, 10, 9, 6, 7, 12});
}

TEST(ScatterNDKernel, SlicesOfA3dTensor) {
  std::vector<float> d(16, 0.0f);
  Tensor data = f32(d, {4, 2, 2});
  Tensor y = run1("ScatterND", {data, i64({2, 0}, {2, 1}), f32({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2})});
  expect_tensor(y, DType::kF32, {4, 2, 2}, {5, 6, 7, 8, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0});
}

TEST(ScatterNDKernel, ReductionsCombineDuplicatesInOrder) {
  Tensor data = i64({1, 2, 3, 4}, {4});
  Tensor idx = i64({1, 1, 3}, {3, 1});
  Tensor upd = i64({10, 20, -5}, {3});
  expect_tensor(run1("ScatterND", {data, idx, upd}, {{"reduction", std::string("add")}}, 16), DType::kI64, {4},
                {1, 32, 3, -1});
  expect_tensor(run1("ScatterND", {data, idx, upd}, {{"reduction", std::string("mul")}}, 16), DType::kI64, {4},
                {1, 400, 3, -20});
  expect_tensor(run1("ScatterND", {data, idx, upd}, {{"reduction", std::string("max")}}, 18), DType::kI64, {4},
                {1, 20, 3, 4});
  expect_tensor(run1("ScatterND", {data, idx, upd}, {{"reduction", std::string("min")}}, 18), DType::kI64, {4},
                {1, 2, 3, -5});
}

TEST(ScatterNDKernel, ReductionNeedsItsOpset) {
  Tensor data = f32({1, 2}, {2});
  expect_error_mentions(
      run_error("ScatterND", {data, i64({0}, {1, 1}), f32({5}, {1})}, {{"reduction", std::string("add")}}, 13),
      {"reduction 'add'", "opset 16"});
  expect_error_mentions(
      run_error("ScatterND", {data, i64({0}, {1, 1}), f32({5}, {1})}, {{"reduction", std::string("max")}}, 16),
      {"opset 18"});
}

TEST(ScatterNDKernel, OutOfRangeIndexIsAnErrorNamingNodeAndIndex) {
  Tensor data = f32({1, 2, 3, 4}, {2, 2});
  Status s = run_error("ScatterND", {data, i64({0, 1, 1, 2}, {2, 2}), f32({7, 8}, {2})});
  expect_error_mentions(s, {"'n'", "index 2", "indices[1, 1]", "axis 1", "size 2"});
  expect_error_mentions(run_error("ScatterND", {data, i64({-3, 0}, {1, 2}), f32({7}, {1})}), {"index -3"});
}

TEST(ScatterNDKernel, ShapeAndDtypeMismatchesAreErrors) {
  Tensor data = f32({1, 2, 3, 4}, {2, 2});
  expect_error_mentions(run_error("ScatterND", {data, i64({0}, {1, 1}), f32({7}, {1})}), {"updates", "[1, 2]"});
  expect_error_mentions(run_error("ScatterND", {data, i64({0, 0, 0}, {1, 3}), f32({7}, {1})}), {"last dimension"});
  expect_error_mentions(run_error("ScatterND", {data, i64({0}, {1, 1}), i64({7, 8}, {1, 2})}), {"dtype"});
}

TEST(ScatterNDKernel, BoolReductionIsUnsupported) {
  Tensor data = tensor<bool>({true, false}, {2});
  Status s = run_error("ScatterND", {data, i64({0}, {1, 1}), tensor<bool>({false}, {1})},
                       {{"reduction", std::string("add")}}, 16);
  EXPECT_EQ(s.code(), ErrorCode::kUnsupported);
  // Without reduction any dtype moves.
  expect_tensor(run1("ScatterND", {data, i64({1}, {1, 1}), tensor<bool>({true}, {1})}), DType::kBool, {2}, {1, 1});
}

// --- ScatterElements / Scatter ---

TEST(ScatterElementsKernel, AxisOneWithNegativeIndex) {
  Tensor data = f32({1, 2, 3, 4, 5}, {1, 5});
  Tensor y = run1("ScatterElements", {data, i64({1, -2}, {1, 2}), f32({1.1f, 2.1f}, {1, 2})}, {{"axis", 1}});
  expect_tensor(y, DType::kF32, {1, 5}, {1, 1.1, 3, 2.1, 5});
}

TEST(ScatterElementsKernel, DefaultAxisZero) {
  Tensor data = f32(std::vector<float>(9, 0.0f), {3, 3});
  Tensor y =
      run1("ScatterElements", {data, i64({1, 0, 2, 0, 2, 1}, {2, 3}), f32({1, 1.1f, 1.2f, 2, 2.1f, 2.2f}, {2, 3})});
  expect_tensor(y, DType::kF32, {3, 3}, {2, 1.1, 0, 1, 0, 2.2, 0, 2.1, 1.2});
}

TEST(ScatterElementsKernel, DuplicateIndicesWithAddAndMinAndF64) {
  Tensor data = tensor<double>({1, 2, 3, 4, 5}, {1, 5});
  Tensor idx = i64({1, 1}, {1, 2});
  Tensor upd = tensor<double>({1.5, 2.5}, {1, 2});
  expect_tensor(run1("ScatterElements", {data, idx, upd}, {{"axis", 1}, {"reduction", std::string("add")}}, 16),
                DType::kF64, {1, 5}, {1, 6, 3, 4, 5});
  expect_tensor(run1("ScatterElements", {data, idx, upd}, {{"axis", 1}, {"reduction", std::string("min")}}, 18),
                DType::kF64, {1, 5}, {1, 1.5, 3, 4, 5});
}

TEST(ScatterElementsKernel, OutOfRangeIndexIsAnError) {
  Tensor data = f32({1, 2, 3, 4, 5}, {1, 5});
  Status s = run_error("ScatterElements", {data, i64({1, 5}, {1, 2}), f32({1, 2}, {1, 2})}, {{"axis", 1}});
  expect_error_mentions(s, {"'n'", "index 5", "indices[0, 1]", "axis 1", "size 5", "-5..4"});
  expect_error_mentions(run_error("ScatterElements", {data, i64({0, 0}, {2, 1}), f32({1, 2}, {2, 1})}, {{"axis", 1}}),
                        {"exceed data"});
  expect_error_mentions(run_error("ScatterElements", {data, i64({0}, {1, 1}), f32({1, 2}, {1, 2})}),
                        {"shape of indices"});
}

TEST(ScatterKernel, DeprecatedAliasMatchesScatterElements) {
  Tensor data = f32({1, 2, 3, 4, 5}, {1, 5});
  Tensor y = run1("Scatter", {data, i64({1, 3}, {1, 2}), f32({1.1f, 2.1f}, {1, 2})}, {{"axis", 1}}, 9);
  expect_tensor(y, DType::kF32, {1, 5}, {1, 1.1, 3, 2.1, 5});
}

// --- OneHot ---

TEST(OneHotKernel, LastAxisNegativeAndOutOfRangeIndices) {
  Tensor y = run1("OneHot", {i64({0, -1, 2, 7}, {4}), i64({3}, {1}), f32({-1, 5}, {2})});
  expect_tensor(y, DType::kF32, {4, 3}, {5, -1, -1, -1, -1, 5, -1, -1, 5, -1, -1, -1});
}

TEST(OneHotKernel, FirstAxisFloatIndicesAndScalarDepth) {
  Tensor y = run1("OneHot", {f32({1.0f, 0.0f}, {2}), tensor<float>({2.0f}, {}), i64({0, 1}, {2})}, {{"axis", 0}});
  expect_tensor(y, DType::kI64, {2, 2}, {0, 1, 1, 0});
}

TEST(OneHotKernel, HugeAndNanFloatIndicesGiveOffRows) {
  Tensor y = run1("OneHot", {f32({1e30f, -1e30f, std::nanf(""), -2.5f}, {4}), i64({3}, {1}), f32({0, 1}, {2})});
  expect_tensor(y, DType::kF32, {4, 3}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0});
}

TEST(OneHotKernel, BadDepthAndValuesAreErrors) {
  expect_error_mentions(run_error("OneHot", {i64({0}, {1}), i64({0}, {1}), f32({0, 1}, {2})}), {"depth"});
  expect_error_mentions(run_error("OneHot", {i64({0}, {1}), i64({2}, {1}), f32({0, 1, 2}, {3})}),
                        {"off_value, on_value"});
  expect_error_mentions(run_error("OneHot", {i64({0}, {1}), i64({2}, {1}), f32({0, 1}, {2})}, {{"axis", 3}}),
                        {"axis 3"});
}

// --- Trilu ---

TEST(TriluKernel, UpperAndLowerWithK) {
  Tensor x = i64({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {3, 4});
  expect_tensor(run1("Trilu", {x}), DType::kI64, {3, 4}, {1, 2, 3, 4, 0, 6, 7, 8, 0, 0, 11, 12});
  expect_tensor(run1("Trilu", {x, i64({1}, {})}), DType::kI64, {3, 4}, {0, 2, 3, 4, 0, 0, 7, 8, 0, 0, 0, 12});
  expect_tensor(run1("Trilu", {x, i64({-1}, {})}, {{"upper", 0}}), DType::kI64, {3, 4},
                {0, 0, 0, 0, 5, 0, 0, 0, 9, 10, 0, 0});
  expect_tensor(run1("Trilu", {f32({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2})}, {{"upper", 0}}), DType::kF32, {2, 2, 2},
                {1, 0, 3, 4, 5, 0, 7, 8});
  expect_error_mentions(run_error("Trilu", {f32({1, 2}, {2})}), {"rank >= 2"});
}

// --- Compress ---

TEST(CompressKernel, AlongAxisAndFlattened) {
  Tensor x = f32({1, 2, 3, 4, 5, 6}, {3, 2});
  Tensor cond = tensor<bool>({false, true, true}, {3});
  expect_tensor(run1("Compress", {x, cond}, {{"axis", 0}}), DType::kF32, {2, 2}, {3, 4, 5, 6});
  expect_tensor(run1("Compress", {x, tensor<bool>({false, true}, {2})}, {{"axis", -1}}), DType::kF32, {3, 1},
                {2, 4, 6});
  expect_tensor(run1("Compress", {x, tensor<bool>({false, true, false, false, true}, {5})}), DType::kF32, {2}, {2, 5});
}

TEST(CompressKernel, ConditionSelectingPastTheAxisIsAnError) {
  Tensor x = f32({1, 2, 3, 4, 5, 6}, {3, 2});
  expect_error_mentions(run_error("Compress", {x, tensor<bool>({true, false, true}, {3})}, {{"axis", 1}}),
                        {"'n'", "index 2", "size 2"});
  // Trailing false entries are harmless.
  expect_tensor(run1("Compress", {x, tensor<bool>({true, false, false}, {3})}, {{"axis", 1}}), DType::kF32, {3, 1},
                {1, 3, 5});
}

// --- EyeLike ---

TEST(EyeLikeKernel, DiagonalOffsetsAndDtype) {
  Tensor x = f32(std::vector<float>(12, 7.0f), {3, 4});
  expect_tensor(run1("EyeLike", {x}), DType::kF32, {3, 4}, {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0});
  expect_tensor(run1("EyeLike", {x}, {{"k", 2}, {"dtype", 7}}), DType::kI64, {3, 4},
                {0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0});
  expect_tensor(run1("EyeLike", {x}, {{"k", -2}, {"dtype", 11}}), DType::kF64, {3, 4},
                {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0});
  EXPECT_EQ(run_error("EyeLike", {x}, {{"dtype", 8}}).code(), ErrorCode::kUnsupported);
  expect_error_mentions(run_error("EyeLike", {f32({1}, {1})}), {"2-D"});
}

// --- ReverseSequence ---

TEST(ReverseSequenceKernel, TimeMajorAndBatchMajor) {
  // [time 4, batch 2]: batch 0 reverses 4 steps, batch 1 reverses 2.
  Tensor x = f32({0, 10, 1, 11, 2, 12, 3, 13}, {4, 2});
  expect_tensor(run1("ReverseSequence", {x, i64({4, 2}, {2})}), DType::kF32, {4, 2}, {3, 11, 2, 10, 1, 12, 0, 13});
  // [batch 2, time 3, 1].
  Tensor xb = f32({0, 1, 2, 10, 11, 12}, {2, 3, 1});
  expect_tensor(run1("ReverseSequence", {xb, i64({1, 3}, {2})}, {{"batch_axis", 0}, {"time_axis", 1}}), DType::kF32,
                {2, 3, 1}, {0, 1, 2, 12, 11, 10});
}

TEST(ReverseSequenceKernel, BadLengthsAndAxesAreErrors) {
  Tensor x = f32({0, 10, 1, 11}, {2, 2});
  expect_error_mentions(run_error("ReverseSequence", {x, i64({3, 1}, {2})}), {"'n'", "sequence_lens[0] = 3", "0..2"});
  expect_error_mentions(run_error("ReverseSequence", {x, i64({1}, {1})}), {"one length per batch"});
  expect_error_mentions(run_error("ReverseSequence", {x, i64({1, 1}, {2})}, {{"time_axis", 1}}), {"time_axis"});
}

// --- Unique ---

TEST(UniqueKernel, SortedFlattenedWithAllOutputs) {
  auto r = run_op("Unique", {f32({2, 1, 1, 3, 4, 3}, {6})}, {}, 11, 4);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  expect_tensor((*r)[0], DType::kF32, {4}, {1, 2, 3, 4});
  expect_tensor((*r)[1], DType::kI64, {4}, {1, 0, 3, 4});
  expect_tensor((*r)[2], DType::kI64, {6}, {1, 0, 0, 2, 3, 2});
  expect_tensor((*r)[3], DType::kI64, {4}, {2, 1, 2, 1});
}

TEST(UniqueKernel, UnsortedKeepsFirstOccurrenceOrder) {
  auto r = run_op("Unique", {i64({2, 1, 1, 3, 4, 3}, {6})}, {{"sorted", 0}}, 11, 4);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  expect_tensor((*r)[0], DType::kI64, {4}, {2, 1, 3, 4});
  expect_tensor((*r)[1], DType::kI64, {4}, {0, 1, 3, 4});
  expect_tensor((*r)[2], DType::kI64, {6}, {0, 1, 1, 2, 3, 2});
  expect_tensor((*r)[3], DType::kI64, {4}, {1, 2, 2, 1});
}

TEST(UniqueKernel, RowsAndColumnsAlongAnAxis) {
  Tensor x = f32({1, 0, 0, 1, 0, 0, 2, 3, 4}, {3, 3});
  auto rows = run_op("Unique", {x}, {{"axis", 0}}, 11, 4);
  ASSERT_TRUE(rows.has_value()) << rows.error().to_string();
  expect_tensor((*rows)[0], DType::kF32, {2, 3}, {1, 0, 0, 2, 3, 4});
  expect_tensor((*rows)[1], DType::kI64, {2}, {0, 2});
  expect_tensor((*rows)[2], DType::kI64, {3}, {0, 0, 1});
  expect_tensor((*rows)[3], DType::kI64, {2}, {2, 1});
  // Columns [1,1,2], [0,0,3], [0,0,4] are distinct; sorted order is [0,0,3], [0,0,4], [1,1,2].
  auto cols = run_op("Unique", {x}, {{"axis", -1}}, 11, 4);
  ASSERT_TRUE(cols.has_value()) << cols.error().to_string();
  expect_tensor((*cols)[0], DType::kF32, {3, 3}, {0, 0, 1, 0, 0, 1, 3, 4, 2});
  expect_tensor((*cols)[1], DType::kI64, {3}, {1, 2, 0});
  expect_tensor((*cols)[2], DType::kI64, {3}, {2, 0, 1});
  expect_error_mentions(run_error("Unique", {x}, {{"axis", 2}}), {"axis 2"});
}

TEST(UniqueKernel, OnlyTheFirstOutputWhenTheNodeHasOne) {
  Tensor y = run1("Unique", {tensor<int32_t>({5, 5, -1}, {3})}, {}, 11);
  expect_tensor(y, DType::kI32, {2}, {-1, 5});
}

}  // namespace
}  // namespace nnc
