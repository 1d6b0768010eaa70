// nnc host: plugin loading and usage errors shared by subcommands.
#include <iostream>

#include "cli.h"

namespace nnc::host {

void load_plugins(PluginManager& plugins, const CommonOptions& common, DiagnosticSink& diag) {
  plugins.load_from(PluginManager::search_path(common.plugin_dirs));
  for (const PluginRecord& rec : plugins.records()) {
    if (rec.loaded) diag.log(LogLevel::kDebug, "loaded plugin " + rec.name + " " + rec.version + " from " + rec.path.string());
    else diag.log(LogLevel::kVerbose, "rejected plugin file " + rec.path.string() + ": " + rec.reason);
  }
}

int usage_error(const std::string& command, const std::string& message) {
  std::cerr << command << ": error: " << message << " (see `host " << (command == "host" ? "" : command + " ")
            << "--help`)\n";
  return kExitUsage;
}

}  // namespace nnc::host
