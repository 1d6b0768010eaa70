// nnc tests: ONNX writer: IR -> ONNX -> IR round trips, the ONNX checker, external data.
#include <gtest/gtest.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include "nnc/onnx_writer.h"
#include "onnx_test_util.h"

namespace nnc::onnx_test {
namespace {

/// Runs onnx::checker on bytes; returns "" when accepted, else the checker's message.
std::string check_bytes(const std::string& bytes) {
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) return "protobuf parse failed";
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

std::string check_file(const fs::path& p) {
  try {
    onnx::checker::check_model(p.string());
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(OnnxRoundTrip, FeatureGraphIsPreserved) {
  const Graph original = make_feature_graph();
  auto bytes = serialize_onnx(original);
  ASSERT_TRUE(bytes.has_value()) << bytes.error().to_string();
  auto back = import_bytes(*bytes, "feature.onnx", exact_options());
  ASSERT_TRUE(back.has_value()) << back.error().to_string();
  expect_graphs_equal(original, *back);

  // Second generation: the bytes are stable.
  auto again = serialize_onnx(*back);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*bytes, *again);
}

TEST(OnnxRoundTrip, WrittenModelFieldsAndMetadata) {
  OnnxWriteOptions opts;
  opts.ir_version = 7;
  opts.producer_name = "test-producer";
  auto bytes = serialize_onnx(make_feature_graph(), opts);
  ASSERT_TRUE(bytes.has_value());
  onnx::ModelProto m;
  ASSERT_TRUE(m.ParseFromString(*bytes));
  EXPECT_EQ(m.ir_version(), 7);
  EXPECT_EQ(m.producer_name(), "test-producer");
  EXPECT_EQ(m.doc_string(), "round-trip test model");
  EXPECT_EQ(m.domain(), "ai.nnc.test");
  EXPECT_EQ(m.model_version(), 3);
  ASSERT_EQ(m.metadata_props_size(), 1);
  EXPECT_EQ(m.metadata_props(0).key(), "author");
  // Symbolic and unknown dims.
  const auto& x = m.graph().input(0);
  EXPECT_EQ(x.name(), "x");
  const auto& dims = x.type().tensor_type().shape().dim();
  EXPECT_EQ(dims[0].dim_param(), "N");
  EXPECT_EQ(dims[1].dim_value(), 3);
  EXPECT_EQ(dims[2].value_case(), onnx::TensorShapeProto::Dimension::VALUE_NOT_SET);
  // Intermediate value_info only for values with a known dtype.
  bool has_sum = false;
  for (const auto& vi : m.graph().value_info()) has_sum = has_sum || vi.name() == "sum";
  EXPECT_TRUE(has_sum);
}

TEST(OnnxRoundTrip, DefaultOpsetWhenGraphHasNone) {
  Graph g("plain");
  Value* x = g.add_value("x", DType::kF32, Shape::of({2}));
  g.add_input(x);
  Node* n = g.add_node("Relu", {x}, {"y"}, "relu");
  n->output(0)->set_dtype(DType::kF32);
  n->output(0)->set_shape(Shape::of({2}));
  g.add_output(n->output(0));
  auto bytes = serialize_onnx(g);
  ASSERT_TRUE(bytes.has_value());
  onnx::ModelProto m;
  ASSERT_TRUE(m.ParseFromString(*bytes));
  ASSERT_EQ(m.opset_import_size(), 1);
  EXPECT_EQ(m.opset_import(0).domain(), "");
  EXPECT_EQ(m.opset_import(0).version(), 17);
  EXPECT_EQ(check_bytes(*bytes), "");
}

TEST(OnnxRoundTrip, CheckerAcceptsTinyCnn) {
  auto g = import_file(tiny_cnn_path());
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  auto bytes = serialize_onnx(*g);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(check_bytes(*bytes), "");
  EXPECT_EQ(check_file(tiny_cnn_path()), "");
}

TEST(OnnxRoundTrip, CheckerAcceptsSubgraphsWithOuterScopeReads) {
  Graph g("with_if");
  g.opsets()[""] = 17;
  Value* flag = g.add_value("flag", DType::kBool, Shape::scalar());
  Value* x = g.add_value("x", DType::kF32, Shape::of({2}));
  g.add_input(flag);
  g.add_input(x);
  auto then_g = std::make_shared<Graph>("then_branch");
  Value* tx = then_g->add_value("x", DType::kF32, Shape::of({2}));
  Node* tn = then_g->add_node("Relu", {tx}, {"then_out"}, "then_relu");
  tn->output(0)->set_dtype(DType::kF32);
  tn->output(0)->set_shape(Shape::of({2}));
  then_g->add_output(tn->output(0));
  auto else_g = std::make_shared<Graph>("else_branch");
  Value* ex = else_g->add_value("x", DType::kF32, Shape::of({2}));
  Node* en = else_g->add_node("Neg", {ex}, {"else_out"}, "else_neg");
  en->output(0)->set_dtype(DType::kF32);
  en->output(0)->set_shape(Shape::of({2}));
  else_g->add_output(en->output(0));
  Node* iff = g.add_node("If", {flag}, {"y"}, "if");
  iff->set_attribute("then_branch", then_g);
  iff->set_attribute("else_branch", else_g);
  iff->output(0)->set_dtype(DType::kF32);
  iff->output(0)->set_shape(Shape::of({2}));
  g.add_output(iff->output(0));

  auto bytes = serialize_onnx(g);
  ASSERT_TRUE(bytes.has_value()) << bytes.error().to_string();
  EXPECT_EQ(check_bytes(*bytes), "");
  auto back = import_bytes(*bytes);  // with shape inference
  ASSERT_TRUE(back.has_value()) << back.error().to_string();
  expect_graphs_equal(g, *back);
}

TEST(OnnxRoundTrip, ExternalDataWrittenAndMapped) {
  TempDir dir;
  const Graph original = make_feature_graph();
  OnnxWriteOptions opts;
  opts.large_constants_external = true;
  ASSERT_TRUE(write_onnx(original, dir / "model.onnx", opts).is_ok());
  ASSERT_TRUE(fs::exists(dir / "model.onnx.data"));
  EXPECT_GE(fs::file_size(dir / "model.onnx.data"), 64u * 16u * 4u);
  EXPECT_LT(fs::file_size(dir / "model.onnx"), 4096u);

  auto back = import_file(dir / "model.onnx", exact_options());
  ASSERT_TRUE(back.has_value()) << back.error().to_string();
  expect_graphs_equal(original, *back);
  const Value* big = back->find_value("big_f32");
  ASSERT_NE(big, nullptr);
  EXPECT_TRUE(big->constant()->is_mapped());
  EXPECT_FALSE(back->find_value("c_f32")->constant()->is_mapped());  // small constants stay inline

  // serialize_onnx has no file to put external data in.
  auto refused = serialize_onnx(original, opts);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
}

TEST(OnnxRoundTrip, ExternalDataPassesChecker) {
  TempDir dir;
  auto g = import_file(tiny_cnn_path());
  ASSERT_TRUE(g.has_value());
  OnnxWriteOptions opts;
  opts.large_constants_external = true;
  ASSERT_TRUE(write_onnx(*g, dir / "tiny.onnx", opts).is_ok());
  ASSERT_TRUE(fs::exists(dir / "tiny.onnx.data"));  // conv2.weight is 4.5 KiB
  EXPECT_EQ(check_file(dir / "tiny.onnx"), "");
  auto back = import_file(dir / "tiny.onnx");
  ASSERT_TRUE(back.has_value()) << back.error().to_string();
  expect_graphs_equal(*g, *back);
}

TEST(OnnxRoundTrip, WriteErrorsNameTheFile) {
  TempDir dir;
  write_bytes(dir / "plain_file", "x");
  const fs::path bad = dir / "plain_file" / "model.onnx";  // a regular file where a directory should be
  Status st = write_onnx(make_feature_graph(), bad);
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.to_string().find("model.onnx"), std::string::npos) << st.to_string();

  Graph g("untyped_constant");
  g.add_constant("c", Tensor());
  auto bytes = serialize_onnx(g);
  ASSERT_FALSE(bytes.has_value());
  EXPECT_NE(bytes.error().message().find("'c'"), std::string::npos);
}

}  // namespace
}  // namespace nnc::onnx_test
