// nnc SDK: dense tensors with owned or memory-mapped storage (weights, inputs, outputs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nnc/dtype.h"
#include "nnc/status.h"

namespace nnc {

/// Raw bytes behind a tensor. Either owned (heap) or a read-only view of a memory-mapped file that
/// stays mapped as long as any tensor refers to it.
class Buffer {
 public:
  virtual ~Buffer() = default;
  virtual const std::byte* data() const noexcept = 0;
  /// Writable bytes, or nullptr for read-only (mapped) buffers.
  virtual std::byte* mutable_data() noexcept = 0;
  virtual size_t size() const noexcept = 0;
  virtual bool is_mapped() const noexcept { return false; }

  /// Zero-filled heap buffer of `size` bytes.
  static std::shared_ptr<Buffer> allocate(size_t size);
  /// Heap buffer of `size` bytes with unspecified contents, for producers that overwrite every byte.
  /// Inside a reference-executor run both allocations recycle the executor's activation memory.
  static std::shared_ptr<Buffer> allocate_uninitialized(size_t size);
  /// Heap buffer holding a copy of `bytes`.
  static std::shared_ptr<Buffer> copy_of(std::span<const std::byte> bytes);
  /// Read-only mapping of `length` bytes of `path` from `offset` (length 0 = to end of file).
  static Expected<std::shared_ptr<Buffer>> map_file(const std::filesystem::path& path, size_t offset = 0,
                                                     size_t length = 0);
};

/// A dense, row-major tensor with a static shape. Copying a Tensor shares its bytes; call clone()
/// for a deep copy. Mutating a tensor whose bytes are shared or mapped is not allowed: use clone().
class Tensor {
 public:
  Tensor() = default;
  /// Zero-filled tensor.
  Tensor(DType dtype, std::vector<int64_t> shape);
  /// Tensor with unspecified contents (the caller writes every element), e.g. a kernel's output.
  static Tensor uninitialized(DType dtype, std::vector<int64_t> shape);
  /// Tensor over existing bytes. Throws std::invalid_argument when `buffer` is null or smaller than
  /// offset + storage_bytes(): validate sizes first (frontends turn the throw into a Status).
  Tensor(DType dtype, std::vector<int64_t> shape, std::shared_ptr<Buffer> buffer, size_t offset = 0);

  /// Tensor from typed host values, e.g. Tensor::from_vector<float>({1, 2}, {2}).
  template <typename T>
  static Tensor from_vector(const std::vector<T>& values, std::vector<int64_t> shape);
  /// Scalar (rank 0) tensor.
  template <typename T>
  static Tensor scalar(T value) { return from_vector<T>({value}, {}); }

  DType dtype() const noexcept { return dtype_; }
  const std::vector<int64_t>& shape() const noexcept { return shape_; }
  int64_t rank() const noexcept { return static_cast<int64_t>(shape_.size()); }
  int64_t element_count() const noexcept;
  size_t storage_bytes() const noexcept { return dtype_storage_bytes(dtype_, element_count()); }
  bool empty() const noexcept { return buffer_ == nullptr; }
  bool is_mapped() const noexcept { return buffer_ && buffer_->is_mapped(); }

  const std::byte* raw_data() const noexcept { return buffer_ ? buffer_->data() + offset_ : nullptr; }
  /// Writable bytes; nullptr when the storage is read-only (memory-mapped).
  std::byte* mutable_raw_data() noexcept {
    return buffer_ && buffer_->mutable_data() ? buffer_->mutable_data() + offset_ : nullptr;
  }
  /// Typed view; T must match the dtype's element size (checked by assert).
  template <typename T>
  std::span<const T> data() const {
    return {reinterpret_cast<const T*>(raw_data()), static_cast<size_t>(element_count())};
  }
  template <typename T>
  std::span<T> mutable_data() {
    return {reinterpret_cast<T*>(mutable_raw_data()), static_cast<size_t>(element_count())};
  }
  /// Deep copy into an owned buffer.
  Tensor clone() const;
  /// Same bytes, new shape with the same element count (checked).
  Expected<Tensor> reshaped(std::vector<int64_t> shape) const;
  /// "f32[1, 3, 224, 224]".
  std::string description() const;
  /// Element i converted to double (any dtype, for dumps and comparisons).
  double value_as_double(int64_t i) const;
  /// The shared storage (nullptr for an empty tensor).
  const std::shared_ptr<Buffer>& buffer() const noexcept { return buffer_; }

 private:
  DType dtype_ = DType::kUndefined;
  std::vector<int64_t> shape_;
  std::shared_ptr<Buffer> buffer_;
  size_t offset_ = 0;
};

/// DType that corresponds to a C++ type (float -> kF32, int64_t -> kI64, bool/uint8 -> ...).
template <typename T>
constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::kF32; }
template <> constexpr DType dtype_of<double>() { return DType::kF64; }
template <> constexpr DType dtype_of<int64_t>() { return DType::kI64; }
template <> constexpr DType dtype_of<int32_t>() { return DType::kI32; }
template <> constexpr DType dtype_of<int16_t>() { return DType::kI16; }
template <> constexpr DType dtype_of<int8_t>() { return DType::kI8; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::kU8; }
template <> constexpr DType dtype_of<uint16_t>() { return DType::kU16; }
template <> constexpr DType dtype_of<uint32_t>() { return DType::kU32; }
template <> constexpr DType dtype_of<uint64_t>() { return DType::kU64; }
template <> constexpr DType dtype_of<bool>() { return DType::kBool; }

template <typename T>
Tensor Tensor::from_vector(const std::vector<T>& values, std::vector<int64_t> shape) {
  Tensor t(dtype_of<T>(), std::move(shape));
  auto out = t.mutable_data<T>();
  for (size_t i = 0; i < out.size() && i < values.size(); ++i) out[i] = values[i];
  return t;
}

}  // namespace nnc
