// nnc tests: builds the feature graph the ONNX round-trip tests write and read back.
#include "onnx_test_util.h"

namespace nnc::onnx_test {
namespace {

/// Tensor of `dtype` whose bytes are 0, 1, 2... (any bit pattern is a valid value for the test).
Tensor patterned(DType dtype, std::vector<int64_t> shape, uint8_t seed) {
  Tensor t(dtype, std::move(shape));
  std::byte* p = t.mutable_raw_data();
  for (size_t i = 0; i < t.storage_bytes(); ++i) p[i] = std::byte(static_cast<uint8_t>(seed + i * 7));
  if (dtype == DType::kBool) {
    for (size_t i = 0; i < t.storage_bytes(); ++i) p[i] = std::byte(static_cast<uint8_t>(i % 2));
  }
  return t;
}

}  // namespace

Graph make_feature_graph() {
  Graph g("feature_graph");
  g.opsets()[""] = 17;
  g.opsets()["com.example"] = 1;
  g.metadata()["author"] = "nnc tests";
  g.metadata()["onnx.doc_string"] = "round-trip test model";
  g.metadata()["onnx.domain"] = "ai.nnc.test";
  g.metadata()["onnx.model_version"] = "3";

  Value* x = g.add_value("x", DType::kF32, Shape{Dim::symbolic("N"), 3, Dim(), 8});
  x->set_doc("the main input");
  g.add_input(x);
  Value* flag = g.add_value("flag", DType::kBool, Shape::scalar());
  g.add_input(flag);
  Value* untyped = g.add_value("untyped");  // no dtype, unknown rank
  g.add_input(untyped);

  const DType all[] = {DType::kF32, DType::kF16, DType::kBF16, DType::kF64, DType::kI64, DType::kI32, DType::kI16,
                       DType::kI8,  DType::kU8,  DType::kU16,  DType::kU32, DType::kU64, DType::kI4,  DType::kBool};
  uint8_t seed = 1;
  for (DType t : all) {
    Value* c = g.add_constant(std::string("c_") + dtype_name(t), patterned(t, {5}, seed++));
    if (t == DType::kF32) c->set_doc("a documented constant");
  }
  g.add_constant("big_f32", patterned(DType::kF32, {64, 16}, 9));  // 4 KiB: goes external when asked
  g.add_constant("empty_i64", Tensor(DType::kI64, {0, 4}));
  g.add_constant("scalar_f64", Tensor::scalar<double>(2.5));

  Node* a = g.add_node("Add", {x, g.find_value("c_f32")}, {"sum"}, "add");
  a->output(0)->set_dtype(DType::kF32);
  a->output(0)->set_shape(Shape{Dim::symbolic("N"), 3, Dim(), 8});
  a->output(0)->set_doc("an intermediate value");

  // Optional input omitted in the middle and at the end; optional output omitted in the middle.
  Node* c = g.add_node("Custom", {a->output(0), nullptr, g.find_value("big_f32"), nullptr},
                       {"custom_a", "", "custom_c"}, "custom", "com.example");
  c->output(0)->set_dtype(DType::kF16);
  c->output(2)->set_dtype(DType::kI64);
  c->output(2)->set_shape(Shape::scalar());
  c->set_attribute("i", int64_t{-7});
  c->set_attribute("f", 0.25);
  c->set_attribute("f_small", static_cast<double>(1e-5f));
  c->set_attribute("s", std::string("same_upper"));
  c->set_attribute("ints", std::vector<int64_t>{1, 2, -3});
  c->set_attribute("no_ints", std::vector<int64_t>{});
  c->set_attribute("floats", std::vector<double>{0.5, -1.0, static_cast<double>(0.1f)});
  c->set_attribute("strings", std::vector<std::string>{"a", "", "ccc"});
  c->set_attribute("t", patterned(DType::kI8, {2, 3}, 3));

  // A Loop-style body with its own inputs, an initializer and a reference to the outer "x".
  auto body = std::make_shared<Graph>("body");
  Value* iter = body->add_value("iter", DType::kI64, Shape::scalar());
  Value* cond_in = body->add_value("cond_in", DType::kBool, Shape::scalar());
  body->add_input(iter);
  body->add_input(cond_in);
  Value* outer_x = body->add_value("x", DType::kF32, x->shape());  // outer-scope reference
  Value* k = body->add_constant("body_k", Tensor::from_vector<float>({3.0f}, {1}));
  Node* mul = body->add_node("Mul", {outer_x, k}, {"body_mul"}, "body_mul_node");
  mul->output(0)->set_dtype(DType::kF32);
  Node* id = body->add_node("Identity", {cond_in}, {"cond_out"}, "body_cond");
  id->output(0)->set_dtype(DType::kBool);
  id->output(0)->set_shape(Shape::scalar());
  body->add_output(id->output(0));
  body->add_output(mul->output(0));
  c->set_attribute("body", body);

  // If with two branches: one reads the outer "x", the other has its own constant.
  auto then_g = std::make_shared<Graph>("then_branch");
  Value* tx = then_g->add_value("x", DType::kF32, x->shape());
  Node* tn = then_g->add_node("Identity", {tx}, {"then_out"}, "then_identity");
  tn->output(0)->set_dtype(DType::kF32);
  then_g->add_output(tn->output(0));
  auto else_g = std::make_shared<Graph>("else_branch");
  Value* ec = else_g->add_constant("else_const", Tensor::from_vector<float>({1.0f, -2.0f}, {2}));
  Node* en = else_g->add_node("Neg", {ec}, {"else_out"}, "else_neg");
  en->output(0)->set_dtype(DType::kF32);
  else_g->add_output(en->output(0));
  Node* iff = g.add_node("If", {flag}, {"if_out"}, "if");
  iff->output(0)->set_dtype(DType::kF32);
  iff->set_attribute("then_branch", then_g);
  iff->set_attribute("else_branch", else_g);

  g.add_output(iff->output(0));
  g.add_output(c->output(2));
  g.add_output(g.find_value("scalar_f64"));  // a constant as graph output
  return g;
}

}  // namespace nnc::onnx_test
