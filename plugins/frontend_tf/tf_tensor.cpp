// nnc frontend_tf: TensorFlow dtypes and TensorProto values as nnc DTypes and Tensors.
#include "tf_tensor.h"

#include <cstring>
#include <limits>

namespace nnc::tf_frontend {
namespace {

using nnc::tfproto::DataType;

constexpr int64_t kMaxElements = int64_t{1} << 34;  // 16 Gi elements: larger is a corrupt shape

Status bad(const std::string& what, const std::string& why, const std::string& hint = "") {
  return make_error(ErrorCode::kParseError, what + ": " + why, {}, hint.empty() ? "re-export the model / check the file is complete" : hint);
}

Expected<int64_t> element_count(const std::vector<int64_t>& shape, const std::string& what) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return bad(what, "has a negative dim in its shape");
    if (d != 0 && n > kMaxElements / d) return bad(what, "has an implausibly large shape");
    n *= d;
  }
  return n;
}

std::string shape_str(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

template <typename Dst, typename Src>
Tensor fill_from(DType dt, const std::vector<int64_t>& shape, int64_t n, const Src& vals) {
  Tensor t(dt, shape);
  auto out = t.mutable_data<Dst>();
  for (int64_t i = 0; i < n; ++i) {
    const auto& v = vals[static_cast<int>(std::min<int64_t>(i, vals.size() - 1))];
    out[static_cast<size_t>(i)] = static_cast<Dst>(v);
  }
  return t;
}

}  // namespace

std::string tf_dtype_name(int tf_dtype) {
  if (tf_dtype > 100 && nnc::tfproto::DataType_IsValid(tf_dtype)) return tf_dtype_name(tf_dtype - 100) + "_REF";
  if (nnc::tfproto::DataType_IsValid(tf_dtype)) return nnc::tfproto::DataType_Name(static_cast<DataType>(tf_dtype));
  return "DT_" + std::to_string(tf_dtype);
}

Expected<DType> to_nnc_dtype(int tf_dtype, const std::string& what) {
  const int t = tf_dtype > 100 ? tf_dtype - 100 : tf_dtype;
  switch (t) {
    case nnc::tfproto::DT_FLOAT: return DType::kF32;
    case nnc::tfproto::DT_DOUBLE: return DType::kF64;
    case nnc::tfproto::DT_HALF: return DType::kF16;
    case nnc::tfproto::DT_BFLOAT16: return DType::kBF16;
    case nnc::tfproto::DT_INT64: return DType::kI64;
    case nnc::tfproto::DT_INT32:
    case nnc::tfproto::DT_QINT32: return DType::kI32;
    case nnc::tfproto::DT_INT16:
    case nnc::tfproto::DT_QINT16: return DType::kI16;
    case nnc::tfproto::DT_INT8:
    case nnc::tfproto::DT_QINT8: return DType::kI8;
    case nnc::tfproto::DT_UINT8:
    case nnc::tfproto::DT_QUINT8: return DType::kU8;
    case nnc::tfproto::DT_UINT16:
    case nnc::tfproto::DT_QUINT16: return DType::kU16;
    case nnc::tfproto::DT_UINT32: return DType::kU32;
    case nnc::tfproto::DT_UINT64: return DType::kU64;
    case nnc::tfproto::DT_BOOL: return DType::kBool;
    default: break;
  }
  return make_error(ErrorCode::kUnsupported, what + " has TensorFlow type " + tf_dtype_name(tf_dtype) + ", which nnc does not represent",
                    {}, "cut the graph before this tensor with the frontend options inputs/outputs");
}

bool shape_from_proto(const nnc::tfproto::TensorShapeProto& proto, std::vector<int64_t>& dims) {
  dims.clear();
  if (proto.unknown_rank()) return false;
  for (const auto& d : proto.dim()) dims.push_back(d.size() < 0 ? -1 : d.size());
  return true;
}

Expected<Tensor> tensor_from_bytes(int tf_dtype, const std::vector<int64_t>& shape, std::string_view bytes,
                                   const std::string& what) {
  NNC_ASSIGN_OR_RETURN(DType dt, to_nnc_dtype(tf_dtype, what));
  NNC_ASSIGN_OR_RETURN(int64_t n, element_count(shape, what));
  const size_t need = dtype_storage_bytes(dt, n);
  if (bytes.size() != need) {
    return bad(what, "holds " + std::to_string(bytes.size()) + " bytes, but " + tf_dtype_name(tf_dtype) +
                         shape_str(shape) + " needs " + std::to_string(need));
  }
  Tensor t(dt, shape);
  if (need) std::memcpy(t.mutable_raw_data(), bytes.data(), need);
  if (dt == DType::kBool) {  // normalise to 0/1
    auto* p = reinterpret_cast<uint8_t*>(t.mutable_raw_data());
    for (int64_t i = 0; i < n; ++i) p[i] = p[i] ? 1 : 0;
  }
  return t;
}

Expected<Tensor> tensor_from_proto(const nnc::tfproto::TensorProto& proto, const std::string& what) {
  std::vector<int64_t> shape;
  if (!shape_from_proto(proto.tensor_shape(), shape)) return bad(what, "has a tensor of unknown rank");
  for (int64_t d : shape)
    if (d < 0) return bad(what, "has a constant with an unknown dim in its shape");
  if (!proto.tensor_content().empty()) return tensor_from_bytes(proto.dtype(), shape, proto.tensor_content(), what);
  NNC_ASSIGN_OR_RETURN(DType dt, to_nnc_dtype(proto.dtype(), what));
  NNC_ASSIGN_OR_RETURN(int64_t n, element_count(shape, what));
  auto check = [&](int count) -> Status {
    if (count == 0 && n > 0) {
      // TensorFlow fills an empty value list with zeros.
      return Status::ok();
    }
    if (count > n) return bad(what, "lists " + std::to_string(count) + " values for " + std::to_string(n) + " elements");
    return Status::ok();
  };
  switch (proto.dtype()) {
    case nnc::tfproto::DT_FLOAT:
      NNC_RETURN_IF_ERROR(check(proto.float_val_size()));
      if (proto.float_val_size() == 0) return Tensor(dt, shape);
      return fill_from<float>(dt, shape, n, proto.float_val());
    case nnc::tfproto::DT_DOUBLE:
      NNC_RETURN_IF_ERROR(check(proto.double_val_size()));
      if (proto.double_val_size() == 0) return Tensor(dt, shape);
      return fill_from<double>(dt, shape, n, proto.double_val());
    case nnc::tfproto::DT_INT64:
      NNC_RETURN_IF_ERROR(check(proto.int64_val_size()));
      if (proto.int64_val_size() == 0) return Tensor(dt, shape);
      return fill_from<int64_t>(dt, shape, n, proto.int64_val());
    case nnc::tfproto::DT_BOOL:
      NNC_RETURN_IF_ERROR(check(proto.bool_val_size()));
      if (proto.bool_val_size() == 0) return Tensor(dt, shape);
      return fill_from<uint8_t>(dt, shape, n, proto.bool_val());
    case nnc::tfproto::DT_INT32:
    case nnc::tfproto::DT_QINT32:
      NNC_RETURN_IF_ERROR(check(proto.int_val_size()));
      if (proto.int_val_size() == 0) return Tensor(dt, shape);
      return fill_from<int32_t>(dt, shape, n, proto.int_val());
    case nnc::tfproto::DT_INT16:
    case nnc::tfproto::DT_QINT16:
      NNC_RETURN_IF_ERROR(check(proto.int_val_size()));
      if (proto.int_val_size() == 0) return Tensor(dt, shape);
      return fill_from<int16_t>(dt, shape, n, proto.int_val());
    case nnc::tfproto::DT_UINT16:
    case nnc::tfproto::DT_QUINT16:
      NNC_RETURN_IF_ERROR(check(proto.int_val_size()));
      if (proto.int_val_size() == 0) return Tensor(dt, shape);
      return fill_from<uint16_t>(dt, shape, n, proto.int_val());
    case nnc::tfproto::DT_INT8:
    case nnc::tfproto::DT_QINT8:
      NNC_RETURN_IF_ERROR(check(proto.int_val_size()));
      if (proto.int_val_size() == 0) return Tensor(dt, shape);
      return fill_from<int8_t>(dt, shape, n, proto.int_val());
    case nnc::tfproto::DT_UINT8:
    case nnc::tfproto::DT_QUINT8:
      NNC_RETURN_IF_ERROR(check(proto.int_val_size()));
      if (proto.int_val_size() == 0) return Tensor(dt, shape);
      return fill_from<uint8_t>(dt, shape, n, proto.int_val());
    case nnc::tfproto::DT_HALF:
    case nnc::tfproto::DT_BFLOAT16:
      NNC_RETURN_IF_ERROR(check(proto.half_val_size()));
      if (proto.half_val_size() == 0) return Tensor(dt, shape);
      return fill_from<uint16_t>(dt, shape, n, proto.half_val());
    case nnc::tfproto::DT_UINT32:
      NNC_RETURN_IF_ERROR(check(proto.uint32_val_size()));
      if (proto.uint32_val_size() == 0) return Tensor(dt, shape);
      return fill_from<uint32_t>(dt, shape, n, proto.uint32_val());
    case nnc::tfproto::DT_UINT64:
      NNC_RETURN_IF_ERROR(check(proto.uint64_val_size()));
      if (proto.uint64_val_size() == 0) return Tensor(dt, shape);
      return fill_from<uint64_t>(dt, shape, n, proto.uint64_val());
    default: break;
  }
  return make_error(ErrorCode::kUnsupported, what + " has TensorFlow type " + tf_dtype_name(proto.dtype()), {},
                    "cut the graph before this tensor with the frontend options inputs/outputs");
}

}  // namespace nnc::tf_frontend
