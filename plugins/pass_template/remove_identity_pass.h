// nnc pass_template: a small real pass that removes no-op nodes (Identity, inference-mode Dropout).
#pragma once

#include "nnc/components.h"

namespace nnc::pass_template {

/// Removes nodes that forward their first input unchanged: Identity, and Dropout when it is in
/// inference mode with an unused mask. Consumers are rewired to the node's input. A node whose
/// output is a graph output is kept so the model's output names do not change.
///
/// Options: `ops` (list of op types to remove, default ["Identity", "Dropout"]).
class RemoveIdentityPass final : public Pass {
 public:
  Expected<bool> run(Graph& graph, const Options& options, Context& ctx) override;

  /// The component declaration registered by the plugin (name, version, doc, options).
  static ComponentInfo info();
};

}  // namespace nnc::pass_template
