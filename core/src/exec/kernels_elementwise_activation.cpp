// nnc core: activation kernels with attributes (LeakyRelu, Elu, Selu, HardSigmoid, HardSwish, Gelu, Clip...).
#include <cmath>
#include <limits>

#include "exec/kernels_elementwise_common.h"

namespace nnc::exec::elementwise_ops {
namespace {

/// Runs `make_op.template operator()<T>()` (which returns a T -> T functor) over input 0 for f32/f64.
template <typename MakeOp>
Status float_activation(KernelArgs& args, MakeOp make_op) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "X"));
  NNC_RETURN_IF_ERROR(check_output_slot(args, 0));
  return dispatch_float(x->dtype(), args, [&]<typename T>() {
    args.outputs[0] = Tensor(x->dtype(), x->shape());
    map_unary<T, T>(*x, args.outputs[0], args.pool, make_op.template operator()<T>());
    return Status::ok();
  });
}

Status leaky_relu(KernelArgs& args) {
  const double alpha = attr_float(args.node, "alpha", 0.01f);
  return float_activation(
      args, [&]<typename T>() { return [a = static_cast<T>(alpha)](T x) { return x >= T(0) ? x : a * x; }; });
}

Status elu(KernelArgs& args) {
  const double alpha = attr_float(args.node, "alpha", 1.0f);
  return float_activation(args, [&]<typename T>() {
    return [a = static_cast<T>(alpha)](T x) { return x >= T(0) ? x : a * std::expm1(x); };
  });
}

Status celu(KernelArgs& args) {
  const double alpha = attr_float(args.node, "alpha", 1.0f);
  return float_activation(args, [&]<typename T>() {
    return [a = static_cast<T>(alpha)](T x) { return std::max(T(0), x) + std::min(T(0), a * std::expm1(x / a)); };
  });
}

Status selu(KernelArgs& args) {
  const double alpha = attr_float(args.node, "alpha", 1.67326319217681884765625f);
  const double gamma = attr_float(args.node, "gamma", 1.05070102214813232421875f);
  return float_activation(args, [&]<typename T>() {
    return [a = static_cast<T>(alpha), g = static_cast<T>(gamma)](T x) {
      return x > T(0) ? g * x : g * a * std::expm1(x);
    };
  });
}

Status thresholded_relu(KernelArgs& args) {
  const double alpha = attr_float(args.node, "alpha", 1.0f);
  return float_activation(args,
                          [&]<typename T>() { return [a = static_cast<T>(alpha)](T x) { return x > a ? x : T(0); }; });
}

Status hard_sigmoid(KernelArgs& args) {
  const double alpha = attr_float(args.node, "alpha", 0.2f);
  const double beta = attr_float(args.node, "beta", 0.5f);
  return float_activation(args, [&]<typename T>() {
    return [a = static_cast<T>(alpha), b = static_cast<T>(beta)](T x) {
      return std::max(T(0), std::min(T(1), a * x + b));
    };
  });
}

Status hard_swish(KernelArgs& args) {
  return float_activation(
      args, [&]<typename T>() { return [](T x) { return x * std::max(T(0), std::min(T(1), x / T(6) + T(0.5))); }; });
}

Status shrink(KernelArgs& args) {
  const double lambd = attr_float(args.node, "lambd", 0.5f);
  const double bias = attr_float(args.node, "bias", 0.0f);
  return float_activation(args, [&]<typename T>() {
    return
        [l = static_cast<T>(lambd), b = static_cast<T>(bias)](T x) { return x < -l ? x + b : (x > l ? x - b : T(0)); };
  });
}

Status gelu(KernelArgs& args) {
  const std::string approximate = attr_string(args.node, "approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return args.error("approximate must be 'none' or 'tanh', got '" + approximate + "'");
  const bool use_tanh = approximate == "tanh";
  return float_activation(args, [&]<typename T>() {
    return [use_tanh](T x) {
      if (use_tanh) {
        const T k = static_cast<T>(0.7978845608028654);  // sqrt(2 / pi)
        return T(0.5) * x * (T(1) + std::tanh(k * (x + T(0.044715) * x * x * x)));
      }
      return T(0.5) * x * (T(1) + std::erf(x * static_cast<T>(0.7071067811865476)));
    };
  });
}

/// Reads an optional scalar bound of Clip (opset >= 11) with the input's type.
template <typename T>
Expected<T> clip_bound(const KernelArgs& args, size_t index, T fallback) {
  const Tensor* t = args.input(index);
  if (!t) return fallback;
  if (t->dtype() != args.input(0)->dtype())
    return args.error(std::string(index == 1 ? "min" : "max") + " must have the input's dtype, got " +
                      t->description());
  if (t->element_count() != 1)
    return args.error(std::string(index == 1 ? "min" : "max") + " must be a scalar, got " + t->description());
  return t->data<T>()[0];
}

/// Clip: bounds from attributes min/max before opset 11, from optional inputs 1 and 2 after.
Status clip(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* x, required_input(args, 0, "input"));
  NNC_RETURN_IF_ERROR(check_output_slot(args, 0));
  return dispatch_numeric(x->dtype(), args, [&]<typename T>() -> Status {
    T lo = std::numeric_limits<T>::lowest();
    T hi = std::numeric_limits<T>::max();
    if (args.opset < 11) {
      if (!std::is_floating_point_v<T>) return args.unsupported("Clip before opset 11 takes float inputs only");
      lo = static_cast<T>(attr_float(args.node, "min", -std::numeric_limits<float>::infinity()));
      hi = static_cast<T>(attr_float(args.node, "max", std::numeric_limits<float>::infinity()));
    } else {
      NNC_ASSIGN_OR_RETURN(lo, clip_bound<T>(args, 1, lo));
      NNC_ASSIGN_OR_RETURN(hi, clip_bound<T>(args, 2, hi));
    }
    args.outputs[0] = Tensor(x->dtype(), x->shape());
    // min(max(x, lo), hi): NaN stays NaN; lo > hi gives hi everywhere, as ONNX specifies.
    map_unary<T, T>(*x, args.outputs[0], args.pool, [lo, hi](T v) {
      T low_clipped = v < lo ? lo : v;
      return hi < low_clipped ? hi : low_clipped;
    });
    return Status::ok();
  });
}

const KernelEntry kActivationEntries[] = {
    {"", "LeakyRelu", 1, half_as_f32<leaky_relu>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Elu", 1, half_as_f32<elu>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Celu", 12, half_as_f32<celu>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Selu", 1, half_as_f32<selu>, "f32/f64; f16/bf16 computed in f32"},
    {"", "ThresholdedRelu", 10, half_as_f32<thresholded_relu>, "f32/f64; f16/bf16 computed in f32"},
    {"", "HardSigmoid", 1, half_as_f32<hard_sigmoid>, "f32/f64; f16/bf16 computed in f32"},
    {"", "HardSwish", 14, half_as_f32<hard_swish>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Shrink", 9, half_as_f32<shrink>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Gelu", 20, half_as_f32<gelu>, "f32/f64; f16/bf16 computed in f32"},
    {"", "Clip", 1, half_as_f32<clip>, "min/max attributes before opset 11 (float only), optional inputs from 11"},
};

}  // namespace

std::span<const KernelEntry> activation_entries() { return kActivationEntries; }

}  // namespace nnc::exec::elementwise_ops
