// nnc core: Gemm (alpha, beta, transposes, broadcast C) and MatMul (numpy batch broadcasting, 1-D operands).
#include <algorithm>
#include <vector>

#include "exec/conv_geometry.h"
#include "exec/kernels_linalg.h"
#include "exec/linalg_blas.h"
#include "exec/tensor_util.h"

namespace nnc::exec::linalg {
namespace {

template <typename Fn>
Status dispatch_gemm_types(DType dtype, const KernelArgs& args, const char* op, Fn&& fn) {
  switch (dtype) {
    case DType::kF32: return fn.template operator()<float>();
    case DType::kF64: return fn.template operator()<double>();
    case DType::kI32: return fn.template operator()<int32_t>();
    case DType::kI64: return fn.template operator()<int64_t>();
    default:
      return args.unsupported(std::string(op) + " on " + dtype_name(dtype) + " (f32, f64, i32 and i64 are supported)");
  }
}

/// The [cols, rows] transpose of a row-major [rows, cols] matrix.
template <typename T>
std::vector<T> transposed(const T* p, int64_t rows, int64_t cols) {
  std::vector<T> t(static_cast<size_t>(rows * cols));
  constexpr int64_t kBlock = 32;  // cache-friendly tiles
  for (int64_t r0 = 0; r0 < rows; r0 += kBlock)
    for (int64_t c0 = 0; c0 < cols; c0 += kBlock)
      for (int64_t r = r0; r < std::min(rows, r0 + kBlock); ++r)
        for (int64_t c = c0; c < std::min(cols, c0 + kBlock); ++c) t[c * rows + r] = p[r * cols + c];
  return t;
}

}  // namespace

Status gemm(KernelArgs& args) {
  const Tensor* a = args.input(0);
  const Tensor* b = args.input(1);
  const Tensor* c = args.input(2);
  if (!a || !b) return args.error("Gemm needs inputs A and B");
  if (!c && args.opset < 11) return args.error("Gemm before opset 11 needs input C");
  if (args.output_count() < 1) return args.error("Gemm needs an output");
  NNC_RETURN_IF_ERROR(expect_dtype(*b, a->dtype(), args, "B"));
  if (c) NNC_RETURN_IF_ERROR(expect_dtype(*c, a->dtype(), args, "C"));
  if (a->rank() != 2 || b->rank() != 2)
    return args.error("A and B must be matrices, got " + a->description() + " and " + b->description());
  const bool ta = attr_int(args.node, "transA", 0) != 0, tb = attr_int(args.node, "transB", 0) != 0;
  const int64_t m = a->shape()[ta ? 1 : 0], k = a->shape()[ta ? 0 : 1];
  const int64_t kb = b->shape()[tb ? 1 : 0], n = b->shape()[tb ? 0 : 1];
  if (k != kb)
    return args.error("inner dims differ: A " + a->description() + (ta ? " (transposed)" : "") + ", B " +
                      b->description() + (tb ? " (transposed)" : ""));
  std::vector<int64_t> c_shape;
  if (c) {
    c_shape = c->shape();
    bool ok = c_shape.size() <= 2;
    for (size_t i = 0; ok && i < c_shape.size(); ++i) {
      int64_t want = i + 2 - c_shape.size() == 0 ? m : n;
      ok = c_shape[i] == 1 || c_shape[i] == want;
    }
    if (!ok) return args.error("C " + c->description() + " cannot be broadcast to [" + std::to_string(m) + ", " +
                               std::to_string(n) + "]");
  }
  const double alpha = attr_float(args.node, "alpha", 1.0f), beta = attr_float(args.node, "beta", 1.0f);
  return dispatch_gemm_types(a->dtype(), args, "Gemm", [&]<typename T>() -> Status {
    Tensor y(a->dtype(), {m, n});
    T* yp = y.mutable_data<T>().data();
    const bool use_c = c && beta != 0.0 && m * n > 0;
    if (use_c) {
      const T* cp = c->data<T>().data();
      int64_t rs = 0, cs = 0;  // C strides for rows and columns (0 = broadcast)
      if (c_shape.size() == 2) {
        rs = c_shape[0] == 1 ? 0 : c_shape[1];
        cs = c_shape[1] == 1 ? 0 : 1;
      } else if (c_shape.size() == 1) {
        cs = c_shape[0] == 1 ? 0 : 1;
      }
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) yp[i * n + j] = static_cast<T>(beta * static_cast<double>(cp[i * rs + j * cs]));
    }
    blas::Gemm<T> g;
    g.trans_a = ta;
    g.trans_b = tb;
    g.m = m;
    g.n = n;
    g.k = k;
    g.alpha = static_cast<T>(alpha);
    g.a = a->data<T>().data();
    g.lda = a->shape()[1];
    g.b = b->data<T>().data();
    g.ldb = b->shape()[1];
    // f32 with several rows: transposed operands are copied upright (O(MK + KN) against the O(MNK)
    // product) so the AVX-512 kernel takes it; a single row stays a GEMV.
    std::vector<T> a_up, b_up;
    if constexpr (std::is_same_v<T, float>) {
      if (m >= 8 && (ta || tb)) {
        if (ta) {
          a_up = transposed(g.a, k, m);
          g.a = a_up.data();
          g.lda = k;
          g.trans_a = false;
        }
        if (tb) {
          b_up = transposed(g.b, n, k);
          g.b = b_up.data();
          g.ldb = n;
          g.trans_b = false;
        }
      }
    }
    g.beta = use_c ? T(1) : T(0);
    g.c = yp;
    g.ldc = n;
    blas::gemm_parallel(args.pool, g);
    args.outputs[0] = std::move(y);
    return Status::ok();
  });
}

Status matmul(KernelArgs& args) {
  const Tensor* a = args.input(0);
  const Tensor* b = args.input(1);
  if (!a || !b) return args.error("MatMul needs inputs A and B");
  if (args.output_count() < 1) return args.error("MatMul needs an output");
  NNC_RETURN_IF_ERROR(expect_dtype(*b, a->dtype(), args, "B"));
  if (a->rank() == 0 || b->rank() == 0)
    return args.error("MatMul operands must have rank >= 1, got " + a->description() + " and " + b->description());
  std::vector<int64_t> as = a->shape(), bs = b->shape();
  const bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
  if (a_vec) as.insert(as.begin(), 1);
  if (b_vec) bs.push_back(1);
  const int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  if (bs[bs.size() - 2] != k)
    return args.error("inner dims differ: " + a->description() + " x " + b->description());
  std::vector<int64_t> a_batch(as.begin(), as.end() - 2), b_batch(bs.begin(), bs.end() - 2);
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> batch, broadcast_shapes(a_batch, b_batch, args));
  std::vector<int64_t> out_shape = batch;
  if (!a_vec) out_shape.push_back(m);
  if (!b_vec) out_shape.push_back(n);
  return dispatch_gemm_types(a->dtype(), args, "MatMul", [&]<typename T>() -> Status {
    Tensor y = k > 0 ? Tensor::uninitialized(a->dtype(), out_shape) : Tensor(a->dtype(), out_shape);
    const T* ap = a->data<T>().data();
    const T* bp = b->data<T>().data();
    T* yp = y.mutable_data<T>().data();
    const int64_t batches = product(batch);
    blas::Gemm<T> g;
    g.m = m;
    g.n = n;
    g.k = k;
    g.a = ap;
    g.lda = k;
    g.b = bp;
    g.ldb = n;
    g.c = yp;
    g.ldc = n;
    if (y.element_count() == 0) {
      // nothing to compute
    } else if (product(b_batch) == 1 && product(a_batch) == batches) {
      g.m = m * batches;  // B shared by every batch: one product over the stacked rows of A
      blas::gemm_parallel(args.pool, g);
    } else {
      const std::vector<int64_t> sa = broadcast_strides(a_batch, batch), sb = broadcast_strides(b_batch, batch);
      auto one = [&](int64_t i, bool parallel) {
        int64_t oa = 0, ob = 0;
        for (int64_t rem = i, d = static_cast<int64_t>(batch.size()) - 1; d >= 0; --d) {
          int64_t idx = rem % batch[d];
          rem /= batch[d];
          oa += idx * sa[d];
          ob += idx * sb[d];
        }
        blas::Gemm<T> s = g;
        s.a = ap + oa * m * k;
        s.b = bp + ob * k * n;
        s.c = yp + i * m * n;
        if (parallel)
          blas::gemm_parallel(args.pool, s);
        else
          blas::gemm(s);
      };
      if (batches >= args.pool.size()) {
        args.pool.parallel_for(batches, [&](int64_t lo, int64_t hi) {
          for (int64_t i = lo; i < hi; ++i) one(i, false);
        });
      } else {
        for (int64_t i = 0; i < batches; ++i) one(i, true);
      }
    }
    args.outputs[0] = std::move(y);
    return Status::ok();
  });
}

}  // namespace nnc::exec::linalg
