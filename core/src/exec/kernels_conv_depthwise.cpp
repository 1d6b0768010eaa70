// nnc core: direct depthwise 2-D Conv (f32): padded-plane 3x3 kernels (stride 1 and 2) and a general row kernel.
#include <algorithm>
#include <cstring>

#include "exec/kernels_linalg.h"
#include "exec/linalg_blas.h"

namespace nnc::exec::linalg {
namespace {

using geom::Window;

// GCC vector extensions: 8 floats, lowered to whatever the clone's ISA has (SSE pairs, AVX2). They
// never cross a non-inlined call, so the ABI note about 32-byte vectors does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"
typedef float v8f __attribute__((vector_size(32)));
typedef int v8i __attribute__((vector_size(32)));

[[gnu::always_inline]] inline v8f load8(const float* p) {
  v8f v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
[[gnu::always_inline]] inline void store8(float* p, v8f v) { std::memcpy(p, &v, sizeof v); }
[[gnu::always_inline]] inline v8f splat(float f) { return v8f{f, f, f, f, f, f, f, f}; }
/// Elements 0, 2, .., 14 (even) or 1, 3, .., 15 (odd) of the 16 floats a:b.
[[gnu::always_inline]] inline v8f evens(v8f a, v8f b) { return __builtin_shuffle(a, b, v8i{0, 2, 4, 6, 8, 10, 12, 14}); }
[[gnu::always_inline]] inline v8f odds(v8f a, v8f b) { return __builtin_shuffle(a, b, v8i{1, 3, 5, 7, 9, 11, 13, 15}); }

/// Copies the plane into p: rows [0, hp) x cols [0, wp) of the zero-padded input, shifted by the
/// begin pads, plus `slack` zeros after (vector reads may run past the last row).
void pad_plane(const float* x, const Window& w, int64_t hp, int64_t wp, int64_t slack, float* p) {
  const int64_t ih_n = w.in[0], iw_n = w.in[1], pt = w.pad_begin[0], pl = w.pad_begin[1];
  std::memset(p, 0, static_cast<size_t>(hp * wp + slack) * sizeof(float));
  const int64_t c0 = std::max<int64_t>(0, -pl), c1 = std::min(iw_n, wp - pl);
  for (int64_t r = std::max<int64_t>(0, pt); r < std::min(hp, ih_n + pt); ++r)
    if (c1 > c0) std::memcpy(p + r * wp + pl + c0, x + (r - pt) * iw_n + c0, static_cast<size_t>(c1 - c0) * sizeof(float));
}

/// 3x3, stride 1, no dilation, on the padded plane (width wp = ow + 2). Wide rows are computed row by
/// row; narrow ones (7x7, 14x14 maps) over the flattened grid: output q = oh * wp + ow is
/// sum k[kh][kw] * p[q + kh * wp + kw], the two extra columns per row computed and dropped, so the
/// vector loop runs over the whole plane without edge cases.
NNC_VECTOR_CLONES void dw3x3_s1(const float* x, const float* k, float bias, float* y, const Window& w) {
  const int64_t oh_n = w.out[0], ow_n = w.out[1], wp = ow_n + 2, hp = oh_n + 2;
  const int64_t total = oh_n * wp, blocks = (total + 7) / 8;
  float* p = blas::scratch_of<float>(static_cast<size_t>(hp * wp + 16), 1);
  pad_plane(x, w, hp, wp, 16, p);
  v8f kv[9];
  for (int i = 0; i < 9; ++i) kv[i] = splat(k[i]);
  const v8f b = splat(bias);
  if (ow_n >= 16) {  // wide rows: straight into y, row by row
    for (int64_t oh = 0; oh < oh_n; ++oh) {
      const float* r0 = p + oh * wp;
      const float* r1 = r0 + wp;
      const float* r2 = r1 + wp;
      float* yr = y + oh * ow_n;
      int64_t o = 0;
      for (; o + 8 <= ow_n; o += 8) {
        v8f acc = b + kv[0] * load8(r0 + o) + kv[1] * load8(r0 + o + 1) + kv[2] * load8(r0 + o + 2);
        acc += kv[3] * load8(r1 + o) + kv[4] * load8(r1 + o + 1) + kv[5] * load8(r1 + o + 2);
        acc += kv[6] * load8(r2 + o) + kv[7] * load8(r2 + o + 1) + kv[8] * load8(r2 + o + 2);
        store8(yr + o, acc);
      }
      for (; o < ow_n; ++o)
        yr[o] = bias + k[0] * r0[o] + k[1] * r0[o + 1] + k[2] * r0[o + 2] + k[3] * r1[o] + k[4] * r1[o + 1] +
                k[5] * r1[o + 2] + k[6] * r2[o] + k[7] * r2[o + 1] + k[8] * r2[o + 2];
    }
    return;
  }
  float* q = blas::scratch_of<float>(static_cast<size_t>(blocks * 8), 2);
  for (int64_t i = 0; i < blocks * 8; i += 8) {
    const float* r0 = p + i;
    const float* r1 = r0 + wp;
    const float* r2 = r1 + wp;
    v8f acc = b + kv[0] * load8(r0) + kv[1] * load8(r0 + 1) + kv[2] * load8(r0 + 2);
    acc += kv[3] * load8(r1) + kv[4] * load8(r1 + 1) + kv[5] * load8(r1 + 2);
    acc += kv[6] * load8(r2) + kv[7] * load8(r2 + 1) + kv[8] * load8(r2 + 2);
    store8(q + i, acc);
  }
  for (int64_t oh = 0; oh < oh_n; ++oh) std::memcpy(y + oh * ow_n, q + oh * wp, static_cast<size_t>(ow_n) * sizeof(float));
}

/// 3x3, stride 2 (both dims), no dilation, on the padded plane (width wp = 2 * ow + 1): each output
/// row reads three padded rows; even/odd lanes are split with shuffles.
NNC_VECTOR_CLONES void dw3x3_s2(const float* x, const float* k, float bias, float* y, const Window& w) {
  const int64_t oh_n = w.out[0], ow_n = w.out[1], wp = 2 * ow_n + 1, hp = 2 * oh_n + 1;
  float* p = blas::scratch_of<float>(static_cast<size_t>(hp * wp + 32), 1);
  pad_plane(x, w, hp, wp, 32, p);
  v8f kv[9];
  for (int i = 0; i < 9; ++i) kv[i] = splat(k[i]);
  const v8f b = splat(bias);
  for (int64_t oh = 0; oh < oh_n; ++oh) {
    float* yr = y + oh * ow_n;
    const float* rows[3] = {p + 2 * oh * wp, p + (2 * oh + 1) * wp, p + (2 * oh + 2) * wp};
    int64_t o = 0;
    for (; o + 8 <= ow_n; o += 8) {  // reads up to rows[r][2 * o + 17]: inside the row or the slack
      v8f acc = b;
      for (int r = 0; r < 3; ++r) {
        const float* s = rows[r] + 2 * o;
        v8f a0 = load8(s), a1 = load8(s + 8), c0 = load8(s + 2), c1 = load8(s + 10);
        acc += kv[3 * r] * evens(a0, a1) + kv[3 * r + 1] * odds(a0, a1) + kv[3 * r + 2] * evens(c0, c1);
      }
      store8(yr + o, acc);
    }
    for (; o < ow_n; ++o) {
      float acc = bias;
      for (int r = 0; r < 3; ++r)
        acc += k[3 * r] * rows[r][2 * o] + k[3 * r + 1] * rows[r][2 * o + 1] + k[3 * r + 2] * rows[r][2 * o + 2];
      yr[o] = acc;
    }
  }
}

/// Any kernel size, strides and dilations: each valid (kh, kw) tap is folded into the output row
/// over the output columns that read inside the input.
NNC_VECTOR_CLONES void dw_general(const float* x, const float* k, float bias, float* y, const Window& w) {
  const int64_t ih_n = w.in[0], iw_n = w.in[1], oh_n = w.out[0], ow_n = w.out[1];
  const int64_t kh_n = w.kernel[0], kw_n = w.kernel[1], sw = w.stride[1], dw = w.dilation[1];
  for (int64_t oh = 0; oh < oh_n; ++oh) {
    float* __restrict yr = y + oh * ow_n;
    for (int64_t o = 0; o < ow_n; ++o) yr[o] = bias;
    for (int64_t kh = 0; kh < kh_n; ++kh) {
      const int64_t ih = oh * w.stride[0] - w.pad_begin[0] + kh * w.dilation[0];
      if (ih < 0 || ih >= ih_n) continue;
      for (int64_t kw = 0; kw < kw_n; ++kw) {
        int64_t lo, hi;
        w.valid_range(1, kw, lo, hi);
        const float kv = k[kh * kw_n + kw];
        const float* __restrict xr = x + ih * iw_n - w.pad_begin[1] + kw * dw;
        int64_t o = lo;
        if (sw == 1)
          for (; o + 8 <= hi; o += 8)
            for (int j = 0; j < 8; ++j) yr[o + j] += kv * xr[o + j];
        for (; o < hi; ++o) yr[o] += kv * xr[o * sw];
      }
    }
  }
}

}  // namespace

void depthwise_conv2d(ThreadPool& pool, const float* x, const float* k, const float* bias, float* y, int64_t batch,
                      int64_t channels, int64_t multiplier, const Window& w, const FusedClamp* clamp) {
  const int64_t planes = batch * channels * multiplier, in_size = w.in_size(), out_size = w.out_size();
  const int64_t ks = w.kernel_size();
  const bool k3 = w.kernel[0] == 3 && w.kernel[1] == 3 && w.dilation[0] == 1 && w.dilation[1] == 1;
  const bool s1 = w.stride[0] == 1 && w.stride[1] == 1, s2 = w.stride[0] == 2 && w.stride[1] == 2;
  auto plane_fn = k3 && s1 ? dw3x3_s1 : k3 && s2 ? dw3x3_s2 : dw_general;
  pool.parallel_for(planes, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const int64_t oc = p % (channels * multiplier), n = p / (channels * multiplier);
      plane_fn(x + (n * channels + oc / multiplier) * in_size, k + oc * ks, bias ? bias[oc] : 0.0f, y + p * out_size, w);
      if (clamp) clamp->apply(y + p * out_size, 1, out_size, out_size);
    }
  });
}

}  // namespace nnc::exec::linalg
