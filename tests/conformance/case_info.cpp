// nnc conformance: finds test cases, reads their model's op set and interface, and decides skips.
#include "case_info.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>

#include "nnc/executor.h"

namespace nnc::conformance {

namespace fs = std::filesystem;

namespace {

std::string canonical_domain(const std::string& d) { return d == "ai.onnx" ? std::string() : d; }

/// Adds the ops of `g` and of every subgraph attribute (If/Loop/Scan bodies) to `ops`.
void collect_ops(const onnx::GraphProto& g, std::set<OpKey>& ops) {
  for (const auto& n : g.node()) {
    ops.insert({canonical_domain(n.domain()), n.op_type()});
    for (const auto& a : n.attribute()) {
      if (a.has_g()) collect_ops(a.g(), ops);
      for (const auto& sg : a.graphs()) collect_ops(sg, ops);
    }
  }
}

IoDecl io_decl(const onnx::ValueInfoProto& vi) {
  IoDecl d{vi.name(), true, 0, false, {}};
  if (vi.type().has_tensor_type()) {
    const auto& tt = vi.type().tensor_type();
    d.elem_type = tt.elem_type();
    d.has_shape = tt.has_shape();
    for (const auto& dim : tt.shape().dim())
      d.dims.push_back(dim.has_dim_value() && dim.dim_value() >= 0 ? dim.dim_value() : -1);
  } else if (vi.has_type()) {
    d.is_tensor = false;
  }
  return d;
}

/// ONNX-style spelling of a type: "tensor(float)", "sequence<tensor(float)>", "optional<...>".
std::string type_str(const onnx::TypeProto& t) {
  auto elem = [](int32_t e) {
    std::string n = onnx::TensorProto::DataType_IsValid(e)
                        ? onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(e))
                        : "data type " + std::to_string(e);
    for (char& ch : n) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return n;
  };
  switch (t.value_case()) {
    case onnx::TypeProto::kTensorType: return "tensor(" + elem(t.tensor_type().elem_type()) + ")";
    case onnx::TypeProto::kSequenceType: return "sequence<" + type_str(t.sequence_type().elem_type()) + ">";
    case onnx::TypeProto::kOptionalType: return "optional<" + type_str(t.optional_type().elem_type()) + ">";
    case onnx::TypeProto::kMapType:
      return "map<" + elem(t.map_type().key_type()) + ", " + type_str(t.map_type().value_type()) + ">";
    case onnx::TypeProto::kSparseTensorType: return "sparse_tensor(" + elem(t.sparse_tensor_type().elem_type()) + ")";
    default: return "unknown type";
  }
}

/// True when nnc's IR (dense tensors of a numeric/bool dtype) cannot hold a value of type `t`. A
/// missing type (value_case unset) is not a declaration and does not count.
bool outside_ir(const onnx::TypeProto& t) {
  if (t.value_case() == onnx::TypeProto::VALUE_NOT_SET) return false;
  return !t.has_tensor_type() || t.tensor_type().elem_type() == onnx::TensorProto::STRING;
}

/// Adds "<kind> '<name>': <type>" for every declared value of `g` (and its subgraphs) that nnc's IR
/// cannot hold: inputs, outputs and value_info of a non-tensor or STRING type, STRING initializers and
/// STRING tensor attributes (Constant values), sparse initializers.
void collect_non_ir_values(const onnx::GraphProto& g, std::vector<std::string>& out) {
  auto check = [&](const char* kind, const onnx::ValueInfoProto& vi) {
    if (outside_ir(vi.type())) out.push_back(std::string(kind) + " '" + vi.name() + "': " + type_str(vi.type()));
  };
  for (const auto& vi : g.input()) check("input", vi);
  for (const auto& vi : g.output()) check("output", vi);
  for (const auto& vi : g.value_info()) check("value", vi);
  for (const auto& t : g.initializer())
    if (t.data_type() == onnx::TensorProto::STRING) out.push_back("initializer '" + t.name() + "': tensor(string)");
  for (const auto& t : g.sparse_initializer()) out.push_back("sparse initializer '" + t.values().name() + "'");
  for (const auto& n : g.node())
    for (const auto& a : n.attribute()) {
      if (a.has_t() && a.t().data_type() == onnx::TensorProto::STRING)
        out.push_back("attribute '" + a.name() + "' of node '" + n.name() + "' (" + n.op_type() + "): tensor(string)");
      if (a.has_g()) collect_non_ir_values(a.g(), out);
      for (const auto& sg : a.graphs()) collect_non_ir_values(sg, out);
    }
}

std::string dims_str(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + (dims[i] < 0 ? std::string("?") : std::to_string(dims[i]));
  return s + "]";
}

/// Trailing number of "test_data_set_12" / "input_3.pb" (-1 when none).
int64_t trailing_number(const std::string& s) {
  size_t end = s.size();
  if (end > 3 && s.compare(end - 3, 3, ".pb") == 0) end -= 3;
  size_t begin = end;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(s[begin - 1]))) --begin;
  return begin == end ? -1 : std::stoll(s.substr(begin, end - begin));
}

/// Files "<prefix>N.pb" in `dir`, ordered by N.
std::vector<fs::path> numbered_files(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename().string().rfind(prefix, 0) == 0 && e.path().extension() == ".pb")
      files.push_back(e.path());
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    return trailing_number(a.filename().string()) < trailing_number(b.filename().string());
  });
  return files;
}

std::vector<DataSet> find_data_sets(const fs::path& case_dir) {
  std::vector<DataSet> sets;
  for (const auto& e : fs::directory_iterator(case_dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0)
      sets.push_back({e.path(), numbered_files(e.path(), "input_"), numbered_files(e.path(), "output_")});
  std::sort(sets.begin(), sets.end(), [](const DataSet& a, const DataSet& b) {
    return trailing_number(a.dir.filename().string()) < trailing_number(b.dir.filename().string());
  });
  return sets;
}

/// THE training rule (skip reason (b)), in one place. A case is a training case when
///  - any op is in the domain ai.onnx.preview.training, or is one of the training op types
///    Gradient, Adagrad, Adam, Momentum (whatever the domain), or
///  - its name contains "training": in ONNX 1.12 these are test_training_dropout* (Dropout with
///    training_mode=true: random masks) and test_batchnorm_*_training_mode (BatchNormalization
///    training_mode=1: batch statistics and running-mean/var updates), i.e. training-mode-only
///    semantics an inference executor does not have.
std::optional<std::string> training_reason(const CaseInfo& c) {
  static const std::set<std::string> kTrainingOps = {"Gradient", "Adagrad", "Adam", "Momentum"};
  for (const OpKey& op : c.ops)
    if (op.domain == "ai.onnx.preview.training" || kTrainingOps.count(op.op_type))
      return "training op " + op.str();
  if (c.name.find("training") != std::string::npos) return "training-mode semantics (name contains 'training')";
  return std::nullopt;
}

/// Skip reason (c): declared values of a type nnc's IR does not represent.
std::optional<std::string> value_type_reason(const CaseInfo& c) {
  if (c.non_ir_values.empty()) return std::nullopt;
  std::string r;
  for (const std::string& v : c.non_ir_values) r += (r.empty() ? "" : ", ") + v;
  return r;
}

/// Skip reason (a): ops the reference executor's table lacks or implements only from a later opset.
std::optional<std::string> unsupported_reason(const CaseInfo& c) {
  std::map<OpKey, int64_t> table;  // built from reference_op_table() at runtime, never by hand
  for (const ReferenceOpInfo& info : reference_op_table())
    table[{canonical_domain(info.domain), info.op_type}] = info.min_opset;
  std::string missing, too_old;
  for (const OpKey& op : c.ops) {
    auto it = table.find(op);
    if (it == table.end()) {
      missing += (missing.empty() ? "" : ", ") + op.str();
      continue;
    }
    auto os = c.opsets.find(op.domain);
    if (os != c.opsets.end() && os->second < it->second)
      too_old += (too_old.empty() ? "" : ", ") + op.str() + " (model opset " + std::to_string(os->second) +
                 ", table from " + std::to_string(it->second) + ")";
  }
  if (missing.empty() && too_old.empty()) return std::nullopt;
  std::string r;
  if (!missing.empty()) r = "unsupported op: " + missing;
  if (!too_old.empty()) r += (r.empty() ? "" : "; ") + std::string("opset too old: ") + too_old;
  return r;
}

}  // namespace

std::string CaseInfo::group() const {
  std::string g;
  for (const OpKey& op : top_ops) g += (g.empty() ? "" : "+") + op.str();
  return g.empty() ? "(no ops)" : g;
}

std::set<int32_t> CaseInfo::io_elem_types() const {
  std::set<int32_t> types;
  for (const auto* list : {&inputs, &outputs})
    for (const IoDecl& d : *list)
      if (d.is_tensor) types.insert(d.elem_type);
  return types;
}

std::vector<fs::path> find_case_dirs(const fs::path& root) {
  if (fs::exists(root / "model.onnx")) return {root};
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(root))
    if (e.is_directory() && fs::exists(e.path() / "model.onnx")) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

Expected<CaseInfo> load_case(const fs::path& dir, const std::string& name) {
  CaseInfo c;
  c.name = name;
  c.dir = dir;
  c.model = dir / "model.onnx";
  onnx::ModelProto model;
  std::ifstream in(c.model, std::ios::binary);
  if (!in || !model.ParseFromIstream(&in))
    return make_error(ErrorCode::kParseError, "cannot parse " + c.model.string() + " as an ONNX ModelProto");
  for (const auto& op : model.opset_import()) c.opsets[canonical_domain(op.domain())] = op.version();
  const onnx::GraphProto& g = model.graph();
  collect_ops(g, c.ops);
  for (const auto& n : g.node()) c.top_ops.insert({canonical_domain(n.domain()), n.op_type()});
  std::set<std::string> initializers;
  for (const auto& t : g.initializer()) initializers.insert(t.name());
  for (const auto& vi : g.input())
    if (!initializers.count(vi.name())) c.inputs.push_back(io_decl(vi));
  for (const auto& vi : g.output()) c.outputs.push_back(io_decl(vi));
  collect_non_ir_values(g, c.non_ir_values);
  c.data_sets = find_data_sets(dir);
  return c;
}

std::optional<SkipReason> skip_reason(const CaseInfo& c) {
  if (auto r = training_reason(c)) return SkipReason{kSkipTraining, *r};
  if (auto r = unsupported_reason(c)) return SkipReason{kSkipUnsupportedOp, *r};
  if (auto r = value_type_reason(c)) return SkipReason{kSkipValueType, *r};
  return std::nullopt;
}

std::optional<SkipReason> shape_contradiction(const CaseInfo& c, const std::string& data_set,
                                              const std::vector<std::vector<int64_t>>& input_dims) {
  for (size_t k = 0; k < input_dims.size() && k < c.inputs.size(); ++k) {
    const IoDecl& d = c.inputs[k];
    if (!d.is_tensor || !d.has_shape) continue;
    const std::vector<int64_t>& got = input_dims[k];
    bool contradicts = got.size() != d.dims.size();
    for (size_t i = 0; !contradicts && i < got.size(); ++i) contradicts = d.dims[i] >= 0 && d.dims[i] != got[i];
    if (contradicts)
      return SkipReason{kSkipDataContradictsModel, data_set + " input '" + d.name + "' has shape " + dims_str(got) +
                                                       ", the model declares " + dims_str(d.dims)};
  }
  return std::nullopt;
}

}  // namespace nnc::conformance
