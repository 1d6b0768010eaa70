// nnc tests: GatherND and the control-flow kernels (If, Loop, Scan) with outer-scope values, run through the executor.
#include <gtest/gtest.h>

#include <memory>
#include <numeric>

#include "exec/kernel.h"
#include "nnc/executor.h"
#include "nnc/graph_algorithms.h"
#include "nnc/verifier.h"

namespace nnc {
namespace {

// --- GatherND (one-node graphs through the executor) ---

Expected<std::map<std::string, Tensor>> run_graph(const Graph& g, const std::map<std::string, Tensor>& feeds) {
  NNC_ASSIGN_OR_RETURN(auto exec, ReferenceExecutor::create(g, {2}));
  return exec->run(feeds);
}

Expected<Tensor> gather_nd(const Tensor& data, const Tensor& indices, int64_t batch_dims, int64_t opset = 13) {
  Graph g("gnd");
  g.opsets()[""] = opset;
  Value* d = g.add_value("data", data.dtype());
  Value* i = g.add_value("indices", DType::kI64);
  g.add_input(d);
  g.add_input(i);
  Node* n = g.add_node("GatherND", {d, i}, {"out"}, "gnd");
  if (batch_dims != 0) n->set_attribute("batch_dims", batch_dims);
  g.add_output(n->output(0));
  NNC_ASSIGN_OR_RETURN(auto out, run_graph(g, {{"data", data}, {"indices", indices}}));
  return out.at("out");
}

std::vector<float> floats(const Tensor& t) {
  auto d = t.data<float>();
  return {d.begin(), d.end()};
}

Tensor iota_f32(std::vector<int64_t> shape) {
  Tensor t(DType::kF32, std::move(shape));
  auto d = t.mutable_data<float>();
  std::iota(d.begin(), d.end(), 0.0f);
  return t;
}

TEST(GatherND, ElementsAndSlices) {
  // ONNX spec examples 1, 2 and 4.
  Tensor data = iota_f32({2, 2});
  auto r = gather_nd(data, Tensor::from_vector<int64_t>({0, 0, 1, 1}, {2, 2}), 0);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->shape(), (std::vector<int64_t>{2}));
  EXPECT_EQ(floats(*r), (std::vector<float>{0, 3}));

  r = gather_nd(data, Tensor::from_vector<int64_t>({1, 0}, {2, 1}), 0);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->shape(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(floats(*r), (std::vector<float>{2, 3, 0, 1}));

  Tensor cube = iota_f32({2, 2, 2});
  r = gather_nd(cube, Tensor::from_vector<int64_t>({0, 1, 1, 0}, {2, 1, 2}), 0);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->shape(), (std::vector<int64_t>{2, 1, 2}));
  EXPECT_EQ(floats(*r), (std::vector<float>{2, 3, 4, 5}));
}

TEST(GatherND, BatchDimsAndNegativeIndices) {
  // ONNX spec example 5: batch_dims = 1.
  Tensor cube = iota_f32({2, 2, 2});
  auto r = gather_nd(cube, Tensor::from_vector<int64_t>({1, 0}, {2, 1}), 1);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->shape(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(floats(*r), (std::vector<float>{2, 3, 4, 5}));
  // Negative indices count from the end; batch_dims 1 with full tuples gathers scalars.
  r = gather_nd(cube, Tensor::from_vector<int64_t>({-1, -2, 0, -1}, {2, 1, 2}), 1);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->shape(), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(floats(*r), (std::vector<float>{2, 5}));
}

TEST(GatherND, EmptyIndicesGiveEmptyOutput) {
  auto r = gather_nd(iota_f32({4, 3}), Tensor(DType::kI64, {0, 1}), 0);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->shape(), (std::vector<int64_t>{0, 3}));
}

TEST(GatherND, BadInputsAreClearErrors) {
  Tensor data = iota_f32({2, 2});
  auto r = gather_nd(data, Tensor::from_vector<int64_t>({2, 0}, {1, 2}), 0);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("index 2"), std::string::npos) << r.error().to_string();
  EXPECT_NE(r.error().to_string().find("node 'gnd' (GatherND)"), std::string::npos) << r.error().to_string();
  r = gather_nd(data, Tensor::from_vector<int64_t>({0, 0, 0}, {1, 3}), 0);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("must be in [1, 2]"), std::string::npos) << r.error().to_string();
  r = gather_nd(iota_f32({2, 2, 2}), Tensor::from_vector<int64_t>({1, 0}, {2, 1}), 1, 11);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("opset-12"), std::string::npos) << r.error().to_string();
  r = gather_nd(iota_f32({3, 2}), Tensor::from_vector<int64_t>({1, 0}, {2, 1}), 1);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("batch dimension 0 differs"), std::string::npos) << r.error().to_string();
}

// --- control flow ---

/// A subgraph whose node reads the outer-scope value `outer_name` (an outer-scope reference value: no
/// producer, not an input, not a constant), as the ONNX importer builds it: y = op(outer, c).
std::shared_ptr<Graph> branch(const std::string& name, const std::string& op, const std::string& outer_name, float c,
                              const std::string& out_name) {
  auto g = std::make_shared<Graph>(name);
  Value* outer = g->add_value(outer_name, DType::kF32);
  Value* k = g->add_constant(name + "_c", Tensor::scalar<float>(c));
  Node* n = g->add_node(op, {outer, k}, {out_name}, name + "_op");
  g->add_output(n->output(0));
  return g;
}

/// main: y = If(cond) then x + 1 else x * 2, where x = Relu(in) is produced in the main graph and
/// read only inside the branches.
Graph if_graph() {
  Graph g("if_main");
  g.opsets()[""] = 13;
  Value* cond = g.add_value("cond", DType::kBool, Shape::scalar());
  Value* in = g.add_value("in", DType::kF32, Shape{3});
  g.add_input(cond);
  g.add_input(in);
  Node* iff = g.add_node("If", {cond}, {"y"}, "if");
  iff->set_attribute("then_branch", branch("then", "Add", "x", 1.0f, "then_y"));
  iff->set_attribute("else_branch", branch("else", "Mul", "x", 2.0f, "else_y"));
  g.add_node("Relu", {in}, {"x"}, "relu");  // inserted after the If on purpose: order must follow x
  g.add_output(iff->output(0));
  return g;
}

TEST(ControlFlow, ImplicitInputsAreNamedAndOrdered) {
  Graph g = if_graph();
  Node* iff = g.find_node("if");
  EXPECT_EQ(implicit_input_names(*iff), (std::vector<std::string>{"x"}));
  auto then_g = iff->attribute("then_branch")->get<std::shared_ptr<Graph>>();
  EXPECT_EQ(outer_scope_names(*then_g), (std::vector<std::string>{"x"}));
  EXPECT_TRUE(outer_scope_names(g).empty());
  auto order = topological_order(g);
  ASSERT_TRUE(order.has_value());
  ASSERT_EQ(order->size(), 2u);
  EXPECT_EQ((*order)[0]->name(), "relu");
  EXPECT_EQ((*order)[1]->name(), "if");
  // Dead-code removal keeps the producer of a value read only inside a branch.
  EXPECT_EQ(remove_dead_nodes(g), 0);
  EXPECT_NE(g.find_node("relu"), nullptr);
}

TEST(ControlFlow, VerifierChecksSubgraphsAgainstTheirOuterScope) {
  Graph g = if_graph();
  EXPECT_TRUE(verify_graph(g).is_ok()) << verify_graph(g).to_string();
  // A branch reading a name no enclosing graph defines is reported, with the branch named.
  auto else_g = g.find_node("if")->attribute("else_branch")->get<std::shared_ptr<Graph>>();
  Value* ghost = else_g->add_value("ghost", DType::kF32);
  else_g->find_node("else_op")->set_input(0, ghost);
  Status s = verify_graph(g);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("in else_branch of node 'if' (If): input 0 'ghost'"), std::string::npos) << s.to_string();
  EXPECT_NE(s.message().find("reads 'ghost', which no enclosing graph defines"), std::string::npos) << s.to_string();
}

TEST(ControlFlow, IfRunsTheChosenBranchWithOuterValues) {
  Graph g = if_graph();
  Tensor in = Tensor::from_vector<float>({-1, 2, 3}, {3});
  auto r = run_graph(g, {{"cond", Tensor::scalar<bool>(true)}, {"in", in}});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(floats(r->at("y")), (std::vector<float>{1, 3, 4}));
  r = run_graph(g, {{"cond", Tensor::scalar<bool>(false)}, {"in", in}});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(floats(r->at("y")), (std::vector<float>{0, 4, 6}));
}

TEST(ControlFlow, IfConditionMustBeOneBool) {
  Graph g("bad_cond");
  g.opsets()[""] = 13;
  Value* cond = g.add_value("cond", DType::kF32);
  Value* x = g.add_value("x", DType::kF32);
  g.add_input(cond);
  g.add_input(x);
  Node* iff = g.add_node("If", {cond}, {"y"}, "if");
  iff->set_attribute("then_branch", branch("then", "Add", "x", 1.0f, "then_y"));
  iff->set_attribute("else_branch", branch("else", "Add", "x", 2.0f, "else_y"));
  g.add_output(iff->output(0));
  auto r = run_graph(g, {{"cond", Tensor::scalar<float>(1.0f)}, {"x", Tensor::scalar<float>(1.0f)}});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("cond must be a single bool"), std::string::npos) << r.error().to_string();
}

TEST(ControlFlow, UnsupportedOpInsideABranchIsNamed) {
  Graph g = if_graph();
  auto else_g = g.find_node("if")->attribute("else_branch")->get<std::shared_ptr<Graph>>();
  Node* bad = else_g->add_node("NoSuchOp", {else_g->outputs()[0]}, {"z"}, "weird");
  else_g->set_outputs({bad->output(0)});
  Status s = check_reference_support(g);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("NoSuchOp (node 'if/else_branch/weird')"), std::string::npos) << s.to_string();
  auto exec = ReferenceExecutor::create(g);
  ASSERT_FALSE(exec.has_value());
}

TEST(ControlFlow, ErrorsInsideABranchNameTheInnerNodeAndTheBranch) {
  Graph g = if_graph();
  auto then_g = g.find_node("if")->attribute("then_branch")->get<std::shared_ptr<Graph>>();
  // Replace the branch's Add constant by a shape that does not broadcast with x.
  then_g->find_value("then_c")->set_constant(Tensor(DType::kF32, {2}));
  auto r = run_graph(g, {{"cond", Tensor::scalar<bool>(true)}, {"in", Tensor(DType::kF32, {3})}});
  ASSERT_FALSE(r.has_value());
  const std::string msg = r.error().to_string();
  EXPECT_NE(msg.find("node 'then_op' (Add)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("then_branch of node 'if' (If)"), std::string::npos) << msg;
}

/// Loop body: (i, cond_in, acc) -> (cond_out = i + 1 < limit, acc + i * scale, i * scale as scan output),
/// `scale` read from the outer scope.
std::shared_ptr<Graph> loop_body() {
  auto b = std::make_shared<Graph>("body");
  Value* i = b->add_value("i", DType::kI64, Shape::scalar());
  Value* cond_in = b->add_value("cond_in", DType::kBool, Shape::scalar());
  Value* acc = b->add_value("acc", DType::kF32, Shape{1});
  b->add_input(i);
  b->add_input(cond_in);
  b->add_input(acc);
  Value* scale = b->add_value("scale", DType::kF32);  // outer scope
  Value* limit = b->add_value("limit", DType::kI64);  // outer scope
  Value* one = b->add_constant("one", Tensor::scalar<int64_t>(1));
  Node* fi = b->add_node("Cast", {i}, {"fi"}, "cast");
  fi->set_attribute("to", int64_t{1});
  Node* term = b->add_node("Mul", {fi->output(0), scale}, {"term"}, "mul");
  term->output(0)->set_dtype(DType::kF32);  // declared, as shape inference would: zero-trip scans need it
  Node* next = b->add_node("Add", {acc, term->output(0)}, {"acc_out"}, "add");
  Node* i1 = b->add_node("Add", {i, one}, {"i1"}, "inc");
  Node* go = b->add_node("Less", {i1->output(0), limit}, {"cond_out"}, "less");
  b->add_output(go->output(0));
  b->add_output(next->output(0));
  b->add_output(term->output(0));
  return b;
}

Graph loop_graph(bool with_trip_count, bool with_cond) {
  Graph g("loop_main");
  g.opsets()[""] = 13;
  Value* m = g.add_value("M", DType::kI64, Shape::scalar());
  Value* cond = g.add_value("cond", DType::kBool, Shape::scalar());
  Value* init = g.add_value("init", DType::kF32, Shape{1});
  Value* scale = g.add_value("scale", DType::kF32, Shape::scalar());
  Value* limit = g.add_value("limit", DType::kI64, Shape::scalar());
  for (Value* v : {m, cond, init, scale, limit}) g.add_input(v);
  Node* loop = g.add_node("Loop", {with_trip_count ? m : nullptr, with_cond ? cond : nullptr, init},
                          {"final", "scans"}, "loop");
  loop->set_attribute("body", loop_body());
  g.add_output(loop->output(0));
  g.add_output(loop->output(1));
  return g;
}

std::map<std::string, Tensor> loop_feeds(int64_t m, int64_t limit) {
  return {{"M", Tensor::scalar<int64_t>(m)},
          {"cond", Tensor::scalar<bool>(true)},
          {"init", Tensor::from_vector<float>({10}, {1})},
          {"scale", Tensor::scalar<float>(0.5f)},
          {"limit", Tensor::scalar<int64_t>(limit)}};
}

TEST(ControlFlow, LoopCarriesStateAndStacksScanOutputs) {
  Graph g = loop_graph(true, true);
  EXPECT_EQ(implicit_input_names(*g.find_node("loop")), (std::vector<std::string>{"scale", "limit"}));
  // Trip count 4 stops first: i = 0..3.
  auto r = run_graph(g, loop_feeds(4, 100));
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(floats(r->at("final")), (std::vector<float>{13}));
  EXPECT_EQ(r->at("scans").shape(), (std::vector<int64_t>{4}));
  EXPECT_EQ(floats(r->at("scans")), (std::vector<float>{0, 0.5, 1, 1.5}));
  // The condition stops first: after i = 2 (i + 1 < 3 fails).
  r = run_graph(g, loop_feeds(100, 3));
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(floats(r->at("final")), (std::vector<float>{11.5}));
  EXPECT_EQ(floats(r->at("scans")), (std::vector<float>{0, 0.5, 1}));
  // Zero iterations: the initial value passes through, the scan output is empty.
  r = run_graph(g, loop_feeds(0, 3));
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(floats(r->at("final")), (std::vector<float>{10}));
  EXPECT_EQ(r->at("scans").element_count(), 0);
}

TEST(ControlFlow, LoopWithoutConditionInputIgnoresTheBodyCondition) {
  Graph g = loop_graph(true, false);
  auto r = run_graph(g, loop_feeds(5, 1));  // the body says stop after i = 0; without cond input it is ignored
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->at("scans").shape(), (std::vector<int64_t>{5}));
}

TEST(ControlFlow, LoopWithNeitherTripCountNorConditionIsRefused) {
  Graph g = loop_graph(false, false);
  auto r = run_graph(g, loop_feeds(5, 1));
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("never ends"), std::string::npos) << r.error().to_string();
}

TEST(ControlFlow, NestedSubgraphReadsTheMainGraph) {
  // Loop body holds an If whose branch reads "scale" from the main graph; the body itself never names it.
  Graph g("nested");
  g.opsets()[""] = 13;
  Value* m = g.add_value("M", DType::kI64, Shape::scalar());
  Value* init = g.add_value("init", DType::kF32, Shape::scalar());
  Value* flag = g.add_value("flag", DType::kBool, Shape::scalar());
  Value* scale = g.add_value("scale", DType::kF32, Shape::scalar());
  for (Value* v : {m, init, flag, scale}) g.add_input(v);
  auto body = std::make_shared<Graph>("body");
  Value* i = body->add_value("i", DType::kI64, Shape::scalar());
  Value* c = body->add_value("c", DType::kBool, Shape::scalar());
  Value* acc = body->add_value("acc", DType::kF32, Shape::scalar());
  for (Value* v : {i, c, acc}) body->add_input(v);
  Value* flag_in = body->add_value("flag", DType::kBool);  // outer
  Node* iff = body->add_node("If", {flag_in}, {"step"}, "inner_if");
  iff->set_attribute("then_branch", branch("then", "Mul", "scale", 3.0f, "then_y"));
  iff->set_attribute("else_branch", branch("else", "Add", "scale", 0.0f, "else_y"));
  Node* add = body->add_node("Add", {acc, iff->output(0)}, {"acc_out"}, "acc_add");
  Node* keep = body->add_node("Identity", {c}, {"c_out"}, "keep");
  body->add_output(keep->output(0));
  body->add_output(add->output(0));
  EXPECT_EQ(outer_scope_names(*body), (std::vector<std::string>{"flag", "scale"}));
  Node* loop = g.add_node("Loop", {m, nullptr, init}, {"out"}, "loop");
  loop->set_attribute("body", body);
  g.add_output(loop->output(0));
  auto r = run_graph(g, {{"M", Tensor::scalar<int64_t>(3)},
                         {"init", Tensor::scalar<float>(1)},
                         {"flag", Tensor::scalar<bool>(true)},
                         {"scale", Tensor::scalar<float>(2)}});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(floats(r->at("out")), (std::vector<float>{19}));  // 1 + 3 * (2 * 3)
}

TEST(ControlFlow, ScanSumsForwardAndStacksReversed) {
  // state' = state + x_t; scan output y_t = state'; x scanned along axis 1, output stacked reversed on axis 0.
  auto body = std::make_shared<Graph>("scan_body");
  Value* s = body->add_value("s", DType::kF32, Shape{2});
  Value* x = body->add_value("x", DType::kF32, Shape{2});
  body->add_input(s);
  body->add_input(x);
  Node* add = body->add_node("Add", {s, x}, {"s_out"}, "add");
  Node* id = body->add_node("Identity", {add->output(0)}, {"y"}, "id");
  body->add_output(add->output(0));
  body->add_output(id->output(0));
  Graph g("scan_main");
  g.opsets()[""] = 11;
  Value* init = g.add_value("init", DType::kF32, Shape{2});
  Value* xs = g.add_value("xs", DType::kF32, Shape{2, 3});
  g.add_input(init);
  g.add_input(xs);
  Node* scan = g.add_node("Scan", {init, xs}, {"final", "ys"}, "scan");
  scan->set_attribute("body", body);
  scan->set_attribute("num_scan_inputs", int64_t{1});
  scan->set_attribute("scan_input_axes", std::vector<int64_t>{1});
  scan->set_attribute("scan_output_directions", std::vector<int64_t>{1});
  g.add_output(scan->output(0));
  g.add_output(scan->output(1));
  // xs rows: [1 2 3], [10 20 30]; columns are the steps.
  auto r = run_graph(g, {{"init", Tensor::from_vector<float>({0, 0}, {2})},
                         {"xs", Tensor::from_vector<float>({1, 2, 3, 10, 20, 30}, {2, 3})}});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(floats(r->at("final")), (std::vector<float>{6, 60}));
  EXPECT_EQ(r->at("ys").shape(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(floats(r->at("ys")), (std::vector<float>{6, 60, 3, 30, 1, 10}));
}

TEST(ControlFlow, OpTableListsControlFlowAndGatherND) {
  for (const char* op : {"If", "Loop", "Scan", "GatherND"}) EXPECT_TRUE(reference_supports("", op)) << op;
}

}  // namespace
}  // namespace nnc
