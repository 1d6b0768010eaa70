// nnc tests: Graph/Node/Value ownership, use-def lists, cloning, topological order, extraction.
#include <gtest/gtest.h>

#include "nnc/graph.h"
#include "nnc/graph_algorithms.h"
#include "test_graphs.h"

namespace nnc {
namespace {

TEST(Graph, UseListsFollowRewiring) {
  Graph g = testing::make_chain_graph();
  Value* x = g.find_value("x");
  Value* r = g.find_value("r");
  ASSERT_EQ(x->uses().size(), 1u);
  EXPECT_EQ(x->uses()[0].node->name(), "relu");
  Node* identity = g.find_node("identity");
  identity->set_input(0, x);
  EXPECT_EQ(x->uses().size(), 2u);
  EXPECT_TRUE(r->uses().empty());
  g.replace_all_uses(g.find_value("i"), x);
  EXPECT_EQ(g.find_node("add")->input(0), x);
}

TEST(Graph, UniqueNamesAndProducers) {
  Graph g("g");
  Value* a = g.add_value("a");
  Value* a2 = g.add_value("a");
  EXPECT_EQ(a->name(), "a");
  EXPECT_EQ(a2->name(), "a_1");
  Node* n1 = g.add_node("Relu", {a}, {"b"});
  Node* n2 = g.add_node("Relu", {a2}, {"c"});
  EXPECT_NE(n1->name(), n2->name());
  EXPECT_EQ(g.find_value("b")->producer(), n1);
  EXPECT_EQ(g.find_value("c")->producer_output_index(), 0u);
}

TEST(Graph, CloneIsDeepAndIndependent) {
  Graph g = testing::make_chain_graph();
  Graph c = g.clone();
  ASSERT_EQ(c.node_count(), g.node_count());
  ASSERT_EQ(c.value_count(), g.value_count());
  EXPECT_NE(c.find_value("x"), g.find_value("x"));
  EXPECT_EQ(c.find_node("add")->input(1)->constant()->data<float>()[3], 4.0f);
  c.erase_node(c.find_node("identity"));
  EXPECT_EQ(g.node_count(), 3u);
  EXPECT_EQ(c.find_node("relu")->graph(), &c);
}

TEST(Graph, MoveKeepsNodeBackPointers) {
  Graph g = testing::make_chain_graph();
  Graph moved = std::move(g);
  for (Node* n : moved.nodes()) EXPECT_EQ(n->graph(), &moved);
}

TEST(Graph, EraseValueRefusesLiveValues) {
  Graph g = testing::make_chain_graph();
  EXPECT_FALSE(g.erase_value(g.find_value("r")).is_ok());
  EXPECT_FALSE(g.erase_value(g.find_value("y")).is_ok());
}

TEST(Graph, ParameterCount) {
  Graph g = testing::make_chain_graph();
  EXPECT_EQ(g.parameter_count(), 4);
}

TEST(GraphAlgorithms, TopologicalOrderIgnoresInsertionOrder) {
  Graph g("g");
  Value* x = g.add_value("x", DType::kF32, Shape{2});
  g.add_input(x);
  Value* mid = g.add_value("mid");
  Node* second = g.add_node("Relu", {mid}, {"y"}, "second");
  Node* first = g.add_node("Relu", {x}, {"mid"}, "first");
  g.add_output(second->output(0));
  auto order = topological_order(g);
  ASSERT_TRUE(order.has_value()) << order.error().to_string();
  ASSERT_EQ(order->size(), 2u);
  EXPECT_EQ((*order)[0], first);
  EXPECT_EQ((*order)[1], second);
}

TEST(GraphAlgorithms, CycleIsReportedWithNodeNames) {
  Graph g = testing::make_cyclic_graph();
  auto order = topological_order(g);
  ASSERT_FALSE(order.has_value());
  EXPECT_NE(order.error().message().find("cycle"), std::string::npos);
  EXPECT_NE(order.error().message().find("'n1'"), std::string::npos);
}

TEST(GraphAlgorithms, ExtractSubgraphBetweenValues) {
  Graph g = testing::make_chain_graph();
  auto sub = extract_subgraph(g, {"r"}, {"y"});
  ASSERT_TRUE(sub.has_value()) << sub.error().to_string();
  EXPECT_EQ(sub->node_count(), 2u);
  ASSERT_EQ(sub->inputs().size(), 1u);
  EXPECT_EQ(sub->inputs()[0]->name(), "r");
  EXPECT_EQ(sub->inputs()[0]->producer(), nullptr);
  EXPECT_TRUE(sub->find_value("bias")->is_constant());
}

TEST(GraphAlgorithms, ExtractSubgraphRejectsUnknownAndNonSeparatingCuts) {
  Graph g = testing::make_chain_graph();
  auto unknown = extract_subgraph(g, {"rr"}, {"y"});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().message().find("did you mean 'r'"), std::string::npos) << unknown.error().message();
  auto leaky = extract_subgraph(g, {"bias"}, {"y"});
  ASSERT_FALSE(leaky.has_value());
  EXPECT_NE(leaky.error().message().find("'x'"), std::string::npos) << leaky.error().message();
}

TEST(GraphAlgorithms, OpHistogramAndDeadCode) {
  Graph g = testing::make_chain_graph();
  Value* x = g.find_value("x");
  g.add_node("Sigmoid", {x}, {"unused"}, "dead");
  auto hist = op_histogram(g);
  EXPECT_EQ(hist["Relu"], 1);
  EXPECT_EQ(hist["Sigmoid"], 1);
  EXPECT_EQ(remove_dead_nodes(g), 1);
  EXPECT_EQ(g.find_node("dead"), nullptr);
  EXPECT_EQ(g.find_value("unused"), nullptr);
}

TEST(Shape, PrintingAndCompatibility) {
  Shape s{1, Dim::symbolic("batch"), Dim()};
  EXPECT_EQ(s.str(), "[1, batch, ?]");
  EXPECT_FALSE(s.is_static());
  EXPECT_FALSE(s.element_count().has_value());
  EXPECT_EQ(Shape().str(), "[*]");
  EXPECT_TRUE(Shape({1, 3}).conflicts_with(Shape({1, 4})));
  EXPECT_FALSE(Shape({1, 3}).conflicts_with(s.rank() == 3 ? Shape({1, Dim()}) : Shape()));
  EXPECT_EQ(Shape::of({2, 3, 4}).element_count().value(), 24);
}

TEST(Tensor, StorageAndConversions) {
  Tensor t = Tensor::from_vector<int8_t>({-1, 2, -3}, {3});
  EXPECT_EQ(t.storage_bytes(), 3u);
  EXPECT_EQ(t.value_as_double(2), -3.0);
  Tensor i4(DType::kI4, {3});
  EXPECT_EQ(i4.storage_bytes(), 2u);
  i4.mutable_raw_data()[0] = std::byte{0xF7};  // low nibble 7, high nibble -1
  EXPECT_EQ(i4.value_as_double(0), 7.0);
  EXPECT_EQ(i4.value_as_double(1), -1.0);
  Tensor shared = t;
  Tensor deep = t.clone();
  t.mutable_data<int8_t>()[0] = 5;
  EXPECT_EQ(shared.data<int8_t>()[0], 5);
  EXPECT_EQ(deep.data<int8_t>()[0], -1);
  EXPECT_FALSE(t.reshaped({2, 2}).has_value());
  EXPECT_THROW(Tensor(DType::kF32, {4}, Buffer::allocate(8)), std::invalid_argument);
}

TEST(DType, NamesRoundTrip) {
  for (DType t : {DType::kF32, DType::kF16, DType::kBF16, DType::kF64, DType::kI64, DType::kI32, DType::kI16, DType::kI8,
                  DType::kU8, DType::kI4, DType::kBool, DType::kU16, DType::kU32, DType::kU64}) {
    auto parsed = parse_dtype(dtype_name(t));
    ASSERT_TRUE(parsed.has_value()) << dtype_name(t);
    EXPECT_EQ(*parsed, t);
  }
  EXPECT_EQ(parse_dtype("float32"), DType::kF32);
  EXPECT_EQ(parse_dtype("uint64"), DType::kU64);
  EXPECT_FALSE(parse_dtype("complex64").has_value());
}

TEST(DType, UnsignedSizesAndClasses) {
  EXPECT_EQ(dtype_bits(DType::kU16), 16);
  EXPECT_EQ(dtype_bits(DType::kU32), 32);
  EXPECT_EQ(dtype_bits(DType::kU64), 64);
  EXPECT_EQ(dtype_storage_bytes(DType::kU64, 3), 24u);
  for (DType t : {DType::kU8, DType::kU16, DType::kU32, DType::kU64}) {
    EXPECT_TRUE(is_integer(t)) << dtype_name(t);
    EXPECT_TRUE(is_unsigned(t)) << dtype_name(t);
    EXPECT_FALSE(is_floating(t)) << dtype_name(t);
  }
  EXPECT_FALSE(is_unsigned(DType::kI64));
  EXPECT_FALSE(is_unsigned(DType::kBool));
  // Appended in SDK 1.1: the values plugins built against 1.0 know keep their numbers.
  EXPECT_EQ(static_cast<int>(DType::kBool), 11);
  EXPECT_EQ(static_cast<int>(DType::kU16), 12);
  Tensor big = Tensor::from_vector<uint64_t>({18446744073709551615ull, 7}, {2});
  EXPECT_EQ(big.dtype(), DType::kU64);
  EXPECT_EQ(big.value_as_double(0), 18446744073709551615.0);
  EXPECT_EQ(Tensor::scalar<uint32_t>(4000000000u).value_as_double(0), 4000000000.0);
  EXPECT_EQ(Tensor::scalar<uint16_t>(65535).dtype(), DType::kU16);
}

}  // namespace
}  // namespace nnc
