// nnc frontend_keras: node-building helpers: constants, transposes and Keras activations as exact ONNX ops.
#include "keras_emit.h"

#include <cmath>
#include <limits>

namespace nnc::keras_frontend {

std::string dims_str(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

Tensor permute_f32(const Tensor& t, const std::vector<int64_t>& perm) {
  const auto& in = t.shape();
  const size_t r = in.size();
  std::vector<int64_t> out_shape(r), in_strides(r, 1);
  for (size_t i = r; i-- > 1;) in_strides[i - 1] = in_strides[i] * in[i];
  for (size_t i = 0; i < r; ++i) out_shape[i] = in[static_cast<size_t>(perm[i])];
  Tensor out(DType::kF32, out_shape);
  auto src = t.data<float>();
  auto dst = out.mutable_data<float>();
  std::vector<int64_t> idx(r, 0);
  for (size_t o = 0; o < dst.size(); ++o) {
    int64_t off = 0;
    for (size_t i = 0; i < r; ++i) off += idx[i] * in_strides[static_cast<size_t>(perm[i])];
    dst[o] = src[static_cast<size_t>(off)];
    for (size_t i = r; i-- > 0;) {
      if (++idx[i] < out_shape[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

KTensor Emitter::node(const std::string& op, const std::vector<Value*>& inputs, std::map<std::string, Attribute> attrs,
                      const std::vector<int64_t>& shape, const std::string& node_name, const std::string& out_name) {
  Node* n = g_.add_node(op, inputs, {g_.unique_value_name(out_name)}, g_.unique_node_name(node_name));
  for (auto& [k, v] : attrs) n->set_attribute(k, std::move(v));
  Value* out = n->output(0);
  out->set_dtype(DType::kF32);
  out->set_shape(Shape::of(shape));
  return {out, shape};
}

Value* Emitter::constant(const std::string& name, Tensor t, const std::string& key) {
  if (!key.empty()) {
    auto it = const_cache_.find(key);
    if (it != const_cache_.end()) return it->second;
  }
  Value* v = g_.add_constant(g_.unique_value_name(name), std::move(t));
  if (!key.empty()) const_cache_[key] = v;
  return v;
}

Value* Emitter::const_i64(const std::string& name, const std::vector<int64_t>& v) {
  return constant(name, Tensor::from_vector<int64_t>(v, {static_cast<int64_t>(v.size())}));
}

Value* Emitter::const_f32_scalar(const std::string& name, float v) { return constant(name, Tensor::scalar<float>(v)); }

KTensor Emitter::transpose(const KTensor& x, const std::vector<int64_t>& perm, const std::string& node_name) {
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i) identity = identity && perm[i] == static_cast<int64_t>(i);
  if (identity) return x;
  std::vector<int64_t> shape(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) shape[i] = x.shape[static_cast<size_t>(perm[i])];
  return node("Transpose", {x.value}, {{"perm", perm}}, shape, node_name, node_name);
}

namespace {

/// The activation's name: a string, or Keras 3's {"class_name": "function", "config": "relu"} / a registered
/// object {"class_name": "ReLU", ...}.
std::string activation_name(const json& a) {
  if (a.is_null()) return "linear";
  if (a.is_string()) return a.get<std::string>();
  if (a.is_object()) {
    if (a.contains("config") && a["config"].is_string()) return a["config"].get<std::string>();
    if (a.contains("class_name") && a["class_name"].is_string()) return a["class_name"].get<std::string>();
  }
  return a.dump();
}

}  // namespace

bool Emitter::elementwise_activation(const json& a) {
  const std::string n = activation_name(a);
  return n != "softmax" && n != "log_softmax";
}

Expected<KTensor> Emitter::activation(const KTensor& x, const json& a, const std::string& layer,
                                      const std::string& out_name) {
  const std::string n = activation_name(a);
  const std::string nn = layer + "/" + n;
  auto unary = [&](const std::string& op, std::map<std::string, Attribute> attrs = {}) {
    return node(op, {x.value}, std::move(attrs), x.shape, nn, out_name);
  };
  if (n == "linear") return x;
  if (n == "relu") return unary("Relu");
  if (n == "relu6") {
    return node("Clip", {x.value, const_f32_scalar(nn + "/min", 0.f), const_f32_scalar(nn + "/max", 6.f)}, {}, x.shape,
                nn, out_name);
  }
  if (n == "sigmoid") return unary("Sigmoid");
  if (n == "tanh") return unary("Tanh");
  if (n == "softmax") return unary("Softmax", {{"axis", int64_t{-1}}});
  if (n == "log_softmax") return unary("LogSoftmax", {{"axis", int64_t{-1}}});
  if (n == "softplus") return unary("Softplus");
  if (n == "softsign") return unary("Softsign");
  if (n == "elu") return unary("Elu", {{"alpha", 1.0}});
  // Keras' selu constants (tf.keras and Keras 3).
  if (n == "selu") return unary("Selu", {{"alpha", 1.6732632423543772}, {"gamma", 1.0507009873554805}});
  if (n == "exponential") return unary("Exp");
  if (n == "leaky_relu") return unary("LeakyRelu", {{"alpha", 0.2}});  // Keras 3 activations.leaky_relu default
  if (n == "hard_sigmoid") {
    // Keras 2: clip(0.2 x + 0.5, 0, 1); Keras 3: relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1).
    double alpha = ctx_.keras_major >= 3 ? 1.0 / 6.0 : 0.2;
    return unary("HardSigmoid", {{"alpha", alpha}, {"beta", 0.5}});
  }
  if (n == "hard_swish" || n == "hard_silu") return unary("HardSwish");  // x * relu6(x + 3) / 6
  if (n == "swish" || n == "silu") {
    KTensor s = node("Sigmoid", {x.value}, {}, x.shape, nn + "/sigmoid", out_name + "/sigmoid");
    return node("Mul", {x.value, s.value}, {}, x.shape, nn, out_name);
  }
  if (n == "mish") {
    KTensor sp = node("Softplus", {x.value}, {}, x.shape, nn + "/softplus", out_name + "/softplus");
    KTensor th = node("Tanh", {sp.value}, {}, x.shape, nn + "/tanh", out_name + "/tanh");
    return node("Mul", {x.value, th.value}, {}, x.shape, nn, out_name);
  }
  if (n == "gelu") {
    // Keras' default gelu (approximate=False): 0.5 x (1 + erf(x / sqrt(2))).
    KTensor d = node("Div", {x.value, const_f32_scalar(nn + "/sqrt2", static_cast<float>(std::sqrt(2.0)))}, {}, x.shape,
                     nn + "/div", out_name + "/div");
    KTensor e = node("Erf", {d.value}, {}, x.shape, nn + "/erf", out_name + "/erf");
    KTensor p = node("Add", {e.value, const_f32_scalar(nn + "/one", 1.f)}, {}, x.shape, nn + "/add", out_name + "/add");
    KTensor m = node("Mul", {x.value, p.value}, {}, x.shape, nn + "/mul", out_name + "/mul");
    return node("Mul", {m.value, const_f32_scalar(nn + "/half", 0.5f)}, {}, x.shape, nn, out_name);
  }
  return make_error(ErrorCode::kUnsupported, "layer '" + layer + "': activation '" + n + "' is not supported",
                    Location{ctx_.config_file},
                    "use one of linear, relu, relu6, sigmoid, tanh, softmax, log_softmax, softplus, softsign, elu, "
                    "selu, exponential, leaky_relu, hard_sigmoid, hard_swish, swish, silu, mish, gelu");
}

}  // namespace nnc::keras_frontend
