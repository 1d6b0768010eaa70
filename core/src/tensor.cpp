// nnc core: tensor storage: heap buffers, memory-mapped file regions, typed helpers.
#include "nnc/tensor.h"

#include "buffer_pool.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace nnc {
namespace {

class HeapBuffer final : public Buffer {
 public:
  explicit HeapBuffer(size_t size) : bytes_(size) {}
  const std::byte* data() const noexcept override { return bytes_.data(); }
  std::byte* mutable_data() noexcept override { return bytes_.data(); }
  size_t size() const noexcept override { return bytes_.size(); }

 private:
  std::vector<std::byte> bytes_;
};

class MappedBuffer final : public Buffer {
 public:
  MappedBuffer(void* base, size_t mapped_length, size_t delta, size_t length)
      : base_(base), mapped_length_(mapped_length), delta_(delta), length_(length) {}
  ~MappedBuffer() override {
    if (base_ && mapped_length_) munmap(base_, mapped_length_);
  }
  const std::byte* data() const noexcept override { return static_cast<const std::byte*>(base_) + delta_; }
  std::byte* mutable_data() noexcept override { return nullptr; }
  size_t size() const noexcept override { return length_; }
  bool is_mapped() const noexcept override { return true; }

 private:
  void* base_;
  size_t mapped_length_;
  size_t delta_;
  size_t length_;
};

float half_to_float(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exp = 127 - 15 + 1;
      while ((mant & 0x400) == 0) {
        mant <<= 1;
        --exp;
      }
      mant &= 0x3ff;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

}  // namespace

std::shared_ptr<Buffer> Buffer::allocate(size_t size) {
  if (auto* pool = detail::active_buffer_pool(); pool && size > 0) return pool->allocate(size, true);
  return std::make_shared<HeapBuffer>(size);
}

std::shared_ptr<Buffer> Buffer::allocate_uninitialized(size_t size) {
  if (auto* pool = detail::active_buffer_pool(); pool && size > 0) return pool->allocate(size, false);
  return std::make_shared<HeapBuffer>(size);
}

std::shared_ptr<Buffer> Buffer::copy_of(std::span<const std::byte> bytes) {
  auto b = std::make_shared<HeapBuffer>(bytes.size());
  if (!bytes.empty()) std::memcpy(b->mutable_data(), bytes.data(), bytes.size());
  return b;
}

Expected<std::shared_ptr<Buffer>> Buffer::map_file(const std::filesystem::path& path, size_t offset, size_t length) {
  Location where{path.string()};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return make_error(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIoError,
                      "cannot open '" + path.string() + "': " + std::strerror(errno), where);
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return make_error(ErrorCode::kIoError, "cannot stat '" + path.string() + "': " + std::strerror(err), where);
  }
  auto file_size = static_cast<size_t>(st.st_size);
  if (offset > file_size || (length != 0 && length > file_size - offset)) {
    ::close(fd);
    return make_error(ErrorCode::kIoError,
                      "'" + path.string() + "' is too short: need bytes [" + std::to_string(offset) + ", " +
                          std::to_string(offset + length) + ") but the file has " + std::to_string(file_size),
                      where, "the file is truncated or does not belong to this model");
  }
  if (length == 0) length = file_size - offset;
  if (length == 0) {
    ::close(fd);
    return std::shared_ptr<Buffer>(std::make_shared<HeapBuffer>(0));
  }
  auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t aligned = offset - offset % page;
  size_t delta = offset - aligned;
  void* base = mmap(nullptr, length + delta, PROT_READ, MAP_PRIVATE, fd, static_cast<off_t>(aligned));
  int err = errno;
  ::close(fd);
  if (base == MAP_FAILED) {
    return make_error(ErrorCode::kIoError, "cannot map '" + path.string() + "': " + std::strerror(err), where);
  }
  return std::shared_ptr<Buffer>(std::make_shared<MappedBuffer>(base, length + delta, delta, length));
}

Tensor::Tensor(DType dtype, std::vector<int64_t> shape) : dtype_(dtype), shape_(std::move(shape)) {
  buffer_ = Buffer::allocate(storage_bytes());
}

Tensor Tensor::uninitialized(DType dtype, std::vector<int64_t> shape) {
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  auto buffer = Buffer::allocate_uninitialized(dtype_storage_bytes(dtype, count));
  return Tensor(dtype, std::move(shape), std::move(buffer));
}

Tensor::Tensor(DType dtype, std::vector<int64_t> shape, std::shared_ptr<Buffer> buffer, size_t offset)
    : dtype_(dtype), shape_(std::move(shape)), buffer_(std::move(buffer)), offset_(offset) {
  if (!buffer_ || buffer_->size() < offset_ + storage_bytes()) {
    throw std::invalid_argument("nnc::Tensor: buffer of " + std::to_string(buffer_ ? buffer_->size() : 0) +
                                " bytes cannot hold " + description() + " at offset " + std::to_string(offset_));
  }
}

int64_t Tensor::element_count() const noexcept {
  int64_t n = 1;
  for (int64_t d : shape_) n *= d;
  return n;
}

Tensor Tensor::clone() const {
  Tensor t;
  t.dtype_ = dtype_;
  t.shape_ = shape_;
  t.buffer_ = Buffer::copy_of({raw_data(), storage_bytes()});
  return t;
}

Expected<Tensor> Tensor::reshaped(std::vector<int64_t> shape) const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  if (n != element_count()) {
    return make_error(ErrorCode::kInvalidArgument, "cannot reshape " + description() + " to " +
                                                       std::to_string(n) + " elements");
  }
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

std::string Tensor::description() const {
  std::string out = std::string(dtype_name(dtype_)) + "[";
  for (size_t i = 0; i < shape_.size(); ++i) out += (i ? ", " : "") + std::to_string(shape_[i]);
  return out + "]";
}

double Tensor::value_as_double(int64_t i) const {
  const std::byte* p = raw_data();
  if (!p || i < 0 || i >= element_count()) return std::nan("");
  auto load = [&](auto tag) {
    using T = decltype(tag);
    T v;
    std::memcpy(&v, p + static_cast<size_t>(i) * sizeof(T), sizeof(T));
    return static_cast<double>(v);
  };
  switch (dtype_) {
    case DType::kF32: return load(float{});
    case DType::kF64: return load(double{});
    case DType::kI64: return load(int64_t{});
    case DType::kI32: return load(int32_t{});
    case DType::kI16: return load(int16_t{});
    case DType::kI8: return load(int8_t{});
    case DType::kU8: return load(uint8_t{});
    case DType::kU16: return load(uint16_t{});
    case DType::kU32: return load(uint32_t{});
    case DType::kU64: return load(uint64_t{});
    case DType::kBool: return load(uint8_t{}) != 0 ? 1.0 : 0.0;
    case DType::kF16: return half_to_float(static_cast<uint16_t>(load(uint16_t{})));
    case DType::kBF16: {
      uint32_t bits = static_cast<uint32_t>(load(uint16_t{})) << 16;
      float f;
      std::memcpy(&f, &bits, sizeof f);
      return f;
    }
    case DType::kI4: {
      auto byte = static_cast<uint8_t>(p[i / 2]);
      int nibble = (i % 2 == 0) ? (byte & 0x0f) : (byte >> 4);
      return nibble >= 8 ? nibble - 16 : nibble;
    }
    case DType::kUndefined: break;
  }
  return std::nan("");
}

}  // namespace nnc
