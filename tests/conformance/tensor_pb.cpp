// nnc conformance: TensorProto -> Tensor for the test data (raw_data and typed fields, every dtype nnc has).
#include "tensor_pb.h"

#include <cstring>
#include <fstream>

namespace nnc::conformance {

namespace {

constexpr int32_t kOnnxInt4 = 22;  // TensorProto.INT4 (ONNX 1.16+), absent from the 1.12 headers

/// Number of elements of `dims`, or -1 when a dim is negative.
int64_t element_count_of(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) return -1;
    n *= d;
  }
  return n;
}

/// Copies typed proto values into `dst`, converting each to T.
template <typename T, typename Field>
void store_as(const Field& values, std::byte* dst) {
  for (int i = 0; i < values.size(); ++i) {
    T v = static_cast<T>(values.Get(i));
    std::memcpy(dst + static_cast<size_t>(i) * sizeof(T), &v, sizeof(T));
  }
}

/// How many typed values the proto holds for `dtype`.
int typed_value_count(const onnx::TensorProto& tp, DType dtype) {
  switch (dtype) {
    case DType::kF32: return tp.float_data_size();
    case DType::kF64: return tp.double_data_size();
    case DType::kI64: return tp.int64_data_size();
    case DType::kU32:
    case DType::kU64: return tp.uint64_data_size();
    default: return tp.int32_data_size();  // I32/I16/I8/U16/U8/BOOL, F16/BF16 bit patterns, packed I4
  }
}

/// Fills `t` from the typed fields (sizes already checked).
void store_typed(const onnx::TensorProto& tp, Tensor& t) {
  std::byte* dst = t.mutable_raw_data();
  switch (t.dtype()) {
    case DType::kF32: store_as<float>(tp.float_data(), dst); break;
    case DType::kF64: store_as<double>(tp.double_data(), dst); break;
    case DType::kI64: store_as<int64_t>(tp.int64_data(), dst); break;
    case DType::kI32: store_as<int32_t>(tp.int32_data(), dst); break;
    case DType::kI16: store_as<int16_t>(tp.int32_data(), dst); break;
    case DType::kI8: store_as<int8_t>(tp.int32_data(), dst); break;
    case DType::kU8: store_as<uint8_t>(tp.int32_data(), dst); break;
    case DType::kU16: store_as<uint16_t>(tp.int32_data(), dst); break;
    case DType::kU32: store_as<uint32_t>(tp.uint64_data(), dst); break;
    case DType::kU64: store_as<uint64_t>(tp.uint64_data(), dst); break;
    case DType::kI4: store_as<uint8_t>(tp.int32_data(), dst); break;  // two nibbles per value
    case DType::kF16:
    case DType::kBF16: store_as<uint16_t>(tp.int32_data(), dst); break;  // bit patterns
    case DType::kBool:
      for (int i = 0; i < tp.int32_data_size(); ++i) dst[i] = std::byte{static_cast<uint8_t>(tp.int32_data(i) != 0)};
      break;
    case DType::kUndefined: break;
  }
}

}  // namespace

std::optional<DType> dtype_of_onnx(int32_t elem_type) {
  switch (elem_type) {
    case onnx::TensorProto::FLOAT: return DType::kF32;
    case onnx::TensorProto::FLOAT16: return DType::kF16;
    case onnx::TensorProto::BFLOAT16: return DType::kBF16;
    case onnx::TensorProto::DOUBLE: return DType::kF64;
    case onnx::TensorProto::INT64: return DType::kI64;
    case onnx::TensorProto::INT32: return DType::kI32;
    case onnx::TensorProto::INT16: return DType::kI16;
    case onnx::TensorProto::INT8: return DType::kI8;
    case onnx::TensorProto::UINT8: return DType::kU8;
    case onnx::TensorProto::UINT16: return DType::kU16;
    case onnx::TensorProto::UINT32: return DType::kU32;
    case onnx::TensorProto::UINT64: return DType::kU64;
    case onnx::TensorProto::BOOL: return DType::kBool;
    case kOnnxInt4: return DType::kI4;
    default: return std::nullopt;
  }
}

std::string onnx_elem_name(int32_t elem_type) {
  if (elem_type == kOnnxInt4) return "INT4";
  if (onnx::TensorProto::DataType_IsValid(elem_type))
    return onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(elem_type));
  return "data type " + std::to_string(elem_type);
}

Expected<Tensor> tensor_from_proto(const onnx::TensorProto& tp, int32_t elem_type) {
  const auto dtype = dtype_of_onnx(elem_type);
  if (!dtype)
    return make_error(ErrorCode::kUnsupported, "element type " + onnx_elem_name(elem_type) + " is not an nnc dtype");
  if (tp.data_location() == onnx::TensorProto::EXTERNAL)
    return make_error(ErrorCode::kUnsupported, "external data in a test .pb is not supported");
  std::vector<int64_t> dims(tp.dims().begin(), tp.dims().end());
  const int64_t count = element_count_of(dims);
  if (count < 0) return make_error(ErrorCode::kParseError, "negative dim in tensor shape");
  const size_t nbytes = dtype_storage_bytes(*dtype, count);
  Tensor t(*dtype, dims);
  if (tp.has_raw_data()) {
    if (tp.raw_data().size() != nbytes)
      return make_error(ErrorCode::kParseError, "raw_data has " + std::to_string(tp.raw_data().size()) +
                                                    " bytes, " + t.description() + " needs " + std::to_string(nbytes));
    if (nbytes) std::memcpy(t.mutable_raw_data(), tp.raw_data().data(), nbytes);
    return t;
  }
  const int64_t need = *dtype == DType::kI4 ? (count + 1) / 2 : count;
  if (typed_value_count(tp, *dtype) != need)
    return make_error(ErrorCode::kParseError, "typed data has " + std::to_string(typed_value_count(tp, *dtype)) +
                                                  " values, " + t.description() + " needs " + std::to_string(need));
  if (count) store_typed(tp, t);
  return t;
}

Expected<NamedTensor> read_tensor_pb(const std::filesystem::path& file, int32_t declared) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIoError, "cannot open " + file.string());
  onnx::TensorProto tp;
  if (!tp.ParseFromIstream(&in)) return make_error(ErrorCode::kParseError, file.string() + " is not a TensorProto");
  int32_t elem_type = tp.data_type();
  if (elem_type == onnx::TensorProto::UINT16 && declared == onnx::TensorProto::BFLOAT16) elem_type = declared;
  auto t = tensor_from_proto(tp, elem_type);
  if (!t) return t.error().with_context(file.filename().string());
  return NamedTensor{tp.name(), std::move(*t)};
}

Expected<std::vector<int64_t>> read_tensor_pb_dims(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIoError, "cannot open " + file.string());
  onnx::TensorProto tp;
  if (!tp.ParseFromIstream(&in)) return make_error(ErrorCode::kParseError, file.string() + " is not a TensorProto");
  return std::vector<int64_t>(tp.dims().begin(), tp.dims().end());
}

}  // namespace nnc::conformance
