// nnc core: Conv (N-d, groups, dilations, pads, auto_pad): im2col + GEMM, plain GEMM for 1x1 (depthwise: own file).
#include <algorithm>
#include <cstring>

#include "exec/conv_geometry.h"
#include "exec/kernels_linalg.h"
#include "exec/linalg_blas.h"

// Vector-extension values never cross a non-inlined call (no ABI concern).
#pragma GCC diagnostic ignored "-Wpsabi"

namespace nnc::exec::linalg {
namespace conv_impl {

using geom::Window;

typedef float v8f __attribute__((vector_size(32)));
typedef int v8i __attribute__((vector_size(32)));

/// d[o] = s[o * 2] for o < n (stride-2 convs: im2col of 7x7/2, 3x3/2 and 1x1/2 layers).
NNC_VECTOR_CLONES void gather_stride2_f32(float* __restrict d, const float* __restrict s, int64_t n) {
  int64_t o = 0;
  for (; o + 9 <= n; o += 8) {  // reads s[2o .. 2o + 15]; 2o + 15 < 2 (n - 1) keeps it inside
    v8f a, b;
    std::memcpy(&a, s + 2 * o, sizeof a);
    std::memcpy(&b, s + 2 * o + 8, sizeof b);
    v8f e = __builtin_shuffle(a, b, v8i{0, 2, 4, 6, 8, 10, 12, 14});
    std::memcpy(d + o, &e, sizeof e);
  }
  for (; o < n; ++o) d[o] = s[2 * o];
}

/// Rows (channel, kernel position) x columns [c0, c1) of the im2col matrix of `channels` planes at x.
template <typename T>
void im2col(const T* x, int64_t channels, const Window& w, int64_t c0, int64_t c1, T* col) {
  const size_t r = w.rank();
  const int64_t ks = w.kernel_size(), in_size = w.in_size(), width = c1 - c0;
  const int64_t ow_n = w.out[r - 1], sw = w.stride[r - 1];
  const int64_t row_first = c0 / ow_n, row_last = (c1 - 1) / ow_n;
  const std::vector<int64_t> in_strides = strides_of(w.in);
  std::vector<int64_t> row_offset(static_cast<size_t>(row_last - row_first + 1));
  std::vector<int64_t> kidx(r, 0), oidx(r, 0);
  for (int64_t kp = 0; kp < ks; ++kp) {
    for (int64_t rem = kp, d = static_cast<int64_t>(r) - 1; d >= 0; --d) {
      kidx[d] = rem % w.kernel[d];
      rem /= w.kernel[d];
    }
    // Input offset of each output row's start for this kernel position (-1: the row reads padding).
    for (int64_t orow = row_first; orow <= row_last; ++orow) {
      int64_t off = 0;
      for (int64_t rem = orow, d = static_cast<int64_t>(r) - 2; d >= 0 && off >= 0; --d) {
        int64_t o = rem % w.out[d];
        rem /= w.out[d];
        int64_t i = o * w.stride[d] - w.pad_begin[d] + kidx[d] * w.dilation[d];
        off = (i < 0 || i >= w.in[d]) ? -1 : off + i * in_strides[d];
      }
      row_offset[orow - row_first] = off;
    }
    int64_t lo, hi;
    w.valid_range(r - 1, kidx[r - 1], lo, hi);
    const int64_t shift = kidx[r - 1] * w.dilation[r - 1] - w.pad_begin[r - 1];
    for (int64_t c = 0; c < channels; ++c) {
      T* dst = col + (c * ks + kp) * width;
      const T* xc = x + c * in_size;
      for (int64_t orow = row_first; orow <= row_last; ++orow) {
        int64_t a = std::max(c0, orow * ow_n) - orow * ow_n, b = std::min(c1, (orow + 1) * ow_n) - orow * ow_n;
        T* d = dst + orow * ow_n + a - c0;
        int64_t off = row_offset[orow - row_first];
        if (off < 0) {
          std::fill(d, d + (b - a), T(0));
          continue;
        }
        int64_t v0 = std::clamp(lo, a, b), v1 = std::clamp(hi, v0, b);
        std::fill(d, d + (v0 - a), T(0));
        const T* src = xc + off + shift;
        if (sw == 1) {
          std::memcpy(d + (v0 - a), src + v0, static_cast<size_t>(v1 - v0) * sizeof(T));
        } else if (std::is_same_v<T, float> && sw == 2) {
          gather_stride2_f32(reinterpret_cast<float*>(d + (v0 - a)), reinterpret_cast<const float*>(src + 2 * v0), v1 - v0);
        } else {
          for (int64_t o = v0; o < v1; ++o) d[o - a] = src[o * sw];
        }
        std::fill(d + (v1 - a), d + (b - a), T(0));
      }
    }
  }
}

constexpr int64_t kIm2colBudget = 512 * 1024;  // bytes of im2col tile per thread (about half of L2)

/// General path: per (image, group), Y_g[M_g, OS] = W_g[M_g, K] * cols[K, OS] (+ bias), with the
/// columns tiled so each tile's im2col stays in cache; tiles of all images and groups share one
/// parallel loop. With fewer tiles than threads, each product is split by gemm_parallel instead.
template <typename T>
void conv_gemm(ThreadPool& pool, const T* x, const T* wt, const T* bias, T* y, int64_t batch, int64_t c_in,
               int64_t c_out, int64_t group, const Window& w, const FusedClamp* clamp) {
  const int64_t cg = c_in / group, mg = c_out / group, ks = w.kernel_size(), kdim = cg * ks;
  const int64_t in_size = w.in_size(), os = w.out_size(), threads = pool.size();
  bool pointwise = ks == 1;
  for (size_t d = 0; d < w.rank(); ++d)
    pointwise = pointwise && w.stride[d] == 1 && w.pad_begin[d] == 0 && w.pad_end[d] == 0;
  const int64_t tasks = batch * group;
  int64_t tile = pointwise ? os : std::max<int64_t>(64, kIm2colBudget / (kdim * int64_t(sizeof(T))) / 16 * 16);
  tile = std::min(tile, os);
  if (tasks * ((os + tile - 1) / tile) < threads) {
    int64_t want = (threads + tasks - 1) / tasks;
    if (os / want >= 32) tile = std::min(tile, ((os + want - 1) / want + 15) / 16 * 16);
  }
  // Even tiles (multiples of 16 columns) rather than full tiles and a thin remainder.
  int64_t per_task = (os + tile - 1) / tile;
  tile = std::min(os, ((os + per_task - 1) / per_task + 15) / 16 * 16);
  per_task = (os + tile - 1) / tile;
  const int64_t parts = tasks * per_task;
  auto run_part = [&](int64_t part, bool parallel_gemm) {
    int64_t task = part / per_task, n = task / group, g = task % group;
    int64_t c0 = (part % per_task) * tile, c1 = std::min(os, c0 + tile);
    const T* xg = x + (n * c_in + g * cg) * in_size;
    T* yg = y + (n * c_out + g * mg) * os;
    blas::Gemm<T> gm;
    gm.m = mg;
    gm.n = c1 - c0;
    gm.k = kdim;
    gm.a = wt + g * mg * kdim;
    gm.lda = kdim;
    gm.c = yg + c0;
    gm.ldc = os;
    if (pointwise) {
      gm.b = xg + c0;
      gm.ldb = in_size;
    } else {
      T* cols = blas::scratch_of<T>(static_cast<size_t>(kdim * (c1 - c0)));
      if (parallel_gemm) {  // im2col split over channels, then the product split over rows
        pool.parallel_for(cg, [&](int64_t b, int64_t e) {
          im2col(xg + b * in_size, e - b, w, c0, c1, cols + b * ks * (c1 - c0));
        });
      } else {
        im2col(xg, cg, w, c0, c1, cols);
      }
      gm.b = cols;
      gm.ldb = c1 - c0;
    }
    if (bias) gm.row_bias = bias + g * mg;
    gm.clamp = clamp;
    if (parallel_gemm)
      blas::gemm_parallel(pool, gm);
    else
      blas::gemm(gm);
  };
  if (parts >= threads || threads == 1) {
    pool.parallel_for(parts, [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) run_part(p, false);
    });
  } else {
    for (int64_t p = 0; p < parts; ++p) run_part(p, true);
  }
}

template <typename T>
Status run(KernelArgs& args, const Tensor& x, const Tensor& wt, const Tensor* b, int64_t group, const Window& w) {
  const auto& xs = x.shape();
  const int64_t batch = xs[0], c_in = xs[1], c_out = wt.shape()[0];
  std::vector<int64_t> out_shape{batch, c_out};
  out_shape.insert(out_shape.end(), w.out.begin(), w.out.end());
  const bool writes_all = w.in_size() > 0 && c_in > 0;  // else only a bias (or zeros) is written
  Tensor y = writes_all ? Tensor::uninitialized(x.dtype(), out_shape) : Tensor(x.dtype(), out_shape);
  if (y.element_count() > 0) {
    const T* bias = b ? b->data<T>().data() : nullptr;
    const bool is_depthwise = std::is_same_v<T, float> && group == c_in && group > 1 && w.rank() == 2;
    if constexpr (std::is_same_v<T, float>) {
      if (is_depthwise) {
        depthwise_conv2d(args.pool, x.data<float>().data(), wt.data<float>().data(), bias,
                         y.mutable_data<float>().data(), batch, c_in, c_out / group, w, args.fused_clamp);
        args.fused_clamp_applied = true;
        args.outputs[0] = std::move(y);
        return Status::ok();
      }
    }
    if (w.in_size() == 0 || c_in == 0) {  // nothing to sum: bias only
      T* yp = y.mutable_data<T>().data();
      if (bias)
        for (int64_t i = 0; i < y.element_count(); ++i) yp[i] = bias[(i / w.out_size()) % c_out];
    } else {
      conv_gemm<T>(args.pool, x.data<T>().data(), wt.data<T>().data(), bias, y.mutable_data<T>().data(), batch, c_in,
                   c_out, group, w, args.fused_clamp);
      args.fused_clamp_applied = true;
    }
  }
  args.outputs[0] = std::move(y);
  return Status::ok();
}

}  // namespace conv_impl

Expected<ConvOperands> conv_operands(const KernelArgs& args, const char* op) {
  const Tensor* x = args.input(0);
  const Tensor* wt = args.input(1);
  const Tensor* b = args.input(2);
  if (!x || !wt) return args.error(std::string(op) + " needs inputs X and W");
  if (args.output_count() < 1) return args.error(std::string(op) + " needs an output");
  if (x->dtype() != DType::kF32 && x->dtype() != DType::kF64)
    return args.unsupported(std::string(op) + " on " + dtype_name(x->dtype()) + " (f32 and f64 are supported)");
  NNC_RETURN_IF_ERROR(expect_dtype(*wt, x->dtype(), args, "W"));
  if (b) NNC_RETURN_IF_ERROR(expect_dtype(*b, x->dtype(), args, "B"));
  if (x->rank() < 3) return args.error("X must have shape [N, C, spatial...], got " + x->description());
  if (wt->rank() != x->rank())
    return args.error("W " + wt->description() + " must have the rank of X " + x->description());
  return ConvOperands{x, wt, b};
}

Status conv(KernelArgs& args) {
  using namespace conv_impl;
  NNC_ASSIGN_OR_RETURN(ConvOperands ops, conv_operands(args, "Conv"));
  const Tensor *x = ops.x, *wt = ops.w, *b = ops.b;
  const auto& xs = x->shape();
  const auto& ws = wt->shape();
  const int64_t group = attr_int(args.node, "group", 1);
  const int64_t c_in = xs[1], c_out = ws[0];
  if (group <= 0 || c_in % group != 0 || c_out % group != 0)
    return args.error("group " + std::to_string(group) + " must divide the " + std::to_string(c_in) +
                      " input channels and the " + std::to_string(c_out) + " output channels");
  if (ws[1] * group != c_in)
    return args.error("W " + wt->description() + " expects " + std::to_string(ws[1] * group) + " input channels (group " +
                      std::to_string(group) + "), X " + x->description() + " has " + std::to_string(c_in));
  if (b && (b->rank() != 1 || b->shape()[0] != c_out))
    return args.error("B " + b->description() + " must have shape [" + std::to_string(c_out) + "]");
  std::vector<int64_t> in(xs.begin() + 2, xs.end()), kernel(ws.begin() + 2, ws.end());
  std::vector<int64_t> declared = attr_ints(args.node, "kernel_shape");
  if (!declared.empty() && declared != kernel)
    return args.error("kernel_shape " + geom::dims_str(declared) + " differs from W's spatial dims " + geom::dims_str(kernel));
  NNC_ASSIGN_OR_RETURN(Window w, geom::window_for(args, in, kernel));
  if (x->dtype() == DType::kF32) return run<float>(args, *x, *wt, b, group, w);
  return run<double>(args, *x, *wt, b, group, w);
}

}  // namespace nnc::exec::linalg
