// nnc tests: small helpers shared by the unit tests that build graphs by hand.
#pragma once

#include <utility>

#include "nnc/graph.h"

namespace nnc::test_util {

/// Gives `v` the f32 type and shape `s`; returns it (for use inside add_node argument lists).
inline Value* typed(Value* v, Shape s) {
  v->set_dtype(DType::kF32);
  v->set_shape(std::move(s));
  return v;
}

}  // namespace nnc::test_util
