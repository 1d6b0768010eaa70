// nnc host: `host plugins`: search path, loaded plugins with components, rejected files with reasons.
#include <iostream>

#include "cli.h"
#include "nnc/version.h"

namespace nnc::host {

namespace {
void print_component(const Registry& reg, const std::string& qualified) {
  auto found = reg.find_qualified(qualified);
  if (!found) return;
  std::cout << "      " << qualified << " " << found->info->version << "  " << found->info->doc << "\n";
}
}  // namespace

int cmd_plugins(const std::vector<std::string>& args, const CommonOptions& common) {
  for (const auto& a : args) {
    if (a == "-h" || a == "--help") {
      std::cout << "host plugins [--plugin-dir DIR]...: lists loaded plugins and rejected plugin files\n";
      return kExitOk;
    }
    return usage_error("plugins", "unexpected argument '" + a + "'");
  }
  DiagnosticSink diag;
  diag.set_level(common.level);
  PluginManager plugins;
  load_plugins(plugins, common, diag);

  std::cout << "nnc host " << product_version() << ", plugin SDK " << NNC_SDK_VERSION_MAJOR << "." << NNC_SDK_VERSION_MINOR
            << ", ABI " << NNC_ABI_TAG << "\n";
  std::cout << "plugin search path (in order):\n";
  for (const auto& dir : plugins.searched_dirs()) std::cout << "  " << dir.string() << "\n";
  int loaded = 0, rejected = 0;
  std::cout << "loaded plugins:\n";
  for (const PluginRecord& rec : plugins.records()) {
    if (!rec.loaded) continue;
    ++loaded;
    std::cout << "  " << rec.name << " " << rec.version << "  (SDK " << rec.sdk_major << "." << rec.sdk_minor << ")  "
              << rec.path.string() << "\n";
    for (const auto& c : rec.components) print_component(plugins.registry(), c);
  }
  for (const PluginRecord& rec : plugins.records()) {
    if (rec.loaded) continue;
    if (rejected++ == 0) std::cout << "rejected plugin files:\n";
    std::cout << "  " << rec.path.string() << ": " << rec.reason << "\n";
  }
  std::cout << loaded << " plugin(s) loaded, " << rejected << " rejected\n";
  return kExitOk;
}

}  // namespace nnc::host
