// nnc tests: broken plugin: the entry point is exported without extern "C", so its symbol is C++-mangled.
#include "broken_plugin_parts.h"

static int broken_register(nnc::PluginRegistrar* registrar) noexcept {
  try {
    registrar->add_pass(nnc_broken::no_op_pass_entry("broken_mangled"));
    return 0;
  } catch (...) {
    return 1;
  }
}

/// Exported (visibility default) but with C++ linkage: the symbol is _Z24nnc_plugin_descriptor_v1v.
NNC_PLUGIN_EXPORT const nnc_plugin_descriptor* nnc_plugin_descriptor_v1() noexcept {
  static const nnc_plugin_descriptor descriptor = {
      sizeof(nnc_plugin_descriptor), NNC_SDK_VERSION_MAJOR, NNC_SDK_VERSION_MINOR, NNC_ABI_TAG,
      "broken_mangled", "0.0.1", &broken_register, {}};
  return &descriptor;
}
