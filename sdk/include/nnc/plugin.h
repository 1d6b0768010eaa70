// nnc SDK: the plugin boundary: the extern "C" descriptor, the registrar and the NNC_PLUGIN macro.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "nnc/registry.h"
#include "nnc/status.h"
#include "nnc/version.h"

namespace nnc {

/// What a plugin's register function adds components through. Additions are staged and committed to
/// the host's registries only when registration succeeds as a whole (no duplicate, no failure), so a
/// rejected plugin leaves nothing behind.
class PluginRegistrar {
 public:
  explicit PluginRegistrar(std::string plugin_name) : plugin_name_(std::move(plugin_name)) {}

  /// Add components. The entry's `plugin` field is filled in with this plugin's name.
  void add_frontend(FrontendEntry e);
  void add_pass(PassEntry e);
  void add_calibrator(JobStageEntry e);
  void add_target(JobStageEntry e);
  void add_writer(JobStageEntry e);
  void add_runtime(RuntimeEntry e);
  /// Adds an "exec.<name>" stage: runs the job's current graphs (e.g. the reference executor).
  void add_executor(JobStageEntry e);

  /// Marks registration as failed (the plugin is then rejected with this reason).
  void fail(const Status& reason);
  /// Records that the register function threw (called by the NNC_PLUGIN trampoline).
  void fail_exception(const char* what);

  const std::string& plugin_name() const noexcept { return plugin_name_; }
  bool failed() const noexcept { return !failure_.is_ok(); }
  const Status& failure() const noexcept { return failure_; }

  /// Moves the staged entries into `registry`; on a duplicate, nothing is added and the error names
  /// the component. (Host-side; plugins never call this.)
  Status commit(Registry& registry);
  /// "<kind>.<name>" of every staged component.
  std::vector<std::string> staged_names() const;

 private:
  std::string plugin_name_;
  Status failure_;
  std::vector<FrontendEntry> frontends_;
  std::vector<PassEntry> passes_;
  std::vector<JobStageEntry> calibrators_;
  std::vector<JobStageEntry> targets_;
  std::vector<JobStageEntry> writers_;
  std::vector<RuntimeEntry> runtimes_;
  std::vector<JobStageEntry> executors_;
};

}  // namespace nnc

extern "C" {

/// Register function type: adds components through the registrar; returns 0 on success. Must not
/// throw: NNC_PLUGIN wraps user code in a trampoline that turns exceptions into a failure.
typedef int (*nnc_register_fn)(nnc::PluginRegistrar* registrar) noexcept;

/// The one structure a plugin exports, through the function named NNC_PLUGIN_ENTRY_POINT.
/// Fields are only ever appended (reserved slots first); `struct_size` tells the host what exists.
struct nnc_plugin_descriptor {
  uint32_t struct_size;      ///< sizeof(nnc_plugin_descriptor) the plugin was built with
  uint16_t sdk_major;        ///< NNC_SDK_VERSION_MAJOR at build time: must equal the host's
  uint16_t sdk_minor;        ///< NNC_SDK_VERSION_MINOR at build time: must be <= the host's
  const char* abi_tag;       ///< NNC_ABI_TAG at build time: must equal the host's
  const char* name;          ///< plugin name, unique across loaded plugins (e.g. "pass_template")
  const char* version;       ///< plugin version, e.g. "1.0.0"
  nnc_register_fn register_fn;  ///< adds the plugin's components
  void* reserved[8];         ///< must be zero; room to grow without breaking the layout
};

}  // extern "C"

/// Name of the exported entry point: `const nnc_plugin_descriptor* nnc_plugin_descriptor_v1()`.
#define NNC_PLUGIN_ENTRY_POINT "nnc_plugin_descriptor_v1"

#define NNC_PLUGIN_EXPORT __attribute__((visibility("default")))

/// Declares a plugin. `REGISTER_FN` is a C++ function `nnc::Status fn(nnc::PluginRegistrar&)`;
/// exceptions it throws are caught and reported as the reason the plugin is rejected.
///   NNC_PLUGIN("pass_template", "1.0.0", register_components)
#define NNC_PLUGIN(NAME, VERSION, REGISTER_FN)                                                      \
  static int nnc_plugin_register_trampoline(nnc::PluginRegistrar* registrar) noexcept {           \
    try {                                                                                           \
      ::nnc::Status nnc_status = REGISTER_FN(*registrar);                                          \
      if (!nnc_status.is_ok()) {                                                                   \
        registrar->fail(nnc_status);                                                                \
        return 1;                                                                                   \
      }                                                                                             \
      return 0;                                                                                     \
    } catch (const std::exception& e) {                                                             \
      registrar->fail_exception(e.what());                                                          \
    } catch (...) {                                                                                 \
      registrar->fail_exception("an exception that is not a std::exception");                      \
    }                                                                                               \
    return 1;                                                                                       \
  }                                                                                                 \
  extern "C" NNC_PLUGIN_EXPORT const nnc_plugin_descriptor* nnc_plugin_descriptor_v1() noexcept {   \
    static const nnc_plugin_descriptor descriptor = {                                              \
        sizeof(nnc_plugin_descriptor), NNC_SDK_VERSION_MAJOR, NNC_SDK_VERSION_MINOR, NNC_ABI_TAG,   \
        NAME, VERSION, &nnc_plugin_register_trampoline, {}};                                        \
    return &descriptor;                                                                             \
  }
