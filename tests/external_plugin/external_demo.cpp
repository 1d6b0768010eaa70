// nnc example plugin: pass.external_demo counts nodes per op type into graph metadata, optionally prefixes node names.
#include <map>
#include <memory>
#include <string>

#include "nnc/plugin.h"

namespace {

/// Writes "Conv=2,Relu=3" (op types sorted) into graph.metadata()[metadata_key], and prepends
/// `node_prefix` to every node name (nodes without a name get prefix + op type).
class ExternalDemoPass final : public nnc::Pass {
 public:
  nnc::Expected<bool> run(nnc::Graph& graph, const nnc::Options& options, nnc::Context& ctx) override {
    bool changed = record_op_counts(graph, options.get_string("metadata_key", "external_demo.op_count"), ctx);
    const std::string prefix = options.get_string("node_prefix");
    if (!prefix.empty()) {
      for (nnc::Node* node : graph.nodes()) {
        node->set_name(prefix + (node->name().empty() ? node->op_type() : node->name()));
        changed = true;
      }
    }
    return changed;
  }

 private:
  static bool record_op_counts(nnc::Graph& graph, const std::string& key, nnc::Context& ctx) {
    std::map<std::string, int> count_by_op;
    for (const nnc::Node* node : graph.nodes()) ++count_by_op[node->op_type()];
    std::string summary;
    for (const auto& [op_type, count] : count_by_op) {
      if (!summary.empty()) summary += ",";
      summary += op_type + "=" + std::to_string(count);
    }
    ctx.diag().log(nnc::LogLevel::kVerbose, "pass.external_demo: " + key + " = " + summary);

    auto [it, inserted] = graph.metadata().try_emplace(key, summary);
    if (!inserted && it->second == summary) return false;
    it->second = summary;
    return true;
  }
};

nnc::Status register_components(nnc::PluginRegistrar& registrar) {
  nnc::PassEntry entry;
  entry.info.name = "external_demo";
  entry.info.version = "1.0.0";
  entry.info.doc = "counts nodes per op type into graph metadata; optionally prefixes node names (example plugin)";
  entry.info.options = {
      nnc::option_string("metadata_key", "external_demo.op_count", "graph metadata key receiving \"Op=count,...\""),
      nnc::option_string("node_prefix", "", "prepended to every node name; empty = names unchanged"),
  };
  entry.create = [] { return std::make_unique<ExternalDemoPass>(); };
  registrar.add_pass(std::move(entry));
  return nnc::Status::ok();
}

}  // namespace

NNC_PLUGIN("external_demo", "1.0.0", register_components)
