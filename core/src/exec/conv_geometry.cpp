// nnc core: sliding-window geometry (strides, dilations, pads, auto_pad, ceil_mode) for Conv and pooling.
#include "exec/conv_geometry.h"

#include <algorithm>

namespace nnc::exec::geom {

std::string dims_str(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

void Window::valid_range(size_t d, int64_t kk, int64_t& lo, int64_t& hi) const {
  int64_t offset = kk * dilation[d] - pad_begin[d];
  lo = std::clamp<int64_t>(ceil_div(-offset, stride[d]), 0, out[d]);
  hi = std::clamp<int64_t>(ceil_div(in[d] - offset, stride[d]), 0, out[d]);
  if (hi < lo) hi = lo;
}

Expected<Window> window_for(const KernelArgs& args, const std::vector<int64_t>& in, const std::vector<int64_t>& kernel,
                            const WindowRules& rules) {
  const Node& n = args.node;
  const size_t r = in.size();
  Window w;
  w.in = in;
  w.kernel = kernel;
  w.stride = attr_ints(n, "strides", std::vector<int64_t>(r, 1));
  w.dilation = rules.has_dilations ? attr_ints(n, "dilations", std::vector<int64_t>(r, 1)) : std::vector<int64_t>(r, 1);
  std::vector<int64_t> pads = attr_ints(n, "pads", std::vector<int64_t>(2 * r, 0));
  if (w.stride.empty()) w.stride.assign(r, 1);
  if (w.dilation.empty()) w.dilation.assign(r, 1);
  if (pads.empty()) pads.assign(2 * r, 0);
  if (kernel.size() != r)
    return args.error("kernel shape " + dims_str(kernel) + " does not match the " + std::to_string(r) +
                      " spatial dims of the input");
  if (w.stride.size() != r) return args.error("strides " + dims_str(w.stride) + " need " + std::to_string(r) + " values");
  if (w.dilation.size() != r)
    return args.error("dilations " + dims_str(w.dilation) + " need " + std::to_string(r) + " values");
  if (pads.size() != 2 * r) return args.error("pads " + dims_str(pads) + " need " + std::to_string(2 * r) + " values");
  for (size_t d = 0; d < r; ++d) {
    if (kernel[d] <= 0) return args.error("kernel shape " + dims_str(kernel) + " must be positive");
    if (w.stride[d] <= 0) return args.error("strides " + dims_str(w.stride) + " must be positive");
    if (w.dilation[d] <= 0) return args.error("dilations " + dims_str(w.dilation) + " must be positive");
    if (pads[d] < 0 || pads[r + d] < 0) return args.error("pads " + dims_str(pads) + " must not be negative");
  }
  std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  if (auto_pad.empty()) auto_pad = "NOTSET";
  if (auto_pad != "NOTSET" && auto_pad != "VALID" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER")
    return args.error("auto_pad '" + auto_pad + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
  w.out.resize(r);
  w.pad_begin.resize(r);
  w.pad_end.resize(r);
  for (size_t d = 0; d < r; ++d) {
    int64_t extent = w.extent(d), s = w.stride[d];
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      w.out[d] = ceil_div(in[d], s);
      int64_t total = std::max<int64_t>(0, (w.out[d] - 1) * s + extent - in[d]);
      int64_t small = total / 2;
      w.pad_begin[d] = auto_pad == "SAME_UPPER" ? small : total - small;
      w.pad_end[d] = total - w.pad_begin[d];
      continue;
    }
    if (auto_pad == "NOTSET") {
      w.pad_begin[d] = pads[d];
      w.pad_end[d] = pads[r + d];
    } else {
      w.pad_begin[d] = w.pad_end[d] = 0;
    }
    int64_t room = in[d] + w.pad_begin[d] + w.pad_end[d] - extent;
    if (room < 0)
      return args.error("the window (kernel " + dims_str(kernel) + ", dilations " + dims_str(w.dilation) +
                        ") is larger than the padded input " + dims_str(in) + " along spatial dim " + std::to_string(d));
    if (rules.ceil_mode && auto_pad == "NOTSET") {
      w.out[d] = ceil_div(room, s) + 1;
      // The last window must start inside the input or its left padding (PyTorch / ONNX reference rule).
      if ((w.out[d] - 1) * s >= in[d] + w.pad_begin[d]) --w.out[d];
    } else {
      w.out[d] = room / s + 1;
    }
  }
  return w;
}

}  // namespace nnc::exec::geom
