// nnc conformance: compares an executor output with the expected tensor (dtype, shape, values with tolerance).
#pragma once

#include <string>

#include "nnc/tensor.h"

namespace nnc::conformance {

/// |got - want| <= atol + rtol * |want| for floating outputs; integer and bool outputs are exact.
struct Tolerance {
  double rtol = 1e-3;
  double atol = 1e-4;
};

/// Empty when `got` matches `want`; otherwise one line saying what differs: dtype, shape, or the
/// number of mismatching elements with the worst one's index, values, max abs and max rel error.
/// NaN matches NaN; infinities must match exactly (sign included).
std::string compare_tensors(const Tensor& got, const Tensor& want, const Tolerance& tol);

}  // namespace nnc::conformance
