// nnc host: `host exec MODEL -i NAME=x.npy -o DIR`: runs any loadable model with the reference executor.
#include <chrono>
#include <iostream>
#include <set>

#include "cli.h"
#include "nnc/executor.h"
#include "nnc/npy.h"
#include "nnc/suggest.h"

namespace nnc::host {
namespace po = boost::program_options;

namespace {

/// Parses the -i flags into tensors; "file.npy" alone is allowed when the model has one input.
Expected<std::map<std::string, Tensor>> read_inputs(const std::vector<std::string>& specs, const Graph& g) {
  std::map<std::string, Tensor> inputs;
  std::vector<std::string> names;
  for (const Value* v : g.inputs()) names.push_back(v->name());
  for (const std::string& spec : specs) {
    std::string name, path;
    auto eq = spec.find('=');
    if (eq == std::string::npos) {
      if (names.size() != 1)
        return make_error(ErrorCode::kInvalidArgument, "-i " + spec + " does not name the input", {},
                          "write -i NAME=file.npy; the model's inputs are " + quoted_list(names));
      name = names[0];
      path = spec;
    } else {
      name = spec.substr(0, eq);
      path = spec.substr(eq + 1);
    }
    if (std::find(names.begin(), names.end(), name) == names.end())
      return make_error(ErrorCode::kInvalidArgument, "the model has no input named '" + name + "'" + did_you_mean(name, names),
                        {}, "the model's inputs are " + quoted_list(names));
    if (inputs.count(name)) return make_error(ErrorCode::kInvalidArgument, "input '" + name + "' is given twice");
    NNC_ASSIGN_OR_RETURN(Tensor t, read_npy(path));
    inputs.emplace(name, std::move(t));
  }
  return inputs;
}

}  // namespace

int cmd_exec(const std::vector<std::string>& args, const CommonOptions& common) {
  po::options_description opts("host exec MODEL -i NAME=file.npy [-i ...] -o DIR [options]");
  add_model_options(opts);
  opts.add_options()("input,i", po::value<std::vector<std::string>>(), "an input: NAME=file.npy (repeatable)")(
      "output-dir,o", po::value<std::string>(), "directory for <output name>.npy files")(
      "threads", po::value<int>()->default_value(0), "worker threads (0 = all cores)");
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (auto done = parse_command_line(args, "exec", opts, pos, vm)) return *done;
  if (!vm.count("model")) return usage_error("exec", "missing the model file: host exec MODEL -i NAME=x.npy -o DIR");
  if (!vm.count("output-dir")) return usage_error("exec", "missing -o DIR (where the outputs are written)");
  if (vm["threads"].as<int>() < 0) return usage_error("exec", "--threads must be >= 0");

  DiagnosticSink diag;
  diag.set_level(common.level);
  PluginManager plugins;
  Expected<Graph> g = load_model_from_cli(vm, common, plugins, diag, nullptr);
  if (!g) {
    diag.error(g.error());
    return kExitFailure;
  }
  std::vector<std::string> specs = vm.count("input") ? vm["input"].as<std::vector<std::string>>() : std::vector<std::string>{};
  Expected<std::map<std::string, Tensor>> inputs = read_inputs(specs, *g);
  if (!inputs) {
    diag.error(inputs.error());
    return kExitFailure;
  }
  auto executor = ReferenceExecutor::create(*g, ExecutorOptions{vm["threads"].as<int>()});
  if (!executor) {
    diag.error(executor.error().with_location(Location{vm["model"].as<std::string>()}));
    return kExitFailure;
  }
  auto start = std::chrono::steady_clock::now();
  Expected<std::map<std::string, Tensor>> outputs = (*executor)->run(*inputs);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!outputs) {
    diag.error(outputs.error().with_location(Location{vm["model"].as<std::string>()}));
    return kExitFailure;
  }
  diag.log(LogLevel::kVerbose, "inference took " + std::to_string(ms) + " ms on " + std::to_string((*executor)->threads()) + " thread(s)");
  std::filesystem::path dir = vm["output-dir"].as<std::string>();
  std::set<std::string> taken;
  for (const Value* v : g->outputs()) {
    std::filesystem::path file = dir / (sanitized_file_stem(v->name(), taken) + ".npy");
    if (Status s = write_npy(file, outputs->at(v->name())); !s.is_ok()) {
      diag.error(s);
      return kExitFailure;
    }
    std::cout << "output '" << v->name() << "' " << outputs->at(v->name()).description() << " -> " << file.string() << "\n";
  }
  return kExitOk;
}

}  // namespace nnc::host
