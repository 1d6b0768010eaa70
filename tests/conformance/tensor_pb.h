// nnc conformance: reads the test data's TensorProto .pb files into nnc Tensors (independently of the importer).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "nnc/status.h"
#include "nnc/tensor.h"

namespace nnc::conformance {

/// ONNX element type -> nnc DType; nullopt for types nnc lacks (STRING, COMPLEX*, FLOAT8*...).
std::optional<DType> dtype_of_onnx(int32_t elem_type);
/// "FLOAT16", "STRING", "data type 99".
std::string onnx_elem_name(int32_t elem_type);

/// A tensor read from a .pb file, with the name stored in it (often empty).
struct NamedTensor {
  std::string name;
  Tensor tensor;
};

/// Converts a TensorProto (raw_data or the typed *_data fields) holding elements of ONNX type
/// `elem_type`. A dtype nnc lacks is a kUnsupported error naming it; malformed data is a kParseError.
Expected<Tensor> tensor_from_proto(const onnx::TensorProto& tp, int32_t elem_type);

/// Reads and converts one input_K.pb / output_K.pb file. `declared` is the model's element type for
/// that input/output (0 = unknown). Quirk of the ONNX <= 1.13 generator (numpy has no bfloat16): a
/// BFLOAT16 model input/output's .pb is stored as UINT16 holding the bf16 bit patterns; such a file is
/// read as bf16.
Expected<NamedTensor> read_tensor_pb(const std::filesystem::path& file, int32_t declared);

/// The dims stored in one .pb file (whatever its element type), without converting its data.
Expected<std::vector<int64_t>> read_tensor_pb_dims(const std::filesystem::path& file);

}  // namespace nnc::conformance
