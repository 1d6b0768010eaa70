// nnc core: the reference executor runtime: schedule, input checks, kernel dispatch, buffer release.
#include <exception>
#include <unordered_map>

#include "exec/kernel.h"
#include "nnc/executor.h"
#include "nnc/graph_algorithms.h"
#include "nnc/suggest.h"

namespace nnc {

namespace {

/// One node to execute, with value slots resolved.
struct Step {
  const Node* node;
  const exec::KernelEntry* kernel;
  int64_t opset;
  std::vector<int> inputs;   // slot per input, -1 = omitted
  std::vector<int> outputs;  // slot per output, -1 = omitted
  std::vector<int> release;  // slots whose last reader is this step
};

std::string describe_value(const Value* v) { return v->name() + ": " + dtype_name(v->dtype()) + v->shape().str(); }

}  // namespace

struct ReferenceExecutor::Impl {
  const Graph& graph;
  exec::ThreadPool pool;
  std::vector<Step> steps;
  std::vector<Tensor> slots;
  std::vector<bool> constant_slot;
  std::unordered_map<const Value*, int> slot_of;
  std::vector<int> input_slots;
  std::vector<int> output_slots;

  Impl(const Graph& g, int threads) : graph(g), pool(threads) {}

  int slot(const Value* v) {
    auto [it, inserted] = slot_of.emplace(v, static_cast<int>(slots.size()));
    if (inserted) {
      slots.emplace_back();
      constant_slot.push_back(v->is_constant());
      if (v->is_constant()) slots.back() = *v->constant();
    }
    return it->second;
  }

  Status check_input(const Value* declared, const Tensor& given) const {
    std::string expected = "the model expects " + describe_value(declared);
    if (declared->dtype() != DType::kUndefined && given.dtype() != declared->dtype())
      return make_error(ErrorCode::kInvalidArgument,
                        "input '" + declared->name() + "' has dtype " + dtype_name(given.dtype()) + "; " + expected);
    if (declared->shape().conflicts_with(Shape::of(given.shape())))
      return make_error(ErrorCode::kInvalidArgument, "input '" + declared->name() + "' has shape " +
                                                         Shape::of(given.shape()).str() + "; " + expected);
    return Status::ok();
  }
};

ReferenceExecutor::ReferenceExecutor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReferenceExecutor::~ReferenceExecutor() = default;
int ReferenceExecutor::threads() const noexcept { return impl_->pool.size(); }

Expected<std::unique_ptr<ReferenceExecutor>> ReferenceExecutor::create(const Graph& graph, const ExecutorOptions& options) {
  NNC_RETURN_IF_ERROR(check_reference_support(graph));
  NNC_ASSIGN_OR_RETURN(std::vector<Node*> order, topological_order(graph));
  auto impl = std::make_unique<Impl>(graph, options.threads);
  for (const Value* v : graph.inputs()) impl->input_slots.push_back(impl->slot(v));
  std::unordered_map<int, size_t> last_reader;
  for (const Node* n : order) {
    Step step{n, exec::find_kernel(n->domain(), n->op_type()), 0, {}, {}, {}};
    auto it = graph.opsets().find(n->domain() == "ai.onnx" ? "" : n->domain());
    step.opset = it == graph.opsets().end() ? 17 : it->second;
    for (const Value* in : n->inputs()) {
      int s = in ? impl->slot(in) : -1;
      step.inputs.push_back(s);
      if (s >= 0) last_reader[s] = impl->steps.size();
    }
    // Values the node's subgraphs read from this graph follow its own inputs (see exec/subgraph_runner.h).
    for (const std::string& name : implicit_input_names(*n)) {
      const Value* v = graph.find_value(name);
      if (!v)
        return make_error(ErrorCode::kInvalidArgument, "a subgraph of " + n->describe() + " reads '" + name +
                                                           "', which no enclosing graph defines",
                          Location{"", 0, 0, n->describe()}, "re-export the model");
      int s = impl->slot(v);
      step.inputs.push_back(s);
      last_reader[s] = impl->steps.size();
    }
    for (const Value* out : n->outputs()) step.outputs.push_back(out ? impl->slot(out) : -1);
    impl->steps.push_back(std::move(step));
  }
  for (const Value* v : graph.outputs()) impl->output_slots.push_back(impl->slot(v));
  std::vector<bool> keep(impl->slots.size(), false);
  for (int s : impl->output_slots) keep[s] = true;
  for (int s : impl->input_slots) keep[s] = true;
  for (auto [s, step] : last_reader)
    if (!keep[s] && !impl->constant_slot[s]) impl->steps[step].release.push_back(s);
  // Outputs nobody reads (e.g. an unused Dropout mask) are released right after their producer.
  for (size_t i = 0; i < impl->steps.size(); ++i)
    for (int s : impl->steps[i].outputs)
      if (s >= 0 && !keep[s] && !last_reader.count(s)) impl->steps[i].release.push_back(s);
  return std::unique_ptr<ReferenceExecutor>(new ReferenceExecutor(std::move(impl)));
}

std::vector<std::string> ReferenceExecutor::describe_inputs() const {
  std::vector<std::string> out;
  for (const Value* v : impl_->graph.inputs()) out.push_back(describe_value(v));
  return out;
}

Expected<std::map<std::string, Tensor>> ReferenceExecutor::run(const std::map<std::string, Tensor>& inputs) {
  Impl& m = *impl_;
  std::vector<std::string> expected_names;
  for (const Value* v : m.graph.inputs()) expected_names.push_back(v->name());
  for (const auto& [name, tensor] : inputs) {
    if (std::find(expected_names.begin(), expected_names.end(), name) == expected_names.end())
      return make_error(ErrorCode::kInvalidArgument, "the model has no input named '" + name + "'" +
                                                         did_you_mean(name, expected_names),
                        {}, "the model's inputs are " + quoted_list(describe_inputs()));
  }
  for (size_t i = 0; i < m.graph.inputs().size(); ++i) {
    const Value* v = m.graph.inputs()[i];
    auto it = inputs.find(v->name());
    if (it == inputs.end())
      return make_error(ErrorCode::kInvalidArgument, "missing input '" + v->name() + "'", {},
                        "the model's inputs are " + quoted_list(describe_inputs()));
    NNC_RETURN_IF_ERROR(m.check_input(v, it->second));
    m.slots[m.input_slots[i]] = it->second;
  }

  std::vector<Tensor> outputs;
  for (const Step& step : m.steps) {
    std::vector<const Tensor*> args_in;
    args_in.reserve(step.inputs.size());
    for (int s : step.inputs) {
      if (s >= 0 && m.slots[s].empty() && m.slots[s].dtype() == DType::kUndefined)
        return make_error(ErrorCode::kInternal, "input of " + step.node->describe() + " was not computed");
      args_in.push_back(s >= 0 ? &m.slots[s] : nullptr);
    }
    outputs.assign(step.outputs.size(), Tensor());
    exec::KernelArgs args{*step.node, step.opset, std::move(args_in), outputs, m.pool};
    Status status;
    try {
      status = step.kernel->fn(args);
    } catch (const std::exception& e) {
      status = make_error(ErrorCode::kInternal, std::string("kernel threw: ") + e.what(),
                          Location{"", 0, 0, step.node->describe()});
    }
    if (!status.is_ok()) return status.with_location(Location{"", 0, 0, step.node->describe()});
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      int s = step.outputs[i];
      if (s < 0) continue;
      if (outputs[i].dtype() == DType::kUndefined)
        return make_error(ErrorCode::kInternal, "kernel for " + step.node->describe() + " did not produce output " +
                                                    std::to_string(i));
      m.slots[s] = std::move(outputs[i]);
    }
    for (int s : step.release) m.slots[s] = Tensor();
  }

  std::map<std::string, Tensor> result;
  for (size_t i = 0; i < m.output_slots.size(); ++i) result[m.graph.outputs()[i]->name()] = m.slots[m.output_slots[i]];
  // Drop references to the caller's inputs and to results so buffers are not pinned between runs.
  for (size_t s = 0; s < m.slots.size(); ++s)
    if (!m.constant_slot[s]) m.slots[s] = Tensor();
  return result;
}

}  // namespace nnc
