// nnc frontend_caffe: the Caffe-SSD layers: Normalize (ONNX decomposition), PriorBox (import-time constant), DetectionOutput (nnc op).
#include <cmath>

#include "caffe_import_detail.h"

namespace nnc::caffe_frontend {

using caffe::LayerParameter;

Status translate_normalize(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef x, ctx.bottom(l, 0));
  if (x.shape.size() != 4)
    return ctx.error(l, ErrorCode::kUnsupported, "bottom " + dims_str(x.shape) + " is not 4-D (N, C, H, W)",
                     "Normalize works on N, C, H, W blobs");
  const caffe::NormalizeParameter& p = l.norm_param();
  const int64_t c = x.shape[1];
  const int64_t scale_count = p.channel_shared() ? 1 : c;
  NNC_ASSIGN_OR_RETURN(std::vector<float> scale, ctx.blob(l, 0, {scale_count}, "scale"));
  // y = x / sqrt(sum(x^2) + eps) * scale, the sum over C (or C, H, W when across_spatial).
  const std::string b = l.name();
  std::vector<int64_t> norm_shape = {x.shape[0], 1, p.across_spatial() ? 1 : x.shape[2], p.across_spatial() ? 1 : x.shape[3]};
  Value* sq = ctx.add_helper("Mul", {x.value, x.value}, b + "_sq", x.shape);
  Value* axes = ctx.add_i64(b + "_axes", p.across_spatial() ? std::vector<int64_t>{1, 2, 3} : std::vector<int64_t>{1});
  Value* sum = ctx.add_helper("ReduceSum", {sq, axes}, b + "_sum", norm_shape);
  sum->producer()->set_attribute("keepdims", int64_t{1});
  Value* biased = ctx.add_helper("Add", {sum, ctx.add_f32(b + "_eps", {p.eps()}, {})}, b + "_sum_eps", norm_shape);
  Value* norm = ctx.add_helper("Sqrt", {biased}, b + "_norm", norm_shape);
  Value* normalized = ctx.add_helper("Div", {x.value, norm}, b + "_normalized", x.shape);
  Value* s = ctx.add_f32(b + "_scale", std::move(scale),
                         p.channel_shared() ? std::vector<int64_t>{} : std::vector<int64_t>{c, 1, 1});
  ctx.add_layer_node(l, "Mul", {normalized, s}, x.shape);
  return Status::ok();
}

Expected<std::vector<float>> compute_prior_boxes(const caffe::PriorBoxParameter& p, int64_t layer_h, int64_t layer_w,
                                                 int64_t img_h_in, int64_t img_w_in, const std::string& layer_name) {
  const Location where{"", 0, 0, "layer '" + layer_name + "' (PriorBox)"};
  const auto bad = [&](const std::string& msg, const std::string& hint) {
    return make_error(ErrorCode::kInvalidArgument, msg, where, hint);
  };
  if (p.min_size_size() == 0) return bad("no min_size", "give at least one min_size");
  std::vector<float> min_sizes, max_sizes, ratios = {1.f}, variance;
  for (float m : p.min_size()) {
    if (!(m > 0)) return bad("min_size must be positive", "fix min_size");
    min_sizes.push_back(m);
  }
  for (float ar : p.aspect_ratio()) {
    if (!(ar > 0)) return bad("aspect_ratio must be positive", "fix aspect_ratio");
    bool exists = false;
    for (float r : ratios) exists = exists || std::fabs(ar - r) < 1e-6;
    if (exists) continue;
    ratios.push_back(ar);
    if (p.flip()) ratios.push_back(1.f / ar);
  }
  if (p.max_size_size() > 0) {
    if (p.max_size_size() != p.min_size_size())
      return bad("max_size count differs from min_size count", "give one max_size per min_size");
    for (int i = 0; i < p.max_size_size(); ++i) {
      if (!(p.max_size(i) > min_sizes[i])) return bad("max_size must be greater than min_size", "fix max_size");
      max_sizes.push_back(p.max_size(i));
    }
  }
  if (p.variance_size() > 1) {
    if (p.variance_size() != 4) return bad("variance needs 1 or 4 values", "give 1 or 4 variances");
    for (float v : p.variance()) variance.push_back(v);
  } else {
    variance.push_back(p.variance_size() == 1 ? p.variance(0) : 0.1f);
  }
  for (float v : variance)
    if (!(v > 0)) return bad("variance must be positive", "fix variance");
  int64_t img_h = img_h_in, img_w = img_w_in;
  if (p.has_img_h() || p.has_img_w()) {
    if (p.has_img_size()) return bad("both img_size and img_h/img_w", "give one of them");
    img_h = p.img_h();
    img_w = p.img_w();
  } else if (p.has_img_size()) {
    img_h = img_w = p.img_size();
  }
  float step_h = 0.f, step_w = 0.f;
  if (p.has_step_h() || p.has_step_w()) {
    if (p.has_step()) return bad("both step and step_h/step_w", "give one of them");
    step_h = p.step_h();
    step_w = p.step_w();
  } else if (p.has_step()) {
    step_h = step_w = p.step();
  }
  if (img_h < 1 || img_w < 1 || layer_h < 1 || layer_w < 1)
    return bad("image and feature map sizes must be positive", "check the bottoms' shapes or img_size");
  if (layer_h * layer_w > (int64_t{1} << 24))
    return bad("feature map " + std::to_string(layer_h) + "x" + std::to_string(layer_w) + " is too large for priors",
               "check the input shape");
  if (step_h == 0.f || step_w == 0.f) {
    step_w = static_cast<float>(img_w) / static_cast<float>(layer_w);
    step_h = static_cast<float>(img_h) / static_cast<float>(layer_h);
  }
  const float offset = p.offset();
  const int64_t num_priors = static_cast<int64_t>(ratios.size() * min_sizes.size() + max_sizes.size());
  const int64_t dim = layer_h * layer_w * num_priors * 4;
  std::vector<float> out(static_cast<size_t>(dim * 2));
  size_t idx = 0;
  // Arithmetic as Caffe-SSD writes it: float centres, the sizes truncated to int, the corners in double.
  const auto put = [&](float cx, float cy, double bw, double bh) {
    out[idx++] = static_cast<float>((cx - bw / 2.) / static_cast<double>(img_w));
    out[idx++] = static_cast<float>((cy - bh / 2.) / static_cast<double>(img_h));
    out[idx++] = static_cast<float>((cx + bw / 2.) / static_cast<double>(img_w));
    out[idx++] = static_cast<float>((cy + bh / 2.) / static_cast<double>(img_h));
  };
  for (int64_t h = 0; h < layer_h; ++h) {
    for (int64_t w = 0; w < layer_w; ++w) {
      const float cx = (static_cast<float>(w) + offset) * step_w;
      const float cy = (static_cast<float>(h) + offset) * step_h;
      for (size_t s = 0; s < min_sizes.size(); ++s) {
        const int min_size = static_cast<int>(min_sizes[s]);
        put(cx, cy, min_size, min_size);
        if (!max_sizes.empty()) {
          const int max_size = static_cast<int>(max_sizes[s]);
          const float side = static_cast<float>(std::sqrt(min_size * max_size));
          put(cx, cy, side, side);
        }
        for (float ar : ratios) {
          if (std::fabs(ar - 1.) < 1e-6) continue;
          const float bw = static_cast<float>(min_size * std::sqrt(ar));
          const float bh = static_cast<float>(min_size / std::sqrt(ar));
          put(cx, cy, bw, bh);
        }
      }
    }
  }
  if (p.clip())
    for (int64_t d = 0; d < dim; ++d) out[d] = std::min(std::max(out[d], 0.f), 1.f);
  for (int64_t d = 0; d < dim; ++d) out[dim + d] = variance.size() == 1 ? variance[0] : variance[d % 4];
  return out;
}

Status translate_prior_box(ImportContext& ctx, const LayerParameter& l) {
  NNC_ASSIGN_OR_RETURN(BlobRef feature, ctx.bottom(l, 0));
  const caffe::PriorBoxParameter& p = l.prior_box_param();
  int64_t img_h = 0, img_w = 0;
  if (l.bottom_size() >= 2) {
    NNC_ASSIGN_OR_RETURN(BlobRef image, ctx.bottom(l, 1));
    if (image.shape.size() != 4)
      return ctx.error(l, ErrorCode::kInvalidArgument, "image bottom " + dims_str(image.shape) + " is not 4-D",
                       "give the N, C, H, W input blob as second bottom");
    img_h = image.shape[2];
    img_w = image.shape[3];
  } else if (!p.has_img_size() && !(p.has_img_h() && p.has_img_w())) {
    return ctx.error(l, ErrorCode::kInvalidArgument, "no image bottom and no img_size/img_h/img_w",
                     "add the input blob as second bottom");
  }
  if (feature.shape.size() != 4)
    return ctx.error(l, ErrorCode::kInvalidArgument, "feature bottom " + dims_str(feature.shape) + " is not 4-D",
                     "give an N, C, H, W feature map as first bottom");
  Expected<std::vector<float>> boxes = compute_prior_boxes(p, feature.shape[2], feature.shape[3], img_h, img_w, l.name());
  if (!boxes) return boxes.status().with_location(Location{ctx.file(), 0, 0, "layer '" + l.name() + "' (PriorBox)"});
  const auto n = static_cast<int64_t>(boxes->size() / 2);
  // The priors depend on shapes only: a constant, so the feature map is not an input of anything here.
  Value* v = ctx.add_f32(l.top(0) + "_priors", std::move(*boxes), {1, 2, n});
  ctx.set_top(l, 0, v, {1, 2, n});
  return Status::ok();
}

Status translate_detection_output(ImportContext& ctx, const LayerParameter& l) {
  if (l.bottom_size() < 3)
    return ctx.error(l, ErrorCode::kInvalidArgument, "needs 3 bottoms (loc, conf, priors), has " + std::to_string(l.bottom_size()),
                     "give mbox_loc, mbox_conf and mbox_priorbox");
  if (l.bottom_size() > 3)
    return ctx.error(l, ErrorCode::kUnsupported, "a 4th bottom (ARM-style refinement) is not supported",
                     "use the 3-bottom SSD DetectionOutput");
  NNC_ASSIGN_OR_RETURN(BlobRef loc, ctx.bottom(l, 0));
  NNC_ASSIGN_OR_RETURN(BlobRef conf, ctx.bottom(l, 1));
  NNC_ASSIGN_OR_RETURN(BlobRef prior, ctx.bottom(l, 2));
  const caffe::DetectionOutputParameter& p = l.detection_output_param();
  if (!p.has_num_classes() || p.num_classes() < 1)
    return ctx.error(l, ErrorCode::kInvalidArgument, "num_classes is missing", "set detection_output_param.num_classes");
  if (prior.shape.size() != 3 || prior.shape[1] != 2 || prior.shape[2] % 4 != 0)
    return ctx.error(l, ErrorCode::kInvalidArgument, "priors bottom " + dims_str(prior.shape) + " is not [1, 2, P*4]",
                     "give the PriorBox (or its Concat) output as third bottom");
  const int64_t priors = prior.shape[2] / 4, nc = p.num_classes();
  const int64_t loc_classes = p.share_location() ? 1 : nc;
  int64_t batch = loc.shape.empty() ? 0 : loc.shape[0];
  int64_t loc_count = 1, conf_count = 1;
  for (int64_t d : loc.shape) loc_count *= d;
  for (int64_t d : conf.shape) conf_count *= d;
  if (batch < 1 || loc_count != batch * priors * loc_classes * 4 || conf_count != batch * priors * nc)
    return ctx.error(l, ErrorCode::kInvalidArgument,
                     "loc " + dims_str(loc.shape) + " and conf " + dims_str(conf.shape) + " do not match " +
                         std::to_string(priors) + " priors and " + std::to_string(nc) + " classes",
                     "check num_classes, share_location and the mbox layers");
  const auto code = static_cast<int64_t>(p.code_type());
  if (p.has_nms_param() && p.nms_param().eta() <= 0.f)
    return ctx.error(l, ErrorCode::kInvalidArgument, "nms eta must be positive", "fix nms_param.eta");
  // The output row count depends on the data; Caffe declares [1, 1, keep_top_k or more, 7].
  Value* out = ctx.graph.add_value(ctx.top_value_name(l, l.top(0)), DType::kF32,
                                   Shape({Dim(1), Dim(1), Dim(), Dim(7)}));
  Node* n = ctx.graph.add_node("DetectionOutput", {loc.value, conf.value, prior.value}, {out->name()}, l.name(), "nnc");
  n->set_attribute("num_classes", nc);
  n->set_attribute("share_location", int64_t{p.share_location() ? 1 : 0});
  n->set_attribute("background_label_id", int64_t{p.background_label_id()});
  n->set_attribute("nms_threshold", static_cast<double>(p.nms_param().nms_threshold()));
  n->set_attribute("top_k", int64_t{p.nms_param().has_top_k() ? p.nms_param().top_k() : -1});
  n->set_attribute("eta", static_cast<double>(p.nms_param().eta()));
  n->set_attribute("code_type", code);
  n->set_attribute("variance_encoded_in_target", int64_t{p.variance_encoded_in_target() ? 1 : 0});
  n->set_attribute("keep_top_k", int64_t{p.keep_top_k()});
  if (p.has_confidence_threshold())
    n->set_attribute("confidence_threshold", static_cast<double>(p.confidence_threshold()));
  ctx.set_top(l, 0, out, {});
  return Status::ok();
}

}  // namespace nnc::caffe_frontend
