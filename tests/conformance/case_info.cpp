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
  IoDecl d{vi.name(), true, 0};
  if (vi.type().has_tensor_type()) {
    d.elem_type = vi.type().tensor_type().elem_type();
  } else if (vi.has_type()) {
    d.is_tensor = false;
  }
  return d;
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
  c.data_sets = find_data_sets(dir);
  return c;
}

std::optional<std::string> skip_reason(const CaseInfo& c) {
  if (auto r = training_reason(c)) return r;
  return unsupported_reason(c);
}

}  // namespace nnc::conformance
