// nnc core: the built-in `exec.reference` stage: runs the job's current graphs with the fp32 reference executor.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <set>
#include <sstream>

#include "builtin_components.h"
#include "nnc/executor.h"
#include "nnc/npy.h"
#include "nnc/suggest.h"

namespace nnc {
namespace {

/// An error placed at the TOML line of option `option` (the pipeline runner maps the object).
Status option_error(const std::string& option, const std::string& message, const std::string& hint = {}) {
  return make_error(ErrorCode::kInvalidArgument, "option '" + option + "': " + message, Location{{}, 0, 0, option}, hint);
}

/// One `inputs` entry: "NAME=file.npy", or "file.npy" alone for a single-input model.
struct InputSpec {
  std::string name;  ///< empty: the only input of each model
  std::filesystem::path path;
  std::string written;
};

Expected<std::vector<InputSpec>> parse_inputs(const std::vector<std::string>& entries, const std::filesystem::path& base) {
  std::vector<InputSpec> out;
  std::set<std::string> seen;
  for (const std::string& e : entries) {
    InputSpec spec;
    auto eq = e.find('=');
    spec.written = eq == std::string::npos ? e : e.substr(eq + 1);
    if (eq != std::string::npos) spec.name = e.substr(0, eq);
    std::filesystem::path p = spec.written;
    spec.path = p.is_absolute() ? p : base / p;
    if (!seen.insert(spec.name).second)
      return option_error("inputs", "input '" + spec.name + "' is given twice", "give each input once");
    out.push_back(std::move(spec));
  }
  return out;
}

std::string format_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

/// Checks a tensor read for `v` against its declared dtype and static dims.
Status check_input(const Value& v, const Tensor& t, const std::string& written) {
  std::string expected = std::string(dtype_name(v.dtype())) + v.shape().str();
  if (t.dtype() != v.dtype())
    return option_error("inputs", "'" + written + "' holds " + t.description() + " but input '" + v.name() + "' is " + expected,
                        "write the array as " + std::string(dtype_name(v.dtype())) + " (e.g. numpy astype)");
  bool shape_ok = !v.shape().has_rank() || static_cast<size_t>(t.rank()) == v.shape().rank();
  for (size_t i = 0; shape_ok && v.shape().has_rank() && i < v.shape().rank(); ++i)
    if (v.shape()[i].is_static() && v.shape()[i].size() != t.shape()[i]) shape_ok = false;
  if (!shape_ok)
    return option_error("inputs", "'" + written + "' holds " + t.description() + " but input '" + v.name() + "' is " + expected,
                        "give an array of the input's shape, or set the model's input_shapes");
  return Status::ok();
}

/// "name f32[1, 1000] min .. max .. mean .." for the run summary.
std::string summarize(const std::string& name, const Tensor& t) {
  std::string line = "  output '" + name + "' " + t.description();
  int64_t n = t.element_count();
  if (n == 0 || !(is_floating(t.dtype()) || is_integer(t.dtype()))) return line;
  double lo = t.value_as_double(0), hi = lo, sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    double x = t.value_as_double(i);
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    sum += x;
  }
  return line + " min " + format_double(lo) + " max " + format_double(hi) + " mean " + format_double(sum / static_cast<double>(n));
}

/// The non-batch extent when the tensor has exactly one dim > 1 after a leading 1 (classifier logits), else 0.
int64_t class_count(const Tensor& t) {
  const auto& s = t.shape();
  if (s.empty() || !is_floating(t.dtype())) return 0;
  if (s.size() == 1) return s[0];
  if (s[0] != 1) return 0;
  int64_t big = 0;
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] == 1) continue;
    if (big) return 0;
    big = s[i];
  }
  return big;
}

std::string top_k_line(const Tensor& t, int64_t k) {
  int64_t n = t.element_count();
  std::vector<int64_t> idx(static_cast<size_t>(n));
  std::iota(idx.begin(), idx.end(), 0);
  k = std::min(k, n);
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int64_t a, int64_t b) {
    double va = t.value_as_double(a), vb = t.value_as_double(b);
    return va > vb || (va == vb && a < b);
  });
  std::string line = "    top-" + std::to_string(k) + ":";
  for (int64_t i = 0; i < k; ++i) line += " " + std::to_string(idx[i]) + " (" + format_double(t.value_as_double(idx[i])) + ")";
  return line;
}

class ReferenceExecStage final : public JobStage {
 public:
  Status run(CompileJob& job, const Options& options, Context& ctx) override {
    int64_t top_k = options.get_int("top_k");
    if (top_k < 0) return option_error("top_k", "must be >= 0, got " + std::to_string(top_k), "top_k = 5, or 0 for off");
    int threads = options.has("threads") ? static_cast<int>(options.get_int("threads")) : ctx.threads;
    if (threads < 0) return option_error("threads", "must be >= 0, got " + std::to_string(threads), "0 = all cores");
    NNC_ASSIGN_OR_RETURN(std::vector<InputSpec> specs, parse_inputs(options.get_string_list("inputs"), ctx.base_dir));

    std::vector<std::string> all_inputs;
    for (const Model& model : job.models())
      for (const Value* v : model.graph.inputs()) all_inputs.push_back(v->name());
    for (const InputSpec& s : specs)
      if (!s.name.empty() && std::find(all_inputs.begin(), all_inputs.end(), s.name) == all_inputs.end())
        return option_error("inputs", "no model has an input named '" + s.name + "'" + did_you_mean(s.name, all_inputs),
                            "the inputs are " + quoted_list(all_inputs));

    for (const Model& model : job.models()) {
      const Graph& g = model.graph;
      std::vector<std::string> names;
      for (const Value* v : g.inputs()) names.push_back(v->name());
      std::map<std::string, Tensor> inputs;
      for (const Value* v : g.inputs()) {
        auto it = std::find_if(specs.begin(), specs.end(), [&](const InputSpec& s) {
          return s.name == v->name() || (s.name.empty() && names.size() == 1);
        });
        if (it == specs.end())
          return option_error("inputs", model.id + " input '" + v->name() + "' (" + dtype_name(v->dtype()) + v->shape().str() + ") is not given",
                              "add " + v->name() + " = \"file.npy\" to inputs; the model's inputs are " + quoted_list(names));
        std::error_code ec;
        if (!std::filesystem::exists(it->path, ec))
          return option_error("inputs", "'" + it->written + "' not found (looked for " + it->path.string() + ")",
                              "paths are relative to the pipeline file");
        Expected<Tensor> t = read_npy(it->path);
        if (!t) return option_error("inputs", t.error().message(), t.error().hint());
        NNC_RETURN_IF_ERROR(check_input(*v, *t, it->written));
        inputs.emplace(v->name(), std::move(*t));
      }

      auto executor = ReferenceExecutor::create(g, ExecutorOptions{threads});
      if (!executor) return executor.error().with_context(model.id);
      auto start = std::chrono::steady_clock::now();
      Expected<std::map<std::string, Tensor>> outputs = (*executor)->run(inputs);
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      if (!outputs) return outputs.error().with_context(model.id);

      std::ostringstream report;
      report << model.id << " (" << model.source.path.filename().string() << "): reference executor, "
             << format_double(ms) << " ms on " << (*executor)->threads() << " thread(s)\n";
      std::set<std::string> taken;
      for (const Value* v : g.outputs()) {
        const Tensor& t = outputs->at(v->name());
        report << summarize(v->name(), t);
        if (options.get_bool("write_outputs")) {
          std::filesystem::path file = ctx.output_dir / (model.id + "." + sanitized_file_stem(v->name(), taken) + ".npy");
          NNC_RETURN_IF_ERROR(write_npy(file, t));
          job.add_artifact(model.id + ":" + file.filename().string(), file);
          report << " -> " << file.string();
        }
        report << "\n";
        if (top_k > 0 && class_count(t) > 0) report << top_k_line(t, top_k) << "\n";
      }
      // The stage's result is this report: printed on stdout like `host run`'s own summary (not a
      // diagnostic), unless -q.
      if (ctx.diag().enabled(LogLevel::kNormal)) std::cout << report.str() << std::flush;
    }
    return Status::ok();
  }
};

}  // namespace

Status register_builtin_exec_stage(PluginRegistrar& registrar) {
  OptionSpec inputs = option_required(
      "inputs", OptionType::kStringList,
      "model inputs: { name = \"file.npy\", ... } (or [\"name=file.npy\"]; \"file.npy\" alone for one input), relative to the pipeline file");
  registrar.add_executor(JobStageEntry{
      {"reference",
       product_version(),
       "runs each model's current graph with the fp32 reference executor; prints each output's shape, min/max/mean "
       "and the latency; writes <model>.<output>.npy",
       {inputs,
        option_optional("threads", OptionType::kInt, "worker threads (default: the job's threads; 0 = all cores)"),
        option_int("top_k", 0, "print the k largest values with their indices of each classifier-like output (0 = off)"),
        option_bool("write_outputs", true, "write each output as <output dir>/<model>.<output name>.npy")}},
      [] { return std::make_unique<ReferenceExecStage>(); },
      {},
      {}});
  return Status::ok();
}

}  // namespace nnc
