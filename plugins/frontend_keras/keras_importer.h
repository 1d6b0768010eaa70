// nnc frontend_keras: public entry points of the Keras importer (.h5 full model, .json + weights .h5) and the Frontend.
#pragma once

#include <cstdint>
#include <string>

#include "nnc/compile_job.h"
#include "nnc/components.h"
#include "nnc/diagnostics.h"
#include "nnc/graph.h"
#include "nnc/status.h"

namespace nnc::keras_frontend {

/// Knobs of one import (the frontend's options, already validated).
struct ImportOptions {
  /// Substituted for the unknown batch dim (None) of every input without an explicit shape.
  int64_t batch = 1;
  /// mx_nc-style shapes: "auto", or per model input, ';'-separated, channel-last without batch ("96,96,3").
  std::string input_shapes = "auto";
  /// Fail when the graph uses ops the reference executor lacks.
  bool check_ops = true;
};

/// Imports `source.path`: a full-model .h5 (model_config attribute + model_weights group), or an architecture
/// .json whose weights come from `source.extra_paths[0]` or, when none is given, a conventional sibling file
/// (<stem>.h5, <stem>.weights.h5, <stem>_weights.h5, the stem with struct/arch/config/model replaced by
/// "weights", else the only .h5 in the folder), named at -v. Never throws; every failure is a Status naming
/// the file and the problem.
Expected<Graph> import_keras_file(const ModelSource& source, const ImportOptions& options, DiagnosticSink* diag);

/// The nnc::Frontend registered as "frontend.keras".
class KerasFrontend : public Frontend {
 public:
  /// Resolves relative paths against ctx.base_dir, then calls import_keras_file().
  Expected<Graph> load(const ModelSource& source, const Options& options, Context& ctx) override;
};

}  // namespace nnc::keras_frontend
