// nnc frontend_keras: translates each Keras layer into ONNX-semantics IR ops (NHWC kept, Transposes around NCHW ops).
#include <cmath>
#include <functional>
#include <limits>
#include <set>

#include "keras_emit.h"

namespace nnc::keras_frontend {
namespace {

using Outs = Expected<std::vector<KTensor>>;

struct LayerCtx {
  const LayerSpec& l;
  Emitter& em;
  const std::string& out;
  Status error(const std::string& msg, const std::string& hint = "", ErrorCode code = ErrorCode::kInvalidArgument) const {
    return make_error(code, "layer '" + l.name + "' (" + l.class_name + "): " + msg, Location{em.ctx().config_file},
                      hint);
  }
  std::string nn(const std::string& suffix = "") const { return suffix.empty() ? l.name : l.name + "/" + suffix; }
};

// ---- config readers -------------------------------------------------------------------------------------------

bool channels_first(const json& cfg) {
  return cfg.contains("data_format") && cfg["data_format"].is_string() && cfg["data_format"] == "channels_first";
}

/// An int or a list of `n` ints (Keras' normalize_tuple).
Expected<std::vector<int64_t>> int_tuple(const LayerCtx& c, const char* key, size_t n,
                                         std::optional<std::vector<int64_t>> fallback = std::nullopt) {
  const json& cfg = c.l.config;
  if (!cfg.contains(key) || cfg[key].is_null()) {
    if (fallback) return *fallback;
    return c.error(std::string("config has no '") + key + "'", "", ErrorCode::kParseError);
  }
  const json& v = cfg[key];
  if (v.is_number_integer()) return std::vector<int64_t>(n, v.get<int64_t>());
  if (v.is_array() && v.size() == n) {
    std::vector<int64_t> out;
    for (const auto& e : v) {
      if (!e.is_number_integer()) return c.error(std::string("'") + key + "' is not a list of ints");
      out.push_back(e.get<int64_t>());
    }
    return out;
  }
  return c.error(std::string("'") + key + "' must be an int or " + std::to_string(n) + " ints, got " + v.dump());
}

std::string str_cfg(const json& cfg, const char* key, const std::string& fallback) {
  return cfg.contains(key) && cfg[key].is_string() ? cfg[key].get<std::string>() : fallback;
}

double num_cfg(const json& cfg, const char* key, double fallback) {
  return cfg.contains(key) && cfg[key].is_number() ? cfg[key].get<double>() : fallback;
}

bool bool_cfg(const json& cfg, const char* key, bool fallback) {
  return cfg.contains(key) && cfg[key].is_boolean() ? cfg[key].get<bool>() : fallback;
}

/// Normalises an axis against `rank` (negative counts from the end).
Expected<int64_t> norm_axis(const LayerCtx& c, int64_t axis, size_t rank) {
  int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r)
    return c.error("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + r : axis;
}

// ---- geometry -------------------------------------------------------------------------------------------------

struct Pad1 {
  int64_t out = 0, before = 0, after = 0;
};

/// TensorFlow's "valid" / "same" output size and padding for one spatial dim.
Expected<Pad1> tf_pad(const LayerCtx& c, int64_t in, int64_t k, int64_t s, int64_t d, const std::string& padding) {
  if (k < 1 || s < 1 || d < 1) return c.error("kernel, strides and dilation must be >= 1");
  int64_t ke = (k - 1) * d + 1;
  Pad1 p;
  if (padding == "valid") {
    if (in < ke)
      return c.error("input size " + std::to_string(in) + " is smaller than the kernel extent " + std::to_string(ke) +
                     " with padding 'valid'",
                     "give a larger input shape (-is)");
    p.out = (in - ke) / s + 1;
  } else if (padding == "same") {
    p.out = (in + s - 1) / s;
    int64_t total = std::max<int64_t>((p.out - 1) * s + ke - in, 0);
    p.before = total / 2;
    p.after = total - p.before;
  } else {
    return c.error("padding '" + padding + "' is not supported", "use 'valid' or 'same'", ErrorCode::kUnsupported);
  }
  return p;
}

Status check_shape(const LayerCtx& c, const std::string& wname, const Tensor& t, const std::vector<int64_t>& expect) {
  if (t.shape() != expect)
    return c.error("weight '" + wname + "' has shape " + dims_str(t.shape()) + ", expected " + dims_str(expect),
                   "the weights file does not belong to this architecture (or the input shape differs)");
  return Status::ok();
}

Status need_rank(const LayerCtx& c, const KTensor& x, size_t rank) {
  if (x.shape.size() != rank)
    return c.error("expects a rank-" + std::to_string(rank) + " input, got " + dims_str(x.shape));
  return Status::ok();
}

/// x in NCHW order for a 2-D spatial op (Transpose when channels_last).
KTensor to_nchw(const LayerCtx& c, const KTensor& x, bool cf) {
  return cf ? x : c.em.transpose(x, {0, 3, 1, 2}, c.nn("to_nchw"));
}

/// Back to the layer's layout, applying an elementwise activation first (so Conv+Relu stay adjacent).
Expected<KTensor> finish(const LayerCtx& c, KTensor y, bool cf) {
  const json act = c.l.config.contains("activation") ? c.l.config["activation"] : json("linear");
  bool ew = Emitter::elementwise_activation(act);
  if (ew) {
    NNC_ASSIGN_OR_RETURN(y, c.em.activation(y, act, c.l.name, cf ? c.out : c.nn("act")));
  }
  if (!cf) y = c.em.transpose(y, {0, 2, 3, 1}, c.out);
  if (!ew) {
    NNC_ASSIGN_OR_RETURN(y, c.em.activation(y, act, c.l.name, c.out));
  }
  return y;
}

// ---- convolutions ---------------------------------------------------------------------------------------------

struct ConvGeom {
  std::vector<int64_t> k, s, d;
  std::string padding;
  Pad1 h, w;
};

Expected<ConvGeom> conv_geom(const LayerCtx& c, const KTensor& xn) {
  ConvGeom g;
  NNC_ASSIGN_OR_RETURN(g.k, int_tuple(c, "kernel_size", 2));
  NNC_ASSIGN_OR_RETURN(g.s, int_tuple(c, "strides", 2, std::vector<int64_t>{1, 1}));
  NNC_ASSIGN_OR_RETURN(g.d, int_tuple(c, "dilation_rate", 2, std::vector<int64_t>{1, 1}));
  g.padding = str_cfg(c.l.config, "padding", "valid");
  NNC_ASSIGN_OR_RETURN(g.h, tf_pad(c, xn.shape[2], g.k[0], g.s[0], g.d[0], g.padding));
  NNC_ASSIGN_OR_RETURN(g.w, tf_pad(c, xn.shape[3], g.k[1], g.s[1], g.d[1], g.padding));
  return g;
}

std::map<std::string, Attribute> conv_attrs(const ConvGeom& g, int64_t group) {
  return {{"kernel_shape", g.k},
          {"strides", g.s},
          {"dilations", g.d},
          {"pads", std::vector<int64_t>{g.h.before, g.w.before, g.h.after, g.w.after}},
          {"group", group}};
}

Outs conv2d(const LayerCtx& c, const KTensor& x, const LayerWeights& w) {
  NNC_RETURN_IF_ERROR(need_rank(c, x, 4));
  bool cf = channels_first(c.l.config);
  KTensor xn = to_nchw(c, x, cf);
  NNC_ASSIGN_OR_RETURN(ConvGeom g, conv_geom(c, xn));
  int64_t groups = static_cast<int64_t>(num_cfg(c.l.config, "groups", 1));
  int64_t cin = xn.shape[1];
  int64_t filters = static_cast<int64_t>(num_cfg(c.l.config, "filters", 0));
  if (groups < 1 || cin % groups != 0 || filters % groups != 0)
    return c.error("groups " + std::to_string(groups) + " does not divide the input channels " + std::to_string(cin) +
                   " and filters " + std::to_string(filters));
  const Tensor* k = w.get("kernel");
  NNC_RETURN_IF_ERROR(check_shape(c, "kernel", *k, {g.k[0], g.k[1], cin / groups, filters}));
  std::vector<Value*> ins{xn.value, c.em.constant(c.nn("kernel"), permute_f32(*k, {3, 2, 0, 1}), c.nn("kernel"))};
  if (const Tensor* b = w.get("bias")) {
    NNC_RETURN_IF_ERROR(check_shape(c, "bias", *b, {filters}));
    ins.push_back(c.em.constant(c.nn("bias"), *b, c.nn("bias")));
  }
  KTensor y = c.em.node("Conv", ins, conv_attrs(g, groups), {xn.shape[0], filters, g.h.out, g.w.out}, c.nn(),
                        c.nn("conv"));
  NNC_ASSIGN_OR_RETURN(KTensor out, finish(c, y, cf));
  return std::vector<KTensor>{out};
}

/// Depthwise kernel [kh, kw, C, m] -> ONNX [C*m, 1, kh, kw] (output channel c*m + j).
Tensor depthwise_weight(const Tensor& k) {
  Tensor p = permute_f32(k, {2, 3, 0, 1});
  auto s = p.shape();
  return *p.reshaped({s[0] * s[1], 1, s[2], s[3]});
}

Outs depthwise(const LayerCtx& c, const KTensor& x, const LayerWeights& w, bool separable) {
  NNC_RETURN_IF_ERROR(need_rank(c, x, 4));
  bool cf = channels_first(c.l.config);
  KTensor xn = to_nchw(c, x, cf);
  NNC_ASSIGN_OR_RETURN(ConvGeom g, conv_geom(c, xn));
  int64_t cin = xn.shape[1];
  int64_t m = static_cast<int64_t>(num_cfg(c.l.config, "depth_multiplier", 1));
  const Tensor* k = w.get("depthwise_kernel");
  NNC_RETURN_IF_ERROR(check_shape(c, "depthwise_kernel", *k, {g.k[0], g.k[1], cin, m}));
  std::vector<Value*> ins{xn.value,
                          c.em.constant(c.nn("depthwise_kernel"), depthwise_weight(*k), c.nn("depthwise_kernel"))};
  std::vector<int64_t> dshape{xn.shape[0], cin * m, g.h.out, g.w.out};
  if (!separable) {
    if (const Tensor* b = w.get("bias")) {
      NNC_RETURN_IF_ERROR(check_shape(c, "bias", *b, {cin * m}));
      ins.push_back(c.em.constant(c.nn("bias"), *b, c.nn("bias")));
    }
    KTensor y = c.em.node("Conv", ins, conv_attrs(g, cin), dshape, c.nn(), c.nn("conv"));
    NNC_ASSIGN_OR_RETURN(KTensor out, finish(c, y, cf));
    return std::vector<KTensor>{out};
  }
  KTensor dw = c.em.node("Conv", ins, conv_attrs(g, cin), dshape, c.nn("depthwise"), c.nn("depthwise"));
  int64_t filters = static_cast<int64_t>(num_cfg(c.l.config, "filters", 0));
  const Tensor* pk = w.get("pointwise_kernel");
  NNC_RETURN_IF_ERROR(check_shape(c, "pointwise_kernel", *pk, {1, 1, cin * m, filters}));
  std::vector<Value*> pins{dw.value,
                           c.em.constant(c.nn("pointwise_kernel"), permute_f32(*pk, {3, 2, 0, 1}), c.nn("pointwise_kernel"))};
  if (const Tensor* b = w.get("bias")) {
    NNC_RETURN_IF_ERROR(check_shape(c, "bias", *b, {filters}));
    pins.push_back(c.em.constant(c.nn("bias"), *b, c.nn("bias")));
  }
  ConvGeom pg;
  pg.k = {1, 1};
  pg.s = {1, 1};
  pg.d = {1, 1};
  KTensor y = c.em.node("Conv", pins, conv_attrs(pg, 1), {xn.shape[0], filters, g.h.out, g.w.out}, c.nn("pointwise"),
                        c.nn("pointwise"));
  NNC_ASSIGN_OR_RETURN(KTensor out, finish(c, y, cf));
  return std::vector<KTensor>{out};
}

Outs conv_transpose(const LayerCtx& c, const KTensor& x, const LayerWeights& w) {
  NNC_RETURN_IF_ERROR(need_rank(c, x, 4));
  bool cf = channels_first(c.l.config);
  KTensor xn = to_nchw(c, x, cf);
  std::vector<int64_t> k, s, d;
  NNC_ASSIGN_OR_RETURN(k, int_tuple(c, "kernel_size", 2));
  NNC_ASSIGN_OR_RETURN(s, int_tuple(c, "strides", 2, std::vector<int64_t>{1, 1}));
  NNC_ASSIGN_OR_RETURN(d, int_tuple(c, "dilation_rate", 2, std::vector<int64_t>{1, 1}));
  std::string padding = str_cfg(c.l.config, "padding", "valid");
  if (padding != "valid" && padding != "same")
    return c.error("padding '" + padding + "' is not supported", "use 'valid' or 'same'", ErrorCode::kUnsupported);
  std::optional<std::vector<int64_t>> opad;
  if (c.l.config.contains("output_padding") && !c.l.config["output_padding"].is_null()) {
    NNC_ASSIGN_OR_RETURN(opad, int_tuple(c, "output_padding", 2));
  }
  int64_t cin = xn.shape[1];
  int64_t filters = static_cast<int64_t>(num_cfg(c.l.config, "filters", 0));
  const Tensor* kt = w.get("kernel");
  NNC_RETURN_IF_ERROR(check_shape(c, "kernel", *kt, {k[0], k[1], filters, cin}));
  std::vector<int64_t> out_hw(2), pb(2), pa(2), op(2);
  for (int i = 0; i < 2; ++i) {
    int64_t in = xn.shape[2 + i];
    int64_t ke = (k[i] - 1) * d[i] + 1;
    int64_t L;
    // Keras' deconv_output_length.
    if (!opad) {
      L = padding == "valid" ? in * s[i] + std::max<int64_t>(ke - s[i], 0) : in * s[i];
    } else {
      int64_t pad = padding == "same" ? ke / 2 : 0;
      L = (in - 1) * s[i] + ke - 2 * pad + (*opad)[i];
    }
    // TensorFlow's conv2d_transpose pads as the forward convolution producing `in` from `L`.
    int64_t total = padding == "same" ? std::max<int64_t>(((L + s[i] - 1) / s[i] - 1) * s[i] + ke - L, 0) : 0;
    pb[i] = total / 2;
    pa[i] = total - pb[i];
    int64_t extra = L - ((in - 1) * s[i] + ke - pb[i] - pa[i]);
    if (extra < 0) {
      pa[i] -= extra;
      extra = 0;
    }
    if (extra >= std::max(s[i], d[i]))
      return c.error("output size " + std::to_string(L) + " cannot be produced exactly", "", ErrorCode::kUnsupported);
    op[i] = extra;
    out_hw[i] = L;
  }
  std::vector<Value*> ins{xn.value, c.em.constant(c.nn("kernel"), permute_f32(*kt, {3, 2, 0, 1}), c.nn("kernel"))};
  if (const Tensor* b = w.get("bias")) {
    NNC_RETURN_IF_ERROR(check_shape(c, "bias", *b, {filters}));
    ins.push_back(c.em.constant(c.nn("bias"), *b, c.nn("bias")));
  }
  KTensor y = c.em.node("ConvTranspose", ins,
                        {{"kernel_shape", k},
                         {"strides", s},
                         {"dilations", d},
                         {"pads", std::vector<int64_t>{pb[0], pb[1], pa[0], pa[1]}},
                         {"output_padding", op}},
                        {xn.shape[0], filters, out_hw[0], out_hw[1]}, c.nn(), c.nn("convt"));
  NNC_ASSIGN_OR_RETURN(KTensor out, finish(c, y, cf));
  return std::vector<KTensor>{out};
}

Outs dense(const LayerCtx& c, const KTensor& x, const LayerWeights& w) {
  if (x.shape.size() < 2) return c.error("expects an input of rank >= 2, got " + dims_str(x.shape));
  int64_t in = x.shape.back();
  int64_t units = static_cast<int64_t>(num_cfg(c.l.config, "units", 0));
  const Tensor* k = w.get("kernel");
  NNC_RETURN_IF_ERROR(check_shape(c, "kernel", *k, {in, units}));
  std::vector<int64_t> shape = x.shape;
  shape.back() = units;
  Value* kv = c.em.constant(c.nn("kernel"), *k, c.nn("kernel"));
  const Tensor* b = w.get("bias");
  if (b) NNC_RETURN_IF_ERROR(check_shape(c, "bias", *b, {units}));
  const json act = c.l.config.contains("activation") ? c.l.config["activation"] : json("linear");
  KTensor y;
  if (x.shape.size() == 2) {
    std::vector<Value*> ins{x.value, kv};
    if (b) ins.push_back(c.em.constant(c.nn("bias"), *b, c.nn("bias")));
    y = c.em.node("Gemm", ins, {}, shape, c.nn(), c.nn("dense"));
  } else {
    y = c.em.node("MatMul", {x.value, kv}, {}, shape, c.nn(), c.nn("matmul"));
    if (b) y = c.em.node("Add", {y.value, c.em.constant(c.nn("bias"), *b, c.nn("bias"))}, {}, shape, c.nn("bias_add"),
                         c.nn("bias_add"));
  }
  NNC_ASSIGN_OR_RETURN(KTensor out, c.em.activation(y, act, c.l.name, c.out));
  return std::vector<KTensor>{out};
}

/// Constant shaped to broadcast along `axis` of a rank-`rank` tensor.
Tensor along_axis(const std::vector<float>& v, size_t axis, size_t rank, bool with_batch = true) {
  std::vector<int64_t> shape(with_batch ? rank : rank - 1, 1);
  shape[with_batch ? axis : axis - 1] = static_cast<int64_t>(v.size());
  return Tensor::from_vector<float>(v, shape);
}

Outs batch_norm(const LayerCtx& c, const KTensor& x, const LayerWeights& w) {
  const json& cfg = c.l.config;
  int64_t axis = -1;
  if (cfg.contains("axis")) {
    if (cfg["axis"].is_number_integer()) axis = cfg["axis"].get<int64_t>();
    else if (cfg["axis"].is_array() && cfg["axis"].size() == 1 && cfg["axis"][0].is_number_integer())
      axis = cfg["axis"][0].get<int64_t>();
    else
      return c.error("axis " + cfg["axis"].dump() + " is not supported", "normalise over one axis",
                     ErrorCode::kUnsupported);
  }
  NNC_ASSIGN_OR_RETURN(int64_t ax, norm_axis(c, axis, x.shape.size()));
  if (ax == 0) return c.error("cannot normalise over the batch axis");
  int64_t ch = x.shape[static_cast<size_t>(ax)];
  std::vector<float> gamma(ch, 1.f), beta(ch, 0.f);
  auto vec = [&](const char* n, std::vector<float>& dst) -> Status {
    const Tensor* t = w.get(n);
    if (!t) return Status::ok();
    NNC_RETURN_IF_ERROR(check_shape(c, n, *t, {ch}));
    auto d = t->data<float>();
    dst.assign(d.begin(), d.end());
    return Status::ok();
  };
  std::vector<float> mean, var;
  NNC_RETURN_IF_ERROR(vec("gamma", gamma));
  NNC_RETURN_IF_ERROR(vec("beta", beta));
  NNC_RETURN_IF_ERROR(vec("moving_mean", mean));
  NNC_RETURN_IF_ERROR(vec("moving_variance", var));
  double eps = num_cfg(cfg, "epsilon", 1e-3);
  size_t rank = x.shape.size();
  auto cst = [&](const char* n, const std::vector<float>& v) {
    return c.em.constant(c.nn(n), Tensor::from_vector<float>(v, {ch}), c.nn(n));
  };
  if (ax == 1 || (rank == 4 && ax == 3)) {
    bool cf = ax == 1;
    KTensor xn = cf ? x : c.em.transpose(x, {0, 3, 1, 2}, c.nn("to_nchw"));
    KTensor y = c.em.node("BatchNormalization",
                          {xn.value, cst("gamma", gamma), cst("beta", beta), cst("moving_mean", mean),
                           cst("moving_variance", var)},
                          {{"epsilon", eps}}, xn.shape, c.nn(), cf ? c.out : c.nn("bn"));
    if (!cf) y = c.em.transpose(y, {0, 2, 3, 1}, c.out);
    return std::vector<KTensor>{y};
  }
  // Any other axis: y = x * a + b with a = gamma / sqrt(var + eps), b = beta - mean * a (Keras' own inference form).
  std::vector<float> a(ch), b(ch);
  for (int64_t i = 0; i < ch; ++i) {
    a[i] = gamma[i] / std::sqrt(var[i] + static_cast<float>(eps));
    b[i] = beta[i] - mean[i] * a[i];
  }
  KTensor m = c.em.node("Mul", {x.value, c.em.constant(c.nn("scale"), along_axis(a, ax, rank), c.nn("scale"))}, {},
                        x.shape, c.nn("mul"), c.nn("mul"));
  KTensor y = c.em.node("Add", {m.value, c.em.constant(c.nn("shift"), along_axis(b, ax, rank), c.nn("shift"))}, {},
                        x.shape, c.nn(), c.out);
  return std::vector<KTensor>{y};
}

Outs pool2d(const LayerCtx& c, const KTensor& x, bool max) {
  NNC_RETURN_IF_ERROR(need_rank(c, x, 4));
  bool cf = channels_first(c.l.config);
  KTensor xn = to_nchw(c, x, cf);
  std::vector<int64_t> k, s;
  NNC_ASSIGN_OR_RETURN(k, int_tuple(c, "pool_size", 2, std::vector<int64_t>{2, 2}));
  NNC_ASSIGN_OR_RETURN(s, int_tuple(c, "strides", 2, k));
  std::string padding = str_cfg(c.l.config, "padding", "valid");
  NNC_ASSIGN_OR_RETURN(Pad1 h, tf_pad(c, xn.shape[2], k[0], s[0], 1, padding));
  NNC_ASSIGN_OR_RETURN(Pad1 wd, tf_pad(c, xn.shape[3], k[1], s[1], 1, padding));
  std::map<std::string, Attribute> attrs{{"kernel_shape", k},
                                         {"strides", s},
                                         {"pads", std::vector<int64_t>{h.before, wd.before, h.after, wd.after}}};
  // TF's 'same' average pooling divides by the count of real (unpadded) elements.
  if (!max) attrs["count_include_pad"] = int64_t{0};
  KTensor y = c.em.node(max ? "MaxPool" : "AveragePool", {xn.value}, attrs, {xn.shape[0], xn.shape[1], h.out, wd.out},
                        c.nn(), cf ? c.out : c.nn("pool"));
  if (!cf) y = c.em.transpose(y, {0, 2, 3, 1}, c.out);
  return std::vector<KTensor>{y};
}

Outs global_pool(const LayerCtx& c, const KTensor& x, bool max) {
  if (x.shape.size() < 3) return c.error("expects an input of rank >= 3, got " + dims_str(x.shape));
  bool cf = channels_first(c.l.config);
  bool keep = bool_cfg(c.l.config, "keepdims", false);
  std::vector<int64_t> axes, shape;
  for (size_t i = 0; i < x.shape.size(); ++i) {
    bool spatial = cf ? i >= 2 : (i >= 1 && i + 1 < x.shape.size());
    if (spatial) axes.push_back(static_cast<int64_t>(i));
    if (!spatial) shape.push_back(x.shape[i]);
    else if (keep) shape.push_back(1);
  }
  KTensor y = c.em.node(max ? "ReduceMax" : "ReduceMean", {x.value}, {{"axes", axes}, {"keepdims", int64_t{keep}}},
                        shape, c.nn(), c.out);
  return std::vector<KTensor>{y};
}

/// ((top, bottom), (left, right)) from an int, a pair of ints, or a pair of pairs.
Expected<std::vector<int64_t>> pad_pairs(const LayerCtx& c, const char* key) {
  const json& v = c.l.config.contains(key) ? c.l.config[key] : json(1);
  if (v.is_number_integer()) {
    int64_t p = v.get<int64_t>();
    return std::vector<int64_t>{p, p, p, p};
  }
  if (v.is_array() && v.size() == 2 && v[0].is_number_integer() && v[1].is_number_integer())
    return std::vector<int64_t>{v[0].get<int64_t>(), v[0].get<int64_t>(), v[1].get<int64_t>(), v[1].get<int64_t>()};
  if (v.is_array() && v.size() == 2 && v[0].is_array() && v[1].is_array() && v[0].size() == 2 && v[1].size() == 2) {
    std::vector<int64_t> out;
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) {
        if (!v[i][j].is_number_integer()) return c.error(std::string("bad '") + key + "' " + v.dump());
        out.push_back(v[i][j].get<int64_t>());
      }
    return out;
  }
  return c.error(std::string("bad '") + key + "' " + v.dump());
}

Outs zero_pad(const LayerCtx& c, const KTensor& x) {
  NNC_RETURN_IF_ERROR(need_rank(c, x, 4));
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> p, pad_pairs(c, "padding"));  // top, bottom, left, right
  for (int64_t v : p)
    if (v < 0) return c.error("negative padding");
  bool cf = channels_first(c.l.config);
  size_t ha = cf ? 2 : 1, wa = ha + 1;
  std::vector<int64_t> pads(8, 0), shape = x.shape;
  pads[ha] = p[0];
  pads[4 + ha] = p[1];
  pads[wa] = p[2];
  pads[4 + wa] = p[3];
  shape[ha] += p[0] + p[1];
  shape[wa] += p[2] + p[3];
  KTensor y = c.em.node("Pad", {x.value, c.em.const_i64(c.nn("pads"), pads)}, {{"mode", "constant"}}, shape, c.nn(),
                        c.out);
  return std::vector<KTensor>{y};
}

Outs cropping(const LayerCtx& c, const KTensor& x) {
  NNC_RETURN_IF_ERROR(need_rank(c, x, 4));
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> p, pad_pairs(c, "cropping"));
  bool cf = channels_first(c.l.config);
  int64_t ha = cf ? 2 : 1, wa = ha + 1;
  std::vector<int64_t> shape = x.shape;
  shape[ha] -= p[0] + p[1];
  shape[wa] -= p[2] + p[3];
  if (shape[ha] <= 0 || shape[wa] <= 0 || p[0] < 0 || p[1] < 0 || p[2] < 0 || p[3] < 0)
    return c.error("cropping " + dims_str(p) + " does not fit the input " + dims_str(x.shape));
  KTensor y = c.em.node("Slice",
                        {x.value, c.em.const_i64(c.nn("starts"), {p[0], p[2]}),
                         c.em.const_i64(c.nn("ends"), {p[0] + shape[ha], p[2] + shape[wa]}),
                         c.em.const_i64(c.nn("axes"), {ha, wa})},
                        {}, shape, c.nn(), c.out);
  return std::vector<KTensor>{y};
}

Outs upsampling(const LayerCtx& c, const KTensor& x) {
  NNC_RETURN_IF_ERROR(need_rank(c, x, 4));
  bool cf = channels_first(c.l.config);
  NNC_ASSIGN_OR_RETURN(std::vector<int64_t> size, int_tuple(c, "size", 2, std::vector<int64_t>{2, 2}));
  std::string interp = str_cfg(c.l.config, "interpolation", "nearest");
  KTensor xn = to_nchw(c, x, cf);
  std::map<std::string, Attribute> attrs;
  if (interp == "nearest") {
    // Keras repeats each element (repeat_elements / nearest resize without half-pixel offset).
    attrs = {{"mode", "nearest"}, {"coordinate_transformation_mode", "asymmetric"}, {"nearest_mode", "floor"}};
  } else if (interp == "bilinear") {
    // tf.keras 2.x resizes with tf.image.resize (half-pixel centres); Keras < 2.3 (TF1) used the legacy
    // asymmetric mapping.
    attrs = {{"mode", "linear"}, {"coordinate_transformation_mode", c.em.ctx().half_pixel_resize ? "half_pixel" : "asymmetric"}};
  } else {
    return c.error("interpolation '" + interp + "' is not supported", "use 'nearest' or 'bilinear'",
                   ErrorCode::kUnsupported);
  }
  Tensor scales = Tensor::from_vector<float>({1.f, 1.f, static_cast<float>(size[0]), static_cast<float>(size[1])}, {4});
  Value* empty_roi = nullptr;
  KTensor y = c.em.node("Resize", {xn.value, empty_roi, c.em.constant(c.nn("scales"), scales)}, attrs,
                        {xn.shape[0], xn.shape[1], xn.shape[2] * size[0], xn.shape[3] * size[1]}, c.nn(),
                        cf ? c.out : c.nn("resize"));
  if (!cf) y = c.em.transpose(y, {0, 2, 3, 1}, c.out);
  return std::vector<KTensor>{y};
}

Outs reshape(const LayerCtx& c, const KTensor& x) {
  const json& ts = c.l.config.contains("target_shape") ? c.l.config["target_shape"] : json();
  if (!ts.is_array()) return c.error("config has no target_shape list", "", ErrorCode::kParseError);
  int64_t total = 1;
  for (size_t i = 1; i < x.shape.size(); ++i) total *= x.shape[i];
  std::vector<int64_t> shape{x.shape[0]};
  int64_t known = 1, infer = -1;
  for (const auto& e : ts) {
    if (!e.is_number_integer() && !e.is_null()) return c.error("bad target_shape " + ts.dump());
    int64_t d = e.is_null() ? -1 : e.get<int64_t>();
    if (d == -1) {
      if (infer >= 0) return c.error("target_shape " + ts.dump() + " has more than one unknown dim");
      infer = static_cast<int64_t>(shape.size());
    } else {
      known *= d;
    }
    shape.push_back(d);
  }
  if (infer >= 0) {
    if (known == 0 || total % known != 0) return c.error("target_shape " + ts.dump() + " does not fit " + dims_str(x.shape));
    shape[static_cast<size_t>(infer)] = total / known;
  } else if (known != total) {
    return c.error("target_shape " + ts.dump() + " has " + std::to_string(known) + " elements, the input " +
                   dims_str(x.shape) + " has " + std::to_string(total) + " per sample");
  }
  KTensor y = c.em.node("Reshape", {x.value, c.em.const_i64(c.nn("shape"), shape)}, {}, shape, c.nn(), c.out);
  return std::vector<KTensor>{y};
}

Outs flatten(const LayerCtx& c, const KTensor& x) {
  KTensor in = x;
  if (channels_first(c.l.config) && x.shape.size() >= 3) {
    // Keras moves the channels last before flattening a channels_first tensor.
    std::vector<int64_t> perm{0};
    for (size_t i = 2; i < x.shape.size(); ++i) perm.push_back(static_cast<int64_t>(i));
    perm.push_back(1);
    in = c.em.transpose(x, perm, c.nn("to_nhwc"));
  }
  int64_t total = 1;
  for (size_t i = 1; i < in.shape.size(); ++i) total *= in.shape[i];
  KTensor y = c.em.node("Flatten", {in.value}, {{"axis", int64_t{1}}}, {in.shape[0], total}, c.nn(), c.out);
  return std::vector<KTensor>{y};
}

Outs merge(const LayerCtx& c, const std::vector<KTensor>& xs, const std::string& op) {
  if (xs.size() < 2) return c.error("needs at least 2 inputs, got " + std::to_string(xs.size()));
  if ((op == "Sub") && xs.size() != 2) return c.error("needs exactly 2 inputs");
  // Broadcast shape (numpy rules).
  std::vector<int64_t> shape = xs[0].shape;
  for (size_t k = 1; k < xs.size(); ++k) {
    const auto& s = xs[k].shape;
    std::vector<int64_t> out(std::max(shape.size(), s.size()), 1);
    for (size_t i = 0; i < out.size(); ++i) {
      int64_t a = i < out.size() - shape.size() ? 1 : shape[i - (out.size() - shape.size())];
      int64_t b = i < out.size() - s.size() ? 1 : s[i - (out.size() - s.size())];
      if (a != b && a != 1 && b != 1)
        return c.error("input shapes " + dims_str(shape) + " and " + dims_str(s) + " do not broadcast");
      out[i] = std::max(a, b);
    }
    shape = out;
  }
  const std::string bin = op == "Average" ? "Add" : op;
  KTensor acc = xs[0];
  for (size_t k = 1; k < xs.size(); ++k) {
    bool last = k + 1 == xs.size() && op != "Average";
    acc = c.em.node(bin, {acc.value, xs[k].value}, {}, shape, last ? c.nn() : c.nn(bin),
                    last ? c.out : c.nn(bin));
  }
  if (op == "Average")
    acc = c.em.node("Div", {acc.value, c.em.const_f32_scalar(c.nn("count"), static_cast<float>(xs.size()))}, {}, shape,
                    c.nn(), c.out);
  return std::vector<KTensor>{acc};
}

Outs concat(const LayerCtx& c, const std::vector<KTensor>& xs) {
  if (xs.empty()) return c.error("has no inputs");
  int64_t axis = static_cast<int64_t>(num_cfg(c.l.config, "axis", -1));
  NNC_ASSIGN_OR_RETURN(int64_t ax, norm_axis(c, axis, xs[0].shape.size()));
  std::vector<int64_t> shape = xs[0].shape;
  shape[static_cast<size_t>(ax)] = 0;
  std::vector<Value*> ins;
  for (const auto& x : xs) {
    if (x.shape.size() != shape.size()) return c.error("inputs of different ranks");
    for (size_t i = 0; i < shape.size(); ++i)
      if (static_cast<int64_t>(i) != ax && x.shape[i] != xs[0].shape[i])
        return c.error("input shapes " + dims_str(xs[0].shape) + " and " + dims_str(x.shape) +
                       " differ outside the concat axis " + std::to_string(ax));
    shape[static_cast<size_t>(ax)] += x.shape[static_cast<size_t>(ax)];
    ins.push_back(x.value);
  }
  KTensor y = c.em.node("Concat", ins, {{"axis", ax}}, shape, c.nn(), c.out);
  return std::vector<KTensor>{y};
}

Outs relu_layer(const LayerCtx& c, const KTensor& x) {
  const json& cfg = c.l.config;
  std::optional<double> max_value;
  if (cfg.contains("max_value") && cfg["max_value"].is_number()) max_value = cfg["max_value"].get<double>();
  double slope = num_cfg(cfg, "negative_slope", 0.0);
  double th = num_cfg(cfg, "threshold", 0.0);
  KTensor y;
  if (th == 0.0) {
    if (slope == 0.0 && max_value) {
      y = c.em.node("Clip", {x.value, c.em.const_f32_scalar(c.nn("min"), 0.f),
                             c.em.const_f32_scalar(c.nn("max"), static_cast<float>(*max_value))},
                    {}, x.shape, c.nn(), c.out);
      return std::vector<KTensor>{y};
    }
    y = slope == 0.0 ? c.em.node("Relu", {x.value}, {}, x.shape, c.nn(), max_value ? c.nn("relu") : c.out)
                     : c.em.node("LeakyRelu", {x.value}, {{"alpha", slope}}, x.shape, c.nn(),
                                 max_value ? c.nn("leaky") : c.out);
  } else {
    // x >= threshold ? x : negative_slope * (x - threshold)
    KTensor ge = c.em.node("GreaterOrEqual", {x.value, c.em.const_f32_scalar(c.nn("threshold"), static_cast<float>(th))},
                           {}, x.shape, c.nn("ge"), c.nn("ge"));
    ge.value->set_dtype(DType::kBool);
    KTensor sub = c.em.node("Sub", {x.value, c.em.const_f32_scalar(c.nn("threshold"), static_cast<float>(th))}, {},
                            x.shape, c.nn("sub"), c.nn("sub"));
    KTensor neg = c.em.node("Mul", {sub.value, c.em.const_f32_scalar(c.nn("slope"), static_cast<float>(slope))}, {},
                            x.shape, c.nn("mul"), c.nn("mul"));
    y = c.em.node("Where", {ge.value, x.value, neg.value}, {}, x.shape, c.nn(), max_value ? c.nn("where") : c.out);
  }
  if (max_value) {
    // min(y, max_value): Clip with only a max bound.
    y = c.em.node("Min", {y.value, c.em.const_f32_scalar(c.nn("max"), static_cast<float>(*max_value))}, {}, x.shape,
                  c.nn("max"), c.out);
  }
  return std::vector<KTensor>{y};
}

Outs rescaling(const LayerCtx& c, const KTensor& x) {
  const json& cfg = c.l.config;
  auto vals = [&](const char* key, float dflt) -> Expected<std::vector<float>> {
    if (!cfg.contains(key) || cfg[key].is_null()) return std::vector<float>{dflt};
    const json& v = cfg[key];
    if (v.is_number()) return std::vector<float>{v.get<float>()};
    std::vector<float> out;
    if (v.is_array())
      for (const auto& e : v) {
        if (!e.is_number()) return c.error(std::string("bad '") + key + "' " + v.dump());
        out.push_back(e.get<float>());
      }
    if (out.empty()) return c.error(std::string("bad '") + key + "' " + v.dump());
    return out;
  };
  NNC_ASSIGN_OR_RETURN(std::vector<float> scale, vals("scale", 1.f));
  NNC_ASSIGN_OR_RETURN(std::vector<float> offset, vals("offset", 0.f));
  auto cst = [&](const char* n, const std::vector<float>& v) {
    if (v.size() == 1) return c.em.const_f32_scalar(c.nn(n), v[0]);
    return c.em.constant(c.nn(n), Tensor::from_vector<float>(v, {static_cast<int64_t>(v.size())}));
  };
  if ((scale.size() > 1 && scale.size() != static_cast<size_t>(x.shape.back())) ||
      (offset.size() > 1 && offset.size() != static_cast<size_t>(x.shape.back())))
    return c.error("per-channel scale/offset do not match the last dim of " + dims_str(x.shape));
  KTensor m = c.em.node("Mul", {x.value, cst("scale", scale)}, {}, x.shape, c.nn("scale"), c.nn("scale"));
  KTensor y = c.em.node("Add", {m.value, cst("offset", offset)}, {}, x.shape, c.nn(), c.out);
  return std::vector<KTensor>{y};
}

Outs normalization(const LayerCtx& c, const KTensor& x, const LayerWeights& w) {
  const json& cfg = c.l.config;
  std::vector<int64_t> axes;
  const json& a = cfg.contains("axis") ? cfg["axis"] : json(-1);
  if (a.is_number_integer()) axes.push_back(a.get<int64_t>());
  else if (a.is_array())
    for (const auto& e : a) {
      if (!e.is_number_integer()) return c.error("bad axis " + a.dump());
      axes.push_back(e.get<int64_t>());
    }
  else if (!a.is_null()) return c.error("bad axis " + a.dump());
  // The statistics' broadcast shape: 1 everywhere except the kept axes.
  std::vector<int64_t> bshape(x.shape.size(), 1);
  for (int64_t ax : axes) {
    NNC_ASSIGN_OR_RETURN(int64_t n, norm_axis(c, ax, x.shape.size()));
    bshape[static_cast<size_t>(n)] = x.shape[static_cast<size_t>(n)];
  }
  int64_t count = 1;
  for (int64_t d : bshape) count *= d;
  auto stat = [&](const char* key) -> Expected<std::vector<float>> {
    std::vector<float> v;
    if (cfg.contains(key) && !cfg[key].is_null()) {
      const json& j = cfg[key];
      if (j.is_number()) v.assign(static_cast<size_t>(count), j.get<float>());
      else if (j.is_array())
        for (const auto& e : j) v.push_back(e.is_number() ? e.get<float>() : NAN);
    } else if (const Tensor* t = w.get(key)) {
      auto d = t->data<float>();
      v.assign(d.begin(), d.end());
    } else {
      return c.error(std::string("has no '") + key + "' (neither in the config nor in the weights)",
                     "save the model after Normalization.adapt()");
    }
    if (v.size() == 1 && count > 1) v.assign(static_cast<size_t>(count), v[0]);
    if (static_cast<int64_t>(v.size()) != count)
      return c.error(std::string("'") + key + "' has " + std::to_string(v.size()) + " values, expected " +
                     std::to_string(count) + " for input " + dims_str(x.shape));
    return v;
  };
  NNC_ASSIGN_OR_RETURN(std::vector<float> mean, stat("mean"));
  NNC_ASSIGN_OR_RETURN(std::vector<float> var, stat("variance"));
  bool invert = bool_cfg(cfg, "invert", false);
  // Keras: (x - mean) / max(sqrt(variance), epsilon) with epsilon = 1e-7; invert: x * that + mean.
  std::vector<float> denom(var.size());
  for (size_t i = 0; i < var.size(); ++i) denom[i] = std::max(std::sqrt(var[i]), 1e-7f);
  Value* mv = c.em.constant(c.nn("mean"), Tensor::from_vector<float>(mean, bshape), c.nn("mean"));
  Value* dv = c.em.constant(c.nn("std"), Tensor::from_vector<float>(denom, bshape), c.nn("std"));
  KTensor y;
  if (!invert) {
    KTensor s = c.em.node("Sub", {x.value, mv}, {}, x.shape, c.nn("sub"), c.nn("sub"));
    y = c.em.node("Div", {s.value, dv}, {}, x.shape, c.nn(), c.out);
  } else {
    KTensor m = c.em.node("Mul", {x.value, dv}, {}, x.shape, c.nn("mul"), c.nn("mul"));
    y = c.em.node("Add", {m.value, mv}, {}, x.shape, c.nn(), c.out);
  }
  return std::vector<KTensor>{y};
}

Outs softmax_layer(const LayerCtx& c, const KTensor& x) {
  int64_t axis = -1;
  const json& a = c.l.config.contains("axis") ? c.l.config["axis"] : json(-1);
  if (a.is_number_integer()) axis = a.get<int64_t>();
  else if (a.is_array() && a.size() == 1 && a[0].is_number_integer()) axis = a[0].get<int64_t>();
  else return c.error("axis " + a.dump() + " is not supported", "use one axis", ErrorCode::kUnsupported);
  NNC_ASSIGN_OR_RETURN(int64_t ax, norm_axis(c, axis, x.shape.size()));
  KTensor y = c.em.node("Softmax", {x.value}, {{"axis", ax}}, x.shape, c.nn(), c.out);
  return std::vector<KTensor>{y};
}

Outs prelu(const LayerCtx& c, const KTensor& x, const LayerWeights& w) {
  const Tensor* alpha = w.get("alpha");
  std::vector<int64_t> expect(x.shape.begin() + 1, x.shape.end());
  if (c.l.config.contains("shared_axes") && c.l.config["shared_axes"].is_array())
    for (const auto& e : c.l.config["shared_axes"]) {
      if (!e.is_number_integer()) return c.error("bad shared_axes");
      int64_t ax = e.get<int64_t>();
      if (ax < 1 || ax > static_cast<int64_t>(expect.size())) return c.error("shared axis out of range");
      expect[static_cast<size_t>(ax - 1)] = 1;
    }
  NNC_RETURN_IF_ERROR(check_shape(c, "alpha", *alpha, expect));
  KTensor y = c.em.node("PRelu", {x.value, c.em.constant(c.nn("alpha"), *alpha, c.nn("alpha"))}, {}, x.shape, c.nn(),
                        c.out);
  return std::vector<KTensor>{y};
}

Outs permute(const LayerCtx& c, const KTensor& x) {
  const json& d = c.l.config.contains("dims") ? c.l.config["dims"] : json();
  if (!d.is_array() || d.size() + 1 != x.shape.size()) return c.error("dims " + d.dump() + " do not fit " + dims_str(x.shape));
  std::vector<int64_t> perm{0};
  std::set<int64_t> seen;
  for (const auto& e : d) {
    if (!e.is_number_integer()) return c.error("bad dims " + d.dump());
    int64_t v = e.get<int64_t>();
    if (v < 1 || v >= static_cast<int64_t>(x.shape.size()) || !seen.insert(v).second) return c.error("bad dims " + d.dump());
    perm.push_back(v);
  }
  return std::vector<KTensor>{c.em.transpose(x, perm, c.out)};
}

const std::set<std::string>& identity_layers() {
  static const std::set<std::string> s{"Dropout",        "SpatialDropout1D",     "SpatialDropout2D", "SpatialDropout3D",
                                       "GaussianNoise",  "GaussianDropout",      "AlphaDropout",     "ActivityRegularization"};
  return s;
}

const std::map<std::string, std::string>& merge_layers() {
  static const std::map<std::string, std::string> m{{"Add", "Add"},         {"Subtract", "Sub"}, {"Multiply", "Mul"},
                                                    {"Average", "Average"}, {"Maximum", "Max"}, {"Minimum", "Min"}};
  return m;
}

const std::set<std::string>& single_layers() {
  static const std::set<std::string> s{
      "Conv2D",    "Convolution2D", "DepthwiseConv2D", "SeparableConv2D", "SeparableConvolution2D", "Conv2DTranspose",
      "Dense",     "BatchNormalization", "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax",
      "MaxPooling2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D", "GlobalAveragePooling2D", "GlobalAvgPool2D",
      "GlobalMaxPooling2D", "GlobalMaxPool2D", "ZeroPadding2D", "Cropping2D", "Reshape", "Flatten", "Permute",
      "UpSampling2D", "Rescaling", "Normalization", "InputLayer"};
  return s;
}

}  // namespace

bool is_supported_layer(const std::string& cn) {
  return single_layers().count(cn) || identity_layers().count(cn) || merge_layers().count(cn) ||
         cn == "Concatenate" || is_model_class(cn);
}

std::vector<std::string> expected_weight_names(const LayerSpec& l) {
  const json& cfg = l.config;
  const bool bias = bool_cfg(cfg, "use_bias", true);
  const std::string& c = l.class_name;
  std::vector<std::string> w;
  if (c == "Conv2D" || c == "Convolution2D" || c == "Conv2DTranspose" || c == "Dense") w = {"kernel"};
  else if (c == "DepthwiseConv2D") w = {"depthwise_kernel"};
  else if (c == "SeparableConv2D" || c == "SeparableConvolution2D") w = {"depthwise_kernel", "pointwise_kernel"};
  else if (c == "BatchNormalization") {
    if (bool_cfg(cfg, "scale", true)) w.push_back("gamma");
    if (bool_cfg(cfg, "center", true)) w.push_back("beta");
    w.push_back("moving_mean");
    w.push_back("moving_variance");
    return w;
  } else if (c == "PReLU") return {"alpha"};
  else if (c == "Normalization") {
    // Statistics given in the config need no weights; adapted ones are stored as mean, variance, count.
    if (cfg.contains("mean") && !cfg["mean"].is_null()) return {};
    return {"mean", "variance", "count"};
  } else return {};
  if (bias) w.push_back("bias");
  return w;
}

Expected<std::vector<KTensor>> emit_layer(const LayerSpec& l, const std::vector<KTensor>& ins, const LayerWeights& w,
                                          Emitter& em, const std::string& out_name) {
  LayerCtx c{l, em, out_name};
  const std::string& cn = l.class_name;
  if (ins.empty()) return c.error("has no input");
  if (merge_layers().count(cn)) return merge(c, ins, merge_layers().at(cn));
  if (cn == "Concatenate") return concat(c, ins);
  if (ins.size() != 1) return c.error("expects one input, got " + std::to_string(ins.size()));
  const KTensor& x = ins[0];
  if (identity_layers().count(cn)) {
    return std::vector<KTensor>{em.node("Identity", {x.value}, {}, x.shape, c.nn(), out_name)};
  }
  if (cn == "Conv2D" || cn == "Convolution2D") return conv2d(c, x, w);
  if (cn == "DepthwiseConv2D") return depthwise(c, x, w, false);
  if (cn == "SeparableConv2D" || cn == "SeparableConvolution2D") return depthwise(c, x, w, true);
  if (cn == "Conv2DTranspose") return conv_transpose(c, x, w);
  if (cn == "Dense") return dense(c, x, w);
  if (cn == "BatchNormalization") return batch_norm(c, x, w);
  if (cn == "Activation") {
    const json act = l.config.contains("activation") ? l.config["activation"] : json("linear");
    NNC_ASSIGN_OR_RETURN(KTensor y, em.activation(x, act, l.name, out_name));
    if (y.value == x.value) y = em.node("Identity", {x.value}, {}, x.shape, c.nn(), out_name);
    return std::vector<KTensor>{y};
  }
  if (cn == "ReLU") return relu_layer(c, x);
  if (cn == "LeakyReLU") {
    double alpha = num_cfg(l.config, "alpha", num_cfg(l.config, "negative_slope", 0.3));
    return std::vector<KTensor>{em.node("LeakyRelu", {x.value}, {{"alpha", alpha}}, x.shape, c.nn(), out_name)};
  }
  if (cn == "ELU") {
    return std::vector<KTensor>{
        em.node("Elu", {x.value}, {{"alpha", num_cfg(l.config, "alpha", 1.0)}}, x.shape, c.nn(), out_name)};
  }
  if (cn == "PReLU") return prelu(c, x, w);
  if (cn == "Softmax") return softmax_layer(c, x);
  if (cn == "MaxPooling2D" || cn == "MaxPool2D") return pool2d(c, x, true);
  if (cn == "AveragePooling2D" || cn == "AvgPool2D") return pool2d(c, x, false);
  if (cn == "GlobalAveragePooling2D" || cn == "GlobalAvgPool2D") return global_pool(c, x, false);
  if (cn == "GlobalMaxPooling2D" || cn == "GlobalMaxPool2D") return global_pool(c, x, true);
  if (cn == "ZeroPadding2D") return zero_pad(c, x);
  if (cn == "Cropping2D") return cropping(c, x);
  if (cn == "UpSampling2D") return upsampling(c, x);
  if (cn == "Reshape") return reshape(c, x);
  if (cn == "Flatten") return flatten(c, x);
  if (cn == "Permute") return permute(c, x);
  if (cn == "Rescaling") return rescaling(c, x);
  if (cn == "Normalization") return normalization(c, x, w);
  return c.error("layer class '" + cn + "' is not supported", "", ErrorCode::kUnsupported);
}

}  // namespace nnc::keras_frontend
