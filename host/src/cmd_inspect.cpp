// nnc host: `host inspect MODEL`: inputs, outputs, op histogram and parameter count of any loadable model.
#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "cli.h"
#include "nnc/dump.h"
#include "nnc/graph_algorithms.h"

namespace nnc::host {
namespace po = boost::program_options;

namespace {

std::string value_line(const Value* v) {
  return fmt::format("  {:<32} {:<6} {}", v->name(), dtype_name(v->dtype()), v->shape().str());
}

}  // namespace

int cmd_inspect(const std::vector<std::string>& args, const CommonOptions& common) {
  po::options_description opts("host inspect MODEL [options]");
  add_model_options(opts);
  opts.add_options()("json", "print the whole IR as JSON instead of the summary")(
      "text", "print the whole IR as text after the summary");
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (auto done = parse_command_line(args, "inspect", opts, pos, vm)) return *done;
  if (!vm.count("model")) return usage_error("inspect", "missing the model file: host inspect MODEL");

  DiagnosticSink diag;
  diag.set_level(common.level);
  PluginManager plugins;
  std::string used;
  Expected<Graph> g = load_model_from_cli(vm, common, plugins, diag, &used);
  if (!g) {
    diag.error(g.error());
    return kExitFailure;
  }
  const std::string model_path = vm["model"].as<std::string>();
  if (vm.count("json")) {
    std::cout << dump_json(*g) << "\n";
    return kExitOk;
  }
  std::cout << "model: " << model_path << "  (frontend." << used << ")\n";
  std::cout << "graph: " << g->name() << "\n";
  if (!g->opsets().empty()) {
    std::cout << "opsets:";
    for (const auto& [domain, version] : g->opsets()) std::cout << " " << (domain.empty() ? "ai.onnx" : domain) << "=" << version;
    std::cout << "\n";
  }
  std::cout << "inputs (" << g->inputs().size() << "):\n";
  for (const Value* v : g->inputs()) std::cout << value_line(v) << "\n";
  std::cout << "outputs (" << g->outputs().size() << "):\n";
  for (const Value* v : g->outputs()) std::cout << value_line(v) << "\n";
  auto hist = op_histogram(*g);
  std::vector<std::pair<std::string, int>> sorted(hist.begin(), hist.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::cout << "ops (" << g->node_count() << " nodes, " << hist.size() << " types):\n";
  for (const auto& [op, count] : sorted) std::cout << fmt::format("  {:<32} {:>6}\n", op, count);
  int64_t bytes = 0;
  for (const Value* v : g->values())
    if (v->constant()) bytes += static_cast<int64_t>(v->constant()->storage_bytes());
  std::cout << "parameters: " << g->parameter_count() << " (" << fmt::format("{:.2f}", bytes / 1048576.0) << " MiB in constants)\n";
  if (vm.count("text")) std::cout << "\n" << dump_text(*g);
  return kExitOk;
}

}  // namespace nnc::host
