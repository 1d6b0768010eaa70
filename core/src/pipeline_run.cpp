// nnc core: runs a resolved pipeline: load models, run pass and job stages, write final IR dumps.
#include <chrono>
#include <exception>

#include "nnc/dump.h"
#include "nnc/npy.h"
#include "nnc/pipeline.h"
#include "nnc/verifier.h"

namespace nnc {
namespace fs = std::filesystem;

namespace {

template <typename Fn>
auto guarded(const std::string& what, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kPluginError, what + " threw an exception: " + e.what(), {},
                      "this is a bug in the plugin; please report it with the model");
  } catch (...) {
    return make_error(ErrorCode::kPluginError, what + " threw a non-standard exception");
  }
}

/// A job stage's error whose location names one of its options (object = option name, no file) is
/// placed at that option's TOML line; any other error at `where` (the stage's plugin line).
Status at_option_or(const Status& s, const std::map<std::string, Location>& option_locations, const Location& where) {
  auto it = s.location().file.empty() ? option_locations.find(s.location().object) : option_locations.end();
  if (it == option_locations.end()) return s.with_location(where);
  Location loc = it->second;
  loc.object = where.object;
  return Status(s.code(), s.message(), loc, s.hint());
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

Expected<Graph> load_model(const ModelSource& source, const std::string& frontend, const Options& options,
                           const PluginManager& plugins, Context& ctx, std::string* frontend_used) {
  const Registry& reg = plugins.registry();
  const FrontendEntry* fe = frontend.empty() ? reg.frontend_for_path(source.path.string()) : reg.frontends.find(frontend);
  if (!fe) {
    if (!frontend.empty()) return plugins.unavailable_component_error("frontend." + frontend);
    return make_error(ErrorCode::kUnsupported,
                      "no frontend reads '" + source.path.extension().string() + "' files", Location{source.path.string()},
                      "`host plugins` lists the loaded frontends and any rejected ones");
  }
  if (frontend_used) *frontend_used = fe->info.name;
  std::string what = "frontend '" + fe->info.name + "'";
  Expected<Graph> g = guarded(what, [&]() -> Expected<Graph> {
    std::unique_ptr<Frontend> f = fe->create();
    if (!f) return make_error(ErrorCode::kPluginError, what + " factory returned null");
    return f->load(source, options, ctx);
  });
  if (!g) return g.error().with_location(Location{source.path.string()});
  if (Status v = verify_graph(*g); !v.is_ok())
    return v.with_context("model '" + source.path.string() + "' as imported").with_hint("the model file is malformed, or the frontend has a bug");
  return g;
}

Expected<CompileJob> run_pipeline(const PipelinePlan& plan, const PluginManager& plugins, Context& ctx,
                                  std::vector<StepReport>* reports) {
  CompileJob job;
  job.set_shared_input_stream(plan.spec.shared_input_stream);
  job.set_output_dir(plan.spec.output_dir);
  std::error_code ec;
  fs::create_directories(plan.spec.output_dir, ec);
  if (ec) {
    return make_error(ErrorCode::kIoError, "cannot create output directory '" + plan.spec.output_dir.string() + "': " + ec.message(),
                      Location{plan.spec.file.string()}, "set [outputs] dir to a writable directory");
  }
  ctx.output_dir = plan.spec.output_dir;
  ctx.base_dir = plan.spec.base_dir;

  for (size_t i = 0; i < plan.spec.models.size(); ++i) {
    const PipelineModelSpec& m = plan.spec.models[i];
    ModelSource src{m.path, m.extra_paths, m.input_shapes};
    auto t0 = std::chrono::steady_clock::now();
    Expected<Graph> g = load_model(src, plan.model_frontends[i], plan.model_frontend_options[i], plugins, ctx);
    if (!g) return g.error().with_location(m.location);
    Model& model = job.add_model(src, plan.model_frontends[i], std::move(*g));
    if (reports) reports->push_back(StepReport{"frontend." + model.frontend + " loads " + model.id, ms_since(t0), peak_rss_kb(), false});
    ctx.diag().log(LogLevel::kDebug, model.id + " after import:\n" + dump_text(model.graph));
  }

  for (size_t i = 0; i < plan.stages.size(); ++i) {
    const ResolvedStage& stage = plan.stages[i];
    Location where = stage.spec.location;
    where.object = "stage " + std::to_string(i + 1) + " '" + stage.spec.plugin + "'";
    const Registry& reg = plugins.registry();
    if (stage.kind == ComponentKind::kPass) {
      const PassEntry* entry = reg.passes.find(stage.info->name);
      for (size_t mi = 0; mi < job.models().size(); ++mi) {
        const auto& sel = stage.spec.model_indices;
        if (!sel.empty() && std::find(sel.begin(), sel.end(), static_cast<int64_t>(mi)) == sel.end()) continue;
        Model& model = job.models()[mi];
        std::unique_ptr<Pass> pass = entry->create();
        if (!pass) return make_error(ErrorCode::kPluginError, stage.spec.plugin + " factory returned null", where);
        PassManager pm;
        pm.add(stage.spec.plugin, std::move(pass), stage.options);
        if (Status s = pm.run(model.graph, ctx, reports, model.id); !s.is_ok()) return s.with_location(where);
        ctx.diag().log(LogLevel::kDebug, model.id + " after " + stage.spec.plugin + ":\n" + dump_text(model.graph));
      }
      continue;
    }
    const JobStageEntry* entry = stage.kind == ComponentKind::kCalibrator ? reg.calibrators.find(stage.info->name)
                                 : stage.kind == ComponentKind::kTarget   ? reg.targets.find(stage.info->name)
                                 : stage.kind == ComponentKind::kExec     ? reg.executors.find(stage.info->name)
                                                                          : reg.writers.find(stage.info->name);
    auto t0 = std::chrono::steady_clock::now();
    Status s = guarded(stage.spec.plugin, [&]() -> Status {
      std::unique_ptr<JobStage> js = entry->create();
      if (!js) return make_error(ErrorCode::kPluginError, stage.spec.plugin + " factory returned null");
      return js->run(job, stage.options, ctx);
    });
    if (!s.is_ok()) return at_option_or(s, stage.spec.option_locations, where);
    if (reports) reports->push_back(StepReport{stage.spec.plugin, ms_since(t0), peak_rss_kb(), false});
    if (ctx.verify_each) {
      for (const Model& model : job.models())
        if (Status v = verify_graph(model.graph); !v.is_ok()) return v.with_context("after " + stage.spec.plugin).with_location(where);
    }
  }

  for (const Model& model : job.models()) {
    for (const std::string& format : plan.spec.ir_dumps) {
      fs::path out = plan.spec.output_dir / (model.id + (format == "text" ? ".ir.txt" : ".ir.json"));
      NNC_RETURN_IF_ERROR(write_file_atomically(out, format == "text" ? dump_text(model.graph) : dump_json(model.graph)));
      job.add_artifact(model.id + ".ir." + format, out);
    }
  }
  return job;
}

}  // namespace nnc
