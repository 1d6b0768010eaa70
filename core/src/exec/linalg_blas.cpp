// nnc core: GEMM backend of the reference executor: OpenBLAS loaded at first use, a portable fallback loop.
#include "exec/linalg_blas.h"

#include <dlfcn.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <memory>
#include <string>

namespace nnc::exec::blas {
namespace {

// CBLAS entry points (enums passed as int, as the C ABI does; OpenBLAS built with 32-bit integers).
using SgemmFn = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
using DgemmFn = void (*)(int, int, int, int, int, int, double, const double*, int, const double*, int, double, double*,
                         int);
using SgemvFn = void (*)(int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
using SetThreadsFn = void (*)(int);
using CoreNameFn = char* (*)();
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

struct Backend {
  SgemmFn sgemm = nullptr;
  DgemmFn dgemm = nullptr;
  SgemvFn sgemv = nullptr;
  std::string description = "portable loops (OpenBLAS not found)";
};

bool cpu_has_avx512() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512cd");
#else
  return false;
#endif
}

/// Loads OpenBLAS with dlopen rather than at link time, for one reason: OpenBLAS picks its kernel set
/// once, when it is loaded, and 0.3.21 (Debian 12) does not know AVX-512 AMD cores (Zen 4/5): it falls
/// back to its AVX2 "Haswell" kernels, about half the speed the CPU has. So when the user has not
/// chosen (OPENBLAS_CORETYPE unset), nnc asks for SkylakeX on CPUs with AVX-512 F/DQ/BW/VL/CD, just for
/// the dlopen. A user's OPENBLAS_CORETYPE is respected. (If the process already holds OpenBLAS, dlopen
/// shares that instance and its kernels.) Since the AVX-512 kernel of linalg_sgemm_avx512.cpp takes
/// the common f32 products, OpenBLAS serves f64, GEMV, alpha/beta Gemm and CPUs without AVX-512.
/// Threads: calls made here are single-threaded; parallel work is split by gemm_parallel over the
/// executor's ThreadPool.
Backend load_backend() {
  Backend b;
  const bool choose = !std::getenv("OPENBLAS_CORETYPE") && cpu_has_avx512();
  if (choose) setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
  void* lib = nullptr;
  for (const char* name : {
#ifdef NNC_OPENBLAS_LIBRARY
           NNC_OPENBLAS_LIBRARY,
#endif
           "libopenblas.so.0", "libopenblas.so"}) {
    if ((lib = dlopen(name, RTLD_NOW | RTLD_LOCAL)) != nullptr) break;
  }
  if (choose) unsetenv("OPENBLAS_CORETYPE");
  if (!lib) return b;
  auto sgemm = reinterpret_cast<SgemmFn>(dlsym(lib, "cblas_sgemm"));
  auto dgemm = reinterpret_cast<DgemmFn>(dlsym(lib, "cblas_dgemm"));
  auto set_threads = reinterpret_cast<SetThreadsFn>(dlsym(lib, "openblas_set_num_threads"));
  auto core_name = reinterpret_cast<CoreNameFn>(dlsym(lib, "openblas_get_corename"));
  if (!sgemm || !dgemm || !set_threads) return b;  // not OpenBLAS: keep the portable loops
  set_threads(1);
  b.sgemm = sgemm;
  b.dgemm = dgemm;
  b.sgemv = reinterpret_cast<SgemvFn>(dlsym(lib, "cblas_sgemv"));
  b.description = std::string("OpenBLAS (") + (core_name ? core_name() : "unknown") + " kernels)";
  return b;
}

const Backend& backend() {
  static const Backend b = load_backend();
  return b;
}

/// Portable C = alpha*op(A)*op(B) + beta*C; also the integer path.
template <typename T>
void portable_gemm(const Gemm<T>& g) {
  for (int64_t i = 0; i < g.m; ++i) {
    T* c = g.c + i * g.ldc;
    if (g.beta == T(0))
      std::fill(c, c + g.n, T(0));
    else if (g.beta != T(1))
      for (int64_t j = 0; j < g.n; ++j) c[j] *= g.beta;
  }
  if (g.k == 0 || g.alpha == T(0)) return;
  auto a_at = [&](int64_t i, int64_t p) { return g.trans_a ? g.a[p * g.lda + i] : g.a[i * g.lda + p]; };
  if (!g.trans_b) {
    for (int64_t i = 0; i < g.m; ++i) {
      T* c = g.c + i * g.ldc;
      for (int64_t p = 0; p < g.k; ++p) {
        T av = g.alpha * a_at(i, p);
        const T* b = g.b + p * g.ldb;
        for (int64_t j = 0; j < g.n; ++j) c[j] += av * b[j];
      }
    }
  } else {
    for (int64_t i = 0; i < g.m; ++i) {
      T* c = g.c + i * g.ldc;
      for (int64_t j = 0; j < g.n; ++j) {
        const T* b = g.b + j * g.ldb;
        T sum = T(0);
        for (int64_t p = 0; p < g.k; ++p) sum += a_at(i, p) * b[p];
        c[j] += g.alpha * sum;
      }
    }
  }
}

bool fits_int(const auto& g) {
  return g.m <= INT_MAX && g.n <= INT_MAX && g.k <= INT_MAX && g.lda <= INT_MAX && g.ldb <= INT_MAX && g.ldc <= INT_MAX;
}

}  // namespace

template <typename T>
void gemm_unclamped(const Gemm<T>& g) {
  if (g.m <= 0 || g.n <= 0) return;
  if constexpr (std::is_same_v<T, float>) {
    if (sgemm_avx512(g)) return;
  }
  if (g.row_bias) {  // C = beta * C + bias first, then accumulate the product
    for (int64_t i = 0; i < g.m; ++i) {
      T* c = g.c + i * g.ldc;
      for (int64_t j = 0; j < g.n; ++j) c[j] = (g.beta == T(0) ? T(0) : g.beta * c[j]) + g.row_bias[i];
    }
    Gemm<T> rest = g;
    rest.row_bias = nullptr;
    rest.beta = T(1);
    return gemm_unclamped(rest);
  }
  if (g.m == 1 && g.k > 0 && fits_int(g)) {  // a row vector times a matrix: GEMV
    if constexpr (std::is_same_v<T, float>) {
      if (const Backend& b = backend(); b.sgemv) {
        b.sgemv(kRowMajor, g.trans_b ? kNoTrans : kTrans, int(g.trans_b ? g.n : g.k), int(g.trans_b ? g.k : g.n), g.alpha,
                g.b, int(std::max<int64_t>(g.ldb, g.trans_b ? g.k : g.n)), g.a, g.trans_a ? int(g.lda) : 1, g.beta, g.c, 1);
        return;
      }
    }
  }
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    const Backend& b = backend();
    if (g.k > 0 && fits_int(g)) {
      int ta = g.trans_a ? kTrans : kNoTrans, tb = g.trans_b ? kTrans : kNoTrans;
      // BLAS requires leading dimensions >= the stored row length even when a dim is 1.
      int lda = static_cast<int>(std::max<int64_t>(g.lda, g.trans_a ? g.m : g.k));
      int ldb = static_cast<int>(std::max<int64_t>(g.ldb, g.trans_b ? g.k : g.n));
      int ldc = static_cast<int>(std::max<int64_t>(g.ldc, g.n));
      if constexpr (std::is_same_v<T, float>) {
        if (b.sgemm) {
          b.sgemm(kRowMajor, ta, tb, int(g.m), int(g.n), int(g.k), g.alpha, g.a, lda, g.b, ldb, g.beta, g.c, ldc);
          return;
        }
      } else {
        if (b.dgemm) {
          b.dgemm(kRowMajor, ta, tb, int(g.m), int(g.n), int(g.k), g.alpha, g.a, lda, g.b, ldb, g.beta, g.c, ldc);
          return;
        }
      }
    }
  }
  portable_gemm(g);
}

template <typename T>
void gemm(const Gemm<T>& g) {
  if (!g.clamp) return gemm_unclamped(g);
  if constexpr (std::is_same_v<T, float>) {
    if (sgemm_avx512(g)) return;  // clamps in its final store
  }
  Gemm<T> plain = g;
  plain.clamp = nullptr;
  gemm_unclamped(plain);
  if constexpr (std::is_floating_point_v<T>) {
    if (g.m > 0 && g.n > 0) g.clamp->apply(g.c, g.m, g.n, g.ldc);
  }
}

template <typename T>
void gemm_parallel(ThreadPool& pool, const Gemm<T>& g) {
  const int64_t threads = pool.size();
  const double work = static_cast<double>(g.m) * static_cast<double>(g.n) * static_cast<double>(g.k);
  constexpr int64_t kAlign = 16;   // part boundaries on multiples of the micro-kernel widths
  constexpr double kMinWork = 1 << 18;
  if (threads <= 1 || work < kMinWork || g.m <= 0 || g.n <= 0) return gemm(g);
  // Split the longer side: each part re-packs the whole of the other operand, so that side is shared.
  bool by_cols = g.n >= g.m;
  int64_t extent = by_cols ? g.n : g.m;
  int64_t part = (extent + threads - 1) / threads;
  part = (part + kAlign - 1) / kAlign * kAlign;
  int64_t parts = (extent + part - 1) / part;
  if (parts <= 1) return gemm(g);
  pool.parallel_for(parts, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      int64_t lo = p * part, hi = std::min(extent, lo + part);
      Gemm<T> s = g;
      if (by_cols) {
        s.n = hi - lo;
        s.b = g.trans_b ? g.b + lo * g.ldb : g.b + lo;
        s.c = g.c + lo;
      } else {
        s.m = hi - lo;
        s.a = g.trans_a ? g.a + lo : g.a + lo * g.lda;
        s.c = g.c + lo * g.ldc;
        if (g.row_bias) s.row_bias = g.row_bias + lo;
      }
      gemm(s);
    }
  });
}

template void gemm<float>(const Gemm<float>&);
template void gemm<double>(const Gemm<double>&);
template void gemm<int32_t>(const Gemm<int32_t>&);
template void gemm<int64_t>(const Gemm<int64_t>&);
template void gemm_parallel<float>(ThreadPool&, const Gemm<float>&);
template void gemm_parallel<double>(ThreadPool&, const Gemm<double>&);
template void gemm_parallel<int32_t>(ThreadPool&, const Gemm<int32_t>&);
template void gemm_parallel<int64_t>(ThreadPool&, const Gemm<int64_t>&);

const char* backend_description() { return backend().description.c_str(); }

void* scratch(size_t bytes, int slot) {
  struct Slot {
    void* data = nullptr;
    size_t size = 0;
    ~Slot() { std::free(data); }
  };
  thread_local Slot slots[4];
  Slot& s = slots[std::clamp(slot, 0, 3)];
  if (s.size < bytes) {
    std::free(s.data);
    s.size = (bytes + 63) / 64 * 64;
    s.data = std::aligned_alloc(64, s.size);
  }
  return s.data;
}

}  // namespace nnc::exec::blas
