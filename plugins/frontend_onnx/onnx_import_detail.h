// nnc frontend_onnx: internal declarations shared by the importer's files (the only place protobuf types appear).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "nnc/diagnostics.h"
#include "nnc/graph.h"
#include "nnc/status.h"
#include "nnc/tensor.h"

namespace nnc::onnx_frontend::detail {

/// ONNX TensorProto.INT4 (ONNX 1.16+; not in the 1.12 headers). nnc's kI4 uses the same packing.
inline constexpr int32_t kOnnxInt4 = 22;

/// What every conversion needs: the model file (for messages), where external data lives, and
/// where warnings go.
struct ImportContext {
  std::string file;                  ///< model path as the user gave it
  std::filesystem::path model_dir;   ///< external data locations are relative to this
  DiagnosticSink* diag = nullptr;    ///< may be null (warnings are then dropped)

  /// Location naming the model file and, optionally, an object in it.
  Location at(std::string object = {}) const { return Location{file, 0, 0, std::move(object)}; }
  /// Reports a warning when a sink is attached.
  void warn(const std::string& message, std::string object = {}) const {
    if (diag) diag->warning(message, at(std::move(object)));
  }
};

/// ONNX element type -> DType (UNDEFINED -> kUndefined); nullopt for types nnc does not support.
std::optional<DType> dtype_from_onnx(int32_t elem_type);
/// Printable ONNX element type name ("FLOAT", "UINT16", "INT4", "data type 99").
std::string onnx_type_name(int32_t elem_type);

/// A ValueInfoProto's type as nnc sees it.
struct ValueType {
  bool is_tensor = false;       ///< false for sequence/map/optional types and a missing type
  int32_t elem_type = 0;        ///< raw ONNX element type
  std::optional<DType> dtype;   ///< nullopt when elem_type is unsupported
  Shape shape;                  ///< unknown rank when the type has no shape
};
/// Reads a TypeProto. Symbolic dims become Dim::symbolic, dims with neither value nor name unknown.
ValueType value_type_from_onnx(const onnx::TypeProto& type);

/// Converts a TensorProto. raw_data is released as it is copied to keep peak memory low; external
/// data is memory-mapped (Buffer::map_file) from ctx.model_dir. `what` names the tensor in errors
/// ("initializer 'w'").
Expected<Tensor> tensor_from_onnx(onnx::TensorProto& tp, const ImportContext& ctx, const std::string& what);

/// Enclosing graphs of a subgraph, innermost first; subgraphs may read their values by name.
struct Scope {
  Graph* graph = nullptr;
  const Scope* parent = nullptr;
};

/// Imports `gp` into the empty graph `g`: initializers, inputs (initializers listed as inputs are
/// skipped), nodes (two passes, so unsorted or cyclic graphs import), attributes incl. subgraphs,
/// value_info and outputs. `outer` is null for the main graph.
Status import_graph(onnx::GraphProto& gp, Graph& g, const ImportContext& ctx, const Scope* outer);

/// Converts one node attribute; `owner` describes the node for messages.
Expected<Attribute> attribute_from_onnx(onnx::AttributeProto& ap, const ImportContext& ctx, const Scope& scope,
                                        const std::string& owner);

}  // namespace nnc::onnx_frontend::detail
