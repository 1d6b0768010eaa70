// nnc core: text and JSON dumps of a graph (for -vv, `write.ir-text`, `write.ir-json`, tooling).
#include "nnc/dump.h"

#include <nlohmann/json.hpp>

#include "nnc/graph_algorithms.h"

namespace nnc {
namespace {

std::string value_ref(const Value* v) { return v ? "%" + v->name() : "<none>"; }

std::string value_decl(const Value* v) {
  return value_ref(v) + ": " + dtype_name(v->dtype()) + v->shape().str();
}

std::vector<Node*> dump_order(const Graph& g) {
  auto order = topological_order(g);
  return order ? *order : g.nodes();  // a cyclic graph is still dumped, in insertion order
}

nlohmann::ordered_json shape_json(const Shape& s) {
  if (!s.has_rank()) return nullptr;
  nlohmann::ordered_json dims = nlohmann::ordered_json::array();
  for (const Dim& d : s.dims()) {
    if (d.is_static()) dims.push_back(d.size());
    else if (d.is_symbolic()) dims.push_back(d.symbol());
    else dims.push_back(nullptr);
  }
  return dims;
}

nlohmann::ordered_json tensor_json(const Tensor& t, bool include_data) {
  nlohmann::ordered_json j;
  j["dtype"] = dtype_name(t.dtype());
  j["shape"] = t.shape();
  if (include_data) {
    nlohmann::ordered_json data = nlohmann::ordered_json::array();
    for (int64_t i = 0; i < t.element_count(); ++i) data.push_back(t.value_as_double(i));
    j["data"] = std::move(data);
  }
  return j;
}

nlohmann::ordered_json graph_json(const Graph& g, bool include_data);

nlohmann::ordered_json attribute_json(const Attribute& a, bool include_data) {
  nlohmann::ordered_json j;
  j["kind"] = attribute_kind_name(a.kind());
  switch (a.kind()) {
    case AttributeKind::kInt: j["value"] = a.get<int64_t>(); break;
    case AttributeKind::kFloat: j["value"] = a.get<double>(); break;
    case AttributeKind::kString: j["value"] = a.get<std::string>(); break;
    case AttributeKind::kInts: j["value"] = a.get<std::vector<int64_t>>(); break;
    case AttributeKind::kFloats: j["value"] = a.get<std::vector<double>>(); break;
    case AttributeKind::kStrings: j["value"] = a.get<std::vector<std::string>>(); break;
    case AttributeKind::kTensor: j["value"] = tensor_json(a.get<Tensor>(), include_data); break;
    case AttributeKind::kGraph: {
      const auto& sub = a.get<std::shared_ptr<Graph>>();
      j["value"] = sub ? graph_json(*sub, include_data) : nlohmann::ordered_json(nullptr);
      break;
    }
  }
  return j;
}

nlohmann::ordered_json graph_json(const Graph& g, bool include_data) {
  nlohmann::ordered_json j;
  j["name"] = g.name();
  j["opsets"] = g.opsets();
  j["metadata"] = g.metadata();
  auto names = [](const std::vector<Value*>& vs) {
    std::vector<std::string> out;
    for (const Value* v : vs) out.push_back(v->name());
    return out;
  };
  j["inputs"] = names(g.inputs());
  j["outputs"] = names(g.outputs());
  nlohmann::ordered_json values = nlohmann::ordered_json::array();
  for (const Value* v : g.values()) {
    nlohmann::ordered_json jv;
    jv["name"] = v->name();
    jv["dtype"] = dtype_name(v->dtype());
    jv["shape"] = shape_json(v->shape());
    if (v->constant()) jv["constant"] = tensor_json(*v->constant(), include_data);
    values.push_back(std::move(jv));
  }
  j["values"] = std::move(values);
  nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
  for (const Node* n : dump_order(g)) {
    nlohmann::ordered_json jn;
    jn["name"] = n->name();
    jn["op_type"] = n->op_type();
    if (!n->domain().empty()) jn["domain"] = n->domain();
    std::vector<nlohmann::ordered_json> ins, outs;
    for (const Value* v : n->inputs()) ins.push_back(v ? nlohmann::ordered_json(v->name()) : nlohmann::ordered_json(nullptr));
    for (const Value* v : n->outputs()) outs.push_back(v ? nlohmann::ordered_json(v->name()) : nlohmann::ordered_json(nullptr));
    jn["inputs"] = ins;
    jn["outputs"] = outs;
    nlohmann::ordered_json attrs = nlohmann::ordered_json::object();
    for (const auto& [k, a] : n->attributes()) attrs[k] = attribute_json(a, include_data);
    jn["attributes"] = std::move(attrs);
    nodes.push_back(std::move(jn));
  }
  j["nodes"] = std::move(nodes);
  return j;
}

void dump_text_into(const Graph& g, const std::string& indent, std::string& out) {
  out += indent + "graph \"" + g.name() + "\" (";
  for (size_t i = 0; i < g.inputs().size(); ++i) out += (i ? ", " : "") + value_decl(g.inputs()[i]);
  out += ") -> (";
  for (size_t i = 0; i < g.outputs().size(); ++i) out += (i ? ", " : "") + value_decl(g.outputs()[i]);
  out += ") {\n";
  for (const Value* v : g.values()) {
    if (!v->constant()) continue;
    out += indent + "  const " + value_decl(v) + "\n";
  }
  for (const Node* n : dump_order(g)) {
    out += indent + "  ";
    for (size_t i = 0; i < n->outputs().size(); ++i) {
      const Value* o = n->outputs()[i];
      out += (i ? ", " : "") + (o ? value_decl(o) : std::string("<none>"));
    }
    out += " = " + (n->domain().empty() ? "" : n->domain() + ".") + n->op_type() + "(";
    for (size_t i = 0; i < n->inputs().size(); ++i) out += (i ? ", " : "") + value_ref(n->inputs()[i]);
    out += ")";
    if (!n->attributes().empty()) {
      out += " {";
      bool first = true;
      for (const auto& [k, a] : n->attributes()) {
        out += (first ? "" : ", ") + k + " = " + a.str();
        first = false;
      }
      out += "}";
    }
    out += "  # " + n->name() + "\n";
    for (const auto& [k, a] : n->attributes())
      if (a.kind() == AttributeKind::kGraph && a.get<std::shared_ptr<Graph>>())
        dump_text_into(*a.get<std::shared_ptr<Graph>>(), indent + "    ", out);
  }
  out += indent + "}\n";
}

}  // namespace

std::string dump_text(const Graph& g) {
  std::string out;
  dump_text_into(g, "", out);
  return out;
}

std::string dump_json(const Graph& g, bool include_constant_data, int indent) {
  return graph_json(g, include_constant_data).dump(indent);
}

}  // namespace nnc
