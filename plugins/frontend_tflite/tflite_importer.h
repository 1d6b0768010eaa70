// nnc frontend_tflite: public entry points of the TFLite importer (.tflite file/bytes -> nnc::Graph) and the Frontend.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nnc/compile_job.h"
#include "nnc/components.h"
#include "nnc/diagnostics.h"
#include "nnc/graph.h"
#include "nnc/options.h"
#include "nnc/status.h"

namespace nnc::tflite_frontend {

/// Knobs of one import (the frontend's options, already validated).
struct ImportOptions {
  /// mx_nc-style shapes: "auto", or per model input in order, ';'-separated, channel-last without
  /// batch ("96,96,1"). TFLite models have static shapes, so a shape must agree with the declared one.
  std::string input_shapes = "auto";
  /// Batch used when mapping input_shapes (the model's fixed leading dim wins).
  int64_t batch = 1;
  /// Run nnc::cancel_inverse_transposes (nnc/layout_rewrite.h) after import, removing the
  /// NCHW<->NHWC Transpose pairs between consecutive layout-sensitive ops. Off by default until the
  /// .tflite writer handles the NCHW chains it leaves (it recognises Transpose->Conv->Transpose).
  bool cancel_transposes = false;
};

/// ONNX opset the imported graphs declare (QDQ of int16 needs DequantizeLinear-21).
inline constexpr int64_t kTfliteImportOpset = 21;

/// Reads `source.path` (.tflite) and imports its main subgraph. Never throws; every failure is a
/// Status naming the file; every unsupported operator is listed in one error.
Expected<Graph> import_tflite_file(const ModelSource& source, const ImportOptions& options, DiagnosticSink* diag);
/// Like import_tflite_file() on bytes in memory; `name` names them in messages.
Expected<Graph> import_tflite_bytes(std::string_view bytes, const std::string& name, const ImportOptions& options,
                                    DiagnosticSink* diag);

/// The nnc::Frontend registered as "frontend.tflite".
class TfliteFrontend : public Frontend {
 public:
  Expected<Graph> load(const ModelSource& source, const Options& options, Context& ctx) override;
};

}  // namespace nnc::tflite_frontend
