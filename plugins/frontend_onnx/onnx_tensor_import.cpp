// nnc frontend_onnx: tensor conversion: ONNX element types, TypeProto shapes, TensorProto data (raw, typed, external).
#include <bit>
#include <charconv>
#include <cstring>
#include <span>
#include <system_error>

#include "onnx_import_detail.h"

namespace nnc::onnx_frontend::detail {

static_assert(std::endian::native == std::endian::little, "the ONNX importer assumes a little-endian host");

namespace {

constexpr int64_t kMaxElements = int64_t{1} << 50;  // guards against absurd dims in corrupt files

std::string dims_str(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

/// Copies a typed field (float_data, int32_data...) into `dst`, converting each value to `T`.
template <typename T, typename Field>
void copy_converted(const Field& field, std::byte* dst) {
  for (int i = 0; i < field.size(); ++i) {
    T v = static_cast<T>(field.Get(i));
    std::memcpy(dst + static_cast<size_t>(i) * sizeof(T), &v, sizeof(T));
  }
}

Expected<Tensor> external_tensor(const onnx::TensorProto& tp, DType dtype, std::vector<int64_t> shape, size_t nbytes,
                                 const ImportContext& ctx, const std::string& what) {
  std::string location;
  int64_t offset = 0;
  int64_t length = -1;
  for (const auto& kv : tp.external_data()) {
    const std::string& v = kv.value();
    int64_t* target = kv.key() == "offset" ? &offset : kv.key() == "length" ? &length : nullptr;
    if (kv.key() == "location") {
      location = v;
    } else if (target) {
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), *target);
      if (ec != std::errc() || end != v.data() + v.size() || *target < 0) {
        return make_error(ErrorCode::kParseError,
                          what + " in '" + ctx.file + "' has a bad external-data " + kv.key() + " '" + v + "'",
                          ctx.at(what));
      }
    }
  }
  if (location.empty()) {
    return make_error(ErrorCode::kParseError,
                      what + " in '" + ctx.file + "' is stored externally but names no location", ctx.at(what),
                      "re-export the model with its external data");
  }
  const std::filesystem::path rel(location);
  bool escapes = rel.is_absolute();
  for (const auto& part : rel) escapes = escapes || part == "..";
  if (escapes) {
    return make_error(ErrorCode::kInvalidArgument,
                      what + " in '" + ctx.file + "' has external data at '" + location +
                          "', which is not a relative path inside the model's directory",
                      ctx.at(what), "keep external data files beside the model");
  }
  if (length >= 0 && static_cast<uint64_t>(length) != nbytes) {
    return make_error(ErrorCode::kParseError,
                      what + " in '" + ctx.file + "' declares " + std::to_string(length) +
                          " bytes of external data, but " + dtype_name(dtype) + dims_str(shape) + " needs " +
                          std::to_string(nbytes),
                      ctx.at(what));
  }
  if (nbytes == 0) return Tensor(dtype, std::move(shape));
  const std::filesystem::path full = ctx.model_dir / rel;
  std::error_code ec;
  const bool regular = std::filesystem::is_regular_file(full, ec);
  if (!regular) {
    return make_error(ErrorCode::kNotFound,
                      "external data file '" + full.string() + "' of " + what + " (model '" + ctx.file +
                          "') does not exist",
                      ctx.at(what), "copy '" + location + "' next to the model file");
  }
  const uintmax_t size = std::filesystem::file_size(full, ec);
  if (ec || static_cast<uintmax_t>(offset) + nbytes > size) {
    return make_error(ErrorCode::kParseError,
                      "external data file '" + full.string() + "' is too short for " + what + " (model '" + ctx.file +
                          "'): needs " + std::to_string(nbytes) + " bytes at offset " + std::to_string(offset) +
                          ", the file has " + std::to_string(ec ? 0 : size),
                      ctx.at(what), "re-export the model; the .data file is incomplete or belongs to another model");
  }
  auto buffer = Buffer::map_file(full, static_cast<size_t>(offset), nbytes);
  if (!buffer) return buffer.error().with_context("mapping external data of " + what + " (model '" + ctx.file + "')");
  return Tensor(dtype, std::move(shape), std::move(buffer).value());
}

}  // namespace

std::optional<DType> dtype_from_onnx(int32_t elem_type) {
  switch (elem_type) {
    case onnx::TensorProto::UNDEFINED: return DType::kUndefined;
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

std::string onnx_type_name(int32_t elem_type) {
  if (onnx::TensorProto_DataType_IsValid(elem_type)) {
    return onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(elem_type));
  }
  switch (elem_type) {
    case 17: return "FLOAT8E4M3FN";
    case 18: return "FLOAT8E4M3FNUZ";
    case 19: return "FLOAT8E5M2";
    case 20: return "FLOAT8E5M2FNUZ";
    case 21: return "UINT4";
    case kOnnxInt4: return "INT4";
    default: return "data type " + std::to_string(elem_type);
  }
}

ValueType value_type_from_onnx(const onnx::TypeProto& type) {
  ValueType vt;
  if (type.value_case() != onnx::TypeProto::kTensorType) return vt;
  const auto& tt = type.tensor_type();
  vt.is_tensor = true;
  vt.elem_type = tt.elem_type();
  vt.dtype = dtype_from_onnx(vt.elem_type);
  if (!tt.has_shape()) return vt;
  std::vector<Dim> dims;
  dims.reserve(static_cast<size_t>(tt.shape().dim_size()));
  for (const auto& d : tt.shape().dim()) {
    if (d.value_case() == onnx::TensorShapeProto::Dimension::kDimValue && d.dim_value() >= 0) {
      dims.emplace_back(d.dim_value());
    } else if (d.value_case() == onnx::TensorShapeProto::Dimension::kDimParam && !d.dim_param().empty()) {
      dims.push_back(Dim::symbolic(d.dim_param()));
    } else {
      dims.emplace_back();
    }
  }
  vt.shape = Shape(std::move(dims));
  return vt;
}

Expected<Tensor> tensor_from_onnx(onnx::TensorProto& tp, const ImportContext& ctx, const std::string& what) {
  const auto dtype = dtype_from_onnx(tp.data_type());
  if (!dtype || *dtype == DType::kUndefined) {
    return make_error(ErrorCode::kUnsupported,
                      what + " in '" + ctx.file + "' has element type " + onnx_type_name(tp.data_type()) +
                          ", which nnc does not support",
                      ctx.at(what),
                      "supported: FLOAT, FLOAT16, BFLOAT16, DOUBLE, INT64, INT32, INT16, INT8, UINT64, UINT32, UINT16, UINT8, "
                      "BOOL, INT4; "
                      "cast the tensor before exporting");
  }
  if (tp.has_segment()) {
    return make_error(ErrorCode::kUnsupported, what + " in '" + ctx.file + "' is a segmented tensor", ctx.at(what),
                      "re-export the model without tensor segments");
  }
  std::vector<int64_t> shape(tp.dims().begin(), tp.dims().end());
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && count > kMaxElements / d)) {
      return make_error(ErrorCode::kParseError, what + " in '" + ctx.file + "' has an invalid shape " + dims_str(shape),
                        ctx.at(what));
    }
    count *= d;
  }
  const size_t nbytes = dtype_storage_bytes(*dtype, count);
  if (tp.data_location() == onnx::TensorProto::EXTERNAL) {
    return external_tensor(tp, *dtype, std::move(shape), nbytes, ctx, what);
  }
  if (tp.has_raw_data()) {
    std::string* raw = tp.mutable_raw_data();
    if (raw->size() != nbytes) {
      return make_error(ErrorCode::kParseError,
                        what + " in '" + ctx.file + "' holds " + std::to_string(raw->size()) + " bytes of data, but " +
                            dtype_name(*dtype) + dims_str(shape) + " needs " + std::to_string(nbytes),
                        ctx.at(what), "re-export the model; the file is damaged");
    }
    if (nbytes == 0) return Tensor(*dtype, std::move(shape));
    auto buffer = Buffer::copy_of(std::span<const std::byte>(reinterpret_cast<const std::byte*>(raw->data()), nbytes));
    std::string().swap(*raw);  // release the protobuf copy now
    return Tensor(*dtype, std::move(shape), std::move(buffer));
  }

  // Typed fields: which one holds the data, and how many values it must have.
  int have = 0;
  int64_t need = count;
  switch (*dtype) {
    case DType::kF32: have = tp.float_data_size(); break;
    case DType::kF64: have = tp.double_data_size(); break;
    case DType::kI64: have = tp.int64_data_size(); break;
    case DType::kU32:
    case DType::kU64: have = tp.uint64_data_size(); break;  // ONNX keeps UINT32/UINT64 in uint64_data
    case DType::kI4: have = tp.int32_data_size(); need = (count + 1) / 2; break;
    default: have = tp.int32_data_size(); break;
  }
  if (have != need) {
    return make_error(ErrorCode::kParseError,
                      what + " in '" + ctx.file + "' holds " + std::to_string(have) + " values, but " +
                          dtype_name(*dtype) + dims_str(shape) + " needs " + std::to_string(need),
                      ctx.at(what), "re-export the model; the file is damaged");
  }
  Tensor t(*dtype, std::move(shape));
  if (count == 0) return t;
  std::byte* dst = t.mutable_raw_data();
  switch (*dtype) {
    case DType::kF32: copy_converted<float>(tp.float_data(), dst); break;
    case DType::kF64: copy_converted<double>(tp.double_data(), dst); break;
    case DType::kI64: copy_converted<int64_t>(tp.int64_data(), dst); break;
    case DType::kI32: copy_converted<int32_t>(tp.int32_data(), dst); break;
    case DType::kI16: copy_converted<int16_t>(tp.int32_data(), dst); break;
    case DType::kI8: copy_converted<int8_t>(tp.int32_data(), dst); break;
    case DType::kU8: copy_converted<uint8_t>(tp.int32_data(), dst); break;
    case DType::kU16: copy_converted<uint16_t>(tp.int32_data(), dst); break;
    case DType::kU32: copy_converted<uint32_t>(tp.uint64_data(), dst); break;
    case DType::kU64: copy_converted<uint64_t>(tp.uint64_data(), dst); break;
    case DType::kI4: copy_converted<uint8_t>(tp.int32_data(), dst); break;  // already packed 2 per value
    case DType::kF16:
    case DType::kBF16: copy_converted<uint16_t>(tp.int32_data(), dst); break;  // bit patterns
    case DType::kBool: {
      for (int i = 0; i < tp.int32_data_size(); ++i) dst[i] = std::byte{tp.int32_data(i) != 0 ? uint8_t{1} : uint8_t{0}};
      break;
    }
    case DType::kUndefined: break;
  }
  return t;
}

}  // namespace nnc::onnx_frontend::detail
