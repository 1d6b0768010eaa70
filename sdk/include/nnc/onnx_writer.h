// nnc SDK: exports an IR graph as an ONNX model (ModelProto), in memory or to a file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "nnc/graph.h"
#include "nnc/status.h"

namespace nnc {

/// How write_onnx() / serialize_onnx() build the model.
struct OnnxWriteOptions {
  /// ModelProto.ir_version written (8 = ONNX 1.10+ readers).
  int64_t ir_version = 8;
  /// ModelProto.producer_name; producer_version is nnc's product version.
  std::string producer_name = "nnc";
  /// When true, constants larger than 1 KiB are stored in "<model file name>.data" beside the model
  /// (data_location EXTERNAL, 64-byte aligned offsets). Only write_onnx() supports it.
  bool large_constants_external = false;
};

/// Serialises `g` as ONNX bytes. Mapping (the reverse of the ONNX frontend):
///  - constants become initializers (every DType; kI4 as ONNX INT4 = 22, packed low nibble first);
///  - attributes of every kind, subgraphs (If/Loop bodies) recursively; floats are written as float;
///  - static dims -> dim_value, symbolic dims -> dim_param, unknown dims -> empty dimension,
///    unknown rank -> no shape;
///  - value_info for intermediate values whose dtype is known;
///  - opset imports from g.opsets() (default {"": 17} when empty; domains used by nodes but missing
///    get version 1);
///  - g.metadata() -> metadata_props, except "onnx.doc_string", "onnx.domain" and "onnx.model_version"
///    (written to the ModelProto fields of the same name) and "onnx.producer_name",
///    "onnx.producer_version", "onnx.ir_version" (which describe the file the graph was read from and
///    are not carried over).
/// Nodes are written in topological order (insertion order if the graph has a cycle).
/// Fails with kInvalidArgument when opts.large_constants_external is set (needs a file; use
/// write_onnx) and with kUnsupported when the model exceeds protobuf's 2 GB limit.
Expected<std::string> serialize_onnx(const Graph& g, const OnnxWriteOptions& opts = {});

/// Writes `g` to `path` atomically (and "<file name>.data" beside it when
/// opts.large_constants_external moves constants out). Errors name the file.
Status write_onnx(const Graph& g, const std::filesystem::path& path, const OnnxWriteOptions& opts = {});

}  // namespace nnc
