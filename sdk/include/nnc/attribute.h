// nnc SDK: typed node attributes (ints, floats, strings, lists, tensors, subgraphs).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "nnc/tensor.h"

namespace nnc {

class Graph;

/// Kind of value an Attribute holds.
enum class AttributeKind { kInt, kFloat, kString, kInts, kFloats, kStrings, kTensor, kGraph };

/// Printable kind name ("int", "floats", "graph"...).
const char* attribute_kind_name(AttributeKind kind) noexcept;

/// A node attribute. Floats are stored as double; subgraphs (If/Loop bodies) are shared.
class Attribute {
 public:
  using Storage = std::variant<int64_t, double, std::string, std::vector<int64_t>, std::vector<double>,
                               std::vector<std::string>, Tensor, std::shared_ptr<Graph>>;

  Attribute() : value_(int64_t{0}) {}
  Attribute(int64_t v) : value_(v) {}                 // NOLINT
  Attribute(int v) : value_(int64_t{v}) {}            // NOLINT
  Attribute(double v) : value_(v) {}                  // NOLINT
  Attribute(std::string v) : value_(std::move(v)) {}  // NOLINT
  Attribute(const char* v) : value_(std::string(v)) {}  // NOLINT
  Attribute(std::vector<int64_t> v) : value_(std::move(v)) {}  // NOLINT
  Attribute(std::vector<double> v) : value_(std::move(v)) {}   // NOLINT
  Attribute(std::vector<std::string> v) : value_(std::move(v)) {}  // NOLINT
  Attribute(Tensor v) : value_(std::move(v)) {}  // NOLINT
  Attribute(std::shared_ptr<Graph> v) : value_(std::move(v)) {}  // NOLINT

  AttributeKind kind() const noexcept { return static_cast<AttributeKind>(value_.index()); }
  template <typename T>
  bool holds() const noexcept { return std::holds_alternative<T>(value_); }
  /// Typed access; throws std::bad_variant_access on a kind mismatch (use holds<T>() first).
  template <typename T>
  const T& get() const { return std::get<T>(value_); }
  const Storage& storage() const noexcept { return value_; }
  /// Compact text: "3", "0.5", "\"same\"", "[1, 1]", "<tensor f32[3]>", "<graph body>".
  std::string str() const;

 private:
  Storage value_;
};

}  // namespace nnc
