// nnc SDK: the interfaces plugins implement: frontends, passes, calibrators, targets, writers, runtimes.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nnc/compile_job.h"
#include "nnc/diagnostics.h"
#include "nnc/options.h"
#include "nnc/status.h"
#include "nnc/tensor.h"

namespace nnc {

/// Kinds of components; the pipeline names a component "<kind>.<name>" (e.g. "pass.remove_identity").
enum class ComponentKind { kFrontend, kPass, kCalibrator, kTarget, kWriter, kRuntime, kExec };

/// Prefix used in pipelines and plugin file names: "frontend", "pass", "calib", "target", "write", "runtime",
/// "exec" (stages that run the current graph, e.g. exec.reference).
const char* component_kind_prefix(ComponentKind kind) noexcept;

/// What every component declares about itself.
struct ComponentInfo {
  std::string name;                 ///< unique within its kind: lowercase, digits, '_' and '-'
  std::string version;              ///< component version, e.g. "1.0.0"
  std::string doc;                  ///< one line for `host plugins` / `host explain`
  std::vector<OptionSpec> options;  ///< accepted options
};

/// Shared services handed to every component call.
struct Context {
  DiagnosticSink* diagnostics = nullptr;  ///< never null while a pipeline runs
  int threads = 0;                        ///< worker threads; 0 = all cores
  std::filesystem::path base_dir;         ///< directory relative input paths are resolved against
  std::filesystem::path output_dir;       ///< directory outputs go to (exists)
  bool verify_each = false;               ///< run the IR verifier after every pass

  DiagnosticSink& diag() const { return *diagnostics; }
};

/// Reads a model file into the IR.
class Frontend {
 public:
  virtual ~Frontend() = default;
  /// Loads `source`. Parser exceptions must be caught and returned as a Status naming the file.
  virtual Expected<Graph> load(const ModelSource& source, const Options& options, Context& ctx) = 0;
};

/// Transforms one graph in place.
class Pass {
 public:
  virtual ~Pass() = default;
  /// Returns whether the graph changed.
  virtual Expected<bool> run(Graph& graph, const Options& options, Context& ctx) = 0;
};

/// A stage that works on the whole job: calibrators, targets, writers and exec stages.
class JobStage {
 public:
  virtual ~JobStage() = default;
  virtual Status run(CompileJob& job, const Options& options, Context& ctx) = 0;
};

/// A program loaded on a (simulated or real) device.
class RuntimeSession {
 public:
  virtual ~RuntimeSession() = default;
  virtual std::vector<std::string> input_names() const = 0;
  virtual std::vector<std::string> output_names() const = 0;
  /// Runs one frame; inputs by name.
  virtual Expected<std::map<std::string, Tensor>> run(const std::map<std::string, Tensor>& inputs) = 0;
};

/// Opens compiled programs (DFP files) of the chip generations it serves.
class Runtime {
 public:
  virtual ~Runtime() = default;
  virtual Expected<std::unique_ptr<RuntimeSession>> open(const std::filesystem::path& program,
                                                         const Options& options, Context& ctx) = 0;
};

/// Registry entries: declaration + factory. `plugin` is filled by the loader.
struct FrontendEntry {
  ComponentInfo info;
  std::vector<std::string> extensions;  ///< lowercase, with dot: {".onnx"}
  std::function<std::unique_ptr<Frontend>()> create;
  std::string plugin;
};
struct PassEntry {
  ComponentInfo info;
  std::function<std::unique_ptr<Pass>()> create;
  std::string plugin;
};
/// Calibrators, targets, writers and exec stages share one entry shape.
struct JobStageEntry {
  ComponentInfo info;
  std::function<std::unique_ptr<JobStage>()> create;
  std::vector<std::string> chip_generations;  ///< targets only: generations served ("mx3")
  std::string plugin;
};
struct RuntimeEntry {
  ComponentInfo info;
  std::vector<std::string> chip_generations;  ///< generations whose programs it opens
  std::function<std::unique_ptr<Runtime>()> create;
  std::string plugin;
};

}  // namespace nnc
