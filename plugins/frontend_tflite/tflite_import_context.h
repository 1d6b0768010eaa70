// nnc frontend_tflite: state of one import: TFLite tensors mapped to IR values (QDQ for quantized ones) and node helpers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nnc/diagnostics.h"
#include "nnc/graph.h"
#include "nnc/status.h"
#include "tflite_model.h"

namespace nnc::tflite_frontend {

/// Quantization of one TFLite tensor (scale/zero point per tensor or per axis).
struct QuantInfo {
  std::vector<float> scales;
  std::vector<int64_t> zero_points;  ///< same length as scales (zeros when the file gives none)
  int32_t axis = 0;                  ///< quantized_dimension, meaningful when scales.size() > 1
  bool per_axis() const noexcept { return scales.size() > 1; }
};

/// Translates the operators of one subgraph. Each TFLite tensor becomes one IR value holding it as the
/// file declares it (name, dtype); a quantized tensor (int8/uint8/int16/int32 with scales) is also read
/// through a DequantizeLinear "<name>/dq" float view, and a quantized operator result is computed in
/// float ("<name>/float") and stored through QuantizeLinear: ONNX QDQ, run by the float executor.
class ImportContext {
 public:
  ImportContext(const TfliteModel& model, Graph& graph, DiagnosticSink* diag);

  const TfliteModel& model() const noexcept { return model_; }
  Graph& graph() noexcept { return graph_; }

  // --- the operator being translated ---
  void begin_operator(uint32_t index);
  const fb::Operator& op() const noexcept { return *op_; }
  /// "operator 3 (CONV_2D)" for messages.
  std::string op_label() const;
  Location at() const;
  /// An error located at the current operator.
  Status error(ErrorCode code, const std::string& message, const std::string& hint = {}) const;
  Status unsupported(const std::string& what, const std::string& hint = {}) const;
  void warn(const std::string& message) const;
  void verbose(const std::string& message) const;

  // --- operands ---
  size_t input_count() const;
  /// True when input `k` exists and is not the -1 "omitted" marker.
  bool has_input(size_t k) const;
  int32_t input_tensor(size_t k) const;
  int32_t output_tensor(size_t k) const;
  /// Value to compute with for input `k`: float (dequantized) for quantized tensors, else as stored.
  Expected<Value*> input(size_t k);
  /// Constant contents of input `k` as stored in the file (error when it is not a constant).
  Expected<Tensor> constant_input(size_t k);
  /// Constant int32/int64 input as int64 values.
  Expected<std::vector<int64_t>> constant_ints(size_t k);
  bool is_constant_input(size_t k) const;
  /// Declared dims of a tensor; nullopt when some dim is dynamic (-1 in shape_signature).
  std::optional<std::vector<int64_t>> static_dims(int32_t tensor) const;
  std::vector<int64_t> declared_dims(int32_t tensor) const { return model_.tensor_dims(tensor); }
  const fb::Tensor& tensor(int32_t index) const;
  std::optional<QuantInfo> quant(int32_t tensor) const;

  // --- results ---
  /// Name the translator gives the value it produces for output `k` ("<name>" or "<name>/float").
  std::string out_name(size_t k) const;
  /// Records `v` as output `k`: a fresh value named by out_name() (fresh = true), or an existing value
  /// the output aliases (fresh = false). Quantized outputs are stored through QuantizeLinear.
  Status set_output(size_t k, Value* v, bool fresh = true);

  // --- graph building ---
  /// Adds a node with one output named `name` (made unique) of the given dtype/shape.
  Value* add(const std::string& op_type, const std::vector<Value*>& inputs, const std::string& name,
             std::map<std::string, Attribute> attrs = {}, DType dtype = DType::kF32, Shape shape = {},
             const std::string& domain = "");
  Value* const_i64(const std::vector<int64_t>& values, const std::string& base, bool scalar = false);
  Value* const_f32(const std::vector<float>& values, std::vector<int64_t> dims, const std::string& base);
  Value* transpose(Value* v, const std::vector<int64_t>& perm, const std::string& name);
  /// Applies a TFLite fused activation (NONE, RELU, RELU_N1_TO_1, RELU6, TANH) to `v`; the last node is
  /// named `name`. SIGN_BIT is an error.
  Expected<Value*> activation(Value* v, fb::ActivationFunctionType act, const std::string& name);
  /// A fresh name below the current operator's first output ("<out>/<what>").
  std::string tmp(const std::string& what) const;

  // --- whole-graph setup ---
  /// Creates graph inputs (dtype and dims as declared, `input_dims` overriding) and outputs.
  Status create_graph_inputs(const std::vector<std::vector<int64_t>>& input_dims);
  Status create_graph_outputs();

 private:
  Expected<Value*> stored_value(int32_t tensor);
  Expected<Value*> float_view(int32_t tensor);
  Expected<Tensor> constant_tensor(int32_t tensor) const;
  Status dq_params(int32_t tensor, const QuantInfo& q, DType int_type, std::vector<Value*>& extra,
                   std::map<std::string, Attribute>& attrs);

  const TfliteModel& model_;
  Graph& graph_;
  DiagnosticSink* diag_;
  const fb::Operator* op_ = nullptr;
  uint32_t op_index_ = 0;
  std::map<int32_t, Value*> stored_;  ///< tensor -> value as the file declares it
  std::map<int32_t, Value*> float_;   ///< tensor -> float view (quantized tensors)
};

/// IR dtype of a TFLite tensor type; nullopt when nnc does not support it.
std::optional<DType> dtype_of_tflite(fb::TensorType type) noexcept;

}  // namespace nnc::tflite_frontend
