// nnc tests: broken plugin: registers a fresh pass plus writer "ir-text", which the core already provides.
#include <memory>

#include "broken_plugin_parts.h"

namespace {

class NoOpJobStage final : public nnc::JobStage {
 public:
  nnc::Status run(nnc::CompileJob&, const nnc::Options&, nnc::Context&) override { return nnc::Status::ok(); }
};

nnc::Status register_components(nnc::PluginRegistrar& registrar) {
  registrar.add_pass(nnc_broken::no_op_pass_entry("broken_dup_component"));
  nnc::JobStageEntry writer;
  writer.info.name = "ir-text";  // write.ir-text: built into libnnc_core, so always registered first
  writer.info.version = "0.0.1";
  writer.info.doc = "clashes with the core's writer";
  writer.create = [] { return std::make_unique<NoOpJobStage>(); };
  registrar.add_writer(std::move(writer));
  return nnc::Status::ok();
}

}  // namespace

NNC_PLUGIN("broken_dup_component", "0.0.1", register_components)
