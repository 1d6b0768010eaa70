// nnc core (internal): sliding-window geometry shared by Conv, ConvTranspose and the pooling kernels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "exec/tensor_util.h"

namespace nnc::exec::geom {

/// Per spatial dim: sizes, kernel, strides, dilations and the begin/end pads actually applied.
struct Window {
  std::vector<int64_t> in, out, kernel, stride, dilation, pad_begin, pad_end;

  size_t rank() const { return in.size(); }
  int64_t in_size() const { return product(in); }
  int64_t out_size() const { return product(out); }
  int64_t kernel_size() const { return product(kernel); }
  /// Span of the dilated kernel along dim d.
  int64_t extent(size_t d) const { return (kernel[d] - 1) * dilation[d] + 1; }
  /// Outputs o in [lo, hi) along dim d read an input inside the tensor at kernel offset kk
  /// (input index o * stride - pad_begin + kk * dilation).
  void valid_range(size_t d, int64_t kk, int64_t& lo, int64_t& hi) const;
};

/// Options of window_for().
struct WindowRules {
  bool ceil_mode = false;   ///< pooling ceil_mode (the last window must start inside input or left pad)
  bool has_dilations = true;
};

/// Reads strides, dilations, pads and auto_pad of `args.node` for a window over `in` with `kernel`,
/// validates them and computes the output size (ONNX Conv/Pool rules).
Expected<Window> window_for(const KernelArgs& args, const std::vector<int64_t>& in, const std::vector<int64_t>& kernel,
                            const WindowRules& rules = {});

/// floor(a / b) for b > 0 and any sign of a.
inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
inline int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

/// "[1, 2, 3]".
std::string dims_str(const std::vector<int64_t>& d);

}  // namespace nnc::exec::geom
