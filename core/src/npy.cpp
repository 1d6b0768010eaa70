// nnc core: NumPy .npy reading and writing (header dict, byte order, Fortran order, dtypes).
#include "nnc/npy.h"

#include <algorithm>
#include <cctype>
#include <bit>
#include <cstdio>
#include <cstring>
#include <map>
#include <new>
#include <optional>
#include <string_view>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

namespace nnc {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr size_t kPreambleBytes = 8;          // magic + major + minor
constexpr size_t kMaxHeaderBytes = 1u << 20;  // numpy itself refuses far less by default
constexpr size_t kMaxRank = 64;
constexpr int kMaxNesting = 8;
constexpr size_t kDataAlignment = 64;
constexpr const char* kSupportedList = "f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1";

Location file_location(const std::string& file) {
  Location location;
  location.file = file;
  return location;
}

Status npy_error(ErrorCode code, const std::string& origin, std::string message, std::string hint = {}) {
  return make_error(code, std::move(message), file_location(origin), std::move(hint));
}

uint32_t load_le(const std::byte* p, size_t bytes) {
  uint32_t v = 0;
  for (size_t i = 0; i < bytes; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}

/// Printable excerpt of a header for error messages (non-printable bytes escaped, long ones cut).
std::string excerpt(std::string_view text) {
  constexpr size_t kMaxShown = 80;
  std::string out;
  for (size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    char escaped[8];
    auto c = static_cast<unsigned char>(text[i]);
    std::snprintf(escaped, sizeof escaped, c >= 0x20 && c < 0x7f ? "%c" : "\\x%02x", c);
    out += escaped;
  }
  return text.size() > kMaxShown ? out + "..." : out;
}

// ---- header dict: a tiny parser for the Python literal subset numpy writes ---------------------

struct PyValue {
  enum class Kind { kString, kBool, kInt, kNone, kSequence };
  explicit PyValue(Kind k = Kind::kNone, bool f = false) : kind(k), flag(f) {}
  Kind kind;
  bool flag;
  std::string text;
  int64_t number = 0;
  std::vector<PyValue> items;
};

class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& origin) : text_(text), origin_(origin) {}

  Expected<std::map<std::string, PyValue>> parse_dict() {
    std::map<std::string, PyValue> dict;
    skip_space();
    if (!consume('{')) return malformed("expected '{' at the start of the header dict");
    while (true) {
      skip_space();
      if (consume('}')) break;
      NNC_ASSIGN_OR_RETURN(PyValue key, parse_value(0));
      if (key.kind != PyValue::Kind::kString) return malformed("dict keys must be strings");
      skip_space();
      if (!consume(':')) return malformed("expected ':' after key '" + key.text + "'");
      NNC_ASSIGN_OR_RETURN(PyValue value, parse_value(0));
      dict[key.text] = std::move(value);
      skip_space();
      if (consume('}')) break;
      if (!consume(',')) return malformed("expected ',' or '}' after the value of '" + key.text + "'");
    }
    skip_space();
    if (pos_ != text_.size()) return malformed("unexpected text after the header dict");
    return dict;
  }

 private:
  Expected<PyValue> parse_value(int depth) {
    if (depth > kMaxNesting) return malformed("values nested too deeply");
    skip_space();
    if (pos_ >= text_.size()) return malformed("header ends in the middle of a value");
    char c = text_[pos_];
    if (c == '\'' || c == '"') return parse_string(c);
    if (c == '(' || c == '[') return parse_sequence(c == '(' ? ')' : ']', depth);
    if (c == '-' || (c >= '0' && c <= '9')) return parse_int();
    for (auto [word, kind, flag] :
         {std::tuple{"True", PyValue::Kind::kBool, true}, std::tuple{"False", PyValue::Kind::kBool, false},
          std::tuple{"None", PyValue::Kind::kNone, false}}) {
      if (!text_.substr(pos_).starts_with(word)) continue;
      pos_ += std::strlen(word);
      return PyValue{kind, flag};
    }
    return malformed(std::string("unexpected character '") + excerpt(text_.substr(pos_, 1)) + "'");
  }

  Expected<PyValue> parse_string(char quote) {
    PyValue value(PyValue::Kind::kString);
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
      value.text += text_[pos_++];
    }
    if (!consume(quote)) return malformed("unterminated string");
    return value;
  }

  Expected<PyValue> parse_int() {
    bool negative = consume('-');
    PyValue value(PyValue::Kind::kInt);
    size_t digits = 0;
    for (; pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; ++pos_, ++digits) {
      if (__builtin_mul_overflow(value.number, 10, &value.number) ||
          __builtin_add_overflow(value.number, text_[pos_] - '0', &value.number)) {
        return npy_error(ErrorCode::kParseError, origin_, "integer in .npy header does not fit in 64 bits");
      }
    }
    if (digits == 0) return malformed("expected digits after '-'");
    consume('L');  // Python 2 long literal, e.g. (3L, 4L)
    if (negative) value.number = -value.number;
    return value;
  }

  Expected<PyValue> parse_sequence(char close, int depth) {
    PyValue value(PyValue::Kind::kSequence);
    ++pos_;
    while (true) {
      skip_space();
      if (consume(close)) return value;
      NNC_ASSIGN_OR_RETURN(PyValue item, parse_value(depth + 1));
      value.items.push_back(std::move(item));
      if (value.items.size() > kMaxRank * 4) return malformed("sequence too long");
      skip_space();
      if (consume(close)) return value;
      if (!consume(',')) return malformed(std::string("expected ',' or '") + close + "' in a sequence");
    }
  }

  void skip_space() {
    constexpr std::string_view kSpace(" \t\r\n\0", 5);
    while (pos_ < text_.size() && kSpace.find(text_[pos_]) != std::string_view::npos) ++pos_;
  }
  bool consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) return ++pos_, true;
    return false;
  }
  Status malformed(const std::string& what) const {
    return npy_error(
        ErrorCode::kParseError, origin_,
        "malformed .npy header: " + what + " at offset " + std::to_string(pos_) + " in \"" + excerpt(text_) + "\"",
        "the file was not written by numpy.save, or is corrupt");
  }

  std::string_view text_;
  const std::string& origin_;
  size_t pos_ = 0;
};

// ---- header interpretation ---------------------------------------------------------------------

struct NpyLayout {
  DType dtype = DType::kUndefined;
  size_t item_size = 0;
  bool big_endian = false;
  bool fortran_order = false;
  std::vector<int64_t> shape;
  size_t data_bytes = 0;
};

struct SupportedCode {
  char kind;
  int size;
  DType dtype;
};
constexpr SupportedCode kSupportedCodes[] = {
    {'f', 2, DType::kF16}, {'f', 4, DType::kF32}, {'f', 8, DType::kF64}, {'i', 1, DType::kI8},   {'i', 2, DType::kI16},
    {'i', 4, DType::kI32}, {'i', 8, DType::kI64}, {'u', 1, DType::kU8},  {'u', 2, DType::kU16}, {'u', 4, DType::kU32},
    {'u', 8, DType::kU64}, {'b', 1, DType::kBool},
};

std::optional<DType> supported_dtype(char kind, int size) {
  for (const SupportedCode& code : kSupportedCodes)
    if (code.kind == kind && code.size == size) return code.dtype;
  return std::nullopt;
}

struct UnsupportedKind {
  std::string_view kinds, what, hint;
};
constexpr UnsupportedKind kUnsupportedKinds[] = {
    {"c", " (complex numbers)", "store the real and imaginary parts as two float32 arrays"},
    {"O", " (Python objects, which need pickle; nnc never loads pickles)",
     "save a numeric array instead, e.g. np.asarray(x, dtype=np.float32)"},
    {"U", " (unicode strings)", ""},
    {"Sa", " (byte strings)", ""},
    {"V", " (raw void / record bytes)", ""},
    {"Mm", " (datetime / timedelta)", ""},
};

Status unsupported_dtype(const std::string& descr, char kind, const std::string& origin) {
  std::string what = "unsupported dtype '" + descr + "'";
  std::string hint = std::string("nnc reads ") + kSupportedList + "; convert with arr.astype(np.float32)";
  for (const UnsupportedKind& known : kUnsupportedKinds) {
    if (known.kinds.find(kind) == std::string_view::npos) continue;
    what += known.what;
    if (!known.hint.empty()) hint = known.hint;
  }
  return npy_error(ErrorCode::kUnsupported, origin, what, hint);
}

Status parse_descr(const std::string& descr, const std::string& origin, NpyLayout& layout) {
  size_t pos = 0;
  char order = '=';
  if (!descr.empty() && std::string_view("<>|=").find(descr[0]) != std::string_view::npos) order = descr[pos++];
  if (pos >= descr.size()) return npy_error(ErrorCode::kParseError, origin, "malformed dtype '" + descr + "'");
  char kind = descr[pos++];
  int size = 0;
  for (; pos < descr.size() && descr[pos] >= '0' && descr[pos] <= '9' && size < 1000; ++pos)
    size = size * 10 + (descr[pos] - '0');
  auto dtype = supported_dtype(kind, size);
  if (!dtype || pos != descr.size()) return unsupported_dtype(descr, kind, origin);
  layout.dtype = *dtype;
  layout.item_size = static_cast<size_t>(size);
  bool native_big = std::endian::native == std::endian::big;
  layout.big_endian = order == '>' || ((order == '=' || order == '|') && native_big);
  return Status::ok();
}

Status parse_shape(const PyValue& value, const std::string& origin, NpyLayout& layout) {
  if (value.kind != PyValue::Kind::kSequence)
    return npy_error(ErrorCode::kParseError, origin, "malformed .npy header: 'shape' is not a tuple");
  if (value.items.size() > kMaxRank)
    return npy_error(
        ErrorCode::kUnsupported, origin,
        "rank " + std::to_string(value.items.size()) + " exceeds the maximum of " + std::to_string(kMaxRank));
  int64_t count = 1;
  bool overflow = false;
  for (const PyValue& dim : value.items) {
    if (dim.kind != PyValue::Kind::kInt || dim.number < 0)
      return npy_error(ErrorCode::kParseError, origin,
                       "malformed .npy header: shape dimensions must be non-negative integers");
    layout.shape.push_back(dim.number);
    overflow = overflow || __builtin_mul_overflow(count, dim.number, &count);
  }
  size_t bytes = 0;
  if (!overflow && count != 0) overflow = __builtin_mul_overflow(static_cast<size_t>(count), layout.item_size, &bytes);
  if (overflow)
    return npy_error(ErrorCode::kParseError, origin, "shape has too many elements: the byte size overflows 64 bits",
                     "the header is corrupt");
  layout.data_bytes = count == 0 ? 0 : bytes;
  return Status::ok();
}

Status interpret_header(std::string_view header, const std::string& origin, NpyLayout& layout) {
  HeaderParser parser(header, origin);
  NNC_ASSIGN_OR_RETURN(auto dict, parser.parse_dict());
  for (const char* key : {"descr", "fortran_order", "shape"}) {
    if (!dict.count(key))
      return npy_error(ErrorCode::kParseError, origin,
                       std::string("malformed .npy header: no '") + key + "' key in \"" + excerpt(header) + "\"");
  }
  const PyValue& descr = dict["descr"];
  if (descr.kind == PyValue::Kind::kSequence)
    return npy_error(ErrorCode::kUnsupported, origin, "unsupported structured dtype (record array with named fields)",
                     "save each field as its own array");
  if (descr.kind != PyValue::Kind::kString)
    return npy_error(ErrorCode::kParseError, origin, "malformed .npy header: 'descr' is not a string");
  if (dict["fortran_order"].kind != PyValue::Kind::kBool)
    return npy_error(ErrorCode::kParseError, origin, "malformed .npy header: 'fortran_order' is not True or False");
  layout.fortran_order = dict["fortran_order"].flag;
  NNC_RETURN_IF_ERROR(parse_descr(descr.text, origin, layout));
  return parse_shape(dict["shape"], origin, layout);
}

// ---- element conversion ------------------------------------------------------------------------

/// Copies column-major elements into row-major order.
void transpose_fortran_to_c(const std::byte* src, std::byte* dst, const std::vector<int64_t>& shape, size_t item) {
  size_t rank = shape.size();
  std::vector<size_t> fortran_stride(rank, 1), index(rank, 0);
  for (size_t k = 1; k < rank; ++k) fortran_stride[k] = fortran_stride[k - 1] * static_cast<size_t>(shape[k - 1]);
  size_t count = 1;
  for (int64_t d : shape) count *= static_cast<size_t>(d);
  size_t src_element = 0;
  for (size_t i = 0; i < count; ++i) {
    std::memcpy(dst + i * item, src + src_element * item, item);
    for (size_t k = rank; k-- > 0;) {  // odometer over the row-major index, last axis fastest
      src_element += fortran_stride[k];
      if (++index[k] < static_cast<size_t>(shape[k])) break;
      src_element -= fortran_stride[k] * index[k];
      index[k] = 0;
    }
  }
}

void swap_bytes_in_place(std::byte* data, size_t bytes, size_t item) {
  for (size_t off = 0; off + item <= bytes; off += item) std::reverse(data + off, data + off + item);
}

Tensor decode_elements(const NpyLayout& layout, const std::byte* src) {
  Tensor tensor(layout.dtype, layout.shape);
  if (layout.data_bytes == 0) return tensor;
  std::byte* dst = tensor.mutable_raw_data();
  if (layout.fortran_order && layout.shape.size() > 1)
    transpose_fortran_to_c(src, dst, layout.shape, layout.item_size);
  else
    std::memcpy(dst, src, layout.data_bytes);
  bool native_big = std::endian::native == std::endian::big;
  if (layout.item_size > 1 && layout.big_endian != native_big)
    swap_bytes_in_place(dst, layout.data_bytes, layout.item_size);
  if (layout.dtype == DType::kBool) {  // any non-zero byte is True; keep bool storage canonical (0/1)
    for (size_t i = 0; i < layout.data_bytes; ++i) dst[i] = dst[i] != std::byte{0} ? std::byte{1} : std::byte{0};
  }
  return tensor;
}

struct NpyPreamble {
  std::string_view header;
  size_t data_offset = 0;
};

/// Checks magic and version and locates the header dict and the data.
Expected<NpyPreamble> read_preamble(const std::byte* data, size_t size, const std::string& origin) {
  if (size < kPreambleBytes || std::memcmp(data, kMagic.data(), kMagic.size()) != 0)
    return npy_error(ErrorCode::kParseError, origin,
                     "not a .npy file: bad magic (expected \"\\x93NUMPY\", found \"" +
                         excerpt({reinterpret_cast<const char*>(data), std::min<size_t>(size, 6)}) + "\")");
  auto major = static_cast<unsigned>(data[6]), minor = static_cast<unsigned>(data[7]);
  if (major < 1 || major > 3 || minor != 0)
    return npy_error(ErrorCode::kVersionMismatch, origin,
                     "unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                         " (nnc reads 1.0, 2.0 and 3.0)");
  size_t length_bytes = major == 1 ? 2 : 4;
  size_t header_start = kPreambleBytes + length_bytes;
  if (size < header_start)
    return npy_error(ErrorCode::kParseError, origin, "truncated .npy header: file ends inside the header length");
  size_t header_len = load_le(data + kPreambleBytes, length_bytes);
  if (header_len > kMaxHeaderBytes)
    return npy_error(ErrorCode::kParseError, origin,
                     "header length " + std::to_string(header_len) + " exceeds the limit of " +
                         std::to_string(kMaxHeaderBytes) + " bytes");
  if (size - header_start < header_len)
    return npy_error(ErrorCode::kParseError, origin,
                     "truncated .npy header: expected " + std::to_string(header_len) + " header bytes, found " +
                         std::to_string(size - header_start));
  return NpyPreamble{{reinterpret_cast<const char*>(data + header_start), header_len}, header_start + header_len};
}

Expected<Tensor> parse_npy_unchecked(const std::byte* data, size_t size, const std::string& origin) {
  NNC_ASSIGN_OR_RETURN(NpyPreamble preamble, read_preamble(data, size, origin));
  NpyLayout layout;
  NNC_RETURN_IF_ERROR(interpret_header(preamble.header, origin, layout));
  size_t present = size - preamble.data_offset;
  if (present < layout.data_bytes)
    return npy_error(ErrorCode::kParseError, origin,
                     "truncated .npy data: expected " + std::to_string(layout.data_bytes) + " bytes, found " +
                         std::to_string(present),
                     "the file is incomplete; write it again");
  return decode_elements(layout, data + preamble.data_offset);
}

// ---- writing -----------------------------------------------------------------------------------

Expected<std::string> numpy_descr(DType dtype) {
  for (const SupportedCode& code : kSupportedCodes)
    if (code.dtype == dtype) return std::string(code.size == 1 ? "|" : "<") + code.kind + std::to_string(code.size);
  if (dtype == DType::kBF16)
    return make_error(ErrorCode::kUnsupported, "dtype bf16 has no NumPy equivalent", {},
                      "cast the tensor to float32 first");
  if (dtype == DType::kI4)
    return make_error(ErrorCode::kUnsupported, "dtype i4 (packed 4-bit) has no NumPy equivalent", {},
                      "cast the tensor to int8 first");
  return make_error(ErrorCode::kInvalidArgument, "cannot save a tensor of undefined dtype as .npy");
}

std::string shape_literal(const std::vector<int64_t>& shape) {
  std::string out = "(";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + (shape.size() == 1 ? ",)" : ")");
}

void append_le(std::string& out, uint32_t value, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
}

}  // namespace

Expected<Tensor> parse_npy(const std::byte* data, size_t size, const std::string& origin) {
  if (data == nullptr && size != 0) return npy_error(ErrorCode::kInvalidArgument, origin, "no bytes to parse");
  try {
    return parse_npy_unchecked(data, size, origin);
  } catch (const std::bad_alloc&) {
    return npy_error(ErrorCode::kIoError, origin, "out of memory while reading the .npy array");
  }
}

Expected<Tensor> read_npy(const std::filesystem::path& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    bool missing = ec == std::errc::no_such_file_or_directory;
    return npy_error(missing ? ErrorCode::kNotFound : ErrorCode::kIoError, path.string(),
                     "cannot read .npy file: " + ec.message());
  }
  if (size == 0) return npy_error(ErrorCode::kParseError, path.string(), "not a .npy file: the file is empty");
  // The mapping only lives while parsing: the tensor gets its own writable copy of the elements.
  NNC_ASSIGN_OR_RETURN(auto mapping, Buffer::map_file(path));
  return parse_npy(mapping->data(), mapping->size(), path.string());
}

Expected<std::string> serialize_npy(const Tensor& t) {
  NNC_ASSIGN_OR_RETURN(std::string descr, numpy_descr(t.dtype()));
  for (int64_t d : t.shape())
    if (d < 0)
      return make_error(ErrorCode::kInvalidArgument,
                        "cannot save tensor " + t.description() + " with a negative dimension");
  size_t data_bytes = t.storage_bytes();
  if (data_bytes != 0 && t.raw_data() == nullptr)
    return make_error(ErrorCode::kInvalidArgument, "cannot save tensor " + t.description() + ": it has no data");
  try {
    std::string dict =
        "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape_literal(t.shape()) + ", }";
    // Version 1.0 stores a 16-bit header length; only absurd ranks need 2.0's 32-bit one.
    size_t length_bytes = dict.size() + 64 < 0xffff ? 2 : 4;
    size_t unpadded = kPreambleBytes + length_bytes + dict.size() + 1;
    dict.append((kDataAlignment - unpadded % kDataAlignment) % kDataAlignment, ' ');
    dict += '\n';
    std::string out(kMagic);
    out += static_cast<char>(length_bytes == 2 ? 1 : 2);
    out += '\0';
    append_le(out, static_cast<uint32_t>(dict.size()), length_bytes);
    out += dict;
    size_t data_offset = out.size();
    out.append(reinterpret_cast<const char*>(t.raw_data()), data_bytes);
    size_t item = static_cast<size_t>(dtype_bits(t.dtype()) / 8);
    if (std::endian::native == std::endian::big && item > 1)
      swap_bytes_in_place(reinterpret_cast<std::byte*>(out.data() + data_offset), data_bytes, item);
    return out;
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::kIoError, "out of memory while serialising tensor " + t.description());
  }
}

Status write_npy(const std::filesystem::path& path, const Tensor& t) {
  auto bytes = serialize_npy(t);
  if (!bytes) return bytes.error().with_location(file_location(path.string()));
  return write_file_atomically(path, *bytes);
}

std::string sanitized_file_stem(const std::string& name, std::set<std::string>& taken) {
  std::string stem;
  for (char c : name) stem += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') ? c : '_';
  if (stem.empty() || stem == "." || stem == "..") stem = "output";
  std::string unique = stem;
  for (int i = 1; taken.count(unique); ++i) unique = stem + "_" + std::to_string(i);
  taken.insert(unique);
  return unique;
}

}  // namespace nnc
