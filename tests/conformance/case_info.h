// nnc conformance: one backend test case on disk: its model's op set, interface, data sets and skip rules.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "nnc/status.h"

namespace nnc::conformance {

/// An op as the model spells it; domain "" = ai.onnx.
struct OpKey {
  std::string domain;
  std::string op_type;
  auto operator<=>(const OpKey&) const = default;
  /// "Conv", "ai.onnx.preview.training.Adam".
  std::string str() const { return domain.empty() ? op_type : domain + "." + op_type; }
};

/// A graph input or output as declared in the model.
struct IoDecl {
  std::string name;
  bool is_tensor = true;   ///< false for sequence / map / optional types
  int32_t elem_type = 0;   ///< ONNX element type when is_tensor
};

/// One test_data_set_N directory: its input_K.pb and output_K.pb files in K order.
struct DataSet {
  std::filesystem::path dir;
  std::vector<std::filesystem::path> inputs;
  std::vector<std::filesystem::path> outputs;
};

/// A test case: "<root name>/<case dir name>", e.g. "node/test_abs".
struct CaseInfo {
  std::string name;
  std::filesystem::path dir;
  std::filesystem::path model;
  std::set<OpKey> ops;             ///< every op, subgraphs included
  std::set<OpKey> top_ops;         ///< ops of the main graph only
  std::map<std::string, int64_t> opsets;  ///< domain ("" = ai.onnx) -> version
  std::vector<IoDecl> inputs;      ///< graph inputs that are not initializers, in order
  std::vector<IoDecl> outputs;
  std::vector<DataSet> data_sets;

  /// The report group: the main graph's op set, sorted and joined with '+' ("Conv" for a node test).
  std::string group() const;
  /// ONNX element types of the tensor inputs and outputs (for dtype tagging).
  std::set<int32_t> io_elem_types() const;
};

/// Every case directory (one holding model.onnx) directly under `root`, or `root` itself when it is a
/// case; names are "<root dir name>/<case dir name>". Sorted by name.
std::vector<std::filesystem::path> find_case_dirs(const std::filesystem::path& root);

/// Parses the case's model.onnx (protobuf only, not the nnc importer) and lists its data sets.
/// An error means the model file itself is unreadable.
Expected<CaseInfo> load_case(const std::filesystem::path& dir, const std::string& name);

/// Why a case is skipped, or nullopt when it must run. The ONLY skip reasons:
///   (a) an op (subgraphs included) is absent from reference_op_table(), or the model's opset for the
///       op's domain is older than the table's min_opset for it (the executor rejects both);
///   (b) training: see training_reason() in case_info.cpp (the single place that rule lives).
std::optional<std::string> skip_reason(const CaseInfo& c);

}  // namespace nnc::conformance
