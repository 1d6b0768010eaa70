// nnc core: components built into the core: IR writers (text, JSON, ONNX) and exec.reference as pipeline stages.
#include "builtin_components.h"

#include <functional>

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

/// Writes one file per model at the `file` option's template; `write` produces each file.
class PerModelFileWriter final : public JobStage {
 public:
  using WriteFn = std::function<Status(const Graph&, const Options&, const std::filesystem::path&)>;
  PerModelFileWriter(WriteFn write, std::string example) : write_(std::move(write)), example_(std::move(example)) {}

  Status run(CompileJob& job, const Options& options, Context& ctx) override {
    std::string pattern = options.get_string("file");
    if (job.models().size() > 1 && pattern.find("{model}") == std::string::npos) {
      return make_error(ErrorCode::kInvalidArgument,
                        "option 'file' = \"" + pattern + "\" would write every model of this " +
                            std::to_string(job.models().size()) + "-model job to the same file",
                        {}, "put {model} in the file name, e.g. \"" + example_ + "\"");
    }
    for (const Model& model : job.models()) {
      std::filesystem::path out = ctx.output_dir / expand_model_template(pattern, model.id);
      NNC_RETURN_IF_ERROR(write_(model.graph, options, out));
      job.add_artifact(model.id + ":" + out.filename().string(), out);
      ctx.diag().log(LogLevel::kVerbose, "wrote " + out.string());
    }
    return Status::ok();
  }

 private:
  WriteFn write_;
  std::string example_;
};

Status write_text(const Graph& g, const Options&, const std::filesystem::path& out) {
  return write_file_atomically(out, dump_text(g));
}
Status write_json(const Graph& g, const Options& o, const std::filesystem::path& out) {
  return write_file_atomically(out, dump_json(g, o.get_bool("include_constant_data")));
}
Status write_onnx_file(const Graph& g, const Options& o, const std::filesystem::path& out) {
  OnnxWriteOptions write_options;
  write_options.large_constants_external = o.get_bool("external_data");
  return write_onnx(g, out, write_options);
}

/// The `file` option every per-model writer takes.
OptionSpec file_option(const std::string& default_pattern) {
  OptionSpec spec = option_string("file", default_pattern, "output file name in the output dir; {model} is the model id");
  spec.type = OptionType::kOutputPath;
  return spec;
}

}  // namespace

Status register_builtin_components(PluginRegistrar& registrar) {
  registrar.add_writer(JobStageEntry{
      {"ir-text", product_version(), "writes each model's IR as readable text (one node per line)", {file_option("{model}.ir.txt")}},
      [] { return std::make_unique<PerModelFileWriter>(&write_text, "{model}.ir.txt"); },
      {},
      {}});
  registrar.add_writer(JobStageEntry{
      {"ir-json",
       product_version(),
       "writes each model's IR as JSON (nodes, values, attributes; constant bytes optional)",
       {file_option("{model}.ir.json"), option_bool("include_constant_data", false, "also write every constant's values (large)")}},
      [] { return std::make_unique<PerModelFileWriter>(&write_json, "{model}.ir.json"); },
      {},
      {}});
  registrar.add_writer(JobStageEntry{
      {"onnx",
       product_version(),
       "writes each model as an ONNX file (viewable in Netron, runnable by ONNX Runtime)",
       {file_option("{model}.onnx"), option_bool("external_data", false, "store constants over 1 KiB in <file>.data beside the model")}},
      [] { return std::make_unique<PerModelFileWriter>(&write_onnx_file, "{model}.onnx"); },
      {},
      {}});
  return register_builtin_exec_stage(registrar);
}

}  // namespace nnc
