// nnc tests: the IR verifier catches dangling values, cycles, and dtype/shape mismatches.
#include <gtest/gtest.h>

#include "nnc/dump.h"
#include "nnc/verifier.h"
#include "test_graphs.h"

namespace nnc {
namespace {

bool mentions(const Status& s, const std::string& text) { return s.message().find(text) != std::string::npos; }

TEST(Verifier, AcceptsValidGraph) {
  Graph g = testing::make_chain_graph();
  Status s = verify_graph(g);
  EXPECT_TRUE(s.is_ok()) << s.to_string();
}

TEST(Verifier, DanglingInput) {
  Graph g = testing::make_chain_graph();
  Value* ghost = g.add_value("ghost", DType::kF32, Shape{1, 4});
  g.find_node("add")->set_input(1, ghost);
  Status s = verify_graph(g);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), ErrorCode::kVerifyFailed);
  EXPECT_TRUE(mentions(s, "'ghost'")) << s.message();
  EXPECT_TRUE(mentions(s, "dangling")) << s.message();
}

TEST(Verifier, DanglingGraphOutput) {
  Graph g = testing::make_chain_graph();
  g.add_output(g.add_value("nowhere"));
  Status s = verify_graph(g);
  ASSERT_FALSE(s.is_ok());
  EXPECT_TRUE(mentions(s, "graph output 'nowhere'")) << s.message();
}

TEST(Verifier, Cycle) {
  Graph g = testing::make_cyclic_graph();
  Status s = verify_graph(g);
  ASSERT_FALSE(s.is_ok());
  EXPECT_TRUE(mentions(s, "cycle")) << s.message();
  // Dumping a cyclic graph must not hang or crash.
  EXPECT_NE(dump_text(g).find("n1"), std::string::npos);
}

TEST(Verifier, DtypeMismatch) {
  Graph g = testing::make_chain_graph();
  g.find_value("r")->set_dtype(DType::kI8);
  Status s = verify_graph(g);
  ASSERT_FALSE(s.is_ok());
  EXPECT_TRUE(mentions(s, "dtype mismatch in node 'relu' (Relu)")) << s.message();
}

TEST(Verifier, ShapeMismatchOnUnaryAndBroadcast) {
  Graph g = testing::make_chain_graph();
  g.find_value("i")->set_shape(Shape{1, 5});
  Status s = verify_graph(g);
  ASSERT_FALSE(s.is_ok());
  EXPECT_TRUE(mentions(s, "shape mismatch in node 'identity'")) << s.message();
  EXPECT_TRUE(mentions(s, "cannot be broadcast")) << s.message();
}

TEST(Verifier, ConstantDisagreesWithDeclaration) {
  Graph g = testing::make_chain_graph();
  g.find_value("bias")->set_shape(Shape{2, 2});
  Status s = verify_graph(g);
  ASSERT_FALSE(s.is_ok());
  EXPECT_TRUE(mentions(s, "constant 'bias'")) << s.message();
}

TEST(Verifier, ComparisonMustProduceBool) {
  Graph g("cmp");
  Value* a = g.add_value("a", DType::kF32, Shape{3});
  Value* b = g.add_value("b", DType::kF32, Shape{3});
  g.add_input(a);
  g.add_input(b);
  Node* eq = g.add_node("Equal", {a, b}, {"e"}, "eq");
  eq->output(0)->set_dtype(DType::kF32);
  g.add_output(eq->output(0));
  Status s = verify_graph(g);
  ASSERT_FALSE(s.is_ok());
  EXPECT_TRUE(mentions(s, "should be bool")) << s.message();
}

TEST(Verifier, UnknownTypesAreNotErrors) {
  Graph g("partial");
  Value* a = g.add_value("a");  // dtype/shape unknown before inference
  g.add_input(a);
  Node* n = g.add_node("Relu", {a}, {"b"});
  g.add_node("CustomOp", {n->output(0)}, {"c"}, "custom", "com.vendor");
  g.add_output(g.find_value("c"));
  EXPECT_TRUE(verify_graph(g).is_ok());
}

TEST(Dump, TextAndJsonDescribeTheGraph) {
  Graph g = testing::make_chain_graph();
  g.find_node("add")->set_attribute("note", Attribute(std::vector<int64_t>{1, 2}));
  std::string text = dump_text(g);
  EXPECT_NE(text.find("graph \"chain\" (%x: f32[1, 4]) -> (%y: f32[1, 4])"), std::string::npos) << text;
  EXPECT_NE(text.find("%y: f32[1, 4] = Add(%i, %bias) {note = [1, 2]}  # add"), std::string::npos) << text;
  std::string json = dump_json(g, true);
  EXPECT_NE(json.find("\"op_type\": \"Relu\""), std::string::npos);
  EXPECT_NE(json.find("\"data\""), std::string::npos);
  EXPECT_EQ(dump_json(g).find("\"data\""), std::string::npos);
}

}  // namespace
}  // namespace nnc
