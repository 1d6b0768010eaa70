// nnc tests: runs one reference-executor kernel on a one-node graph; random tensors and float comparison.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "exec/kernel.h"
#include "nnc/graph.h"

namespace nnc::testing {

/// Outputs of one kernel call, or its error.
struct KernelRun {
  Status status;
  std::vector<Tensor> outputs;
};

/// Runs op `op_type` (domain ai.onnx) on `inputs` (an empty Tensor = omitted optional input) with
/// `attrs`, producing `output_count` outputs, on a pool of `threads` threads.
inline KernelRun run_kernel(const std::string& op_type, const std::vector<Tensor>& inputs,
                            const std::map<std::string, Attribute>& attrs, size_t output_count = 1,
                            int64_t opset = 17, int threads = 2) {
  Graph g("kernel_test");
  std::vector<Value*> values;
  for (size_t i = 0; i < inputs.size(); ++i)
    values.push_back(inputs[i].empty() && inputs[i].dtype() == DType::kUndefined
                         ? nullptr
                         : g.add_value("in" + std::to_string(i), inputs[i].dtype()));
  std::vector<std::string> names;
  for (size_t i = 0; i < output_count; ++i) names.push_back("out" + std::to_string(i));
  Node* node = g.add_node(op_type, values, names, "node");
  for (const auto& [name, value] : attrs) node->set_attribute(name, value);
  KernelRun run;
  const exec::KernelEntry* k = exec::find_kernel("", op_type);
  if (!k) {
    run.status = make_error(ErrorCode::kUnsupported, "no kernel for " + op_type);
    return run;
  }
  exec::ThreadPool pool(threads);
  std::vector<const Tensor*> in_ptrs;
  for (const Tensor& t : inputs) in_ptrs.push_back(t.empty() && t.dtype() == DType::kUndefined ? nullptr : &t);
  run.outputs.assign(output_count, Tensor());
  exec::KernelArgs args{*node, opset, in_ptrs, run.outputs, pool};
  run.status = k->fn(args);
  return run;
}

/// Uniform values in [-1, 1).
template <typename T = float>
Tensor random_tensor(std::mt19937& rng, std::vector<int64_t> shape) {
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  Tensor t(dtype_of<T>(), std::move(shape));
  for (auto& v : t.mutable_data<T>()) v = static_cast<T>(dist(rng));
  return t;
}

/// Expects equal shapes and |got - want| <= atol + rtol * |want| elementwise (NaN matches NaN).
inline void expect_close(const Tensor& got, const Tensor& want, double atol = 1e-4, double rtol = 1e-4,
                         const std::string& what = "") {
  ASSERT_EQ(got.shape(), want.shape()) << what << ": got " << got.description() << ", want " << want.description();
  ASSERT_EQ(got.dtype(), want.dtype()) << what;
  int reported = 0;
  for (int64_t i = 0; i < got.element_count(); ++i) {
    double g = got.value_as_double(i), w = want.value_as_double(i);
    bool ok = (std::isnan(g) && std::isnan(w)) || std::fabs(g - w) <= atol + rtol * std::fabs(w);
    if (!ok && reported++ < 5) ADD_FAILURE() << what << ": element " << i << " is " << g << ", want " << w;
  }
}

/// Row-major index helpers for reference loops.
inline int64_t numel(const std::vector<int64_t>& d) {
  int64_t p = 1;
  for (int64_t v : d) p *= v;
  return p;
}
/// Digits of flat index i over dims d.
inline std::vector<int64_t> unravel(int64_t i, const std::vector<int64_t>& d) {
  std::vector<int64_t> idx(d.size());
  for (size_t k = d.size(); k > 0; --k) {
    idx[k - 1] = i % d[k - 1];
    i /= d[k - 1];
  }
  return idx;
}
inline int64_t ravel(const std::vector<int64_t>& idx, const std::vector<int64_t>& d) {
  int64_t off = 0;
  for (size_t k = 0; k < d.size(); ++k) off = off * d[k] + idx[k];
  return off;
}

}  // namespace nnc::testing
