// nnc pass_template: plugin entry point: the only code here declares the plugin and registers its pass.
#include "nnc/plugin.h"
#include "remove_identity_pass.h"

namespace {

/// Called once by the host's loader. Add every component through the registrar; return an error
/// Status (or throw) to have the whole plugin rejected with that reason.
nnc::Status register_components(nnc::PluginRegistrar& registrar) {
  registrar.add_pass(nnc::PassEntry{nnc::pass_template::RemoveIdentityPass::info(),
                                    [] { return std::make_unique<nnc::pass_template::RemoveIdentityPass>(); },
                                    {}});
  return nnc::Status::ok();
}

}  // namespace

// Exports the extern "C" descriptor (SDK version, ABI tag, name, version, register function).
NNC_PLUGIN("pass_template", "1.0.0", register_components)
