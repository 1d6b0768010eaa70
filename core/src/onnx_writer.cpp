// nnc core: ONNX writer: IR graph -> ModelProto (initializers, attributes, subgraphs, external data).
#include "nnc/onnx_writer.h"

#include <onnx/onnx_pb.h>

#include <climits>
#include <exception>
#include <map>
#include <set>
#include <unordered_set>
#include <variant>

#include "nnc/graph_algorithms.h"
#include "nnc/npy.h"
#include "nnc/version.h"

namespace nnc {
namespace {

constexpr size_t kExternalThreshold = 1024;  // constants above this many bytes may go external
constexpr size_t kExternalAlign = 64;         // offsets of external tensors are multiples of this
constexpr int32_t kOnnxInt4 = 22;             // TensorProto.INT4 (ONNX 1.16+)
constexpr int64_t kDefaultOpset = 17;

/// Where constants moved out of the model go, and which node domains the graph uses.
struct WriteState {
  bool external = false;        // move large initializers into `external_bytes`
  std::string external_name;    // "<model file name>.data"
  std::string external_bytes;   // contents of the external data file
  std::set<std::string> domains;
};

int32_t onnx_elem_type(DType t) {
  switch (t) {
    case DType::kF32: return onnx::TensorProto::FLOAT;
    case DType::kF16: return onnx::TensorProto::FLOAT16;
    case DType::kBF16: return onnx::TensorProto::BFLOAT16;
    case DType::kF64: return onnx::TensorProto::DOUBLE;
    case DType::kI64: return onnx::TensorProto::INT64;
    case DType::kI32: return onnx::TensorProto::INT32;
    case DType::kI16: return onnx::TensorProto::INT16;
    case DType::kI8: return onnx::TensorProto::INT8;
    case DType::kU8: return onnx::TensorProto::UINT8;
    case DType::kU16: return onnx::TensorProto::UINT16;
    case DType::kU32: return onnx::TensorProto::UINT32;
    case DType::kU64: return onnx::TensorProto::UINT64;
    case DType::kI4: return kOnnxInt4;
    case DType::kBool: return onnx::TensorProto::BOOL;
    case DType::kUndefined: break;
  }
  return onnx::TensorProto::UNDEFINED;
}

void fill_type(DType dtype, const Shape& shape, onnx::TypeProto* tp) {
  auto* tt = tp->mutable_tensor_type();
  tt->set_elem_type(onnx_elem_type(dtype));
  if (!shape.has_rank()) return;
  auto* sp = tt->mutable_shape();
  for (const Dim& d : shape.dims()) {
    auto* dp = sp->add_dim();
    if (d.is_static()) {
      dp->set_dim_value(d.size());
    } else if (d.is_symbolic()) {
      dp->set_dim_param(d.symbol());
    }
  }
}

void fill_value_info(const Value& v, onnx::ValueInfoProto* vi) {
  vi->set_name(v.name());
  if (!v.doc().empty()) vi->set_doc_string(v.doc());
  fill_type(v.dtype(), v.shape(), vi->mutable_type());
}

Status fill_tensor(const Tensor& t, const std::string& name, onnx::TensorProto* tp, WriteState& st,
                   bool allow_external) {
  if (t.dtype() == DType::kUndefined) {
    return make_error(ErrorCode::kInvalidArgument, "tensor '" + name + "' has no dtype; it cannot be written to ONNX");
  }
  tp->set_name(name);
  tp->set_data_type(onnx_elem_type(t.dtype()));
  for (int64_t d : t.shape()) tp->add_dims(d);
  const size_t bytes = t.storage_bytes();
  const char* data = reinterpret_cast<const char*>(t.raw_data());
  if (bytes > 0 && data == nullptr) {
    return make_error(ErrorCode::kInvalidArgument,
                      "tensor '" + name + "' (" + t.description() + ") has no data; it cannot be written to ONNX");
  }
  if (allow_external && st.external && bytes > kExternalThreshold) {
    size_t offset = st.external_bytes.size();
    if (offset % kExternalAlign != 0) {
      offset += kExternalAlign - offset % kExternalAlign;
      st.external_bytes.resize(offset, '\0');
    }
    st.external_bytes.append(data, bytes);
    tp->set_data_location(onnx::TensorProto::EXTERNAL);
    auto add = [&](const char* key, const std::string& value) {
      auto* e = tp->add_external_data();
      e->set_key(key);
      e->set_value(value);
    };
    add("location", st.external_name);
    add("offset", std::to_string(offset));
    add("length", std::to_string(bytes));
    return Status::ok();
  }
  tp->set_raw_data(bytes > 0 ? std::string(data, bytes) : std::string());
  return Status::ok();
}

Status fill_graph(const Graph& g, onnx::GraphProto* gp, WriteState& st, bool main_graph);

Status fill_attribute(const std::string& name, const Attribute& a, onnx::AttributeProto* ap, WriteState& st,
                      const Node& node) {
  ap->set_name(name);
  switch (a.kind()) {
    case AttributeKind::kInt:
      ap->set_type(onnx::AttributeProto::INT);
      ap->set_i(a.get<int64_t>());
      break;
    case AttributeKind::kFloat:
      ap->set_type(onnx::AttributeProto::FLOAT);
      ap->set_f(static_cast<float>(a.get<double>()));
      break;
    case AttributeKind::kString:
      ap->set_type(onnx::AttributeProto::STRING);
      ap->set_s(a.get<std::string>());
      break;
    case AttributeKind::kInts:
      ap->set_type(onnx::AttributeProto::INTS);
      for (int64_t v : a.get<std::vector<int64_t>>()) ap->add_ints(v);
      break;
    case AttributeKind::kFloats:
      ap->set_type(onnx::AttributeProto::FLOATS);
      for (double v : a.get<std::vector<double>>()) ap->add_floats(static_cast<float>(v));
      break;
    case AttributeKind::kStrings:
      ap->set_type(onnx::AttributeProto::STRINGS);
      for (const auto& v : a.get<std::vector<std::string>>()) ap->add_strings(v);
      break;
    case AttributeKind::kTensor: {
      ap->set_type(onnx::AttributeProto::TENSOR);
      Status s = fill_tensor(a.get<Tensor>(), "", ap->mutable_t(), st, false);
      if (!s.is_ok()) return s.with_context("attribute '" + name + "' of " + node.describe());
      break;
    }
    case AttributeKind::kGraph: {
      ap->set_type(onnx::AttributeProto::GRAPH);
      const auto& sub = a.get<std::shared_ptr<Graph>>();
      if (!sub) {
        return make_error(ErrorCode::kInvalidArgument,
                          "attribute '" + name + "' of " + node.describe() + " holds a null subgraph");
      }
      NNC_RETURN_IF_ERROR(fill_graph(*sub, ap->mutable_g(), st, false));
      break;
    }
  }
  return Status::ok();
}

Status fill_graph(const Graph& g, onnx::GraphProto* gp, WriteState& st, bool main_graph) {
  gp->set_name(g.name().empty() ? std::string(main_graph ? "graph" : "subgraph") : g.name());
  std::unordered_set<const Value*> interface;
  for (const Value* v : g.inputs()) {
    if (!v) continue;
    interface.insert(v);
    fill_value_info(*v, gp->add_input());
  }
  for (const Value* v : g.outputs()) {
    if (!v) continue;
    interface.insert(v);
    fill_value_info(*v, gp->add_output());
  }
  const std::vector<Value*> values = g.values();
  for (const Value* v : values) {
    if (!v->is_constant()) continue;
    auto* tp = gp->add_initializer();
    NNC_RETURN_IF_ERROR(fill_tensor(*v->constant(), v->name(), tp, st, main_graph));
    if (!v->doc().empty()) tp->set_doc_string(v->doc());
  }
  auto order = topological_order(g);
  const std::vector<Node*> nodes = order.has_value() ? std::move(order).value() : g.nodes();
  for (const Node* n : nodes) {
    auto* np = gp->add_node();
    if (!n->name().empty()) np->set_name(n->name());
    np->set_op_type(n->op_type());
    if (!n->domain().empty()) np->set_domain(n->domain());
    st.domains.insert(n->domain());
    for (const Value* in : n->inputs()) np->add_input(in ? in->name() : std::string());
    for (const Value* out : n->outputs()) np->add_output(out ? out->name() : std::string());
    for (const auto& [name, attr] : n->attributes()) {
      NNC_RETURN_IF_ERROR(fill_attribute(name, attr, np->add_attribute(), st, *n));
    }
  }
  for (const Value* v : values) {
    if (v->is_constant() || interface.count(v) || v->producer() == nullptr || v->dtype() == DType::kUndefined) continue;
    fill_value_info(*v, gp->add_value_info());
  }
  return Status::ok();
}

Expected<onnx::ModelProto> build_model(const Graph& g, const OnnxWriteOptions& opts, WriteState& st) {
  onnx::ModelProto model;
  model.set_ir_version(opts.ir_version);
  model.set_producer_name(opts.producer_name);
  model.set_producer_version(product_version());
  for (const auto& [key, value] : g.metadata()) {
    if (key == "onnx.doc_string") {
      model.set_doc_string(value);
    } else if (key == "onnx.domain") {
      model.set_domain(value);
    } else if (key == "onnx.model_version") {
      try {
        model.set_model_version(std::stoll(value));
      } catch (const std::exception&) {
        return make_error(ErrorCode::kInvalidArgument,
                          "graph metadata 'onnx.model_version' is not an integer: '" + value + "'");
      }
    } else if (key == "onnx.producer_name" || key == "onnx.producer_version" || key == "onnx.ir_version") {
      continue;  // described the file the graph was read from
    } else {
      auto* p = model.add_metadata_props();
      p->set_key(key);
      p->set_value(value);
    }
  }
  NNC_RETURN_IF_ERROR(fill_graph(g, model.mutable_graph(), st, true));
  std::map<std::string, int64_t> opsets = g.opsets();
  if (opsets.empty()) opsets[""] = kDefaultOpset;
  for (const std::string& d : st.domains) {
    if (!opsets.count(d)) opsets[d] = d.empty() ? kDefaultOpset : 1;
  }
  for (const auto& [domain, version] : opsets) {
    auto* op = model.add_opset_import();
    op->set_domain(domain);
    op->set_version(version);
  }
  return model;
}

Expected<std::string> serialize_model(const onnx::ModelProto& model) {
  if (model.ByteSizeLong() > static_cast<size_t>(INT_MAX)) {
    return make_error(ErrorCode::kUnsupported,
                      "the ONNX model is larger than 2 GB, the protobuf limit", {},
                      "write it with write_onnx() and OnnxWriteOptions::large_constants_external = true");
  }
  std::string out;
  if (!model.SerializeToString(&out)) {
    return make_error(ErrorCode::kInternal, "protobuf failed to serialise the ONNX model");
  }
  return out;
}

}  // namespace

Expected<std::string> serialize_onnx(const Graph& g, const OnnxWriteOptions& opts) {
  if (opts.large_constants_external) {
    return make_error(ErrorCode::kInvalidArgument,
                      "serialize_onnx cannot store constants externally: external data needs a file", {},
                      "use write_onnx(graph, path, options) or set large_constants_external = false");
  }
  try {
    WriteState st;
    NNC_ASSIGN_OR_RETURN(onnx::ModelProto model, build_model(g, opts, st));
    return serialize_model(model);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("writing ONNX failed: ") + e.what());
  }
}

Status write_onnx(const Graph& g, const std::filesystem::path& path, const OnnxWriteOptions& opts) {
  const Location loc{path.string()};
  if (path.filename().empty()) {
    return make_error(ErrorCode::kInvalidArgument, "ONNX output path '" + path.string() + "' names no file", loc);
  }
  try {
    WriteState st;
    st.external = opts.large_constants_external;
    st.external_name = path.filename().string() + ".data";
    auto model = build_model(g, opts, st);
    if (!model) return model.error().with_context("writing ONNX model '" + path.string() + "'").with_location(loc);
    auto bytes = serialize_model(*model);
    if (!bytes) return bytes.error().with_context("writing ONNX model '" + path.string() + "'").with_location(loc);
    if (!st.external_bytes.empty()) {
      NNC_RETURN_IF_ERROR(write_file_atomically(path.parent_path() / st.external_name, st.external_bytes));
    }
    return write_file_atomically(path, *bytes);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, "writing ONNX model '" + path.string() + "' failed: " + e.what(), loc);
  }
}

}  // namespace nnc
