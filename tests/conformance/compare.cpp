// nnc conformance: element-wise output comparison with NaN/inf rules and a one-line mismatch summary.
#include "compare.h"

#include <cmath>
#include <cstring>
#include <sstream>

namespace nnc::conformance {

namespace {

std::string dims_str(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

/// Multi-index of flat element `flat` in a row-major tensor of `dims`.
std::vector<int64_t> unravel(int64_t flat, const std::vector<int64_t>& dims) {
  std::vector<int64_t> idx(dims.size());
  for (size_t i = dims.size(); i-- > 0;) {
    idx[i] = dims[i] ? flat % dims[i] : 0;
    flat = dims[i] ? flat / dims[i] : 0;
  }
  return idx;
}

/// Bytes of element i (whole bytes; kI4 is compared as values instead).
bool same_bytes(const Tensor& a, const Tensor& b, int64_t i) {
  const size_t w = static_cast<size_t>(dtype_bits(a.dtype()) / 8);
  return std::memcmp(a.raw_data() + i * w, b.raw_data() + i * w, w) == 0;
}

struct Worst {
  int64_t mismatches = 0;
  int64_t index = -1;                            // worst finite mismatch
  double abs_err = 0, rel_err = 0, excess = -1;  // over finite mismatches; excess ranks them
  int64_t nonfinite = 0, first_nonfinite = -1;   // NaN/inf on one side only
};

/// True when floating values g and w agree under `tol` (NaN == NaN, infinities exact).
bool float_close(double g, double w, const Tolerance& tol, double& abs_err, double& rel_err) {
  if (std::isnan(g) || std::isnan(w)) {
    abs_err = rel_err = std::isnan(g) && std::isnan(w) ? 0 : INFINITY;
    return std::isnan(g) && std::isnan(w);
  }
  if (std::isinf(g) || std::isinf(w)) {
    abs_err = rel_err = g == w ? 0 : INFINITY;
    return g == w;
  }
  abs_err = std::fabs(g - w);
  rel_err = w != 0 ? abs_err / std::fabs(w) : (abs_err == 0 ? 0 : INFINITY);
  return abs_err <= tol.atol + tol.rtol * std::fabs(w);
}

Worst scan(const Tensor& got, const Tensor& want, const Tolerance& tol) {
  Worst w;
  const bool floating = is_floating(want.dtype());
  const bool bytewise = is_integer(want.dtype()) && want.dtype() != DType::kI4;  // bool: by value
  for (int64_t i = 0; i < want.element_count(); ++i) {
    double abs_err = 0, rel_err = 0;
    bool ok;
    if (floating) {
      ok = float_close(got.value_as_double(i), want.value_as_double(i), tol, abs_err, rel_err);
    } else {
      ok = bytewise ? same_bytes(got, want, i) : got.value_as_double(i) == want.value_as_double(i);
      abs_err = ok ? 0 : std::fabs(got.value_as_double(i) - want.value_as_double(i));
      rel_err = ok ? 0 : INFINITY;
    }
    if (ok) continue;
    ++w.mismatches;
    if (floating && std::isinf(abs_err)) {
      if (w.nonfinite++ == 0) w.first_nonfinite = i;
      continue;
    }
    w.abs_err = std::max(w.abs_err, abs_err);
    w.rel_err = std::max(w.rel_err, rel_err);
    double excess = abs_err - (tol.atol + tol.rtol * std::fabs(want.value_as_double(i)));
    if (w.index < 0 || excess > w.excess) {
      w.index = i;
      w.excess = excess;
    }
  }
  return w;
}

}  // namespace

std::string compare_tensors(const Tensor& got, const Tensor& want, const Tolerance& tol) {
  if (got.dtype() != want.dtype())
    return std::string("dtype ") + dtype_name(got.dtype()) + ", expected " + dtype_name(want.dtype());
  if (got.shape() != want.shape()) return "shape " + dims_str(got.shape()) + ", expected " + dims_str(want.shape());
  if (want.element_count() > 0 && (!got.raw_data() || !want.raw_data())) return "output has no data";
  const Worst w = scan(got, want, tol);
  if (w.mismatches == 0) return {};
  std::ostringstream os;
  os.precision(7);
  os << w.mismatches << "/" << want.element_count() << " elements differ";
  auto at = [&](int64_t i) {
    os << dims_str(unravel(i, want.shape())) << ": got " << got.value_as_double(i) << ", expected "
       << want.value_as_double(i);
  };
  if (w.index >= 0) {
    os << "; max abs err " << w.abs_err << ", max rel err " << w.rel_err << "; worst at ";
    at(w.index);
  }
  if (w.nonfinite > 0) {
    os << "; " << w.nonfinite << " NaN/inf mismatch(es), first at ";
    at(w.first_nonfinite);
  }
  return os.str();
}

}  // namespace nnc::conformance
