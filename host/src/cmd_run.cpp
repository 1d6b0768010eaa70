// nnc host: `host run PIPELINE.toml`: parse, resolve, (dry-run) print the plan, run, report timings.
#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <iostream>

#include "cli.h"
#include "nnc/pipeline.h"

namespace nnc::host {
namespace po = boost::program_options;

int cmd_run(const std::vector<std::string>& args, const CommonOptions& common) {
  po::options_description opts("host run PIPELINE.toml [options]");
  opts.add_options()("help,h", "this help")("dry-run", "resolve the pipeline and print the plan without running it")(
      "verify-each", "run the IR verifier after every pass")(
      "output-dir,o", po::value<std::string>(), "write outputs here instead of the pipeline's [outputs] dir")("threads", po::value<int>(), "worker threads (0 = all cores)")(
      "input-shapes", po::value<std::vector<std::string>>()->multitoken(),
      "-is: one shape string per model, in [[models]] order (mx_nc -is): \"auto\" or channel-last dims without "
      "batch, ';' between a model's inputs; sets each model's frontend option input_shapes")(
      "pipeline", po::value<std::string>(), "pipeline file");
  po::positional_options_description pos;
  pos.add("pipeline", 1);
  po::variables_map vm;
  if (auto done = parse_command_line(args, "run", opts, pos, vm)) return *done;
  if (!vm.count("pipeline")) return usage_error("run", "missing the pipeline file: host run PIPELINE.toml");

  DiagnosticSink diag;
  diag.set_level(common.level);
  PluginManager plugins;
  load_plugins(plugins, common, diag);

  Expected<PipelineSpec> spec = parse_pipeline_file(vm["pipeline"].as<std::string>());
  if (!spec) {
    diag.error(spec.error());
    return kExitFailure;
  }
  if (vm.count("input-shapes")) {
    const auto& shapes = vm["input-shapes"].as<std::vector<std::string>>();
    if (shapes.size() != spec->models.size())
      return usage_error("run", "-is gives " + std::to_string(shapes.size()) + " shape string(s) but the pipeline has " +
                                    std::to_string(spec->models.size()) + " model(s); give one per model (\"auto\" to keep one's shapes)");
    for (size_t i = 0; i < shapes.size(); ++i) spec->models[i].frontend_options["input_shapes"] = shapes[i];
  }
  if (vm.count("verify-each")) spec->verify_each = true;
  if (vm.count("threads")) spec->threads = vm["threads"].as<int>();
  if (vm.count("output-dir")) spec->output_dir = std::filesystem::absolute(vm["output-dir"].as<std::string>());
  Expected<PipelinePlan> plan = resolve_pipeline(*spec, plugins, diag);
  if (!plan) return kExitFailure;  // every problem was already reported, one line each
  if (vm.count("dry-run")) {
    std::cout << describe_plan(*plan);
    return kExitOk;
  }

  Context ctx;
  ctx.diagnostics = &diag;
  ctx.threads = plan->spec.threads;
  ctx.verify_each = plan->spec.verify_each;
  std::vector<StepReport> reports;
  Expected<CompileJob> job = run_pipeline(*plan, plugins, ctx, &reports);
  if (diag.enabled(LogLevel::kVerbose)) {
    std::cerr << fmt::format("{:<48} {:>10} {:>14}\n", "step", "wall ms", "peak RSS MiB");
    for (const StepReport& r : reports)
      std::cerr << fmt::format("{:<48} {:>10.2f} {:>14.1f}{}\n", r.name, r.wall_ms, r.peak_rss_kb / 1024.0,
                               r.changed ? "  (changed)" : "");
  }
  if (!job) {
    diag.error(job.error());
    return kExitFailure;
  }
  for (const auto& [label, path] : job->artifacts()) std::cout << "wrote " << path.string() << "\n";
  std::cout << "pipeline done: " << job->models().size() << " model(s), " << plan->stages.size() << " stage(s)";
  if (diag.warning_count()) std::cout << ", " << diag.warning_count() << " warning(s)";
  std::cout << "\n";
  return kExitOk;
}

}  // namespace nnc::host
