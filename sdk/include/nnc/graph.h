// nnc SDK: the graph IR: named Values, Nodes with typed attributes, and Graph with use-def lists.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "nnc/attribute.h"
#include "nnc/dtype.h"
#include "nnc/quant.h"
#include "nnc/shape.h"
#include "nnc/status.h"
#include "nnc/tensor.h"

namespace nnc {

class Node;
class Graph;

/// One use of a value: `node`'s input number `input_index`.
struct Use {
  Node* node = nullptr;
  size_t input_index = 0;
  bool operator==(const Use& o) const noexcept { return node == o.node && input_index == o.input_index; }
};

/// A named tensor flowing through the graph: a graph input, a constant (initializer) or a node output.
/// Values are owned by their Graph; pointers stay valid until the value is erased.
class Value {
 public:
  const std::string& name() const noexcept { return name_; }
  DType dtype() const noexcept { return dtype_; }
  const Shape& shape() const noexcept { return shape_; }
  void set_dtype(DType t) noexcept { dtype_ = t; }
  void set_shape(Shape s) { shape_ = std::move(s); }

  /// Node producing this value, nullptr for graph inputs and constants.
  Node* producer() const noexcept { return producer_; }
  /// Index of this value among its producer's outputs.
  size_t producer_output_index() const noexcept { return producer_index_; }
  /// Every (node, input index) reading this value.
  const std::vector<Use>& uses() const noexcept { return uses_; }

  /// Constant data when this value is an initializer; nullptr otherwise.
  const Tensor* constant() const noexcept { return constant_ ? &*constant_ : nullptr; }
  bool is_constant() const noexcept { return constant_.has_value(); }
  /// Makes this value a constant; dtype and shape are taken from the tensor.
  void set_constant(Tensor t);
  void clear_constant() noexcept { constant_.reset(); }

  /// Free-form documentation string carried through import/export.
  const std::string& doc() const noexcept { return doc_; }
  void set_doc(std::string d) { doc_ = std::move(d); }

  /// How this value is quantized (SDK 1.2); nullptr while it is plain float. Set by calibration,
  /// by import of pre-quantized models (QDQ folding) and by mixed-precision configuration.
  const QuantParams* quant() const noexcept { return quant_ ? &*quant_ : nullptr; }
  void set_quant(QuantParams q) { quant_ = std::move(q); }
  void clear_quant() noexcept { quant_.reset(); }

 private:
  friend class Graph;
  friend class Node;
  explicit Value(std::string name) : name_(std::move(name)) {}

  std::string name_;
  DType dtype_ = DType::kUndefined;
  Shape shape_;
  Node* producer_ = nullptr;
  size_t producer_index_ = 0;
  std::vector<Use> uses_;
  std::optional<Tensor> constant_;
  std::string doc_;
  std::optional<QuantParams> quant_;  // appended in SDK 1.2: earlier members keep their offsets
};

/// An operation. `op_type` + `domain` name the operator (ONNX spelling: "Conv", domain "" = ai.onnx).
/// An input slot may be nullptr for an omitted optional input.
class Node {
 public:
  const std::string& name() const noexcept { return name_; }
  void set_name(std::string n) { name_ = std::move(n); }
  const std::string& op_type() const noexcept { return op_type_; }
  const std::string& domain() const noexcept { return domain_; }
  void set_op_type(std::string op, std::string domain = "") {
    op_type_ = std::move(op);
    domain_ = std::move(domain);
  }

  const std::vector<Value*>& inputs() const noexcept { return inputs_; }
  const std::vector<Value*>& outputs() const noexcept { return outputs_; }
  Value* input(size_t i) const { return i < inputs_.size() ? inputs_[i] : nullptr; }
  Value* output(size_t i) const { return i < outputs_.size() ? outputs_[i] : nullptr; }
  /// Replaces input `i` (growing the list with empty slots if needed), keeping use lists right.
  void set_input(size_t i, Value* v);
  /// Appends an input.
  void add_input(Value* v) { set_input(inputs_.size(), v); }
  /// Drops every input (use lists updated).
  void clear_inputs();

  const std::map<std::string, Attribute>& attributes() const noexcept { return attributes_; }
  bool has_attribute(const std::string& name) const { return attributes_.count(name) != 0; }
  const Attribute* attribute(const std::string& name) const;
  void set_attribute(const std::string& name, Attribute a) { attributes_[name] = std::move(a); }
  void remove_attribute(const std::string& name) { attributes_.erase(name); }
  /// Int attribute or `fallback` when absent or of another kind.
  int64_t int_attribute(const std::string& name, int64_t fallback) const;
  double float_attribute(const std::string& name, double fallback) const;
  std::string string_attribute(const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> ints_attribute(const std::string& name) const;

  /// "node 'conv1' (Conv)" — used in diagnostics.
  std::string describe() const;
  Graph* graph() const noexcept { return graph_; }

 private:
  friend class Graph;
  Node() = default;

  Graph* graph_ = nullptr;
  std::string name_;
  std::string op_type_;
  std::string domain_;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
  std::map<std::string, Attribute> attributes_;
};

/// A dataflow graph. Owns its nodes and values. Node order is insertion order (not necessarily
/// topological; see topological_order()).
class Graph {
 public:
  Graph() = default;
  explicit Graph(std::string name) : name_(std::move(name)) {}
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;
  Graph(Graph&&) noexcept;
  Graph& operator=(Graph&&) noexcept;
  ~Graph();

  /// Deep copy (constants share their bytes).
  Graph clone() const;

  const std::string& name() const noexcept { return name_; }
  void set_name(std::string n) { name_ = std::move(n); }

  // --- values ---
  /// Creates a value with a unique name (suffixing "_1", "_2"... when `name` is taken).
  Value* add_value(const std::string& name, DType dtype = DType::kUndefined, Shape shape = {});
  /// Creates a constant value holding `tensor`.
  Value* add_constant(const std::string& name, Tensor tensor);
  Value* find_value(const std::string& name) const;
  /// Erases a value that has no producer and no uses and is not a graph input/output.
  Status erase_value(Value* v);
  /// Every value, in creation order.
  std::vector<Value*> values() const;
  size_t value_count() const noexcept { return values_.size(); }
  /// A fresh value name based on `base`.
  std::string unique_value_name(const std::string& base) const;

  // --- nodes ---
  /// Creates a node. Output values are created (named `output_names`) or reused if they exist
  /// without a producer.
  Node* add_node(const std::string& op_type, const std::vector<Value*>& inputs,
                 const std::vector<std::string>& output_names, const std::string& name = "",
                 const std::string& domain = "");
  /// Removes a node; its outputs lose their producer (they must be rewired or erased by the caller).
  void erase_node(Node* n);
  /// Nodes in insertion order.
  std::vector<Node*> nodes() const;
  size_t node_count() const noexcept { return nodes_.size(); }
  Node* find_node(const std::string& name) const;
  /// A fresh node name based on `base`.
  std::string unique_node_name(const std::string& base) const;

  // --- interface ---
  const std::vector<Value*>& inputs() const noexcept { return inputs_; }
  const std::vector<Value*>& outputs() const noexcept { return outputs_; }
  void add_input(Value* v) { inputs_.push_back(v); }
  void add_output(Value* v) { outputs_.push_back(v); }
  void set_inputs(std::vector<Value*> v) { inputs_ = std::move(v); }
  void set_outputs(std::vector<Value*> v) { outputs_ = std::move(v); }
  bool is_graph_input(const Value* v) const noexcept;
  bool is_graph_output(const Value* v) const noexcept;

  /// Every use of `from` (node inputs and graph outputs) now reads `to`.
  void replace_all_uses(Value* from, Value* to);

  /// Operator-set versions by domain ("" = ai.onnx).
  std::map<std::string, int64_t>& opsets() noexcept { return opsets_; }
  const std::map<std::string, int64_t>& opsets() const noexcept { return opsets_; }
  /// Free-form metadata (producer name, source file, ...). Written into ONNX metadata_props.
  std::map<std::string, std::string>& metadata() noexcept { return metadata_; }
  const std::map<std::string, std::string>& metadata() const noexcept { return metadata_; }

  /// Number of scalar parameters held in constants.
  int64_t parameter_count() const noexcept;

 private:
  std::string name_;
  std::list<std::unique_ptr<Node>> nodes_;
  std::list<std::unique_ptr<Value>> values_;
  std::unordered_map<std::string, Value*> value_by_name_;
  std::unordered_map<std::string, int> node_name_counts_;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
  std::map<std::string, int64_t> opsets_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace nnc
