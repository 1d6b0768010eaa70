// nnc frontend_tf: public entry points of the TensorFlow importer (.pb GraphDef, .meta + checkpoint) and the Frontend.
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

namespace nnc::tf_frontend {

/// Knobs of one import (the frontend's options, already validated).
struct ImportOptions {
  /// Comma-separated tensor names ("input", "Preprocessor/sub:0") that become the graph inputs; the
  /// graph is cut there. Empty: the Placeholders the outputs depend on.
  std::string inputs;
  /// Comma-separated tensor names that become the graph outputs. Empty: inferred (the tensors no
  /// inference node consumes; training, saving and variable bookkeeping excluded).
  std::string outputs;
  /// mx_nc -is: "auto" or channel-last dims without batch per input, ';'-separated.
  std::string input_shapes = "auto";
  /// Size given to an unknown leading (batch) dim of an input; < 1 leaves it unknown.
  int64_t batch = 1;
  /// Fail when the imported graph uses ops the reference executor lacks (all listed at once).
  bool check_ops = true;
};

/// Reads `source.path` (.pb = frozen GraphDef, .meta = MetaGraphDef whose variables come from the V2
/// checkpoint in source.extra_paths or beside the file) and imports the inference subgraph. Never
/// throws; every failure is a Status naming the file.
Expected<Graph> import_tf_file(const ModelSource& source, const ImportOptions& options, DiagnosticSink* diag);

/// Like import_tf_file() but parses `bytes`; `source.path` names them (and its extension picks
/// GraphDef or MetaGraphDef).
Expected<Graph> import_tf_bytes(std::string_view bytes, const ModelSource& source, const ImportOptions& options,
                                DiagnosticSink* diag);

/// The nnc::Frontend registered as "frontend.tensorflow".
class TfFrontend : public Frontend {
 public:
  Expected<Graph> load(const ModelSource& source, const Options& options, Context& ctx) override;
};

}  // namespace nnc::tf_frontend
