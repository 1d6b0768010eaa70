// nnc SDK: tensor shapes with static and symbolic dimensions.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace nnc {

/// One dimension: a known size, a named symbol ("batch", "N") or unknown (no name, no size).
class Dim {
 public:
  /// Unknown dimension.
  Dim() = default;
  /// Static dimension of size `size` (>= 0).
  Dim(int64_t size) : size_(size) {}  // NOLINT: implicit on purpose, Shape{1, 3, 224, 224}
  /// Symbolic dimension named `symbol`.
  static Dim symbolic(std::string symbol) {
    Dim d;
    d.symbol_ = std::move(symbol);
    return d;
  }

  bool is_static() const noexcept { return size_ >= 0; }
  bool is_symbolic() const noexcept { return size_ < 0 && !symbol_.empty(); }
  int64_t size() const noexcept { return size_; }  ///< -1 when not static
  const std::string& symbol() const noexcept { return symbol_; }
  /// "224", "batch" or "?".
  std::string str() const;
  bool operator==(const Dim& o) const noexcept { return size_ == o.size_ && symbol_ == o.symbol_; }
  bool operator!=(const Dim& o) const noexcept { return !(*this == o); }

 private:
  int64_t size_ = -1;
  std::string symbol_;
};

/// A shape: a list of dims, or "unknown rank".
class Shape {
 public:
  /// Unknown rank.
  Shape() = default;
  Shape(std::vector<Dim> dims) : known_rank_(true), dims_(std::move(dims)) {}
  Shape(std::initializer_list<Dim> dims) : known_rank_(true), dims_(dims) {}
  /// Shape from static sizes.
  static Shape of(const std::vector<int64_t>& sizes);
  /// Scalar shape (rank 0).
  static Shape scalar() { return Shape(std::vector<Dim>{}); }

  bool has_rank() const noexcept { return known_rank_; }
  size_t rank() const noexcept { return dims_.size(); }
  const std::vector<Dim>& dims() const noexcept { return dims_; }
  std::vector<Dim>& dims() noexcept { return dims_; }
  const Dim& operator[](size_t i) const { return dims_.at(i); }
  Dim& operator[](size_t i) { return dims_.at(i); }
  /// True when the rank is known and every dim is static.
  bool is_static() const noexcept;
  /// Product of the dims when static, else nullopt. A scalar has 1 element.
  std::optional<int64_t> element_count() const noexcept;
  /// Static sizes; only valid when is_static().
  std::vector<int64_t> sizes() const;
  /// "[1, 3, 224, 224]", "[batch, 3, ?, ?]" or "[*]" for unknown rank.
  std::string str() const;
  /// True when the shapes cannot describe the same tensor (different rank, or two static dims
  /// that differ). Unknown and symbolic dims are compatible with anything.
  bool conflicts_with(const Shape& other) const noexcept;
  bool operator==(const Shape& o) const noexcept { return known_rank_ == o.known_rank_ && dims_ == o.dims_; }
  bool operator!=(const Shape& o) const noexcept { return !(*this == o); }

 private:
  bool known_rank_ = false;
  std::vector<Dim> dims_;
};

}  // namespace nnc
