// nnc core: components built into the core: IR writers (text, JSON) usable as pipeline stages.
#include "builtin_components.h"

#include "nnc/dump.h"
#include "nnc/npy.h"
#include "nnc/onnx_writer.h"

namespace nnc {
namespace {

/// Replaces "{model}" in a file-name template with the model id.
std::string expand_model_template(std::string pattern, const std::string& model_id) {
  const std::string key = "{model}";
  for (size_t pos = pattern.find(key); pos != std::string::npos; pos = pattern.find(key, pos + model_id.size()))
    pattern.replace(pos, key.size(), model_id);
  return pattern;
}

/// Writes one file per model, produced by `render`, at the `file` option's template.
class IrWriter final : public JobStage {
 public:
  using Render = std::string (*)(const Graph&, const Options&);
  explicit IrWriter(Render render) : render_(render) {}

  Status run(CompileJob& job, const Options& options, Context& ctx) override {
    std::string pattern = options.get_string("file");
    if (job.models().size() > 1 && pattern.find("{model}") == std::string::npos) {
      return make_error(ErrorCode::kInvalidArgument,
                        "option 'file' = \"" + pattern + "\" would write every model of this " +
                            std::to_string(job.models().size()) + "-model job to the same file",
                        {}, "put {model} in the file name, e.g. \"{model}.ir.txt\"");
    }
    for (const Model& model : job.models()) {
      std::filesystem::path out = ctx.output_dir / expand_model_template(pattern, model.id);
      NNC_RETURN_IF_ERROR(write_file_atomically(out, render_(model.graph, options)));
      job.add_artifact(model.id + ":" + out.filename().string(), out);
      ctx.diag().log(LogLevel::kVerbose, "wrote " + out.string());
    }
    return Status::ok();
  }

 private:
  Render render_;
};

/// Writes each model as ONNX (for Netron, ONNX Runtime, or a later nnc run).
class OnnxFileWriter final : public JobStage {
 public:
  Status run(CompileJob& job, const Options& options, Context& ctx) override {
    std::string pattern = options.get_string("file");
    if (job.models().size() > 1 && pattern.find("{model}") == std::string::npos) {
      return make_error(ErrorCode::kInvalidArgument,
                        "option 'file' = \"" + pattern + "\" would write every model of this " +
                            std::to_string(job.models().size()) + "-model job to the same file",
                        {}, "put {model} in the file name, e.g. \"{model}.onnx\"");
    }
    OnnxWriteOptions write_options;
    write_options.large_constants_external = options.get_bool("external_data");
    for (const Model& model : job.models()) {
      std::filesystem::path out = ctx.output_dir / expand_model_template(pattern, model.id);
      NNC_RETURN_IF_ERROR(write_onnx(model.graph, out, write_options));
      job.add_artifact(model.id + ":" + out.filename().string(), out);
      ctx.diag().log(LogLevel::kVerbose, "wrote " + out.string());
    }
    return Status::ok();
  }
};

std::string render_text(const Graph& g, const Options&) { return dump_text(g); }
std::string render_json(const Graph& g, const Options& o) { return dump_json(g, o.get_bool("include_constant_data")); }

}  // namespace

Status register_builtin_components(PluginRegistrar& registrar) {
  OptionSpec text_file = option_string("file", "{model}.ir.txt", "output file name in the output dir; {model} is the model id");
  text_file.type = OptionType::kOutputPath;
  registrar.add_writer(JobStageEntry{
      {"ir-text", product_version(), "writes each model's IR as readable text (one node per line)", {text_file}},
      [] { return std::make_unique<IrWriter>(&render_text); },
      {},
      {}});
  OptionSpec json_file = option_string("file", "{model}.ir.json", "output file name in the output dir; {model} is the model id");
  json_file.type = OptionType::kOutputPath;
  registrar.add_writer(JobStageEntry{
      {"ir-json",
       product_version(),
       "writes each model's IR as JSON (nodes, values, attributes; constant bytes optional)",
       {json_file, option_bool("include_constant_data", false, "also write every constant's values (large)")}},
      [] { return std::make_unique<IrWriter>(&render_json); },
      {},
      {}});
  OptionSpec onnx_file = option_string("file", "{model}.onnx", "output file name in the output dir; {model} is the model id");
  onnx_file.type = OptionType::kOutputPath;
  registrar.add_writer(JobStageEntry{
      {"onnx",
       product_version(),
       "writes each model as an ONNX file (viewable in Netron, runnable by ONNX Runtime)",
       {onnx_file, option_bool("external_data", false, "store constants over 1 KiB in <file>.data beside the model")}},
      [] { return std::make_unique<OnnxFileWriter>(); },
      {},
      {}});
  return Status::ok();
}

}  // namespace nnc
