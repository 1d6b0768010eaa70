// nnc SDK: the fp32 reference executor: runs an IR graph on the host; the numerical truth of nnc.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nnc/graph.h"
#include "nnc/status.h"
#include "nnc/tensor.h"

namespace nnc {

/// One operator the reference executor implements.
struct ReferenceOpInfo {
  std::string domain;    ///< "" = ai.onnx
  std::string op_type;   ///< "Conv"
  int64_t min_opset = 1; ///< oldest opset version whose semantics are implemented
  std::string note;      ///< limits, e.g. "mode 'cubic' unsupported"
};

/// The supported-op table: the single source read by error messages, `host explain`-style listings
/// and the conformance runner. Sorted by op type.
const std::vector<ReferenceOpInfo>& reference_op_table();

/// True when the table has `op_type` in `domain` (opset ignored).
bool reference_supports(const std::string& domain, const std::string& op_type);

/// OK, or ONE kUnsupported error listing every unsupported op type with its node names and the
/// model's opset (not just the first). Nodes inside subgraphs (If branches, Loop/Scan bodies) are
/// checked too and named by their path, e.g. 'If_1/else_branch/nms'.
Status check_reference_support(const Graph& g);

/// How the executor runs.
struct ExecutorOptions {
  int threads = 0;  ///< worker threads; 0 = all cores
  /// Fold a Relu/Clip into the Conv/Gemm/MatMul/Add/... that produces its only input (computed in the
  /// producer's epilogue; results are identical). Off = one kernel per node, for debugging.
  bool fuse_activations = true;
  /// Called with every graph input and every node output the run computes, right after it is computed
  /// and before it may be released (SDK 1.2; calibration statistics, per-layer error analysis). The
  /// pre-activation output of a node whose Relu/Clip was folded (fuse_activations) is not seen: the
  /// observer gets the activation's output. The tensor is only valid during the call.
  std::function<void(const Value& value, const Tensor& tensor)> observer;
};

/// Runs a graph on the host. Create once, run many times; not thread-safe per instance.
/// Intermediate tensors are released as soon as their last consumer has run, so peak memory is
/// the weights plus the largest set of simultaneously live activations.
class ReferenceExecutor {
 public:
  ~ReferenceExecutor();
  ReferenceExecutor(const ReferenceExecutor&) = delete;
  ReferenceExecutor& operator=(const ReferenceExecutor&) = delete;

  /// Checks support (every unsupported op listed at once) and prepares the schedule. The graph
  /// must outlive the executor.
  static Expected<std::unique_ptr<ReferenceExecutor>> create(const Graph& graph, const ExecutorOptions& options = {});

  /// Runs one inference. Every graph input must be given, with the declared dtype and a shape
  /// compatible with the declared one; a wrong name, dtype or shape is an error listing what the
  /// model expects. Returns every graph output by name.
  Expected<std::map<std::string, Tensor>> run(const std::map<std::string, Tensor>& inputs);

  /// "name: f32[1, 3, 224, 224]" per graph input, for messages.
  std::vector<std::string> describe_inputs() const;
  int threads() const noexcept;
  /// Memory plan: the first run records when each tensor is created and dropped; later runs place
  /// tensors whose lifetimes do not overlap in one shared arena (memory is recycled, not returned to
  /// the OS). Bytes of that arena (0 before a run completed) and of all activation memory held now.
  size_t activation_arena_bytes() const noexcept;
  size_t activation_reserved_bytes() const noexcept;
  /// Most bytes of intermediate/output tensors alive at once over all runs so far (the memory plan's
  /// working set; the arena's size minus this is the plan's fragmentation).
  size_t activation_peak_live_bytes() const noexcept;
  /// Bytes of the graph's constant tensors (weights) the executor reads.
  size_t weight_bytes() const noexcept;

 private:
  struct Impl;
  explicit ReferenceExecutor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nnc
