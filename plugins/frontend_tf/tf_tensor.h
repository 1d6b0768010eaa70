// nnc frontend_tf: TensorFlow dtypes and TensorProto values as nnc DTypes and Tensors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nnc/dtype.h"
#include "nnc/status.h"
#include "nnc/tensor.h"
#include "tensor.pb.h"

namespace nnc::tf_frontend {

/// "DT_FLOAT", "DT_QUINT8", ... ("DT_<n>" for values the enum does not name). Reference types
/// (value + 100) are named like their value type with "_REF".
std::string tf_dtype_name(int tf_dtype);

/// The nnc element type holding a TensorFlow type (quantized types map to their storage type:
/// DT_QUINT8 -> u8). Reference types are accepted. Strings, complex, resource and variant types are
/// kUnsupported errors naming `what`.
Expected<DType> to_nnc_dtype(int tf_dtype, const std::string& what);

/// Tensor from raw little-endian element bytes (checked against the shape's size).
Expected<Tensor> tensor_from_bytes(int tf_dtype, const std::vector<int64_t>& shape, std::string_view bytes,
                                   const std::string& what);

/// Tensor from a TensorProto: tensor_content, or the typed *_val fields (a shorter list is padded
/// with its last value, as TensorFlow does). Errors name `what`.
Expected<Tensor> tensor_from_proto(const nnc::tfproto::TensorProto& proto, const std::string& what);

/// Dims of a TensorShapeProto (-1 for unknown dims); empty optional when the rank is unknown.
bool shape_from_proto(const nnc::tfproto::TensorShapeProto& proto, std::vector<int64_t>& dims);

}  // namespace nnc::tf_frontend
