// nnc frontend_tf: internals shared by the importer's stages: tensor references, the pruned inference subgraph.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "graph.pb.h"
#include "nnc/diagnostics.h"
#include "nnc/graph.h"
#include "nnc/status.h"
#include "nnc/tensor.h"
#include "tf_importer.h"

namespace nnc::tf_frontend::detail {

using nnc::tfproto::NodeDef;

/// One tensor of a TensorFlow graph: output `index` of node `node`.
struct TfRef {
  std::string node;
  int index = 0;
  bool operator<(const TfRef& o) const { return node != o.node ? node < o.node : index < o.index; }
  bool operator==(const TfRef& o) const { return node == o.node && index == o.index; }
};

/// Parses "name", "name:2" or "^name" (control: `*control` set). nullopt for malformed text.
std::optional<TfRef> parse_ref(std::string_view text, bool* control = nullptr);
/// "name" for output 0, "name:k" otherwise.
std::string ref_name(const TfRef& r);

/// Where the values of variables come from (a V2 checkpoint); absent for frozen graphs.
struct VariableSource {
  /// Looks the tensor up by checkpoint key; nullopt result = no checkpoint could be opened.
  std::function<Expected<Tensor>(const std::string& key)> read;
  /// Whether the checkpoint holds `key` (false when there is no checkpoint).
  std::function<bool(const std::string& key)> contains;
  /// Text naming the checkpoint files used or looked for (for messages).
  std::string description;
  /// Set when no checkpoint could be opened: the error saying why.
  std::optional<Status> open_error;
};

/// What the converter gets: the inference subgraph, topologically ordered, aliases resolved.
struct PreparedGraph {
  enum class Kind { kInput, kConst, kVariable, kOp };
  struct Item {
    Kind kind = Kind::kOp;
    const NodeDef* node = nullptr;  ///< the TF node (for kInput: the producer of the cut tensor)
    TfRef ref;                      ///< kInput: the tensor that becomes the input
    std::vector<TfRef> inputs;      ///< kOp: data inputs, aliases (Identity, Switch/Merge...) resolved
    std::string checkpoint_key;     ///< kVariable
  };
  std::vector<Item> items;
  /// Graph outputs: requested name and the tensor it resolves to.
  std::vector<std::pair<std::string, TfRef>> outputs;
  /// Graph inputs in order (names as values).
  std::vector<std::string> input_names;
};

/// Prunes `graph` to what the outputs need: dead Switch/Merge branches are removed using predicates
/// that fold to constants (PlaceholderWithDefault defaults, checkpoint values), variable updates
/// (Assign*) read as their variable, Identity-like ops aliased. Unsupported ops and missing
/// variables are reported by the converter, not here.
Expected<PreparedGraph> prepare_graph(const nnc::tfproto::GraphDef& graph, const ImportOptions& opts,
                                      const VariableSource& vars, const std::string& file, DiagnosticSink* diag);

/// Converts the prepared subgraph into nnc IR (ONNX-semantics ops; NHWC graph inputs kept, Transposes
/// around layout-sensitive ops).
Expected<Graph> convert_graph(const PreparedGraph& prepared, const ImportOptions& opts, const VariableSource& vars,
                              const std::string& file, DiagnosticSink* diag);

/// True for ops that are detection/cropping post-processing or control flow (named in the error
/// that asks to cut them off).
bool is_postprocessing_op(const std::string& op);

/// The checkpoint key of a variable node (VarHandleOp: shared_name, else the node name).
std::string variable_key(const NodeDef& n);

/// Attribute helpers (absent -> fallback).
int64_t attr_int(const NodeDef& n, const std::string& name, int64_t fallback);
double attr_float(const NodeDef& n, const std::string& name, double fallback);
bool attr_bool(const NodeDef& n, const std::string& name, bool fallback);
std::string attr_string(const NodeDef& n, const std::string& name, const std::string& fallback);
std::vector<int64_t> attr_ints(const NodeDef& n, const std::string& name);
/// The "type" attribute `name` (DataType enum value), or 0.
int attr_type(const NodeDef& n, const std::string& name);

}  // namespace nnc::tf_frontend::detail
