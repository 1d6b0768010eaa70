// nnc core: the reference executor's single op table (all kernel groups) and the support check.
#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "exec/kernel.h"
#include "nnc/executor.h"
#include "nnc/suggest.h"

namespace nnc {
namespace exec {
namespace {

std::string key_of(const std::string& domain, const std::string& op_type) {
  return (domain == "ai.onnx" ? std::string() : domain) + "::" + op_type;
}

const std::unordered_map<std::string, const KernelEntry*>& kernel_index() {
  static const std::unordered_map<std::string, const KernelEntry*> index = [] {
    std::unordered_map<std::string, const KernelEntry*> m;
    for (auto group : {elementwise_kernels(), reduction_kernels(), linalg_kernels(), nn_kernels(), shape_kernels(),
                       control_kernels()})
      for (const KernelEntry& e : group) m.emplace(key_of(e.domain, e.op_type), &e);
    return m;
  }();
  return index;
}

}  // namespace

const KernelEntry* find_kernel(const std::string& domain, const std::string& op_type) {
  auto it = kernel_index().find(key_of(domain, op_type));
  return it == kernel_index().end() ? nullptr : it->second;
}

}  // namespace exec

const std::vector<ReferenceOpInfo>& reference_op_table() {
  static const std::vector<ReferenceOpInfo> table = [] {
    std::vector<ReferenceOpInfo> t;
    for (const auto& [key, e] : exec::kernel_index()) t.push_back({e->domain, e->op_type, e->min_opset, e->note});
    std::sort(t.begin(), t.end(), [](const auto& a, const auto& b) {
      return std::tie(a.domain, a.op_type) < std::tie(b.domain, b.op_type);
    });
    return t;
  }();
  return table;
}

bool reference_supports(const std::string& domain, const std::string& op_type) {
  return exec::find_kernel(domain, op_type) != nullptr;
}

namespace {
int64_t opset_of(const Graph& g, const std::string& domain) {
  auto it = g.opsets().find(domain == "ai.onnx" ? "" : domain);
  return it == g.opsets().end() ? 0 : it->second;
}
}  // namespace

Status check_reference_support(const Graph& g) {
  std::map<std::string, std::vector<std::string>> unknown;    // op -> node names
  std::map<std::string, std::vector<std::string>> too_old;    // op -> messages
  // Nodes inside subgraphs (If branches, Loop/Scan bodies) are checked too, named by their path
  // ("If_1/else_branch/nms"); they run under the main graph's opsets.
  std::function<void(const Graph&, const std::string&)> check = [&](const Graph& graph, const std::string& prefix) {
    for (const Node* n : graph.nodes()) {
      std::string op = n->domain().empty() ? n->op_type() : n->domain() + "." + n->op_type();
      const exec::KernelEntry* k = exec::find_kernel(n->domain(), n->op_type());
      if (!k) {
        unknown[op].push_back(prefix + n->name());
      } else {
        int64_t opset = opset_of(g, n->domain());
        if (opset != 0 && opset < k->min_opset) too_old[op].push_back(prefix + n->name());
      }
      for (const auto& [attr, a] : n->attributes())
        if (a.kind() == AttributeKind::kGraph && a.get<std::shared_ptr<Graph>>())
          check(*a.get<std::shared_ptr<Graph>>(), prefix + n->name() + "/" + attr + "/");
    }
  };
  check(g, "");
  if (unknown.empty() && too_old.empty()) return Status::ok();
  std::string opsets;
  for (const auto& [domain, version] : g.opsets())
    opsets += (opsets.empty() ? "" : ", ") + (domain.empty() ? std::string("ai.onnx") : domain) + " " + std::to_string(version);
  std::string msg = std::to_string(unknown.size() + too_old.size()) + " unsupported op type(s) in graph '" + g.name() +
                    "' (opset " + (opsets.empty() ? "unknown" : opsets) + "):";
  std::vector<std::string> supported;
  for (const auto& info : reference_op_table()) supported.push_back(info.op_type);
  for (const auto& [op, nodes] : unknown)
    msg += " " + op + " (node" + (nodes.size() > 1 ? "s " : " ") + quoted_list(nodes, 5) + ")" +
           did_you_mean(op, supported) + ";";
  for (const auto& [op, nodes] : too_old) {
    const exec::KernelEntry* k = exec::find_kernel("", op);
    msg += " " + op + " before opset " + std::to_string(k ? k->min_opset : 0) + " (node" +
           (nodes.size() > 1 ? "s " : " ") + quoted_list(nodes, 5) + ");";
  }
  msg.pop_back();
  return make_error(ErrorCode::kUnsupported, msg, {},
                    "crop these ops off the model, replace them, or convert the model to a newer opset; "
                    "the supported set is nnc::reference_op_table()");
}

}  // namespace nnc
