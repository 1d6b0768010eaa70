// nnc core: MaxPool (Indices, storage_order), AveragePool, LpPool and the Global* pools, N-d with a 2-D f32 fast path.
#include <algorithm>
#include <cmath>
#include <limits>

#include "exec/conv_geometry.h"
#include "exec/kernels_nn.h"
#include "exec/linalg_blas.h"

namespace nnc::exec::nn {
namespace {

using geom::Window;

enum class Kind { kMax, kAvg, kLp };

struct Spec {
  Kind kind = Kind::kMax;
  bool include_pad = false;  // AveragePool count_include_pad
  double p = 2;              // LpPool
  bool column_major = false; // MaxPool storage_order 1
};

/// Per spatial dim and output index: the kernel offsets reading inside the input [klo, khi) and the
/// divisor contribution (window positions inside the padded extent when counting pads).
struct DimTable {
  std::vector<int64_t> klo, khi, count;
};

DimTable dim_table(const Window& w, size_t d, bool include_pad) {
  DimTable t;
  const int64_t k = w.kernel[d], dil = w.dilation[d];
  for (int64_t o = 0; o < w.out[d]; ++o) {
    int64_t i0 = o * w.stride[d] - w.pad_begin[d];
    int64_t lo = std::clamp<int64_t>(geom::ceil_div(-i0, dil), 0, k);
    int64_t hi = std::clamp<int64_t>(geom::ceil_div(w.in[d] - i0, dil), lo, k);
    t.klo.push_back(lo);
    t.khi.push_back(hi);
    if (include_pad) {
      int64_t plo = std::clamp<int64_t>(geom::ceil_div(-w.pad_begin[d] - i0, dil), 0, k);
      int64_t phi = std::clamp<int64_t>(geom::ceil_div(w.in[d] + w.pad_end[d] - i0, dil), plo, k);
      t.count.push_back(phi - plo);
    } else {
      t.count.push_back(hi - lo);
    }
  }
  return t;
}

/// Any rank, any dtype: one (n, c) plane.
template <typename T>
void pool_plane(const T* x, T* y, int64_t* indices, int64_t index_base, const Window& w,
                const std::vector<DimTable>& tabs, const Spec& spec) {
  const size_t r = w.rank();
  const std::vector<int64_t> in_strides = strides_of(w.in);
  std::vector<int64_t> col_strides(r, 1);  // column-major spatial strides (storage_order 1)
  for (size_t d = 1; d < r; ++d) col_strides[d] = col_strides[d - 1] * w.in[d - 1];
  std::vector<int64_t> o(r, 0), k(r, 0);
  const int64_t out_size = w.out_size();
  for (int64_t oi = 0; oi < out_size; ++oi) {
    bool empty = false;
    int64_t count = 1;
    for (size_t d = 0; d < r; ++d) {
      k[d] = tabs[d].klo[o[d]];
      empty = empty || k[d] >= tabs[d].khi[o[d]];
      count *= tabs[d].count[o[d]];
    }
    double acc = 0;
    T best = std::numeric_limits<T>::lowest();
    bool have = false;
    int64_t best_index = -1;
    while (!empty) {
      int64_t off = 0, col_off = 0;
      for (size_t d = 0; d < r; ++d) {
        int64_t i = o[d] * w.stride[d] - w.pad_begin[d] + k[d] * w.dilation[d];
        off += i * in_strides[d];
        col_off += i * col_strides[d];
      }
      T v = x[off];
      if (spec.kind == Kind::kMax) {
        if (!have || v > best || (std::isnan(static_cast<double>(v)) && !std::isnan(static_cast<double>(best)))) {
          best = v;
          best_index = spec.column_major ? col_off : off;
          have = true;
        }
      } else if (spec.kind == Kind::kAvg) {
        acc += static_cast<double>(v);
      } else {
        acc += std::pow(std::fabs(static_cast<double>(v)), spec.p);
      }
      size_t d = r;
      while (d > 0) {
        --d;
        if (++k[d] < tabs[d].khi[o[d]]) break;
        k[d] = tabs[d].klo[o[d]];
        if (d == 0) empty = true;
      }
      if (r == 0) break;
    }
    if (spec.kind == Kind::kMax) {
      y[oi] = have ? best : std::numeric_limits<T>::lowest();
      if (indices) indices[oi] = have ? index_base + best_index : -1;
    } else if (spec.kind == Kind::kAvg) {
      y[oi] = count > 0 ? static_cast<T>(acc / static_cast<double>(count)) : static_cast<T>(NAN);
    } else {
      y[oi] = static_cast<T>(std::pow(acc, 1.0 / spec.p));
    }
    for (size_t d = r; d > 0; --d) {
      if (++o[d - 1] < w.out[d - 1]) break;
      o[d - 1] = 0;
    }
  }
}

/// y[o] = max(y[o], x[o*sw]) (or +=) for o in [lo, hi), 8-wide blocks when contiguous.
template <bool kMaxPool>
[[gnu::always_inline]] inline void fold_row(float* __restrict y, const float* __restrict x, int64_t lo, int64_t hi,
                                            int64_t sw) {
  int64_t o = lo;
  if (sw == 1) {
    for (; o + 8 <= hi; o += 8)
      for (int j = 0; j < 8; ++j) y[o + j] = kMaxPool ? std::max(y[o + j], x[o + j]) : y[o + j] + x[o + j];
  } else if (sw == 2) {
    for (; o + 8 <= hi; o += 8)
      for (int j = 0; j < 8; ++j) y[o + j] = kMaxPool ? std::max(y[o + j], x[2 * (o + j)]) : y[o + j] + x[2 * (o + j)];
  }
  for (; o < hi; ++o) y[o] = kMaxPool ? std::max(y[o], x[o * sw]) : y[o] + x[o * sw];
}

/// 2-D f32 fast path: rows of the window are folded into the output row.
template <bool kMaxPool>
[[gnu::always_inline]] inline void pool_plane_2d_impl(const float* x, float* y, const Window& w, const DimTable& th,
                                                      const DimTable& tw) {
  const int64_t oh_n = w.out[0], ow_n = w.out[1], iw_n = w.in[1], sw = w.stride[1], dw = w.dilation[1];
  int64_t lo[32], hi[32];
  for (int64_t kw = 0; kw < w.kernel[1]; ++kw) w.valid_range(1, kw, lo[kw], hi[kw]);
  for (int64_t oh = 0; oh < oh_n; ++oh) {
    float* yr = y + oh * ow_n;
    std::fill(yr, yr + ow_n, kMaxPool ? -std::numeric_limits<float>::infinity() : 0.0f);
    for (int64_t kh = th.klo[oh]; kh < th.khi[oh]; ++kh) {
      const float* xr = x + (oh * w.stride[0] - w.pad_begin[0] + kh * w.dilation[0]) * iw_n - w.pad_begin[1];
      for (int64_t kw = 0; kw < w.kernel[1]; ++kw) fold_row<kMaxPool>(yr, xr + kw * dw, lo[kw], hi[kw], sw);
    }
    if (!kMaxPool) {
      const float ch = static_cast<float>(th.count[oh]);
      for (int64_t o = 0; o < ow_n; ++o) {
        float c = ch * static_cast<float>(tw.count[o]);
        yr[o] = c > 0 ? yr[o] / c : NAN;
      }
    }
  }
}

NNC_VECTOR_CLONES void max_plane_2d(const float* x, float* y, const Window& w, const DimTable& th, const DimTable& tw) {
  pool_plane_2d_impl<true>(x, y, w, th, tw);
}
NNC_VECTOR_CLONES void avg_plane_2d(const float* x, float* y, const Window& w, const DimTable& th, const DimTable& tw) {
  pool_plane_2d_impl<false>(x, y, w, th, tw);
}

Status run_pool(KernelArgs& args, const Spec& spec, const char* op) {
  const Tensor* x = args.input(0);
  if (!x) return args.error(std::string(op) + " needs input X");
  if (args.output_count() < 1) return args.error(std::string(op) + " needs an output");
  if (x->rank() < 3) return args.error("X must have shape [N, C, spatial...], got " + x->description());
  const DType dt = x->dtype();
  const bool float_type = dt == DType::kF32 || dt == DType::kF64;
  if (!float_type && !(spec.kind == Kind::kMax && (dt == DType::kI8 || dt == DType::kU8)))
    return args.unsupported(std::string(op) + " on " + dtype_name(dt));
  std::vector<int64_t> in(x->shape().begin() + 2, x->shape().end());
  std::vector<int64_t> kernel = attr_ints(args.node, "kernel_shape");
  if (kernel.empty()) return args.error(std::string(op) + " needs the kernel_shape attribute");
  geom::WindowRules rules;
  rules.ceil_mode = attr_int(args.node, "ceil_mode", 0) != 0;
  rules.has_dilations = spec.kind == Kind::kMax || args.opset >= (spec.kind == Kind::kAvg ? 19 : 18);
  NNC_ASSIGN_OR_RETURN(Window w, geom::window_for(args, in, kernel, rules));
  std::vector<int64_t> out_shape{x->shape()[0], x->shape()[1]};
  out_shape.insert(out_shape.end(), w.out.begin(), w.out.end());
  Tensor y = Tensor::uninitialized(dt, out_shape);  // every output position is computed
  const bool want_indices = spec.kind == Kind::kMax && args.output_count() > 1;
  Tensor indices = want_indices ? Tensor(DType::kI64, out_shape) : Tensor();
  std::vector<DimTable> tabs;
  for (size_t d = 0; d < w.rank(); ++d) tabs.push_back(dim_table(w, d, spec.include_pad));
  const int64_t planes = x->shape()[0] * x->shape()[1], in_size = w.in_size(), out_size = w.out_size();
  const bool fast = dt == DType::kF32 && w.rank() == 2 && !want_indices && spec.kind != Kind::kLp && w.kernel[1] <= 32;
  auto body = [&]<typename T>() -> Status {
    const T* xp = x->data<T>().data();
    T* yp = y.mutable_data<T>().data();
    int64_t* ip = want_indices ? indices.mutable_data<int64_t>().data() : nullptr;
    args.pool.parallel_for(planes, [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        if constexpr (std::is_same_v<T, float>) {
          if (fast) {
            (spec.kind == Kind::kMax ? max_plane_2d : avg_plane_2d)(xp + p * in_size, yp + p * out_size, w, tabs[0], tabs[1]);
            continue;
          }
        }
        pool_plane<T>(xp + p * in_size, yp + p * out_size, ip ? ip + p * out_size : nullptr, p * in_size, w, tabs, spec);
      }
    });
    return Status::ok();
  };
  Status s = dt == DType::kF32   ? body.template operator()<float>()
             : dt == DType::kF64 ? body.template operator()<double>()
             : dt == DType::kI8  ? body.template operator()<int8_t>()
                                 : body.template operator()<uint8_t>();
  NNC_RETURN_IF_ERROR(s);
  args.outputs[0] = std::move(y);
  if (want_indices) args.outputs[1] = std::move(indices);
  return Status::ok();
}

Status run_global(KernelArgs& args, Kind kind, const char* op) {
  const Tensor* x = args.input(0);
  if (!x) return args.error(std::string(op) + " needs input X");
  if (args.output_count() < 1) return args.error(std::string(op) + " needs an output");
  if (x->rank() < 2) return args.error("X must have shape [N, C, spatial...], got " + x->description());
  const DType dt = x->dtype();
  if (dt != DType::kF32 && dt != DType::kF64) return args.unsupported(std::string(op) + " on " + dtype_name(dt));
  std::vector<int64_t> out_shape(x->shape().begin(), x->shape().begin() + 2);
  out_shape.resize(x->shape().size(), 1);
  const int64_t planes = x->shape()[0] * x->shape()[1];
  const int64_t size = planes > 0 ? x->element_count() / planes : 0;
  const double p = static_cast<double>(attr_int(args.node, "p", 2));
  Tensor y(dt, out_shape);
  auto body = [&]<typename T>() {
    const T* xp = x->data<T>().data();
    T* yp = y.mutable_data<T>().data();
    args.pool.parallel_for(planes, [&](int64_t b, int64_t e) {
      for (int64_t c = b; c < e; ++c) {
        const T* v = xp + c * size;
        if (kind == Kind::kMax) {
          T m = size > 0 ? v[0] : std::numeric_limits<T>::lowest();
          for (int64_t i = 1; i < size; ++i) m = (v[i] > m || std::isnan(v[i])) ? v[i] : m;
          yp[c] = m;
        } else if (kind == Kind::kAvg) {
          double s = 0;
          for (int64_t i = 0; i < size; ++i) s += v[i];
          yp[c] = static_cast<T>(s / static_cast<double>(size));
        } else {
          double s = 0;
          for (int64_t i = 0; i < size; ++i) s += std::pow(std::fabs(static_cast<double>(v[i])), p);
          yp[c] = static_cast<T>(std::pow(s, 1.0 / p));
        }
      }
    }, 4);
  };
  if (dt == DType::kF32)
    body.template operator()<float>();
  else
    body.template operator()<double>();
  args.outputs[0] = std::move(y);
  return Status::ok();
}

}  // namespace

Status max_pool(KernelArgs& args) {
  Spec s;
  s.kind = Kind::kMax;
  int64_t order = attr_int(args.node, "storage_order", 0);
  if (order != 0 && order != 1) return args.error("storage_order must be 0 or 1");
  s.column_major = order == 1;
  return run_pool(args, s, "MaxPool");
}

Status average_pool(KernelArgs& args) {
  Spec s;
  s.kind = Kind::kAvg;
  s.include_pad = attr_int(args.node, "count_include_pad", 0) != 0;
  return run_pool(args, s, "AveragePool");
}

Status lp_pool(KernelArgs& args) {
  Spec s;
  s.kind = Kind::kLp;
  s.p = static_cast<double>(attr_int(args.node, "p", 2));
  return run_pool(args, s, "LpPool");
}

Status max_unpool(KernelArgs& args) {
  const Tensor* x = args.input(0);
  const Tensor* idx = args.input(1);
  if (!x || !idx) return args.error("MaxUnpool needs inputs X and I");
  if (x->dtype() != DType::kF32 && x->dtype() != DType::kF64)
    return args.unsupported(std::string("MaxUnpool on ") + dtype_name(x->dtype()));
  if (idx->shape() != x->shape()) return args.error("I " + idx->description() + " must have the shape of X " + x->description());
  if (x->rank() < 3) return args.error("X must have shape [N, C, spatial...], got " + x->description());
  const size_t r = static_cast<size_t>(x->rank()) - 2;
  // Indices address the unpooled shape inferred from the attributes (ONNX reference); a larger
  // output_shape holds it in its leading corner, zero elsewhere.
  std::vector<int64_t> kernel = attr_ints(args.node, "kernel_shape"), strides = attr_ints(args.node, "strides");
  std::vector<int64_t> pads = attr_ints(args.node, "pads", std::vector<int64_t>(2 * r, 0));
  if (strides.empty()) strides.assign(r, 1);
  if (kernel.size() != r || strides.size() != r || pads.size() != 2 * r)
    return args.error("kernel_shape, strides and pads must match the " + std::to_string(r) + " spatial dims");
  std::vector<int64_t> inferred{x->shape()[0], x->shape()[1]};
  for (size_t d = 0; d < r; ++d) inferred.push_back((x->shape()[d + 2] - 1) * strides[d] + kernel[d] - pads[d] - pads[r + d]);
  std::vector<int64_t> out_shape = inferred;
  if (const Tensor* os = args.input(2)) {
    NNC_ASSIGN_OR_RETURN(out_shape, read_int_values(*os, args, "output_shape"));
    bool ok = out_shape.size() == r + 2;
    for (size_t d = 0; ok && d < r + 2; ++d) ok = out_shape[d] >= inferred[d];
    if (!ok) return args.error("output_shape " + geom::dims_str(out_shape) + " must hold the unpooled shape " + geom::dims_str(inferred));
  }
  Tensor y(x->dtype(), out_shape);
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> where, read_int_values(*idx, args, "I"));
  const int64_t total = product(inferred);
  for (int64_t i = 0; i < x->element_count(); ++i) {
    if (where[i] < 0 || where[i] >= total)
      return args.error("index " + std::to_string(where[i]) + " is outside the unpooled shape " + geom::dims_str(inferred));
    int64_t off = 0;  // the same position in out_shape
    for (int64_t rem = where[i], d = static_cast<int64_t>(r) + 1, stride = 1; d >= 0; --d) {
      off += (rem % inferred[d]) * stride;
      rem /= inferred[d];
      stride *= out_shape[d];
    }
    if (x->dtype() == DType::kF32)
      y.mutable_data<float>()[off] = x->data<float>()[i];
    else
      y.mutable_data<double>()[off] = x->data<double>()[i];
  }
  args.outputs[0] = std::move(y);
  return Status::ok();
}

Status global_average_pool(KernelArgs& args) { return run_global(args, Kind::kAvg, "GlobalAveragePool"); }
Status global_max_pool(KernelArgs& args) { return run_global(args, Kind::kMax, "GlobalMaxPool"); }
Status global_lp_pool(KernelArgs& args) { return run_global(args, Kind::kLp, "GlobalLpPool"); }

}  // namespace nnc::exec::nn
