// nnc core: the IR verifier: structure (dangling values, cycles, use lists) and typing rules per op.
#include "nnc/verifier.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "nnc/graph_algorithms.h"

namespace nnc {
namespace {

enum class Rule { kUnarySameShape, kBroadcastSameType, kCompare, kLogical, kLinear, kConcat, kShapeOf };

const std::unordered_map<std::string, Rule>& typing_rules() {
  static const std::unordered_map<std::string, Rule> rules = [] {
    std::unordered_map<std::string, Rule> r;
    for (const char* op : {"Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Selu", "HardSigmoid", "HardSwish", "Softplus",
                           "Erf", "Exp", "Log", "Sqrt", "Reciprocal", "Neg", "Abs", "Floor", "Ceil", "Identity",
                           "Dropout", "Softmax", "LogSoftmax", "Clip", "BatchNormalization", "LRN",
                           "InstanceNormalization", "LayerNormalization"})
      r[op] = Rule::kUnarySameShape;
    for (const char* op : {"Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean", "PRelu"})
      r[op] = Rule::kBroadcastSameType;
    for (const char* op : {"Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual"}) r[op] = Rule::kCompare;
    for (const char* op : {"And", "Or", "Xor", "Not"}) r[op] = Rule::kLogical;
    for (const char* op : {"Conv", "ConvTranspose", "Gemm", "MatMul"}) r[op] = Rule::kLinear;
    r["Concat"] = Rule::kConcat;
    r["Shape"] = Rule::kShapeOf;
    r["Size"] = Rule::kShapeOf;
    return r;
  }();
  return rules;
}

std::string typed(const Value* v) {
  return "'" + v->name() + "' (" + dtype_name(v->dtype()) + v->shape().str() + ")";
}

/// Broadcast of static shapes (numpy rules); nullopt when any is not static or they conflict.
std::optional<std::vector<int64_t>> broadcast_static(const std::vector<const Value*>& ins) {
  std::vector<int64_t> out;
  for (const Value* v : ins) {
    if (!v->shape().is_static()) return std::nullopt;
    std::vector<int64_t> s = v->shape().sizes();
    if (s.size() > out.size()) out.insert(out.begin(), s.size() - out.size(), 1);
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t& o = out[out.size() - s.size() + i];
      if (s[i] == o || s[i] == 1) continue;
      if (o == 1) o = s[i];
      else return std::nullopt;
    }
  }
  return out;
}

class Checker {
 public:
  /// `enclosing`: the graphs around `g` when it is a subgraph (innermost last); their values are
  /// the outer scope `g` may read.
  explicit Checker(const Graph& g, std::vector<const Graph*> enclosing = {}) : g_(g), enclosing_(std::move(enclosing)) {}

  std::vector<VerifyIssue> run() {
    check_values_owned_and_produced();
    check_nodes();
    check_outputs();
    check_constants();
    check_subgraphs();
    if (auto order = topological_order(g_); !order) add(order.error().message(), "graph '" + g_.name() + "'");
    return std::move(issues_);
  }

 private:
  void add(std::string msg, std::string object) { issues_.push_back({std::move(msg), std::move(object)}); }

  void check_values_owned_and_produced() {
    for (Value* v : g_.values()) owned_.insert(v);
    for (Value* v : g_.inputs()) {
      if (!owned_.count(v)) add("a graph input is not owned by the graph", "graph inputs");
      else if (v->producer()) add("graph input '" + v->name() + "' is also produced by " + v->producer()->describe(), v->name());
    }
  }

  void check_nodes() {
    std::unordered_map<const Value*, const Node*> producer_of;
    for (Node* n : g_.nodes()) {
      for (size_t i = 0; i < n->inputs().size(); ++i) {
        Value* in = n->inputs()[i];
        if (!in) continue;
        if (!owned_.count(in)) {
          add("input " + std::to_string(i) + " of " + n->describe() + " is not a value of this graph", n->name());
          continue;
        }
        bool available = in->producer() || in->is_constant() || g_.is_graph_input(in) || from_outer_scope(in->name());
        if (!available) {
          add("input " + std::to_string(i) + " '" + in->name() + "' of " + n->describe() +
                  " is dangling: no node produces it and it is neither a graph input nor a constant",
              n->name());
        }
        if (std::find(in->uses().begin(), in->uses().end(), Use{n, i}) == in->uses().end())
          add("use list of '" + in->name() + "' misses " + n->describe() + " input " + std::to_string(i), in->name());
      }
      for (size_t i = 0; i < n->outputs().size(); ++i) {
        Value* out = n->outputs()[i];
        if (!out) continue;
        if (!owned_.count(out)) {
          add("output " + std::to_string(i) + " of " + n->describe() + " is not a value of this graph", n->name());
          continue;
        }
        auto [it, inserted] = producer_of.emplace(out, n);
        if (!inserted) add("value '" + out->name() + "' is produced twice: by " + it->second->describe() + " and " + n->describe(), out->name());
        if (out->producer() != n) add("value '" + out->name() + "' does not record " + n->describe() + " as its producer", out->name());
        if (out->is_constant()) add("value '" + out->name() + "' is both a constant and the output of " + n->describe(), out->name());
      }
      check_typing(*n);
    }
  }

  void check_outputs() {
    if (g_.outputs().empty()) add("graph '" + g_.name() + "' has no outputs", "graph outputs");
    for (Value* v : g_.outputs()) {
      if (!owned_.count(v)) {
        add("a graph output is not owned by the graph", "graph outputs");
        continue;
      }
      if (!v->producer() && !v->is_constant() && !g_.is_graph_input(v) && !from_outer_scope(v->name()))
        add("graph output '" + v->name() + "' is dangling: nothing produces it", v->name());
    }
  }

  /// True when an enclosing graph holds a value named `name` (a subgraph's outer-scope read).
  bool from_outer_scope(const std::string& name) const {
    for (const Graph* outer : enclosing_)
      if (outer->find_value(name)) return true;
    return false;
  }

  /// Every subgraph attribute is checked as a graph of its own, seeing this graph's values as its
  /// outer scope; its issues are prefixed with where it sits.
  void check_subgraphs() {
    for (const Node* n : g_.nodes()) {
      for (const auto& [attr, a] : n->attributes()) {
        if (a.kind() != AttributeKind::kGraph) continue;
        const auto& sub = a.get<std::shared_ptr<Graph>>();
        if (!sub) {
          add("attribute '" + attr + "' of " + n->describe() + " holds a null subgraph", n->name());
          continue;
        }
        std::vector<const Graph*> scopes = enclosing_;
        scopes.push_back(&g_);
        for (VerifyIssue& issue : Checker(*sub, scopes).run())
          add("in " + attr + " of " + n->describe() + ": " + issue.message, issue.object);
      }
      for (const std::string& name : implicit_input_names(*n))
        if (!g_.find_value(name) && !from_outer_scope(name))
          add("a subgraph of " + n->describe() + " reads '" + name + "', which no enclosing graph defines", n->name());
    }
  }

  void check_constants() {
    for (Value* v : g_.values()) {
      const Tensor* t = v->constant();
      if (!t) continue;
      if (t->dtype() != v->dtype())
        add("constant '" + v->name() + "' holds " + dtype_name(t->dtype()) + " data but is declared " + dtype_name(v->dtype()), v->name());
      if (v->shape().conflicts_with(Shape::of(t->shape())))
        add("constant '" + v->name() + "' holds data of shape " + Shape::of(t->shape()).str() +
                " but is declared " + v->shape().str(), v->name());
    }
  }

  void expect_same_dtype(const Node& n, const std::vector<const Value*>& vals) {
    const Value* first = nullptr;
    for (const Value* v : vals) {
      if (!v || v->dtype() == DType::kUndefined) continue;
      if (!first) first = v;
      else if (v->dtype() != first->dtype())
        add("dtype mismatch in " + n.describe() + ": " + typed(first) + " vs " + typed(v), n.name());
    }
  }

  void expect_dtype(const Node& n, const Value* v, DType want) {
    if (v && v->dtype() != DType::kUndefined && v->dtype() != want)
      add("dtype mismatch in " + n.describe() + ": " + typed(v) + " should be " + dtype_name(want), n.name());
  }

  void check_typing(const Node& n) {
    if (!n.domain().empty() && n.domain() != "ai.onnx") return;
    auto it = typing_rules().find(n.op_type());
    if (it == typing_rules().end()) return;
    const Value* x = n.input(0);
    const Value* y = n.output(0);
    switch (it->second) {
      case Rule::kUnarySameShape:
        expect_same_dtype(n, {x, y});
        if (x && y && x->shape().conflicts_with(y->shape()))
          add("shape mismatch in " + n.describe() + ": output " + typed(y) + " must have the shape of input " + typed(x), n.name());
        break;
      case Rule::kBroadcastSameType: {
        std::vector<const Value*> ins(n.inputs().begin(), n.inputs().end());
        ins.push_back(y);
        expect_same_dtype(n, ins);
        ins.pop_back();
        ins.erase(std::remove(ins.begin(), ins.end(), nullptr), ins.end());
        if (auto b = broadcast_static(ins); b && y && y->shape().conflicts_with(Shape::of(*b)))
          add("shape mismatch in " + n.describe() + ": output " + typed(y) + " but the inputs broadcast to " +
                  Shape::of(*b).str(), n.name());
        else if (!b && !ins.empty() && std::all_of(ins.begin(), ins.end(), [](const Value* v) { return v->shape().is_static(); }))
          add("inputs of " + n.describe() + " cannot be broadcast together", n.name());
        break;
      }
      case Rule::kCompare:
        expect_same_dtype(n, {n.input(0), n.input(1)});
        expect_dtype(n, y, DType::kBool);
        break;
      case Rule::kLogical:
        for (const Value* v : n.inputs()) expect_dtype(n, v, DType::kBool);
        expect_dtype(n, y, DType::kBool);
        break;
      case Rule::kLinear:
        expect_same_dtype(n, {x, n.input(1), y});
        break;
      case Rule::kConcat: {
        std::vector<const Value*> ins(n.inputs().begin(), n.inputs().end());
        ins.push_back(y);
        expect_same_dtype(n, ins);
        break;
      }
      case Rule::kShapeOf:
        expect_dtype(n, y, DType::kI64);
        break;
    }
  }

  const Graph& g_;
  std::vector<const Graph*> enclosing_;
  std::unordered_set<const Value*> owned_;
  std::vector<VerifyIssue> issues_;
};

}  // namespace

std::vector<VerifyIssue> verify_graph_issues(const Graph& g) { return Checker(g).run(); }

Status verify_graph(const Graph& g) {
  std::vector<VerifyIssue> issues = verify_graph_issues(g);
  if (issues.empty()) return Status::ok();
  std::string msg = "graph '" + g.name() + "' is invalid (" + std::to_string(issues.size()) + " problem" +
                    (issues.size() == 1 ? "" : "s") + "): ";
  for (size_t i = 0; i < issues.size() && i < 20; ++i) msg += (i ? "; " : "") + issues[i].message;
  if (issues.size() > 20) msg += "; ... (" + std::to_string(issues.size() - 20) + " more)";
  return make_error(ErrorCode::kVerifyFailed, msg, Location{"", 0, 0, issues.front().object});
}

}  // namespace nnc
