// nnc SDK: post-training quantization: sample sources, mixed-precision configuration, calibration, error analysis.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "nnc/diagnostics.h"
#include "nnc/graph.h"
#include "nnc/quant.h"
#include "nnc/quant_executor.h"
#include "nnc/status.h"
#include "nnc/tensor.h"

namespace nnc {

/// One sample: a tensor per graph input, by input name.
using Sample = std::map<std::string, Tensor>;

/// A stream of samples read lazily (calibration and evaluation data); memory does not grow with the
/// number of samples.
class SampleSource {
 public:
  virtual ~SampleSource() = default;
  /// The next sample, std::nullopt at the end; an error names the file and what is wrong with it
  /// (wrong shape or dtype for the input it feeds, NaN/Inf values, unreadable file).
  virtual Expected<std::optional<Sample>> next() = 0;
  /// Starts again from the first sample.
  virtual Status rewind() = 0;
  /// Number of samples when known up front, else -1.
  virtual int64_t size_hint() const = 0;
  /// "12 .npy files in calib/", for logs.
  virtual std::string describe() const = 0;
};

/// Preprocessing of image folders (declared by the user; applied in this order):
/// decode (JPEG/PNG) -> color order -> resize (bilinear) -> (x - mean) * scale -> layout.
struct ImagePreprocess {
  int64_t height = 0, width = 0;  ///< 0: take the model input's dims
  std::string color = "rgb";      ///< "rgb", "bgr" or "gray"
  std::string layout = "auto";    ///< "NCHW", "NHWC" or "auto" (from the model input's shape)
  std::vector<float> mean;        ///< per channel (or one value), in 0..255 pixel units
  std::vector<float> scale;       ///< per channel (or one value); x' = (x - mean) * scale
};

/// Opens calibration/evaluation data for `graph`'s inputs. `spec` is one of:
/// - a directory or glob of .npy files (single-input models: one sample per file, or a batch whose
///   first axis is the sample axis when its rank is one more than the input's);
/// - a directory or glob of .npz files with one array per input name;
/// - a single .npy whose first axis is the sample axis;
/// - a directory of JPEG/PNG images (single image input; `image` says how to preprocess);
/// - for multi-input models, "name1=spec1;name2=spec2" with one of the forms above per input.
/// Every sample is checked against the model's declared input dtype and shape as it is read.
/// `max_samples` > 0 stops after that many samples.
Expected<std::unique_ptr<SampleSource>> open_sample_source(const std::string& spec, const Graph& graph,
                                                           const std::filesystem::path& base_dir,
                                                           const ImagePreprocess& image = {},
                                                           int64_t max_samples = 0);
/// Samples of uniform random data in each input's declared shape (calibration method "skip").
std::unique_ptr<SampleSource> random_sample_source(const Graph& graph, int64_t count, uint64_t seed);

/// Mixed precision requested by configuration files; node names are the graph's node names.
/// Priority, lowest first: defaults < *_by_op_type < *_by_node (Horizon model_config < op_config <
/// node_config). Parsers of MemryX weight_bits_table, Horizon node_info / quant_config and the pipeline's
/// int16 list fill this and reject unknown node names, listing them with close matches.
struct PrecisionConfig {
  QuantFormat weight_default = QuantFormat::kInt8;
  QuantFormat activation_default = QuantFormat::kInt8;
  std::map<std::string, QuantFormat> weight_by_op_type;       ///< "Conv" -> int16
  std::map<std::string, QuantFormat> activation_by_op_type;   ///< op type -> format of its outputs
  std::map<std::string, QuantFormat> weight_by_node;          ///< node -> format of its weights
  std::map<std::string, QuantFormat> input_by_node;           ///< node -> format of its activation inputs
  std::map<std::string, QuantFormat> output_by_node;          ///< node -> format of its outputs
  std::set<std::string> float_nodes;                          ///< nodes left in f32 (run on the host)
  std::vector<std::string> notes;                             ///< decisions to log (int16 fallbacks, ...)

  /// Format of `node`'s weights / outputs under the priority rule above.
  QuantFormat weight_format(const Node& node) const;
  QuantFormat output_format(const Node& node) const;
};

/// Options shared by every calibration method.
struct CalibrationOptions {
  /// "max", "percentile", "kl", "mse", "mix", "default" or "skip" (see docs/quantization.md).
  std::string method = "default";
  double max_percentile = 1.0;     ///< method max: quantile of |x| used as the range (Horizon max_percentile)
  double percentile = 0.99995;     ///< method percentile
  int histogram_bins = 2048;       ///< kl / mse / percentile histograms
  bool per_channel = false;        ///< per-channel activation ranges (Horizon per_channel)
  bool asymmetric = false;         ///< asymmetric activations (zero point != 0)
  bool per_channel_weights = true; ///< weights symmetric per output channel (default) or per tensor
  bool bias_correction = false;    ///< SiMa/Horizon bias correction
  bool equalize = false;           ///< cross-layer channel equalization before calibration
  int64_t max_samples = 0;         ///< 0 = every sample the source has
  int64_t skip_samples = 8;        ///< method skip: random samples generated
  uint64_t seed = 0;
  int threads = 0;
  bool progress = true;            ///< progress bar when stderr is a terminal
  PrecisionConfig precision;
};

/// What a calibration did.
struct CalibrationReport {
  int64_t samples = 0;
  double seconds = 0;
  std::map<std::string, std::string> method_by_value;  ///< mix/default: the method each value got
  std::vector<std::string> notes;                      ///< warnings and fallbacks, also sent to diagnostics
};

/// Quantizes `graph` in place: runs `data` through the f32 reference executor, accumulating streaming
/// statistics per activation, and sets QuantParams on every activation, weight and bias it quantizes
/// (weights symmetric per output channel by default, biases int32). Nodes in precision.float_nodes
/// stay float.
Expected<CalibrationReport> calibrate(Graph& graph, SampleSource& data, const CalibrationOptions& options,
                                      DiagnosticSink& diag);

/// Error of one quantized value against the float model on the same samples.
struct LayerError {
  std::string node;       ///< producing node
  std::string op_type;
  std::string value;      ///< the output value compared
  std::string format;     ///< quant_format_name of the value
  double mae = 0, mse = 0, psnr_db = 0, cosine = 0, sqnr_db = 0;
};

/// Options of the per-layer error analysis.
struct ErrorAnalysisOptions {
  /// true: each quantized node is fed the float model's inputs (its own error); false: the quantized
  /// model runs end to end (cumulative error).
  bool local_feed = false;
  QuantExecMode mode = QuantExecMode::kFakeQuant;
  int64_t max_samples = 16;
  int threads = 0;
};

/// Per-layer error of `quantized` (a graph with QuantParams) against its float self, in topological order.
Expected<std::vector<LayerError>> analyze_quantization_error(const Graph& quantized, SampleSource& data,
                                                             const ErrorAnalysisOptions& options);
/// Renderings of an analysis: aligned text table, JSON array, SVG bar chart of SQNR by layer.
std::string layer_errors_table(const std::vector<LayerError>& errors);
std::string layer_errors_json(const std::vector<LayerError>& errors);
std::string layer_errors_svg(const std::vector<LayerError>& errors, const std::string& title);

}  // namespace nnc
