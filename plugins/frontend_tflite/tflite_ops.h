// nnc frontend_tflite: the TFLite operator translators (builtin code -> function emitting ONNX-semantics IR nodes).
#pragma once

#include <map>
#include <vector>

#include "tflite_import_context.h"

namespace nnc::tflite_frontend {

/// Translates the current operator of `ctx` (ctx.begin_operator() was called) into IR nodes.
using OpTranslator = Status (*)(ImportContext& ctx);

/// Translators by builtin code; each file adds its group.
void add_nn_translators(std::map<fb::BuiltinOperator, OpTranslator>& table);
void add_shape_translators(std::map<fb::BuiltinOperator, OpTranslator>& table);
void add_lstm_translators(std::map<fb::BuiltinOperator, OpTranslator>& table);

/// The complete table (built once).
const std::map<fb::BuiltinOperator, OpTranslator>& translator_table();

/// NHWC <-> NCHW permutations used around layout-sensitive ops.
inline const std::vector<int64_t> kToNchw{0, 3, 1, 2};
inline const std::vector<int64_t> kToNhwc{0, 2, 3, 1};

/// Loads constant input `k`, permutes its dims by `perm` (out dim i = in dim perm[i]) and returns the
/// float value to compute with: the permuted constant, or DequantizeLinear of the permuted integer
/// constant when it is quantized (the per-axis axis follows the permutation). A non-constant input is
/// transposed by a node instead.
Expected<Value*> permuted_weight(ImportContext& ctx, size_t k, const std::vector<int64_t>& perm);

/// Explicit TF padding for one spatial dim ("SAME": total = max((out-1)*stride + eff_k - in, 0), the
/// odd pixel at the end; "VALID": none). Returns {begin, end}.
std::pair<int64_t, int64_t> tf_same_pads(int64_t in, int64_t k, int64_t stride, int64_t dilation);

}  // namespace nnc::tflite_frontend
