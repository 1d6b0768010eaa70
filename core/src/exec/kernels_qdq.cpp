// nnc core: QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear (ONNX QDQ), per-tensor and per-axis.
// Arithmetic follows ONNX Runtime's CPU kernels so QDQ models agree bit for bit: quantize computes
// round-half-even(x / scale) + zero_point in f32 then saturates; dequantize computes (q - zp) * scale in f32.
#include <algorithm>
#include <cmath>
#include <limits>

#include "exec/kernels_linalg.h"
#include "exec/tensor_util.h"

namespace nnc::exec::linalg {
namespace {

bool is_quantized_type(DType t) {
  return t == DType::kI8 || t == DType::kU8 || t == DType::kI16 || t == DType::kU16;
}

/// Scale and zero point per element group: one value (per-tensor) or one per index of `axis`.
struct QuantGrid {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int64_t axis_size = 1;  ///< 1 for per-tensor
  int64_t inner = 1;      ///< product of the dims after the axis
  int64_t channel_of(int64_t i) const { return axis_size == 1 ? 0 : (i / inner) % axis_size; }
};

/// Reads scale (input 1) and zero point (input 2, optional) and checks their shapes against `x` and the
/// node's axis (opset >= 13: 1-D per-axis tensors; older opsets: scalars only).
Expected<QuantGrid> read_grid(const KernelArgs& args, const Tensor& x, const Tensor& scale, const Tensor* zp) {
  QuantGrid g;
  if (scale.dtype() != DType::kF32) return args.unsupported("scale must be float32, got " + scale.description());
  if (scale.rank() > 1) return args.error("scale " + scale.description() + " must be a scalar or 1-D");
  if (zp && zp->element_count() != scale.element_count())
    return args.error("zero point " + zp->description() + " must have as many values as scale " + scale.description());
  if (scale.element_count() != 1) {  // per-axis
    if (args.opset < 13) return args.error("per-axis scales need opset 13 or newer");
    NNC_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(args.node.int_attribute("axis", 1), x.rank(), args));
    if (x.shape()[axis] != scale.element_count())
      return args.error("scale " + scale.description() + " must have " + std::to_string(x.shape()[axis]) +
                        " values (dim " + std::to_string(axis) + " of " + x.description() + ")");
    g.axis_size = scale.element_count();
    for (int64_t d = axis + 1; d < x.rank(); ++d) g.inner *= x.shape()[d];
  }
  for (int64_t i = 0; i < scale.element_count(); ++i) {
    float s = scale.data<float>()[i];
    if (!(s > 0.0f) || !std::isfinite(s)) return args.error("scale values must be positive and finite, got " + std::to_string(s));
    g.scale.push_back(s);
    g.zero_point.push_back(zp ? static_cast<int64_t>(zp->value_as_double(i)) : 0);
  }
  return g;
}

template <typename Q>
void quantize_into(const Tensor& x, const QuantGrid& g, Tensor& y) {
  constexpr float lo = static_cast<float>(std::numeric_limits<Q>::min());
  constexpr float hi = static_cast<float>(std::numeric_limits<Q>::max());
  auto out = y.mutable_data<Q>();
  for (int64_t i = 0; i < x.element_count(); ++i) {
    int64_t c = g.channel_of(i);
    float xv = x.dtype() == DType::kF32 ? x.data<float>()[i] : static_cast<float>(x.value_as_double(i));
    float v = std::nearbyint(xv / g.scale[c]) + static_cast<float>(g.zero_point[c]);
    v = std::isnan(v) ? 0.0f : std::clamp(v, lo, hi);  // ORT maps NaN to zero
    out[i] = static_cast<Q>(v);
  }
}

template <typename Q>
void dequantize_into(const Tensor& x, const QuantGrid& g, Tensor& y) {
  auto in = x.data<Q>();
  auto out = y.mutable_data<float>();
  for (int64_t i = 0; i < x.element_count(); ++i) {
    int64_t c = g.channel_of(i);
    out[i] = static_cast<float>(static_cast<int64_t>(in[i]) - g.zero_point[c]) * g.scale[c];
  }
}

}  // namespace

Status quantize_linear(KernelArgs& args) {
  const Tensor* x = args.input(0);
  const Tensor* scale = args.input(1);
  const Tensor* zp = args.input(2);
  if (!x || !scale) return args.error("QuantizeLinear needs x and y_scale");
  if (x->dtype() != DType::kF32 && x->dtype() != DType::kI32 && x->dtype() != DType::kF16)
    return args.unsupported("x must be float32, float16 or int32, got " + x->description());
  const DType out_type = zp ? zp->dtype() : DType::kU8;
  if (!is_quantized_type(out_type))
    return args.unsupported("output type " + std::string(dtype_name(out_type)) + " (int8, uint8, int16, uint16 are implemented)");
  if (args.node.int_attribute("saturate", 1) != 1) return args.unsupported("saturate=0 (float8 outputs)");
  NNC_ASSIGN_OR_RETURN(QuantGrid g, read_grid(args, *x, *scale, zp));
  Tensor y(out_type, x->shape());
  switch (out_type) {
    case DType::kI8: quantize_into<int8_t>(*x, g, y); break;
    case DType::kU8: quantize_into<uint8_t>(*x, g, y); break;
    case DType::kI16: quantize_into<int16_t>(*x, g, y); break;
    default: quantize_into<uint16_t>(*x, g, y); break;
  }
  args.outputs[0] = std::move(y);
  return Status::ok();
}

Status dequantize_linear(KernelArgs& args) {
  const Tensor* x = args.input(0);
  const Tensor* scale = args.input(1);
  const Tensor* zp = args.input(2);
  if (!x || !scale) return args.error("DequantizeLinear needs x and x_scale");
  if (zp && zp->dtype() != x->dtype())
    return args.error("x_zero_point " + zp->description() + " must have x's type " + x->description());
  if (!is_quantized_type(x->dtype()) && x->dtype() != DType::kI32)
    return args.unsupported("x must be int8, uint8, int16, uint16 or int32, got " + x->description());
  NNC_ASSIGN_OR_RETURN(QuantGrid g, read_grid(args, *x, *scale, zp));
  if (x->dtype() == DType::kI32)
    for (int64_t z : g.zero_point)
      if (z != 0) return args.error("int32 x needs a zero point of 0");
  Tensor y(DType::kF32, x->shape());
  switch (x->dtype()) {
    case DType::kI8: dequantize_into<int8_t>(*x, g, y); break;
    case DType::kU8: dequantize_into<uint8_t>(*x, g, y); break;
    case DType::kI16: dequantize_into<int16_t>(*x, g, y); break;
    case DType::kU16: dequantize_into<uint16_t>(*x, g, y); break;
    default: dequantize_into<int32_t>(*x, g, y); break;
  }
  args.outputs[0] = std::move(y);
  return Status::ok();
}

Status dynamic_quantize_linear(KernelArgs& args) {
  const Tensor* x = args.input(0);
  if (!x || x->dtype() != DType::kF32) return args.unsupported("x must be float32");
  auto in = x->data<float>();
  float lo = 0.0f, hi = 0.0f;  // the range always includes 0
  for (float v : in) {
    if (std::isnan(v)) return args.error("x holds NaN; its quantization range is undefined");
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const float scale = (hi - lo) / 255.0f;
  const float zp = scale == 0.0f ? 0.0f : std::clamp(std::nearbyint(-lo / scale), 0.0f, 255.0f);
  Tensor y(DType::kU8, x->shape());
  auto out = y.mutable_data<uint8_t>();
  for (size_t i = 0; i < in.size(); ++i)
    out[i] = scale == 0.0f ? static_cast<uint8_t>(zp)
                           : static_cast<uint8_t>(std::clamp(std::nearbyint(in[i] / scale) + zp, 0.0f, 255.0f));
  args.outputs[0] = std::move(y);
  if (args.output_count() > 1) args.outputs[1] = Tensor::from_vector<float>({scale}, {});
  if (args.output_count() > 2) args.outputs[2] = Tensor::from_vector<uint8_t>({static_cast<uint8_t>(zp)}, {});
  return Status::ok();
}

}  // namespace nnc::exec::linalg
