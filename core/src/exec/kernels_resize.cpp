// nnc core: Resize (opset 10..19 semantics: nearest/linear/cubic, every coordinate mode) and Upsample.
#include <algorithm>
#include <cmath>

#include "exec/kernels_shape_common.h"

namespace nnc::exec::shape_ops {
namespace {

enum class Interp { kNearest, kLinear, kCubic };
enum class Coord { kHalfPixel, kHalfPixelSymmetric, kPytorchHalfPixel, kAlignCorners, kAsymmetric, kTfHalfPixelForNn,
                   kTfCropAndResize };
/// kLegacy: Resize-10 / Upsample nearest: floor when upsampling an axis, ceil when downsampling it.
enum class Rounding { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil, kLegacy };

struct ResizeConfig {
  Interp interp = Interp::kNearest;
  Coord coord = Coord::kHalfPixel;
  Rounding rounding = Rounding::kRoundPreferFloor;
  double cubic_a = -0.75;
  bool exclude_outside = false;
  double extrapolation_value = 0.0;
};

/// How one output position of one axis reads the input: up to 4 (offset, weight) taps.
struct AxisTaps {
  bool outside = false;  ///< tf_crop_and_resize: the position maps outside the input
  int count = 0;
  int64_t offset[4] = {0, 0, 0, 0};
  double weight[4] = {0, 0, 0, 0};
};

/// Geometry of one axis.
struct AxisGeometry {
  int64_t in_len = 1;
  int64_t out_len = 1;
  double scale = 1.0;
  double roi_start = 0.0;
  double roi_end = 1.0;
};

template <typename E>
Expected<E> parse_choice(const KernelArgs& args, const char* attr, const std::string& fallback,
                         std::initializer_list<std::pair<const char*, E>> choices) {
  std::string value = attr_string(args.node, attr, fallback);
  std::string known;
  for (const auto& [name, e] : choices) {
    if (value == name) return e;
    known += (known.empty() ? "" : ", ") + std::string(name);
  }
  return args.unsupported(std::string(attr) + " '" + value + "' (supported: " + known + ")");
}

Expected<ResizeConfig> modern_config(const KernelArgs& args) {
  ResizeConfig c;
  NNC_ASSIGN_OR_RETURN(c.interp, parse_choice<Interp>(args, "mode", "nearest",
                                                      {{"nearest", Interp::kNearest},
                                                       {"linear", Interp::kLinear},
                                                       {"cubic", Interp::kCubic}}));
  NNC_ASSIGN_OR_RETURN(c.coord, parse_choice<Coord>(args, "coordinate_transformation_mode", "half_pixel",
                                                    {{"half_pixel", Coord::kHalfPixel},
                                                     {"half_pixel_symmetric", Coord::kHalfPixelSymmetric},
                                                     {"pytorch_half_pixel", Coord::kPytorchHalfPixel},
                                                     {"align_corners", Coord::kAlignCorners},
                                                     {"asymmetric", Coord::kAsymmetric},
                                                     {"tf_half_pixel_for_nn", Coord::kTfHalfPixelForNn},
                                                     {"tf_crop_and_resize", Coord::kTfCropAndResize}}));
  NNC_ASSIGN_OR_RETURN(c.rounding, parse_choice<Rounding>(args, "nearest_mode", "round_prefer_floor",
                                                          {{"round_prefer_floor", Rounding::kRoundPreferFloor},
                                                           {"round_prefer_ceil", Rounding::kRoundPreferCeil},
                                                           {"floor", Rounding::kFloor},
                                                           {"ceil", Rounding::kCeil}}));
  c.cubic_a = attr_float(args.node, "cubic_coeff_a", -0.75f);
  c.exclude_outside = attr_int(args.node, "exclude_outside", 0) != 0;
  c.extrapolation_value = attr_float(args.node, "extrapolation_value", 0.0f);
  if (attr_int(args.node, "antialias", 0) != 0) return args.unsupported("antialias=1 is not supported");
  return c;
}

/// Resize-10 and Upsample: asymmetric coordinates, legacy nearest rounding.
Expected<ResizeConfig> legacy_config(const KernelArgs& args) {
  ResizeConfig c;
  c.coord = Coord::kAsymmetric;
  c.rounding = Rounding::kLegacy;
  NNC_ASSIGN_OR_RETURN(c.interp, parse_choice<Interp>(args, "mode", "nearest",
                                                      {{"nearest", Interp::kNearest},
                                                       {"linear", Interp::kLinear},
                                                       {"bilinear", Interp::kLinear}}));
  return c;
}

/// Input coordinate of output position x (the ONNX reference formulas; `output_width` = scale * in_len).
double original_coordinate(const ResizeConfig& c, const AxisGeometry& g, double x) {
  const double in = static_cast<double>(g.in_len);
  const double output_width = g.scale * in;
  switch (c.coord) {
    case Coord::kHalfPixel: return (x + 0.5) / g.scale - 0.5;
    case Coord::kHalfPixelSymmetric: {
      double adjustment = static_cast<double>(g.out_len) / output_width;
      double offset = in / 2 * (1 - adjustment);
      return offset + (x + 0.5) / g.scale - 0.5;
    }
    case Coord::kPytorchHalfPixel: return g.out_len > 1 ? (x + 0.5) / g.scale - 0.5 : 0.0;
    case Coord::kAlignCorners: return output_width == 1 ? 0.0 : x * (in - 1) / (output_width - 1);
    case Coord::kAsymmetric: return x / g.scale;
    case Coord::kTfHalfPixelForNn: return (x + 0.5) / g.scale;
    case Coord::kTfCropAndResize: {
      double span = (g.roi_end - g.roi_start) * (in - 1);
      double start = g.roi_start * (in - 1);
      return output_width == 1 ? span / 2 + start : x * span / (output_width - 1) + start;
    }
  }
  return x;
}

/// Weights of the taps left of and right of the coordinate (ratio in (0, 1]).
void nearest_weights(Rounding r, double ratio, double* w) {
  bool right = true;
  if (ratio != 1.0) {
    switch (r) {
      case Rounding::kRoundPreferFloor: right = ratio > 0.5; break;
      case Rounding::kRoundPreferCeil: right = ratio >= 0.5; break;
      case Rounding::kFloor: right = false; break;
      case Rounding::kCeil:
      case Rounding::kLegacy: right = true; break;
    }
  }
  w[0] = right ? 0.0 : 1.0;
  w[1] = right ? 1.0 : 0.0;
}

void cubic_weights(double a, double ratio, double* w) {
  double r1 = ratio + 1, r = ratio, q = 1 - ratio, q1 = 2 - ratio;
  w[0] = ((a * r1 - 5 * a) * r1 + 8 * a) * r1 - 4 * a;
  w[1] = ((a + 2) * r - (a + 3)) * r * r + 1;
  w[2] = ((a + 2) * q - (a + 3)) * q * q + 1;
  w[3] = ((a * q1 - 5 * a) * q1 + 8 * a) * q1 - 4 * a;
}

/// Taps of output position x along one axis (input indices clamped to the edge like the reference).
AxisTaps taps_for(const ResizeConfig& c, const AxisGeometry& g, int64_t x, int64_t in_stride) {
  AxisTaps t;
  double xo = original_coordinate(c, g, static_cast<double>(x));
  if (c.coord == Coord::kTfCropAndResize && (xo < 0 || xo > static_cast<double>(g.in_len - 1))) {
    t.outside = true;
    return t;
  }
  if (c.interp == Interp::kNearest && c.rounding == Rounding::kLegacy) {
    double picked = g.scale < 1 ? std::ceil(xo) : std::floor(xo);
    t.count = 1;
    t.offset[0] = std::clamp<int64_t>(static_cast<int64_t>(picked), 0, g.in_len - 1) * in_stride;
    t.weight[0] = 1.0;
    return t;
  }
  const bool integral = xo == std::floor(xo);
  const auto base = static_cast<int64_t>(integral ? xo - 1 : std::floor(xo));
  const double ratio = integral ? 1.0 : xo - std::floor(xo);
  double w[4];
  int n = 2;
  int64_t first = base;
  if (c.interp == Interp::kCubic) {
    n = 4;
    first = base - 1;
    cubic_weights(c.cubic_a, ratio, w);
  } else if (c.interp == Interp::kLinear) {
    w[0] = 1 - ratio;
    w[1] = ratio;
  } else {
    nearest_weights(c.rounding, ratio, w);
  }
  if (c.exclude_outside) {
    double sum = 0;
    for (int i = 0; i < n; ++i) {
      int64_t idx = first + i;
      if (idx < 0 || idx >= g.in_len) w[i] = 0;
      sum += w[i];
    }
    if (sum != 0)
      for (int i = 0; i < n; ++i) w[i] /= sum;
  }
  for (int i = 0; i < n; ++i) {
    if (w[i] == 0.0) continue;
    t.offset[t.count] = std::clamp<int64_t>(first + i, 0, g.in_len - 1) * in_stride;
    t.weight[t.count] = w[i];
    ++t.count;
  }
  return t;
}

/// One (input offset, weight) term of the outer axes' contribution to an output row.
struct Term {
  int64_t offset;
  double weight;
};

/// Terms of every tap combination of the outer axes at `coord`; empty when one of them is outside.
void outer_terms(const std::vector<std::vector<AxisTaps>>& taps, const std::vector<int64_t>& coord,
                 std::vector<Term>& terms, std::vector<Term>& scratch) {
  terms.assign(1, Term{0, 1.0});
  for (size_t d = 0; d < coord.size(); ++d) {
    const AxisTaps& t = taps[d][coord[d]];
    if (t.outside) {
      terms.clear();
      return;
    }
    scratch.clear();
    for (const Term& term : terms)
      for (int i = 0; i < t.count; ++i) scratch.push_back({term.offset + t.offset[i], term.weight * t.weight[i]});
    terms.swap(scratch);
  }
}

std::vector<double> load_all(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.element_count()));
  if (t.dtype() == DType::kF32) {
    auto f = t.data<float>();
    std::copy(f.begin(), f.end(), v.begin());
  } else {
    for (size_t i = 0; i < v.size(); ++i) v[i] = load_double(t.dtype(), t.raw_data(), static_cast<int64_t>(i));
  }
  return v;
}

/// Computes the output from the per-axis geometry.
Status run_resize(KernelArgs& args, const Tensor& data, const ResizeConfig& c, const std::vector<AxisGeometry>& geo) {
  if (data.dtype() == DType::kBool || element_bytes(data.dtype()) == 0)
    return args.unsupported(std::string("dtype ") + dtype_name(data.dtype()) + " is not supported by Resize");
  const size_t rank = geo.size();
  if (rank == 0) return args.error("cannot resize a scalar");
  std::vector<int64_t> out_shape(rank);
  for (size_t d = 0; d < rank; ++d) {
    out_shape[d] = geo[d].out_len;
    if (geo[d].in_len == 0 && geo[d].out_len > 0)
      return args.error("cannot resize the empty axis " + std::to_string(d) + " of " + data.description() + " to " +
                        std::to_string(geo[d].out_len));
  }
  NNC_ASSIGN_OR_RETURN(Tensor * out, new_output(args, 0, data.dtype(), out_shape));
  const int64_t total = out->element_count();
  if (total == 0) return Status::ok();
  std::vector<int64_t> in_strides = strides_of(data.shape());
  std::vector<std::vector<AxisTaps>> taps(rank);
  for (size_t d = 0; d < rank; ++d)
    for (int64_t x = 0; x < geo[d].out_len; ++x) taps[d].push_back(taps_for(c, geo[d], x, in_strides[d]));
  const std::vector<double> in = load_all(data);
  const DType dtype = data.dtype();
  const bool round_to_int = !is_floating(dtype);
  std::byte* dst = out->mutable_raw_data();
  const size_t elem = element_bytes(dtype);
  const int64_t width = out_shape.back();
  const std::vector<AxisTaps>& inner_taps = taps.back();
  auto store = [&](int64_t i, double v) {
    if (round_to_int) v = std::nearbyint(v);
    if (dtype == DType::kF32)
      reinterpret_cast<float*>(dst)[i] = static_cast<float>(v);
    else
      store_double(dtype, v, dst + static_cast<size_t>(i) * elem);
  };
  args.pool.parallel_for(total / width, [&](int64_t begin, int64_t end) {
    std::vector<int64_t> coord(rank - 1, 0);
    std::vector<Term> terms, scratch;
    for (int64_t row = begin; row < end; ++row) {
      for (int64_t rest = row, d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
        coord[d] = rest % out_shape[d];
        rest /= out_shape[d];
      }
      outer_terms(taps, coord, terms, scratch);
      for (int64_t x = 0; x < width; ++x) {
        const AxisTaps& t = inner_taps[x];
        double v = c.extrapolation_value;
        if (!terms.empty() && !t.outside) {
          v = 0;
          for (const Term& term : terms) {
            double along = 0;
            for (int i = 0; i < t.count; ++i) along += t.weight[i] * in[term.offset + t.offset[i]];
            v += term.weight * along;
          }
        }
        store(row * width + x, v);
      }
    }
  }, std::max<int64_t>(1, 4096 / width));
  return Status::ok();
}

/// Geometry from per-axis scales (output = floor(in * scale)).
Expected<std::vector<AxisGeometry>> geometry_from_scales(const KernelArgs& args, const Tensor& data,
                                                         const std::vector<double>& scales) {
  if (static_cast<int64_t>(scales.size()) != data.rank())
    return args.error("scales has " + std::to_string(scales.size()) + " values for the " +
                      std::to_string(data.rank()) + " axes of " + data.description());
  std::vector<AxisGeometry> geo(scales.size());
  for (size_t d = 0; d < scales.size(); ++d) {
    if (!(scales[d] > 0)) return args.error("scales must be positive, got " + std::to_string(scales[d]));
    geo[d].in_len = data.shape()[d];
    geo[d].scale = scales[d];
    geo[d].out_len = static_cast<int64_t>(std::floor(scales[d] * static_cast<double>(geo[d].in_len)));
  }
  return geo;
}

/// Geometry of Resize-11+ from sizes or scales (optionally on a subset of axes), with roi.
Expected<std::vector<AxisGeometry>> modern_geometry(const KernelArgs& args, const Tensor& data) {
  const int64_t rank = data.rank();
  std::vector<int64_t> axes = attr_ints(args.node, "axes");
  if (axes.empty())
    for (int64_t a = 0; a < rank; ++a) axes.push_back(a);
  for (int64_t& a : axes) {
    NNC_ASSIGN_OR_RETURN(a, normalize_axis(a, rank, args));
    if (a >= rank) return args.error("axis " + std::to_string(a) + " is out of range for " + data.description());
  }
  std::vector<double> scales(static_cast<size_t>(rank), 1.0);
  const Tensor* sizes_in = args.input(3);
  const Tensor* scales_in = args.input(2);
  std::vector<AxisGeometry> geo;
  if (sizes_in && sizes_in->element_count() > 0) {
    NNC_ASSIGN_OR_RETURN(auto sizes, read_int_values(*sizes_in, args, "sizes"));
    if (sizes.size() != axes.size())
      return args.error("sizes " + dims_text(sizes) + " must have one value per resized axis of " +
                        data.description());
    NNC_ASSIGN_OR_RETURN(geo, geometry_from_scales(args, data, scales));
    std::string policy = attr_string(args.node, "keep_aspect_ratio_policy", "stretch");
    if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller")
      return args.unsupported("keep_aspect_ratio_policy '" + policy + "'");
    double common = policy == "not_larger" ? 1e300 : 0.0;
    for (size_t i = 0; i < axes.size(); ++i) {
      double s = static_cast<double>(sizes[i]) / static_cast<double>(data.shape()[axes[i]]);
      common = policy == "not_larger" ? std::min(common, s) : std::max(common, s);
    }
    for (size_t i = 0; i < axes.size(); ++i) {
      AxisGeometry& g = geo[axes[i]];
      if (policy == "stretch") {
        g.out_len = sizes[i];
        g.scale = static_cast<double>(sizes[i]) / static_cast<double>(g.in_len);
      } else {
        g.scale = common;
        g.out_len = static_cast<int64_t>(std::floor(common * static_cast<double>(g.in_len) + 0.5));
      }
    }
  } else if (scales_in && scales_in->element_count() > 0) {
    std::vector<double> given = read_double_values(*scales_in);
    if (given.size() != axes.size())
      return args.error("scales has " + std::to_string(given.size()) + " values for " + std::to_string(axes.size()) +
                        " resized axes of " + data.description());
    for (size_t i = 0; i < axes.size(); ++i) scales[axes[i]] = given[i];
    NNC_ASSIGN_OR_RETURN(geo, geometry_from_scales(args, data, scales));
  } else {
    return args.error("Resize needs non-empty scales or sizes");
  }
  if (const Tensor* roi_in = args.input(1); roi_in && roi_in->element_count() > 0) {
    std::vector<double> roi = read_double_values(*roi_in);
    if (roi.size() != 2 * axes.size())
      return args.error("roi has " + std::to_string(roi.size()) + " values; expected " +
                        std::to_string(2 * axes.size()));
    for (size_t i = 0; i < axes.size(); ++i) {
      geo[axes[i]].roi_start = roi[i];
      geo[axes[i]].roi_end = roi[i + axes.size()];
    }
  }
  return geo;
}

/// Resize-10 / Upsample: scales from input `index`, or from the 'scales' attribute (Upsample-7).
Status legacy_resize(KernelArgs& args, size_t index) {
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "X"));
  NNC_ASSIGN_OR_RETURN(ResizeConfig config, legacy_config(args));
  std::vector<double> scales;
  if (const Tensor* s = args.input(index)) {
    scales = read_double_values(*s);
  } else if (has_attr(args.node, "scales")) {
    for (float f : attr_floats(args.node, "scales")) scales.push_back(f);
  } else {
    return args.error("missing scales (input " + std::to_string(index) + " or attribute 'scales')");
  }
  NNC_ASSIGN_OR_RETURN(auto geo, geometry_from_scales(args, *data, scales));
  return run_resize(args, *data, config, geo);
}

}  // namespace

Status resize(KernelArgs& args) {
  if (args.opset > 0 && args.opset < 11) return legacy_resize(args, 1);
  NNC_ASSIGN_OR_RETURN(const Tensor* data, required_input(args, 0, "X"));
  NNC_ASSIGN_OR_RETURN(ResizeConfig config, modern_config(args));
  NNC_ASSIGN_OR_RETURN(auto geo, modern_geometry(args, *data));
  return run_resize(args, *data, config, geo);
}

Status upsample(KernelArgs& args) { return legacy_resize(args, 1); }

}  // namespace nnc::exec::shape_ops
