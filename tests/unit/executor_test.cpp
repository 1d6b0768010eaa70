// nnc tests: the reference executor runtime: support check, input validation, scheduling, thread pool.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <tuple>

#include "exec/kernel.h"
#include "nnc/executor.h"
#include "test_graphs.h"

namespace nnc {
namespace {

TEST(Executor, RunsAChainGraph) {
  Graph g = testing::make_chain_graph();
  auto ex = ReferenceExecutor::create(g, {2});
  ASSERT_TRUE(ex.has_value()) << ex.error().to_string();
  auto out = (*ex)->run({{"x", Tensor::from_vector<float>({-1, 0.5f, -3, 2}, {1, 4})}});
  ASSERT_TRUE(out.has_value()) << out.error().to_string();
  auto y = out->at("y").data<float>();
  EXPECT_EQ(std::vector<float>(y.begin(), y.end()), (std::vector<float>{1, 2.5f, 3, 6}));
  // Runs again with other data: released intermediates must not leak into the next run.
  auto again = (*ex)->run({{"x", Tensor::from_vector<float>({1, 1, 1, 1}, {1, 4})}});
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->at("y").data<float>()[3], 5.0f);
}

TEST(Executor, ListsEveryUnsupportedOpAtOnce) {
  Graph g = testing::make_chain_graph();
  g.opsets()[""] = 13;
  Value* x = g.find_value("x");
  g.add_node("FancyOp", {x}, {"f1"}, "fancy_a");
  g.add_node("FancyOp", {x}, {"f2"}, "fancy_b");
  g.add_node("Mystery", {x}, {"m"}, "mystery", "com.vendor");
  auto ex = ReferenceExecutor::create(g);
  ASSERT_FALSE(ex.has_value());
  const std::string& msg = ex.error().message();
  EXPECT_EQ(ex.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(msg.find("2 unsupported op type(s)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("FancyOp (nodes 'fancy_a', 'fancy_b')"), std::string::npos) << msg;
  EXPECT_NE(msg.find("com.vendor.Mystery (node 'mystery')"), std::string::npos) << msg;
  EXPECT_NE(msg.find("opset ai.onnx 13"), std::string::npos) << msg;
}

TEST(Executor, InputValidationSaysWhatTheModelExpects) {
  Graph g = testing::make_chain_graph();
  auto ex = ReferenceExecutor::create(g);
  ASSERT_TRUE(ex.has_value()) << ex.error().to_string();
  auto wrong_name = (*ex)->run({{"xx", Tensor::from_vector<float>({1, 2, 3, 4}, {1, 4})}});
  ASSERT_FALSE(wrong_name.has_value());
  EXPECT_NE(wrong_name.error().message().find("did you mean 'x'"), std::string::npos) << wrong_name.error().message();
  EXPECT_NE(wrong_name.error().hint().find("x: f32[1, 4]"), std::string::npos) << wrong_name.error().hint();
  auto missing = (*ex)->run({});
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message().find("missing input 'x'"), std::string::npos);
  auto wrong_dtype = (*ex)->run({{"x", Tensor::from_vector<int32_t>({1, 2, 3, 4}, {1, 4})}});
  ASSERT_FALSE(wrong_dtype.has_value());
  EXPECT_NE(wrong_dtype.error().message().find("has dtype i32; the model expects x: f32[1, 4]"), std::string::npos)
      << wrong_dtype.error().message();
  auto wrong_shape = (*ex)->run({{"x", Tensor::from_vector<float>({1, 2, 3}, {1, 3})}});
  ASSERT_FALSE(wrong_shape.has_value());
  EXPECT_NE(wrong_shape.error().message().find("has shape [1, 3]"), std::string::npos);
}

TEST(Executor, KernelErrorsNameTheNode) {
  Graph g("bad_add");
  Value* a = g.add_value("a", DType::kF32, Shape{});  // unknown shapes: checked at run time
  Value* b = g.add_value("b", DType::kF32, Shape{});
  g.add_input(a);
  g.add_input(b);
  Node* add = g.add_node("Add", {a, b}, {"c"}, "the_add");
  g.add_output(add->output(0));
  auto ex = ReferenceExecutor::create(g);
  ASSERT_TRUE(ex.has_value()) << ex.error().to_string();
  auto out = (*ex)->run({{"a", Tensor(DType::kF32, {2, 3})}, {"b", Tensor(DType::kF32, {4})}});
  ASSERT_FALSE(out.has_value());
  EXPECT_NE(out.error().to_string().find("node 'the_add' (Add)"), std::string::npos) << out.error().to_string();
}

TEST(Executor, OpTableIsSortedAndNonEmpty) {
  const auto& table = reference_op_table();
  ASSERT_FALSE(table.empty());
  // Sorted by (domain, op_type): "" (ai.onnx) first, then e.g. "nnc" ops.
  for (size_t i = 1; i < table.size(); ++i)
    EXPECT_LT(std::tie(table[i - 1].domain, table[i - 1].op_type), std::tie(table[i].domain, table[i].op_type));
  EXPECT_TRUE(reference_supports("", "Relu"));
  EXPECT_TRUE(reference_supports("ai.onnx", "Relu"));
  EXPECT_FALSE(reference_supports("", "NoSuchOp"));
}

TEST(ThreadPool, CoversTheRangeExactlyOnce) {
  for (int threads : {1, 2, 4}) {
    exec::ThreadPool pool(threads);
    for (int64_t n : {0, 1, 3, 1000, 12345}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      pool.parallel_for(n, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)]++;
      });
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << "n=" << n << " i=" << i;
    }
  }
}

TEST(ThreadPool, BackToBackJobsNeverMixUp) {
  // Thousands of short jobs in a row, each with its own function, size and chunking: a worker late
  // for one job must not run items of the next with the old function (each job writes its own id).
  for (int threads : {2, 3}) {
    exec::ThreadPool pool(threads);
    std::vector<int> owner(4096);
    for (int job = 0; job < 3000; ++job) {
      const int64_t n = 1 + (job * 37) % 4096;
      pool.parallel_for(
          n,
          [&, job](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) owner[static_cast<size_t>(i)] = job;
          },
          1 + job % 7);
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(owner[static_cast<size_t>(i)], job) << "job " << job << " i " << i;
    }
  }
}

TEST(ThreadPool, WorkersThatFellAsleepStillWake) {
  exec::ThreadPool pool(2);
  for (int round = 0; round < 3; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));  // longer than the spin phase
    std::atomic<int64_t> total{0};
    pool.parallel_for(1000, [&](int64_t b, int64_t e) { total += e - b; });
    EXPECT_EQ(total.load(), 1000);
  }
}

TEST(ThreadPool, NestedLoopsRunInlineWithoutDeadlock) {
  exec::ThreadPool pool(2);
  std::atomic<int64_t> total{0};
  pool.parallel_for(8, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      pool.parallel_for(100, [&](int64_t b2, int64_t e2) { total += e2 - b2; });
  });
  EXPECT_EQ(total.load(), 800);
}

}  // namespace
}  // namespace nnc
