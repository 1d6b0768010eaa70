// nnc SDK: the plugin loader: search path, version/ABI rules, resident libraries, load records.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nnc/registry.h"
#include "nnc/status.h"

namespace nnc {

/// Outcome of considering one plugin file.
struct PluginRecord {
  std::filesystem::path path;
  bool loaded = false;
  std::string name;         ///< descriptor name (empty when unreadable)
  std::string version;      ///< descriptor version
  int sdk_major = -1;       ///< from the descriptor, -1 when unreadable
  int sdk_minor = -1;
  std::string reason;       ///< why it was rejected (empty when loaded)
  std::vector<std::string> components;  ///< "<kind>.<name>" it registered
  /// "<kind>.<name>" guessed from the file name libnnc_<kind>_<name>.so, for error messages.
  std::string file_component;
};

/// Loads plugins and owns the registries. Loaded libraries stay resident for the life of the process
/// (never unloaded, even after the PluginManager is destroyed), so objects created by plugin code
/// can safely outlive it.
class PluginManager {
 public:
  /// Creates the registries and registers the core's built-in components (writers...).
  PluginManager();
  ~PluginManager();
  PluginManager(const PluginManager&) = delete;
  PluginManager& operator=(const PluginManager&) = delete;

  Registry& registry() noexcept;
  const Registry& registry() const noexcept;

  /// The search path: `cli_dirs` (--plugin-dir), then $NNC_PLUGIN_PATH (':'-separated), then the
  /// install's default plugin directory (<prefix>/lib/nnc/plugins next to the running executable).
  static std::vector<std::filesystem::path> search_path(const std::vector<std::filesystem::path>& cli_dirs);
  /// The default plugin directory of this installation/build tree.
  static std::filesystem::path default_plugin_dir();

  /// Considers every libnnc_<kind>_<name>.so in `dirs` (in order; non-existent dirs are skipped);
  /// each file gets a record, loaded or rejected. Never fails: rejections are data.
  void load_from(const std::vector<std::filesystem::path>& dirs);
  /// Considers one file; returns OK or the rejection reason (also recorded).
  Status load_file(const std::filesystem::path& path);

  const std::vector<PluginRecord>& records() const noexcept;
  /// The rejected plugin that would have provided "<kind>.<name>", if any.
  const PluginRecord* rejected_provider_of(const std::string& qualified_name) const;
  /// Builds the error for a pipeline naming an unavailable component: the rejection reason when a
  /// rejected plugin would provide it, else "unknown" with close matches and where nnc looked.
  Status unavailable_component_error(const std::string& qualified_name) const;
  /// Directories searched by the last load_from().
  const std::vector<std::filesystem::path>& searched_dirs() const noexcept;

  /// True when `filename` follows libnnc_<kind>_<name>.so with a known kind.
  static bool is_plugin_file_name(const std::string& filename);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nnc
