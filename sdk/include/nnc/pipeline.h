// nnc SDK: the TOML pipeline: parsing with source positions, resolution against registries, running.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "nnc/compile_job.h"
#include "nnc/components.h"
#include "nnc/options.h"
#include "nnc/pass_manager.h"
#include "nnc/plugin_manager.h"

namespace nnc {

/// A `[[models]]` entry.
struct PipelineModelSpec {
  std::filesystem::path path;              ///< resolved against the pipeline's directory
  std::string path_as_written;
  Location location;                       ///< position of the `path` value
  std::vector<std::filesystem::path> extra_paths;  ///< `weights = [...]`
  std::string frontend;                    ///< forced frontend name; empty = by extension
  std::map<std::string, std::vector<int64_t>> input_shapes;
  std::map<std::string, OptionValue> frontend_options;
  std::map<std::string, Location> frontend_option_locations;
};

/// A `[[stage]]` entry: a component and its options as written.
struct PipelineStageSpec {
  std::string plugin;                      ///< "<kind>.<name>"
  Location location;                       ///< position of the `plugin` value
  std::map<std::string, OptionValue> options;
  std::map<std::string, Location> option_locations;
  std::vector<int64_t> model_indices;      ///< passes only: which models (empty = all)
};

/// A parsed pipeline file.
struct PipelineSpec {
  std::filesystem::path file;
  std::filesystem::path base_dir;          ///< directory of the file
  std::vector<PipelineModelSpec> models;
  std::vector<PipelineStageSpec> stages;
  std::filesystem::path output_dir;        ///< [outputs] dir (resolved; default "<file stem>.out")
  std::vector<std::string> ir_dumps;       ///< [outputs] ir = ["text", "json"]: final IR dumps
  bool shared_input_stream = false;        ///< [job] shared_input_stream
  bool verify_each = false;                ///< [job] verify_each (also --verify-each)
  int threads = 0;                         ///< [job] threads
};

/// Parses a pipeline file. Syntax errors, unknown keys and wrong types name file:line:col. Paths
/// of models are checked for existence here.
Expected<PipelineSpec> parse_pipeline_file(const std::filesystem::path& file);
/// Parses pipeline text; `file` names it in messages and anchors relative paths.
Expected<PipelineSpec> parse_pipeline_text(const std::string& text, const std::filesystem::path& file);

/// A stage with its component found and its options validated.
struct ResolvedStage {
  PipelineStageSpec spec;
  ComponentKind kind = ComponentKind::kPass;
  const ComponentInfo* info = nullptr;
  std::string plugin;                      ///< providing plugin
  Options options;
};

/// A fully checked pipeline, ready to run.
struct PipelinePlan {
  PipelineSpec spec;
  std::vector<std::string> model_frontends;  ///< frontend name per model
  std::vector<Options> model_frontend_options;
  std::vector<ResolvedStage> stages;
};

/// Finds every component and validates every option against its schema. All problems are reported
/// (one line each, file:line:col) through `diag`; the returned error is the first.
Expected<PipelinePlan> resolve_pipeline(const PipelineSpec& spec, const PluginManager& plugins,
                                        DiagnosticSink& diag);

/// The resolved plan as readable text (for --dry-run): models, frontends, stages with every option
/// (defaults included), outputs.
std::string describe_plan(const PipelinePlan& plan);

/// Runs a plan: loads models, runs stages in order, writes IR dumps. Consecutive pass stages run on
/// each selected model; job stages see the whole job. `reports` receives per-step timings.
Expected<CompileJob> run_pipeline(const PipelinePlan& plan, const PluginManager& plugins, Context& ctx,
                                  std::vector<StepReport>* reports = nullptr);

/// Loads one model with the frontend chosen by name (or by extension when empty).
Expected<Graph> load_model(const ModelSource& source, const std::string& frontend, const Options& options,
                           const PluginManager& plugins, Context& ctx, std::string* frontend_used = nullptr);

}  // namespace nnc
