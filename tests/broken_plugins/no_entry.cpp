// nnc tests: broken plugin: exports a descriptor under another name, so nnc_plugin_descriptor_v1 is missing.
#include "broken_plugin_parts.h"

static int broken_register(nnc::PluginRegistrar* registrar) noexcept {
  try {
    registrar->add_pass(nnc_broken::no_op_pass_entry("broken_no_entry"));
    return 0;
  } catch (...) {
    return 1;
  }
}

/// The right descriptor behind the wrong (but exported, C-linkage) name.
extern "C" NNC_PLUGIN_EXPORT const nnc_plugin_descriptor* nnc_plugin_info() noexcept {
  static const nnc_plugin_descriptor descriptor = {
      sizeof(nnc_plugin_descriptor), NNC_SDK_VERSION_MAJOR, NNC_SDK_VERSION_MINOR, NNC_ABI_TAG,
      "broken_no_entry", "0.0.1", &broken_register, {}};
  return &descriptor;
}
