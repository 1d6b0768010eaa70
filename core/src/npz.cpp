// nnc core: NumPy .npz archives (zip: stored/deflated members, zip64, CRC-32 checks; stored writer).
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <new>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <vector>

#include "nnc/npy.h"

namespace nnc {
namespace {

constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndRecordSig = 0x06054b50;
constexpr uint32_t kZip64EndRecordSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kLocalHeaderBytes = 30, kCentralHeaderBytes = 46, kEndRecordBytes = 22;
constexpr size_t kZip64EndRecordBytes = 56, kZip64LocatorBytes = 20;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint32_t kMax32 = 0xffffffff;
constexpr uint16_t kMax16 = 0xffff;
constexpr uint16_t kMethodStored = 0, kMethodDeflated = 8;
constexpr uint64_t kMaxDeflateRatio = 1032;  // deflate cannot expand a byte into more than ~1032
constexpr size_t kZlibChunk = size_t{1} << 30;
constexpr uint16_t kDosDate1980 = (1 << 5) | 1;  // fixed timestamp: archives are reproducible

Location file_location(const std::string& file) {
  Location location;
  location.file = file;
  return location;
}

Status npz_error(ErrorCode code, const std::string& origin, std::string message, std::string hint = {}) {
  return make_error(code, std::move(message), file_location(origin), std::move(hint));
}

/// Bounds-checked little-endian view of the archive bytes.
class ByteView {
 public:
  explicit ByteView(std::span<const std::byte> bytes) : bytes_(bytes) {}
  size_t size() const { return bytes_.size(); }
  bool fits(uint64_t offset, uint64_t length) const { return offset <= size() && length <= size() - offset; }
  uint64_t le(uint64_t offset, size_t width) const {  // caller checks fits(offset, width)
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i) v |= static_cast<uint64_t>(bytes_[offset + i]) << (8 * i);
    return v;
  }
  std::string_view text(uint64_t offset, size_t length) const {
    return {reinterpret_cast<const char*>(bytes_.data() + offset), length};
  }
  std::span<const std::byte> slice(uint64_t offset, uint64_t length) const { return bytes_.subspan(offset, length); }

 private:
  std::span<const std::byte> bytes_;
};

struct ZipMember {
  std::string name;
  uint16_t flags = 0, method = 0;
  uint32_t crc = 0;
  uint64_t compressed_size = 0, uncompressed_size = 0, local_offset = 0;
};

struct CentralDirectory {
  uint64_t entries = 0, offset = 0, size = 0;
};

// ---- reading the zip structure -----------------------------------------------------------------

std::optional<uint64_t> find_end_record(const ByteView& zip) {
  if (zip.size() < kEndRecordBytes) return std::nullopt;
  uint64_t lowest = zip.size() > kEndRecordBytes + kMax16 ? zip.size() - kEndRecordBytes - kMax16 : 0;
  for (uint64_t pos = zip.size() - kEndRecordBytes + 1; pos-- > lowest;) {
    if (zip.le(pos, 4) == kEndRecordSig && pos + kEndRecordBytes + zip.le(pos + 20, 2) <= zip.size()) return pos;
  }
  return std::nullopt;
}

Status not_a_zip(const ByteView& zip, const std::string& origin) {
  bool looks_like_npy = zip.fits(0, 6) && zip.text(0, 6) == "\x93NUMPY";
  return npz_error(ErrorCode::kParseError, origin, "not a .npz file: no zip end-of-central-directory record found",
                   looks_like_npy ? "this is a single .npy array; read it with read_npy"
                                  : ".npz files are zip archives written by numpy.savez / numpy.savez_compressed");
}

Expected<CentralDirectory> read_central_directory_location(const ByteView& zip, const std::string& origin) {
  auto end = find_end_record(zip);
  if (!end) return not_a_zip(zip, origin);
  if (zip.le(*end + 4, 2) != 0 || zip.le(*end + 6, 2) != 0)
    return npz_error(ErrorCode::kUnsupported, origin, "multi-volume zip archives are not supported");
  CentralDirectory cd{zip.le(*end + 10, 2), zip.le(*end + 16, 4), zip.le(*end + 12, 4)};
  bool needs_zip64 = cd.entries == kMax16 || cd.offset == kMax32 || cd.size == kMax32;
  if (!needs_zip64) return cd;
  uint64_t locator = *end >= kZip64LocatorBytes ? *end - kZip64LocatorBytes : 0;
  if (*end < kZip64LocatorBytes || zip.le(locator, 4) != kZip64LocatorSig)
    return npz_error(ErrorCode::kParseError, origin, "corrupt zip64 archive: the zip64 end-record locator is missing");
  uint64_t record = zip.le(locator + 8, 8);
  if (!zip.fits(record, kZip64EndRecordBytes) || zip.le(record, 4) != kZip64EndRecordSig)
    return npz_error(ErrorCode::kParseError, origin,
                     "corrupt zip64 archive: bad zip64 end-of-central-directory record");
  return CentralDirectory{zip.le(record + 32, 8), zip.le(record + 48, 8), zip.le(record + 40, 8)};
}

/// Replaces 0xffffffff size/offset fields by their 64-bit values from the zip64 extra field.
Status apply_zip64_extra(const ByteView& zip, uint64_t extra, uint64_t extra_len, ZipMember& m,
                         const std::string& origin) {
  for (uint64_t pos = extra; pos + 4 <= extra + extra_len;) {
    uint64_t id = zip.le(pos, 2), len = zip.le(pos + 2, 2), field = pos + 4, field_end = field + len;
    if (field_end > extra + extra_len) break;
    if (id == kZip64ExtraId) {
      for (uint64_t* value : {&m.uncompressed_size, &m.compressed_size, &m.local_offset}) {
        if (*value != kMax32) continue;
        if (field + 8 > field_end)
          return npz_error(ErrorCode::kParseError, origin,
                           "corrupt member '" + m.name + "': zip64 extra field too short");
        *value = zip.le(field, 8);
        field += 8;
      }
    }
    pos = field_end;
  }
  return Status::ok();
}

Expected<std::vector<ZipMember>> read_members(const ByteView& zip, const CentralDirectory& cd,
                                              const std::string& origin) {
  if (!zip.fits(cd.offset, cd.size))
    return npz_error(ErrorCode::kParseError, origin, "corrupt zip archive: the central directory lies outside the file",
                     "the file may be truncated");
  std::vector<ZipMember> members;
  uint64_t pos = cd.offset;
  for (uint64_t i = 0; i < cd.entries; ++i) {
    if (!zip.fits(pos, kCentralHeaderBytes) || zip.le(pos, 4) != kCentralHeaderSig)
      return npz_error(ErrorCode::kParseError, origin,
                       "corrupt zip archive: bad central directory entry " + std::to_string(i));
    uint64_t name_len = zip.le(pos + 28, 2), extra_len = zip.le(pos + 30, 2), comment_len = zip.le(pos + 32, 2);
    if (!zip.fits(pos + kCentralHeaderBytes, name_len + extra_len + comment_len))
      return npz_error(ErrorCode::kParseError, origin,
                       "corrupt zip archive: central directory entry " + std::to_string(i) + " is truncated");
    ZipMember m;
    m.flags = static_cast<uint16_t>(zip.le(pos + 8, 2));
    m.method = static_cast<uint16_t>(zip.le(pos + 10, 2));
    m.crc = static_cast<uint32_t>(zip.le(pos + 16, 4));
    m.compressed_size = zip.le(pos + 20, 4);
    m.uncompressed_size = zip.le(pos + 24, 4);
    m.local_offset = zip.le(pos + 42, 4);
    m.name = std::string(zip.text(pos + kCentralHeaderBytes, name_len));
    NNC_RETURN_IF_ERROR(apply_zip64_extra(zip, pos + kCentralHeaderBytes + name_len, extra_len, m, origin));
    members.push_back(std::move(m));
    pos += kCentralHeaderBytes + name_len + extra_len + comment_len;
  }
  return members;
}

// ---- extracting one member ---------------------------------------------------------------------

Status corrupt_member(const ZipMember& m, const std::string& origin, const std::string& what) {
  return npz_error(ErrorCode::kParseError, origin, "corrupt member '" + m.name + "': " + what,
                   "the archive is damaged; write it again");
}

Expected<std::span<const std::byte>> member_payload(const ByteView& zip, const ZipMember& m,
                                                    const std::string& origin) {
  if (m.flags & 1)
    return npz_error(ErrorCode::kUnsupported, origin, "member '" + m.name + "' is encrypted",
                     "save the archive without a password");
  if (m.method != kMethodStored && m.method != kMethodDeflated) {
    std::string method = m.method == 12 ? " (bzip2)" : m.method == 14 ? " (lzma)" : m.method == 93 ? " (zstd)" : "";
    return npz_error(ErrorCode::kUnsupported, origin,
                     "member '" + m.name + "' uses unsupported compression method " + std::to_string(m.method) + method,
                     "nnc reads stored and deflated members: re-save with numpy.savez or numpy.savez_compressed");
  }
  if (!zip.fits(m.local_offset, kLocalHeaderBytes) || zip.le(m.local_offset, 4) != kLocalHeaderSig)
    return corrupt_member(m, origin, "bad local file header");
  uint64_t data = m.local_offset + kLocalHeaderBytes + zip.le(m.local_offset + 26, 2) + zip.le(m.local_offset + 28, 2);
  if (!zip.fits(data, m.compressed_size))
    return corrupt_member(
        m, origin, "data runs past the end of the archive (" + std::to_string(m.compressed_size) + " bytes expected)");
  return zip.slice(data, m.compressed_size);
}

Status inflate_raw(std::span<const std::byte> in, std::vector<std::byte>& out, const ZipMember& m,
                   const std::string& origin) {
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) return corrupt_member(m, origin, "zlib initialisation failed");
  size_t in_pos = 0, out_pos = 0;
  Bytef no_output = 0;  // zlib rejects a null next_out even when avail_out is 0
  int rc = Z_OK;
  while (rc == Z_OK) {
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data() + in_pos));
    stream.avail_in = static_cast<uInt>(std::min(in.size() - in_pos, kZlibChunk));
    stream.next_out = out.empty() ? &no_output : reinterpret_cast<Bytef*>(out.data() + out_pos);
    stream.avail_out = static_cast<uInt>(std::min(out.size() - out_pos, kZlibChunk));
    uInt in_before = stream.avail_in, out_before = stream.avail_out;
    rc = inflate(&stream, Z_NO_FLUSH);
    in_pos += in_before - stream.avail_in;
    out_pos += out_before - stream.avail_out;
    if (rc == Z_OK && in_before == stream.avail_in && out_before == stream.avail_out) rc = Z_BUF_ERROR;
  }
  std::string zlib_message = stream.msg ? stream.msg : "";
  inflateEnd(&stream);
  if (rc != Z_STREAM_END) {
    if (rc == Z_BUF_ERROR && out_pos == out.size())
      return corrupt_member(m, origin, "inflates to more than the recorded " + std::to_string(out.size()) + " bytes");
    if (rc == Z_BUF_ERROR) return corrupt_member(m, origin, "deflate stream is truncated");
    return corrupt_member(m, origin, "invalid deflate data" + (zlib_message.empty() ? "" : " (" + zlib_message + ")"));
  }
  if (out_pos != out.size())
    return corrupt_member(
        m, origin,
        "inflates to " + std::to_string(out_pos) + " bytes, the directory says " + std::to_string(out.size()));
  return Status::ok();
}

uint32_t crc32_of(std::span<const std::byte> bytes) {
  return static_cast<uint32_t>(
      crc32_z(crc32_z(0, nullptr, 0), reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

Expected<Tensor> extract_member(const ByteView& zip, const ZipMember& m, const std::string& origin) {
  NNC_ASSIGN_OR_RETURN(auto payload, member_payload(zip, m, origin));
  std::vector<std::byte> inflated;
  if (m.method == kMethodStored) {
    if (m.compressed_size != m.uncompressed_size)
      return corrupt_member(m, origin, "stored member with differing sizes");
  } else {
    if (m.uncompressed_size / kMaxDeflateRatio > m.compressed_size + 1)
      return corrupt_member(m, origin,
                            "impossible compression ratio (" + std::to_string(m.compressed_size) + " -> " +
                                std::to_string(m.uncompressed_size) + " bytes)");
    inflated.resize(m.uncompressed_size);
    NNC_RETURN_IF_ERROR(inflate_raw(payload, inflated, m, origin));
    payload = inflated;
  }
  uint32_t actual = crc32_of(payload);
  if (actual != m.crc) {
    char detail[64];
    std::snprintf(detail, sizeof detail, "CRC-32 mismatch (recorded %08x, computed %08x)", m.crc, actual);
    return corrupt_member(m, origin, detail);
  }
  auto tensor = parse_npy(payload.data(), payload.size(), origin);
  if (!tensor) return tensor.error().with_context("member '" + m.name + "'");
  return tensor;
}

std::string key_of(const std::string& member_name) {
  constexpr std::string_view kSuffix = ".npy";
  if (member_name.ends_with(kSuffix)) return member_name.substr(0, member_name.size() - kSuffix.size());
  return member_name;
}

Expected<std::map<std::string, Tensor>> parse_npz(const ByteView& zip, const std::string& origin) {
  NNC_ASSIGN_OR_RETURN(auto cd, read_central_directory_location(zip, origin));
  NNC_ASSIGN_OR_RETURN(auto members, read_members(zip, cd, origin));
  std::map<std::string, Tensor> arrays;
  for (const ZipMember& m : members) {
    if (m.name.ends_with('/') && m.uncompressed_size == 0) continue;  // directory entry
    NNC_ASSIGN_OR_RETURN(Tensor tensor, extract_member(zip, m, origin));
    if (!arrays.emplace(key_of(m.name), std::move(tensor)).second)
      return npz_error(ErrorCode::kParseError, origin, "duplicate array '" + key_of(m.name) + "' in the archive");
  }
  return arrays;
}

// ---- writing -----------------------------------------------------------------------------------

/// One little-endian field of a zip record.
struct Field {
  uint64_t value;
  size_t width;
};

void put(std::string& out, std::initializer_list<Field> fields) {
  for (const Field& f : fields)
    for (size_t i = 0; i < f.width; ++i) out += static_cast<char>((f.value >> (8 * i)) & 0xff);
}

uint32_t clamp32(uint64_t value) { return value >= kMax32 ? kMax32 : static_cast<uint32_t>(value); }

struct WrittenMember {
  std::string name;
  uint32_t crc;
  uint64_t size, offset;
};

constexpr uint16_t kVersionZip64 = 45, kVersionPlain = 20;
constexpr uint16_t kMadeByUnix = 0x0300 | kVersionZip64;
constexpr uint16_t kFlagUtf8Name = 1 << 11;
constexpr uint32_t kRegularFileRw = 0100644u << 16;  // external attributes: regular file, rw-r--r--

/// Fields shared by local and central headers, from "version needed" to the name length.
void put_common_fields(std::string& out, const WrittenMember& m, bool zip64) {
  bool utf8 = std::any_of(m.name.begin(), m.name.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  put(out, {{zip64 ? kVersionZip64 : kVersionPlain, 2},
            {utf8 ? kFlagUtf8Name : 0u, 2},
            {kMethodStored, 2},
            {0, 2},  // DOS time 00:00:00
            {kDosDate1980, 2},
            {m.crc, 4},
            {clamp32(m.size), 4},  // compressed size
            {clamp32(m.size), 4},  // uncompressed size
            {m.name.size(), 2}});
}

void put_local_header(std::string& out, const WrittenMember& m) {
  bool zip64 = m.size >= kMax32;
  put(out, {{kLocalHeaderSig, 4}});
  put_common_fields(out, m, zip64);
  put(out, {{zip64 ? 20u : 0u, 2}});
  out += m.name;
  if (zip64) put(out, {{kZip64ExtraId, 2}, {16, 2}, {m.size, 8}, {m.size, 8}});
}

void put_central_header(std::string& out, const WrittenMember& m) {
  bool big_size = m.size >= kMax32, big_offset = m.offset >= kMax32;
  size_t extra = (big_size ? 16 : 0) + (big_offset ? 8 : 0);
  put(out, {{kCentralHeaderSig, 4}, {kMadeByUnix, 2}});
  put_common_fields(out, m, big_size || big_offset);
  put(out, {{extra ? extra + 4 : 0, 2},
            {0, 2} /* comment */,
            {0, 2} /* disk */,
            {0, 2} /* internal attributes */,
            {kRegularFileRw, 4},
            {clamp32(m.offset), 4}});
  out += m.name;
  if (extra) put(out, {{kZip64ExtraId, 2}, {extra, 2}});
  if (big_size) put(out, {{m.size, 8}, {m.size, 8}});
  if (big_offset) put(out, {{m.offset, 8}});
}

void put_end_records(std::string& out, uint64_t entries, uint64_t cd_offset, uint64_t cd_size) {
  if (entries >= kMax16 || cd_offset >= kMax32 || cd_size >= kMax32) {
    uint64_t record = out.size();
    put(out, {{kZip64EndRecordSig, 4},
              {kZip64EndRecordBytes - 12, 8},
              {kMadeByUnix, 2},
              {kVersionZip64, 2},
              {0, 4},
              {0, 4},
              {entries, 8},
              {entries, 8},
              {cd_size, 8},
              {cd_offset, 8}});
    put(out, {{kZip64LocatorSig, 4}, {0, 4}, {record, 8}, {1, 4}});
  }
  uint64_t entries16 = std::min<uint64_t>(entries, kMax16);
  put(out, {{kEndRecordSig, 4},
            {0, 2},
            {0, 2},
            {entries16, 2},
            {entries16, 2},
            {clamp32(cd_size), 4},
            {clamp32(cd_offset), 4},
            {0, 2} /* comment length */});
}

Expected<std::string> build_npz(const std::map<std::string, Tensor>& arrays) {
  std::string out;
  std::vector<WrittenMember> written;
  for (const auto& [key, tensor] : arrays) {
    auto npy = serialize_npy(tensor);
    if (!npy) return npy.error().with_context("array '" + key + "'");
    WrittenMember m{key + ".npy", 0, npy->size(), out.size()};
    if (m.name.size() > kMax16)
      return make_error(ErrorCode::kInvalidArgument, "array name '" + key.substr(0, 40) + "...' is too long");
    m.crc = crc32_of(std::as_bytes(std::span(*npy)));
    put_local_header(out, m);
    out += *npy;
    written.push_back(std::move(m));
  }
  uint64_t cd_offset = out.size();
  for (const WrittenMember& m : written) put_central_header(out, m);
  put_end_records(out, written.size(), cd_offset, out.size() - cd_offset);
  return out;
}

}  // namespace

Expected<std::map<std::string, Tensor>> read_npz(const std::filesystem::path& path) {
  std::string origin = path.string();
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    bool missing = ec == std::errc::no_such_file_or_directory;
    return npz_error(missing ? ErrorCode::kNotFound : ErrorCode::kIoError, origin,
                     "cannot read .npz file: " + ec.message());
  }
  if (size == 0) return npz_error(ErrorCode::kParseError, origin, "not a .npz file: the file is empty");
  NNC_ASSIGN_OR_RETURN(auto mapping, Buffer::map_file(path));
  try {
    return parse_npz(ByteView({mapping->data(), mapping->size()}), origin);
  } catch (const std::bad_alloc&) {
    return npz_error(ErrorCode::kIoError, origin, "out of memory while reading the .npz archive");
  }
}

Status write_npz(const std::filesystem::path& path, const std::map<std::string, Tensor>& arrays) {
  try {
    auto bytes = build_npz(arrays);
    if (!bytes) return bytes.error().with_location(file_location(path.string()));
    return write_file_atomically(path, *bytes);
  } catch (const std::bad_alloc&) {
    return npz_error(ErrorCode::kIoError, path.string(), "out of memory while building the .npz archive");
  }
}

}  // namespace nnc
