// nnc frontend_caffe: translation of the standard Caffe layers into ONNX-semantics IR nodes (static shapes).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "caffe_import_detail.h"

namespace nnc::caffe_frontend {
namespace {

using caffe::LayerParameter;

int64_t product(const std::vector<int64_t>& d, size_t from = 0, size_t to = SIZE_MAX) {
  int64_t p = 1;
  for (size_t i = from; i < std::min(to, d.size()); ++i) p *= d[i];
  return p;
}

/// Normalizes a possibly negative Caffe axis against `rank`.
Expected<int64_t> norm_axis(const ImportContext& ctx, const LayerParameter& l, int64_t axis, size_t rank,
                            bool allow_end = false) {
  const auto r = static_cast<int64_t>(rank) + (allow_end ? 1 : 0);
  if (axis < -r || axis >= r)
    return ctx.error(l, ErrorCode::kInvalidArgument,
                     "axis " + std::to_string(axis) + " is out of range for a rank-" + std::to_string(rank) + " bottom",
                     "use an axis in [" + std::to_string(-r) + ", " + std::to_string(r - 1) + "]");
  return axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
}

/// Reshape of `in` to static `shape` (returns the reshaped value; a helper, not a blob).
Value* reshape_to(ImportContext& ctx, Value* in, const std::vector<int64_t>& shape, const std::string& base) {
  Value* s = ctx.add_i64(base + "_shape", shape);
  return ctx.add_helper("Reshape", {in, s}, base, shape);
}

/// Height/width pair of a conv or pool parameter: explicit _h/_w fields win over the repeated field.
struct HW {
  int64_t h, w;
};

Expected<HW> pair_of(const ImportContext& ctx, const LayerParameter& l, const google::protobuf::RepeatedField<uint32_t>& rep,
                     bool has_h, uint32_t h, bool has_w, uint32_t w, int64_t fallback, const char* what) {
  if (has_h || has_w) {
    if (!(has_h && has_w))
      return ctx.error(l, ErrorCode::kInvalidArgument, std::string(what) + "_h and " + what + "_w must be given together",
                       std::string("set both ") + what + "_h and " + what + "_w");
    return HW{h, w};
  }
  if (rep.empty()) return HW{fallback, fallback};
  if (rep.size() == 1) return HW{rep[0], rep[0]};
  if (rep.size() == 2) return HW{rep[0], rep[1]};
  return ctx.error(l, ErrorCode::kUnsupported,
                   std::string(what) + " has " + std::to_string(rep.size()) + " values; only 2-D (1 or 2 values) is supported",
                   "use a 2-D convolution");
}

Status conv_like(ImportContext& ctx, const LayerParameter& l, bool deconv) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  const caffe::ConvolutionParameter& p = l.convolution_param();
  if (x.shape.size() != 4)
    return ctx.error(l, ErrorCode::kUnsupported, "bottom " + dims_str(x.shape) + " is not 4-D (N, C, H, W)",
                     "only 2-D convolutions are supported");
  if (p.axis() != 1 && p.axis() != -3)
    return ctx.error(l, ErrorCode::kUnsupported, "axis " + std::to_string(p.axis()) + " (only the channel axis 1)",
                     "use axis 1");
  NNC_ASSIGN_OR_RETURN(HW k, pair_of(ctx, l, p.kernel_size(), p.has_kernel_h(), p.kernel_h(), p.has_kernel_w(),
                                     p.kernel_w(), 0, "kernel"));
  NNC_ASSIGN_OR_RETURN(HW pad, pair_of(ctx, l, p.pad(), p.has_pad_h(), p.pad_h(), p.has_pad_w(), p.pad_w(), 0, "pad"));
  NNC_ASSIGN_OR_RETURN(HW s, pair_of(ctx, l, p.stride(), p.has_stride_h(), p.stride_h(), p.has_stride_w(),
                                     p.stride_w(), 1, "stride"));
  NNC_ASSIGN_OR_RETURN(HW d, pair_of(ctx, l, p.dilation(), false, 0, false, 0, 1, "dilation"));
  const int64_t c = x.shape[1], o = p.num_output(), g = p.group();
  if (k.h < 1 || k.w < 1 || s.h < 1 || s.w < 1 || d.h < 1 || d.w < 1)
    return ctx.error(l, ErrorCode::kInvalidArgument, "kernel, stride and dilation must be >= 1",
                     "set kernel_size (and stride/dilation) to positive values");
  if (o < 1 || g < 1 || c % g != 0 || o % g != 0)
    return ctx.error(l, ErrorCode::kInvalidArgument,
                     "num_output " + std::to_string(o) + " and input channels " + std::to_string(c) +
                         " must both be positive multiples of group " + std::to_string(g),
                     "fix num_output or group");
  const int64_t ekh = d.h * (k.h - 1) + 1, ekw = d.w * (k.w - 1) + 1;
  int64_t oh, ow;
  std::vector<int64_t> wshape;
  if (deconv) {
    oh = s.h * (x.shape[2] - 1) + ekh - 2 * pad.h;
    ow = s.w * (x.shape[3] - 1) + ekw - 2 * pad.w;
    wshape = {c, o / g, k.h, k.w};
  } else {
    oh = (x.shape[2] + 2 * pad.h - ekh) / s.h + 1;
    ow = (x.shape[3] + 2 * pad.w - ekw) / s.w + 1;
    if (x.shape[2] + 2 * pad.h < ekh || x.shape[3] + 2 * pad.w < ekw) oh = ow = 0;
    wshape = {o, c / g, k.h, k.w};
  }
  if (oh < 1 || ow < 1)
    return ctx.error(l, ErrorCode::kInvalidArgument,
                     "the kernel does not fit the bottom " + dims_str(x.shape) + " (output would be " +
                         std::to_string(oh) + "x" + std::to_string(ow) + ")",
                     "check the input shape, kernel, pad and stride");
  NNC_ASSIGN_OR_RETURN(std::vector<float> w, ctx.blob(l, 0, wshape, "weights"));
  std::vector<Value*> inputs = {x.value, ctx.add_f32(l.name() + "_weights", std::move(w), wshape)};
  if (p.bias_term()) {
    NNC_ASSIGN_OR_RETURN(std::vector<float> b, ctx.blob(l, 1, {o}, "bias"));
    inputs.push_back(ctx.add_f32(l.name() + "_bias", std::move(b), {o}));
  }
  Node* n = ctx.add_layer_node(l, deconv ? "ConvTranspose" : "Conv", inputs, {x.shape[0], o, oh, ow});
  n->set_attribute("kernel_shape", std::vector<int64_t>{k.h, k.w});
  n->set_attribute("strides", std::vector<int64_t>{s.h, s.w});
  n->set_attribute("pads", std::vector<int64_t>{pad.h, pad.w, pad.h, pad.w});
  n->set_attribute("dilations", std::vector<int64_t>{d.h, d.w});
  n->set_attribute("group", g);
  return Status::ok();
}

Status inner_product(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  const caffe::InnerProductParameter& p = l.inner_product_param();
  NNC_ASSIGN_OR_RETURN(int64_t axis, norm_axis(ctx, l, p.axis(), x.shape.size()));
  const int64_t m = product(x.shape, 0, static_cast<size_t>(axis)), kdim = product(x.shape, static_cast<size_t>(axis));
  const int64_t n_out = p.num_output();
  if (n_out < 1) return ctx.error(l, ErrorCode::kInvalidArgument, "num_output must be >= 1", "set num_output");
  std::vector<int64_t> wshape = p.transpose() ? std::vector<int64_t>{kdim, n_out} : std::vector<int64_t>{n_out, kdim};
  NNC_ASSIGN_OR_RETURN(std::vector<float> w, ctx.blob(l, 0, wshape, "weights"));
  Value* a = x.value;
  if (x.shape.size() != 2) a = reshape_to(ctx, x.value, {m, kdim}, l.name() + "_flat");
  std::vector<Value*> inputs = {a, ctx.add_f32(l.name() + "_weights", std::move(w), wshape)};
  if (p.bias_term()) {
    NNC_ASSIGN_OR_RETURN(std::vector<float> b, ctx.blob(l, 1, {n_out}, "bias"));
    inputs.push_back(ctx.add_f32(l.name() + "_bias", std::move(b), {n_out}));
  }
  std::vector<int64_t> out(x.shape.begin(), x.shape.begin() + axis);
  out.push_back(n_out);
  if (axis == 1) {
    Node* n = ctx.add_layer_node(l, "Gemm", inputs, out);
    n->set_attribute("transB", int64_t{p.transpose() ? 0 : 1});
    return Status::ok();
  }
  Value* y = ctx.add_helper("Gemm", inputs, l.name() + "_gemm", {m, n_out});
  y->producer()->set_attribute("transB", int64_t{p.transpose() ? 0 : 1});
  ctx.add_layer_node(l, "Reshape", {y, ctx.add_i64(l.name() + "_shape", out)}, out);
  return Status::ok();
}

/// [C] -> [C, 1, ..., 1] so it broadcasts from `axis` of a rank-`rank` tensor.
std::vector<int64_t> broadcast_shape(const std::vector<int64_t>& s, int64_t axis, size_t rank) {
  std::vector<int64_t> out = s;
  while (static_cast<int64_t>(out.size()) + axis < static_cast<int64_t>(rank)) out.push_back(1);
  return out;
}

Status batch_norm(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  if (x.shape.size() < 2)
    return ctx.error(l, ErrorCode::kInvalidArgument, "bottom " + dims_str(x.shape) + " has no channel axis",
                     "BatchNorm needs an (N, C, ...) bottom");
  if (l.batch_norm_param().has_use_global_stats() && !l.batch_norm_param().use_global_stats())
    ctx.diag() ? ctx.diag()->warning("use_global_stats: false (batch statistics) is a training mode; nnc uses the stored "
                                     "statistics as Caffe's TEST phase does",
                                     Location{ctx.file(), 0, 0, "layer '" + l.name() + "' (BatchNorm)"})
               : void();
  const int64_t c = x.shape[1];
  NNC_ASSIGN_OR_RETURN(std::vector<float> mean, ctx.blob(l, 0, {c}, "mean"));
  NNC_ASSIGN_OR_RETURN(std::vector<float> var, ctx.blob(l, 1, {c}, "variance"));
  NNC_ASSIGN_OR_RETURN(std::vector<float> factor, ctx.blob(l, 2, {1}, "moving-average factor"));
  const float f = factor[0] == 0.f ? 0.f : 1.f / factor[0];
  for (float& v : mean) v *= f;
  for (float& v : var) v *= f;
  Node* n = ctx.add_layer_node(l, "BatchNormalization",
                               {x.value, ctx.add_f32(l.name() + "_one", std::vector<float>(c, 1.f), {c}),
                                ctx.add_f32(l.name() + "_zero", std::vector<float>(c, 0.f), {c}),
                                ctx.add_f32(l.name() + "_mean", std::move(mean), {c}),
                                ctx.add_f32(l.name() + "_var", std::move(var), {c})},
                               x.shape);
  n->set_attribute("epsilon", static_cast<double>(l.batch_norm_param().eps()));
  return Status::ok();
}

Status scale(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  const caffe::ScaleParameter& p = l.scale_param();
  NNC_ASSIGN_OR_RETURN(int64_t axis, norm_axis(ctx, l, p.axis(), x.shape.size(), true));
  Value* factor = nullptr;
  std::vector<int64_t> sshape;
  int bias_blob = 1;
  if (l.bottom_size() >= 2) {
    NNC_ASSIGN_OR_RETURN(BlobRef sc, ctx.bottom(l, 1));
    sshape = sc.shape;
    factor = sc.value;
    bias_blob = 0;
    if (axis + static_cast<int64_t>(sshape.size()) > static_cast<int64_t>(x.shape.size()) ||
        !std::equal(sshape.begin(), sshape.end(), x.shape.begin() + axis))
      return ctx.error(l, ErrorCode::kInvalidArgument,
                       "scale bottom " + dims_str(sshape) + " does not match bottom " + dims_str(x.shape) +
                           " from axis " + std::to_string(axis),
                       "give a scale blob whose shape equals the data dims from axis on");
    std::vector<int64_t> b = broadcast_shape(sshape, axis, x.shape.size());
    if (b != sshape) factor = reshape_to(ctx, factor, b, l.name() + "_scale");
  } else {
    const int64_t end = p.num_axes() < 0 ? static_cast<int64_t>(x.shape.size()) : axis + p.num_axes();
    if (end > static_cast<int64_t>(x.shape.size()))
      return ctx.error(l, ErrorCode::kInvalidArgument, "axis + num_axes passes the bottom rank", "fix num_axes");
    sshape.assign(x.shape.begin() + axis, x.shape.begin() + end);
    NNC_ASSIGN_OR_RETURN(std::vector<float> s, ctx.blob(l, 0, sshape, "scale"));
    factor = ctx.add_f32(l.name() + "_scale", std::move(s), broadcast_shape(sshape, axis, x.shape.size()));
  }
  if (!p.bias_term()) {
    ctx.add_layer_node(l, "Mul", {x.value, factor}, x.shape);
    return Status::ok();
  }
  NNC_ASSIGN_OR_RETURN(std::vector<float> b, ctx.blob(l, bias_blob, sshape, "bias"));
  Value* scaled = ctx.add_helper("Mul", {x.value, factor}, l.name() + "_mul", x.shape);
  ctx.add_layer_node(l, "Add",
                     {scaled, ctx.add_f32(l.name() + "_bias", std::move(b), broadcast_shape(sshape, axis, x.shape.size()))},
                     x.shape);
  return Status::ok();
}

Status unary(ImportContext& ctx, const LayerParameter& l, const std::string& op) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  ctx.add_layer_node(l, op, {x.value}, x.shape);
  return Status::ok();
}

Status relu(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  const float slope = l.relu_param().negative_slope();
  if (slope == 0.f) {
    ctx.add_layer_node(l, "Relu", {x.value}, x.shape);
  } else {
    ctx.add_layer_node(l, "LeakyRelu", {x.value}, x.shape)->set_attribute("alpha", static_cast<double>(slope));
  }
  return Status::ok();
}

Status prelu(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  if (x.shape.size() < 2)
    return ctx.error(l, ErrorCode::kInvalidArgument, "bottom " + dims_str(x.shape) + " has no channel axis",
                     "PReLU needs an (N, C, ...) bottom");
  const bool shared = l.prelu_param().channel_shared();
  const int64_t c = shared ? 1 : x.shape[1];
  NNC_ASSIGN_OR_RETURN(std::vector<float> slope, ctx.blob(l, 0, {c}, "slope"));
  Value* s = ctx.add_f32(l.name() + "_slope", std::move(slope),
                         shared ? std::vector<int64_t>{1} : broadcast_shape({c}, 1, x.shape.size()));
  ctx.add_layer_node(l, "PRelu", {x.value, s}, x.shape);
  return Status::ok();
}

Status power(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  const caffe::PowerParameter& p = l.power_param();
  Value* v = x.value;
  if (p.scale() != 1.f) v = ctx.add_helper("Mul", {v, ctx.add_f32(l.name() + "_scale", {p.scale()}, {})}, l.name() + "_mul", x.shape);
  if (p.shift() != 0.f) v = ctx.add_helper("Add", {v, ctx.add_f32(l.name() + "_shift", {p.shift()}, {})}, l.name() + "_add", x.shape);
  if (p.power() != 1.f || v == x.value)
    ctx.add_layer_node(l, "Pow", {v, ctx.add_f32(l.name() + "_power", {p.power()}, {})}, x.shape);
  else
    ctx.set_top(l, 0, v, x.shape);
  return Status::ok();
}

Status pooling(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  const caffe::PoolingParameter& p = l.pooling_param();
  if (x.shape.size() != 4)
    return ctx.error(l, ErrorCode::kUnsupported, "bottom " + dims_str(x.shape) + " is not 4-D (N, C, H, W)",
                     "only 2-D pooling is supported");
  if (p.pool() == caffe::PoolingParameter::STOCHASTIC)
    return ctx.error(l, ErrorCode::kUnsupported, "STOCHASTIC pooling has no exact ONNX equivalent",
                     "use MAX or AVE pooling");
  const bool is_max = p.pool() == caffe::PoolingParameter::MAX;
  if (p.global_pooling()) {
    ctx.add_layer_node(l, is_max ? "GlobalMaxPool" : "GlobalAveragePool", {x.value}, {x.shape[0], x.shape[1], 1, 1});
    return Status::ok();
  }
  const auto rep = [](bool has, uint32_t v) {
    google::protobuf::RepeatedField<uint32_t> r;
    if (has) r.Add(v);
    return r;
  };
  NNC_ASSIGN_OR_RETURN(HW k, pair_of(ctx, l, rep(p.has_kernel_size(), p.kernel_size()), p.has_kernel_h(), p.kernel_h(),
                                     p.has_kernel_w(), p.kernel_w(), 0, "kernel"));
  NNC_ASSIGN_OR_RETURN(HW pad, pair_of(ctx, l, rep(true, p.pad()), p.has_pad_h(), p.pad_h(), p.has_pad_w(), p.pad_w(), 0, "pad"));
  NNC_ASSIGN_OR_RETURN(HW s, pair_of(ctx, l, rep(true, p.stride()), p.has_stride_h(), p.stride_h(), p.has_stride_w(),
                                     p.stride_w(), 1, "stride"));
  if (k.h < 1 || k.w < 1 || s.h < 1 || s.w < 1)
    return ctx.error(l, ErrorCode::kInvalidArgument, "kernel and stride must be >= 1",
                     "set kernel_size, or global_pooling: true");
  if (pad.h >= k.h || pad.w >= k.w)
    return ctx.error(l, ErrorCode::kInvalidArgument, "pad must be smaller than the kernel", "reduce pad");
  const bool ceil = p.round_mode() == caffe::PoolingParameter::CEIL;
  // Caffe's output size, including its rule that the last window must start inside the image or left pad.
  const auto pooled = [&](int64_t in, int64_t kk, int64_t pp, int64_t ss) {
    const int64_t span = in + 2 * pp - kk;
    int64_t o = (ceil ? (span + ss - 1) / ss : span / ss) + 1;
    if (span < 0) return int64_t{0};
    if (pp > 0 && (o - 1) * ss >= in + pp) --o;
    return o;
  };
  const int64_t oh = pooled(x.shape[2], k.h, pad.h, s.h), ow = pooled(x.shape[3], k.w, pad.w, s.w);
  if (oh < 1 || ow < 1)
    return ctx.error(l, ErrorCode::kInvalidArgument, "the kernel does not fit the bottom " + dims_str(x.shape),
                     "check the input shape and the kernel");
  std::vector<int64_t> out = {x.shape[0], x.shape[1], oh, ow};
  Node* n = nullptr;
  if (is_max) {
    const int64_t eh = std::max<int64_t>(0, (oh - 1) * s.h + k.h - x.shape[2] - pad.h);
    const int64_t ew = std::max<int64_t>(0, (ow - 1) * s.w + k.w - x.shape[3] - pad.w);
    n = ctx.add_layer_node(l, "MaxPool", {x.value}, out);
    n->set_attribute("pads", std::vector<int64_t>{pad.h, pad.w, eh, ew});
  } else {
    // Caffe divides by the window clipped to the padded image (pad counts, the ceil overhang does
    // not): zero-pad explicitly, then average over the in-bounds part only.
    Value* in = x.value;
    std::vector<int64_t> padded = x.shape;
    if (pad.h > 0 || pad.w > 0) {
      padded[2] += 2 * pad.h;
      padded[3] += 2 * pad.w;
      in = ctx.add_helper("Pad", {x.value, ctx.add_i64(l.name() + "_pads", {0, 0, pad.h, pad.w, 0, 0, pad.h, pad.w})},
                          l.name() + "_pad", padded);
    }
    const int64_t eh = std::max<int64_t>(0, (oh - 1) * s.h + k.h - padded[2]);
    const int64_t ew = std::max<int64_t>(0, (ow - 1) * s.w + k.w - padded[3]);
    n = ctx.add_layer_node(l, "AveragePool", {in}, out);
    n->set_attribute("pads", std::vector<int64_t>{0, 0, eh, ew});
    n->set_attribute("count_include_pad", int64_t{0});
  }
  n->set_attribute("kernel_shape", std::vector<int64_t>{k.h, k.w});
  n->set_attribute("strides", std::vector<int64_t>{s.h, s.w});
  return Status::ok();
}

Status eltwise(ImportContext& ctx, const LayerParameter& l) {
  const caffe::EltwiseParameter& p = l.eltwise_param();
  if (l.bottom_size() < 2)
    return ctx.error(l, ErrorCode::kInvalidArgument, "Eltwise needs at least 2 bottoms", "add bottoms");
  if (p.coeff_size() != 0 && p.coeff_size() != l.bottom_size())
    return ctx.error(l, ErrorCode::kInvalidArgument,
                     std::to_string(p.coeff_size()) + " coeffs for " + std::to_string(l.bottom_size()) + " bottoms",
                     "give one coeff per bottom");
  if (p.coeff_size() != 0 && p.operation() != caffe::EltwiseParameter::SUM)
    return ctx.error(l, ErrorCode::kInvalidArgument, "coeff is only valid for operation SUM", "remove coeff");
  std::vector<BlobRef> in;
  for (int i = 0; i < l.bottom_size(); ++i) {
    NNC_ASSIGN_OR_RETURN(BlobRef b, ctx.bottom(l, i));
    if (!in.empty() && b.shape != in[0].shape)
      return ctx.error(l, ErrorCode::kInvalidArgument,
                       "bottom " + dims_str(b.shape) + " differs from bottom " + dims_str(in[0].shape),
                       "Eltwise bottoms must have the same shape");
    if (p.coeff_size() != 0 && p.coeff(i) != 1.f)
      b.value = ctx.add_helper("Mul", {b.value, ctx.add_f32(l.name() + "_coeff", {p.coeff(i)}, {})},
                               l.name() + "_scaled", b.shape);
    in.push_back(b);
  }
  const char* op = p.operation() == caffe::EltwiseParameter::SUM ? "Add"
                   : p.operation() == caffe::EltwiseParameter::PROD ? "Mul"
                                                                     : "Max";
  Value* acc = in[0].value;
  for (size_t i = 1; i + 1 < in.size(); ++i) acc = ctx.add_helper(op, {acc, in[i].value}, l.name() + "_acc", in[0].shape);
  ctx.add_layer_node(l, op, {acc, in.back().value}, in[0].shape);
  return Status::ok();
}

Status concat(ImportContext& ctx, const LayerParameter& l) {
  const caffe::ConcatParameter& p = l.concat_param();
  std::vector<Value*> values;
  std::vector<int64_t> out;
  int64_t axis = 0;
  for (int i = 0; i < l.bottom_size(); ++i) {
    NNC_ASSIGN_OR_RETURN(BlobRef b, ctx.bottom(l, i));
    if (i == 0) {
      NNC_ASSIGN_OR_RETURN(axis, norm_axis(ctx, l, p.has_concat_dim() ? p.concat_dim() : p.axis(), b.shape.size()));
      out = b.shape;
    } else {
      bool ok = b.shape.size() == out.size();
      for (size_t d = 0; ok && d < out.size(); ++d) ok = static_cast<int64_t>(d) == axis || b.shape[d] == out[d];
      if (!ok)
        return ctx.error(l, ErrorCode::kInvalidArgument,
                         "bottom " + dims_str(b.shape) + " does not match " + dims_str(out) + " outside axis " +
                             std::to_string(axis),
                         "bottoms must agree on every dim but the concat axis");
      out[axis] += b.shape[axis];
    }
    values.push_back(b.value);
  }
  if (values.empty()) return ctx.error(l, ErrorCode::kInvalidArgument, "Concat has no bottom", "add bottoms");
  if (values.size() == 1) {
    ctx.set_top(l, 0, values[0], out);
    return Status::ok();
  }
  ctx.add_layer_node(l, "Concat", values, out)->set_attribute("axis", axis);
  return Status::ok();
}

Status slice(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  const caffe::SliceParameter& p = l.slice_param();
  NNC_ASSIGN_OR_RETURN(int64_t axis, norm_axis(ctx, l, p.has_slice_dim() ? p.slice_dim() : p.axis(), x.shape.size()));
  const int64_t dim = x.shape[axis];
  const int tops = l.top_size();
  std::vector<int64_t> sizes;
  if (p.slice_point_size() != 0) {
    if (p.slice_point_size() != tops - 1)
      return ctx.error(l, ErrorCode::kInvalidArgument,
                       std::to_string(p.slice_point_size()) + " slice_points for " + std::to_string(tops) + " tops",
                       "give one slice_point fewer than tops");
    int64_t prev = 0;
    for (uint32_t sp : p.slice_point()) {
      if (sp <= prev || sp >= dim)
        return ctx.error(l, ErrorCode::kInvalidArgument,
                         "slice_point " + std::to_string(sp) + " is not increasing inside (0, " + std::to_string(dim) + ")",
                         "fix slice_point");
      sizes.push_back(sp - prev);
      prev = sp;
    }
    sizes.push_back(dim - prev);
  } else {
    if (tops < 1 || dim % tops != 0)
      return ctx.error(l, ErrorCode::kInvalidArgument,
                       "dim " + std::to_string(dim) + " does not split evenly into " + std::to_string(tops) + " tops",
                       "give slice_point");
    sizes.assign(static_cast<size_t>(tops), dim / tops);
  }
  std::vector<std::string> names;
  for (int i = 0; i < tops; ++i) names.push_back(ctx.top_value_name(l, l.top(i)));
  Node* n = ctx.graph.add_node("Split", {x.value, ctx.add_i64(l.name() + "_split", sizes)}, names, l.name());
  n->set_attribute("axis", axis);
  for (int i = 0; i < tops; ++i) {
    std::vector<int64_t> shape = x.shape;
    shape[axis] = sizes[i];
    n->output(i)->set_dtype(DType::kF32);
    n->output(i)->set_shape(Shape::of(shape));
    ctx.set_top(l, i, n->output(i), shape);
  }
  return Status::ok();
}

Status flatten(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  const caffe::FlattenParameter& p = l.flatten_param();
  NNC_ASSIGN_OR_RETURN(int64_t a, norm_axis(ctx, l, p.axis(), x.shape.size()));
  NNC_ASSIGN_OR_RETURN(int64_t e, norm_axis(ctx, l, p.end_axis(), x.shape.size()));
  if (e < a) return ctx.error(l, ErrorCode::kInvalidArgument, "end_axis is before axis", "fix end_axis");
  std::vector<int64_t> out(x.shape.begin(), x.shape.begin() + a);
  out.push_back(product(x.shape, static_cast<size_t>(a), static_cast<size_t>(e + 1)));
  out.insert(out.end(), x.shape.begin() + e + 1, x.shape.end());
  ctx.add_layer_node(l, "Reshape", {x.value, ctx.add_i64(l.name() + "_shape", out)}, out);
  return Status::ok();
}

Status reshape(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  const caffe::ReshapeParameter& p = l.reshape_param();
  NNC_ASSIGN_OR_RETURN(int64_t start, norm_axis(ctx, l, p.axis(), x.shape.size(), true));
  const int64_t end = p.num_axes() == -1 ? static_cast<int64_t>(x.shape.size()) : start + p.num_axes();
  if (p.num_axes() < -1 || end > static_cast<int64_t>(x.shape.size()))
    return ctx.error(l, ErrorCode::kInvalidArgument, "num_axes " + std::to_string(p.num_axes()) + " passes the bottom rank",
                     "fix num_axes");
  std::vector<int64_t> out(x.shape.begin(), x.shape.begin() + start);
  int infer = -1;
  for (int i = 0; i < p.shape().dim_size(); ++i) {
    int64_t d = p.shape().dim(i);
    if (d == 0) {
      if (start + i >= static_cast<int64_t>(x.shape.size()))
        return ctx.error(l, ErrorCode::kInvalidArgument, "dim 0 (copy) at a position past the bottom's rank",
                         "use explicit dims");
      d = x.shape[start + i];
    } else if (d == -1) {
      if (infer >= 0) return ctx.error(l, ErrorCode::kInvalidArgument, "more than one -1 dim", "use at most one -1");
      infer = static_cast<int>(out.size());
    } else if (d < -1) {
      return ctx.error(l, ErrorCode::kInvalidArgument, "negative dim " + std::to_string(d), "use -1, 0 or positive dims");
    }
    out.push_back(d);
  }
  out.insert(out.end(), x.shape.begin() + end, x.shape.end());
  const int64_t total = product(x.shape);
  if (infer >= 0) {
    int64_t known = 1;
    for (size_t i = 0; i < out.size(); ++i)
      if (static_cast<int>(i) != infer) known *= out[i];
    if (known == 0 || total % known != 0)
      return ctx.error(l, ErrorCode::kInvalidArgument, "cannot infer the -1 dim of " + dims_str(out) + " from " + dims_str(x.shape),
                       "fix reshape_param.shape");
    out[infer] = total / known;
  }
  if (product(out) != total)
    return ctx.error(l, ErrorCode::kInvalidArgument,
                     "shape " + dims_str(out) + " does not hold the " + std::to_string(total) + " elements of " + dims_str(x.shape),
                     "fix reshape_param.shape");
  ctx.add_layer_node(l, "Reshape", {x.value, ctx.add_i64(l.name() + "_shape", out)}, out);
  return Status::ok();
}

Status permute(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  std::vector<int64_t> perm;
  std::set<int64_t> seen;
  for (uint32_t o : l.permute_param().order()) {
    if (o >= x.shape.size() || !seen.insert(o).second)
      return ctx.error(l, ErrorCode::kInvalidArgument, "order has a repeated or out-of-range axis " + std::to_string(o),
                       "give each axis of the rank-" + std::to_string(x.shape.size()) + " bottom at most once");
    perm.push_back(o);
  }
  for (int64_t i = 0; i < static_cast<int64_t>(x.shape.size()); ++i)
    if (!seen.count(i)) perm.push_back(i);
  std::vector<int64_t> out;
  for (int64_t a : perm) out.push_back(x.shape[a]);
  ctx.add_layer_node(l, "Transpose", {x.value}, out)->set_attribute("perm", perm);
  return Status::ok();
}

Status softmax(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  NNC_ASSIGN_OR_RETURN(int64_t axis, norm_axis(ctx, l, l.softmax_param().axis(), x.shape.size()));
  ctx.add_layer_node(l, "Softmax", {x.value}, x.shape)->set_attribute("axis", axis);
  return Status::ok();
}

Status crop(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  NNC_ASSIGN_OR_RETURN(BlobRef ref, ctx.bottom(l, 1));
  const caffe::CropParameter& p = l.crop_param();
  NNC_ASSIGN_OR_RETURN(int64_t axis, norm_axis(ctx, l, p.axis(), x.shape.size()));
  if (ref.shape.size() != x.shape.size())
    return ctx.error(l, ErrorCode::kInvalidArgument, "reference bottom " + dims_str(ref.shape) + " has another rank than " + dims_str(x.shape),
                     "give bottoms of equal rank");
  const int64_t n = static_cast<int64_t>(x.shape.size()) - axis;
  if (p.offset_size() > 1 && p.offset_size() != n)
    return ctx.error(l, ErrorCode::kInvalidArgument,
                     std::to_string(p.offset_size()) + " offsets for " + std::to_string(n) + " cropped axes",
                     "give 0, 1 or one offset per cropped axis");
  std::vector<int64_t> starts, ends, axes, out = x.shape;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t a = axis + i;
    const int64_t off = p.offset_size() == 0 ? 0 : p.offset(p.offset_size() == 1 ? 0 : static_cast<int>(i));
    if (off + ref.shape[a] > x.shape[a])
      return ctx.error(l, ErrorCode::kInvalidArgument,
                       "crop of " + std::to_string(ref.shape[a]) + " at offset " + std::to_string(off) +
                           " passes dim " + std::to_string(a) + " of " + dims_str(x.shape),
                       "fix the offsets or the reference blob");
    starts.push_back(off);
    ends.push_back(off + ref.shape[a]);
    axes.push_back(a);
    out[a] = ref.shape[a];
  }
  ctx.add_layer_node(l, "Slice",
                     {x.value, ctx.add_i64(l.name() + "_starts", starts), ctx.add_i64(l.name() + "_ends", ends),
                      ctx.add_i64(l.name() + "_axes", axes)},
                     out);
  return Status::ok();
}

Status interp(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  if (x.shape.size() != 4)
    return ctx.error(l, ErrorCode::kUnsupported, "bottom " + dims_str(x.shape) + " is not 4-D", "Interp needs N, C, H, W");
  const caffe::InterpParameter& p = l.interp_param();
  if (p.pad_beg() != 0 || p.pad_end() != 0)
    return ctx.error(l, ErrorCode::kUnsupported, "pad_beg/pad_end (cropping before interpolation)", "remove the pads");
  int64_t h = x.shape[2], w = x.shape[3], oh = 0, ow = 0;
  if (l.bottom_size() >= 2) {
    NNC_ASSIGN_OR_RETURN(BlobRef ref, ctx.bottom(l, 1));
    if (ref.shape.size() != 4) return ctx.error(l, ErrorCode::kInvalidArgument, "size bottom is not 4-D", "give an N, C, H, W blob");
    oh = ref.shape[2];
    ow = ref.shape[3];
  } else if (p.has_height() || p.has_width()) {
    oh = p.height();
    ow = p.width();
  } else if (p.has_zoom_factor() && p.has_shrink_factor()) {
    oh = (h - 1) / p.shrink_factor() + 1;
    ow = (w - 1) / p.shrink_factor() + 1;
    oh = oh + (oh - 1) * (p.zoom_factor() - 1);
    ow = ow + (ow - 1) * (p.zoom_factor() - 1);
  } else if (p.has_zoom_factor()) {
    oh = h + (h - 1) * (p.zoom_factor() - 1);
    ow = w + (w - 1) * (p.zoom_factor() - 1);
  } else if (p.has_shrink_factor()) {
    oh = (h - 1) / p.shrink_factor() + 1;
    ow = (w - 1) / p.shrink_factor() + 1;
  }
  if (oh < 1 || ow < 1 || p.zoom_factor() < 1 || p.shrink_factor() < 1)
    return ctx.error(l, ErrorCode::kInvalidArgument, "output size " + std::to_string(oh) + "x" + std::to_string(ow) + " is not positive",
                     "set height and width, zoom_factor >= 1 or shrink_factor >= 1");
  std::vector<int64_t> out = {x.shape[0], x.shape[1], oh, ow};
  Node* n = ctx.add_layer_node(l, "Resize", {x.value, nullptr, nullptr, ctx.add_i64(l.name() + "_sizes", out)}, out);
  n->set_attribute("mode", "linear");
  n->set_attribute("coordinate_transformation_mode", "align_corners");
  return Status::ok();
}

Status upsample(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  if (x.shape.size() != 4 || l.bottom_size() != 1)
    return ctx.error(l, ErrorCode::kUnsupported, "only the one-bottom nearest Upsample of YOLOv3 ports on an N, C, H, W blob",
                     "SegNet's unpooling Upsample (2 bottoms) is not supported");
  const int64_t s = l.upsample_param().scale();
  if (s < 1) return ctx.error(l, ErrorCode::kInvalidArgument, "scale must be >= 1", "set scale");
  std::vector<int64_t> out = {x.shape[0], x.shape[1], x.shape[2] * s, x.shape[3] * s};
  Node* n = ctx.add_layer_node(l, "Resize", {x.value, nullptr, nullptr, ctx.add_i64(l.name() + "_sizes", out)}, out);
  n->set_attribute("mode", "nearest");
  n->set_attribute("coordinate_transformation_mode", "asymmetric");
  n->set_attribute("nearest_mode", "floor");
  return Status::ok();
}

Status lrn(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  const caffe::LRNParameter& p = l.lrn_param();
  if (p.norm_region() != caffe::LRNParameter::ACROSS_CHANNELS)
    return ctx.error(l, ErrorCode::kUnsupported, "WITHIN_CHANNEL LRN", "use ACROSS_CHANNELS");
  Node* n = ctx.add_layer_node(l, "LRN", {x.value}, x.shape);
  n->set_attribute("size", int64_t{p.local_size()});
  n->set_attribute("alpha", static_cast<double>(p.alpha()));
  n->set_attribute("beta", static_cast<double>(p.beta()));
  n->set_attribute("bias", static_cast<double>(p.k()));
  return Status::ok();
}

/// Layers that pass their bottom through unchanged at inference (Split copies it to every top).
Status alias(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  for (int i = 0; i < l.top_size(); ++i) ctx.set_top(l, i, x.value, x.shape);
  return Status::ok();
}

}  // namespace

bool layer_supported(const std::string& t) {
  static const std::set<std::string> known = {
      "Input", "Convolution", "Deconvolution", "InnerProduct", "BatchNorm", "Scale", "ReLU", "PReLU", "Sigmoid",
      "TanH", "ELU", "AbsVal", "Power", "Pooling", "Eltwise", "Concat", "Slice", "Split", "Flatten", "Reshape",
      "Permute", "Softmax", "Dropout", "Normalize", "PriorBox", "DetectionOutput", "Interp", "Upsample", "Crop",
      "LRN", "Silence"};
  return known.count(t) != 0;
}

Status translate_layer(ImportContext& ctx, const LayerParameter& l) {
  const std::string& t = l.type();
  if (t == "Silence") return Status::ok();
  if (l.top_size() < 1)
    return ctx.error(l, ErrorCode::kInvalidArgument, "the layer has no top", "add a top blob name");
  if (t == "Convolution") return conv_like(ctx, l, false);
  if (t == "Deconvolution") return conv_like(ctx, l, true);
  if (t == "InnerProduct") return inner_product(ctx, l);
  if (t == "BatchNorm") return batch_norm(ctx, l);
  if (t == "Scale") return scale(ctx, l);
  if (t == "ReLU") return relu(ctx, l);
  if (t == "PReLU") return prelu(ctx, l);
  if (t == "Sigmoid") return unary(ctx, l, "Sigmoid");
  if (t == "TanH") return unary(ctx, l, "Tanh");
  if (t == "AbsVal") return unary(ctx, l, "Abs");
  if (t == "ELU") {
    NNC_RETURN_IF_ERROR(unary(ctx, l, "Elu"));
    ctx.blobs[l.top(0)].value->producer()->set_attribute("alpha", static_cast<double>(l.elu_param().alpha()));
    return Status::ok();
  }
  if (t == "Power") return power(ctx, l);
  if (t == "Pooling") return pooling(ctx, l);
  if (t == "Eltwise") return eltwise(ctx, l);
  if (t == "Concat") return concat(ctx, l);
  if (t == "Slice") return slice(ctx, l);
  if (t == "Split" || t == "Dropout") return alias(ctx, l);
  if (t == "Flatten") return flatten(ctx, l);
  if (t == "Reshape") return reshape(ctx, l);
  if (t == "Permute") return permute(ctx, l);
  if (t == "Softmax") return softmax(ctx, l);
  if (t == "Crop") return crop(ctx, l);
  if (t == "Interp") return interp(ctx, l);
  if (t == "Upsample") return upsample(ctx, l);
  if (t == "LRN") return lrn(ctx, l);
  if (t == "Normalize") return translate_normalize(ctx, l);
  if (t == "PriorBox") return translate_prior_box(ctx, l);
  if (t == "DetectionOutput") return translate_detection_output(ctx, l);
  return ctx.error(l, ErrorCode::kUnsupported, "layer type '" + t + "' is not supported by nnc's Caffe frontend",
                   "see docs/frontends/caffe.md for the supported layers");
}

}  // namespace nnc::caffe_frontend
