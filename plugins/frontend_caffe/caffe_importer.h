// nnc frontend_caffe: public entry points of the Caffe importer (.prototxt + .caffemodel -> nnc::Graph) and the Frontend.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "nnc/compile_job.h"
#include "nnc/components.h"
#include "nnc/diagnostics.h"
#include "nnc/graph.h"
#include "nnc/options.h"
#include "nnc/status.h"

namespace nnc::caffe_frontend {

/// Knobs of one import (the frontend's options, already validated).
struct ImportOptions {
  /// mx_nc-style shapes: "auto", or per graph input in order, ';'-separated, channel-last without
  /// batch ("240,320,3"); mapped onto the NCHW input.
  std::string input_shapes = "auto";
  /// Batch used when an input shape comes from `input_shapes` (the file's own batch otherwise).
  int64_t batch = 1;
  /// Blob names to expose as graph outputs instead of the net's final tops (graph cropping, e.g.
  /// "mbox_loc,mbox_conf_flatten,mbox_priorbox" to stop before DetectionOutput). Empty = final tops.
  std::vector<std::string> outputs;
};

/// Reads `source.path` (.prototxt; a .caffemodel given as path instead takes its sibling .prototxt)
/// and the weights: `source.extra_paths[0]` when given, else the sibling `<stem>.caffemodel` when it
/// exists (reported at -v). Never throws; every failure is a Status naming the file.
Expected<Graph> import_caffe(const ModelSource& source, const ImportOptions& options, DiagnosticSink* diag);

/// The nnc::Frontend registered as "frontend.caffe".
class CaffeFrontend : public Frontend {
 public:
  /// Resolves relative paths against ctx.base_dir, then calls import_caffe(). Exceptions are caught
  /// and returned as kPluginError.
  Expected<Graph> load(const ModelSource& source, const Options& options, Context& ctx) override;
};

}  // namespace nnc::caffe_frontend
