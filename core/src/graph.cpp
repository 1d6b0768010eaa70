// nnc core: Graph, Node and Value: ownership, naming, use-def maintenance, cloning.
#include "nnc/graph.h"

#include <algorithm>

namespace nnc {

void Value::set_constant(Tensor t) {
  dtype_ = t.dtype();
  shape_ = Shape::of(t.shape());
  constant_ = std::move(t);
}

// ---------------------------------------------------------------------------------------------
// Node

void Node::set_input(size_t i, Value* v) {
  if (i >= inputs_.size()) inputs_.resize(i + 1, nullptr);
  Value* old = inputs_[i];
  if (old) {
    auto& uses = old->uses_;
    auto it = std::find(uses.begin(), uses.end(), Use{this, i});
    if (it != uses.end()) uses.erase(it);
  }
  inputs_[i] = v;
  if (v) v->uses_.push_back(Use{this, i});
}

void Node::clear_inputs() {
  for (size_t i = 0; i < inputs_.size(); ++i) set_input(i, nullptr);
  inputs_.clear();
}

const Attribute* Node::attribute(const std::string& name) const {
  auto it = attributes_.find(name);
  return it == attributes_.end() ? nullptr : &it->second;
}

int64_t Node::int_attribute(const std::string& name, int64_t fallback) const {
  const Attribute* a = attribute(name);
  return a && a->holds<int64_t>() ? a->get<int64_t>() : fallback;
}

double Node::float_attribute(const std::string& name, double fallback) const {
  const Attribute* a = attribute(name);
  if (a && a->holds<double>()) return a->get<double>();
  if (a && a->holds<int64_t>()) return static_cast<double>(a->get<int64_t>());
  return fallback;
}

std::string Node::string_attribute(const std::string& name, const std::string& fallback) const {
  const Attribute* a = attribute(name);
  return a && a->holds<std::string>() ? a->get<std::string>() : fallback;
}

std::vector<int64_t> Node::ints_attribute(const std::string& name) const {
  const Attribute* a = attribute(name);
  return a && a->holds<std::vector<int64_t>>() ? a->get<std::vector<int64_t>>() : std::vector<int64_t>{};
}

std::string Node::describe() const {
  std::string op = domain_.empty() ? op_type_ : domain_ + "." + op_type_;
  return "node '" + name_ + "' (" + op + ")";
}

// ---------------------------------------------------------------------------------------------
// Graph

Graph::Graph(Graph&& other) noexcept { *this = std::move(other); }

Graph& Graph::operator=(Graph&& other) noexcept {
  if (this == &other) return *this;
  name_ = std::move(other.name_);
  nodes_ = std::move(other.nodes_);
  values_ = std::move(other.values_);
  value_by_name_ = std::move(other.value_by_name_);
  node_name_counts_ = std::move(other.node_name_counts_);
  inputs_ = std::move(other.inputs_);
  outputs_ = std::move(other.outputs_);
  opsets_ = std::move(other.opsets_);
  metadata_ = std::move(other.metadata_);
  for (auto& n : nodes_) n->graph_ = this;
  return *this;
}

Graph::~Graph() = default;

std::string Graph::unique_value_name(const std::string& base) const {
  std::string stem = base.empty() ? "v" : base;
  if (!value_by_name_.count(stem)) return stem;
  for (int i = 1;; ++i) {
    std::string candidate = stem + "_" + std::to_string(i);
    if (!value_by_name_.count(candidate)) return candidate;
  }
}

Value* Graph::add_value(const std::string& name, DType dtype, Shape shape) {
  std::string unique = unique_value_name(name);
  values_.push_back(std::unique_ptr<Value>(new Value(unique)));
  Value* v = values_.back().get();
  v->dtype_ = dtype;
  v->shape_ = std::move(shape);
  value_by_name_[unique] = v;
  return v;
}

Value* Graph::add_constant(const std::string& name, Tensor tensor) {
  Value* v = add_value(name);
  v->set_constant(std::move(tensor));
  return v;
}

Value* Graph::find_value(const std::string& name) const {
  auto it = value_by_name_.find(name);
  return it == value_by_name_.end() ? nullptr : it->second;
}

Status Graph::erase_value(Value* v) {
  if (!v) return Status::ok();
  if (v->producer_ || !v->uses_.empty() || is_graph_input(v) || is_graph_output(v)) {
    return make_error(ErrorCode::kInternal, "cannot erase value '" + v->name() + "': it is still produced or used");
  }
  value_by_name_.erase(v->name());
  values_.remove_if([v](const std::unique_ptr<Value>& p) { return p.get() == v; });
  return Status::ok();
}

std::vector<Value*> Graph::values() const {
  std::vector<Value*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v.get());
  return out;
}

std::string Graph::unique_node_name(const std::string& base) const {
  std::string stem = base.empty() ? "node" : base;
  if (!find_node(stem)) return stem;
  for (int i = 1;; ++i) {
    std::string candidate = stem + "_" + std::to_string(i);
    if (!find_node(candidate)) return candidate;
  }
}

Node* Graph::add_node(const std::string& op_type, const std::vector<Value*>& inputs,
                      const std::vector<std::string>& output_names, const std::string& name,
                      const std::string& domain) {
  nodes_.push_back(std::unique_ptr<Node>(new Node()));
  Node* n = nodes_.back().get();
  n->graph_ = this;
  n->op_type_ = op_type;
  n->domain_ = domain;
  if (name.empty()) {
    int& count = node_name_counts_[op_type];
    n->name_ = op_type + "_" + std::to_string(count++);
    while (std::count_if(nodes_.begin(), nodes_.end(), [&](const auto& o) { return o->name_ == n->name_; }) > 1)
      n->name_ = op_type + "_" + std::to_string(count++);
  } else {
    n->name_ = name;
  }
  for (Value* in : inputs) n->add_input(in);
  for (size_t i = 0; i < output_names.size(); ++i) {
    Value* out = nullptr;
    if (!output_names[i].empty()) {
      Value* existing = find_value(output_names[i]);
      out = (existing && !existing->producer_ && !existing->is_constant()) ? existing : add_value(output_names[i]);
    }
    if (out) {
      out->producer_ = n;
      out->producer_index_ = i;
    }
    n->outputs_.push_back(out);
  }
  return n;
}

void Graph::erase_node(Node* n) {
  if (!n) return;
  n->clear_inputs();
  for (Value* out : n->outputs_)
    if (out && out->producer_ == n) out->producer_ = nullptr;
  nodes_.remove_if([n](const std::unique_ptr<Node>& p) { return p.get() == n; });
}

std::vector<Node*> Graph::nodes() const {
  std::vector<Node*> out;
  out.reserve(nodes_.size());
  for (const auto& n : nodes_) out.push_back(n.get());
  return out;
}

Node* Graph::find_node(const std::string& name) const {
  for (const auto& n : nodes_)
    if (n->name_ == name) return n.get();
  return nullptr;
}

bool Graph::is_graph_input(const Value* v) const noexcept {
  return std::find(inputs_.begin(), inputs_.end(), v) != inputs_.end();
}

bool Graph::is_graph_output(const Value* v) const noexcept {
  return std::find(outputs_.begin(), outputs_.end(), v) != outputs_.end();
}

void Graph::replace_all_uses(Value* from, Value* to) {
  if (from == to) return;
  std::vector<Use> uses = from->uses_;
  for (const Use& u : uses) u.node->set_input(u.input_index, to);
  for (Value*& out : outputs_)
    if (out == from) out = to;
}

int64_t Graph::parameter_count() const noexcept {
  int64_t total = 0;
  for (const auto& v : values_)
    if (v->constant_) total += v->constant_->element_count();
  return total;
}

Graph Graph::clone() const {
  Graph copy(name_);
  copy.opsets_ = opsets_;
  copy.metadata_ = metadata_;
  std::unordered_map<const Value*, Value*> map;
  for (const auto& v : values_) {
    Value* nv = copy.add_value(v->name_, v->dtype_, v->shape_);
    nv->constant_ = v->constant_;
    nv->doc_ = v->doc_;
    nv->quant_ = v->quant_;
    map[v.get()] = nv;
  }
  for (const auto& n : nodes_) {
    copy.nodes_.push_back(std::unique_ptr<Node>(new Node()));
    Node* nn = copy.nodes_.back().get();
    nn->graph_ = &copy;
    nn->name_ = n->name_;
    nn->op_type_ = n->op_type_;
    nn->domain_ = n->domain_;
    nn->attributes_ = n->attributes_;
    for (Value* in : n->inputs_) nn->add_input(in ? map.at(in) : nullptr);
    for (size_t i = 0; i < n->outputs_.size(); ++i) {
      Value* out = n->outputs_[i] ? map.at(n->outputs_[i]) : nullptr;
      if (out) {
        out->producer_ = nn;
        out->producer_index_ = i;
      }
      nn->outputs_.push_back(out);
    }
  }
  copy.node_name_counts_ = node_name_counts_;
  for (Value* v : inputs_) copy.inputs_.push_back(map.at(v));
  for (Value* v : outputs_) copy.outputs_.push_back(map.at(v));
  return copy;
}

}  // namespace nnc
