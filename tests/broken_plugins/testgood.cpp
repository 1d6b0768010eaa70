// nnc tests: the good test plugin "testgood": pass.rename_graph sets the graph name from option `name`.
#include <memory>
#include <string>

#include "nnc/plugin.h"

namespace {

class RenameGraphPass final : public nnc::Pass {
 public:
  nnc::Expected<bool> run(nnc::Graph& graph, const nnc::Options& options, nnc::Context& ctx) override {
    const std::string new_name = options.get_string("name");
    if (graph.name() == new_name) return false;
    graph.set_name(new_name);
    return true;
  }
};

nnc::Status register_components(nnc::PluginRegistrar& registrar) {
  nnc::PassEntry entry;
  entry.info.name = "rename_graph";
  entry.info.version = "1.0.0";
  entry.info.doc = "sets the graph's name (test plugin)";
  entry.info.options = {nnc::option_required("name", nnc::OptionType::kString, "the new graph name")};
  entry.create = [] { return std::make_unique<RenameGraphPass>(); };
  registrar.add_pass(std::move(entry));
  return nnc::Status::ok();
}

}  // namespace

NNC_PLUGIN("testgood", "1.2.3", register_components)
