// nnc core: resolves a parsed pipeline against the registries and validates every option.
#include <sstream>

#include "nnc/pipeline.h"
#include "nnc/suggest.h"

namespace nnc {
namespace fs = std::filesystem;

namespace {

/// Re-anchors an option-validation error at the offending key's position.
Status locate_option_error(const Status& s, const std::map<std::string, Location>& option_locations,
                           const Location& fallback, const std::string& object) {
  Location loc = fallback;
  auto it = option_locations.find(s.location().object);
  if (it != option_locations.end()) loc = it->second;
  loc.object = object;
  return Status(s.code(), s.message(), loc, s.hint());
}

/// Resolves and checks kInputPath options relative to the pipeline directory.
Status resolve_input_paths(const std::vector<OptionSpec>& schema, Options& options, const fs::path& base_dir,
                           const std::map<std::string, Location>& locations, const Location& fallback) {
  for (const auto& spec : schema) {
    if (spec.type != OptionType::kInputPath || !options.has(spec.name)) continue;
    fs::path written = options.get_string(spec.name);
    fs::path p = written.is_absolute() ? written : base_dir / written;
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      auto it = locations.find(spec.name);
      return make_error(ErrorCode::kNotFound,
                        "option '" + spec.name + "': '" + written.string() + "' not found (looked for " + p.string() + ")",
                        it != locations.end() ? it->second : fallback,
                        "fix the path; relative paths are resolved against the pipeline file's directory");
    }
    options.set(spec.name, p.lexically_normal().string());
  }
  return Status::ok();
}

std::string frontend_extensions(const Registry& reg) {
  std::vector<std::string> exts;
  for (const auto& [name, e] : reg.frontends.entries())
    for (const auto& x : e.extensions) exts.push_back(x);
  return exts.empty() ? "none (no frontend plugin is loaded)" : quoted_list(exts);
}

}  // namespace

Expected<PipelinePlan> resolve_pipeline(const PipelineSpec& spec, const PluginManager& plugins, DiagnosticSink& diag) {
  const Registry& reg = plugins.registry();
  PipelinePlan plan;
  plan.spec = spec;
  std::optional<Status> first_error;
  auto problem = [&](const Status& s) {
    diag.error(s);
    if (!first_error) first_error = s;
  };

  for (size_t i = 0; i < spec.models.size(); ++i) {
    const PipelineModelSpec& m = spec.models[i];
    std::string object = "model " + std::to_string(i);
    const FrontendEntry* fe = nullptr;
    if (!m.frontend.empty()) {
      fe = reg.frontends.find(m.frontend);
      if (!fe) {
        Status s = plugins.unavailable_component_error("frontend." + m.frontend);
        problem(Status(s.code(), s.message(), m.location, s.hint()));
      }
    } else {
      fe = reg.frontend_for_path(m.path.string());
      if (!fe) {
        std::string ext = m.path.extension().string();
        problem(make_error(ErrorCode::kUnsupported,
                           "no frontend reads '" + (ext.empty() ? m.path.filename().string() : ext) +
                               "' files; loaded frontends read " + frontend_extensions(reg),
                           m.location, "name one with frontend = \"<name>\", or check `host plugins` for rejected frontends"));
      }
    }
    plan.model_frontends.push_back(fe ? fe->info.name : "");
    Options options;
    if (fe) {
      auto v = validate_options(fe->info.options, m.frontend_options, "frontend '" + fe->info.name + "'");
      if (!v) problem(locate_option_error(v.error(), m.frontend_option_locations, m.location, object));
      else options = *v;
    }
    plan.model_frontend_options.push_back(std::move(options));
  }

  for (size_t i = 0; i < spec.stages.size(); ++i) {
    const PipelineStageSpec& s = spec.stages[i];
    std::string object = "stage " + std::to_string(i + 1) + " '" + s.plugin + "'";
    auto found = reg.find_qualified(s.plugin);
    if (!found || found->kind == ComponentKind::kFrontend || found->kind == ComponentKind::kRuntime) {
      Status err = found ? make_error(ErrorCode::kInvalidArgument,
                                      "'" + s.plugin + "' is a " + component_kind_prefix(found->kind) +
                                          " and cannot be a pipeline stage",
                                      {}, "frontends are chosen per [[models]] entry; runtimes run compiled programs")
                         : plugins.unavailable_component_error(s.plugin);
      problem(Status(err.code(), err.message(), s.location, err.hint()));
      continue;
    }
    ResolvedStage rs;
    rs.spec = s;
    rs.kind = found->kind;
    rs.info = found->info;
    rs.plugin = found->plugin;
    if (!s.model_indices.empty() && rs.kind != ComponentKind::kPass) {
      problem(make_error(ErrorCode::kInvalidArgument, "'models' applies to pass stages only; " + s.plugin +
                                                          " works on the whole job",
                         s.location, "remove the 'models' key"));
    }
    for (int64_t idx : s.model_indices) {
      if (idx >= static_cast<int64_t>(spec.models.size()))
        problem(make_error(ErrorCode::kInvalidArgument,
                           "stage selects model " + std::to_string(idx) + " but the pipeline has " +
                               std::to_string(spec.models.size()) + " model(s) (indices start at 0)",
                           s.location));
    }
    auto v = validate_options(rs.info->options, s.options, "'" + s.plugin + "'");
    if (!v) {
      problem(locate_option_error(v.error(), s.option_locations, s.location, object));
      continue;
    }
    rs.options = std::move(*v);
    if (Status p = resolve_input_paths(rs.info->options, rs.options, spec.base_dir, s.option_locations, s.location);
        !p.is_ok()) {
      problem(p);
      continue;
    }
    plan.stages.push_back(std::move(rs));
  }
  if (first_error) return *first_error;
  return plan;
}

std::string describe_plan(const PipelinePlan& plan) {
  std::ostringstream os;
  os << "pipeline " << plan.spec.file.string() << "\n";
  os << "job: verify_each = " << (plan.spec.verify_each ? "true" : "false") << ", threads = " << plan.spec.threads
     << ", shared_input_stream = " << (plan.spec.shared_input_stream ? "true" : "false") << "\n";
  for (size_t i = 0; i < plan.spec.models.size(); ++i) {
    const auto& m = plan.spec.models[i];
    os << "model " << i << ": " << m.path.string() << "  [frontend." << plan.model_frontends[i] << "]\n";
    for (const auto& [k, v] : plan.model_frontend_options[i].values()) os << "    " << k << " = " << option_value_to_toml(v) << "\n";
    for (const auto& [name, dims] : m.input_shapes) os << "    input shape " << name << " = " << Shape::of(dims).str() << "\n";
  }
  for (size_t i = 0; i < plan.stages.size(); ++i) {
    const auto& s = plan.stages[i];
    os << "stage " << i + 1 << ": " << s.spec.plugin << " " << s.info->version << "  (plugin " << s.plugin << ")";
    if (!s.spec.model_indices.empty()) {
      os << " on models";
      for (auto idx : s.spec.model_indices) os << " " << idx;
    }
    os << "\n";
    for (const auto& [k, v] : s.options.values()) {
      bool explicit_value = s.spec.options.count(k) != 0;
      os << "    " << k << " = " << option_value_to_toml(v) << (explicit_value ? "" : "  (default)") << "\n";
    }
  }
  os << "outputs: " << plan.spec.output_dir.string();
  if (!plan.spec.ir_dumps.empty()) {
    os << "  (final IR:";
    for (const auto& f : plan.spec.ir_dumps) os << " " << f;
    os << ")";
  }
  os << "\n";
  return os.str();
}

}  // namespace nnc
