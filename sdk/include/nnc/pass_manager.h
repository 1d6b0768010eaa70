// nnc SDK: runs passes over a graph with optional verification and per-pass instrumentation.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nnc/components.h"

namespace nnc {

/// Timing and memory of one executed step (pass or stage).
struct StepReport {
  std::string name;          ///< "pass.remove_identity on model_0"
  double wall_ms = 0;
  long peak_rss_kb = 0;      ///< process peak RSS after the step
  bool changed = false;      ///< passes: whether the graph changed
};

/// Process peak resident set size in KiB (getrusage).
long peak_rss_kb() noexcept;

/// An ordered list of passes with their options, run on one graph.
class PassManager {
 public:
  /// `name` is the qualified name used in messages ("pass.remove_identity").
  void add(std::string name, std::unique_ptr<Pass> pass, Options options);
  size_t size() const noexcept { return passes_.size(); }

  /// Runs each pass once, in order. With ctx.verify_each, the verifier runs after every pass and
  /// a failure names the pass that broke the graph. Exceptions escaping a pass become kPluginError.
  /// Each pass's report is appended to `reports` when given.
  Status run(Graph& graph, Context& ctx, std::vector<StepReport>* reports = nullptr,
             const std::string& model_label = "");

  /// Repeats the whole list until no pass reports a change (at most `max_iterations` rounds).
  Status run_to_fixpoint(Graph& graph, Context& ctx, int max_iterations = 8);

 private:
  struct Item {
    std::string name;
    std::unique_ptr<Pass> pass;
    Options options;
  };
  std::vector<Item> passes_;
};

}  // namespace nnc
