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

std::optional<int> parse_command_line(const std::vector<std::string>& args, const std::string& command,
                                      const boost::program_options::options_description& opts,
                                      const boost::program_options::positional_options_description& positional,
                                      boost::program_options::variables_map& vm) {
  namespace po = boost::program_options;
  // mx_nc spells the input-shape flag "-is"; boost only knows one-letter short options.
  std::vector<std::string> normalized = args;
  if (opts.find_nothrow("input-shapes", false))
    for (std::string& a : normalized)
      if (a == "-is") a = "--input-shapes";
  try {
    po::store(po::command_line_parser(normalized).options(opts).positional(positional).run(), vm);
  } catch (const po::error& e) {
    return usage_error(command, e.what());
  }
  if (vm.count("help")) {
    std::cout << opts;
    return kExitOk;
  }
  return std::nullopt;
}

int usage_error(const std::string& command, const std::string& message) {
  std::cerr << command << ": error: " << message << " (see `host " << (command == "host" ? "" : command + " ")
            << "--help`)\n";
  return kExitUsage;
}

}  // namespace nnc::host
