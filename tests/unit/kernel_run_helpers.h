// nnc tests: runs one reference kernel directly through the op table (elementwise and reduction kernel tests).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "exec/kernel.h"
#include "nnc/graph.h"

namespace nnc::kernel_test {

/// Runs `op` (domain ai.onnx) on `inputs` (std::nullopt = omitted optional input) and returns its outputs.
inline Expected<std::vector<Tensor>> run_op(const std::string& op, const std::vector<std::optional<Tensor>>& inputs,
                                            const std::map<std::string, Attribute>& attrs = {}, int64_t opset = 17,
                                            size_t outputs = 1) {
  Graph g("t");
  std::vector<std::string> names;
  for (size_t i = 0; i < outputs; ++i) names.push_back("out" + std::to_string(i));
  Node* n = g.add_node(op, {}, names, "n");
  for (const auto& [k, v] : attrs) n->set_attribute(k, v);
  const exec::KernelEntry* k = exec::find_kernel("", op);
  if (!k) return make_error(ErrorCode::kNotFound, "no kernel for " + op);
  exec::ThreadPool pool(2);
  std::vector<const Tensor*> ptrs;
  for (const auto& t : inputs) ptrs.push_back(t ? &*t : nullptr);
  std::vector<Tensor> outs(outputs);
  exec::KernelArgs args{*n, opset, ptrs, outs, pool};
  Status s = k->fn(args);
  if (!s.is_ok()) return s;
  return outs;
}

/// Output 0 of a run expected to succeed.
inline Tensor run1(const std::string& op, const std::vector<std::optional<Tensor>>& inputs,
                   const std::map<std::string, Attribute>& attrs = {}, int64_t opset = 17) {
  auto r = run_op(op, inputs, attrs, opset);
  EXPECT_TRUE(r.has_value()) << op << ": " << r.error().to_string();
  return r.has_value() ? r->at(0) : Tensor();
}

/// The error of a run expected to fail.
inline Status run_error(const std::string& op, const std::vector<std::optional<Tensor>>& inputs,
                        const std::map<std::string, Attribute>& attrs = {}, int64_t opset = 17) {
  auto r = run_op(op, inputs, attrs, opset);
  EXPECT_FALSE(r.has_value()) << op << " unexpectedly succeeded";
  return r.has_value() ? Status::ok() : r.error();
}

/// Every element as double.
inline std::vector<double> values(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.element_count()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = t.value_as_double(static_cast<int64_t>(i));
  return v;
}

template <typename T>
Tensor tensor(const std::vector<T>& v, std::vector<int64_t> shape) {
  return Tensor::from_vector<T>(v, std::move(shape));
}
inline Tensor f32(const std::vector<float>& v, std::vector<int64_t> shape) {
  return tensor<float>(v, std::move(shape));
}
inline Tensor i64(const std::vector<int64_t>& v, std::vector<int64_t> shape) {
  return tensor<int64_t>(v, std::move(shape));
}

/// Checks dtype, shape and values (relative+absolute tolerance; NaN matches NaN, infinities match exactly).
inline void expect_tensor(const Tensor& t, DType dtype, const std::vector<int64_t>& shape,
                          const std::vector<double>& expected, double tol = 1e-5) {
  EXPECT_EQ(t.dtype(), dtype) << t.description();
  EXPECT_EQ(t.shape(), shape) << t.description();
  auto got = values(t);
  ASSERT_EQ(got.size(), expected.size()) << t.description();
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "element " << i;
    } else if (std::isinf(expected[i])) {
      EXPECT_EQ(got[i], expected[i]) << "element " << i;
    } else {
      EXPECT_NEAR(got[i], expected[i], tol * (1 + std::abs(expected[i]))) << "element " << i;
    }
  }
}

}  // namespace nnc::kernel_test
