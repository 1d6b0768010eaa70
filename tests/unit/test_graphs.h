// nnc tests: small hand-built graphs shared by the IR, verifier and dump tests.
#pragma once

#include "nnc/graph.h"

namespace nnc::testing {

/// x:f32[1,4] -> Relu -> Identity -> Add(+bias const) -> y
inline Graph make_chain_graph() {
  Graph g("chain");
  Value* x = g.add_value("x", DType::kF32, Shape{1, 4});
  g.add_input(x);
  Value* bias = g.add_constant("bias", Tensor::from_vector<float>({1, 2, 3, 4}, {1, 4}));
  Node* relu = g.add_node("Relu", {x}, {"r"}, "relu");
  relu->output(0)->set_dtype(DType::kF32);
  relu->output(0)->set_shape(Shape{1, 4});
  Node* id = g.add_node("Identity", {relu->output(0)}, {"i"}, "identity");
  id->output(0)->set_dtype(DType::kF32);
  id->output(0)->set_shape(Shape{1, 4});
  Node* add = g.add_node("Add", {id->output(0), bias}, {"y"}, "add");
  add->output(0)->set_dtype(DType::kF32);
  add->output(0)->set_shape(Shape{1, 4});
  g.add_output(add->output(0));
  return g;
}

/// x -> n1: Add(x, b) -> a -> n2: Relu(a) -> b: a two-node cycle (n1 reads n2's output).
inline Graph make_cyclic_graph() {
  Graph g("cyclic");
  Value* x = g.add_value("x", DType::kF32, Shape{2});
  g.add_input(x);
  Value* b = g.add_value("b");
  Node* n1 = g.add_node("Add", {x, b}, {"a"}, "n1");
  Node* n2 = g.add_node("Relu", {n1->output(0)}, {"b"}, "n2");
  g.add_output(n2->output(0));
  return g;
}

}  // namespace nnc::testing
