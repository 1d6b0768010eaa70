// nnc frontend_tflite: a .tflite file read into memory, verified (flatbuffers Verifier + index/size checks) and viewed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nnc/status.h"
#include "tflite_schema_generated.h"

namespace nnc::tflite_frontend {

namespace fb = ::nnc::tflite_fb;

/// A verified TFLite model. Every index (tensor, buffer, opcode, subgraph input/output) and every
/// constant buffer size has been checked against the tensor shapes, so readers may index freely.
class TfliteModel {
 public:
  /// Reads and verifies `path`. Errors name the file and the problem (kParseError for corrupt
  /// files, kNotFound/kIoError for missing or unreadable ones).
  static Expected<std::unique_ptr<TfliteModel>> load_file(const std::filesystem::path& path);
  /// Verifies `bytes` (copied); `name` names them in messages.
  static Expected<std::unique_ptr<TfliteModel>> load_bytes(std::string_view bytes, const std::string& name);

  const fb::Model& model() const noexcept { return *model_; }
  const fb::SubGraph& subgraph() const noexcept { return *model_->subgraphs()->Get(0); }
  const std::string& file() const noexcept { return file_; }
  /// Bytes of buffer `index` (empty when it holds no data).
  std::span<const std::byte> buffer_bytes(uint32_t index) const;
  /// Builtin operator of opcode `index` (max of the deprecated byte code and the int32 code).
  fb::BuiltinOperator builtin_code(uint32_t opcode_index) const;
  /// "CONV_2D", or the custom code for CUSTOM ops, for messages.
  std::string op_name(uint32_t opcode_index) const;
  /// Static dims of tensor `index` (the `shape` field).
  std::vector<int64_t> tensor_dims(int32_t index) const;
  /// Tensor's name or "tensor <i>".
  std::string tensor_name(int32_t index) const;

 private:
  TfliteModel() = default;
  Status validate();
  std::string file_;
  std::shared_ptr<std::vector<std::byte>> storage_;
  const fb::Model* model_ = nullptr;
};

/// Element size in bytes of a TFLite tensor type, 0 when nnc does not read that type.
size_t tflite_type_size(fb::TensorType type) noexcept;

}  // namespace nnc::tflite_frontend
