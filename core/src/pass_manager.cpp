// nnc core: PassManager: ordered passes, verify-each, timing/RSS instrumentation, exception firewall.
#include "nnc/pass_manager.h"

#include <sys/resource.h>

#include <chrono>
#include <exception>

#include "nnc/verifier.h"

namespace nnc {

long peak_rss_kb() noexcept {
  struct rusage usage {};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return usage.ru_maxrss;  // KiB on Linux
}

void PassManager::add(std::string name, std::unique_ptr<Pass> pass, Options options) {
  passes_.push_back(Item{std::move(name), std::move(pass), std::move(options)});
}

namespace {
Expected<bool> run_guarded(Pass& pass, Graph& graph, const Options& options, Context& ctx, const std::string& name) {
  try {
    return pass.run(graph, options, ctx);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kPluginError, name + " threw an exception: " + e.what(), {},
                      "this is a bug in the plugin providing " + name + "; please report it");
  } catch (...) {
    return make_error(ErrorCode::kPluginError, name + " threw a non-standard exception");
  }
}
}  // namespace

Status PassManager::run(Graph& graph, Context& ctx, std::vector<StepReport>* reports, const std::string& model_label) {
  for (auto& item : passes_) {
    std::string label = model_label.empty() ? item.name : item.name + " on " + model_label;
    auto start = std::chrono::steady_clock::now();
    Expected<bool> changed = run_guarded(*item.pass, graph, item.options, ctx, item.name);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!changed) return changed.error().with_location(Location{"", 0, 0, label});
    if (reports) reports->push_back(StepReport{label, ms, peak_rss_kb(), *changed});
    if (ctx.verify_each) {
      Status verified = verify_graph(graph);
      if (!verified.is_ok())
        return verified.with_context("after " + label).with_hint("the pass '" + item.name + "' produced an invalid graph");
    }
  }
  return Status::ok();
}

Status PassManager::run_to_fixpoint(Graph& graph, Context& ctx, int max_iterations) {
  for (int round = 0; round < max_iterations; ++round) {
    bool any_change = false;
    for (auto& item : passes_) {
      Expected<bool> changed = run_guarded(*item.pass, graph, item.options, ctx, item.name);
      if (!changed) return changed.error();
      any_change = any_change || *changed;
      if (ctx.verify_each) NNC_RETURN_IF_ERROR(verify_graph(graph).with_context("after " + item.name));
    }
    if (!any_change) return Status::ok();
  }
  return Status::ok();
}

}  // namespace nnc
