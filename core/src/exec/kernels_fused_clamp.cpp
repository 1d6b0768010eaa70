// nnc core: the vectorised f32 loop of a folded Relu/Clip (FusedClamp::clamp_f32).
#include "exec/kernel.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define NNC_HAVE_AVX512_CLAMP 1
#endif

namespace nnc::exec {
namespace {

void clamp_scalar(float* p, int64_t n, float lo, float hi, bool nan_to_lo) {
  for (int64_t i = 0; i < n; ++i) {
    float v = p[i];
    v = nan_to_lo ? (v > lo ? v : lo) : (v < lo ? lo : v);  // NaN compares false either way
    p[i] = hi < v ? hi : v;
  }
}

#ifdef NNC_HAVE_AVX512_CLAMP
/// max(v, lo) gives lo for a NaN v (Relu); max(lo, v) gives v (Clip keeps NaN); min(hi, v) keeps v.
__attribute__((target("avx512f"))) void clamp_avx512(float* p, int64_t n, float lo, float hi, bool nan_to_lo) {
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m512 v = _mm512_loadu_ps(p + i);
    v = nan_to_lo ? _mm512_max_ps(v, vlo) : _mm512_max_ps(vlo, v);
    _mm512_storeu_ps(p + i, _mm512_min_ps(vhi, v));
  }
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    __m512 v = _mm512_maskz_loadu_ps(m, p + i);
    v = nan_to_lo ? _mm512_max_ps(v, vlo) : _mm512_max_ps(vlo, v);
    _mm512_mask_storeu_ps(p + i, m, _mm512_min_ps(vhi, v));
  }
}

bool has_avx512() {
  static const bool ok = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  return ok;
}
#endif

}  // namespace

void FusedClamp::clamp_f32(float* p, int64_t n) const noexcept {
#ifdef NNC_HAVE_AVX512_CLAMP
  if (has_avx512()) return clamp_avx512(p, n, lo, hi, nan_to_lo);
#endif
  clamp_scalar(p, n, lo, hi, nan_to_lo);
}

}  // namespace nnc::exec
