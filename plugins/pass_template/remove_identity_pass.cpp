// nnc pass_template: implementation of RemoveIdentityPass.
#include "remove_identity_pass.h"

#include <algorithm>
#include <set>

namespace nnc::pass_template {

ComponentInfo RemoveIdentityPass::info() {
  return ComponentInfo{
      "remove_identity",
      "1.0.0",
      "removes Identity and inference-mode Dropout nodes, rewiring their consumers",
      {option_string_list("ops", {"Identity", "Dropout"}, "op types to remove (each must forward input 0 unchanged)")}};
}

namespace {

const std::set<std::string>& supported_ops() {
  static const std::set<std::string> ops = {"Identity", "Dropout"};
  return ops;
}

/// A Dropout is a no-op at inference unless training_mode (input 2) is a true constant or unknown.
bool dropout_is_inactive(const Node& n) {
  const Value* training = n.input(2);
  if (training) {
    const Tensor* t = training->constant();
    if (!t || t->element_count() != 1 || t->value_as_double(0) != 0.0) return false;
  }
  const Value* mask = n.output(1);
  return !mask || mask->uses().empty();
}

/// Why `n` cannot be removed, or "" when it can.
std::string keep_reason(const Graph& g, const Node& n) {
  if (!n.input(0) || !n.output(0)) return "it has no data input or output";
  if (g.is_graph_output(n.output(0))) return "its output is a graph output (removing it would rename the output)";
  if (n.op_type() == "Dropout" && !dropout_is_inactive(n)) return "it may be in training mode or its mask is used";
  return "";
}

}  // namespace

Expected<bool> RemoveIdentityPass::run(Graph& graph, const Options& options, Context& ctx) {
  std::vector<std::string> ops = options.get_string_list("ops");
  for (const auto& op : ops) {
    if (!supported_ops().count(op)) {
      return make_error(ErrorCode::kInvalidArgument, "pass.remove_identity cannot remove '" + op + "' nodes",
                        Location{"", 0, 0, "option 'ops'"}, "supported op types: Identity, Dropout");
    }
  }
  int removed = 0;
  for (Node* n : graph.nodes()) {
    if (!n->domain().empty() || std::find(ops.begin(), ops.end(), n->op_type()) == ops.end()) continue;
    if (std::string why = keep_reason(graph, *n); !why.empty()) {
      ctx.diag().log(LogLevel::kVerbose, "pass.remove_identity: kept " + n->describe() + ": " + why);
      continue;
    }
    Value* in = n->input(0);
    std::vector<Value*> outputs = n->outputs();
    graph.replace_all_uses(outputs[0], in);
    graph.erase_node(n);
    for (Value* out : outputs)
      if (out) NNC_RETURN_IF_ERROR(graph.erase_value(out));
    ++removed;
  }
  // Inputs only the removed nodes used (e.g. Dropout's ratio constant) are now dead.
  for (Value* v : graph.values())
    if (v->is_constant() && v->uses().empty() && !graph.is_graph_output(v) && !graph.is_graph_input(v))
      NNC_RETURN_IF_ERROR(graph.erase_value(v));
  if (removed) ctx.diag().log(LogLevel::kVerbose, "pass.remove_identity: removed " + std::to_string(removed) + " node(s)");
  return removed > 0;
}

}  // namespace nnc::pass_template
