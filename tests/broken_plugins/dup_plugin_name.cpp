// nnc tests: broken plugin: its descriptor reuses the plugin name "core" of the core's built-in components.
#include "broken_plugin_parts.h"

namespace {

nnc::Status register_components(nnc::PluginRegistrar& registrar) {
  registrar.add_pass(nnc_broken::no_op_pass_entry("broken_dup_plugin_name"));
  return nnc::Status::ok();
}

}  // namespace

// "core" is always loaded first (built into libnnc_core), so the clash does not depend on load order.
NNC_PLUGIN("core", "0.0.1", register_components)
