// nnc SDK: rewrites between QDQ graphs (QuantizeLinear/DequantizeLinear nodes) and QuantParams annotations.
#pragma once

#include "nnc/graph.h"
#include "nnc/status.h"

namespace nnc {

/// What fold_qdq found.
struct QdqFoldReport {
  int activations = 0;  ///< QuantizeLinear -> DequantizeLinear pairs turned into Value::quant()
  int weights = 0;      ///< DequantizeLinear(integer constant) turned into float constants with quant()
  int biases = 0;       ///< int32 constants (bias) dequantized and annotated kInt32
  std::vector<std::string> left;  ///< Q/DQ nodes kept because they do not form a foldable pattern (why)
};

/// Import of a pre-quantized model (ONNX QDQ, or what the TFLite/TF frontends produce): every
/// QuantizeLinear -> DequantizeLinear pair on an activation is removed and its scale/zero point set as
/// the QuantParams of the value; every DequantizeLinear of an integer constant becomes the dequantized
/// float constant carrying the original parameters (requantizing it with them gives back the exact
/// original integers). Scales and zero points must be constants. The result runs on the float reference
/// executor (as the unquantized model) and on the integer reference (nnc/quant_executor.h).
Expected<QdqFoldReport> fold_qdq(Graph& graph);

/// Options of insert_qdq.
struct QdqExportOptions {
  /// Write weights as integer constants behind DequantizeLinear (true, what ONNX Runtime and Netron
  /// expect) or as float constants behind a QuantizeLinear -> DequantizeLinear pair (false).
  bool integer_weights = true;
  /// Opset written for ai.onnx when the graph's is lower than what per-axis QDQ needs (13).
  int64_t min_opset = 13;
};

/// Export: a copy of `graph` where every value carrying integer QuantParams is followed by a
/// QuantizeLinear -> DequantizeLinear pair (constants: by DequantizeLinear of their quantized integers),
/// and bfloat16/float16 values by a rounding Cast pair. int4 is stored in int8 containers with values
/// limited to [-8, 7] (documented: ONNX 1.12 has no INT4). Running the result with the float reference
/// executor is nnc's fast (fake-quant) mode; ONNX Runtime runs it too.
Expected<Graph> insert_qdq(const Graph& graph, const QdqExportOptions& options = {});

/// Number of values carrying QuantParams (0: a float graph).
size_t count_quantized_values(const Graph& graph);

}  // namespace nnc
