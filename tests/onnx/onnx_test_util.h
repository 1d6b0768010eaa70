// nnc tests: helpers for the ONNX tests: temp dirs, file I/O, graph equality, a graph using every IR feature.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "nnc/graph.h"
#include "onnx_importer.h"

namespace nnc::onnx_test {

namespace fs = std::filesystem;

/// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("nnc_onnx_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter.fetch_add(1)));
    std::error_code ec;
    fs::remove_all(path_, ec);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

inline std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// The repository's bundled example model.
inline fs::path tiny_cnn_path() { return fs::path(NNC_SOURCE_DIR) / "examples/models/tiny_cnn.onnx"; }

/// Imports a file with the given options (no diagnostics sink unless one is passed).
inline Expected<Graph> import_file(const fs::path& p, onnx_frontend::ImportOptions opts = {},
                                   std::map<std::string, std::vector<int64_t>> shapes = {},
                                   DiagnosticSink* diag = nullptr) {
  ModelSource src;
  src.path = p;
  src.input_shapes = std::move(shapes);
  return onnx_frontend::import_onnx_file(src, opts, diag);
}

/// Imports bytes as if read from `origin` (external data relative to its directory).
inline Expected<Graph> import_bytes(const std::string& bytes, const fs::path& origin = "memory.onnx",
                                    onnx_frontend::ImportOptions opts = {}) {
  ModelSource src;
  src.path = origin;
  return onnx_frontend::import_onnx_bytes(bytes, src, opts, nullptr);
}

/// Import options that change nothing (for exact round trips).
inline onnx_frontend::ImportOptions exact_options() {
  onnx_frontend::ImportOptions o;
  o.shape_inference = false;
  o.batch = 0;
  return o;
}

inline bool tensors_bit_equal(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  if (a.storage_bytes() != b.storage_bytes()) return false;
  if (a.storage_bytes() == 0) return true;
  return std::memcmp(a.raw_data(), b.raw_data(), a.storage_bytes()) == 0;
}

void expect_graphs_equal(const Graph& a, const Graph& b, const std::string& where = "graph");

inline std::string names_of(const std::vector<Value*>& vs) {
  std::string s;
  for (const Value* v : vs) s += (v ? v->name() : std::string("<none>")) + ",";
  return s;
}

inline void expect_attributes_equal(const Attribute& a, const Attribute& b, const std::string& where) {
  ASSERT_EQ(a.kind(), b.kind()) << where;
  switch (a.kind()) {
    case AttributeKind::kTensor:
      EXPECT_TRUE(tensors_bit_equal(a.get<Tensor>(), b.get<Tensor>())) << where;
      break;
    case AttributeKind::kGraph:
      ASSERT_TRUE(a.get<std::shared_ptr<Graph>>() && b.get<std::shared_ptr<Graph>>()) << where;
      expect_graphs_equal(*a.get<std::shared_ptr<Graph>>(), *b.get<std::shared_ptr<Graph>>(), where);
      break;
    case AttributeKind::kInt: EXPECT_EQ(a.get<int64_t>(), b.get<int64_t>()) << where; break;
    case AttributeKind::kFloat: EXPECT_EQ(a.get<double>(), b.get<double>()) << where; break;
    case AttributeKind::kString: EXPECT_EQ(a.get<std::string>(), b.get<std::string>()) << where; break;
    case AttributeKind::kInts: EXPECT_EQ(a.get<std::vector<int64_t>>(), b.get<std::vector<int64_t>>()) << where; break;
    case AttributeKind::kFloats: EXPECT_EQ(a.get<std::vector<double>>(), b.get<std::vector<double>>()) << where; break;
    case AttributeKind::kStrings:
      EXPECT_EQ(a.get<std::vector<std::string>>(), b.get<std::vector<std::string>>()) << where;
      break;
  }
}

/// Same name, interface, values (dtype, shape, constants bit-equal, doc), nodes (op, domain, inputs,
/// outputs, attributes incl. subgraphs), opsets and metadata except the "onnx.*" provenance keys.
inline void expect_graphs_equal(const Graph& a, const Graph& b, const std::string& where) {
  EXPECT_EQ(a.name(), b.name()) << where;
  EXPECT_EQ(names_of(a.inputs()), names_of(b.inputs())) << where;
  EXPECT_EQ(names_of(a.outputs()), names_of(b.outputs())) << where;
  EXPECT_EQ(a.value_count(), b.value_count()) << where;
  for (const Value* va : a.values()) {
    const Value* vb = b.find_value(va->name());
    ASSERT_NE(vb, nullptr) << where << ": value '" << va->name() << "' missing";
    const std::string vw = where + " value '" + va->name() + "'";
    EXPECT_EQ(va->dtype(), vb->dtype()) << vw;
    EXPECT_EQ(va->shape().str(), vb->shape().str()) << vw;
    EXPECT_TRUE(va->shape() == vb->shape()) << vw;
    EXPECT_EQ(va->doc(), vb->doc()) << vw;
    ASSERT_EQ(va->is_constant(), vb->is_constant()) << vw;
    if (va->is_constant()) {
      EXPECT_TRUE(tensors_bit_equal(*va->constant(), *vb->constant())) << vw;
    }
  }
  ASSERT_EQ(a.node_count(), b.node_count()) << where;
  const auto na = a.nodes();
  for (const Node* n : na) {
    const Node* m = b.find_node(n->name());
    ASSERT_NE(m, nullptr) << where << ": node '" << n->name() << "' missing";
    const std::string nw = where + " " + n->describe();
    EXPECT_EQ(n->op_type(), m->op_type()) << nw;
    EXPECT_EQ(n->domain(), m->domain()) << nw;
    EXPECT_EQ(names_of(n->inputs()), names_of(m->inputs())) << nw;
    EXPECT_EQ(names_of(n->outputs()), names_of(m->outputs())) << nw;
    ASSERT_EQ(n->attributes().size(), m->attributes().size()) << nw;
    for (const auto& [key, attr] : n->attributes()) {
      const Attribute* other = m->attribute(key);
      ASSERT_NE(other, nullptr) << nw << " attribute " << key;
      expect_attributes_equal(attr, *other, nw + " attribute '" + key + "'");
    }
  }
  EXPECT_EQ(a.opsets(), b.opsets()) << where;
  auto strip = [](std::map<std::string, std::string> md) {
    for (auto it = md.begin(); it != md.end();) it = it->first.rfind("onnx.producer", 0) == 0 || it->first == "onnx.ir_version" ? md.erase(it) : std::next(it);
    return md;
  };
  EXPECT_EQ(strip(a.metadata()), strip(b.metadata())) << where;
}

/// A graph using every dtype, every attribute kind, a subgraph reading an outer value, symbolic and
/// unknown dims, an omitted optional input and output, a custom domain and metadata. Not meant to
/// pass the ONNX checker (made-up attributes); meant to round-trip exactly.
Graph make_feature_graph();

}  // namespace nnc::onnx_test
