// nnc core: shared helpers of the shape kernels: outputs, dtype conversion, strided and permuted copies.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "exec/kernels_shape_common.h"

namespace nnc::exec::shape_ops {

std::string dims_text(const std::vector<int64_t>& dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); ++i) out += (i ? ", " : "") + std::to_string(dims[i]);
  return out + "]";
}

size_t element_bytes(DType t) {
  if (t == DType::kI4 || t == DType::kUndefined) return 0;
  return static_cast<size_t>(dtype_bits(t) / 8);
}

Expected<size_t> movable_element_bytes(const Tensor& t, const KernelArgs& args) {
  size_t bytes = element_bytes(t.dtype());
  if (bytes == 0) return args.unsupported(std::string("dtype ") + dtype_name(t.dtype()) + " is not supported here");
  return bytes;
}

Expected<const Tensor*> required_input(const KernelArgs& args, size_t i, const char* what) {
  const Tensor* t = args.input(i);
  if (!t) return args.error(std::string("missing required input ") + std::to_string(i) + " (" + what + ")");
  return t;
}

Expected<Tensor*> new_output(KernelArgs& args, size_t i, DType dtype, std::vector<int64_t> shape) {
  if (i >= args.outputs.size())
    return args.error("the node has no output " + std::to_string(i) + " (it has " +
                      std::to_string(args.outputs.size()) + ")");
  constexpr int64_t kMaxElements = int64_t{1} << 40;
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0) return args.error("cannot create an output of shape " + dims_text(shape) + " (negative dimension)");
    if (d != 0 && count > kMaxElements / d)
      return args.error("output shape " + dims_text(shape) + " is too large");
    count *= d;
  }
  args.outputs[i] = Tensor(dtype, std::move(shape));
  return &args.outputs[i];
}

Expected<std::optional<std::vector<int64_t>>> ints_from_input_or_attr(const KernelArgs& args, size_t input_index,
                                                                      const char* attr) {
  if (const Tensor* t = args.input(input_index)) {
    NNC_ASSIGN_OR_RETURN(auto values, read_int_values(*t, args, attr));
    return std::optional<std::vector<int64_t>>(std::move(values));
  }
  if (has_attr(args.node, attr)) return std::optional<std::vector<int64_t>>(attr_ints(args.node, attr));
  return std::optional<std::vector<int64_t>>();
}

uint16_t float_to_half_bits(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t raw_exp = (x >> 23) & 0xffu;
  uint32_t mant = x & 0x7fffffu;
  if (raw_exp == 0xff) return static_cast<uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0u));
  int32_t exp = static_cast<int32_t>(raw_exp) - 127 + 15;
  if (exp >= 31) return static_cast<uint16_t>(sign | 0x7c00u);
  if (exp <= 0) {  // subnormal half (or zero)
    if (exp < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000u;
    uint32_t shift = static_cast<uint32_t>(14 - exp);
    uint32_t half = mant >> shift;
    uint32_t rest = mant & ((1u << shift) - 1);
    uint32_t middle = 1u << (shift - 1);
    if (rest > middle || (rest == middle && (half & 1u))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = sign | (static_cast<uint32_t>(exp) << 10) | (mant >> 13);
  uint32_t rest = mant & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;  // a carry into the exponent is correct
  return static_cast<uint16_t>(half);
}

float half_bits_to_float(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0 && mant == 0) {
    bits = sign;
  } else if (exp == 0) {
    exp = 127 - 15 + 1;
    while ((mant & 0x400u) == 0) {
      mant <<= 1;
      --exp;
    }
    bits = sign | (exp << 23) | ((mant & 0x3ffu) << 13);
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

namespace {

template <typename T>
void store_as(T v, std::byte* dst) {
  std::memcpy(dst, &v, sizeof v);
}

/// double -> unsigned integer without undefined behaviour: negatives wrap like int64 would, values
/// beyond the type's range wrap modulo 2^bits, NaN gives 0.
template <typename U>
U to_unsigned(double v) {
  if (!(v == v)) return U(0);
  if (v < 0) return static_cast<U>(static_cast<int64_t>(std::max(v, -9.2233720368547758e18)));
  return static_cast<U>(v >= 1.8446744073709552e19 ? ~uint64_t{0} : static_cast<uint64_t>(v));
}

template <typename T>
T load_as(const std::byte* base, int64_t i) {
  T v;
  std::memcpy(&v, base + static_cast<size_t>(i) * sizeof(T), sizeof v);
  return v;
}

uint16_t float_to_bf16_bits(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);  // quiet NaN
  x += 0x7fffu + ((x >> 16) & 1u);
  return static_cast<uint16_t>(x >> 16);
}

}  // namespace

void store_double(DType dtype, double value, std::byte* dst) {
  switch (dtype) {
    case DType::kF32: return store_as(static_cast<float>(value), dst);
    case DType::kF64: return store_as(value, dst);
    case DType::kF16: return store_as(float_to_half_bits(static_cast<float>(value)), dst);
    case DType::kBF16: return store_as(float_to_bf16_bits(static_cast<float>(value)), dst);
    case DType::kI64: return store_as(static_cast<int64_t>(value), dst);
    case DType::kI32: return store_as(static_cast<int32_t>(value), dst);
    case DType::kI16: return store_as(static_cast<int16_t>(value), dst);
    case DType::kI8: return store_as(static_cast<int8_t>(value), dst);
    case DType::kU8: return store_as(to_unsigned<uint8_t>(value), dst);
    case DType::kU16: return store_as(to_unsigned<uint16_t>(value), dst);
    case DType::kU32: return store_as(to_unsigned<uint32_t>(value), dst);
    case DType::kU64: return store_as(to_unsigned<uint64_t>(value), dst);
    case DType::kBool: return store_as(static_cast<uint8_t>(value != 0.0), dst);
    default: return;
  }
}

double load_double(DType dtype, const std::byte* base, int64_t i) {
  switch (dtype) {
    case DType::kF32: return load_as<float>(base, i);
    case DType::kF64: return load_as<double>(base, i);
    case DType::kF16: return half_bits_to_float(load_as<uint16_t>(base, i));
    case DType::kBF16: {
      uint32_t bits = static_cast<uint32_t>(load_as<uint16_t>(base, i)) << 16;
      float f;
      std::memcpy(&f, &bits, sizeof f);
      return f;
    }
    case DType::kI64: return static_cast<double>(load_as<int64_t>(base, i));
    case DType::kI32: return load_as<int32_t>(base, i);
    case DType::kI16: return load_as<int16_t>(base, i);
    case DType::kI8: return load_as<int8_t>(base, i);
    case DType::kU8: return load_as<uint8_t>(base, i);
    case DType::kU16: return load_as<uint16_t>(base, i);
    case DType::kU32: return load_as<uint32_t>(base, i);
    case DType::kU64: return static_cast<double>(load_as<uint64_t>(base, i));
    case DType::kBool: return load_as<uint8_t>(base, i) != 0 ? 1.0 : 0.0;
    default: return std::nan("");
  }
}

// ---------------------------------------------------------------------------------------------
// Strided copy

namespace {

/// Drops size-1 dims and merges neighbours that are contiguous in the source.
void simplify_layout(std::vector<int64_t>& shape, std::vector<int64_t>& strides) {
  std::vector<int64_t> s, st;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    if (!s.empty() && st.back() == strides[i] * shape[i]) {
      s.back() *= shape[i];
      st.back() = strides[i];
      continue;
    }
    s.push_back(shape[i]);
    st.push_back(strides[i]);
  }
  if (s.empty()) {
    s.push_back(1);
    st.push_back(1);
  }
  shape = std::move(s);
  strides = std::move(st);
}

template <typename T>
void copy_strided_row(const std::byte* src, std::byte* dst, int64_t count, int64_t stride) {
  const T* s = reinterpret_cast<const T*>(src);
  T* d = reinterpret_cast<T*>(dst);
  for (int64_t i = 0; i < count; ++i) d[i] = s[i * stride];
}

void copy_row(const std::byte* src, std::byte* dst, int64_t count, int64_t stride, size_t elem) {
  if (stride == 1) {
    std::memcpy(dst, src, static_cast<size_t>(count) * elem);
    return;
  }
  switch (elem) {
    case 1: return copy_strided_row<uint8_t>(src, dst, count, stride);
    case 2: return copy_strided_row<uint16_t>(src, dst, count, stride);
    case 4: return copy_strided_row<uint32_t>(src, dst, count, stride);
    case 8: return copy_strided_row<uint64_t>(src, dst, count, stride);
    default:
      for (int64_t i = 0; i < count; ++i)
        std::memcpy(dst + static_cast<size_t>(i) * elem, src + static_cast<std::ptrdiff_t>(i * stride) * elem, elem);
  }
}

}  // namespace

void strided_copy(const std::byte* src, std::byte* dst, size_t elem, std::vector<int64_t> shape,
                  std::vector<int64_t> strides, int64_t offset, ThreadPool& pool) {
  if (product(shape) == 0) return;
  simplify_layout(shape, strides);
  const int64_t inner = shape.back();
  const int64_t inner_stride = strides.back();
  const int64_t rows = product(shape) / inner;
  const size_t outer_rank = shape.size() - 1;
  auto body = [&](int64_t begin, int64_t end) {
    std::vector<int64_t> coord(outer_rank, 0);
    int64_t src_row = offset;
    int64_t rest = begin;
    for (size_t d = outer_rank; d-- > 0;) {
      coord[d] = rest % shape[d];
      rest /= shape[d];
      src_row += coord[d] * strides[d];
    }
    for (int64_t row = begin; row < end; ++row) {
      copy_row(src + static_cast<std::ptrdiff_t>(src_row) * static_cast<std::ptrdiff_t>(elem),
               dst + static_cast<size_t>(row * inner) * elem, inner, inner_stride, elem);
      for (size_t d = outer_rank; d-- > 0;) {
        src_row += strides[d];
        if (++coord[d] < shape[d]) break;
        src_row -= strides[d] * shape[d];
        coord[d] = 0;
      }
    }
  };
  pool.parallel_for(rows, body, std::max<int64_t>(1, 16384 / std::max<int64_t>(inner, 1)));
}

// ---------------------------------------------------------------------------------------------
// Permutation

namespace {

constexpr int64_t kTile = 32;

/// Transposes one tile through a local buffer so both sides are touched in contiguous runs (no cache-set
/// thrashing on power-of-two row pitches).
template <typename T>
void transpose_tile(const T* src, T* dst, int64_t rows, int64_t cols, int64_t r0, int64_t c0) {
  T buffer[kTile][kTile];
  const int64_t nr = std::min(rows, r0 + kTile) - r0, nc = std::min(cols, c0 + kTile) - c0;
  for (int64_t r = 0; r < nr; ++r) {
    const T* s = src + (r0 + r) * cols + c0;
    for (int64_t c = 0; c < nc; ++c) buffer[c][r] = s[c];
  }
  for (int64_t c = 0; c < nc; ++c)
    std::memcpy(dst + (c0 + c) * rows + r0, buffer[c], static_cast<size_t>(nr) * sizeof(T));
}

/// src [batch, rows, cols] -> dst [batch, cols, rows], in cache-sized tiles.
template <typename T>
void batched_transpose(const std::byte* src, std::byte* dst, int64_t batch, int64_t rows, int64_t cols,
                       ThreadPool& pool) {
  const int64_t row_tiles = (rows + kTile - 1) / kTile, col_tiles = (cols + kTile - 1) / kTile;
  const int64_t tiles_per_batch = row_tiles * col_tiles;
  pool.parallel_for(batch * tiles_per_batch, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      int64_t b = t / tiles_per_batch, in_batch = t % tiles_per_batch;
      const T* s = reinterpret_cast<const T*>(src) + b * rows * cols;
      T* d = reinterpret_cast<T*>(dst) + b * rows * cols;
      transpose_tile(s, d, rows, cols, (in_batch / col_tiles) * kTile, (in_batch % col_tiles) * kTile);
    }
  }, 4);
}

bool batched_transpose_by_size(const std::byte* src, std::byte* dst, size_t elem, int64_t batch, int64_t rows,
                               int64_t cols, ThreadPool& pool) {
  switch (elem) {
    case 1: batched_transpose<uint8_t>(src, dst, batch, rows, cols, pool); return true;
    case 2: batched_transpose<uint16_t>(src, dst, batch, rows, cols, pool); return true;
    case 4: batched_transpose<uint32_t>(src, dst, batch, rows, cols, pool); return true;
    case 8: batched_transpose<uint64_t>(src, dst, batch, rows, cols, pool); return true;
    default: return false;
  }
}

}  // namespace

void permute_copy(const std::byte* src, std::byte* dst, size_t elem, const std::vector<int64_t>& in_shape,
                  const std::vector<int64_t>& perm, ThreadPool& pool) {
  if (product(in_shape) == 0) return;
  // Keep input axes of size > 1, then merge input axes that stay adjacent in the output.
  std::vector<int64_t> kept_perm;
  for (int64_t axis : perm)
    if (in_shape[axis] != 1) kept_perm.push_back(axis);
  std::vector<int64_t> groups;  // output order; each entry = first input axis of a merged run
  std::vector<int64_t> group_size;
  for (size_t i = 0; i < kept_perm.size(); ++i) {
    int64_t axis = kept_perm[i];
    bool continues = i > 0 && [&] {
      int64_t prev = kept_perm[i - 1];
      for (int64_t a = prev + 1; a < axis; ++a)
        if (in_shape[a] != 1) return false;
      return axis > prev;
    }();
    if (continues) {
      group_size.back() *= in_shape[axis];
    } else {
      groups.push_back(axis);
      group_size.push_back(in_shape[axis]);
    }
  }
  // Rank of each group in input order gives the canonical permutation.
  std::vector<int64_t> order(groups.size());
  for (size_t i = 0; i < groups.size(); ++i)
    order[i] = std::count_if(groups.begin(), groups.end(), [&](int64_t g) { return g < groups[i]; });
  std::vector<int64_t> dims(groups.size());  // merged dims in input order
  for (size_t i = 0; i < groups.size(); ++i) dims[order[i]] = group_size[i];

  if (order.size() <= 1) {
    std::memcpy(dst, src, static_cast<size_t>(product(in_shape)) * elem);
    return;
  }
  if (order == std::vector<int64_t>{1, 0} && batched_transpose_by_size(src, dst, elem, 1, dims[0], dims[1], pool))
    return;
  if (order == std::vector<int64_t>{0, 2, 1} &&
      batched_transpose_by_size(src, dst, elem, dims[0], dims[1], dims[2], pool))
    return;
  std::vector<int64_t> in_strides = strides_of(dims);
  std::vector<int64_t> out_shape(order.size()), src_strides(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    out_shape[i] = dims[order[i]];
    src_strides[i] = in_strides[order[i]];
  }
  strided_copy(src, dst, elem, out_shape, src_strides, 0, pool);
}

}  // namespace nnc::exec::shape_ops
