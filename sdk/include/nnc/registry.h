// nnc SDK: typed registries of components (frontends, passes, calibrators, targets, writers, runtimes).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nnc/components.h"

namespace nnc {

/// Components of one kind, by name. Duplicate names are refused.
template <typename Entry>
class ComponentRegistry {
 public:
  /// Adds an entry; fails when the name is taken (naming the plugin that holds it) or invalid.
  Status add(Entry entry);
  const Entry* find(const std::string& name) const {
    auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, entry] : entries_) out.push_back(name);
    return out;
  }
  const std::map<std::string, Entry>& entries() const noexcept { return entries_; }
  size_t size() const noexcept { return entries_.size(); }

 private:
  std::map<std::string, Entry> entries_;
};

/// Checks a component name: non-empty, [a-z0-9_-] only. Returns an error naming it otherwise.
Status check_component_name(const std::string& name);

/// All registries of a process. The host owns one (inside PluginManager); plugins add to it
/// through a PluginRegistrar.
class Registry {
 public:
  ComponentRegistry<FrontendEntry> frontends;
  ComponentRegistry<PassEntry> passes;
  ComponentRegistry<JobStageEntry> calibrators;
  ComponentRegistry<JobStageEntry> targets;
  ComponentRegistry<JobStageEntry> writers;
  ComponentRegistry<RuntimeEntry> runtimes;
  ComponentRegistry<JobStageEntry> executors;  ///< "exec.<name>": stages that run the current graph

  /// Looks up "<kind>.<name>"; returns the kind and info, or nullopt.
  struct Found {
    ComponentKind kind;
    const ComponentInfo* info;
    std::string plugin;
  };
  std::optional<Found> find_qualified(const std::string& qualified_name) const;
  /// Every "<kind>.<name>" registered, sorted.
  std::vector<std::string> qualified_names() const;
  /// Frontend registered for a file extension (lowercase, with dot), or nullptr.
  const FrontendEntry* frontend_for_extension(const std::string& extension) const;
  /// Frontend for a model path: by extension; ".prototxt"-style multi-file formats included.
  const FrontendEntry* frontend_for_path(const std::string& path) const;
};

template <typename Entry>
Status ComponentRegistry<Entry>::add(Entry entry) {
  NNC_RETURN_IF_ERROR(check_component_name(entry.info.name));
  auto it = entries_.find(entry.info.name);
  if (it != entries_.end()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "duplicate component name '" + entry.info.name + "' (already registered by plugin '" +
                          it->second.plugin + "')",
                      {}, "rename the component or remove one of the plugins from the search path");
  }
  std::string name = entry.info.name;
  entries_.emplace(std::move(name), std::move(entry));
  return Status::ok();
}

}  // namespace nnc
