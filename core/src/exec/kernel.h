// nnc core (internal): the kernel interface of the reference executor and the per-group op tables.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "nnc/graph.h"
#include "nnc/status.h"
#include "nnc/tensor.h"

namespace nnc::exec {

class ThreadPool;

/// An activation (Relu, Clip) folded into the node that produces its input: out = clamp(out, lo, hi).
/// `nan_to_lo` follows Relu (NaN -> lo); otherwise NaN passes through, as Clip does.
struct FusedClamp {
  float lo;
  float hi;
  bool nan_to_lo;
  float operator()(float v) const noexcept {
    v = nan_to_lo ? (v > lo ? v : lo) : (v < lo ? lo : v);
    return hi < v ? hi : v;
  }
  double operator()(double v) const noexcept {
    v = nan_to_lo ? (v > lo ? v : double(lo)) : (v < lo ? double(lo) : v);
    return hi < v ? double(hi) : v;
  }
  /// Applies the clamp to rows x cols values with row stride `ld` (f32: vectorised, clamp_f32).
  template <typename T>
  void apply(T* p, int64_t rows, int64_t cols, int64_t ld) const noexcept {
    for (int64_t r = 0; r < rows; ++r) {
      if constexpr (std::is_same_v<T, float>) {
        clamp_f32(p + r * ld, cols);
      } else {
        for (int64_t c = 0; c < cols; ++c) p[r * ld + c] = (*this)(p[r * ld + c]);
      }
    }
  }
  /// p[0..n) = clamp(p[0..n)), same NaN rule as operator() (kernels_fused_clamp.cpp).
  void clamp_f32(float* p, int64_t n) const noexcept;
};

/// Everything a kernel sees for one node execution.
struct KernelArgs {
  const Node& node;
  int64_t opset;                        ///< opset version of the node's domain in this model
  std::vector<const Tensor*> inputs;    ///< one per node input; nullptr for an omitted optional input;
                                        ///< then, for nodes with subgraphs, one per implicit_input_names(node)
  std::vector<Tensor>& outputs;         ///< one per node output, empty on entry; the kernel fills them
  ThreadPool& pool;
  /// Activation the executor folded into this node (nullptr when none). A kernel that applies it to
  /// output 0 itself sets `fused_clamp_applied`; otherwise the executor applies it after the kernel.
  const FusedClamp* fused_clamp = nullptr;
  bool fused_clamp_applied = false;

  /// Input i or nullptr when absent (also when i is past the end).
  const Tensor* input(size_t i) const { return i < inputs.size() ? inputs[i] : nullptr; }
  size_t output_count() const { return outputs.size(); }
  /// kInvalidArgument / kUnsupported error located at this node ("node 'conv1' (Conv): ...").
  Status error(const std::string& message) const;
  Status unsupported(const std::string& message) const;
};

/// A kernel computes every output of one node; output shapes are computed by the kernel (shapes may
/// depend on input values: Shape -> Gather -> Reshape).
using KernelFn = Status (*)(KernelArgs&);

/// One row of the op table.
struct KernelEntry {
  const char* domain;   ///< "" = ai.onnx
  const char* op_type;
  int min_opset;        ///< oldest opset implemented (version-aware kernels check args.opset)
  KernelFn fn;
  const char* note;     ///< limits ("" when none)
};

/// Op groups; each is defined in its own kernels_<group>.cpp. op_table.cpp concatenates them into
/// the single table.
std::span<const KernelEntry> elementwise_kernels();   ///< unary/binary math, activations, compare, logic, Cast, Where
std::span<const KernelEntry> reduction_kernels();     ///< Reduce*, ArgMax/Min, Softmax family, CumSum, TopK
std::span<const KernelEntry> linalg_kernels();        ///< Conv, ConvTranspose, Gemm, MatMul, Einsum
std::span<const KernelEntry> nn_kernels();            ///< pooling, normalizations, LRN
std::span<const KernelEntry> shape_kernels();         ///< Reshape ... Resize, NMS, NonZero, constants
std::span<const KernelEntry> control_kernels();       ///< If, Loop, Scan (subgraphs; see subgraph_runner.h)

/// Lookup in the concatenated table (nullptr when absent).
const KernelEntry* find_kernel(const std::string& domain, const std::string& op_type);

/// Fixed pool of worker threads for data-parallel loops.
class ThreadPool {
 public:
  explicit ThreadPool(int threads);  ///< 0 = hardware concurrency
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  int size() const noexcept { return threads_; }
  /// Calls fn(begin, end) over [0, n) split into about size() chunks of at least `min_chunk`
  /// items; runs inline when one chunk suffices. Blocks until all chunks are done.
  void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t min_chunk = 1);

 private:
  struct State;
  int threads_;
  State* state_;
};

}  // namespace nnc::exec
