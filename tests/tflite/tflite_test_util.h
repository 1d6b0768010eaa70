// nnc tests: helpers for TFLite tests: a small flatbuffer model builder, real-model paths, running imported graphs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "nnc/graph.h"
#include "nnc/status.h"
#include "nnc/tensor.h"
#include "tflite_schema_generated.h"

namespace nnc::tflite_test {

namespace fb = ::nnc::tflite_fb;

/// Builds one-subgraph .tflite files in memory (what a converter would write).
class ModelBuilder {
 public:
  ModelBuilder();
  /// A tensor; `data` (raw little-endian bytes) makes it a constant. Returns its index.
  int tensor(const std::string& name, const std::vector<int32_t>& dims, fb::TensorType type = fb::TensorType::FLOAT32,
             const std::vector<uint8_t>& data = {}, const std::vector<float>& scales = {},
             const std::vector<int64_t>& zero_points = {}, int32_t quantized_dim = 0);
  int float_const(const std::string& name, const std::vector<int32_t>& dims, const std::vector<float>& values);
  int int32_const(const std::string& name, const std::vector<int32_t>& values);
  /// An operator; `custom` names a CUSTOM op (code must be CUSTOM).
  void op(fb::BuiltinOperator code, const std::vector<int32_t>& inputs, const std::vector<int32_t>& outputs,
          fb::BuiltinOptions options_type = fb::BuiltinOptions::NONE, flatbuffers::Offset<void> options = 0,
          const std::string& custom = {});
  /// Finishes the file with these graph inputs/outputs.
  std::string finish(const std::vector<int32_t>& inputs, const std::vector<int32_t>& outputs);
  flatbuffers::FlatBufferBuilder& fbb() { return fbb_; }

 private:
  flatbuffers::FlatBufferBuilder fbb_;
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors_;
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers_;
  std::vector<flatbuffers::Offset<fb::Operator>> ops_;
  std::vector<std::pair<fb::BuiltinOperator, std::string>> codes_;
};

/// ../shared/realmodels/tflite
std::filesystem::path realmodels_dir();
/// Every .tflite below realmodels_dir(), sorted.
std::vector<std::filesystem::path> real_tflite_files();

/// Imports bytes and runs them on the reference executor with the given inputs (by position).
Expected<std::vector<Tensor>> import_and_run(const std::string& bytes, const std::vector<Tensor>& inputs);
Expected<std::vector<Tensor>> run_graph(const Graph& g, const std::vector<Tensor>& inputs);

/// Raw bytes of float values.
std::vector<uint8_t> bytes_of(const std::vector<float>& v);

}  // namespace nnc::tflite_test
