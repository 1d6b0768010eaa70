// nnc frontend_keras: internal types shared by the Keras importer's files (model config, weights, layer emission).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "h5_file.h"
#include "nnc/diagnostics.h"
#include "nnc/graph.h"
#include "nnc/status.h"

namespace nnc::keras_frontend {

using json = nlohmann::json;

/// A reference to an output of a layer call: (layer name, call index, output index), as Keras configs write it.
struct TensorRef {
  std::string layer;
  int64_t node = 0;
  int64_t index = 0;
};

/// One layer of a (possibly nested) model as the config declares it.
struct LayerSpec {
  std::string class_name;
  std::string name;
  json config;                               ///< the layer's "config" object (a model's own config for nested models)
  std::vector<std::vector<TensorRef>> calls;  ///< inbound tensors per call (Functional); empty for Sequential/Input
};

/// A model config normalised across Keras versions: Sequential (list or {"layers": [...]}), Functional
/// ("Model"/"Functional"), Keras 2 and Keras 3 inbound-node formats.
struct ModelSpec {
  std::string class_name;  ///< "Sequential" or "Functional"
  std::string name;
  std::vector<LayerSpec> layers;
  std::vector<TensorRef> inputs;   ///< Functional: the model's input tensors
  std::vector<TensorRef> outputs;  ///< Functional: the model's output tensors
  /// Sequential: the input's full shape when the config gives it (batch_input_shape / build_input_shape).
  std::optional<json> sequential_input_shape;
  std::string sequential_input_dtype = "float32";
};

/// Where messages point: the file the config came from.
struct ImportContext {
  std::string config_file;   ///< .h5 or .json holding the architecture
  std::string weights_file;  ///< .h5 holding the weights (may equal config_file)
  int keras_major = 2;       ///< 3 for Keras 3 files (changes hard_sigmoid's formula)
  bool half_pixel_resize = true;  ///< bilinear UpSampling2D: tf.image.resize (Keras >= 2.3) vs TF1's mapping
  int64_t batch = 1;
  DiagnosticSink* diag = nullptr;
  void verbose(const std::string& msg) const {
    if (diag) diag->log(LogLevel::kVerbose, msg);
  }
};

/// True for class names that are models used as layers.
bool is_model_class(const std::string& class_name);

/// Parses a model config ({"class_name": ..., "config": ...}).
Expected<ModelSpec> parse_model(const json& model_json, const ImportContext& ctx);

/// The layer's weights in Keras order, by their short names ("kernel", "bias", "gamma"...).
struct LayerWeights {
  std::vector<std::string> names;
  std::vector<Tensor> tensors;
  const Tensor* get(const std::string& short_name) const;
};

/// Reads the weights of the layers of a file: Keras 2/3 legacy layout (`layer_names` + `weight_names`
/// attributes, under `model_weights` for full-model files) or the Keras 3 `layers/<name>/vars/<i>` layout.
class WeightStore {
 public:
  /// `root` is "/model_weights" or "/" for legacy files.
  static Expected<WeightStore> open(std::shared_ptr<H5Reader> file, const ImportContext& ctx);
  /// Binds the model's layers with weights (their names in topological order) to the file's layer groups: by
  /// name when every name is found, else by the file's own order of layers that hold weights (as Keras'
  /// load_weights does), saying so at -v. A count mismatch is an error.
  Status bind(const std::vector<std::string>& weighted_layers, const ImportContext& ctx);
  /// The raw datasets of a bound layer (names as written in the file) in the file's order.
  Expected<std::vector<std::pair<std::string, Tensor>>> raw(const std::string& layer) const;
  /// Whether the file's group for `layer` holds weights.
  bool layer_has_weights(const std::string& layer) const;

 private:
  std::shared_ptr<H5Reader> file_;
  std::string root_;
  bool keras3_vars_ = false;
  std::vector<std::string> file_layers_;              ///< layer group names in the file's order
  std::map<std::string, std::vector<std::string>> weight_names_;  ///< per file layer group
  std::map<std::string, std::string> binding_;        ///< model layer name -> file group name
};

}  // namespace nnc::keras_frontend
