// nnc core: the reference executor runtime: schedule, input checks, kernel dispatch, buffer release.
#include <cmath>
#include <exception>
#include <functional>
#include <limits>
#include <optional>
#include <unordered_map>

#include "buffer_pool.h"
#include "exec/kernel.h"
#include "exec/tensor_util.h"
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
  std::optional<exec::FusedClamp> clamp;  // a Relu/Clip folded into this step
};

std::string describe_value(const Value* v) { return v->name() + ": " + dtype_name(v->dtype()) + v->shape().str(); }

/// Producers whose f32 output may take a following Relu/Clip as an epilogue.
bool can_take_activation(const Node& n) {
  static const char* const kOps[] = {"Conv", "ConvTranspose", "Gemm", "MatMul", "Add", "Sub", "Mul",
                                     "BatchNormalization"};
  if (!n.domain().empty() && n.domain() != "ai.onnx") return false;
  for (const char* op : kOps)
    if (n.op_type() == op) return true;
  return false;
}

/// Reads Clip bound input `i` into `bound` (left as is when the input is omitted: unbounded); false
/// when the bound is not a known f32 scalar (a constant or a Constant node's value).
bool constant_bound(const Node& n, size_t i, float& bound) {
  if (i >= n.inputs().size() || !n.inputs()[i]) return true;
  const Value* v = n.inputs()[i];
  const Tensor* t = v->constant();
  if (const Node* p = v->producer(); !t && p && p->op_type() == "Constant" && p->domain().empty()) {
    const Attribute* a = p->attribute("value");  // exporters often feed Clip bounds from Constant nodes
    if (a && a->holds<Tensor>()) t = &a->get<Tensor>();
  }
  if (!t || t->dtype() != DType::kF32 || t->element_count() != 1) return false;
  bound = t->data<float>()[0];
  return true;
}

/// The clamp a Relu / Clip node computes on f32, when it can be folded into its producer.
std::optional<exec::FusedClamp> activation_of(const Node& n, int64_t opset) {
  if (!n.domain().empty() && n.domain() != "ai.onnx") return std::nullopt;
  constexpr float kInf = std::numeric_limits<float>::infinity();
  if (n.op_type() == "Relu") return exec::FusedClamp{0.0f, kInf, true};
  if (n.op_type() != "Clip") return std::nullopt;
  if (opset < 11) {
    return exec::FusedClamp{exec::attr_float(n, "min", std::numeric_limits<float>::lowest()),
                            exec::attr_float(n, "max", std::numeric_limits<float>::max()), false};
  }
  float lo = -kInf, hi = kInf;
  if (!constant_bound(n, 1, lo) || !constant_bound(n, 2, hi)) return std::nullopt;
  return exec::FusedClamp{lo, hi, false};
}

/// Folds each Relu/Clip whose only input is the sole use of a fusable producer's f32 output into that
/// producer: the producer writes the activation's output directly and the activation step goes away.
void fold_activations(std::vector<Step>& steps, const std::vector<bool>& graph_output_slot) {
  std::unordered_map<int, int> readers;  // slot -> number of reading steps
  std::unordered_map<int, size_t> producer;
  for (size_t i = 0; i < steps.size(); ++i) {
    for (int s : steps[i].inputs)
      if (s >= 0) ++readers[s];
    for (int s : steps[i].outputs)
      if (s >= 0) producer[s] = i;
  }
  std::vector<bool> removed(steps.size(), false);
  for (Step& act : steps) {
    auto clamp = activation_of(*act.node, act.opset);
    if (!clamp || act.inputs.empty() || act.inputs[0] < 0 || act.outputs.size() != 1 || act.outputs[0] < 0) continue;
    const int s = act.inputs[0];
    auto p = producer.find(s);
    if (p == producer.end() || readers[s] != 1 || graph_output_slot[s]) continue;
    Step& prod = steps[p->second];
    const Value* produced = prod.node->outputs()[0];
    if (prod.clamp || !can_take_activation(*prod.node) || prod.outputs.empty() || prod.outputs[0] != s ||
        produced->dtype() != DType::kF32 || act.node->outputs()[0]->dtype() != DType::kF32)
      continue;
    prod.clamp = clamp;
    prod.outputs[0] = act.outputs[0];
    removed[&act - steps.data()] = true;
  }
  std::vector<Step> kept;
  kept.reserve(steps.size());
  for (size_t i = 0; i < steps.size(); ++i)
    if (!removed[i]) kept.push_back(std::move(steps[i]));
  steps = std::move(kept);
}

}  // namespace

struct ReferenceExecutor::Impl {
  const Graph& graph;
  exec::ThreadPool pool;
  std::vector<Step> steps;
  std::vector<Tensor> slots;
  std::vector<bool> constant_slot;
  std::unordered_map<const Value*, int> slot_of;
  std::vector<const Value*> slot_value;  // the IR value each slot holds
  std::function<void(const Value&, const Tensor&)> observer;
  std::vector<int> input_slots;
  std::vector<int> output_slots;
  std::shared_ptr<detail::BufferPool> memory = std::make_shared<detail::BufferPool>();

  Impl(const Graph& g, int threads) : graph(g), pool(threads) {}

  int slot(const Value* v) {
    auto [it, inserted] = slot_of.emplace(v, static_cast<int>(slots.size()));
    if (inserted) {
      slots.emplace_back();
      slot_value.push_back(v);
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
size_t ReferenceExecutor::activation_arena_bytes() const noexcept { return impl_->memory->arena_bytes(); }
size_t ReferenceExecutor::activation_reserved_bytes() const noexcept { return impl_->memory->reserved_bytes(); }
size_t ReferenceExecutor::activation_peak_live_bytes() const noexcept { return impl_->memory->peak_live_bytes(); }
size_t ReferenceExecutor::weight_bytes() const noexcept {
  size_t bytes = 0;
  for (size_t s = 0; s < impl_->slots.size(); ++s)
    if (impl_->constant_slot[s]) bytes += impl_->slots[s].storage_bytes();
  return bytes;
}

Expected<std::unique_ptr<ReferenceExecutor>> ReferenceExecutor::create(const Graph& graph, const ExecutorOptions& options) {
  NNC_RETURN_IF_ERROR(check_reference_support(graph));
  NNC_ASSIGN_OR_RETURN(std::vector<Node*> order, topological_order(graph));
  auto impl = std::make_unique<Impl>(graph, options.threads);
  impl->observer = options.observer;
  for (const Value* v : graph.inputs()) impl->input_slots.push_back(impl->slot(v));
  for (const Node* n : order) {
    Step step{n, exec::find_kernel(n->domain(), n->op_type()), 0, {}, {}, {}, std::nullopt};
    auto it = graph.opsets().find(n->domain() == "ai.onnx" ? "" : n->domain());
    step.opset = it == graph.opsets().end() ? 17 : it->second;
    for (const Value* in : n->inputs()) step.inputs.push_back(in ? impl->slot(in) : -1);
    // Values the node's subgraphs read from this graph follow its own inputs (see exec/subgraph_runner.h).
    for (const std::string& name : implicit_input_names(*n)) {
      const Value* v = graph.find_value(name);
      if (!v)
        return make_error(ErrorCode::kInvalidArgument, "a subgraph of " + n->describe() + " reads '" + name +
                                                           "', which no enclosing graph defines",
                          Location{"", 0, 0, n->describe()}, "re-export the model");
      step.inputs.push_back(impl->slot(v));
    }
    for (const Value* out : n->outputs()) step.outputs.push_back(out ? impl->slot(out) : -1);
    impl->steps.push_back(std::move(step));
  }
  for (const Value* v : graph.outputs()) impl->output_slots.push_back(impl->slot(v));
  std::vector<bool> keep(impl->slots.size(), false);
  for (int s : impl->output_slots) keep[s] = true;
  for (int s : impl->input_slots) keep[s] = true;
  if (options.fuse_activations) fold_activations(impl->steps, keep);
  std::unordered_map<int, size_t> last_reader;
  for (size_t i = 0; i < impl->steps.size(); ++i)
    for (int s : impl->steps[i].inputs)
      if (s >= 0) last_reader[s] = i;
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
    if (m.observer) m.observer(*v, it->second);
  }

  // Every tensor this run creates comes from the executor's memory plan; whatever way the run ends,
  // intermediate tensors are dropped (buffers are not pinned between runs) before the plan is closed.
  struct RunScope {
    Impl& m;
    detail::ScopedBufferPool use_pool;
    bool completed = false;
    explicit RunScope(Impl& impl) : m(impl), use_pool(impl.memory.get()) { m.memory->begin_run(); }
    ~RunScope() {
      for (size_t s = 0; s < m.slots.size(); ++s)
        if (!m.constant_slot[s]) m.slots[s] = Tensor();
      m.memory->end_run(completed);
    }
  } scope(m);
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
    if (step.clamp) args.fused_clamp = &*step.clamp;
    Status status;
    try {
      status = step.kernel->fn(args);
    } catch (const std::exception& e) {
      status = make_error(ErrorCode::kInternal, std::string("kernel threw: ") + e.what(),
                          Location{"", 0, 0, step.node->describe()});
    }
    if (!status.is_ok()) return status.with_location(Location{"", 0, 0, step.node->describe()});
    if (step.clamp && !args.fused_clamp_applied && !outputs.empty() && outputs[0].dtype() == DType::kF32) {
      if (outputs[0].buffer().use_count() != 1 || !outputs[0].mutable_raw_data()) outputs[0] = outputs[0].clone();
      auto y = outputs[0].mutable_data<float>();
      step.clamp->apply(y.data(), 1, static_cast<int64_t>(y.size()), 0);
    }
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      int s = step.outputs[i];
      if (s < 0) continue;
      if (outputs[i].dtype() == DType::kUndefined)
        return make_error(ErrorCode::kInternal, "kernel for " + step.node->describe() + " did not produce output " +
                                                    std::to_string(i));
      m.slots[s] = std::move(outputs[i]);
      if (m.observer) m.observer(*m.slot_value[s], m.slots[s]);
    }
    for (int s : step.release) m.slots[s] = Tensor();
  }

  outputs.clear();
  std::map<std::string, Tensor> result;
  for (size_t i = 0; i < m.output_slots.size(); ++i) result[m.graph.outputs()[i]->name()] = m.slots[m.output_slots[i]];
  scope.completed = true;
  return result;
}

}  // namespace nnc
