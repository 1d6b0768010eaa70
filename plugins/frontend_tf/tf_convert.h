// nnc frontend_tf: the op converter's class (TensorFlow nodes -> ONNX-semantics nnc nodes), shared by its source files.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "input_shape_spec.h"
#include "tf_import_detail.h"

namespace nnc::tf_frontend::detail {

class Converter;
/// Converts one TF node whose data inputs are `in`; registers its outputs with Converter::set_out.
using OpHandler = Status (*)(Converter& c, const PreparedGraph::Item& item, const std::vector<Value*>& in);

/// The table of TensorFlow ops nnc imports (op name -> handler).
const std::map<std::string, OpHandler>& op_handlers();

/// Builds the nnc graph: inputs, constants, variables, one handler call per op, outputs.
class Converter {
 public:
  Converter(const ImportOptions& opts, const VariableSource& vars, std::string file, DiagnosticSink* diag)
      : opts_(opts), vars_(vars), file_(std::move(file)), diag_(diag) {}
  /// `overrides`: exact input dims by input name (ModelSource::input_shapes).
  Expected<Graph> run(const PreparedGraph& pg, const std::map<std::string, std::vector<int64_t>>& overrides);

  // ---- helpers for handlers ----
  Graph& graph() { return g_; }
  const std::string& file() const { return file_; }
  /// Error located at `n`: "'file': node 'x' (Op): msg".
  Status fail(const NodeDef& n, const std::string& msg, const std::string& hint = "", ErrorCode code = ErrorCode::kUnsupported) const;
  /// Output `k` of the TF node now being converted.
  void set_out(const NodeDef& n, int k, Value* v);
  /// A node `type` with one output named from `base` (unique), dtype `dt`.
  Value* op(const std::string& type, const std::vector<Value*>& ins, const std::string& base, DType dt,
            const std::map<std::string, Attribute>& attrs = {});
  /// A node with `count` outputs.
  std::vector<Value*> op_multi(const std::string& type, const std::vector<Value*>& ins, const std::string& base, size_t count,
                               DType dt, const std::map<std::string, Attribute>& attrs = {});
  Value* constant(const std::string& base, Tensor t);
  Value* i64s(const std::string& base, const std::vector<int64_t>& v);
  Value* f32_scalar(const std::string& base, float v);
  /// Constant integer contents of `v` (int32/int64), or an error naming the node and what it is.
  Expected<std::vector<int64_t>> const_ints(const NodeDef& n, Value* v, const std::string& what) const;
  /// NHWC -> NCHW (perm 0,3,1,2) and back (0,2,3,1).
  Value* to_nchw(Value* x, const std::string& base);
  Value* to_nhwc(Value* x, const std::string& base);
  Value* transpose(Value* x, const std::vector<int64_t>& perm, const std::string& base);
  DiagnosticSink* diag() const { return diag_; }

 private:
  Status check_support(const PreparedGraph& pg);
  Status add_input(const PreparedGraph::Item& item, size_t position);
  Status add_variable(const PreparedGraph::Item& item);

  Graph g_;
  std::map<std::string, Value*> vals_;  // TF tensor name ("node", "node:k") -> value
  const ImportOptions& opts_;
  const VariableSource& vars_;
  std::string file_;
  DiagnosticSink* diag_;
  const PreparedGraph* pg_ = nullptr;
  std::map<std::string, std::vector<int64_t>> overrides_;
  std::optional<nnc::onnx_frontend::InputShapesSpec> spec_;
};

/// Copy of `t` with axes permuted (any dtype).
Tensor transpose_tensor(const Tensor& t, const std::vector<int64_t>& perm);

}  // namespace nnc::tf_frontend::detail
