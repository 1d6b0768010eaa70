// nnc frontend_onnx: public entry points of the ONNX importer (file/bytes -> nnc::Graph) and the Frontend.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "nnc/compile_job.h"
#include "nnc/components.h"
#include "nnc/diagnostics.h"
#include "nnc/graph.h"
#include "nnc/options.h"
#include "nnc/status.h"

namespace nnc::onnx_frontend {

/// Knobs of one import (the frontend's options, already validated).
struct ImportOptions {
  /// Run onnx::shape_inference::InferShapes before importing (fills intermediate dtypes/shapes).
  bool shape_inference = true;
  /// Substituted for a symbolic or unknown leading dim of every input that has no explicit
  /// ModelSource::input_shapes override. Values < 1 leave such dims alone.
  int64_t batch = 1;
  /// mx_nc-style shapes (input_shape_spec.h): "auto", or per model input in order, ';'-separated,
  /// channel-last without batch ("224,224,3"); mapped onto each input's layout before shape inference.
  std::string input_shapes = "auto";
};

/// Reads `source.path` (an .onnx file; external data is resolved relative to its directory) and
/// imports it. Warnings (failed shape inference, model-local functions...) go to `diag` when it is
/// not null. Never throws; every failure is a Status whose message names the file.
Expected<Graph> import_onnx_file(const ModelSource& source, const ImportOptions& options, DiagnosticSink* diag);

/// Like import_onnx_file() but parses `bytes` held in memory; `source.path` names them in messages
/// and its directory is where external data is looked up.
Expected<Graph> import_onnx_bytes(std::string_view bytes, const ModelSource& source, const ImportOptions& options,
                                  DiagnosticSink* diag);

/// The nnc::Frontend registered as "frontend.onnx".
class OnnxFrontend : public Frontend {
 public:
  /// Resolves a relative source path against ctx.base_dir when it does not exist as given, then
  /// calls import_onnx_file(). Exceptions are caught and returned as kPluginError.
  Expected<Graph> load(const ModelSource& source, const Options& options, Context& ctx) override;
};

}  // namespace nnc::onnx_frontend
