// nnc tests: cancel_inverse_transposes removes channel-last import Transposes without changing results.
#include <gtest/gtest.h>

#include <cmath>

#include "nnc/executor.h"
#include "nnc/layout_rewrite.h"
#include "graph_test_util.h"

namespace nnc {
namespace {

using test_util::typed;

Node* transpose(Graph& g, Value* x, std::vector<int64_t> perm, const std::string& out, Shape s) {
  Node* t = g.add_node("Transpose", {x}, {out}, out + "_node");
  t->set_attribute("perm", std::move(perm));
  typed(t->output(0), std::move(s));
  return t;
}

int count_ops(const Graph& g, const std::string& op) {
  int n = 0;
  for (const Node* node : g.nodes()) n += node->op_type() == op;
  return n;
}

Tensor ramp(std::vector<int64_t> shape) {
  Tensor t(DType::kF32, shape);
  auto d = t.mutable_data<float>();
  for (size_t i = 0; i < d.size(); ++i) d[i] = std::sin(0.37f * static_cast<float>(i)) * 3.0f;
  return t;
}

std::map<std::string, Tensor> run(const Graph& g, const Tensor& x) {
  auto ex = ReferenceExecutor::create(g);
  EXPECT_TRUE(ex) << ex.error().message();
  auto out = (*ex)->run({{"x", x}});
  EXPECT_TRUE(out) << out.error().message();
  return *out;
}

void expect_same(const std::map<std::string, Tensor>& a, const std::map<std::string, Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, t] : a) {
    const Tensor& u = b.at(name);
    ASSERT_EQ(t.shape(), u.shape()) << name;
    for (int64_t i = 0; i < t.element_count(); ++i) EXPECT_EQ(t.value_as_double(i), u.value_as_double(i)) << name << i;
  }
}

/// NHWC x -> T(to NCHW) -> Relu -> Add(per-channel bias [1,3,1,1]) -> T(to NHWC) -> Sigmoid -> y.
Graph nhwc_chain() {
  Graph g("nhwc");
  g.opsets()[""] = 13;
  Value* x = typed(g.add_value("x"), Shape{1, 4, 5, 3});
  g.add_input(x);
  transpose(g, x, {0, 3, 1, 2}, "t1", Shape{1, 3, 4, 5});
  Node* relu = g.add_node("Relu", {g.find_value("t1")}, {"r"}, "relu");
  typed(relu->output(0), Shape{1, 3, 4, 5});
  Value* bias = g.add_constant("bias", Tensor::from_vector<float>({0.5f, -1.0f, 2.0f}, {1, 3, 1, 1}));
  Node* add = g.add_node("Add", {relu->output(0), bias}, {"a"}, "add");
  typed(add->output(0), Shape{1, 3, 4, 5});
  transpose(g, add->output(0), {0, 2, 3, 1}, "t2", Shape{1, 4, 5, 3});
  Node* sig = g.add_node("Sigmoid", {g.find_value("t2")}, {"y"}, "sigmoid");
  typed(sig->output(0), Shape{1, 4, 5, 3});
  g.add_output(sig->output(0));
  return g;
}

TEST(LayoutRewrite, InversePairAcrossElementwiseOpsDisappears) {
  Graph g = nhwc_chain();
  Tensor x = ramp({1, 4, 5, 3});
  auto before = run(g, x);
  auto removed = cancel_inverse_transposes(g);
  ASSERT_TRUE(removed) << removed.error().message();
  EXPECT_EQ(*removed, 2);
  EXPECT_EQ(count_ops(g, "Transpose"), 0);
  expect_same(before, run(g, x));
  EXPECT_EQ(g.outputs()[0]->name(), "y");
}

TEST(LayoutRewrite, TransposeOfConstantIsFolded) {
  Graph g("fold");
  g.opsets()[""] = 13;
  Value* x = typed(g.add_value("x"), Shape{2, 3});
  g.add_input(x);
  Value* c = g.add_constant("c", Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {3, 2}));
  transpose(g, c, {1, 0}, "ct", Shape{2, 3});
  Node* mul = g.add_node("Mul", {x, g.find_value("ct")}, {"y"}, "mul");
  typed(mul->output(0), Shape{2, 3});
  g.add_output(mul->output(0));
  Tensor in = ramp({2, 3});
  auto before = run(g, in);
  ASSERT_TRUE(cancel_inverse_transposes(g));
  EXPECT_EQ(count_ops(g, "Transpose"), 0);
  expect_same(before, run(g, in));
}

TEST(LayoutRewrite, NonInversePairIsMergedAndGraphOutputKeepsItsLayout) {
  Graph g("merge");
  g.opsets()[""] = 13;
  Value* x = typed(g.add_value("x"), Shape{2, 3, 4});
  g.add_input(x);
  transpose(g, x, {1, 0, 2}, "a", Shape{3, 2, 4});
  Node* t2 = transpose(g, g.find_value("a"), {2, 0, 1}, "y", Shape{4, 3, 2});
  g.add_output(t2->output(0));
  Tensor in = ramp({2, 3, 4});
  auto before = run(g, in);
  ASSERT_TRUE(cancel_inverse_transposes(g));
  EXPECT_EQ(count_ops(g, "Transpose"), 1);
  expect_same(before, run(g, in));
  EXPECT_EQ(g.outputs()[0]->name(), "y");
}

TEST(LayoutRewrite, TransposeFeedingAGraphOutputDirectlyStays) {
  Graph g("keep");
  g.opsets()[""] = 13;
  Value* x = typed(g.add_value("x"), Shape{2, 3});
  g.add_input(x);
  Node* t = transpose(g, x, {1, 0}, "y", Shape{3, 2});
  g.add_output(t->output(0));
  ASSERT_TRUE(cancel_inverse_transposes(g));
  EXPECT_EQ(count_ops(g, "Transpose"), 1);
}

TEST(LayoutRewrite, PerAxisDequantizeFollowsThePermutation) {
  Graph g("qdq");
  g.opsets()[""] = 13;
  Value* x = typed(g.add_value("x"), Shape{1, 4, 5, 3});
  g.add_input(x);
  transpose(g, x, {0, 3, 1, 2}, "t1", Shape{1, 3, 4, 5});
  Value* s = g.add_constant("s", Tensor::from_vector<float>({0.1f, 0.2f, 0.05f}, {3}));
  Value* zp = g.add_constant("zp", Tensor::from_vector<int8_t>({0, 3, -2}, {3}));
  Node* q = g.add_node("QuantizeLinear", {g.find_value("t1"), s, zp}, {"q"}, "q");
  q->set_attribute("axis", int64_t{1});
  q->output(0)->set_dtype(DType::kI8);
  q->output(0)->set_shape(Shape{1, 3, 4, 5});
  Node* dq = g.add_node("DequantizeLinear", {q->output(0), s, zp}, {"dq"}, "dq");
  dq->set_attribute("axis", int64_t{1});
  typed(dq->output(0), Shape{1, 3, 4, 5});
  transpose(g, dq->output(0), {0, 2, 3, 1}, "t2", Shape{1, 4, 5, 3});
  Node* relu = g.add_node("Relu", {g.find_value("t2")}, {"y"}, "relu");
  typed(relu->output(0), Shape{1, 4, 5, 3});
  g.add_output(relu->output(0));
  Tensor in = ramp({1, 4, 5, 3});
  auto before = run(g, in);
  ASSERT_TRUE(cancel_inverse_transposes(g));
  EXPECT_EQ(count_ops(g, "Transpose"), 0);
  expect_same(before, run(g, in));
}

}  // namespace
}  // namespace nnc
