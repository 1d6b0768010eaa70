// nnc core: PluginRegistrar: stages a plugin's components and commits them all-or-nothing.
#include "nnc/plugin.h"

namespace nnc {

void PluginRegistrar::add_frontend(FrontendEntry e) {
  e.plugin = plugin_name_;
  frontends_.push_back(std::move(e));
}
void PluginRegistrar::add_pass(PassEntry e) {
  e.plugin = plugin_name_;
  passes_.push_back(std::move(e));
}
void PluginRegistrar::add_calibrator(JobStageEntry e) {
  e.plugin = plugin_name_;
  calibrators_.push_back(std::move(e));
}
void PluginRegistrar::add_target(JobStageEntry e) {
  e.plugin = plugin_name_;
  targets_.push_back(std::move(e));
}
void PluginRegistrar::add_writer(JobStageEntry e) {
  e.plugin = plugin_name_;
  writers_.push_back(std::move(e));
}
void PluginRegistrar::add_runtime(RuntimeEntry e) {
  e.plugin = plugin_name_;
  runtimes_.push_back(std::move(e));
}
void PluginRegistrar::add_executor(JobStageEntry e) {
  e.plugin = plugin_name_;
  executors_.push_back(std::move(e));
}

void PluginRegistrar::fail(const Status& reason) {
  if (failure_.is_ok()) failure_ = reason.is_ok() ? make_error(ErrorCode::kPluginError, "registration failed") : reason;
}

void PluginRegistrar::fail_exception(const char* what) {
  fail(make_error(ErrorCode::kPluginError,
                  std::string("register function threw an exception: ") + (what ? what : "(no message)")));
}

namespace {
template <typename Entry>
void append_names(const std::vector<Entry>& entries, ComponentKind kind, std::vector<std::string>& out) {
  for (const auto& e : entries) out.push_back(std::string(component_kind_prefix(kind)) + "." + e.info.name);
}

template <typename Entry>
Status check_insertable(const std::vector<Entry>& entries, const ComponentRegistry<Entry>& reg, ComponentKind kind) {
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    std::string qualified = std::string(component_kind_prefix(kind)) + "." + e.info.name;
    NNC_RETURN_IF_ERROR(check_component_name(e.info.name).with_context("component '" + qualified + "'"));
    if (!e.create) {
      return make_error(ErrorCode::kPluginError, "component '" + qualified + "' has no factory function");
    }
    if (const auto* existing = reg.find(e.info.name)) {
      return make_error(ErrorCode::kInvalidArgument, "duplicate component name '" + qualified +
                                                         "': already registered by plugin '" + existing->plugin + "'");
    }
    for (size_t j = 0; j < i; ++j)
      if (entries[j].info.name == e.info.name)
        return make_error(ErrorCode::kInvalidArgument, "duplicate component name '" + qualified + "' within the plugin");
  }
  return Status::ok();
}

template <typename Entry>
void insert_all(std::vector<Entry>& entries, ComponentRegistry<Entry>& reg) {
  for (auto& e : entries) (void)reg.add(std::move(e));
  entries.clear();
}
}  // namespace

std::vector<std::string> PluginRegistrar::staged_names() const {
  std::vector<std::string> out;
  append_names(frontends_, ComponentKind::kFrontend, out);
  append_names(passes_, ComponentKind::kPass, out);
  append_names(calibrators_, ComponentKind::kCalibrator, out);
  append_names(targets_, ComponentKind::kTarget, out);
  append_names(writers_, ComponentKind::kWriter, out);
  append_names(runtimes_, ComponentKind::kRuntime, out);
  append_names(executors_, ComponentKind::kExec, out);
  return out;
}

Status PluginRegistrar::commit(Registry& registry) {
  if (failed()) return failure_;
  NNC_RETURN_IF_ERROR(check_insertable(frontends_, registry.frontends, ComponentKind::kFrontend));
  NNC_RETURN_IF_ERROR(check_insertable(passes_, registry.passes, ComponentKind::kPass));
  NNC_RETURN_IF_ERROR(check_insertable(calibrators_, registry.calibrators, ComponentKind::kCalibrator));
  NNC_RETURN_IF_ERROR(check_insertable(targets_, registry.targets, ComponentKind::kTarget));
  NNC_RETURN_IF_ERROR(check_insertable(writers_, registry.writers, ComponentKind::kWriter));
  NNC_RETURN_IF_ERROR(check_insertable(runtimes_, registry.runtimes, ComponentKind::kRuntime));
  NNC_RETURN_IF_ERROR(check_insertable(executors_, registry.executors, ComponentKind::kExec));
  insert_all(frontends_, registry.frontends);
  insert_all(passes_, registry.passes);
  insert_all(calibrators_, registry.calibrators);
  insert_all(targets_, registry.targets);
  insert_all(writers_, registry.writers);
  insert_all(runtimes_, registry.runtimes);
  insert_all(executors_, registry.executors);
  return Status::ok();
}

}  // namespace nnc
