// nnc SDK: a compile job: N models (multi-model is first class), job-wide flags and artifacts.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "nnc/graph.h"
#include "nnc/shape.h"

namespace nnc {

/// Where a model comes from and how the user asked to read it.
struct ModelSource {
  std::filesystem::path path;                     ///< main model file (.onnx, .tflite, .prototxt...)
  std::vector<std::filesystem::path> extra_paths;  ///< companions: weights .h5, .caffemodel, checkpoint
  /// Input-shape overrides by input name, as given by the user (frontend decides the layout rules).
  std::map<std::string, std::vector<int64_t>> input_shapes;
};

/// One model of a job and its graph in the IR.
struct Model {
  std::string id;          ///< "model_0", "model_1"... (stable, used in file names)
  ModelSource source;
  std::string frontend;    ///< name of the frontend that loaded it ("onnx")
  Graph graph;
};

/// Everything a pipeline works on. Passes see one model's graph at a time; calibrators, targets
/// and writers see the whole job.
class CompileJob {
 public:
  std::vector<Model>& models() noexcept { return models_; }
  const std::vector<Model>& models() const noexcept { return models_; }
  Model& add_model(ModelSource source, std::string frontend, Graph graph);

  /// All models read one input stream (mx_nc --models_share_ifmap); their inputs must agree.
  bool shared_input_stream() const noexcept { return shared_input_stream_; }
  void set_shared_input_stream(bool v) noexcept { shared_input_stream_ = v; }

  /// Directory where stages write their files.
  const std::filesystem::path& output_dir() const noexcept { return output_dir_; }
  void set_output_dir(std::filesystem::path p) { output_dir_ = std::move(p); }

  /// Files produced by stages, by a short label ("dfp", "model_0.ir.json"...), in order written.
  const std::vector<std::pair<std::string, std::filesystem::path>>& artifacts() const noexcept {
    return artifacts_;
  }
  void add_artifact(std::string label, std::filesystem::path path) {
    artifacts_.emplace_back(std::move(label), std::move(path));
  }

 private:
  std::vector<Model> models_;
  bool shared_input_stream_ = false;
  std::filesystem::path output_dir_;
  std::vector<std::pair<std::string, std::filesystem::path>> artifacts_;
};

}  // namespace nnc
