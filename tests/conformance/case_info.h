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
  bool has_shape = false;  ///< the tensor type declares a shape (then dims.size() is its rank)
  std::vector<int64_t> dims;  ///< declared dims; -1 for a symbolic or unknown dim
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
  /// Declared values whose type nnc's tensor IR cannot hold: graph inputs/outputs/value_info/
  /// initializers (subgraphs included) of element type STRING or of a non-tensor type, e.g.
  /// "input 'x': sequence<tensor(float)>". Empty for a plain tensor model.
  std::vector<std::string> non_ir_values;

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

/// Skip categories, as tallied in the summary.
inline constexpr const char* kSkipTraining = "training";
inline constexpr const char* kSkipUnsupportedOp = "unsupported op / opset";
inline constexpr const char* kSkipValueType = "value type outside nnc's IR: string / sequence / optional";
inline constexpr const char* kSkipDataContradictsModel = "case data contradicts its model";

/// Why a case is skipped: its category (one of the kSkip* names) and the case's own detail.
struct SkipReason {
  std::string category;
  std::string detail;
  /// "category: detail".
  std::string str() const { return category + ": " + detail; }
};

/// Why a case is skipped before running, or nullopt when it must run. The ONLY static skip reasons,
/// checked in this order:
///   (a) training: see training_reason() in case_info.cpp (the single place that rule lives);
///   (b) an op (subgraphs included) is absent from reference_op_table(), or the model's opset for the
///       op's domain is older than the table's min_opset for it (the executor rejects both);
///   (c) a declared value has a type nnc's IR does not represent (CaseInfo::non_ir_values).
/// The one reason that needs the data sets' .pb files, shape_contradiction(), is checked by run_case().
std::optional<SkipReason> skip_reason(const CaseInfo& c);

/// kSkipDataContradictsModel when an input tensor of a data set contradicts the model's declared
/// input shape (another rank, or another size for a dim the model fixes), e.g. ONNX 1.12's
/// test_castlike_*BFLOAT16* store 'like' as [1] while their model declares [3, 4]; ONNX Runtime
/// rejects such feeds too. `input_dims[k]` are the dims of the data set's input_k.pb; the detail
/// names the data set, the input and both shapes. A pure shape comparison, never a list of names.
std::optional<SkipReason> shape_contradiction(const CaseInfo& c, const std::string& data_set,
                                              const std::vector<std::vector<int64_t>>& input_dims);

}  // namespace nnc::conformance
