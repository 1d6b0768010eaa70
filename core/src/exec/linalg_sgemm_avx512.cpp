// nnc core: AVX-512 SGEMM for the common executor case (row-major, no transposes, alpha 1, beta 0 or 1, row bias).
#include <immintrin.h>

#include <algorithm>
#include <cstdlib>

#include "exec/linalg_blas.h"

namespace nnc::exec::blas {
namespace {

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define NNC_AVX512 __attribute__((target("avx512f,fma")))

constexpr int64_t kMr = 12;   // rows of C per micro-tile (24 accumulators)
constexpr int64_t kNr = 32;   // columns per micro-tile (two vectors)
constexpr int64_t kKc = 512;  // reduction chunk (a 12 x 512 slice of A: 24 KiB)
constexpr int64_t kNc = 256;  // column block (a 512 x 256 block of B: 512 KiB, L2)

/// C[0..MR, 0..nr) (+)= A[0..MR, 0..kc) * B[0..kc, 0..nr), nr <= 32 (masked). No packing: A rows are
/// read by broadcasts (MR sequential streams), B rows by two vector loads per k.
template <int MR>
NNC_AVX512 void micro(const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc, int64_t kc,
                      int64_t nr, bool accumulate, const float* bias, const FusedClamp* clamp) {
  const __mmask16 m0 = nr >= 16 ? __mmask16(0xffff) : __mmask16((1u << nr) - 1);
  const __mmask16 m1 = nr >= 32 ? __mmask16(0xffff) : nr <= 16 ? __mmask16(0) : __mmask16((1u << (nr - 16)) - 1);
  __m512 acc0[MR], acc1[MR];
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    if (accumulate) {
      acc0[r] = _mm512_maskz_loadu_ps(m0, c + r * ldc);
      acc1[r] = _mm512_maskz_loadu_ps(m1, c + r * ldc + 16);
    } else {
      acc0[r] = _mm512_setzero_ps();
      acc1[r] = _mm512_setzero_ps();
    }
    if (bias) {
      acc0[r] = _mm512_add_ps(acc0[r], _mm512_set1_ps(bias[r]));
      acc1[r] = _mm512_add_ps(acc1[r], _mm512_set1_ps(bias[r]));
    }
  }
  for (int64_t k = 0; k < kc; ++k) {
    const __m512 b0 = _mm512_maskz_loadu_ps(m0, b + k * ldb);
    const __m512 b1 = _mm512_maskz_loadu_ps(m1, b + k * ldb + 16);
  #pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
      const __m512 av = _mm512_set1_ps(a[r * lda + k]);
      acc0[r] = _mm512_fmadd_ps(av, b0, acc0[r]);
      acc1[r] = _mm512_fmadd_ps(av, b1, acc1[r]);
    }
  }
  if (clamp) {  // max(v, lo) maps NaN to lo (Relu); max(lo, v) keeps NaN (Clip)
    const __m512 lo = _mm512_set1_ps(clamp->lo), hi = _mm512_set1_ps(clamp->hi);
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      acc0[r] = clamp->nan_to_lo ? _mm512_max_ps(acc0[r], lo) : _mm512_max_ps(lo, acc0[r]);
      acc1[r] = clamp->nan_to_lo ? _mm512_max_ps(acc1[r], lo) : _mm512_max_ps(lo, acc1[r]);
      acc0[r] = _mm512_min_ps(hi, acc0[r]);
      acc1[r] = _mm512_min_ps(hi, acc1[r]);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    _mm512_mask_storeu_ps(c + r * ldc, m0, acc0[r]);
    _mm512_mask_storeu_ps(c + r * ldc + 16, m1, acc1[r]);
  }
}

/// Copies B[0..kc, 0..nc) (row stride ldb) into 32-column panels p[panel][k][32], zero-padding the
/// last panel: contiguous, TLB-friendly reads for the micro-kernel.
NNC_AVX512 void pack_b(const float* b, int64_t ldb, int64_t kc, int64_t nc, float* p) {
  for (int64_t j = 0; j < nc; j += kNr) {
    const int64_t nr = std::min(kNr, nc - j);
    const __mmask16 m0 = nr >= 16 ? __mmask16(0xffff) : __mmask16((1u << nr) - 1);
    const __mmask16 m1 = nr >= 32 ? __mmask16(0xffff) : nr <= 16 ? __mmask16(0) : __mmask16((1u << (nr - 16)) - 1);
    float* dst = p + (j / kNr) * kc * kNr;
    for (int64_t k = 0; k < kc; ++k) {
      _mm512_storeu_ps(dst + k * kNr, _mm512_maskz_loadu_ps(m0, b + k * ldb + j));
      _mm512_storeu_ps(dst + k * kNr + 16, _mm512_maskz_loadu_ps(m1, b + k * ldb + j + 16));
    }
  }
}

using MicroFn = void (*)(const float*, int64_t, const float*, int64_t, float*, int64_t, int64_t, int64_t, bool,
                         const float*, const FusedClamp*);
constexpr MicroFn kMicro[kMr + 1] = {nullptr,   micro<1>,  micro<2>, micro<3>, micro<4>,  micro<5>, micro<6>,
                                     micro<7>,  micro<8>,  micro<9>, micro<10>, micro<11>, micro<12>};

bool cpu_ok() {
  static const bool ok = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
  }();
  return ok;
}
#endif

}  // namespace

bool sgemm_avx512(const Gemm<float>& g) {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  if (std::getenv("NNC_NO_SGEMM512") || !cpu_ok() || g.trans_a || g.trans_b || g.alpha != 1.0f || (g.beta != 0.0f && g.beta != 1.0f)) return false;
  if (g.m <= 0 || g.n <= 0) return true;
  if (g.k <= 0 || g.n < 8) return false;  // K = 0: the generic path scales C; N < 8: GEMV-like, OpenBLAS
  // B is packed into panels when its rows lie far apart (an activation tensor used in place: TLB and
  // prefetch suffer); im2col tiles (rows a few hundred floats apart, L2-resident) are read directly.
  const bool pack = g.ldb > 512;
  float* packed = pack ? scratch_of<float>(static_cast<size_t>(kKc * (kNc + kNr)), 3) : nullptr;
  // Row blocks of equal height (64 rows: 6 x 10-11, not 5 x 12 + 4): short blocks waste issue slots.
  const int64_t blocks = (g.m + kMr - 1) / kMr, base = g.m / blocks, extra = g.m % blocks;
  for (int64_t n0 = 0; n0 < g.n; n0 += kNc) {
    const int64_t nc = std::min(kNc, g.n - n0);
    for (int64_t k0 = 0; k0 < g.k; k0 += kKc) {
      const int64_t kc = std::min(kKc, g.k - k0);
      const bool accumulate = k0 > 0 || g.beta != 0.0f;
      if (pack) pack_b(g.b + k0 * g.ldb + n0, g.ldb, kc, nc, packed);
      for (int64_t blk = 0, m0 = 0; blk < blocks; ++blk) {
        const int64_t mr = base + (blk < extra ? 1 : 0);
        const float* a = g.a + m0 * g.lda + k0;
        for (int64_t j = 0; j < nc; j += kNr) {
          const float* b = pack ? packed + (j / kNr) * kc * kNr : g.b + k0 * g.ldb + n0 + j;
          kMicro[mr](a, g.lda, b, pack ? kNr : g.ldb, g.c + m0 * g.ldc + n0 + j, g.ldc, kc, std::min(kNr, nc - j),
                     accumulate, k0 == 0 && g.row_bias ? g.row_bias + m0 : nullptr,
                     k0 + kc >= g.k ? g.clamp : nullptr);
        }
        m0 += mr;
      }
    }
  }
  return true;
#else
  return false;
#endif
}

}  // namespace nnc::exec::blas
