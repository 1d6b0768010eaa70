// nnc core: nnc.DetectionOutput, the Caffe-SSD detection post-processing (box decoding, per-class NMS, keep_top_k).
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <utility>
#include <vector>

#include "exec/kernels_shape_common.h"

namespace nnc::exec::shape_ops {
namespace {

/// A box as min/max corners (normalized coordinates in SSD).
struct Box {
  float xmin, ymin, xmax, ymax;
};

/// Caffe-SSD BBoxSize(normalized): 0 for an inverted box.
float box_size(const Box& b) {
  if (b.xmax < b.xmin || b.ymax < b.ymin) return 0.f;
  return (b.xmax - b.xmin) * (b.ymax - b.ymin);
}

/// Caffe-SSD JaccardOverlap (normalized boxes).
float jaccard(const Box& a, const Box& b) {
  if (b.xmin > a.xmax || b.xmax < a.xmin || b.ymin > a.ymax || b.ymax < a.ymin) return 0.f;
  const float ixmin = std::max(a.xmin, b.xmin), iymin = std::max(a.ymin, b.ymin);
  const float ixmax = std::min(a.xmax, b.xmax), iymax = std::min(a.ymax, b.ymax);
  const float iw = ixmax - ixmin, ih = iymax - iymin;
  const float inter = iw * ih;
  const float sa = box_size(a), sb = box_size(b);
  return inter / (sa + sb - inter);
}

/// Box codings of PriorBoxParameter.CodeType.
enum CodeType : int64_t { kCorner = 1, kCenterSize = 2, kCornerSize = 3 };

/// Caffe-SSD DecodeBBox (clip off).
Box decode(const Box& prior, const float* var, const float* loc, int64_t code, bool variance_in_target) {
  float v[4] = {1.f, 1.f, 1.f, 1.f};
  if (!variance_in_target) std::copy(var, var + 4, v);
  const float pw = prior.xmax - prior.xmin, ph = prior.ymax - prior.ymin;
  switch (code) {
    case kCorner:
      return {prior.xmin + v[0] * loc[0], prior.ymin + v[1] * loc[1], prior.xmax + v[2] * loc[2],
              prior.ymax + v[3] * loc[3]};
    case kCornerSize:
      return {prior.xmin + v[0] * loc[0] * pw, prior.ymin + v[1] * loc[1] * ph, prior.xmax + v[2] * loc[2] * pw,
              prior.ymax + v[3] * loc[3] * ph};
    default: {  // kCenterSize
      const float pcx = (prior.xmin + prior.xmax) / 2.f, pcy = (prior.ymin + prior.ymax) / 2.f;
      const float cx = v[0] * loc[0] * pw + pcx, cy = v[1] * loc[1] * ph + pcy;
      const float w = std::exp(v[2] * loc[2]) * pw, h = std::exp(v[3] * loc[3]) * ph;
      return {cx - w / 2.f, cy - h / 2.f, cx + w / 2.f, cy + h / 2.f};
    }
  }
}

/// Caffe-SSD ApplyNMSFast: candidates above `threshold`, best `top_k` first, greedy suppression with
/// the adaptive threshold (eta).
std::vector<int64_t> nms_fast(const std::vector<Box>& boxes, const float* scores, int64_t stride, float threshold,
                              float nms_threshold, float eta, int64_t top_k) {
  std::vector<std::pair<float, int64_t>> order;
  for (int64_t i = 0; i < static_cast<int64_t>(boxes.size()); ++i)
    if (scores[i * stride] > threshold) order.emplace_back(scores[i * stride], i);
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  if (top_k > -1 && top_k < static_cast<int64_t>(order.size())) order.resize(static_cast<size_t>(top_k));
  std::vector<int64_t> kept;
  float adaptive = nms_threshold;
  for (const auto& [score, idx] : order) {
    bool keep = true;
    for (int64_t k : kept) {
      if (jaccard(boxes[idx], boxes[k]) > adaptive) {
        keep = false;
        break;
      }
    }
    if (keep) {
      kept.push_back(idx);
      if (eta < 1.f && adaptive > 0.5f) adaptive *= eta;
    }
  }
  return kept;
}

}  // namespace

/// Inputs: loc [N, P*L*4] (L = 1 when share_location else num_classes), conf [N, P*C], priors
/// [1 or N, 2, P*4] (boxes then variances). Output [1, 1, D, 7]: image, label, score, xmin, ymin, xmax, ymax;
/// one row [i, -1, ...] per image when nothing is detected, as Caffe-SSD does.
Status detection_output(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* loc_t, required_input(args, 0, "loc"));
  NNC_ASSIGN_OR_RETURN(const Tensor* conf_t, required_input(args, 1, "conf"));
  NNC_ASSIGN_OR_RETURN(const Tensor* prior_t, required_input(args, 2, "priors"));
  for (const Tensor* t : {loc_t, conf_t, prior_t})
    if (t->dtype() != DType::kF32) return args.unsupported("inputs must be f32, got " + t->description());
  const int64_t num_classes = attr_int(args.node, "num_classes", 0);
  const bool share_location = attr_int(args.node, "share_location", 1) != 0;
  const int64_t background = attr_int(args.node, "background_label_id", 0);
  const auto nms_threshold = static_cast<float>(attr_float(args.node, "nms_threshold", 0.3f));
  const int64_t top_k = attr_int(args.node, "top_k", -1);
  const auto eta = static_cast<float>(attr_float(args.node, "eta", 1.0f));
  const int64_t code = attr_int(args.node, "code_type", kCorner);
  const bool var_in_target = attr_int(args.node, "variance_encoded_in_target", 0) != 0;
  const int64_t keep_top_k = attr_int(args.node, "keep_top_k", -1);
  const auto conf_threshold = static_cast<float>(attr_float(args.node, "confidence_threshold", -std::numeric_limits<float>::max()));
  if (num_classes < 1) return args.error("num_classes must be >= 1, got " + std::to_string(num_classes));
  if (code < kCorner || code > kCornerSize)
    return args.unsupported("code_type " + std::to_string(code) + " (1 CORNER, 2 CENTER_SIZE, 3 CORNER_SIZE)");
  if (prior_t->rank() != 3 || prior_t->shape()[1] != 2 || prior_t->shape()[2] % 4 != 0)
    return args.error("priors must be [1, 2, P*4], got " + prior_t->description());
  const int64_t priors = prior_t->shape()[2] / 4;
  const int64_t batch = loc_t->rank() >= 1 ? loc_t->shape()[0] : 0;
  const int64_t loc_classes = share_location ? 1 : num_classes;
  if (batch < 1 || loc_t->element_count() != batch * priors * loc_classes * 4)
    return args.error("loc " + loc_t->description() + " does not hold " + std::to_string(priors) + " priors x " +
                      std::to_string(loc_classes) + " x 4 values per image");
  if (conf_t->element_count() != batch * priors * num_classes)
    return args.error("conf " + conf_t->description() + " does not hold " + std::to_string(priors) + " priors x " +
                      std::to_string(num_classes) + " classes per image");
  if (prior_t->shape()[0] != 1 && prior_t->shape()[0] != batch)
    return args.error("priors batch " + std::to_string(prior_t->shape()[0]) + " is neither 1 nor " +
                      std::to_string(batch));

  const float* loc = loc_t->data<float>().data();
  const float* conf = conf_t->data<float>().data();
  struct Detection {
    int64_t image, label;
    float score;
    Box box;
  };
  std::vector<Detection> rows;
  for (int64_t n = 0; n < batch; ++n) {
    const float* pr = prior_t->data<float>().data() + (prior_t->shape()[0] == 1 ? 0 : n * 2 * priors * 4);
    const float* var = pr + priors * 4;
    // Decoded boxes per location class.
    std::vector<std::vector<Box>> decoded(static_cast<size_t>(loc_classes), std::vector<Box>(static_cast<size_t>(priors)));
    for (int64_t c = 0; c < loc_classes; ++c) {
      if (!share_location && c == background) continue;
      for (int64_t p = 0; p < priors; ++p) {
        const Box prior{pr[p * 4], pr[p * 4 + 1], pr[p * 4 + 2], pr[p * 4 + 3]};
        decoded[c][p] = decode(prior, var + p * 4, loc + ((n * priors + p) * loc_classes + c) * 4, code, var_in_target);
      }
    }
    const float* img_conf = conf + n * priors * num_classes;
    std::map<int64_t, std::vector<int64_t>> kept;  // label -> prior indices in NMS order
    int64_t total = 0;
    for (int64_t c = 0; c < num_classes; ++c) {
      if (c == background) continue;
      const std::vector<Box>& boxes = decoded[share_location ? 0 : c];
      std::vector<int64_t> idx = nms_fast(boxes, img_conf + c, num_classes, conf_threshold, nms_threshold, eta, top_k);
      total += static_cast<int64_t>(idx.size());
      kept[c] = std::move(idx);
    }
    if (keep_top_k > -1 && total > keep_top_k) {
      std::vector<std::pair<float, std::pair<int64_t, int64_t>>> all;
      for (const auto& [label, idx] : kept)
        for (int64_t i : idx) all.push_back({img_conf[i * num_classes + label], {label, i}});
      std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
      all.resize(static_cast<size_t>(keep_top_k));
      std::map<int64_t, std::vector<int64_t>> top;
      for (const auto& [score, li] : all) top[li.first].push_back(li.second);
      kept = std::move(top);
    }
    for (const auto& [label, idx] : kept)
      for (int64_t i : idx)
        rows.push_back({n, label, img_conf[i * num_classes + label], decoded[share_location ? 0 : label][i]});
  }
  if (rows.empty()) {
    NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, DType::kF32, {1, 1, batch, 7}));
    auto o = out->mutable_data<float>();
    std::fill(o.begin(), o.end(), -1.f);
    for (int64_t n = 0; n < batch; ++n) o[n * 7] = static_cast<float>(n);
    return Status::ok();
  }
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, DType::kF32, {1, 1, static_cast<int64_t>(rows.size()), 7}));
  auto o = out->mutable_data<float>();
  for (size_t r = 0; r < rows.size(); ++r) {
    const Detection& d = rows[r];
    float* row = o.data() + r * 7;
    row[0] = static_cast<float>(d.image);
    row[1] = static_cast<float>(d.label);
    row[2] = d.score;
    row[3] = d.box.xmin;
    row[4] = d.box.ymin;
    row[5] = d.box.xmax;
    row[6] = d.box.ymax;
  }
  return Status::ok();
}

}  // namespace nnc::exec::shape_ops
