// nnc core: BatchNormalization (inference and training mode), InstanceNormalization, LayerNormalization, LRN.
#include <cmath>

#include "exec/kernels_nn.h"
#include "exec/linalg_blas.h"
#include "exec/tensor_util.h"

namespace nnc::exec::nn {
namespace {

Status check_float(const KernelArgs& args, const Tensor& x, const char* op) {
  if (x.dtype() == DType::kF32 || x.dtype() == DType::kF64) return Status::ok();
  return args.unsupported(std::string(op) + " on " + dtype_name(x.dtype()) + " (f32 and f64 are supported)");
}

/// Reads a per-channel parameter of `channels` values (any float dtype).
Expected<std::vector<double>> channel_values(const KernelArgs& args, const Tensor* t, int64_t channels, const char* what) {
  if (!t) return args.error(std::string("missing input ") + what);
  if (t->element_count() != channels)
    return args.error(std::string(what) + " " + t->description() + " must have " + std::to_string(channels) + " values");
  return read_double_values(*t);
}

NNC_VECTOR_CLONES void scale_shift_f32(const float* __restrict x, float* __restrict y, int64_t n, float a, float b) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) y[i + j] = x[i + j] * a + b;
  for (; i < n; ++i) y[i] = x[i] * a + b;
}

/// y = x * a[c] + b[c] over [N, C, inner] planes.
void affine_planes(KernelArgs& args, const Tensor& x, Tensor& y, const std::vector<double>& a, const std::vector<double>& b) {
  const int64_t channels = static_cast<int64_t>(a.size());
  const int64_t planes = x.shape()[0] * channels, inner = planes > 0 ? x.element_count() / planes : 0;
  args.pool.parallel_for(planes, [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; ++p) {
      const int64_t c = p % channels;
      if (x.dtype() == DType::kF32) {
        scale_shift_f32(x.data<float>().data() + p * inner, y.mutable_data<float>().data() + p * inner, inner,
                        static_cast<float>(a[c]), static_cast<float>(b[c]));
      } else {
        const double* xp = x.data<double>().data() + p * inner;
        double* yp = y.mutable_data<double>().data() + p * inner;
        for (int64_t i = 0; i < inner; ++i) yp[i] = xp[i] * a[c] + b[c];
      }
    }
  });
}

/// Mean and biased variance of `count` values at x with stride 1.
template <typename T>
void moments(const T* x, int64_t count, double& mean, double& var) {
  double s = 0, s2 = 0;
  for (int64_t i = 0; i < count; ++i) s += static_cast<double>(x[i]);
  mean = count > 0 ? s / static_cast<double>(count) : 0.0;
  for (int64_t i = 0; i < count; ++i) {
    double d = static_cast<double>(x[i]) - mean;
    s2 += d * d;
  }
  var = count > 0 ? s2 / static_cast<double>(count) : 0.0;
}

Tensor tensor_of(DType dt, const std::vector<double>& v, std::vector<int64_t> shape) {
  Tensor t(dt, std::move(shape));
  for (size_t i = 0; i < v.size(); ++i) {
    if (dt == DType::kF64)
      t.mutable_data<double>()[i] = v[i];
    else
      t.mutable_data<float>()[i] = static_cast<float>(v[i]);
  }
  return t;
}

}  // namespace

Status batch_normalization(KernelArgs& args) {
  const Tensor* x = args.input(0);
  if (!x) return args.error("BatchNormalization needs input X");
  NNC_RETURN_IF_ERROR(check_float(args, *x, "BatchNormalization"));
  if (x->rank() < 2) return args.error("X must have shape [N, C, ...], got " + x->description());
  if (attr_int(args.node, "spatial", 1) == 0) return args.unsupported("spatial=0 (per-activation statistics)");
  const int64_t channels = x->shape()[1];
  NNC_ASSIGN_OR_RETURN(std::vector<double> scale, channel_values(args, args.input(1), channels, "scale"));
  NNC_ASSIGN_OR_RETURN(std::vector<double> bias, channel_values(args, args.input(2), channels, "B"));
  NNC_ASSIGN_OR_RETURN(std::vector<double> mean, channel_values(args, args.input(3), channels, "mean"));
  NNC_ASSIGN_OR_RETURN(std::vector<double> var, channel_values(args, args.input(4), channels, "var"));
  const double eps = attr_float(args.node, "epsilon", 1e-5f);
  const bool training = args.opset >= 14 && attr_int(args.node, "training_mode", 0) != 0;
  std::vector<double> batch_mean(channels), batch_var(channels);
  if (training) {  // statistics of this batch over N and the spatial dims
    const int64_t n = x->shape()[0], inner = n * channels > 0 ? x->element_count() / (n * channels) : 0;
    args.pool.parallel_for(channels, [&](int64_t lo, int64_t hi) {
      for (int64_t c = lo; c < hi; ++c) {
        double s = 0, s2 = 0;
        for (int64_t b = 0; b < n; ++b)
          for (int64_t i = 0; i < inner; ++i) s += x->value_as_double((b * channels + c) * inner + i);
        const double count = static_cast<double>(n * inner), m = count > 0 ? s / count : 0;
        for (int64_t b = 0; b < n; ++b)
          for (int64_t i = 0; i < inner; ++i) {
            double d = x->value_as_double((b * channels + c) * inner + i) - m;
            s2 += d * d;
          }
        batch_mean[c] = m;
        batch_var[c] = count > 0 ? s2 / count : 0;
      }
    });
  }
  const std::vector<double>& use_mean = training ? batch_mean : mean;
  const std::vector<double>& use_var = training ? batch_var : var;
  std::vector<double> a(channels), b(channels);
  for (int64_t c = 0; c < channels; ++c) {
    a[c] = scale[c] / std::sqrt(use_var[c] + eps);
    b[c] = bias[c] - use_mean[c] * a[c];
  }
  Tensor y(x->dtype(), x->shape());
  affine_planes(args, *x, y, a, b);
  args.outputs[0] = std::move(y);
  if (args.output_count() > 1) {
    const double momentum = attr_float(args.node, "momentum", 0.9f);
    std::vector<double> run_mean = mean, run_var = var;
    if (training)
      for (int64_t c = 0; c < channels; ++c) {
        run_mean[c] = mean[c] * momentum + batch_mean[c] * (1 - momentum);
        run_var[c] = var[c] * momentum + batch_var[c] * (1 - momentum);
      }
    DType stat_type = args.input(3)->dtype() == DType::kF64 ? DType::kF64 : DType::kF32;
    std::vector<std::vector<double>> outs{run_mean, run_var, batch_mean, batch_var};
    for (size_t i = 1; i < args.output_count() && i <= 4; ++i) args.outputs[i] = tensor_of(stat_type, outs[i - 1], {channels});
  }
  return Status::ok();
}

Status instance_normalization(KernelArgs& args) {
  const Tensor* x = args.input(0);
  if (!x) return args.error("InstanceNormalization needs input X");
  NNC_RETURN_IF_ERROR(check_float(args, *x, "InstanceNormalization"));
  if (x->rank() < 2) return args.error("X must have shape [N, C, ...], got " + x->description());
  const int64_t n = x->shape()[0], channels = x->shape()[1];
  NNC_ASSIGN_OR_RETURN(std::vector<double> scale, channel_values(args, args.input(1), channels, "scale"));
  NNC_ASSIGN_OR_RETURN(std::vector<double> bias, channel_values(args, args.input(2), channels, "B"));
  const double eps = attr_float(args.node, "epsilon", 1e-5f);
  const int64_t planes = n * channels, inner = planes > 0 ? x->element_count() / planes : 0;
  Tensor y(x->dtype(), x->shape());
  args.pool.parallel_for(planes, [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; ++p) {
      const int64_t c = p % channels;
      double m, v;
      if (x->dtype() == DType::kF32) {
        const float* xp = x->data<float>().data() + p * inner;
        moments(xp, inner, m, v);
        double a = scale[c] / std::sqrt(v + eps);
        scale_shift_f32(xp, y.mutable_data<float>().data() + p * inner, inner, static_cast<float>(a),
                        static_cast<float>(bias[c] - m * a));
      } else {
        const double* xp = x->data<double>().data() + p * inner;
        moments(xp, inner, m, v);
        double a = scale[c] / std::sqrt(v + eps), b = bias[c] - m * a;
        double* yp = y.mutable_data<double>().data() + p * inner;
        for (int64_t i = 0; i < inner; ++i) yp[i] = xp[i] * a + b;
      }
    }
  });
  args.outputs[0] = std::move(y);
  return Status::ok();
}

Status layer_normalization(KernelArgs& args) {
  const Tensor* x = args.input(0);
  const Tensor* scale = args.input(1);
  const Tensor* bias = args.input(2);
  if (!x || !scale) return args.error("LayerNormalization needs inputs X and Scale");
  NNC_RETURN_IF_ERROR(check_float(args, *x, "LayerNormalization"));
  NNC_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(attr_int(args.node, "axis", -1), x->rank(), args));
  if (x->rank() == 0) return args.error("X must have rank >= 1");
  const double eps = attr_float(args.node, "epsilon", 1e-5f);
  const std::vector<int64_t>& xs = x->shape();
  std::vector<int64_t> norm_shape(xs.begin() + axis, xs.end());
  const int64_t inner = product(norm_shape), outer = product(std::vector<int64_t>(xs.begin(), xs.begin() + axis));
  std::vector<double> sv = read_double_values(*scale), bv = bias ? read_double_values(*bias) : std::vector<double>{};
  // Scale and B broadcast (numpy rules) to the normalized shape.
  for (const Tensor* t : {scale, bias}) {
    if (!t) continue;
    Expected<std::vector<int64_t>> shape = broadcast_shapes(t->shape(), norm_shape, args);
    if (!shape.has_value() || *shape != norm_shape)
      return args.error(t->description() + " cannot be broadcast to the normalized shape of " + x->description());
  }
  auto expand = [&](const Tensor* t, const std::vector<double>& v) {
    std::vector<double> full(static_cast<size_t>(inner));
    std::vector<int64_t> st = broadcast_strides(t->shape(), norm_shape);
    for (int64_t i = 0; i < inner; ++i) {
      int64_t off = 0;
      for (int64_t rem = i, d = static_cast<int64_t>(norm_shape.size()) - 1; d >= 0; --d) {
        off += (rem % norm_shape[d]) * st[d];
        rem /= norm_shape[d];
      }
      full[i] = v[off];
    }
    return full;
  };
  const std::vector<double> sfull = expand(scale, sv);
  const std::vector<double> bfull = bias ? expand(bias, bv) : std::vector<double>(static_cast<size_t>(inner), 0.0);
  const int64_t stash = attr_int(args.node, "stash_type", 1);
  const DType stat_type = stash == 11 ? DType::kF64 : stash == 1 ? DType::kF32 : x->dtype();
  std::vector<int64_t> stat_shape(xs.begin(), xs.begin() + axis);
  stat_shape.resize(xs.size(), 1);
  Tensor y(x->dtype(), xs), mean_t(stat_type, stat_shape), inv_t(stat_type, stat_shape);
  std::vector<double> means(static_cast<size_t>(outer)), invs(static_cast<size_t>(outer));
  args.pool.parallel_for(outer, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      double m, v;
      if (x->dtype() == DType::kF32) {
        const float* xp = x->data<float>().data() + r * inner;
        float* yp = y.mutable_data<float>().data() + r * inner;
        moments(xp, inner, m, v);
        const double inv = 1.0 / std::sqrt(v + eps);
        for (int64_t i = 0; i < inner; ++i) yp[i] = static_cast<float>((xp[i] - m) * inv * sfull[i] + bfull[i]);
        invs[r] = inv;
      } else {
        const double* xp = x->data<double>().data() + r * inner;
        double* yp = y.mutable_data<double>().data() + r * inner;
        moments(xp, inner, m, v);
        const double inv = 1.0 / std::sqrt(v + eps);
        for (int64_t i = 0; i < inner; ++i) yp[i] = (xp[i] - m) * inv * sfull[i] + bfull[i];
        invs[r] = inv;
      }
      means[r] = m;
    }
  });
  args.outputs[0] = std::move(y);
  if (args.output_count() > 1) args.outputs[1] = tensor_of(stat_type, means, stat_shape);
  if (args.output_count() > 2) args.outputs[2] = tensor_of(stat_type, invs, stat_shape);
  return Status::ok();
}

Status mean_variance_normalization(KernelArgs& args) {
  const Tensor* x = args.input(0);
  if (!x) return args.error("MeanVarianceNormalization needs input X");
  NNC_RETURN_IF_ERROR(check_float(args, *x, "MeanVarianceNormalization"));
  std::vector<int64_t> axes = attr_ints(args.node, "axes", {0, 2, 3});
  const int64_t rank = x->rank();
  std::vector<bool> reduced(static_cast<size_t>(rank), false);
  for (int64_t a : axes) {
    NNC_ASSIGN_OR_RETURN(int64_t ax, normalize_axis(a, rank, args));
    reduced[ax] = true;
  }
  // Group elements by their coordinates on the kept axes.
  const std::vector<int64_t>& xs = x->shape();
  std::vector<int64_t> kept_dims;
  for (int64_t d = 0; d < rank; ++d)
    if (!reduced[d]) kept_dims.push_back(xs[d]);
  const int64_t groups = product(kept_dims), total = x->element_count();
  std::vector<int64_t> group_of(static_cast<size_t>(total));
  for (int64_t i = 0; i < total; ++i) {
    int64_t g = 0, rem = i, mul = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      int64_t idx = rem % xs[d];
      rem /= xs[d];
      if (!reduced[d]) {
        g += idx * mul;
        mul *= xs[d];
      }
    }
    group_of[i] = g;
  }
  std::vector<double> sum(groups, 0.0), sq(groups, 0.0), count(groups, 0.0);
  for (int64_t i = 0; i < total; ++i) {
    double v = x->value_as_double(i);
    sum[group_of[i]] += v;
    sq[group_of[i]] += v * v;
    count[group_of[i]] += 1;
  }
  Tensor y(x->dtype(), xs);
  for (int64_t i = 0; i < total; ++i) {
    const int64_t g = group_of[i];
    const double mean = sum[g] / count[g], var = std::max(0.0, sq[g] / count[g] - mean * mean);
    const double v = (x->value_as_double(i) - mean) / (std::sqrt(var) + 1e-9);  // the ONNX function's epsilon
    if (x->dtype() == DType::kF32)
      y.mutable_data<float>()[i] = static_cast<float>(v);
    else
      y.mutable_data<double>()[i] = v;
  }
  args.outputs[0] = std::move(y);
  return Status::ok();
}

Status lrn(KernelArgs& args) {
  const Tensor* x = args.input(0);
  if (!x) return args.error("LRN needs input X");
  NNC_RETURN_IF_ERROR(check_float(args, *x, "LRN"));
  if (x->rank() < 2) return args.error("X must have shape [N, C, ...], got " + x->description());
  const int64_t size = attr_int(args.node, "size", 0);
  if (size <= 0) return args.error("LRN needs a positive 'size' attribute");
  const double alpha = attr_float(args.node, "alpha", 1e-4f), beta = attr_float(args.node, "beta", 0.75f);
  const double bias = attr_float(args.node, "bias", 1.0f);
  const int64_t n = x->shape()[0], channels = x->shape()[1];
  const int64_t inner = n * channels > 0 ? x->element_count() / (n * channels) : 0;
  const int64_t before = (size - 1) / 2, after = size - 1 - before;
  Tensor y(x->dtype(), x->shape());
  args.pool.parallel_for(n * channels, [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; ++p) {
      const int64_t b = p / channels, c = p % channels;
      const int64_t c0 = std::max<int64_t>(0, c - before), c1 = std::min<int64_t>(channels - 1, c + after);
      for (int64_t i = 0; i < inner; ++i) {
        double sq = 0;
        for (int64_t k = c0; k <= c1; ++k) {
          double v = x->value_as_double((b * channels + k) * inner + i);
          sq += v * v;
        }
        const double v = x->value_as_double(p * inner + i) / std::pow(bias + alpha / static_cast<double>(size) * sq, beta);
        if (x->dtype() == DType::kF32)
          y.mutable_data<float>()[p * inner + i] = static_cast<float>(v);
        else
          y.mutable_data<double>()[p * inner + i] = v;
      }
    }
  });
  args.outputs[0] = std::move(y);
  return Status::ok();
}

}  // namespace nnc::exec::nn
