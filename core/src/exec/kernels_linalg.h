// nnc core (internal): kernels of the linalg group (Conv, ConvTranspose, Gemm, MatMul, Einsum, integer forms).
#pragma once

#include "exec/conv_geometry.h"
#include "exec/kernel.h"

namespace nnc::exec::linalg {

/// The checked operands of Conv / ConvTranspose: X [N, C, spatial...] f32/f64, W of X's rank and
/// dtype, optional B of X's dtype, and an output slot (kernels_conv.cpp).
struct ConvOperands {
  const Tensor* x;
  const Tensor* w;
  const Tensor* b;  ///< nullptr when absent
};
Expected<ConvOperands> conv_operands(const KernelArgs& args, const char* op);

Status conv(KernelArgs& args);            ///< kernels_conv.cpp
Status conv_transpose(KernelArgs& args);  ///< kernels_conv_transpose.cpp
Status gemm(KernelArgs& args);            ///< kernels_matmul.cpp
Status matmul(KernelArgs& args);          ///< kernels_matmul.cpp
Status einsum(KernelArgs& args);          ///< kernels_einsum.cpp
Status conv_integer(KernelArgs& args);    ///< kernels_quant.cpp
Status qlinear_conv(KernelArgs& args);    ///< kernels_quant.cpp
Status matmul_integer(KernelArgs& args);  ///< kernels_quant.cpp
Status qlinear_matmul(KernelArgs& args);  ///< kernels_quant.cpp
Status quantize_linear(KernelArgs& args);          ///< kernels_qdq.cpp
Status dequantize_linear(KernelArgs& args);        ///< kernels_qdq.cpp
Status dynamic_quantize_linear(KernelArgs& args);  ///< kernels_qdq.cpp

/// Depthwise 2-D f32 conv (group == input channels, `multiplier` outputs per channel), direct loops
/// (kernels_conv_depthwise.cpp). y is [batch, channels * multiplier, w.out...]; `clamp` (optional) is
/// applied to each output plane while it is in cache.
void depthwise_conv2d(ThreadPool& pool, const float* x, const float* k, const float* bias, float* y, int64_t batch,
                      int64_t channels, int64_t multiplier, const geom::Window& w, const FusedClamp* clamp);

}  // namespace nnc::exec::linalg
