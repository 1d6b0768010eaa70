// nnc frontend_caffe (internal): the state shared by the layer translators while one net is imported.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nnc/diagnostics.h"
#include "nnc/graph.h"
#include "nnc/status.h"
#include "nnc_caffe.pb.h"

namespace nnc::caffe_frontend {

/// A Caffe blob as imported: its current IR value and static shape.
struct BlobRef {
  Value* value = nullptr;
  std::vector<int64_t> shape;
};

/// Everything a layer translator needs; shapes are static (Caffe fixes them from the inputs).
class ImportContext {
 public:
  ImportContext(Graph& g, std::string file, DiagnosticSink* diag) : graph(g), file_(std::move(file)), diag_(diag) {}

  Graph& graph;
  /// Current value of every blob name (in-place layers replace it).
  std::map<std::string, BlobRef> blobs;
  /// Name of the last layer writing each blob (that layer's value gets the plain blob name).
  std::map<std::string, std::string> last_writer;
  /// Weights by layer name (from the .caffemodel, or the prototxt itself).
  std::map<std::string, const caffe::LayerParameter*> weights;
  /// The .caffemodel path for messages ("" when none).
  std::string weights_file;

  const std::string& file() const { return file_; }
  DiagnosticSink* diag() const { return diag_; }

  /// Error located at `layer` in the prototxt ("file: error: layer 'conv1' (Convolution): msg (fix: hint)").
  Status error(const caffe::LayerParameter& layer, ErrorCode code, const std::string& message,
               const std::string& hint) const;
  /// Bottom i of `layer` (error when missing or never produced).
  Expected<BlobRef> bottom(const caffe::LayerParameter& layer, int i) const;
  /// Name for the value of top `top` written by `layer`.
  std::string top_value_name(const caffe::LayerParameter& layer, const std::string& top) const;
  /// Records `value` (shape `shape`) as the new content of top `i` of `layer`.
  void set_top(const caffe::LayerParameter& layer, int i, Value* value, std::vector<int64_t> shape);
  /// Adds a node whose single output becomes top 0 of `layer`.
  Node* add_layer_node(const caffe::LayerParameter& layer, const std::string& op, const std::vector<Value*>& inputs,
                       std::vector<int64_t> out_shape, const std::string& domain = "");
  /// Adds a helper node (one output named after `base`) whose output is not a blob.
  Value* add_helper(const std::string& op, const std::vector<Value*>& inputs, const std::string& base,
                    std::vector<int64_t> out_shape);
  /// f32 constant.
  Value* add_f32(const std::string& base, std::vector<float> data, std::vector<int64_t> shape);
  /// i64 constant (1-D).
  Value* add_i64(const std::string& base, std::vector<int64_t> data);

  /// Blob `i` of `layer` from the weights, checked against `expected` (leading 1s of either side are
  /// ignored, so legacy 4-D blobs match). Missing weights or a disagreeing shape are errors naming
  /// the .caffemodel, the layer and both shapes.
  Expected<std::vector<float>> blob(const caffe::LayerParameter& layer, int i, const std::vector<int64_t>& expected,
                                    const char* what) const;
  /// Number of blobs the weights hold for `layer` (0 when none).
  int blob_count(const caffe::LayerParameter& layer) const;

 private:
  std::string file_;
  DiagnosticSink* diag_;
};

/// "[1, 3, 224, 224]".
std::string dims_str(const std::vector<int64_t>& dims);

/// Translates one layer (already filtered for the TEST phase) into IR nodes.
Status translate_layer(ImportContext& ctx, const caffe::LayerParameter& layer);
/// True for layer types translate_layer() knows.
bool layer_supported(const std::string& type);

/// SSD layers (caffe_ssd.cpp).
Status translate_normalize(ImportContext& ctx, const caffe::LayerParameter& layer);
Status translate_prior_box(ImportContext& ctx, const caffe::LayerParameter& layer);
Status translate_detection_output(ImportContext& ctx, const caffe::LayerParameter& layer);

/// PriorBox as Caffe-SSD computes it: [1, 2, H*W*num_priors*4] (boxes, then variances), from the
/// feature map size and the image size. Bad parameters are errors naming the layer.
Expected<std::vector<float>> compute_prior_boxes(const caffe::PriorBoxParameter& p, int64_t layer_h, int64_t layer_w,
                                                 int64_t img_h, int64_t img_w, const std::string& layer_name);

}  // namespace nnc::caffe_frontend
