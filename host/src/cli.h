// nnc host: shared command-line plumbing: verbosity, plugin loading, error printing, subcommands.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "nnc/diagnostics.h"
#include "nnc/plugin_manager.h"

namespace nnc::host {

/// Options every subcommand accepts.
struct CommonOptions {
  std::vector<std::filesystem::path> plugin_dirs;  ///< --plugin-dir, in order
  LogLevel level = LogLevel::kNormal;              ///< -v / -vv / -q
};

/// Exit codes: 0 success, 1 failure, 2 command-line usage error.
enum ExitCode { kExitOk = 0, kExitFailure = 1, kExitUsage = 2 };

/// Loads plugins from the search path built from `common`.
void load_plugins(PluginManager& plugins, const CommonOptions& common, DiagnosticSink& diag);

/// Prints a usage error for `command` on stderr and returns kExitUsage.
int usage_error(const std::string& command, const std::string& message);

int cmd_run(const std::vector<std::string>& args, const CommonOptions& common);
int cmd_plugins(const std::vector<std::string>& args, const CommonOptions& common);
int cmd_explain(const std::vector<std::string>& args, const CommonOptions& common);
int cmd_inspect(const std::vector<std::string>& args, const CommonOptions& common);

}  // namespace nnc::host
