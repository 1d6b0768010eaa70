// nnc core: cancel_inverse_transposes: constant folding, merging and sinking of Transpose nodes.
#include "nnc/layout_rewrite.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <optional>
#include <set>

namespace nnc {
namespace {

std::vector<int64_t> perm_of(const Node& t, int64_t rank) {
  std::vector<int64_t> p = t.ints_attribute("perm");
  if (p.empty()) {  // ONNX default: reverse the axes
    p.resize(static_cast<size_t>(rank));
    std::iota(p.rbegin(), p.rend(), 0);
  }
  return p;
}

bool is_identity(const std::vector<int64_t>& p) {
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] != static_cast<int64_t>(i)) return false;
  return true;
}

/// Input rank of a Transpose (from its input's shape or its perm attribute); -1 when unknown.
int64_t transpose_rank(const Node& t) {
  if (!t.ints_attribute("perm").empty()) return static_cast<int64_t>(t.ints_attribute("perm").size());
  const Value* x = t.input(0);
  return x && x->shape().has_rank() ? static_cast<int64_t>(x->shape().rank()) : -1;
}

Tensor permuted(const Tensor& in, const std::vector<int64_t>& perm) {
  const int64_t rank = static_cast<int64_t>(perm.size());
  std::vector<int64_t> out_shape(perm.size());
  for (int64_t i = 0; i < rank; ++i) out_shape[i] = in.shape()[perm[i]];
  Tensor out(in.dtype(), out_shape);
  const int64_t n = in.element_count();
  if (n == 0) return out;
  const size_t elem = in.storage_bytes() / static_cast<size_t>(n);
  std::vector<int64_t> in_strides(perm.size(), 1);
  for (int64_t d = rank - 2; d >= 0; --d) in_strides[d] = in_strides[d + 1] * in.shape()[d + 1];
  std::vector<int64_t> idx(perm.size(), 0);
  const std::byte* src = in.raw_data();
  std::byte* dst = out.mutable_raw_data();
  for (int64_t o = 0; o < n; ++o) {
    int64_t off = 0;
    for (int64_t d = 0; d < rank; ++d) off += idx[d] * in_strides[perm[d]];
    std::memcpy(dst + o * elem, src + off * elem, elem);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++idx[d] < out_shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

Shape permuted_shape(const Shape& s, const std::vector<int64_t>& perm) {
  if (!s.has_rank() || s.rank() != perm.size()) return Shape{};
  std::vector<Dim> dims;
  for (int64_t p : perm) dims.push_back(s.dims()[p]);
  return Shape(dims);
}

std::vector<int64_t> inverse(const std::vector<int64_t>& p) {
  std::vector<int64_t> inv(p.size());
  for (size_t i = 0; i < p.size(); ++i) inv[p[i]] = static_cast<int64_t>(i);
  return inv;
}

bool is_unary_elementwise(const Node& n) {
  static const std::set<std::string> kOps = {
      "Relu", "Sigmoid", "Tanh", "LeakyRelu", "Elu", "Selu", "Exp", "Log", "Abs", "Neg", "Sqrt", "Reciprocal",
      "HardSigmoid", "HardSwish", "Softplus", "Softsign", "Identity", "Cast", "Erf", "Floor", "Ceil", "Round",
      "Sign", "Clip", "Celu", "ThresholdedRelu", "Not", "IsNaN", "Gelu", "Mish", "Sin", "Cos"};
  return n.domain().empty() && kOps.count(n.op_type());
}

bool is_qdq(const Node& n) {
  return n.domain().empty() && (n.op_type() == "QuantizeLinear" || n.op_type() == "DequantizeLinear");
}

bool is_binary_elementwise(const Node& n) {
  static const std::set<std::string> kOps = {"Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "PRelu"};
  return n.domain().empty() && kOps.count(n.op_type()) && n.inputs().size() == 2;
}

bool only_scalar_constants_after_first(const Node& n) {
  for (size_t i = 1; i < n.inputs().size(); ++i) {
    const Value* v = n.input(i);
    if (v && (!v->is_constant() || v->constant()->element_count() != 1)) return false;
  }
  return true;
}

class TransposeSimplifier {
 public:
  explicit TransposeSimplifier(Graph& g) : g_(g) {}

  Expected<int> run() {
    // One rewrite per scan: node pointers are not reused across a rewrite that erased nodes.
    // Every rewrite removes a Transpose or moves one towards the outputs, so this terminates.
    const size_t limit = 16 * (g_.node_count() + 16);
    for (size_t steps = 0; steps < limit; ++steps) {
      bool changed = false;
      for (Node* n : g_.nodes()) {
        if (n->op_type() != "Transpose" || !n->domain().empty()) continue;
        if (fold_constant(n) || drop_identity(n) || merge_with_producer(n) || sink(n)) {
          changed = true;
          break;
        }
      }
      if (!changed) return removed_;
    }
    return make_error(ErrorCode::kInternal, "Transpose simplification did not converge");
  }

 private:
  void erase(Node* n) {
    std::vector<Value*> outs = n->outputs();
    g_.erase_node(n);
    for (Value* v : outs)
      if (v && v->uses().empty() && !g_.is_graph_output(v)) (void)g_.erase_value(v);
  }

  /// Replaces every use of `from` by `to` unless `from` is a graph output (whose name must stay).
  bool reroute(Value* from, Value* to) {
    if (g_.is_graph_output(from)) return false;
    g_.replace_all_uses(from, to);
    return true;
  }

  void erase_if_unused(Node* n) {
    if (!n) return;
    for (Value* v : n->outputs())
      if (v && (!v->uses().empty() || g_.is_graph_output(v))) return;
    erase(n);
    ++removed_;
  }

  bool fold_constant(Node* t) {
    Value* x = t->input(0);
    Value* y = t->output(0);
    if (!x || !x->is_constant() || g_.is_graph_output(y)) return false;
    int64_t rank = x->constant()->rank();
    std::vector<int64_t> p = perm_of(*t, rank);
    if (static_cast<int64_t>(p.size()) != rank) return false;
    Value* c = g_.add_constant(g_.unique_value_name(y->name() + "_folded"), permuted(*x->constant(), p));
    g_.replace_all_uses(y, c);
    erase_if_unused(t);
    if (x->uses().empty() && !g_.is_graph_input(x) && !g_.is_graph_output(x)) (void)g_.erase_value(x);
    return true;
  }

  bool drop_identity(Node* t) {
    int64_t rank = transpose_rank(*t);
    if (rank < 0 || !is_identity(perm_of(*t, rank))) return false;
    if (!reroute(t->output(0), t->input(0))) return false;
    erase_if_unused(t);
    return true;
  }

  bool merge_with_producer(Node* t) {
    Node* inner = t->input(0) ? t->input(0)->producer() : nullptr;
    if (!inner || inner->op_type() != "Transpose" || !inner->domain().empty()) return false;
    int64_t rank = transpose_rank(*inner);
    if (rank < 0) return false;
    std::vector<int64_t> p1 = perm_of(*inner, rank), p2 = perm_of(*t, rank);
    if (p1.size() != p2.size()) return false;
    std::vector<int64_t> composed(p2.size());
    for (size_t i = 0; i < p2.size(); ++i) composed[i] = p1[p2[i]];
    Value* x = inner->input(0);
    if (is_identity(composed)) {
      if (!reroute(t->output(0), x)) return false;
      erase_if_unused(t);
    } else {
      t->set_input(0, x);
      t->set_attribute("perm", composed);
    }
    erase_if_unused(inner);
    return true;
  }

  /// Moves `t` after the single elementwise op reading it.
  bool sink(Node* t) {
    Value* x = t->input(0);
    Value* y = t->output(0);
    if (!x || y->uses().size() != 1 || g_.is_graph_output(y)) return false;
    Node* op = y->uses()[0].node;
    const size_t slot = y->uses()[0].input_index;
    int64_t rank = transpose_rank(*t);
    if (rank < 0 || op->outputs().size() != 1) return false;
    std::vector<int64_t> p = perm_of(*t, rank);
    std::vector<std::pair<size_t, Value*>> new_inputs;  // replaced operands
    std::optional<int64_t> new_axis;
    if (is_unary_elementwise(*op) && slot == 0 && only_scalar_constants_after_first(*op)) {
      // nothing else to adapt
    } else if (is_qdq(*op) && slot == 0) {
      const Value* scale = op->input(1);
      if (!scale || !scale->is_constant()) return false;
      if (scale->constant()->element_count() != 1 || scale->constant()->rank() == 1) {
        int64_t axis = op->int_attribute("axis", 1);
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank) return false;
        new_axis = p[axis];
      }
    } else if (is_binary_elementwise(*op)) {
      const size_t other = 1 - slot;
      Value* c = op->input(other);
      if (!c || !c->is_constant() || c->constant()->rank() > rank) return false;
      if (op->op_type() == "PRelu" && slot != 0) return false;
      // Broadcast the constant to rank `rank` (leading 1s), then apply the inverse permutation.
      std::vector<int64_t> dims(static_cast<size_t>(rank - c->constant()->rank()), 1);
      for (int64_t d : c->constant()->shape()) dims.push_back(d);
      auto reshaped = c->constant()->reshaped(dims);
      if (!reshaped) return false;
      new_inputs.emplace_back(other, g_.add_constant(g_.unique_value_name(c->name() + "_perm"),
                                                     permuted(*reshaped, inverse(p))));
    } else {
      return false;
    }
    // op(T(x), ...) -> T(op(x, ...)): the op now reads x and writes a fresh value; the Transpose
    // produces the op's former output (same name, shape and uses).
    Value* out = op->output(0);
    const std::string op_type = op->op_type(), op_name = op->name(), out_name = out->name(), t_name = t->name();
    std::vector<Value*> inputs = op->inputs();
    inputs[slot] = x;
    for (auto& [i, v] : new_inputs) inputs[i] = v;
    auto attrs = op->attributes();
    const DType out_dtype = out->dtype();
    const Shape out_shape = out->shape();
    std::vector<Value*> old_constants;
    for (auto& [i, v] : new_inputs) old_constants.push_back(op->input(i));
    g_.erase_node(op);
    Value* inner_out = g_.add_value(g_.unique_value_name(out_name + "_pre_transpose"), out_dtype,
                                    permuted_shape(out_shape, inverse(p)));
    Node* moved = g_.add_node(op_type, inputs, {inner_out->name()}, op_name);
    for (const auto& [k, a] : attrs) moved->set_attribute(k, a);
    if (new_axis) moved->set_attribute("axis", *new_axis);
    g_.erase_node(t);
    (void)g_.erase_value(y);
    Node* nt = g_.add_node("Transpose", {inner_out}, {out_name}, t_name);
    nt->set_attribute("perm", p);
    for (Value* c : old_constants)
      if (c->uses().empty() && !g_.is_graph_input(c) && !g_.is_graph_output(c)) (void)g_.erase_value(c);
    return true;
  }

  Graph& g_;
  int removed_ = 0;
};

}  // namespace

Expected<int> cancel_inverse_transposes(Graph& graph) { return TransposeSimplifier(graph).run(); }

}  // namespace nnc
