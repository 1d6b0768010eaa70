// nnc host: `host inspect MODEL`: inputs, outputs, op histogram and parameter count of any loadable model.
#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "cli.h"
#include "nnc/dump.h"
#include "nnc/graph_algorithms.h"
#include "nnc/pipeline.h"

namespace nnc::host {
namespace po = boost::program_options;

namespace {

/// Parses "name=1,3,224,224" into an input-shape override.
bool parse_shape_override(const std::string& text, ModelSource& src) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  std::vector<int64_t> dims;
  std::string rest = text.substr(eq + 1);
  size_t start = 0;
  while (start < rest.size()) {
    size_t end = rest.find_first_of(",x", start);
    if (end == std::string::npos) end = rest.size();
    try {
      size_t used = 0;
      long long d = std::stoll(rest.substr(start, end - start), &used);
      if (used != end - start || d <= 0) return false;
      dims.push_back(d);
    } catch (const std::exception&) {
      return false;
    }
    start = end + 1;
  }
  if (dims.empty()) return false;
  src.input_shapes[text.substr(0, eq)] = dims;
  return true;
}

std::string value_line(const Value* v) {
  return fmt::format("  {:<32} {:<6} {}", v->name(), dtype_name(v->dtype()), v->shape().str());
}

}  // namespace

int cmd_inspect(const std::vector<std::string>& args, const CommonOptions& common) {
  po::options_description opts("host inspect MODEL [options]");
  opts.add_options()("help,h", "this help")("frontend", po::value<std::string>(), "frontend name (default: by file extension)")(
      "weights", po::value<std::vector<std::string>>(), "companion weights file (repeatable)")(
      "input-shape", po::value<std::vector<std::string>>(), "override an input shape: NAME=1,3,224,224 (repeatable)")(
      "json", "print the whole IR as JSON instead of the summary")("text", "print the whole IR as text after the summary")(
      "model", po::value<std::string>(), "model file");
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
  } catch (const po::error& e) {
    return usage_error("inspect", e.what());
  }
  if (vm.count("help")) {
    std::cout << opts;
    return kExitOk;
  }
  if (!vm.count("model")) return usage_error("inspect", "missing the model file: host inspect MODEL");

  ModelSource src;
  src.path = vm["model"].as<std::string>();
  if (vm.count("weights"))
    for (const auto& w : vm["weights"].as<std::vector<std::string>>()) src.extra_paths.emplace_back(w);
  if (vm.count("input-shape"))
    for (const auto& s : vm["input-shape"].as<std::vector<std::string>>())
      if (!parse_shape_override(s, src)) return usage_error("inspect", "bad --input-shape '" + s + "'; expected NAME=1,3,224,224");
  std::error_code ec;
  if (!std::filesystem::exists(src.path, ec)) {
    std::cerr << src.path.string() << ": error: model file not found (fix: check the path)\n";
    return kExitFailure;
  }

  DiagnosticSink diag;
  diag.set_level(common.level);
  PluginManager plugins;
  load_plugins(plugins, common, diag);
  std::string frontend = vm.count("frontend") ? vm["frontend"].as<std::string>() : "";
  const FrontendEntry* fe = frontend.empty() ? plugins.registry().frontend_for_path(src.path.string())
                                             : plugins.registry().frontends.find(frontend);
  Options options;
  if (fe) {
    auto v = validate_options(fe->info.options, {}, "frontend '" + fe->info.name + "'");
    if (v) options = *v;
  }
  Context ctx;
  ctx.diagnostics = &diag;
  ctx.base_dir = std::filesystem::current_path(ec);
  std::string used;
  Expected<Graph> g = load_model(src, frontend, options, plugins, ctx, &used);
  if (!g) {
    diag.error(g.error());
    return kExitFailure;
  }
  if (vm.count("json")) {
    std::cout << dump_json(*g) << "\n";
    return kExitOk;
  }
  std::cout << "model: " << src.path.string() << "  (frontend." << used << ")\n";
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
