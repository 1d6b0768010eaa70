// nnc tests: shared parts of the deliberately broken plugins: a no-op pass and a hand-written descriptor.
#pragma once

#include <memory>
#include <string>

#include "nnc/plugin.h"

namespace nnc_broken {

/// A pass that does nothing; broken plugins register one so tests can prove it never reaches the registry.
class NoOpPass final : public nnc::Pass {
 public:
  nnc::Expected<bool> run(nnc::Graph&, const nnc::Options&, nnc::Context&) override { return false; }
};

/// Registry entry for a no-op pass called `component_name`.
inline nnc::PassEntry no_op_pass_entry(const std::string& component_name) {
  nnc::PassEntry entry;
  entry.info.name = component_name;
  entry.info.version = "0.0.1";
  entry.info.doc = "does nothing; must never be registered (its plugin is broken)";
  entry.create = [] { return std::make_unique<NoOpPass>(); };
  return entry;
}

}  // namespace nnc_broken

/// Defines the extern "C" entry point with a hand-written descriptor (fields as given) whose register
/// function adds the no-op pass COMPONENT. Used to break one descriptor rule at a time.
#define NNC_BROKEN_DESCRIPTOR(STRUCT_SIZE, SDK_MAJOR, SDK_MINOR, ABI_TAG, NAME, COMPONENT)             \
  static int broken_register(nnc::PluginRegistrar* registrar) noexcept {                             \
    try {                                                                                             \
      registrar->add_pass(nnc_broken::no_op_pass_entry(COMPONENT));                                   \
      return 0;                                                                                       \
    } catch (...) {                                                                                   \
      return 1;                                                                                       \
    }                                                                                                 \
  }                                                                                                   \
  extern "C" NNC_PLUGIN_EXPORT const nnc_plugin_descriptor* nnc_plugin_descriptor_v1() noexcept {     \
    static const nnc_plugin_descriptor descriptor = {                                                \
        STRUCT_SIZE, SDK_MAJOR, SDK_MINOR, ABI_TAG, NAME, "0.0.1", &broken_register, {}};             \
    return &descriptor;                                                                               \
  }
