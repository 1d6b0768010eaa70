// nnc core: topological order, reachability, subgraph extraction, op histogram, dead-code removal.
#include "nnc/graph_algorithms.h"

#include <algorithm>
#include <functional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "nnc/suggest.h"

namespace nnc {

namespace {

bool has_subgraph(const Node& n) {
  for (const auto& [name, a] : n.attributes())
    if (a.kind() == AttributeKind::kGraph) return true;
  return false;
}

/// A value of `g` that stands for an outer-scope value (see outer_scope_names).
bool is_outer_scope_reference(const Graph& g, const Value* v) {
  return !v->producer() && !v->is_constant() && !g.is_graph_input(v);
}

/// Values of n's graph read by n's subgraphs (names n's graph does not hold come from further out).
std::vector<Value*> implicit_input_values(const Node& n) {
  std::vector<Value*> out;
  if (!n.graph() || !has_subgraph(n)) return out;
  for (const std::string& name : implicit_input_names(n))
    if (Value* v = n.graph()->find_value(name)) out.push_back(v);
  return out;
}

}  // namespace

std::vector<std::string> outer_scope_names(const Graph& g) {
  std::vector<std::string> names;
  std::unordered_set<std::string> seen;
  auto add = [&](const std::string& name) {
    if (seen.insert(name).second) names.push_back(name);
  };
  for (const Node* n : g.nodes()) {
    for (const Value* in : n->inputs())
      if (in && is_outer_scope_reference(g, in)) add(in->name());
    if (!has_subgraph(*n)) continue;
    for (const std::string& name : implicit_input_names(*n)) {
      const Value* v = g.find_value(name);
      if (!v || is_outer_scope_reference(g, v)) add(name);
    }
  }
  for (const Value* v : g.outputs())
    if (v && is_outer_scope_reference(g, v)) add(v->name());
  return names;
}

std::vector<std::string> implicit_input_names(const Node& n) {
  std::vector<std::string> names;
  std::unordered_set<std::string> seen;
  for (const auto& [attr, a] : n.attributes()) {
    if (a.kind() != AttributeKind::kGraph || !a.get<std::shared_ptr<Graph>>()) continue;
    for (std::string& name : outer_scope_names(*a.get<std::shared_ptr<Graph>>()))
      if (seen.insert(name).second) names.push_back(std::move(name));
  }
  return names;
}

Expected<std::vector<Node*>> topological_order(const Graph& g) {
  std::vector<Node*> nodes = g.nodes();
  std::unordered_map<const Node*, int> pending;  // number of producer nodes not yet emitted
  std::unordered_map<const Value*, std::vector<Node*>> implicit_readers;
  for (Node* n : nodes) {
    int count = 0;
    for (Value* in : n->inputs())
      if (in && in->producer()) ++count;
    for (Value* in : implicit_input_values(*n)) {
      if (!in->producer()) continue;
      ++count;
      implicit_readers[in].push_back(n);
    }
    pending[n] = count;
  }
  std::vector<Node*> order;
  order.reserve(nodes.size());
  std::vector<Node*> ready;
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it)
    if (pending[*it] == 0) ready.push_back(*it);
  while (!ready.empty()) {
    Node* n = ready.back();
    ready.pop_back();
    order.push_back(n);
    std::vector<Node*> released;
    for (Value* out : n->outputs()) {
      if (!out) continue;
      for (const Use& u : out->uses()) {
        auto it = pending.find(u.node);
        if (it != pending.end() && --it->second == 0) released.push_back(u.node);
      }
      if (auto r = implicit_readers.find(out); r != implicit_readers.end())
        for (Node* reader : r->second)
          if (--pending[reader] == 0) released.push_back(reader);
    }
    // Keep insertion order among released nodes for stable, readable dumps.
    for (auto it = released.rbegin(); it != released.rend(); ++it) ready.push_back(*it);
  }
  if (order.size() != nodes.size()) {
    std::vector<std::string> stuck;
    for (Node* n : nodes)
      if (pending[n] > 0) stuck.push_back(n->name());
    return make_error(ErrorCode::kVerifyFailed,
                      "graph '" + g.name() + "' has a cycle through " + std::to_string(stuck.size()) +
                          " node(s): " + quoted_list(stuck, 8),
                      {}, "a model graph must be acyclic; re-export the model");
  }
  return order;
}

std::vector<Node*> nodes_feeding(const Graph& g, const std::vector<Value*>& targets) {
  std::unordered_set<const Node*> seen;
  std::vector<Value*> stack(targets.begin(), targets.end());
  while (!stack.empty()) {
    Value* v = stack.back();
    stack.pop_back();
    if (!v || !v->producer() || seen.count(v->producer())) continue;
    seen.insert(v->producer());
    for (Value* in : v->producer()->inputs()) stack.push_back(in);
    for (Value* in : implicit_input_values(*v->producer())) stack.push_back(in);
  }
  std::vector<Node*> out;
  for (Node* n : g.nodes())
    if (seen.count(n)) out.push_back(n);
  return out;
}

namespace {

Status unknown_names_error(const Graph& g, const std::vector<std::string>& unknown, const char* role) {
  std::vector<std::string> all;
  for (Value* v : g.values()) all.push_back(v->name());
  std::string msg = std::string("unknown ") + role + " value name(s) in graph '" + g.name() + "':";
  for (const auto& name : unknown) msg += " '" + name + "'" + did_you_mean(name, all) + ";";
  msg.pop_back();
  return make_error(ErrorCode::kNotFound, msg, {}, "use value (tensor) names as shown by `host inspect`");
}

}  // namespace

Expected<Graph> extract_subgraph(const Graph& g, const std::vector<std::string>& input_names,
                                 const std::vector<std::string>& output_names) {
  std::vector<std::string> unknown_in, unknown_out;
  std::vector<Value*> cut_inputs, outputs;
  for (const auto& n : input_names) {
    Value* v = g.find_value(n);
    v ? cut_inputs.push_back(v) : unknown_in.push_back(n);
  }
  for (const auto& n : output_names) {
    Value* v = g.find_value(n);
    v ? outputs.push_back(v) : unknown_out.push_back(n);
  }
  if (!unknown_in.empty()) return unknown_names_error(g, unknown_in, "input");
  if (!unknown_out.empty()) return unknown_names_error(g, unknown_out, "output");
  if (outputs.empty()) return make_error(ErrorCode::kInvalidArgument, "extract_subgraph: no output names given");

  std::unordered_set<const Value*> cut(cut_inputs.begin(), cut_inputs.end());
  // Walk back from the outputs, stopping at cut values.
  std::unordered_set<const Node*> keep;
  std::vector<Value*> stack(outputs.begin(), outputs.end());
  std::set<std::string> uncut_graph_inputs;
  std::unordered_set<const Value*> visited;
  while (!stack.empty()) {
    Value* v = stack.back();
    stack.pop_back();
    if (!v || visited.count(v)) continue;
    visited.insert(v);
    if (cut.count(v)) continue;
    if (!v->producer()) {
      if (!v->is_constant()) uncut_graph_inputs.insert(v->name());
      continue;
    }
    keep.insert(v->producer());
    for (Value* in : v->producer()->inputs()) stack.push_back(in);
  }
  if (!uncut_graph_inputs.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the requested cut does not separate the graph: the outputs still depend on input(s) " +
                          quoted_list({uncut_graph_inputs.begin(), uncut_graph_inputs.end()}) +
                          " that are not among the new inputs",
                      {}, "add those values to the input list, or choose outputs that do not depend on them");
  }

  Graph sub(g.name());
  sub.opsets() = g.opsets();
  sub.metadata() = g.metadata();
  std::unordered_map<const Value*, Value*> map;
  auto mapped = [&](Value* v) -> Value* {
    if (!v) return nullptr;
    auto it = map.find(v);
    if (it != map.end()) return it->second;
    Value* nv = sub.add_value(v->name(), v->dtype(), v->shape());
    if (v->constant() && !cut.count(v)) nv->set_constant(*v->constant());
    nv->set_doc(v->doc());
    if (v->quant()) nv->set_quant(*v->quant());
    map[v] = nv;
    return nv;
  };
  for (Value* v : cut_inputs) sub.add_input(mapped(v));
  Expected<std::vector<Node*>> order = topological_order(g);
  if (!order) return order.error();
  for (Node* n : *order) {
    if (!keep.count(n)) continue;
    std::vector<Value*> ins;
    for (Value* in : n->inputs()) ins.push_back(mapped(in));
    std::vector<std::string> out_names;
    for (Value* out : n->outputs()) out_names.push_back(out ? mapped(out)->name() : "");
    Node* nn = sub.add_node(n->op_type(), ins, out_names, n->name(), n->domain());
    for (const auto& [k, a] : n->attributes()) nn->set_attribute(k, a);
  }
  for (Value* v : outputs) sub.add_output(mapped(v));
  return sub;
}

std::map<std::string, int> op_histogram(const Graph& g) {
  std::map<std::string, int> hist;
  for (Node* n : g.nodes()) ++hist[n->domain().empty() ? n->op_type() : n->domain() + "." + n->op_type()];
  return hist;
}

int remove_dead_nodes(Graph& g) {
  std::vector<Node*> live = nodes_feeding(g, g.outputs());
  std::unordered_set<const Node*> live_set(live.begin(), live.end());
  std::unordered_set<const Value*> read_by_subgraphs;
  for (const Node* n : live)
    for (const Value* v : implicit_input_values(*n)) read_by_subgraphs.insert(v);
  int removed = 0;
  for (Node* n : g.nodes()) {
    if (live_set.count(n)) continue;
    std::vector<Value*> outs = n->outputs();
    g.erase_node(n);
    ++removed;
    for (Value* out : outs)
      if (out && out->uses().empty() && !g.is_graph_output(out)) (void)g.erase_value(out);
  }
  for (Value* v : g.values())
    if (v->is_constant() && v->uses().empty() && !g.is_graph_output(v) && !g.is_graph_input(v) &&
        !read_by_subgraphs.count(v))
      (void)g.erase_value(v);
  return removed;
}

}  // namespace nnc
