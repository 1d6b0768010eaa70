// nnc core: shapes: printing, element counts, compatibility.
#include "nnc/shape.h"

namespace nnc {

std::string Dim::str() const {
  if (is_static()) return std::to_string(size_);
  if (is_symbolic()) return symbol_;
  return "?";
}

Shape Shape::of(const std::vector<int64_t>& sizes) {
  std::vector<Dim> dims;
  dims.reserve(sizes.size());
  for (int64_t s : sizes) dims.emplace_back(s);
  return Shape(std::move(dims));
}

bool Shape::is_static() const noexcept {
  if (!known_rank_) return false;
  for (const auto& d : dims_)
    if (!d.is_static()) return false;
  return true;
}

std::optional<int64_t> Shape::element_count() const noexcept {
  if (!is_static()) return std::nullopt;
  int64_t n = 1;
  for (const auto& d : dims_) {
    if (d.size() != 0 && n > INT64_MAX / d.size()) return std::nullopt;
    n *= d.size();
  }
  return n;
}

std::vector<int64_t> Shape::sizes() const {
  std::vector<int64_t> out;
  out.reserve(dims_.size());
  for (const auto& d : dims_) out.push_back(d.size());
  return out;
}

std::string Shape::str() const {
  if (!known_rank_) return "[*]";
  std::string out = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) out += ", ";
    out += dims_[i].str();
  }
  return out + "]";
}

bool Shape::conflicts_with(const Shape& other) const noexcept {
  if (!known_rank_ || !other.known_rank_) return false;
  if (dims_.size() != other.dims_.size()) return true;
  for (size_t i = 0; i < dims_.size(); ++i) {
    const Dim& a = dims_[i];
    const Dim& b = other.dims_[i];
    if (a.is_static() && b.is_static() && a.size() != b.size()) return true;
  }
  return false;
}

}  // namespace nnc
