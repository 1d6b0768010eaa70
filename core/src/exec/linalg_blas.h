// nnc core (internal): row-major GEMM for the kernels: OpenBLAS when present, a portable loop otherwise.
#pragma once

#include <cstdint>
#include <vector>

#include "exec/kernel.h"

namespace nnc::exec::blas {

/// C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C (+ row_bias[i] on row i when given), row-major
/// with leading dimensions (op = transpose when the flag is set; lda is the row length of A as stored).
template <typename T>
struct Gemm {
  bool trans_a = false;
  bool trans_b = false;
  int64_t m = 0, n = 0, k = 0;
  T alpha = T(1);
  const T* a = nullptr;
  int64_t lda = 0;
  const T* b = nullptr;
  int64_t ldb = 0;
  T beta = T(0);
  T* c = nullptr;
  int64_t ldc = 0;
  const T* row_bias = nullptr;  ///< per-row addend (a conv bias), folded into the product's first pass
  const FusedClamp* clamp = nullptr;  ///< activation applied to the finished C (in the store when possible)
};

/// Runs in the calling thread only (single-threaded BLAS). Handles empty sizes (K = 0 scales C by beta).
/// Defined for float, double, int32_t, int64_t (integers: portable loop).
template <typename T>
void gemm(const Gemm<T>& g);

/// Splits the product over the pool's threads (by columns when N is wide, else by rows), each part
/// one single-threaded gemm(). Small products run inline.
template <typename T>
void gemm_parallel(ThreadPool& pool, const Gemm<T>& g);

/// The AVX-512 kernel (linalg_sgemm_avx512.cpp): false, doing nothing, when the CPU lacks AVX-512 or
/// `g` has transposes, alpha != 1 or beta other than 0 and 1.
bool sgemm_avx512(const Gemm<float>& g);

/// "OpenBLAS 0.3.21 (SkylakeX kernels)" or "portable loops (OpenBLAS not found)".
const char* backend_description();

/// Per-thread scratch memory (64-byte aligned) that grows and is kept for reuse (im2col buffers).
/// `slot` (0..3) tells apart buffers one thread needs at the same time.
void* scratch(size_t bytes, int slot = 0);
template <typename T>
T* scratch_of(size_t count, int slot = 0) {
  return static_cast<T*>(scratch(count * sizeof(T), slot));
}

}  // namespace nnc::exec::blas

/// Hot loops of the direct kernels get an AVX2/FMA clone picked at load time (the build targets baseline
/// x86-64); write them with fixed-width inner blocks (for j < 8) so -O2 vectorizes them.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(NNC_NO_CLONES)
#define NNC_VECTOR_CLONES __attribute__((target_clones("default", "arch=x86-64-v3")))
#else
#define NNC_VECTOR_CLONES
#endif
