// nnc host: shared command-line plumbing: verbosity, plugin loading, error printing, subcommands.
#pragma once

#include <boost/program_options.hpp>

#include <filesystem>
#include <optional>
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

/// Adds the model-loading flags shared by inspect and exec: MODEL (positional "model"), --frontend,
/// --weights, --input-shape NAME=1,3,224,224.
void add_model_options(boost::program_options::options_description& opts);

/// Loads the model named by those flags: plugins from `common`, frontend by name or extension,
/// frontend options at their defaults. `frontend_used` receives the frontend's name.
Expected<Graph> load_model_from_cli(const boost::program_options::variables_map& vm, const CommonOptions& common,
                                    PluginManager& plugins, DiagnosticSink& diag, std::string* frontend_used);

/// Parses a subcommand's flags (with optional positional names). Returns an exit code when the
/// command is done (--help printed: kExitOk; bad flags: kExitUsage), nullopt to go on.
std::optional<int> parse_command_line(const std::vector<std::string>& args, const std::string& command,
                                      const boost::program_options::options_description& opts,
                                      const boost::program_options::positional_options_description& positional,
                                      boost::program_options::variables_map& vm);

/// Prints a usage error for `command` on stderr and returns kExitUsage.
int usage_error(const std::string& command, const std::string& message);

int cmd_run(const std::vector<std::string>& args, const CommonOptions& common);
int cmd_plugins(const std::vector<std::string>& args, const CommonOptions& common);
int cmd_explain(const std::vector<std::string>& args, const CommonOptions& common);
int cmd_inspect(const std::vector<std::string>& args, const CommonOptions& common);
int cmd_exec(const std::vector<std::string>& args, const CommonOptions& common);

}  // namespace nnc::host
