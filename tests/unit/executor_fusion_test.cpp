// nnc tests: the executor folds Relu/Clip into their producer with results identical to running them apart.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nnc/executor.h"
#include "graph_test_util.h"

namespace nnc {
namespace {

using test_util::typed;

/// x[1,2,4,4] -> Conv(3x3, pad 1, 3 out) -> act -> y; optionally the conv output is a graph output too.
Graph conv_then(const std::string& act, bool conv_is_output, int64_t opset = 13, bool bounds_from_nodes = false) {
  Graph g("fusion");
  g.opsets()[""] = opset;
  Value* x = typed(g.add_value("x"), Shape{1, 2, 4, 4});
  g.add_input(x);
  std::vector<float> w(3 * 2 * 9);
  for (size_t i = 0; i < w.size(); ++i) w[i] = std::sin(static_cast<float>(i)) * 0.7f;
  Value* wt = g.add_constant("w", Tensor::from_vector<float>(w, {3, 2, 3, 3}));
  Value* b = g.add_constant("b", Tensor::from_vector<float>({0.1f, -0.2f, 0.3f}, {3}));
  Node* conv = g.add_node("Conv", {x, wt, b}, {"c"}, "conv");
  conv->set_attribute("pads", std::vector<int64_t>{1, 1, 1, 1});
  typed(conv->output(0), Shape{1, 3, 4, 4});
  std::vector<Value*> act_in{conv->output(0)};
  if (act == "Clip" && opset >= 11 && !bounds_from_nodes) {
    act_in.push_back(g.add_constant("lo", Tensor::scalar<float>(-0.5f)));
    act_in.push_back(g.add_constant("hi", Tensor::scalar<float>(0.75f)));
  } else if (act == "Clip" && opset >= 11) {  // as torch exports them: Constant nodes
    for (auto [name, v] : {std::pair{"lo", -0.5f}, std::pair{"hi", 0.75f}}) {
      Node* c = g.add_node("Constant", {}, {name}, std::string(name) + "_node");
      c->set_attribute("value", Tensor::scalar<float>(v));
      c->output(0)->set_dtype(DType::kF32);
      c->output(0)->set_shape(Shape{});
      act_in.push_back(c->output(0));
    }
  }
  Node* a = g.add_node(act, act_in, {"y"}, "act");
  if (act == "Clip" && opset < 11) {
    a->set_attribute("min", -0.5);
    a->set_attribute("max", 0.75);
  }
  typed(a->output(0), Shape{1, 3, 4, 4});
  g.add_output(a->output(0));
  if (conv_is_output) g.add_output(conv->output(0));
  return g;
}

std::map<std::string, Tensor> run(const Graph& g, bool fuse, const Tensor& x) {
  ExecutorOptions o;
  o.threads = 1;
  o.fuse_activations = fuse;
  auto ex = ReferenceExecutor::create(g, o);
  EXPECT_TRUE(ex.has_value()) << ex.error().to_string();
  auto out = (*ex)->run({{"x", x}});
  EXPECT_TRUE(out.has_value()) << out.error().to_string();
  auto again = (*ex)->run({{"x", x}});  // second run: from the memory plan
  EXPECT_TRUE(again.has_value());
  for (auto& [name, t] : *out) {
    auto a = t.data<float>(), b = again->at(name).data<float>();
    for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))) << name;
  }
  return *out;
}

Tensor input_with_nan() {
  std::vector<float> v(32);
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::cos(static_cast<float>(i) * 1.3f) * 2.0f;
  v[5] = std::numeric_limits<float>::quiet_NaN();  // NaN flows into some conv outputs
  return Tensor::from_vector<float>(v, {1, 2, 4, 4});
}

void expect_same(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.shape(), b.shape());
  auto pa = a.data<float>(), pb = b.data<float>();
  int nans = 0;
  for (size_t i = 0; i < pa.size(); ++i) {
    if (std::isnan(pb[i])) {
      ++nans;
      EXPECT_TRUE(std::isnan(pa[i])) << i;
    } else {
      EXPECT_EQ(pa[i], pb[i]) << i;
    }
  }
  (void)nans;
}

TEST(ExecutorFusion, ConvReluMatchesUnfusedIncludingNaN) {
  Graph g = conv_then("Relu", false);
  auto fused = run(g, true, input_with_nan()), plain = run(g, false, input_with_nan());
  expect_same(fused.at("y"), plain.at("y"));
  for (float v : fused.at("y").data<float>()) EXPECT_FALSE(std::isnan(v));  // Relu maps NaN to 0
}

TEST(ExecutorFusion, ConvClipMatchesUnfusedBothOpsetForms) {
  for (auto [opset, from_nodes] : {std::pair<int64_t, bool>{6, false}, {13, false}, {13, true}}) {
    Graph g = conv_then("Clip", false, opset, from_nodes);
    auto fused = run(g, true, input_with_nan()), plain = run(g, false, input_with_nan());
    expect_same(fused.at("y"), plain.at("y"));
    bool saw_nan = false;
    for (float v : fused.at("y").data<float>()) {
      saw_nan = saw_nan || std::isnan(v);
      if (!std::isnan(v)) {
        EXPECT_GE(v, -0.5f);
        EXPECT_LE(v, 0.75f);
      }
    }
    EXPECT_TRUE(saw_nan) << "Clip keeps NaN (opset " << opset << ")";
  }
}

TEST(ExecutorFusion, AProducerWhoseOutputIsAlsoAGraphOutputIsNotFused) {
  Graph g = conv_then("Relu", true);
  auto out = run(g, true, input_with_nan());
  bool negative = false;
  for (float v : out.at("c").data<float>()) negative = negative || v < 0;
  EXPECT_TRUE(negative) << "the conv output must stay unclamped";
  expect_same(out.at("y"), run(g, false, input_with_nan()).at("y"));
}

TEST(ExecutorFusion, ResidualAddReluMatchesUnfused) {
  Graph g("add_relu");
  g.opsets()[""] = 13;
  Value* x = typed(g.add_value("x"), Shape{1, 2, 4, 4});
  g.add_input(x);
  std::vector<float> r(32);
  for (size_t i = 0; i < r.size(); ++i) r[i] = std::sin(static_cast<float>(i) * 0.9f);
  Value* res = g.add_constant("r", Tensor::from_vector<float>(r, {1, 2, 4, 4}));
  Node* add = g.add_node("Add", {x, res}, {"s"}, "add");
  typed(add->output(0), Shape{1, 2, 4, 4});
  Node* relu = g.add_node("Relu", {add->output(0)}, {"y"}, "relu");
  typed(relu->output(0), Shape{1, 2, 4, 4});
  g.add_output(relu->output(0));
  auto fused = run(g, true, input_with_nan()), plain = run(g, false, input_with_nan());
  expect_same(fused.at("y"), plain.at("y"));
  EXPECT_EQ(fused.at("y").data<float>()[5], 0.0f);  // NaN + r -> NaN -> Relu -> 0
}

}  // namespace
}  // namespace nnc
