// nnc core: detection post-processing kernels: NonMaxSuppression (ONNX output order, both box encodings).
#include <algorithm>
#include <numeric>

#include "exec/kernels_shape_common.h"

namespace nnc::exec::shape_ops {
namespace {

/// A box as min/max corners.
struct Corners {
  double y1, x1, y2, x2;
  double area() const { return (y2 - y1) * (x2 - x1); }
};

Corners corners_of(const double* b, bool center_point_box) {
  if (center_point_box) {  // [x_center, y_center, width, height]
    return {b[1] - b[3] / 2, b[0] - b[2] / 2, b[1] + b[3] / 2, b[0] + b[2] / 2};
  }
  return {std::min(b[0], b[2]), std::min(b[1], b[3]), std::max(b[0], b[2]), std::max(b[1], b[3])};
}

/// True when the intersection over union of a and b exceeds `threshold` (degenerate boxes never do).
bool overlaps_too_much(const Corners& a, const Corners& b, double threshold) {
  double ih = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  double iw = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  if (ih <= 0 || iw <= 0) return false;
  double inter = ih * iw;
  double uni = a.area() + b.area() - inter;
  if (a.area() <= 0 || b.area() <= 0 || uni <= 0) return false;
  return inter / uni > threshold;
}

/// Optional scalar input as double.
double scalar_or(const KernelArgs& args, size_t i, double fallback) {
  const Tensor* t = args.input(i);
  if (!t || t->element_count() == 0) return fallback;
  return read_double_values(*t)[0];
}

/// Indices of the kept boxes of one (batch, class), in selection order.
std::vector<int64_t> select_boxes(const std::vector<Corners>& boxes, const double* scores, int64_t max_out,
                                  double iou_threshold, bool has_score_threshold, double score_threshold) {
  std::vector<int64_t> candidates;
  for (int64_t i = 0; i < static_cast<int64_t>(boxes.size()); ++i)
    if (!has_score_threshold || scores[i] > score_threshold) candidates.push_back(i);
  std::stable_sort(candidates.begin(), candidates.end(), [&](int64_t a, int64_t b) { return scores[a] > scores[b]; });
  std::vector<int64_t> kept;
  for (int64_t c : candidates) {
    if (static_cast<int64_t>(kept.size()) >= max_out) break;
    bool suppressed = std::any_of(kept.begin(), kept.end(),
                                  [&](int64_t k) { return overlaps_too_much(boxes[k], boxes[c], iou_threshold); });
    if (!suppressed) kept.push_back(c);
  }
  return kept;
}

}  // namespace

Status non_max_suppression(KernelArgs& args) {
  NNC_ASSIGN_OR_RETURN(const Tensor* boxes_in, required_input(args, 0, "boxes"));
  NNC_ASSIGN_OR_RETURN(const Tensor* scores_in, required_input(args, 1, "scores"));
  if (boxes_in->rank() != 3 || boxes_in->shape()[2] != 4 || scores_in->rank() != 3 ||
      scores_in->shape()[0] != boxes_in->shape()[0] || scores_in->shape()[2] != boxes_in->shape()[1])
    return args.error("boxes must be [batches, boxes, 4] and scores [batches, classes, boxes], got " +
                      boxes_in->description() + " and " + scores_in->description());
  const int64_t batches = boxes_in->shape()[0], count = boxes_in->shape()[1], classes = scores_in->shape()[1];
  const bool center_point_box = attr_int(args.node, "center_point_box", 0) != 0;
  int64_t max_out = 0;
  if (const Tensor* m = args.input(2); m && m->element_count() > 0) {
    NNC_ASSIGN_OR_RETURN(auto values, read_int_values(*m, args, "max_output_boxes_per_class"));
    max_out = values[0];
  }
  const double iou_threshold = scalar_or(args, 3, 0.0);
  const Tensor* score_threshold_in = args.input(4);
  const bool has_score_threshold = score_threshold_in && score_threshold_in->element_count() > 0;
  const double score_threshold = scalar_or(args, 4, 0.0);

  const std::vector<double> box_values = read_double_values(*boxes_in);
  const std::vector<double> score_values = read_double_values(*scores_in);
  std::vector<int64_t> selected;  // triples (batch, class, box)
  for (int64_t b = 0; b < batches; ++b) {
    std::vector<Corners> boxes;
    for (int64_t i = 0; i < count; ++i)
      boxes.push_back(corners_of(box_values.data() + (b * count + i) * 4, center_point_box));
    for (int64_t c = 0; c < classes && max_out > 0; ++c) {
      const double* scores = score_values.data() + (b * classes + c) * count;
      for (int64_t k : select_boxes(boxes, scores, max_out, iou_threshold, has_score_threshold, score_threshold))
        selected.insert(selected.end(), {b, c, k});
    }
  }
  const auto n = static_cast<int64_t>(selected.size() / 3);
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, DType::kI64, {n, 3}));
  std::copy(selected.begin(), selected.end(), out->mutable_data<int64_t>().begin());
  return Status::ok();
}

}  // namespace nnc::exec::shape_ops
