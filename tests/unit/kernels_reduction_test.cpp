// nnc tests: reference reduction kernels (Reduce*, ArgMax/ArgMin, Softmax family, CumSum, TopK) via the op table.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

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

const double kInf = std::numeric_limits<double>::infinity();
using Ints = std::vector<int64_t>;

/// [[[1,2],[3,4]],[[5,6],[7,8]],[[9,10],[11,12]]], the ONNX Reduce* examples' data.
Tensor example_data() { return f32({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {3, 2, 2}); }

TEST(ReductionKernels, EveryOpIsInTheTable) {
  for (const char* op :
       {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2", "ReduceL1", "ReduceSumSquare",
        "ReduceLogSumExp", "ReduceLogSum", "ArgMax", "ArgMin", "Softmax", "LogSoftmax", "CumSum", "TopK"})
    EXPECT_NE(exec::find_kernel("", op), nullptr) << op;
}

TEST(ReductionKernels, ReduceMatchesTheSpecExamples) {
  const Tensor x = example_data();
  expect_tensor(run1("ReduceSum", {x}, {{"axes", Ints{1}}}, 11), DType::kF32, {3, 1, 2}, {4, 6, 12, 14, 20, 22});
  expect_tensor(run1("ReduceMean", {x}, {{"axes", Ints{1}}}), DType::kF32, {3, 1, 2}, {2, 3, 6, 7, 10, 11});
  expect_tensor(run1("ReduceMean", {x}, {{"axes", Ints{1}}, {"keepdims", int64_t{0}}}), DType::kF32, {3, 2},
                {2, 3, 6, 7, 10, 11});
  expect_tensor(run1("ReduceProd", {x}, {{"axes", Ints{1}}}), DType::kF32, {3, 1, 2}, {3, 8, 35, 48, 99, 120});
  expect_tensor(run1("ReduceMax", {x}), DType::kF32, {1, 1, 1}, {12});
  expect_tensor(run1("ReduceMin", {x}, {{"keepdims", int64_t{0}}}), DType::kF32, {}, {1});
  expect_tensor(run1("ReduceL2", {x}, {{"axes", Ints{2}}}), DType::kF32, {3, 2, 1},
                {2.2360679, 5, 7.8102497, 10.630146, 13.453624, 16.278821});
  expect_tensor(run1("ReduceL1", {x}, {{"axes", Ints{2}}}), DType::kF32, {3, 2, 1}, {3, 7, 11, 15, 19, 23});
  expect_tensor(run1("ReduceSumSquare", {x}, {{"axes", Ints{-2}}}), DType::kF32, {3, 1, 2},
                {10, 20, 74, 100, 202, 244});
  const Tensor lse = f32({5, 1, 20, 2, 30, 1, 40, 2, 55, 1, 60, 2}, {3, 2, 2});
  expect_tensor(run1("ReduceLogSumExp", {lse}, {{"axes", Ints{1}}}), DType::kF32, {3, 1, 2},
                {20, 2.31326175, 40.00004578, 2.31326175, 60.00671387, 2.31326175});
  expect_tensor(run1("ReduceLogSum", {f32({1, 2, 3, 4}, {2, 2})}, {{"axes", Ints{0, 1}}}), DType::kF32, {1, 1},
                {std::log(10.0)});
}

TEST(ReductionKernels, AxesComeFromTheInputFromOpset13ForReduceSum) {
  const Tensor x = example_data();
  expect_tensor(run1("ReduceSum", {x, i64({-1}, {1})}, {{"keepdims", int64_t{0}}}, 13), DType::kF32, {3, 2},
                {3, 7, 11, 15, 19, 23});
  // Empty axes: reduce everything, or nothing with noop_with_empty_axes.
  expect_tensor(run1("ReduceSum", {x, i64({}, {0})}, {}, 13), DType::kF32, {1, 1, 1}, {78});
  expect_tensor(run1("ReduceSum", {x, i64({}, {0})}, {{"noop_with_empty_axes", int64_t{1}}}, 13), DType::kF32,
                {3, 2, 2}, values(x));
  expect_tensor(run1("ReduceSum", {x, std::nullopt}, {{"noop_with_empty_axes", int64_t{1}}}, 13), DType::kF32,
                {3, 2, 2}, values(x));
  // Opset 18 moves the other reductions' axes to an input too.
  expect_tensor(run1("ReduceMax", {x, i64({0, 2}, {2})}, {}, 18), DType::kF32, {1, 2, 1}, {10, 12});
  (void)run_error("ReduceSum", {x, i64({3}, {1})}, {}, 13);
}

TEST(ReductionKernels, NonAdjacentAxesMatchANaiveLoop) {
  std::vector<float> data(2 * 3 * 4 * 5);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>((i * 7) % 11);
  const Tensor y = run1("ReduceSum", {f32(data, {2, 3, 4, 5})}, {{"axes", Ints{0, 2}}, {"keepdims", int64_t{0}}}, 11);
  ASSERT_EQ(y.shape(), (Ints{3, 5}));
  for (int64_t b = 0; b < 3; ++b)
    for (int64_t d = 0; d < 5; ++d) {
      double want = 0;
      for (int64_t a = 0; a < 2; ++a)
        for (int64_t c = 0; c < 4; ++c) want += data[static_cast<size_t>(((a * 3 + b) * 4 + c) * 5 + d)];
      EXPECT_EQ(y.data<float>()[static_cast<size_t>(b * 5 + d)], want) << b << "," << d;
    }
}

TEST(ReductionKernels, IntegerReductionsKeepTheirDtype) {
  const Tensor x = tensor<int32_t>({3, -7, 5, 2}, {2, 2});
  expect_tensor(run1("ReduceMax", {x}, {{"axes", Ints{1}}, {"keepdims", int64_t{0}}}), DType::kI32, {2}, {3, 5});
  expect_tensor(run1("ReduceMin", {x}, {{"axes", Ints{0}}}), DType::kI32, {1, 2}, {3, -7});
  expect_tensor(run1("ReduceSum", {i64({1, 2, 3}, {3})}, {}, 11), DType::kI64, {1}, {6});
  expect_tensor(run1("ReduceProd", {i64({-2, 3, 4}, {3})}, {{"keepdims", int64_t{0}}}), DType::kI64, {}, {-24});
  expect_tensor(run1("ReduceMean", {i64({1, 2}, {2})}), DType::kI64, {1}, {1});
}

TEST(ReductionKernels, EmptyReductionsGiveTheIdentityValues) {
  const Tensor empty = f32({}, {2, 0});
  expect_tensor(run1("ReduceSum", {empty}, {{"axes", Ints{1}}}, 11), DType::kF32, {2, 1}, {0, 0});
  expect_tensor(run1("ReduceProd", {empty}, {{"axes", Ints{1}}}), DType::kF32, {2, 1}, {1, 1});
  expect_tensor(run1("ReduceMax", {empty}, {{"axes", Ints{1}}}), DType::kF32, {2, 1}, {-kInf, -kInf});
  expect_tensor(run1("ReduceMin", {empty}, {{"axes", Ints{1}}}), DType::kF32, {2, 1}, {kInf, kInf});
  expect_tensor(run1("ReduceLogSumExp", {empty}, {{"axes", Ints{1}}}), DType::kF32, {2, 1}, {-kInf, -kInf});
  expect_tensor(run1("ReduceSum", {empty}, {{"axes", Ints{0}}}, 11), DType::kF32, {1, 0}, {});
  expect_tensor(run1("ReduceMean", {f32({}, {0, 3})}, {{"axes", Ints{1}}, {"keepdims", int64_t{0}}}), DType::kF32, {0},
                {});
  expect_tensor(run1("ArgMax", {f32({}, {0, 3})}, {{"axis", int64_t{1}}}), DType::kI64, {0, 1}, {});
  (void)run_error("ArgMax", {empty}, {{"axis", int64_t{1}}});
}

TEST(ReductionKernels, ReduceMaxPropagatesNaN) {
  expect_tensor(run1("ReduceMax", {f32({1, std::nanf(""), 3}, {3})}), DType::kF32, {1}, {std::nan("")});
  expect_tensor(run1("ReduceMin", {f32({std::nanf(""), 1, 3}, {3})}), DType::kF32, {1}, {std::nan("")});
}

TEST(ReductionKernels, ArgMaxAndArgMinHonourTies) {
  const Tensor x = f32({2, 2, 3, 10}, {2, 2});
  expect_tensor(run1("ArgMax", {x}, {{"axis", int64_t{1}}}), DType::kI64, {2, 1}, {0, 1});
  expect_tensor(run1("ArgMax", {x}, {{"axis", int64_t{1}}, {"select_last_index", int64_t{1}}}), DType::kI64, {2, 1},
                {1, 1});
  expect_tensor(run1("ArgMax", {x}, {{"keepdims", int64_t{0}}}), DType::kI64, {2}, {1, 1});
  expect_tensor(run1("ArgMin", {x}, {{"axis", int64_t{-1}}, {"keepdims", int64_t{0}}}), DType::kI64, {2}, {0, 0});
  expect_tensor(run1("ArgMin", {x}, {{"axis", int64_t{1}}, {"select_last_index", int64_t{1}}}), DType::kI64, {2, 1},
                {1, 0});
  expect_tensor(run1("ArgMin", {i64({5, 1, 1}, {3})}, {{"select_last_index", int64_t{1}}}), DType::kI64, {1}, {2});
}

TEST(ReductionKernels, SoftmaxCoercesTo2DBeforeOpset13) {
  const Tensor row = f32({-1, 0, 1}, {1, 3});
  expect_tensor(run1("Softmax", {row}, {}, 13), DType::kF32, {1, 3}, {0.09003058, 0.24472848, 0.66524094});
  expect_tensor(run1("LogSoftmax", {row}, {}, 13), DType::kF32, {1, 3}, {-2.40760596, -1.40760596, -0.40760596});
  const Tensor big = f32({0, 1, 2, 3, 10000, 10001, 10002, 10003}, {2, 4});
  expect_tensor(run1("Softmax", {big}, {}, 11), DType::kF32, {2, 4},
                {0.0320586, 0.08714432, 0.23688284, 0.64391428, 0.0320586, 0.08714432, 0.23688284, 0.64391428});
  // [1, 2, 2]: opset 11 axis=1 normalises over all 4 values; opset 13 axis=1 over pairs along dim 1.
  const Tensor x = f32({0, 0, 0, 0}, {1, 2, 2});
  expect_tensor(run1("Softmax", {x}, {{"axis", int64_t{1}}}, 11), DType::kF32, {1, 2, 2}, {0.25, 0.25, 0.25, 0.25});
  expect_tensor(run1("Softmax", {x}, {{"axis", int64_t{1}}}, 13), DType::kF32, {1, 2, 2}, {0.5, 0.5, 0.5, 0.5});
  const Tensor y = f32({1, 2, 3, 4}, {1, 2, 2});
  const double e = std::exp(2.0);
  expect_tensor(run1("Softmax", {y}, {{"axis", int64_t{1}}}, 13), DType::kF32, {1, 2, 2},
                {1 / (1 + e), 1 / (1 + e), e / (1 + e), e / (1 + e)});
  expect_tensor(run1("Softmax", {y}, {}, 11), DType::kF32, {1, 2, 2},
                values(run1("Softmax", {y}, {{"axis", int64_t{1}}}, 11)));
  expect_tensor(run1("Hardmax", {f32({3, 0, 1, 2, 1, 1, 1, 1}, {2, 4})}, {}, 13), DType::kF32, {2, 4},
                {1, 0, 0, 0, 1, 0, 0, 0});
  expect_tensor(run1("Softmax", {f32({}, {0, 4})}, {}, 13), DType::kF32, {0, 4}, {});
}

TEST(ReductionKernels, CumSumModes) {
  const Tensor x = f32({1, 2, 3, 4, 5}, {5});
  const Tensor axis = i64({0}, {});
  expect_tensor(run1("CumSum", {x, axis}), DType::kF32, {5}, {1, 3, 6, 10, 15});
  expect_tensor(run1("CumSum", {x, axis}, {{"exclusive", int64_t{1}}}), DType::kF32, {5}, {0, 1, 3, 6, 10});
  expect_tensor(run1("CumSum", {x, axis}, {{"reverse", int64_t{1}}}), DType::kF32, {5}, {15, 14, 12, 9, 5});
  expect_tensor(run1("CumSum", {x, axis}, {{"reverse", int64_t{1}}, {"exclusive", int64_t{1}}}), DType::kF32, {5},
                {14, 12, 9, 5, 0});
  const Tensor m = i64({1, 2, 3, 4, 5, 6}, {2, 3});
  expect_tensor(run1("CumSum", {m, tensor<int32_t>({0}, {1})}), DType::kI64, {2, 3}, {1, 2, 3, 5, 7, 9});
  expect_tensor(run1("CumSum", {m, i64({-1}, {})}), DType::kI64, {2, 3}, {1, 3, 6, 4, 9, 15});
  (void)run_error("CumSum", {m, i64({2}, {})});
}

TEST(ReductionKernels, TopKSortsAndBreaksTiesByLowerIndex) {
  const Tensor x = f32({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {3, 4});
  auto r = run_op("TopK", {x, i64({3}, {1})}, {}, 11, 2);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  expect_tensor(r->at(0), DType::kF32, {3, 3}, {3, 2, 1, 7, 6, 5, 11, 10, 9});
  expect_tensor(r->at(1), DType::kI64, {3, 3}, {3, 2, 1, 3, 2, 1, 3, 2, 1});
  const Tensor s = f32({0, 1, 2, 3, 4, 5, 6, 7, 11, 10, 9, 8}, {3, 4});
  r = run_op("TopK", {s, i64({3}, {1})}, {{"largest", int64_t{0}}}, 11, 2);
  ASSERT_TRUE(r.has_value());
  expect_tensor(r->at(0), DType::kF32, {3, 3}, {0, 1, 2, 4, 5, 6, 8, 9, 10});
  expect_tensor(r->at(1), DType::kI64, {3, 3}, {0, 1, 2, 0, 1, 2, 3, 2, 1});
  const Tensor ties = i64({3, 1, 3, 2, 1}, {5});
  r = run_op("TopK", {ties, i64({3}, {1})}, {}, 11, 2);
  ASSERT_TRUE(r.has_value());
  expect_tensor(r->at(0), DType::kI64, {3}, {3, 3, 2});
  expect_tensor(r->at(1), DType::kI64, {3}, {0, 2, 3});
  r = run_op("TopK", {ties, i64({3}, {1})}, {{"largest", int64_t{0}}}, 11, 2);
  ASSERT_TRUE(r.has_value());
  expect_tensor(r->at(1), DType::kI64, {3}, {1, 4, 3});
  // Opset 1 takes k as an attribute; axis 0 of a matrix.
  r = run_op("TopK", {f32({1, 9, 5, 2}, {2, 2})}, {{"k", int64_t{1}}, {"axis", int64_t{0}}}, 1, 2);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  expect_tensor(r->at(0), DType::kF32, {1, 2}, {5, 9});
  expect_tensor(r->at(1), DType::kI64, {1, 2}, {1, 0});
  r = run_op("TopK", {f32({}, {2, 0}), i64({0}, {1})}, {}, 11, 2);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->at(0).shape(), (Ints{2, 0}));
  EXPECT_FALSE(run_op("TopK", {x, i64({5}, {1})}, {}, 11, 2).has_value());
}

}  // namespace
}  // namespace nnc
