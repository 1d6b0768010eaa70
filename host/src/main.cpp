// nnc host: entry point: global flags (-v, -vv, -q, --plugin-dir, --version) and subcommand dispatch.
#include <exception>
#include <iostream>
#include <map>

#include "cli.h"
#include "nnc/version.h"

namespace {

const char* kUsage =
    "usage: host <command> [options]\n"
    "\n"
    "commands:\n"
    "  run PIPELINE.toml   run a compile pipeline (--dry-run prints the resolved plan)\n"
    "  plugins             list loaded plugins, their components, and rejected plugin files\n"
    "  explain NAME        document a component (e.g. pass.remove_identity) and its options\n"
    "  inspect MODEL       print a model's inputs, outputs, op histogram and parameter count\n"
    "  exec MODEL -i NAME=x.npy -o DIR   run a model with the fp32 reference executor\n"
    "\n"
    "global options:\n"
    "  --plugin-dir DIR    also search DIR for plugins (repeatable; before $NNC_PLUGIN_PATH and the default dir)\n"
    "  -v, -vv, -q         more output (stage timings / debug dumps), or errors only\n"
    "  --version           print versions\n"
    "  -h, --help          this help; `host <command> --help` for a command's options\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace nnc::host;
  try {
    CommonOptions common;
    std::vector<std::string> rest;
    std::string command;
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      if (a == "-v" || a == "--verbose") common.level = nnc::LogLevel::kVerbose;
      else if (a == "-vv") common.level = nnc::LogLevel::kDebug;
      else if (a == "-q" || a == "--quiet") common.level = nnc::LogLevel::kQuiet;
      else if (a == "--plugin-dir" || a.rfind("--plugin-dir=", 0) == 0) {
        if (a == "--plugin-dir") {
          if (i + 1 >= argc) return usage_error(command.empty() ? "host" : command, "--plugin-dir needs a directory");
          common.plugin_dirs.emplace_back(argv[++i]);
        } else {
          common.plugin_dirs.emplace_back(a.substr(std::string("--plugin-dir=").size()));
        }
      } else if (command.empty() && (a == "--version" || a == "version")) {
        std::cout << "nnc host " << nnc::product_version() << " (plugin SDK " << NNC_SDK_VERSION_MAJOR << "."
                  << NNC_SDK_VERSION_MINOR << ", ABI " << NNC_ABI_TAG << ")\n";
        return kExitOk;
      } else if (command.empty() && (a == "-h" || a == "--help" || a == "help")) {
        std::cout << kUsage;
        return kExitOk;
      } else if (command.empty() && !a.empty() && a[0] != '-') {
        command = a;
      } else {
        rest.push_back(a);
      }
    }
    if (command.empty()) {
      std::cerr << kUsage;
      return kExitUsage;
    }
    static const std::map<std::string, int (*)(const std::vector<std::string>&, const CommonOptions&)> commands = {
        {"run", &cmd_run},         {"plugins", &cmd_plugins}, {"explain", &cmd_explain},
        {"inspect", &cmd_inspect}, {"exec", &cmd_exec}};
    auto it = commands.find(command);
    if (it == commands.end()) return usage_error("host", "unknown command '" + command + "' (commands: run, plugins, explain, inspect, exec)");
    return it->second(rest, common);
  } catch (const std::exception& e) {
    std::cerr << "host: internal error: " << e.what() << " (please report this with the command line)\n";
    return kExitFailure;
  }
}
