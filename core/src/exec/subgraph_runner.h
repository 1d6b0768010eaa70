// nnc core (internal): runs a control-flow node's subgraph (If branch, Loop/Scan body) with bound values.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "exec/kernel.h"

namespace nnc::exec {

/// Outer-scope tensors visible to a subgraph, by value name.
using OuterValues = std::unordered_map<std::string, const Tensor*>;

/// The outer-scope values a control-flow node sees. The executor appends a node's implicit inputs
/// (implicit_input_names(node), in that order) to args.inputs after the node's own inputs; this maps
/// them back to their names.
Expected<OuterValues> outer_values_of(const KernelArgs& args);

/// One subgraph attribute of a node, prepared for repeated runs: node order, value slots, kernels
/// and the point after which each intermediate can be freed. The node (and its graph) must outlive it.
class SubgraphRunner {
 public:
  /// Prepares graph attribute `attr` of args.node. Errors when the attribute is missing or not a
  /// graph, a node of the body has no kernel, or the body has a cycle.
  static Expected<SubgraphRunner> create(const KernelArgs& args, const char* attr);

  const Graph& graph() const noexcept { return *graph_; }
  /// "else_branch of node 'If_3' (If)", for messages.
  const std::string& where() const noexcept { return where_; }

  /// Runs the body once: `inputs` bind its graph inputs in order (checked against the declared
  /// dtypes), `outer` supplies every outer-scope value it reads. Returns its outputs in order.
  Expected<std::vector<Tensor>> run(const std::vector<Tensor>& inputs, const OuterValues& outer, ThreadPool& pool);

 private:
  struct Step {
    const Node* node;
    const KernelEntry* kernel;
    int64_t opset;
    std::vector<int> inputs;   // slot per input (own, then implicit), -1 = omitted
    std::vector<int> outputs;  // slot per output, -1 = omitted
    std::vector<int> release;  // slots whose last reader is this step
  };

  int slot_for(const Value* v);
  int slot_for_outer(const std::string& name);

  const Graph* graph_ = nullptr;
  std::string where_;
  std::vector<Step> steps_;
  std::vector<Tensor> constants_;                  // per slot: the constant, or empty
  std::unordered_map<const Value*, int> slot_of_;
  std::map<std::string, int> outer_slot_;          // outer-scope name -> slot
  std::vector<int> input_slots_, output_slots_;
  size_t slot_count_ = 0;
};

}  // namespace nnc::exec
