// nnc core: ConvTranspose (N-d, groups, strides, dilations, pads, output_padding, output_shape, auto_pad): GEMM + col2im.
#include <algorithm>
#include <vector>

#include "exec/conv_geometry.h"
#include "exec/kernels_linalg.h"
#include "exec/linalg_blas.h"

namespace nnc::exec::linalg {
namespace {

using geom::Window;

/// Adjoint of im2col: y[channel][input position of (kernel pos, column)] += col[(channel, kernel pos), column].
/// `w` describes the forward conv: w.in = ConvTranspose output dims, w.out = ConvTranspose input dims.
template <typename T>
void col2im(const T* col, int64_t channels, const Window& w, T* y) {
  const size_t r = w.rank();
  const int64_t ks = w.kernel_size(), y_size = w.in_size(), cols = w.out_size();
  const int64_t ow_n = w.out[r - 1], sw = w.stride[r - 1], rows = cols / std::max<int64_t>(ow_n, 1);
  const std::vector<int64_t> y_strides = strides_of(w.in);
  std::vector<int64_t> row_offset(static_cast<size_t>(rows)), kidx(r, 0);
  for (int64_t kp = 0; kp < ks; ++kp) {
    for (int64_t rem = kp, d = static_cast<int64_t>(r) - 1; d >= 0; --d) {
      kidx[d] = rem % w.kernel[d];
      rem /= w.kernel[d];
    }
    for (int64_t orow = 0; orow < rows; ++orow) {
      int64_t off = 0;
      for (int64_t rem = orow, d = static_cast<int64_t>(r) - 2; d >= 0 && off >= 0; --d) {
        int64_t o = rem % w.out[d];
        rem /= w.out[d];
        int64_t i = o * w.stride[d] - w.pad_begin[d] + kidx[d] * w.dilation[d];
        off = (i < 0 || i >= w.in[d]) ? -1 : off + i * y_strides[d];
      }
      row_offset[orow] = off;
    }
    int64_t lo, hi;
    w.valid_range(r - 1, kidx[r - 1], lo, hi);
    const int64_t shift = kidx[r - 1] * w.dilation[r - 1] - w.pad_begin[r - 1];
    for (int64_t c = 0; c < channels; ++c) {
      const T* src = col + (c * ks + kp) * cols;
      T* yc = y + c * y_size;
      for (int64_t orow = 0; orow < rows; ++orow) {
        if (row_offset[orow] < 0) continue;
        T* dst = yc + row_offset[orow] + shift;
        const T* s = src + orow * ow_n;
        if (sw == 1) {
          for (int64_t o = lo; o < hi; ++o) dst[o] += s[o];
        } else {
          for (int64_t o = lo; o < hi; ++o) dst[o * sw] += s[o];
        }
      }
    }
  }
}

template <typename T>
void run(ThreadPool& pool, const T* x, const T* wt, const T* bias, T* y, int64_t batch, int64_t c_in, int64_t c_out,
         int64_t group, const Window& w) {
  const int64_t cg = c_in / group, mg = c_out / group, ks = w.kernel_size();
  const int64_t x_size = w.out_size(), y_size = w.in_size(), rows = mg * ks, tasks = batch * group;
  auto fill_bias = [&](int64_t n, int64_t g, int64_t m0, int64_t m1) {
    for (int64_t m = m0; m < m1; ++m) {
      T* p = y + (n * c_out + g * mg + m) * y_size;
      std::fill(p, p + y_size, bias ? bias[g * mg + m] : T(0));
    }
  };
  // W_g is [cg, rows]; the product needs its transpose. f32 stores it transposed once per call, so
  // the no-transpose AVX-512 kernel takes the product; f64 lets the BLAS transpose.
  std::vector<T> wt_t;
  if constexpr (std::is_same_v<T, float>) {
    wt_t.resize(static_cast<size_t>(group * rows * cg));
    for (int64_t g = 0; g < group; ++g)
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t r = 0; r < rows; ++r) wt_t[(g * rows + r) * cg + c] = wt[(g * cg + c) * rows + r];
  }
  auto product = [&](int64_t n, int64_t g, T* col) {
    blas::Gemm<T> gm;
    gm.m = rows;
    gm.n = x_size;
    gm.k = cg;
    if (wt_t.empty()) {
      gm.trans_a = true;
      gm.a = wt + g * cg * rows;
      gm.lda = rows;
    } else {
      gm.a = wt_t.data() + g * rows * cg;
      gm.lda = cg;
    }
    gm.b = x + (n * c_in + g * cg) * x_size;
    gm.ldb = x_size;
    gm.c = col;
    gm.ldc = x_size;
    return gm;
  };
  if (tasks >= pool.size()) {
    pool.parallel_for(tasks, [&](int64_t b, int64_t e) {
      T* col = blas::scratch_of<T>(static_cast<size_t>(rows * x_size));
      for (int64_t t = b; t < e; ++t) {
        int64_t n = t / group, g = t % group;
        fill_bias(n, g, 0, mg);
        if (cg == 0) continue;
        blas::gemm(product(n, g, col));
        col2im(col, mg, w, y + (n * c_out + g * mg) * y_size);
      }
    });
    return;
  }
  T* col = blas::scratch_of<T>(static_cast<size_t>(rows * x_size));
  for (int64_t t = 0; t < tasks; ++t) {
    int64_t n = t / group, g = t % group;
    pool.parallel_for(mg, [&](int64_t b, int64_t e) { fill_bias(n, g, b, e); });
    if (cg == 0) continue;
    blas::gemm_parallel(pool, product(n, g, col));
    pool.parallel_for(mg, [&](int64_t b, int64_t e) {
      col2im(col + b * ks * x_size, e - b, w, y + (n * c_out + g * mg + b) * y_size);
    });
  }
}

}  // namespace

Status conv_transpose(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(ConvOperands ops, conv_operands(args, "ConvTranspose"));
  const Tensor *x = ops.x, *wt = ops.w, *b = ops.b;
  const auto& xs = x->shape();
  const auto& ws = wt->shape();
  const size_t r = xs.size() - 2;
  const int64_t group = attr_int(args.node, "group", 1);
  const int64_t c_in = xs[1];
  if (group <= 0 || c_in % group != 0) return args.error("group " + std::to_string(group) + " must divide the " +
                                                          std::to_string(c_in) + " input channels");
  if (ws[0] != c_in) return args.error("W " + wt->description() + " must have " + std::to_string(c_in) + " rows (X's channels)");
  const int64_t c_out = ws[1] * group;
  if (b && (b->rank() != 1 || b->shape()[0] != c_out))
    return args.error("B " + b->description() + " must have shape [" + std::to_string(c_out) + "]");

  Window w;  // the forward conv whose adjoint this is: w.in = output dims, w.out = input dims
  w.out.assign(xs.begin() + 2, xs.end());
  w.kernel.assign(ws.begin() + 2, ws.end());
  std::vector<int64_t> declared = attr_ints(args.node, "kernel_shape");
  if (!declared.empty() && declared != w.kernel)
    return args.error("kernel_shape " + geom::dims_str(declared) + " differs from W's spatial dims " +
                      geom::dims_str(w.kernel));
  w.stride = attr_ints(args.node, "strides", std::vector<int64_t>(r, 1));
  w.dilation = attr_ints(args.node, "dilations", std::vector<int64_t>(r, 1));
  std::vector<int64_t> pads = attr_ints(args.node, "pads", std::vector<int64_t>(2 * r, 0));
  std::vector<int64_t> out_pad = attr_ints(args.node, "output_padding", std::vector<int64_t>(r, 0));
  std::vector<int64_t> out_shape = attr_ints(args.node, "output_shape");
  std::string auto_pad = attr_string(args.node, "auto_pad", "NOTSET");
  if (auto_pad.empty()) auto_pad = "NOTSET";
  if (out_shape.size() == r + 2) out_shape.erase(out_shape.begin(), out_shape.begin() + 2);
  if (w.stride.size() != r || w.dilation.size() != r || pads.size() != 2 * r || out_pad.size() != r ||
      (!out_shape.empty() && out_shape.size() != r))
    return args.error("strides, dilations, output_padding (" + std::to_string(r) + " values), pads (" +
                      std::to_string(2 * r) + ") or output_shape do not match the " + std::to_string(r) + " spatial dims");
  if (auto_pad != "NOTSET" && auto_pad != "VALID" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER")
    return args.error("auto_pad '" + auto_pad + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
  const bool same = auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
  w.in.resize(r);
  w.pad_begin.resize(r);
  w.pad_end.resize(r);
  for (size_t d = 0; d < r; ++d) {
    if (w.kernel[d] <= 0 || w.stride[d] <= 0 || w.dilation[d] <= 0)
      return args.error("kernel, strides and dilations must be positive");
    const int64_t full = w.stride[d] * (w.out[d] - 1) + out_pad[d] + w.extent(d);
    if (!out_shape.empty() || same) {
      const int64_t target = !out_shape.empty() ? out_shape[d] : w.out[d] * w.stride[d];
      int64_t total = full - target;
      if (same) {  // ONNX reference: SAME_UPPER puts the smaller half first
        int64_t half = geom::floor_div(total, 2);
        w.pad_begin[d] = auto_pad == "SAME_UPPER" ? half : total - half;
      } else {  // output_shape wins over pads; like ONNX Runtime, pad at the end first
        total = std::max<int64_t>(0, total);
        w.pad_begin[d] = total / 2;
      }
      w.pad_end[d] = total - w.pad_begin[d];
      w.in[d] = target;
    } else {
      w.pad_begin[d] = auto_pad == "VALID" ? 0 : pads[d];
      w.pad_end[d] = auto_pad == "VALID" ? 0 : pads[r + d];
      w.in[d] = full - w.pad_begin[d] - w.pad_end[d];
    }
    if (w.in[d] < 0)
      return args.error("the output size along spatial dim " + std::to_string(d) + " would be " + std::to_string(w.in[d]));
  }
  std::vector<int64_t> y_shape{xs[0], c_out};
  y_shape.insert(y_shape.end(), w.in.begin(), w.in.end());
  Tensor y(x->dtype(), y_shape);
  if (y.element_count() > 0 && w.out_size() > 0) {
    if (x->dtype() == DType::kF32)
      run<float>(args.pool, x->data<float>().data(), wt->data<float>().data(), b ? b->data<float>().data() : nullptr,
                 y.mutable_data<float>().data(), xs[0], c_in, c_out, group, w);
    else
      run<double>(args.pool, x->data<double>().data(), wt->data<double>().data(),
                  b ? b->data<double>().data() : nullptr, y.mutable_data<double>().data(), xs[0], c_in, c_out, group, w);
  } else if (y.element_count() > 0 && b) {  // empty input spatial dims: bias only
    const int64_t plane = w.in_size();
    for (int64_t i = 0; i < y.element_count(); ++i) {
      double v = b->value_as_double((i / plane) % c_out);
      if (x->dtype() == DType::kF32)
        y.mutable_data<float>()[i] = static_cast<float>(v);
      else
        y.mutable_data<double>()[i] = v;
    }
  }
  args.outputs[0] = std::move(y);
  return Status::ok();
}

}  // namespace nnc::exec::linalg
