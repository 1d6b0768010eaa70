// nnc tests: NumPy .npy/.npz reading and writing, and atomic file replacement.
#include "nnc/npy.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace nnc {
namespace {

namespace fs = std::filesystem;

/// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("nnc_npy_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter.fetch_add(1)));
    std::error_code ec;
    fs::remove_all(path_, ec);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::error_code ec;
  fs::remove(path, ec);  // a fresh file: rewriting a truncated one makes some file systems flush to disk
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string le(uint64_t value, size_t width) {
  std::string out;
  for (size_t i = 0; i < width; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
  return out;
}

/// Hand-built .npy bytes: magic, version, header length, header dict (newline-terminated), data.
std::string npy_fixture(const std::string& dict, const std::string& data, int major = 1) {
  std::string header = dict + "\n";
  return std::string("\x93NUMPY") + static_cast<char>(major) + '\0' + le(header.size(), major == 1 ? 2 : 4) + header +
         data;
}

Expected<Tensor> parse(const std::string& bytes, const std::string& origin = "fixture.npy") {
  return parse_npy(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size(), origin);
}

std::string bytes_of(const Tensor& t) {
  return t.storage_bytes() ? std::string(reinterpret_cast<const char*>(t.raw_data()), t.storage_bytes()) : "";
}

/// Tensor whose bytes follow a recognisable pattern (0/1 for bool).
Tensor patterned(DType dtype, std::vector<int64_t> shape) {
  Tensor t(dtype, std::move(shape));
  std::byte* data = t.mutable_raw_data();
  for (size_t i = 0; i < t.storage_bytes(); ++i)
    data[i] = static_cast<std::byte>(dtype == DType::kBool ? (i * 7 % 3 == 0) : (i * 37 + 11) & 0xff);
  return t;
}

void expect_same(const Tensor& expected, const Tensor& actual) {
  EXPECT_EQ(expected.dtype(), actual.dtype());
  EXPECT_EQ(expected.shape(), actual.shape());
  EXPECT_EQ(bytes_of(expected), bytes_of(actual));
}

/// Asserts an error whose location names `origin` and whose message mentions `problem`.
void expect_error(const Status& error, ErrorCode code, const std::string& origin, const std::string& problem) {
  ASSERT_FALSE(error.is_ok());
  EXPECT_EQ(error.code(), code) << error.message();
  EXPECT_EQ(error.location().file, origin);
  EXPECT_NE(error.message().find(problem), std::string::npos) << "message: " << error.message();
}

// ---- .npy round trips ---------------------------------------------------------------------------

TEST(NpyRoundTrip, EverySupportedDType) {
  for (DType dtype : {DType::kF16, DType::kF32, DType::kF64, DType::kI8, DType::kI16, DType::kI32, DType::kI64,
                      DType::kU8, DType::kU16, DType::kU32, DType::kU64, DType::kBool}) {
    SCOPED_TRACE(dtype_name(dtype));
    Tensor original = patterned(dtype, {2, 3});
    auto bytes = serialize_npy(original);
    ASSERT_TRUE(bytes) << bytes.error().to_string();
    auto back = parse(*bytes);
    ASSERT_TRUE(back) << back.error().to_string();
    expect_same(original, *back);
  }
}

/// Unsigned values as NumPy writes them (little and big endian) read back exactly, u64 beyond int64 too.
TEST(NpyRoundTrip, UnsignedWideValues) {
  std::string le_data = le(0, 8) + le(1, 8) + le(0x8000000000000000ull, 8) + le(0xffffffffffffffffull, 8);
  auto u64 = parse(npy_fixture("{'descr': '<u8', 'fortran_order': False, 'shape': (4,), }", le_data), "u.npy");
  ASSERT_TRUE(u64) << u64.error().to_string();
  EXPECT_EQ(u64->dtype(), DType::kU64);
  const std::vector<uint64_t> want64 = {0, 1, 0x8000000000000000ull, 0xffffffffffffffffull};
  EXPECT_EQ(std::vector<uint64_t>(u64->data<uint64_t>().begin(), u64->data<uint64_t>().end()), want64);
  auto u32 = parse(npy_fixture("{'descr': '>u4', 'fortran_order': False, 'shape': (2,), }",
                               std::string("\x00\x00\x00\x05\xff\xff\xff\xfe", 8)),
                   "u.npy");
  ASSERT_TRUE(u32) << u32.error().to_string();
  EXPECT_EQ(u32->dtype(), DType::kU32);
  EXPECT_EQ(u32->data<uint32_t>()[0], 5u);
  EXPECT_EQ(u32->data<uint32_t>()[1], 0xfffffffeu);
  EXPECT_EQ(u32->value_as_double(1), 4294967294.0);
  auto u16 = parse(npy_fixture("{'descr': '<u2', 'fortran_order': False, 'shape': (1,), }", le(65535, 2)), "u.npy");
  ASSERT_TRUE(u16) << u16.error().to_string();
  EXPECT_EQ(u16->dtype(), DType::kU16);
  EXPECT_EQ(u16->data<uint16_t>()[0], 65535);
  auto again = parse(*serialize_npy(*u64));
  ASSERT_TRUE(again);
  expect_same(*u64, *again);
}

TEST(NpyRoundTrip, HeaderMatchesNumpyLayout) {
  auto bytes = serialize_npy(Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3}));
  ASSERT_TRUE(bytes);
  ASSERT_EQ(bytes->substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  size_t header_len = static_cast<unsigned char>((*bytes)[8]) | static_cast<unsigned char>((*bytes)[9]) << 8;
  EXPECT_EQ((10 + header_len) % 64, 0u);
  EXPECT_EQ(bytes->size(), 10 + header_len + 6 * sizeof(float));
  std::string header = bytes->substr(10, header_len);
  EXPECT_EQ(header.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 0), 0u) << header;
  EXPECT_EQ(header.back(), '\n');

  auto descr_of = [](Tensor t) { return serialize_npy(t)->substr(10, 60); };
  EXPECT_NE(descr_of(Tensor(DType::kBool, {4})).find("'|b1'"), std::string::npos);
  EXPECT_NE(descr_of(Tensor(DType::kI8, {4})).find("'|i1'"), std::string::npos);
  EXPECT_NE(descr_of(Tensor(DType::kU8, {4})).find("'|u1'"), std::string::npos);
  EXPECT_NE(descr_of(Tensor(DType::kU16, {4})).find("'<u2'"), std::string::npos);
  EXPECT_NE(descr_of(Tensor(DType::kU32, {4})).find("'<u4'"), std::string::npos);
  EXPECT_NE(descr_of(Tensor(DType::kU64, {4})).find("'<u8'"), std::string::npos);
  EXPECT_NE(descr_of(Tensor(DType::kF16, {4})).find("'<f2'"), std::string::npos);
  EXPECT_NE(descr_of(Tensor(DType::kI64, {3})).find("'shape': (3,)"), std::string::npos);
  EXPECT_NE(descr_of(Tensor::scalar<double>(1.5)).find("'shape': ()"), std::string::npos);
}

TEST(NpyRoundTrip, ScalarEmptyAndHighRankShapes) {
  TempDir dir;
  std::vector<std::vector<int64_t>> shapes = {{}, {0}, {3, 0, 2}, {1}, {2, 1, 3, 1, 2, 1, 1, 2}};
  for (const auto& shape : shapes) {
    Tensor original = patterned(DType::kI32, shape);
    fs::path file = dir / ("a" + std::to_string(shape.size()) + ".npy");
    ASSERT_TRUE(write_npy(file, original));
    auto back = read_npy(file);
    ASSERT_TRUE(back) << back.error().to_string();
    expect_same(original, *back);
  }
  auto scalar = read_npy(dir / "a0.npy");
  ASSERT_TRUE(scalar);
  EXPECT_EQ(scalar->rank(), 0);
  EXPECT_EQ(scalar->element_count(), 1);
}

TEST(NpyRoundTrip, BF16AndI4HaveNoNumpyEquivalent) {
  auto bf16 = serialize_npy(Tensor(DType::kBF16, {2}));
  ASSERT_FALSE(bf16);
  EXPECT_EQ(bf16.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(bf16.error().message().find("bf16"), std::string::npos);
  EXPECT_NE(bf16.error().hint().find("float32"), std::string::npos);
  auto i4 = serialize_npy(Tensor(DType::kI4, {4}));
  ASSERT_FALSE(i4);
  EXPECT_EQ(i4.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(i4.error().hint().find("int8"), std::string::npos);

  TempDir dir;
  Status written = write_npy(dir / "w.npy", Tensor(DType::kBF16, {2}));
  EXPECT_EQ(written.location().file, (dir / "w.npy").string());
  EXPECT_FALSE(fs::exists(dir / "w.npy"));
}

// ---- hand-crafted .npy fixtures -----------------------------------------------------------------

TEST(NpyFixture, Version2And3Headers) {
  std::string data = le(0x3f800000, 4) + le(0x40000000, 4);  // 1.0f, 2.0f
  for (int major : {2, 3}) {
    auto t = parse(npy_fixture("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data, major));
    ASSERT_TRUE(t) << t.error().to_string();
    EXPECT_EQ(t->shape(), std::vector<int64_t>({2}));
    EXPECT_EQ(t->data<float>()[0], 1.0f);
    EXPECT_EQ(t->data<float>()[1], 2.0f);
  }
}

TEST(NpyFixture, BigEndianFloat32IsSwapped) {
  std::string data = std::string("\x3f\x80\x00\x00\xc0\x40\x00\x00", 8);  // 1.0f, -3.0f big-endian
  auto t = parse(npy_fixture("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", data));
  ASSERT_TRUE(t) << t.error().to_string();
  EXPECT_EQ(t->dtype(), DType::kF32);
  EXPECT_EQ(t->data<float>()[0], 1.0f);
  EXPECT_EQ(t->data<float>()[1], -3.0f);
}

TEST(NpyFixture, FortranOrderIsTransposedToRowMajor) {
  // Logical [[0, 1, 2], [3, 4, 5]] stored column by column: 0 3 1 4 2 5.
  std::string data;
  for (int v : {0, 3, 1, 4, 2, 5}) data += le(static_cast<uint32_t>(v), 2);
  auto t = parse(npy_fixture("{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3), }", data));
  ASSERT_TRUE(t) << t.error().to_string();
  ASSERT_EQ(t->shape(), std::vector<int64_t>({2, 3}));
  std::vector<int16_t> values(t->data<int16_t>().begin(), t->data<int16_t>().end());
  EXPECT_EQ(values, std::vector<int16_t>({0, 1, 2, 3, 4, 5}));
}

TEST(NpyFixture, BoolArrayAndPython2Header) {
  auto t = parse(
      npy_fixture("{\"descr\": \"|b1\", \"fortran_order\": False, \"shape\": (3L,)}", std::string("\x01\x00\x02", 3)));
  ASSERT_TRUE(t) << t.error().to_string();
  EXPECT_EQ(t->dtype(), DType::kBool);
  EXPECT_EQ(bytes_of(*t), std::string("\x01\x00\x01", 3));  // non-zero bytes become canonical true
}

// ---- .npy error paths ---------------------------------------------------------------------------

TEST(NpyError, BadMagic) {
  expect_error(parse("PK\x03\x04 not numpy at all", "in.npy").error(), ErrorCode::kParseError, "in.npy", "bad magic");
  expect_error(parse("", "empty.npy").error(), ErrorCode::kParseError, "empty.npy", "bad magic");
}

TEST(NpyError, TruncatedHeaderAndData) {
  std::string full = npy_fixture("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", std::string(24, '\0'));
  expect_error(parse(full.substr(0, 20), "t.npy").error(), ErrorCode::kParseError, "t.npy", "truncated .npy header");
  auto short_data = parse(full.substr(0, full.size() - 4), "t.npy");
  expect_error(short_data.error(), ErrorCode::kParseError, "t.npy", "truncated .npy data: expected 24 bytes, found 20");
}

TEST(NpyError, UnsupportedDTypesAreNamed) {
  struct Case {
    std::string descr, problem;
  };
  for (const Case& c : {Case{"<c8", "'<c8' (complex"}, Case{"|O", "'|O' (Python objects"}, Case{"<U5", "'<U5'"},
                        Case{"<u16", "'<u16'"}, Case{"<M8[ns]", "'<M8[ns]'"}}) {
    auto t = parse(
        npy_fixture("{'descr': '" + c.descr + "', 'fortran_order': False, 'shape': (1,), }", std::string(16, '\0')),
        "u.npy");
    expect_error(t.error(), ErrorCode::kUnsupported, "u.npy", "unsupported dtype " + c.problem);
  }
  auto record = parse(npy_fixture("{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (1,), }",
                                  std::string(8, '\0')),
                      "r.npy");
  expect_error(record.error(), ErrorCode::kUnsupported, "r.npy", "structured dtype");
}

TEST(NpyError, MalformedHeaders) {
  for (std::string dict : {"garbage", "{'descr': '<f4', 'fortran_order': False, 'shape': (2,3}",
                           "{'descr': '<f4', 'shape': (2,)}", "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}",
                           "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", "{'descr': '<f4' 'x'}",
                           "{'descr': '<f4', 'fortran_order': False, 'shape': ((((((((((1,),),),),),),),),),)}"}) {
    SCOPED_TRACE(dict);
    auto t = parse(npy_fixture(dict, std::string(64, '\0')), "m.npy");
    expect_error(t.error(), ErrorCode::kParseError, "m.npy", "malformed .npy header");
  }
}

TEST(NpyError, HugeShapeOverflowAndHeaderLimits) {
  auto huge =
      parse(npy_fixture("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", ""), "h.npy");
  expect_error(huge.error(), ErrorCode::kParseError, "h.npy", "too many elements");
  auto large_dim =
      parse(npy_fixture("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }", ""), "h.npy");
  expect_error(large_dim.error(), ErrorCode::kParseError, "h.npy", "64 bits");
  std::string giant_header = std::string("\x93NUMPY\x02\x00", 8) + le(0x7fffffff, 4) + "{";
  expect_error(parse(giant_header, "g.npy").error(), ErrorCode::kParseError, "g.npy", "exceeds the limit");
  expect_error(parse(std::string("\x93NUMPY\x09\x00", 8) + "xx", "v.npy").error(), ErrorCode::kVersionMismatch, "v.npy",
               "version 9.0");
}

TEST(NpyError, MissingFileAndCorruptFileOnDisk) {
  TempDir dir;
  auto missing = read_npy(dir / "nope.npy");
  expect_error(missing.error(), ErrorCode::kNotFound, (dir / "nope.npy").string(), "cannot read");
  write_bytes(dir / "bad.npy", "hello");
  expect_error(read_npy(dir / "bad.npy").error(), ErrorCode::kParseError, (dir / "bad.npy").string(), "bad magic");
}

TEST(NpyError, NeverCrashesOnTruncatedOrMutatedInput) {
  std::string valid = *serialize_npy(patterned(DType::kF64, {3, 2}));
  for (size_t len = 0; len < valid.size(); ++len) EXPECT_FALSE(parse(valid.substr(0, len))) << len;
  for (size_t pos = 0; pos < 128; ++pos) {
    for (char value : {'\0', '\xff', '(', ')', '\'', ',', '9', '-'}) {
      std::string mutated = valid;
      mutated[pos] = value;
      auto result = parse(mutated);  // any outcome is fine as long as it is not a crash
      if (result) {
        EXPECT_LE(result->storage_bytes(), mutated.size());
      }
    }
  }
}

// ---- .npz ---------------------------------------------------------------------------------------

struct ZipEntryFixture {
  std::string name, payload;  // payload: bytes as stored in the archive
  uint16_t method = 0;
  uint32_t crc = 0;
  uint64_t uncompressed_size = 0;
};

/// Minimal zip writer for fixtures; `zip64` moves sizes and offsets into zip64 extra fields.
std::string zip_fixture(const std::vector<ZipEntryFixture>& entries, bool zip64 = false) {
  std::string out, central;
  for (const auto& e : entries) {
    uint64_t offset = out.size();
    std::string sizes =
        zip64 ? le(0xffffffff, 4) + le(0xffffffff, 4) : le(e.payload.size(), 4) + le(e.uncompressed_size, 4);
    std::string extra =
        zip64 ? le(1, 2) + le(24, 2) + le(e.uncompressed_size, 8) + le(e.payload.size(), 8) + le(offset, 8) : "";
    std::string common =
        le(45, 2) + le(0, 2) + le(e.method, 2) + le(0, 4) + le(e.crc, 4) + sizes + le(e.name.size(), 2);
    out += le(0x04034b50, 4) + common + le(0, 2) + e.name + e.payload;  // local header without extra
    central += le(0x02014b50, 4) + le(45, 2) + common + le(extra.size(), 2) + le(0, 6) + le(0, 4) +
               le(zip64 ? 0xffffffff : offset, 4) + e.name + extra;
  }
  uint64_t cd_offset = out.size();
  out += central;
  if (zip64) {
    uint64_t record = out.size();
    out += le(0x06064b50, 4) + le(44, 8) + le(45, 2) + le(45, 2) + le(0, 8) + le(entries.size(), 8) +
           le(entries.size(), 8) + le(central.size(), 8) + le(cd_offset, 8);
    out += le(0x07064b50, 4) + le(0, 4) + le(record, 8) + le(1, 4);
  }
  std::string count = le(zip64 ? 0xffff : entries.size(), 2);
  return out + le(0x06054b50, 4) + le(0, 4) + count + count + le(zip64 ? 0xffffffff : central.size(), 4) +
         le(zip64 ? 0xffffffff : cd_offset, 4) + le(0, 2);
}

uint32_t crc_of(const std::string& bytes) {
  return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

ZipEntryFixture stored(const std::string& name, const std::string& bytes) {
  return {name, bytes, 0, crc_of(bytes), bytes.size()};
}

std::string raw_deflate(const std::string& bytes) {
  z_stream s{};
  EXPECT_EQ(deflateInit2(&s, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&s, bytes.size()), '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  s.avail_in = static_cast<uInt>(bytes.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

TEST(NpzRoundTrip, SeveralArrays) {
  TempDir dir;
  std::map<std::string, Tensor> arrays = {{"weights", patterned(DType::kF32, {4, 3})},
                                          {"labels", patterned(DType::kI64, {4})},
                                          {"mask", patterned(DType::kBool, {2, 2})},
                                          {"scalar", Tensor::scalar<double>(2.5)}};
  ASSERT_TRUE(write_npz(dir / "sub" / "data.npz", arrays));
  auto back = read_npz(dir / "sub" / "data.npz");
  ASSERT_TRUE(back) << back.error().to_string();
  ASSERT_EQ(back->size(), arrays.size());
  for (const auto& [key, tensor] : arrays) {
    SCOPED_TRACE(key);
    ASSERT_TRUE(back->count(key));
    expect_same(tensor, back->at(key));
  }
  auto bytes = read_bytes(dir / "sub" / "data.npz");
  EXPECT_EQ(bytes.substr(0, 4), "PK\x03\x04");
  EXPECT_NE(bytes.find("weights.npy"), std::string::npos);
}

TEST(NpzRead, DeflatedAndZip64Members) {
  std::string npy = *serialize_npy(patterned(DType::kF32, {16, 16}));
  std::string deflated = raw_deflate(npy);
  ASSERT_LT(deflated.size(), npy.size());
  ZipEntryFixture packed{"packed.npy", deflated, 8, crc_of(npy), npy.size()};
  for (bool zip64 : {false, true}) {
    SCOPED_TRACE(zip64);
    TempDir dir;
    write_bytes(dir / "a.npz", zip_fixture({packed, stored("plain.npy", npy), stored("dir/", "")}, zip64));
    auto arrays = read_npz(dir / "a.npz");
    ASSERT_TRUE(arrays) << arrays.error().to_string();
    ASSERT_EQ(arrays->size(), 2u);
    expect_same(*parse(npy), arrays->at("packed"));
    expect_same(*parse(npy), arrays->at("plain"));
  }
}

TEST(NpzError, CrcMismatchAndCorruptMembersAreNamed) {
  TempDir dir;
  std::string npy = *serialize_npy(patterned(DType::kI16, {5}));
  ZipEntryFixture bad_crc = stored("x.npy", npy);
  bad_crc.crc ^= 1;
  write_bytes(dir / "crc.npz", zip_fixture({bad_crc}));
  expect_error(read_npz(dir / "crc.npz").error(), ErrorCode::kParseError, (dir / "crc.npz").string(),
               "corrupt member 'x.npy': CRC-32 mismatch");

  write_bytes(dir / "bad.npz", zip_fixture({stored("y.npy", "not an npy")}));
  expect_error(read_npz(dir / "bad.npz").error(), ErrorCode::kParseError, (dir / "bad.npz").string(),
               "member 'y.npy': not a .npy file: bad magic");

  std::string deflated = raw_deflate(npy);
  deflated[deflated.size() / 2] ^= 0x55;
  write_bytes(dir / "inflate.npz", zip_fixture({{"z.npy", deflated, 8, crc_of(npy), npy.size()}}));
  expect_error(read_npz(dir / "inflate.npz").error(), ErrorCode::kParseError, (dir / "inflate.npz").string(),
               "corrupt member 'z.npy'");
}

TEST(NpzError, NotAZipAndUnsupportedMethod) {
  TempDir dir;
  write_bytes(dir / "a.npz", *serialize_npy(patterned(DType::kU8, {3})));
  auto npy_instead = read_npz(dir / "a.npz");
  expect_error(npy_instead.error(), ErrorCode::kParseError, (dir / "a.npz").string(), "not a .npz file");
  EXPECT_NE(npy_instead.error().hint().find("read_npy"), std::string::npos);

  write_bytes(dir / "b.npz", zip_fixture({{"w.npy", "xxxx", 12, 0, 4}}));
  expect_error(read_npz(dir / "b.npz").error(), ErrorCode::kUnsupported, (dir / "b.npz").string(),
               "member 'w.npy' uses unsupported compression method 12 (bzip2)");
}

TEST(NpzError, NeverCrashesOnTruncatedArchives) {
  TempDir dir;
  std::string npy = *serialize_npy(patterned(DType::kF32, {4}));
  std::string archive =
      zip_fixture({stored("a.npy", npy), {"b.npy", raw_deflate(npy), 8, crc_of(npy), npy.size()}}, true);
  for (size_t len = 1; len < archive.size(); len += 3) {
    write_bytes(dir / "t.npz", archive.substr(0, len));
    EXPECT_FALSE(read_npz(dir / "t.npz")) << len;
  }
  for (size_t pos = 0; pos < archive.size(); ++pos) {
    std::string mutated = archive;
    mutated[pos] = static_cast<char>(mutated[pos] ^ 0xff);
    write_bytes(dir / "m.npz", mutated);
    (void)read_npz(dir / "m.npz");  // must not crash or hang
  }
}

// ---- atomic writes ------------------------------------------------------------------------------

TEST(AtomicFile, ReplacesExistingFileAndLeavesNoTempFile) {
  TempDir dir;
  write_bytes(dir / "out.bin", "old contents that are longer");
  ASSERT_TRUE(write_file_atomically(dir / "out.bin", "new"));
  EXPECT_EQ(read_bytes(dir / "out.bin"), "new");
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir.path())) names.push_back(entry.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>({"out.bin"}));
}

TEST(AtomicFile, CreatesMissingParentDirectories) {
  TempDir dir;
  ASSERT_TRUE(write_file_atomically(dir / "a" / "b" / "c.txt", std::string("x\0y", 3)));
  EXPECT_EQ(read_bytes(dir / "a" / "b" / "c.txt"), std::string("x\0y", 3));
}

TEST(AtomicFile, FailureNamesThePathAndCleansUp) {
  TempDir dir;
  fs::create_directories(dir / "target_is_a_dir" / "child");
  Status status = write_file_atomically(dir / "target_is_a_dir", "data");
  expect_error(status, ErrorCode::kIoError, (dir / "target_is_a_dir").string(), "cannot replace the file");
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1u);

  write_bytes(dir / "plain_file", "x");
  Status blocked = write_file_atomically(dir / "plain_file" / "inner.bin", "data");
  expect_error(blocked, ErrorCode::kIoError, (dir / "plain_file" / "inner.bin").string(), "cannot create directory");
}

}  // namespace
}  // namespace nnc
