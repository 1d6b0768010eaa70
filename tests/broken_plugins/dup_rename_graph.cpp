// nnc tests: broken plugin (in duplicates/): another plugin registering pass "rename_graph", like "testgood".
#include "broken_plugin_parts.h"

namespace {

nnc::Status register_components(nnc::PluginRegistrar& registrar) {
  registrar.add_pass(nnc_broken::no_op_pass_entry("broken_dup_rename_graph"));
  registrar.add_pass(nnc_broken::no_op_pass_entry("rename_graph"));
  return nnc::Status::ok();
}

}  // namespace

NNC_PLUGIN("broken_dup_rename_graph", "0.0.1", register_components)
