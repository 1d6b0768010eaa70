// nnc core: RNN, GRU and LSTM time loops: one GEMM for every step's input projection, one per step for the recurrence.
#include "exec/kernels_rnn.h"

#include <algorithm>

#include "exec/linalg_blas.h"
#include "exec/tensor_util.h"

namespace nnc::exec::rnn {
namespace {

/// out[rows, n] = a[rows, k] * b[n, k]^T (b row-major with row length ldb, i.e. a weight slice).
template <typename T>
void gemm_abt(ThreadPool& pool, int64_t rows, int64_t n, int64_t k, const T* a, const T* b, int64_t ldb, T* out,
              int64_t ldc) {
  blas::Gemm<T> g;
  g.trans_b = true;
  g.m = rows;
  g.n = n;
  g.k = k;
  g.a = a;
  g.lda = k;
  g.b = b;
  g.ldb = ldb;
  g.c = out;
  g.ldc = ldc;
  blas::gemm_parallel(pool, g);
}

template <typename T>
T clipped(const Setup<T>& s, T v) {
  return s.clip ? std::clamp(v, -*s.clip, *s.clip) : v;
}

/// Runs all directions of one node. Step functions see, per active batch row b at time t: xw (the input
/// projection plus folded biases, gates * hidden values), hr (H_prev * R^T) and the row's state.
template <typename T>
Status run_cells(KernelArgs& args, CellKind kind) {
  NNC_ASSIGN_OR_RETURN(Setup<T> s, make_setup<T>(args, kind));
  const int64_t S = s.seq, B = s.batch, I = s.input, H = s.hidden, G = s.gates, D = s.dirs, GH = G * H;
  std::vector<T> y(static_cast<size_t>(S * D * B * H), T(0));
  std::vector<T> yh(static_cast<size_t>(D * B * H)), yc(kind == CellKind::kLstm ? yh.size() : 0);
  std::vector<T> xw(static_cast<size_t>(S * B * GH)), hr(static_cast<size_t>(B * GH));
  std::vector<T> gated(static_cast<size_t>(B * H)), gated_r(static_cast<size_t>(B * H));
  const bool gru_reset_first = kind == CellKind::kGru && !s.linear_before_reset;
  for (int64_t d = 0; d < D; ++d) {
    const T* w = s.w + d * GH * I;
    const T* r = s.r + d * GH * H;
    const T* wb = s.bias.data() + d * 2 * GH;
    const T* rb = wb + GH;
    const Activation* act = s.acts.data() + d * s.per_direction;
    const T* peep = s.peephole.empty() ? nullptr : s.peephole.data() + d * 3 * H;
    // Input projection of every step at once; Rb folds in too except GRU's Rbh under linear_before_reset.
    gemm_abt(args.pool, S * B, GH, I, s.x.data(), w, I, xw.data(), GH);
    std::vector<T> fold(static_cast<size_t>(GH));
    for (int64_t j = 0; j < GH; ++j)
      fold[j] = wb[j] + (kind == CellKind::kGru && s.linear_before_reset && j >= 2 * H ? T(0) : rb[j]);
    args.pool.parallel_for(
        S * B,
        [&](int64_t begin, int64_t end) {
          for (int64_t row = begin; row < end; ++row)
            for (int64_t j = 0; j < GH; ++j) xw[row * GH + j] += fold[j];
        },
        std::max<int64_t>(1, 4096 / GH));
    T* h = yh.data() + d * B * H;
    T* c = kind == CellKind::kLstm ? yc.data() + d * B * H : nullptr;
    std::copy_n(s.h0.data() + d * B * H, B * H, h);
    if (c) std::copy_n(s.c0.data() + d * B * H, B * H, c);
    const bool rev = s.reversed(d);
    for (int64_t step = 0; step < S; ++step) {
      // GRU without linear_before_reset multiplies r into H_prev before its h-gate recurrence GEMM.
      gemm_abt(args.pool, B, gru_reset_first ? 2 * H : GH, H, h, r, H, hr.data(), GH);
      auto time_of = [&](int64_t b) { return rev ? s.lens[b] - 1 - step : step; };
      if (gru_reset_first) {
        for (int64_t b = 0; b < B; ++b) {
          T* rh = gated_r.data() + b * H;
          if (step >= s.lens[b]) {
            std::fill_n(rh, H, T(0));
            continue;
          }
          const T* x = xw.data() + (time_of(b) * B + b) * GH;
          const T* hrow = hr.data() + b * GH;
          for (int64_t j = 0; j < H; ++j) rh[j] = act[0](clipped(s, x[H + j] + hrow[H + j])) * h[b * H + j];
        }
        gemm_abt(args.pool, B, H, H, gated_r.data(), r + 2 * H * H, H, gated.data(), H);
      }
      for (int64_t b = 0; b < B; ++b) {
        if (step >= s.lens[b]) continue;
        const int64_t t = time_of(b);
        const T* x = xw.data() + (t * B + b) * GH;
        const T* hrow = hr.data() + b * GH;
        T* hb = h + b * H;
        switch (kind) {
          case CellKind::kRnn:
            for (int64_t j = 0; j < H; ++j) hb[j] = act[0](clipped(s, x[j] + hrow[j]));
            break;
          case CellKind::kGru:
            for (int64_t j = 0; j < H; ++j) {
              const T z = act[0](clipped(s, x[j] + hrow[j]));
              T pre;
              if (s.linear_before_reset) {
                const T rg = act[0](clipped(s, x[H + j] + hrow[H + j]));
                pre = x[2 * H + j] + rg * (hrow[2 * H + j] + rb[2 * H + j]);
              } else {
                pre = x[2 * H + j] + gated[b * H + j];
              }
              const T cand = act[1](clipped(s, pre));
              hb[j] = (T(1) - z) * cand + z * hb[j];
            }
            break;
          case CellKind::kLstm: {
            T* cb = c + b * H;
            for (int64_t j = 0; j < H; ++j) {
              const T c_prev = cb[j];
              const T ig = act[0](clipped(s, x[j] + hrow[j] + (peep ? peep[j] * c_prev : T(0))));
              const T fg =
                  s.input_forget
                      ? T(1) - ig
                      : act[0](clipped(s, x[2 * H + j] + hrow[2 * H + j] + (peep ? peep[2 * H + j] * c_prev : T(0))));
              const T cand = act[1](clipped(s, x[3 * H + j] + hrow[3 * H + j]));
              const T c_new = fg * c_prev + ig * cand;
              const T og = act[0](clipped(s, x[H + j] + hrow[H + j] + (peep ? peep[H + j] * c_new : T(0))));
              cb[j] = c_new;
              hb[j] = og * act[2](c_new);
            }
            break;
          }
        }
        std::copy_n(hb, H, y.data() + ((t * D + d) * B + b) * H);
      }
    }
    // An empty sequence leaves zero final states, as ONNX Runtime does (the spec leaves this case open).
    for (int64_t b = 0; b < B; ++b)
      if (s.lens[b] == 0) {
        std::fill_n(h + b * H, H, T(0));
        if (c) std::fill_n(c + b * H, H, T(0));
      }
  }
  return write_outputs(args, s, y, yh, yc);
}

Status dispatch(KernelArgs& args, CellKind kind) {
  const Tensor* x = args.input(0);
  if (!x) return args.error("missing required input 0 (X)");
  switch (x->dtype()) {
    case DType::kF32:
      return run_cells<float>(args, kind);
    case DType::kF64:
      return run_cells<double>(args, kind);
    default:
      return args.unsupported(std::string("dtype ") + dtype_name(x->dtype()) +
                              " (the recurrent kernels run f32 and f64; cast the model's weights and input)");
  }
}

}  // namespace

Status rnn(KernelArgs& args) { return dispatch(args, CellKind::kRnn); }
Status gru(KernelArgs& args) { return dispatch(args, CellKind::kGru); }
Status lstm(KernelArgs& args) { return dispatch(args, CellKind::kLstm); }

}  // namespace nnc::exec::rnn
