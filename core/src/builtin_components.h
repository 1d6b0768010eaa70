// nnc core (internal): registration of the components built into libnnc_core (IR writers...).
#pragma once

#include "nnc/plugin.h"

namespace nnc {

/// Name under which built-in components are listed ("core").
inline constexpr const char* kBuiltinPluginName = "core";

/// Adds the core's own components (write.ir-text, write.ir-json, write.onnx, exec.reference) to `registrar`.
Status register_builtin_components(PluginRegistrar& registrar);
/// Adds exec.reference (builtin_exec_stage.cpp): runs the current graphs with the reference executor.
Status register_builtin_exec_stage(PluginRegistrar& registrar);

}  // namespace nnc
