// nnc tests: ONNX If/Loop subgraphs: import with outer-scope values, execution, write-back round trip, sequence errors.
#include <gtest/gtest.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include "nnc/executor.h"
#include "nnc/graph_algorithms.h"
#include "nnc/onnx_writer.h"
#include "onnx_test_util.h"

namespace nnc::onnx_test {
namespace {

void set_tensor_type(onnx::ValueInfoProto* vi, const std::string& name, int elem, std::vector<int64_t> dims) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem);
  auto* shape = tt->mutable_shape();
  for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
}

onnx::NodeProto* add_node(onnx::GraphProto* g, const std::string& op, std::vector<std::string> ins,
                          std::vector<std::string> outs, const std::string& name) {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (auto& i : ins) n->add_input(i);
  for (auto& o : outs) n->add_output(o);
  return n;
}

/// main(cond: bool, in: f32[3]) -> y: x = Relu(in); y = If(cond) then x + 1 else Loop(M=3, acc=0, acc + x).
/// Both subgraphs read x from the main graph; the Loop body nested in else_branch reads it too.
onnx::ModelProto control_flow_model() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("cf");
  set_tensor_type(g->add_input(), "cond", onnx::TensorProto::BOOL, {});
  set_tensor_type(g->add_input(), "in", onnx::TensorProto::FLOAT, {3});
  set_tensor_type(g->add_output(), "y", onnx::TensorProto::FLOAT, {3});
  add_node(g, "Relu", {"in"}, {"x"}, "relu");
  auto* iff = add_node(g, "If", {"cond"}, {"y"}, "if");

  auto* then_attr = iff->add_attribute();
  then_attr->set_name("then_branch");
  then_attr->set_type(onnx::AttributeProto::GRAPH);
  auto* tg = then_attr->mutable_g();
  tg->set_name("then");
  auto* one = tg->add_initializer();
  one->set_name("one");
  one->set_data_type(onnx::TensorProto::FLOAT);
  one->add_float_data(1.0f);
  add_node(tg, "Add", {"x", "one"}, {"then_y"}, "then_add");
  set_tensor_type(tg->add_output(), "then_y", onnx::TensorProto::FLOAT, {3});

  auto* else_attr = iff->add_attribute();
  else_attr->set_name("else_branch");
  else_attr->set_type(onnx::AttributeProto::GRAPH);
  auto* eg = else_attr->mutable_g();
  eg->set_name("else");
  auto* trips = eg->add_initializer();
  trips->set_name("M");
  trips->set_data_type(onnx::TensorProto::INT64);
  trips->add_int64_data(3);
  auto* zeros = eg->add_initializer();
  zeros->set_name("zeros");
  zeros->set_data_type(onnx::TensorProto::FLOAT);
  zeros->add_dims(3);
  for (int k = 0; k < 3; ++k) zeros->add_float_data(0.0f);
  auto* loop = add_node(eg, "Loop", {"M", "", "zeros"}, {"else_y"}, "loop");
  set_tensor_type(eg->add_output(), "else_y", onnx::TensorProto::FLOAT, {3});
  auto* body_attr = loop->add_attribute();
  body_attr->set_name("body");
  body_attr->set_type(onnx::AttributeProto::GRAPH);
  auto* bg = body_attr->mutable_g();
  bg->set_name("body");
  set_tensor_type(bg->add_input(), "i", onnx::TensorProto::INT64, {});
  set_tensor_type(bg->add_input(), "c", onnx::TensorProto::BOOL, {});
  set_tensor_type(bg->add_input(), "acc", onnx::TensorProto::FLOAT, {3});
  add_node(bg, "Identity", {"c"}, {"c_out"}, "keep");
  add_node(bg, "Add", {"acc", "x"}, {"acc_out"}, "double");  // acc + x, x from the main graph
  set_tensor_type(bg->add_output(), "c_out", onnx::TensorProto::BOOL, {});
  set_tensor_type(bg->add_output(), "acc_out", onnx::TensorProto::FLOAT, {3});
  return m;
}

std::vector<float> run_y(const Graph& g, bool cond) {
  auto exec = ReferenceExecutor::create(g, {2});
  EXPECT_TRUE(exec.has_value()) << exec.error().to_string();
  if (!exec.has_value()) return {};
  auto r = (*exec)->run({{"cond", Tensor::scalar<bool>(cond)}, {"in", Tensor::from_vector<float>({-1, 2, 3}, {3})}});
  EXPECT_TRUE(r.has_value()) << r.error().to_string();
  if (!r.has_value()) return {};
  auto d = r->at("y").data<float>();
  return {d.begin(), d.end()};
}

TEST(OnnxControlFlow, ImportsOuterScopeValuesAndRuns) {
  std::string bytes;
  ASSERT_TRUE(control_flow_model().SerializeToString(&bytes));
  auto g = import_bytes(bytes, "cf.onnx");
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  const Node* iff = g->find_node("if");
  ASSERT_NE(iff, nullptr);
  EXPECT_EQ(implicit_input_names(*iff), (std::vector<std::string>{"x"}));
  auto else_g = iff->attribute("else_branch")->get<std::shared_ptr<Graph>>();
  // The else branch never names x itself; its Loop body does.
  EXPECT_EQ(else_g->find_value("x"), nullptr);
  EXPECT_EQ(outer_scope_names(*else_g), (std::vector<std::string>{"x"}));
  EXPECT_EQ(run_y(*g, true), (std::vector<float>{1, 3, 4}));
  EXPECT_EQ(run_y(*g, false), (std::vector<float>{0, 6, 9}));  // x + x + x
}

TEST(OnnxControlFlow, WriterRoundTripsSubgraphs) {
  std::string bytes;
  ASSERT_TRUE(control_flow_model().SerializeToString(&bytes));
  auto g = import_bytes(bytes, "cf.onnx");
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  auto written = serialize_onnx(*g);
  ASSERT_TRUE(written.has_value()) << written.error().to_string();
  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(*written));
  EXPECT_NO_THROW(onnx::checker::check_model(model));
  const auto& if_node = model.graph().node(1);
  ASSERT_EQ(if_node.op_type(), "If");
  ASSERT_EQ(if_node.attribute_size(), 2);
  auto back = import_bytes(*written, "cf2.onnx");
  ASSERT_TRUE(back.has_value()) << back.error().to_string();
  EXPECT_EQ(run_y(*back, true), (std::vector<float>{1, 3, 4}));
  EXPECT_EQ(run_y(*back, false), (std::vector<float>{0, 6, 9}));
  auto again = serialize_onnx(*back);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*written, *again);
}

TEST(OnnxControlFlow, SequenceTypedValuesAreNamedImportErrors) {
  onnx::ModelProto m = control_flow_model();
  auto* out = m.mutable_graph()->mutable_output(0);
  out->mutable_type()->Clear();
  out->mutable_type()->mutable_sequence_type()->mutable_elem_type()->mutable_tensor_type()->set_elem_type(
      onnx::TensorProto::FLOAT);
  std::string bytes;
  ASSERT_TRUE(m.SerializeToString(&bytes));
  auto g = import_bytes(bytes, "seq.onnx", exact_options());
  ASSERT_FALSE(g.has_value());
  const std::string msg = g.error().to_string();
  EXPECT_NE(msg.find("output 'y'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("seq(tensor(FLOAT))"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(fix: "), std::string::npos) << msg;
}

}  // namespace
}  // namespace nnc::onnx_test
