// nnc tests: broken plugin: its register function adds a pass, then throws std::runtime_error.
#include <stdexcept>

#include "broken_plugin_parts.h"

namespace {

nnc::Status register_then_throw(nnc::PluginRegistrar& registrar) {
  registrar.add_pass(nnc_broken::no_op_pass_entry("broken_throws"));
  throw std::runtime_error("boom from register");
}

}  // namespace

NNC_PLUGIN("broken_throws", "0.0.1", register_then_throw)
