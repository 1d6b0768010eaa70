// nnc frontend_onnx: graph conversion: GraphProto -> nnc::Graph (values, nodes, attributes, subgraphs).
#include <memory>
#include <unordered_set>

#include "nnc/suggest.h"
#include "onnx_import_detail.h"

namespace nnc::onnx_frontend::detail {
namespace {

/// Shape that combines what is known (`have`) with a declaration; static dims win over symbolic
/// ones, symbolic over unknown. A declaration of another rank replaces `have`.
Shape merge_shape(const Shape& have, const Shape& declared) {
  if (!declared.has_rank()) return have;
  if (!have.has_rank() || have.rank() != declared.rank()) return declared;
  std::vector<Dim> dims = have.dims();
  for (size_t i = 0; i < dims.size(); ++i) {
    const Dim& d = declared[i];
    if (d.is_static() || (d.is_symbolic() && !dims[i].is_static())) dims[i] = d;
  }
  return Shape(std::move(dims));
}

/// Applies a declared (value_info / output) type to an existing value. Constants keep their own.
void apply_declared_type(Value* v, const ValueType& vt, const std::string& doc) {
  if (!doc.empty() && v->doc().empty()) v->set_doc(doc);
  if (v->is_constant() || !vt.is_tensor) return;
  if (vt.dtype && *vt.dtype != DType::kUndefined && v->dtype() == DType::kUndefined) v->set_dtype(*vt.dtype);
  v->set_shape(merge_shape(v->shape(), vt.shape));
}

std::string definition_of(const Value* v) {
  if (v->producer()) return "an output of " + v->producer()->describe();
  if (v->is_constant()) return "an initializer";
  return "a graph input";
}

std::string attribute_type_name(int type) {
  if (!onnx::AttributeProto_AttributeType_IsValid(type)) return "unknown (" + std::to_string(type) + ")";
  return onnx::AttributeProto_AttributeType_Name(static_cast<onnx::AttributeProto_AttributeType>(type));
}

/// Type of an attribute written without `type` (IR version 1 files): whichever field is set.
int infer_attribute_type(const onnx::AttributeProto& ap) {
  if (ap.has_f()) return onnx::AttributeProto::FLOAT;
  if (ap.has_i()) return onnx::AttributeProto::INT;
  if (ap.has_s()) return onnx::AttributeProto::STRING;
  if (ap.has_t()) return onnx::AttributeProto::TENSOR;
  if (ap.has_g()) return onnx::AttributeProto::GRAPH;
  if (ap.floats_size()) return onnx::AttributeProto::FLOATS;
  if (ap.ints_size()) return onnx::AttributeProto::INTS;
  if (ap.strings_size()) return onnx::AttributeProto::STRINGS;
  return onnx::AttributeProto::UNDEFINED;
}

/// Finds `name` in `g` or, for subgraphs, in an enclosing graph; an outer value gets a reference
/// value of the same name in `g` (no producer, not a graph input) so node inputs stay graph-local.
Value* resolve(Graph& g, const Scope* outer, const std::string& name) {
  if (Value* v = g.find_value(name)) return v;
  for (const Scope* s = outer; s; s = s->parent) {
    if (Value* ov = s->graph->find_value(name)) return g.add_value(name, ov->dtype(), ov->shape());
  }
  return nullptr;
}

/// ONNX spelling of a value type: "tensor(float)", "seq(tensor(int64))", "optional(seq(tensor(float)))", "map(...)".
std::string type_text(const onnx::TypeProto& t) {
  switch (t.value_case()) {
    case onnx::TypeProto::kTensorType: return "tensor(" + onnx_type_name(t.tensor_type().elem_type()) + ")";
    case onnx::TypeProto::kSequenceType: return "seq(" + type_text(t.sequence_type().elem_type()) + ")";
    case onnx::TypeProto::kOptionalType: return "optional(" + type_text(t.optional_type().elem_type()) + ")";
    case onnx::TypeProto::kMapType:
      return "map(" + onnx_type_name(t.map_type().key_type()) + ", " + type_text(t.map_type().value_type()) + ")";
    case onnx::TypeProto::kSparseTensorType:
      return "sparse_tensor(" + onnx_type_name(t.sparse_tensor_type().elem_type()) + ")";
    default: return "an unknown type";
  }
}

/// kUnsupported for a graph input/output whose declared type is not a tensor (nnc's IR holds tensors only).
Status non_tensor_error(const std::string& role, const std::string& name, const std::string& where,
                        const onnx::TypeProto& type, const ImportContext& ctx) {
  return make_error(ErrorCode::kUnsupported,
                    role + " '" + name + "' of " + where + " in '" + ctx.file + "' has type " + type_text(type) +
                        "; nnc's IR holds tensors only (no sequence, map or optional values)",
                    ctx.at(name), "rewrite the model so that this value is a tensor (e.g. concatenate the sequence)");
}

std::vector<std::string> value_names(const Graph& g) {
  std::vector<std::string> names;
  for (const Value* v : g.values()) names.push_back(v->name());
  return names;
}

}  // namespace

Expected<Attribute> attribute_from_onnx(onnx::AttributeProto& ap, const ImportContext& ctx, const Scope& scope,
                                        const std::string& owner) {
  const std::string what = "attribute '" + ap.name() + "' of " + owner;
  const int type = ap.type() == onnx::AttributeProto::UNDEFINED ? infer_attribute_type(ap) : ap.type();
  switch (type) {
    case onnx::AttributeProto::FLOAT: return Attribute(static_cast<double>(ap.f()));
    case onnx::AttributeProto::INT: return Attribute(static_cast<int64_t>(ap.i()));
    case onnx::AttributeProto::STRING: return Attribute(std::string(ap.s()));
    case onnx::AttributeProto::FLOATS: return Attribute(std::vector<double>(ap.floats().begin(), ap.floats().end()));
    case onnx::AttributeProto::INTS: return Attribute(std::vector<int64_t>(ap.ints().begin(), ap.ints().end()));
    case onnx::AttributeProto::STRINGS:
      return Attribute(std::vector<std::string>(ap.strings().begin(), ap.strings().end()));
    case onnx::AttributeProto::TENSOR: {
      auto t = tensor_from_onnx(*ap.mutable_t(), ctx, "the tensor of " + what);
      if (!t) return t.error();
      return Attribute(std::move(t).value());
    }
    case onnx::AttributeProto::GRAPH: {
      auto sub = std::make_shared<Graph>();
      NNC_RETURN_IF_ERROR(import_graph(*ap.mutable_g(), *sub, ctx, &scope));
      return Attribute(std::move(sub));
    }
    case onnx::AttributeProto::UNDEFINED:
      return make_error(ErrorCode::kParseError, what + " in '" + ctx.file + "' has no type and no value",
                        ctx.at(owner), "re-export the model");
    default:
      return make_error(ErrorCode::kUnsupported,
                        what + " in '" + ctx.file + "' is of kind " + attribute_type_name(type) +
                            ", which nnc does not support",
                        ctx.at(owner));
  }
}

Status import_graph(onnx::GraphProto& gp, Graph& g, const ImportContext& ctx, const Scope* outer) {
  g.set_name(gp.name());
  const std::string where = std::string(outer ? "subgraph '" : "graph '") + gp.name() + "'";
  auto parse_error = [&](std::string message, std::string object = {}, std::string hint = "re-export the model") {
    return make_error(ErrorCode::kParseError, std::move(message) + " (in " + where + " of '" + ctx.file + "')",
                      ctx.at(std::move(object)), std::move(hint));
  };

  if (gp.sparse_initializer_size() > 0) {
    return make_error(ErrorCode::kUnsupported,
                      where + " of '" + ctx.file + "' has sparse initializers, which nnc does not support",
                      ctx.at(gp.sparse_initializer(0).values().name()), "densify the initializers before exporting");
  }
  for (int i = 0; i < gp.initializer_size(); ++i) {
    onnx::TensorProto& tp = *gp.mutable_initializer(i);
    const std::string name = tp.name();
    if (name.empty()) return parse_error("initializer #" + std::to_string(i) + " has no name");
    if (g.find_value(name)) return parse_error("initializer '" + name + "' is defined twice", name);
    auto t = tensor_from_onnx(tp, ctx, "initializer '" + name + "'");
    if (!t) return t.error();
    Value* v = g.add_constant(name, std::move(t).value());
    if (!tp.doc_string().empty()) v->set_doc(tp.doc_string());
  }

  for (const auto& vi : gp.input()) {
    const std::string& name = vi.name();
    if (name.empty()) return parse_error("a graph input has no name");
    if (Value* existing = g.find_value(name)) {
      if (existing->is_constant()) continue;  // IR < 4: initializers are listed as inputs too
      return parse_error("graph input '" + name + "' is listed twice", name);
    }
    const ValueType vt = value_type_from_onnx(vi.type());
    if (vi.has_type() && !vt.is_tensor) return non_tensor_error("input", name, where, vi.type(), ctx);
    if (vt.is_tensor && !vt.dtype) {
      return make_error(ErrorCode::kUnsupported,
                        "input '" + name + "' of " + where + " in '" + ctx.file + "' has element type " +
                            onnx_type_name(vt.elem_type) + ", which nnc does not support",
                        ctx.at(name), "change the model input to a supported type (e.g. FLOAT, INT64, UINT8)");
    }
    Value* v = g.add_value(name, vt.dtype.value_or(DType::kUndefined), vt.shape);
    if (!vi.doc_string().empty()) v->set_doc(vi.doc_string());
    g.add_input(v);
  }

  // Pass 1: every node and its outputs, so that pass 2 can connect inputs in any order.
  std::vector<Node*> nodes;
  nodes.reserve(static_cast<size_t>(gp.node_size()));
  std::unordered_set<std::string> node_names;
  for (int i = 0; i < gp.node_size(); ++i) {
    const onnx::NodeProto& np = gp.node(i);
    if (np.op_type().empty()) return parse_error("node #" + std::to_string(i) + " ('" + np.name() + "') has no op_type");
    const std::string domain = np.domain() == "ai.onnx" ? std::string() : np.domain();
    std::string name = np.name().empty() ? np.op_type() + "_" + std::to_string(i) : np.name();
    if (node_names.count(name)) {
      int k = 1;
      while (node_names.count(name + "_" + std::to_string(k))) ++k;
      name += "_" + std::to_string(k);
    }
    node_names.insert(name);
    int last = np.output_size() - 1;  // trailing omitted optional outputs are dropped
    while (last >= 0 && np.output(last).empty()) --last;
    std::vector<std::string> outs;
    std::unordered_set<std::string> seen;
    for (int j = 0; j <= last; ++j) {
      std::string out = np.output(j);
      if (out.empty()) {  // omitted optional output: a null output slot
        outs.emplace_back();
        continue;
      }
      if (const Value* existing = g.find_value(out)) {
        return parse_error("value '" + out + "' is defined twice: as output " + std::to_string(j) + " of node '" +
                               name + "' (" + np.op_type() + ") and as " + definition_of(existing),
                           out);
      }
      if (!seen.insert(out).second) {
        return parse_error("node '" + name + "' (" + np.op_type() + ") lists output '" + out + "' twice", name);
      }
      outs.push_back(std::move(out));
    }
    Node* n = g.add_node(np.op_type(), {}, outs, name, domain);
    for (size_t j = 0; j < outs.size(); ++j) {
      if (!outs[j].empty() && (!n->output(j) || n->output(j)->name() != outs[j])) {
        return make_error(ErrorCode::kInternal, "Graph::add_node renamed output '" + outs[j] + "' of " + n->describe(),
                          ctx.at(name));
      }
    }
    nodes.push_back(n);
  }

  // Declared types first, so that the subgraph values standing for outer-scope values copy them.
  for (const auto& vi : gp.value_info()) {
    if (Value* v = g.find_value(vi.name())) apply_declared_type(v, value_type_from_onnx(vi.type()), vi.doc_string());
  }

  // Pass 2: inputs and attributes (subgraphs see every value of this graph by now).
  const Scope scope{&g, outer};
  for (int i = 0; i < gp.node_size(); ++i) {
    onnx::NodeProto& np = *gp.mutable_node(i);
    Node* n = nodes[static_cast<size_t>(i)];
    for (int k = 0; k < np.input_size(); ++k) {
      const std::string& in = np.input(k);
      if (in.empty()) {
        n->add_input(nullptr);
        continue;
      }
      Value* v = resolve(g, outer, in);
      if (!v) {
        return parse_error(n->describe() + " input " + std::to_string(k) + " refers to undefined value '" + in + "'" +
                               did_you_mean(in, value_names(g)),
                           n->describe(), "re-export the model; every input must be a graph input, an initializer "
                                          "or another node's output");
      }
      n->add_input(v);
    }
    for (auto& ap : *np.mutable_attribute()) {
      if (ap.name().empty()) return parse_error(n->describe() + " has an attribute without a name", n->describe());
      auto a = attribute_from_onnx(ap, ctx, scope, n->describe());
      if (!a) return a.error();
      n->set_attribute(ap.name(), std::move(a).value());
    }
  }

  for (const auto& vo : gp.output()) {
    if (vo.name().empty()) return parse_error("a graph output has no name");
    Value* v = resolve(g, outer, vo.name());
    if (!v) {
      return parse_error("graph output '" + vo.name() + "' is not produced by any node, input or initializer" +
                             did_you_mean(vo.name(), value_names(g)),
                         vo.name());
    }
    const ValueType vt = value_type_from_onnx(vo.type());
    if (vo.has_type() && vo.type().value_case() != onnx::TypeProto::VALUE_NOT_SET && !vt.is_tensor)
      return non_tensor_error("output", vo.name(), where, vo.type(), ctx);
    if (outer == nullptr && vt.is_tensor && !vt.dtype) {
      return make_error(ErrorCode::kUnsupported,
                        "output '" + vo.name() + "' of '" + ctx.file + "' has element type " +
                            onnx_type_name(vt.elem_type) + ", which nnc does not support",
                        ctx.at(vo.name()));
    }
    apply_declared_type(v, vt, vo.doc_string());
    g.add_output(v);
  }
  return Status::ok();
}

}  // namespace nnc::onnx_frontend::detail
