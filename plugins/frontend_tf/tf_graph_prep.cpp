// nnc frontend_tf: extraction of the inference subgraph (outputs given or inferred, dead cond branches and training parts dropped).
#include <algorithm>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "nnc/suggest.h"
#include "tf_import_detail.h"
#include "tf_tensor.h"

namespace nnc::tf_frontend::detail {
namespace {

constexpr int kMaxDepth = 8000;          // recursion cap of the constant/deadness evaluators
constexpr int kMaxAliasSteps = 1000000;  // alias chains longer than this are cycles

const std::set<std::string> kAliasOps = {"Identity", "Snapshot", "StopGradient", "PreventGradient", "CheckNumerics",
                                         "EnsureShape", "RefIdentity"};
const std::set<std::string> kVariableOps = {"VariableV2", "Variable", "VarHandleOp"};
const std::set<std::string> kAssignOps = {"Assign", "AssignAdd", "AssignSub"};
// Ops that only train, save, restore, initialise or check: never part of inference, and nodes
// consuming them are training-only too.
const std::set<std::string> kTrainingOps = {
    "Assign", "AssignAdd", "AssignSub", "AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp",
    "SaveV2", "RestoreV2", "Save", "Restore", "SaveSlices", "RestoreSlice", "MergeV2Checkpoints", "ShardedFilename",
    "StringJoin", "VarIsInitializedOp", "IsVariableInitialized",
    "SparseSoftmaxCrossEntropyWithLogits", "SoftmaxCrossEntropyWithLogits", "BroadcastGradientArgs",
    "ScalarSummary", "HistogramSummary", "ImageSummary", "MergeSummary", "TensorSummary", "TensorSummaryV2",
    "ScatterUpdate", "ScatterAdd", "ScatterSub", "ResourceScatterAdd", "ResourceScatterUpdate",
    "DestroyTemporaryVariable", "TemporaryVariable"};
const std::vector<std::string> kTrainingPrefixes = {"save/", "save_1/", "gradients/", "training/", "loss/", "metrics/",
                                                    "optimizer/", "train/", "Adam/", "SGD/", "RMSprop/", "Momentum/"};

bool is_training_op(const NodeDef& n) {
  const std::string& op = n.op();
  if (kTrainingOps.count(op)) return true;
  if (op.rfind("Apply", 0) == 0 || op.rfind("ResourceApply", 0) == 0 || op.rfind("SparseApply", 0) == 0) return true;
  auto ends = [&](const std::string& s) { return op.size() >= s.size() && op.compare(op.size() - s.size(), s.size(), s) == 0; };
  if (ends("Grad") || (ends("Gradient") && op != "StopGradient" && op != "PreventGradient")) return true;
  if (op.rfind("Random", 0) == 0 || op == "TruncatedNormal" || op == "ParameterizedTruncatedNormal" || op == "Multinomial")
    return true;  // initialisers and training-time noise
  for (const auto& p : kTrainingPrefixes)
    if (n.name().rfind(p, 0) == 0) return true;
  if (n.name().find("/Initializer/") != std::string::npos) return true;
  return false;
}

std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    size_t b = cur.find_first_not_of(" \t"), e = cur.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(cur.substr(b, e - b + 1));
    cur.clear();
  };
  for (char c : text) {
    if (c == ',') flush();
    else cur += c;
  }
  flush();
  return out;
}

class Prep {
 public:
  Prep(const nnc::tfproto::GraphDef& g, const ImportOptions& o, const VariableSource& v, std::string file, DiagnosticSink* d)
      : g_(g), opts_(o), vars_(v), file_(std::move(file)), diag_(d) {}

  Expected<PreparedGraph> run() {
    NNC_RETURN_IF_ERROR(index());
    NNC_RETURN_IF_ERROR(read_cut_inputs());
    NNC_RETURN_IF_ERROR(map_saver_keys());
    std::vector<std::pair<std::string, TfRef>> outs;
    NNC_RETURN_IF_ERROR(outputs(outs));
    PreparedGraph pg;
    for (auto& [name, ref] : outs) {
      NNC_ASSIGN_OR_RETURN(TfRef r, resolve(ref));
      pg.outputs.emplace_back(name, r);
    }
    NNC_RETURN_IF_ERROR(collect(pg));
    return pg;
  }

 private:
  Location at(const std::string& object = "") const { return Location{file_, 0, 0, object}; }

  Status index() {
    for (const auto& n : g_.node()) {
      if (n.name().empty())
        return make_error(ErrorCode::kParseError, "'" + file_ + "' has a node without a name (op '" + n.op() + "')", at(),
                          "the file is damaged or not a TensorFlow graph; re-export it");
      if (!by_name_.emplace(n.name(), &n).second)
        return make_error(ErrorCode::kParseError, "'" + file_ + "' has two nodes named '" + n.name() + "'",
                          at("node '" + n.name() + "'"), "the file is damaged; re-export it");
    }
    if (by_name_.empty())
      return make_error(ErrorCode::kParseError, "'" + file_ + "' holds no graph nodes", at(),
                        "check that the file is a TensorFlow GraphDef (.pb) or MetaGraphDef (.meta)");
    return Status::ok();
  }

  const NodeDef* node(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
  }

  std::vector<std::string> node_names() const {
    std::vector<std::string> v;
    for (const auto& n : g_.node()) v.push_back(n.name());
    return v;
  }

  Expected<TfRef> named_tensor(const std::string& text, const std::string& option) const {
    auto r = parse_ref(text);
    if (!r)
      return make_error(ErrorCode::kInvalidArgument, "frontend option " + option + ": '" + text + "' is not a tensor name",
                        at("option " + option), "write node names, optionally with ':k' for output k (\"input\", \"split:1\")");
    if (!node(r->node))
      return make_error(ErrorCode::kNotFound,
                        "frontend option " + option + " names '" + text + "', which is not a node of '" + file_ + "'" +
                            did_you_mean(r->node, node_names()),
                        at("option " + option), "use a node name from the graph (host inspect lists the inputs and outputs)");
    return *r;
  }

  Status read_cut_inputs() {
    for (const std::string& s : split_names(opts_.inputs)) {
      NNC_ASSIGN_OR_RETURN(TfRef r, named_tensor(s, "inputs"));
      if (cut_.insert(r).second) cut_order_.push_back(r);
    }
    return Status::ok();
  }

  /// SaveV2's tensor_names[i] is the checkpoint key of its input 3+i.
  Status map_saver_keys() {
    for (const auto& n : g_.node()) {
      if (n.op() != "SaveV2" || n.input_size() < 3) continue;
      auto names_ref = parse_ref(n.input(1));
      if (!names_ref) continue;
      auto names = resolve(*names_ref);
      if (!names) continue;
      const NodeDef* c = node(names->node);
      if (!c || c->op() != "Const" || !c->attr().count("value")) continue;
      const auto& t = c->attr().at("value").tensor();
      for (int i = 0; i < t.string_val_size() && i + 3 < n.input_size(); ++i) {
        bool control = false;
        auto in = parse_ref(n.input(i + 3), &control);
        if (!in || control) continue;
        auto v = resolve(*in);
        if (!v) continue;
        const NodeDef* var = node(v->node);
        if (var && kVariableOps.count(var->op())) saver_key_[var->name()] = t.string_val(i);
      }
    }
    return Status::ok();
  }

  // ---- constant evaluation of small predicates ----
  Expected<std::optional<Tensor>> const_value(const TfRef& r, int depth) {
    if (depth > kMaxDepth) return std::optional<Tensor>{};
    if (cut_.count(r)) return std::optional<Tensor>{};
    const NodeDef* n = node(r.node);
    if (!n) return std::optional<Tensor>{};
    const std::string& op = n->op();
    auto in = [&](int i) -> std::optional<TfRef> {
      if (i >= n->input_size()) return std::nullopt;
      bool control = false;
      auto x = parse_ref(n->input(i), &control);
      if (!x || control) return std::nullopt;
      return x;
    };
    auto eval_in = [&](int i) -> Expected<std::optional<Tensor>> {
      auto x = in(i);
      if (!x) return std::optional<Tensor>{};
      return const_value(*x, depth + 1);
    };
    if (op == "Const") {
      if (!n->attr().count("value")) return std::optional<Tensor>{};
      auto t = tensor_from_proto(n->attr().at("value").tensor(), "constant '" + n->name() + "'");
      if (!t) return std::optional<Tensor>{};
      return std::optional<Tensor>(std::move(*t));
    }
    if (kAliasOps.count(op) || op == "PlaceholderWithDefault" || op == "ReadVariableOp" || kAssignOps.count(op) ||
        op == "Switch")
      return eval_in(0);
    if (kVariableOps.count(op)) {
      const std::string key = checkpoint_key(*n);
      if (!vars_.contains || !vars_.contains(key)) return std::optional<Tensor>{};
      auto t = vars_.read(key);
      if (!t || t->element_count() > 16) return std::optional<Tensor>{};
      return std::optional<Tensor>(std::move(*t));
    }
    static const std::set<std::string> kCompare = {"Greater", "GreaterEqual", "Less", "LessEqual", "Equal", "NotEqual",
                                                   "LogicalAnd", "LogicalOr"};
    if (kCompare.count(op)) {
      NNC_ASSIGN_OR_RETURN(auto a, eval_in(0));
      NNC_ASSIGN_OR_RETURN(auto b, eval_in(1));
      if (!a || !b || a->element_count() != 1 || b->element_count() != 1) return std::optional<Tensor>{};
      const double x = a->value_as_double(0), y = b->value_as_double(0);
      bool v = op == "Greater" ? x > y : op == "GreaterEqual" ? x >= y : op == "Less" ? x < y : op == "LessEqual" ? x <= y
             : op == "Equal" ? x == y : op == "NotEqual" ? x != y : op == "LogicalAnd" ? (x != 0 && y != 0) : (x != 0 || y != 0);
      return std::optional<Tensor>(Tensor::scalar<bool>(v));
    }
    if (op == "LogicalNot") {
      NNC_ASSIGN_OR_RETURN(auto a, eval_in(0));
      if (!a || a->element_count() != 1) return std::optional<Tensor>{};
      return std::optional<Tensor>(Tensor::scalar<bool>(a->value_as_double(0) == 0));
    }
    if (op == "Cast") {
      NNC_ASSIGN_OR_RETURN(auto a, eval_in(0));
      if (!a || a->element_count() != 1) return std::optional<Tensor>{};
      const double x = a->value_as_double(0);
      if (attr_type(*n, "DstT") == nnc::tfproto::DT_BOOL) return std::optional<Tensor>(Tensor::scalar<bool>(x != 0));
      return std::optional<Tensor>(Tensor::scalar<double>(x));
    }
    return std::optional<Tensor>{};
  }

  Expected<std::optional<bool>> switch_pred(const NodeDef& sw) {
    auto it = pred_memo_.find(sw.name());
    if (it != pred_memo_.end()) return it->second;
    std::optional<bool> result;
    if (sw.input_size() >= 2) {
      auto p = parse_ref(sw.input(1));
      if (p) {
        NNC_ASSIGN_OR_RETURN(auto v, const_value(*p, 0));
        if (v && v->element_count() == 1) result = v->value_as_double(0) != 0;
      }
    }
    pred_memo_[sw.name()] = result;
    return result;
  }

  // ---- deadness (TensorFlow's dead-tensor propagation through Switch/Merge) ----
  Expected<bool> dead(const TfRef& r, int depth) {
    if (depth > kMaxDepth)
      return make_error(ErrorCode::kUnsupported, "'" + file_ + "' nests conditionals deeper than nnc follows (" +
                                                     std::to_string(kMaxDepth) + " levels)", at("node '" + r.node + "'"),
                        "cut the graph with the frontend options inputs/outputs");
    if (cut_.count(r)) return false;
    const NodeDef* n = node(r.node);
    if (!n) return false;
    if (n->op() == "Switch") {
      const std::string key = r.node + ":" + std::to_string(r.index);
      if (auto it = dead_memo_.find(key); it != dead_memo_.end()) return it->second == 1;
      dead_memo_[key] = 0;  // cycles read as live
      bool d = false;
      if (n->input_size() >= 1) {
        auto x = parse_ref(n->input(0));
        if (x) {
          NNC_ASSIGN_OR_RETURN(d, dead(*x, depth + 1));
        }
      }
      if (!d) {
        NNC_ASSIGN_OR_RETURN(auto p, switch_pred(*n));
        if (p) d = r.index != (*p ? 1 : 0);
      }
      dead_memo_[key] = d ? 1 : 0;
      return d;
    }
    if (auto it = dead_memo_.find(r.node); it != dead_memo_.end()) return it->second == 1;
    dead_memo_[r.node] = 0;
    bool d = false;
    if (n->op() == "Merge") {
      bool all = n->input_size() > 0;
      for (const auto& s : n->input()) {
        bool control = false;
        auto x = parse_ref(s, &control);
        if (!x || control) continue;
        NNC_ASSIGN_OR_RETURN(bool xd, dead(*x, depth + 1));
        all = all && xd;
      }
      d = all;
    } else if (n->op() != "NextIteration" && n->op() != "Enter") {
      for (const auto& s : n->input()) {
        auto x = parse_ref(s);
        if (!x) continue;
        NNC_ASSIGN_OR_RETURN(bool xd, dead(*x, depth + 1));
        if (xd) {
          d = true;
          break;
        }
      }
    }
    dead_memo_[r.node] = d ? 1 : 0;
    return d;
  }

  std::string checkpoint_key(const NodeDef& n) const {
    auto it = saver_key_.find(n.name());
    return it != saver_key_.end() ? it->second : variable_key(n);
  }

  /// Follows Identity-like nodes, variable reads/updates, defaults and resolved Switch/Merge.
  Expected<TfRef> resolve(TfRef r) {
    for (int step = 0; step < kMaxAliasSteps; ++step) {
      if (cut_.count(r)) return r;
      const NodeDef* n = node(r.node);
      if (!n)
        return make_error(ErrorCode::kParseError, "'" + file_ + "' refers to a node '" + r.node + "' it does not define",
                          at("node '" + r.node + "'"), "the file is damaged or incomplete; re-export it");
      const std::string& op = n->op();
      auto input = [&](int i) -> std::optional<TfRef> {
        if (i >= n->input_size()) return std::nullopt;
        bool control = false;
        auto x = parse_ref(n->input(i), &control);
        if (!x || control) return std::nullopt;
        return x;
      };
      std::optional<TfRef> next;
      if (kAliasOps.count(op) || op == "ReadVariableOp" || kAssignOps.count(op) ||
          (op == "PlaceholderWithDefault"))
        next = input(0);
      else if (op == "IdentityN")
        next = input(r.index);
      else if (op == "Switch") {
        NNC_ASSIGN_OR_RETURN(auto p, switch_pred(*n));
        if (!p) return r;  // a real conditional: reported as control flow
        next = input(0);
      } else if (op == "Merge" && r.index == 0) {
        std::vector<TfRef> live;
        for (const auto& s : n->input()) {
          bool control = false;
          auto x = parse_ref(s, &control);
          if (!x || control) continue;
          NNC_ASSIGN_OR_RETURN(bool d, dead(*x, 0));
          if (!d) live.push_back(*x);
        }
        if (live.size() != 1) return r;  // a loop or a conditional on a runtime value
        next = live.front();
      }
      if (!next) {
        if (op == "PlaceholderWithDefault" || kAliasOps.count(op) || op == "IdentityN" || op == "ReadVariableOp")
          return make_error(ErrorCode::kParseError, "node '" + n->name() + "' (" + op + ") of '" + file_ + "' lacks its input",
                            at("node '" + n->name() + "'"), "the file is damaged; re-export it");
        return r;
      }
      r = *next;
    }
    return make_error(ErrorCode::kParseError, "'" + file_ + "' has a cycle of Identity-like nodes through '" + r.node + "'",
                      at("node '" + r.node + "'"), "the file is damaged; re-export it");
  }

  /// Nodes no inference node consumes (training, saving, variable bookkeeping and cond internals excluded).
  Expected<std::vector<TfRef>> inferred_outputs() {
    std::unordered_set<std::string> training;
    // Forward closure of training-only nodes over data and control edges (nodes are not sorted:
    // iterate to a fixed point over consumer lists).
    // consumers: every edge; spread: the edges training-only-ness travels along (not the data
    // edges out of Assign/AssignAdd/AssignSub, whose output inference reads as the variable).
    std::unordered_map<std::string, std::vector<std::string>> consumers, spread;
    for (const auto& n : g_.node())
      for (const auto& s : n.input()) {
        bool control = false;
        auto x = parse_ref(s, &control);
        if (!x) continue;
        consumers[x->node].push_back(n.name());
        const NodeDef* src = node(x->node);
        if (control || !src || !kAssignOps.count(src->op())) spread[x->node].push_back(n.name());
      }
    std::vector<std::string> work;
    for (const auto& n : g_.node())
      if (is_training_op(n)) {
        training.insert(n.name());
        work.push_back(n.name());
      }
    while (!work.empty()) {
      std::string x = std::move(work.back());
      work.pop_back();
      for (const auto& c : spread[x])
        if (training.insert(c).second) work.push_back(c);
    }
    std::vector<TfRef> out, named;
    for (const auto& n : g_.node()) {
      if (training.count(n.name())) continue;
      // An output is consumed by nothing, or only by training nodes that score it (loss/, metrics/);
      // a value consumed only by variable updates, asserts or savers is not.
      bool consumed = false, scored = false;
      for (const auto& c : consumers[n.name()]) {
        if (!training.count(c)) consumed = true;
        else if (c.rfind("loss/", 0) == 0 || c.rfind("metrics/", 0) == 0 || c.find("/loss/") != std::string::npos) scored = true;
      }
      if (consumed || (!consumers[n.name()].empty() && !scored)) continue;
      const std::string& op = n.op();
      static const std::set<std::string> kNotOutputs = {"Const", "Placeholder", "PlaceholderWithDefault", "Exit",
                                                        "NextIteration", "Enter", "LoopCond", "Switch", "Merge",
                                                        "NoOp", "Assert", "Print", "PrintV2"};
      if (kNotOutputs.count(op) || kVariableOps.count(op)) continue;
      if (n.name().find("/while/") != std::string::npos) continue;  // loop internals
      if (kAliasOps.count(op) || op == "ReadVariableOp") {
        auto x = parse_ref(n.input_size() ? n.input(0) : std::string());
        const NodeDef* src = x ? node(x->node) : nullptr;
        if (src && (kVariableOps.count(src->op()) || src->op() == "Switch")) continue;  // variable read, cond internals
      }
      NNC_ASSIGN_OR_RETURN(bool d, dead(TfRef{n.name(), 0}, 0));
      if (d) continue;
      out.push_back(TfRef{n.name(), 0});
      if (op == "Identity" && n.name().find('/') == std::string::npos) named.push_back(out.back());
    }
    // Top-level Identity nodes (tf.identity(..., name="detection_boxes"), exporters' convention) are
    // the declared outputs when a graph has them; other dead ends are side computations.
    if (!named.empty() && named.size() < out.size()) {
      if (diag_) {
        std::string s;
        for (const auto& r : out)
          if (std::find(named.begin(), named.end(), r) == named.end()) s += (s.empty() ? "" : ", ") + ref_name(r);
        diag_->log(LogLevel::kVerbose, "'" + file_ + "': outputs taken from the top-level Identity nodes; other unconsumed tensors: " + s);
      }
      return named;
    }
    return out;
  }

  Status outputs(std::vector<std::pair<std::string, TfRef>>& outs) {
    const auto given = split_names(opts_.outputs);
    for (const std::string& s : given) {
      NNC_ASSIGN_OR_RETURN(TfRef r, named_tensor(s, "outputs"));
      outs.emplace_back(ref_name(r), r);
    }
    if (!outs.empty()) return Status::ok();
    NNC_ASSIGN_OR_RETURN(auto cands, inferred_outputs());
    if (cands.empty())
      return make_error(ErrorCode::kInvalidArgument, "'" + file_ + "' has no inference output nnc can infer", at(),
                        "name the outputs with the frontend option outputs (pipeline: options = { outputs = \"NAME,...\" })");
    constexpr size_t kMaxInferred = 8;
    if (cands.size() > kMaxInferred) {
      std::vector<std::string> names;
      for (const auto& c : cands) names.push_back(ref_name(c) + " (" + node(c.node)->op() + ")");
      return make_error(ErrorCode::kInvalidArgument,
                        "cannot tell the outputs of '" + file_ + "': " + std::to_string(cands.size()) +
                            " tensors are consumed by no inference node: " + quoted_list(names, 24),
                        at(), "name the outputs with the frontend option outputs, comma-separated (pipeline: options = { outputs = \"NAME,...\" })");
    }
    for (const auto& c : cands) outs.emplace_back(ref_name(c), c);
    if (diag_) {
      std::string s;
      for (const auto& c : cands) s += (s.empty() ? "" : ", ") + ref_name(c);
      diag_->log(LogLevel::kVerbose, "'" + file_ + "': inferred outputs: " + s);
    }
    return Status::ok();
  }

  /// Post-order walk from the outputs over resolved data inputs.
  Status collect(PreparedGraph& pg) {
    enum : uint8_t { kOpen = 1, kDone = 2 };
    std::unordered_map<std::string, uint8_t> state;
    struct Frame {
      std::string key;
      PreparedGraph::Item item;
      size_t next = 0;
    };
    std::set<std::string> placeholder_inputs;
    auto make_item = [&](const TfRef& r, std::string& key) -> Expected<PreparedGraph::Item> {
      PreparedGraph::Item it;
      it.node = node(r.node);
      it.ref = r;
      if (cut_.count(r)) {
        it.kind = PreparedGraph::Kind::kInput;
        key = "input:" + ref_name(r);
        return it;
      }
      key = r.node;
      const std::string& op = it.node->op();
      if (op == "Placeholder") {
        it.kind = PreparedGraph::Kind::kInput;
        it.ref = TfRef{r.node, 0};
      } else if (op == "Const") {
        it.kind = PreparedGraph::Kind::kConst;
      } else if (kVariableOps.count(op)) {
        it.kind = PreparedGraph::Kind::kVariable;
        it.checkpoint_key = checkpoint_key(*it.node);
      } else {
        it.kind = PreparedGraph::Kind::kOp;
        for (const auto& s : it.node->input()) {
          bool control = false;
          auto x = parse_ref(s, &control);
          if (!x)
            return make_error(ErrorCode::kParseError, "node '" + r.node + "' of '" + file_ + "' has a malformed input '" + s + "'",
                              at("node '" + r.node + "'"), "the file is damaged; re-export it");
          if (control) continue;
          NNC_ASSIGN_OR_RETURN(TfRef rx, resolve(*x));
          it.inputs.push_back(rx);
        }
      }
      return it;
    };
    std::vector<Frame> stack;
    auto push = [&](const TfRef& r) -> Status {
      std::string key;
      NNC_ASSIGN_OR_RETURN(auto item, make_item(r, key));
      if (state.count(key)) return Status::ok();  // done, or a back edge of a loop (reported as control flow)
      state[key] = kOpen;
      stack.push_back(Frame{key, std::move(item), 0});
      return Status::ok();
    };
    for (const auto& [name, ref] : pg.outputs) {
      NNC_RETURN_IF_ERROR(push(ref));
      while (!stack.empty()) {
        Frame& f = stack.back();
        if (f.item.kind == PreparedGraph::Kind::kOp && f.next < f.item.inputs.size()) {
          TfRef in = f.item.inputs[f.next++];
          NNC_RETURN_IF_ERROR(push(in));
          continue;
        }
        state[f.key] = kDone;
        if (f.item.kind == PreparedGraph::Kind::kInput && !cut_.count(f.item.ref)) placeholder_inputs.insert(f.item.ref.node);
        pg.items.push_back(std::move(f.item));
        stack.pop_back();
      }
    }
    // Input order: as given in `inputs`, then Placeholders in file order.
    for (const auto& r : cut_order_) {
      if (state.count("input:" + ref_name(r))) pg.input_names.push_back(ref_name(r));
      else if (diag_) diag_->warning("input '" + ref_name(r) + "' given in option inputs is not needed by the outputs; ignored", at());
    }
    for (const auto& n : g_.node())
      if (placeholder_inputs.count(n.name())) pg.input_names.push_back(n.name());
    return Status::ok();
  }

  const nnc::tfproto::GraphDef& g_;
  const ImportOptions& opts_;
  const VariableSource& vars_;
  std::string file_;
  DiagnosticSink* diag_;
  std::unordered_map<std::string, const NodeDef*> by_name_;
  std::set<TfRef> cut_;
  std::vector<TfRef> cut_order_;
  std::map<std::string, std::string> saver_key_;
  std::unordered_map<std::string, std::optional<bool>> pred_memo_;
  std::unordered_map<std::string, int> dead_memo_;
};

}  // namespace

std::optional<TfRef> parse_ref(std::string_view text, bool* control) {
  if (control) *control = false;
  if (!text.empty() && text[0] == '^') {
    if (control) *control = true;
    text.remove_prefix(1);
    if (text.empty()) return std::nullopt;
    return TfRef{std::string(text), 0};
  }
  if (text.empty()) return std::nullopt;
  TfRef r;
  auto colon = text.rfind(':');
  if (colon != std::string_view::npos && colon + 1 < text.size() &&
      std::all_of(text.begin() + static_cast<long>(colon) + 1, text.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      text.size() - colon - 1 <= 6) {
    r.node = std::string(text.substr(0, colon));
    r.index = std::stoi(std::string(text.substr(colon + 1)));
    if (r.node.empty()) return std::nullopt;
    return r;
  }
  r.node = std::string(text);
  return r;
}

std::string ref_name(const TfRef& r) { return r.index == 0 ? r.node : r.node + ":" + std::to_string(r.index); }

std::string variable_key(const NodeDef& n) {
  if (n.op() == "VarHandleOp" && n.attr().count("shared_name") && !n.attr().at("shared_name").s().empty())
    return n.attr().at("shared_name").s();
  return n.name();
}

bool is_postprocessing_op(const std::string& op) {
  static const std::set<std::string> kControl = {"Switch", "Merge", "Enter", "Exit", "NextIteration", "LoopCond",
                                                 "CropAndResize", "While", "StatelessWhile", "If", "StatelessIf"};
  return kControl.count(op) || op.rfind("TensorArray", 0) == 0 || op.rfind("NonMaxSuppression", 0) == 0;
}

int64_t attr_int(const NodeDef& n, const std::string& name, int64_t fallback) {
  auto it = n.attr().find(name);
  return it == n.attr().end() ? fallback : it->second.i();
}
double attr_float(const NodeDef& n, const std::string& name, double fallback) {
  auto it = n.attr().find(name);
  return it == n.attr().end() ? fallback : it->second.f();
}
bool attr_bool(const NodeDef& n, const std::string& name, bool fallback) {
  auto it = n.attr().find(name);
  return it == n.attr().end() ? fallback : it->second.b();
}
std::string attr_string(const NodeDef& n, const std::string& name, const std::string& fallback) {
  auto it = n.attr().find(name);
  return it == n.attr().end() ? fallback : it->second.s();
}
std::vector<int64_t> attr_ints(const NodeDef& n, const std::string& name) {
  auto it = n.attr().find(name);
  if (it == n.attr().end()) return {};
  return {it->second.list().i().begin(), it->second.list().i().end()};
}
int attr_type(const NodeDef& n, const std::string& name) {
  auto it = n.attr().find(name);
  return it == n.attr().end() ? 0 : it->second.type();
}

Expected<PreparedGraph> prepare_graph(const nnc::tfproto::GraphDef& graph, const ImportOptions& opts,
                                      const VariableSource& vars, const std::string& file, DiagnosticSink* diag) {
  return Prep(graph, opts, vars, file, diag).run();
}

}  // namespace nnc::tf_frontend::detail
