// nnc core: runs a control-flow node's subgraph (If branch, Loop/Scan body) with bound values.
#include "exec/subgraph_runner.h"

#include <exception>

#include "nnc/graph_algorithms.h"

namespace nnc::exec {

Expected<OuterValues> outer_values_of(const KernelArgs& args) {
  const std::vector<std::string> names = implicit_input_names(args.node);
  const size_t own = args.node.inputs().size();
  if (args.inputs.size() != own + names.size())
    return make_error(ErrorCode::kInternal,
                      "the executor passed " + std::to_string(args.inputs.size() - std::min(own, args.inputs.size())) +
                          " outer-scope value(s) to a node whose subgraphs read " + std::to_string(names.size()),
                      Location{"", 0, 0, args.node.describe()});
  OuterValues outer;
  for (size_t i = 0; i < names.size(); ++i) outer[names[i]] = args.inputs[own + i];
  return outer;
}

int SubgraphRunner::slot_for_outer(const std::string& name) {
  auto [it, inserted] = outer_slot_.emplace(name, static_cast<int>(slot_count_));
  if (inserted) {
    ++slot_count_;
    constants_.emplace_back();
  }
  return it->second;
}

int SubgraphRunner::slot_for(const Value* v) {
  if (!v->producer() && !v->is_constant() && !graph_->is_graph_input(v)) return slot_for_outer(v->name());
  auto [it, inserted] = slot_of_.emplace(v, static_cast<int>(slot_count_));
  if (inserted) {
    ++slot_count_;
    constants_.push_back(v->is_constant() ? *v->constant() : Tensor());
  }
  return it->second;
}

Expected<SubgraphRunner> SubgraphRunner::create(const KernelArgs& args, const char* attr) {
  SubgraphRunner r;
  r.where_ = std::string(attr) + " of " + args.node.describe();
  const Attribute* a = args.node.attribute(attr);
  if (!a || a->kind() != AttributeKind::kGraph || !a->get<std::shared_ptr<Graph>>())
    return args.error(std::string("missing graph attribute '") + attr + "'");
  r.graph_ = a->get<std::shared_ptr<Graph>>().get();
  const Graph& body = *r.graph_;
  auto order = topological_order(body);
  if (!order) return order.error().with_context("in " + r.where_);

  for (const Value* v : body.inputs()) r.input_slots_.push_back(r.slot_for(v));
  std::map<int, size_t> last_reader;
  for (const Node* n : *order) {
    const KernelEntry* kernel = find_kernel(n->domain(), n->op_type());
    if (!kernel)
      return make_error(ErrorCode::kUnsupported,
                        "in " + r.where_ + ": op " + n->op_type() + " is not in the reference executor's op table",
                        Location{"", 0, 0, n->describe()}, "see `host explain ops` for the supported set");
    Step step{n, kernel, 0, {}, {}, {}};
    auto it = body.opsets().find(n->domain());
    step.opset = it != body.opsets().end() ? it->second : n->domain().empty() ? args.opset : 17;
    for (const Value* in : n->inputs()) step.inputs.push_back(in ? r.slot_for(in) : -1);
    for (const std::string& name : implicit_input_names(*n)) {
      const Value* v = body.find_value(name);
      step.inputs.push_back(v ? r.slot_for(v) : r.slot_for_outer(name));
    }
    for (int s : step.inputs)
      if (s >= 0) last_reader[s] = r.steps_.size();
    for (const Value* out : n->outputs()) step.outputs.push_back(out ? r.slot_for(out) : -1);
    r.steps_.push_back(std::move(step));
  }
  for (const Value* v : body.outputs()) r.output_slots_.push_back(r.slot_for(v));

  std::vector<bool> keep(r.slot_count_, false);
  for (int s : r.output_slots_) keep[s] = true;
  for (int s : r.input_slots_) keep[s] = true;
  for (const auto& [name, s] : r.outer_slot_) keep[s] = true;
  for (size_t s = 0; s < r.slot_count_; ++s)
    if (!r.constants_[s].empty()) keep[s] = true;
  for (auto [s, step] : last_reader)
    if (!keep[s]) r.steps_[step].release.push_back(s);
  return r;
}

Expected<std::vector<Tensor>> SubgraphRunner::run(const std::vector<Tensor>& inputs, const OuterValues& outer,
                                                  ThreadPool& pool) {
  const Graph& body = *graph_;
  if (inputs.size() != input_slots_.size())
    return make_error(ErrorCode::kInvalidArgument, where_ + " declares " + std::to_string(input_slots_.size()) +
                                                       " input(s) but is given " + std::to_string(inputs.size()));
  std::vector<Tensor> slots = constants_;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Value* v = body.inputs()[i];
    if (v->dtype() != DType::kUndefined && inputs[i].dtype() != v->dtype())
      return make_error(ErrorCode::kInvalidArgument, where_ + ": input '" + v->name() + "' is declared " +
                                                         dtype_name(v->dtype()) + " but receives " +
                                                         inputs[i].description());
    slots[input_slots_[i]] = inputs[i];
  }
  for (const auto& [name, s] : outer_slot_) {
    auto it = outer.find(name);
    if (it == outer.end() || !it->second)
      return make_error(ErrorCode::kInternal, where_ + " reads outer-scope value '" + name + "', which was not bound");
    slots[s] = *it->second;
  }

  std::vector<Tensor> outputs;
  for (const Step& step : steps_) {
    std::vector<const Tensor*> args_in;
    args_in.reserve(step.inputs.size());
    for (int s : step.inputs) {
      if (s >= 0 && slots[s].empty() && slots[s].dtype() == DType::kUndefined)
        return make_error(ErrorCode::kInternal, "in " + where_ + ": an input of " + step.node->describe() +
                                                    " was not computed");
      args_in.push_back(s >= 0 ? &slots[s] : nullptr);
    }
    outputs.assign(step.outputs.size(), Tensor());
    KernelArgs args{*step.node, step.opset, std::move(args_in), outputs, pool};
    Status status;
    try {
      status = step.kernel->fn(args);
    } catch (const std::exception& e) {
      status = make_error(ErrorCode::kInternal, std::string("kernel threw: ") + e.what());
    }
    if (!status.is_ok())
      return status.with_location(Location{"", 0, 0, step.node->describe()}).with_context("in " + where_);
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      int s = step.outputs[i];
      if (s < 0) continue;
      if (outputs[i].dtype() == DType::kUndefined)
        return make_error(ErrorCode::kInternal, "in " + where_ + ": kernel for " + step.node->describe() +
                                                    " did not produce output " + std::to_string(i));
      slots[s] = std::move(outputs[i]);
    }
    for (int s : step.release) slots[s] = Tensor();
  }

  std::vector<Tensor> result;
  result.reserve(output_slots_.size());
  for (size_t i = 0; i < output_slots_.size(); ++i) {
    const Tensor& t = slots[output_slots_[i]];
    if (t.dtype() == DType::kUndefined)
      return make_error(ErrorCode::kInternal, where_ + ": output '" + body.outputs()[i]->name() + "' was not computed");
    result.push_back(t);
  }
  return result;
}

}  // namespace nnc::exec
