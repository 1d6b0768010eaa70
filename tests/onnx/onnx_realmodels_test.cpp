// nnc tests: third-party ONNX models (../shared/realmodels/onnx): import, shapes, re-export through the checker.
#include <gtest/gtest.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include "nnc/graph_algorithms.h"
#include "nnc/onnx_writer.h"
#include "onnx_test_util.h"

namespace nnc::onnx_test {
namespace {

struct RealModel {
  const char* file;        // relative to realmodels/onnx
  size_t nodes;            // from the corpus' VALIDATION.txt
  size_t initializers;
  std::vector<int64_t> input_shape;  // after the default batch = 1
  std::vector<std::vector<int64_t>> output_shapes;
};

fs::path realmodels_dir() { return fs::path(NNC_SHARED_DIR) / "realmodels" / "onnx"; }

class OnnxRealModels : public ::testing::TestWithParam<RealModel> {};

TEST_P(OnnxRealModels, ImportsAndReexportPassesChecker) {
  if (!fs::exists(NNC_SHARED_DIR)) {
    GTEST_SKIP() << "the shared model corpus " << NNC_SHARED_DIR << " is absent on this machine";
  }
  const RealModel& rm = GetParam();
  const fs::path path = realmodels_dir() / rm.file;
  ASSERT_TRUE(fs::exists(path)) << path << " is missing from the shared corpus";

  std::vector<std::string> warnings;
  DiagnosticSink sink([&](const Diagnostic& d) { warnings.push_back(d.to_string()); });
  auto g = import_file(path, {}, {}, &sink);
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  EXPECT_EQ(g->node_count(), rm.nodes);
  size_t constants = 0;
  for (const Value* v : g->values()) constants += v->is_constant();
  EXPECT_EQ(constants, rm.initializers);
  ASSERT_EQ(g->inputs().size(), 1u);  // initializers listed as inputs (old IR) are not inputs
  EXPECT_EQ(g->inputs()[0]->shape(), Shape::of(rm.input_shape));
  ASSERT_EQ(g->outputs().size(), rm.output_shapes.size());
  for (size_t i = 0; i < rm.output_shapes.size(); ++i) {
    EXPECT_EQ(g->outputs()[i]->shape(), Shape::of(rm.output_shapes[i])) << g->outputs()[i]->name();
  }
  EXPECT_TRUE(topological_order(*g).has_value());

  auto bytes = serialize_onnx(*g);
  ASSERT_TRUE(bytes.has_value()) << bytes.error().to_string();
  onnx::ModelProto m;
  ASSERT_TRUE(m.ParseFromString(*bytes));
  try {
    onnx::checker::check_model(m);
  } catch (const std::exception& e) {
    FAIL() << "checker rejected the re-export of " << rm.file << ": " << e.what();
  }
  // And the re-export imports to the same graph.
  auto back = import_bytes(*bytes, path.filename(), exact_options());
  ASSERT_TRUE(back.has_value()) << back.error().to_string();
  expect_graphs_equal(*g, *back);
}

INSTANTIATE_TEST_SUITE_P(
    Corpus, OnnxRealModels,
    ::testing::Values(
        RealModel{"mnist8_cntk/mnist-8.onnx", 12, 8, {1, 1, 28, 28}, {{1, 10}}},
        RealModel{"squeezenet_cifar10_tf2onnx/squeezenet_cifar10.onnx", 30, 22, {1, 32, 32, 3}, {{1, 10}}},
        RealModel{"ultraface_rfb320/version-RFB-320.onnx", 242, 244, {1, 3, 240, 320}, {{1, 4420, 2}, {1, 4420, 4}}},
        RealModel{"ultraface_rfb320/version-RFB-320_without_postprocessing.onnx", 217, 244, {1, 3, 240, 320},
                  {{1, 4420, 2}, {1, 4420, 4}}}),
    [](const ::testing::TestParamInfo<RealModel>& info) {
      std::string name = fs::path(info.param.file).stem().string();
      for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    });

TEST(OnnxRealModelsBatch, SymbolicBatchIsSubstituted) {
  const fs::path path = realmodels_dir() / "squeezenet_cifar10_tf2onnx/squeezenet_cifar10.onnx";
  if (!fs::exists(path)) GTEST_SKIP() << "the shared model corpus " << NNC_SHARED_DIR << " is absent on this machine";
  onnx_frontend::ImportOptions opts;
  opts.batch = 4;
  auto g = import_file(path, opts);
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  EXPECT_EQ(g->inputs()[0]->shape(), Shape::of({4, 32, 32, 3}));
  EXPECT_EQ(g->outputs()[0]->shape(), Shape::of({4, 10}));
  opts.batch = 0;
  auto sym = import_file(path, opts);
  ASSERT_TRUE(sym.has_value()) << sym.error().to_string();
  EXPECT_TRUE(sym->inputs()[0]->shape()[0].is_symbolic());
}

}  // namespace
}  // namespace nnc::onnx_test
