// nnc core: the linalg-group op table (Conv, ConvTranspose, Gemm, MatMul, Einsum, integer/quantized forms).
#include "exec/kernels_linalg.h"

namespace nnc::exec {

std::span<const KernelEntry> linalg_kernels() {
  static const KernelEntry table[] = {
      {"", "Conv", 1, linalg::conv, "f32, f64; 1-3 (any) spatial dims"},
      {"", "ConvTranspose", 1, linalg::conv_transpose, "f32, f64"},
      {"", "Gemm", 1, linalg::gemm, "f32, f64, i32, i64"},
      {"", "MatMul", 1, linalg::matmul, "f32, f64, i32, i64"},
      {"", "Einsum", 12, linalg::einsum, "f32, f64, i32, i64"},
      {"", "ConvInteger", 10, linalg::conv_integer, "u8/i8 -> i32"},
      {"", "MatMulInteger", 10, linalg::matmul_integer, "u8/i8 -> i32"},
      {"", "QLinearConv", 10, linalg::qlinear_conv, "u8/i8; per-tensor or per-channel w_scale"},
      {"", "QLinearMatMul", 10, linalg::qlinear_matmul, "u8/i8; per-tensor or per-column b_scale"},
      {"", "QuantizeLinear", 10, linalg::quantize_linear, "f32/f16/i32 -> i8, u8, i16, u16 (16-bit as opset 21); per-axis from opset 13"},
      {"", "DequantizeLinear", 10, linalg::dequantize_linear, "i8, u8, i16, u16, i32 -> f32; per-axis from opset 13"},
      {"", "DynamicQuantizeLinear", 11, linalg::dynamic_quantize_linear, "f32 -> u8"},
  };
  return table;
}

}  // namespace nnc::exec
