// nnc tests: corrupt .tflite input (empty, random bytes, every truncation step, bit flips of real files) never crashes the importer.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "tflite_importer.h"
#include "tflite_test_util.h"

namespace nnc::tflite_test {
namespace {

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// Either imports, or fails with a message naming the file: never crashes, never throws.
void expect_clean(const std::string& bytes, const std::string& name) {
  Expected<Graph> g = tflite_frontend::import_tflite_bytes(bytes, name, {}, nullptr);
  if (!g) {
    EXPECT_NE(g.error().to_string().find(name), std::string::npos) << g.error().to_string();
  }
}

TEST(TfliteBadInput, MissingEmptyAndForeignFiles) {
  ModelSource src;
  src.path = "/nonexistent/model.tflite";
  auto g = tflite_frontend::import_tflite_file(src, {}, nullptr);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(g.error().to_string().find("/nonexistent/model.tflite"), std::string::npos);

  auto empty = tflite_frontend::import_tflite_bytes("", "empty.tflite", {}, nullptr);
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().to_string().find("empty.tflite: error: not a valid TFLite model: the file is empty"), std::string::npos)
      << empty.error().to_string();

  auto onnx = tflite_frontend::import_tflite_bytes(std::string("\x08\x07\x12\x04onnx-ish bytes here"), "m.tflite", {}, nullptr);
  ASSERT_FALSE(onnx);
  EXPECT_NE(onnx.error().to_string().find("not 'TFL3'"), std::string::npos) << onnx.error().to_string();
  EXPECT_NE(onnx.error().to_string().find("(fix: "), std::string::npos);
}

TEST(TfliteBadInput, RandomBytesWithTheRightIdentifier) {
  std::mt19937 rng(11);
  for (int i = 0; i < 300; ++i) {
    std::string bytes(8 + rng() % 600, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    bytes.replace(4, 4, "TFL3");
    expect_clean(bytes, "random.tflite");
  }
}

TEST(TfliteBadInput, TruncationsAndBitFlipsOfRealFiles) {
  auto files = real_tflite_files();
  if (files.empty()) GTEST_SKIP() << "no real models at " << realmodels_dir();
  std::mt19937 rng(5);
  for (const auto& f : files) {
    if (std::filesystem::file_size(f) > 400'000) continue;  // keep the suite fast; the small ones cover every op kind
    const std::string bytes = read_all(f);
    const std::string name = f.filename().string();
    SCOPED_TRACE(name);
    for (size_t cut : {size_t{0}, size_t{4}, size_t{16}, bytes.size() / 3, bytes.size() / 2}) {
      auto g = tflite_frontend::import_tflite_bytes(bytes.substr(0, cut), name, {}, nullptr);
      EXPECT_FALSE(g) << "a truncation to " << cut << " bytes imported";
      if (!g) {
        EXPECT_NE(g.error().to_string().find(name), std::string::npos);
      }
    }
    // Near the end a cut may only drop alignment padding, which leaves a valid file: no crash either way.
    for (size_t cut = bytes.size() * 9 / 10; cut < bytes.size(); cut += std::max<size_t>(1, bytes.size() / 50)) {
      expect_clean(bytes.substr(0, cut), name);
    }
    expect_clean(bytes.substr(0, bytes.size() - 1), name);
    for (int i = 0; i < 60; ++i) {
      std::string flipped = bytes;
      const size_t pos = rng() % std::min<size_t>(flipped.size(), 4096);  // the flatbuffer tables live at the start
      flipped[pos] = static_cast<char>(flipped[pos] ^ (1 << (rng() % 8)));
      expect_clean(flipped, name);
    }
  }
}

}  // namespace
}  // namespace nnc::tflite_test
