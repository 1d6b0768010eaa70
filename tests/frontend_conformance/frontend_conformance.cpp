// nnc tests: the checks of the shared frontend conformance suite (see frontend_conformance.h).
#include "frontend_conformance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <set>

#include <unistd.h>

#include "frontend_conformance_test.h"
#include "nnc/components.h"
#include "nnc/executor.h"
#include "nnc/pipeline.h"
#include "nnc/plugin_manager.h"
#include "nnc/verifier.h"

namespace nnc::conformance {

std::string frontend_case_name(const FrontendCase& c) { return c.frontend + "_" + c.sample.label; }

void PrintTo(const FrontendCase& c, std::ostream* os) { *os << c.frontend << ":" << c.sample.model.filename().string(); }

std::filesystem::path realmodels_dir() { return std::filesystem::path(NNC_SHARED_DIR) / "realmodels"; }

namespace {

namespace fs = std::filesystem;

// Loaded once for the whole test binary and never destroyed: unloading plugin libraries during static
// destruction would run their code after gtest has finished with it.
PluginManager& plugins() {
  static PluginManager* pm = [] {
    auto* m = new PluginManager();
    m->load_from({fs::path(NNC_BUILT_PLUGIN_DIR)});
    return m;
  }();
  return *pm;
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// A fresh directory removed at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("nnc_frontend_conformance_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

Expected<Graph> load_with(const std::string& frontend, const ModelSource& source, DiagnosticSink& diag) {
  const FrontendEntry* fe = plugins().registry().frontends.find(frontend);
  if (!fe) return make_error(ErrorCode::kNotFound, "frontend '" + frontend + "' is not built/loaded from " NNC_BUILT_PLUGIN_DIR);
  NNC_ASSIGN_OR_RETURN(Options options, validate_options(fe->info.options, {}, "frontend " + frontend));
  Context ctx;
  ctx.diagnostics = &diag;
  ctx.base_dir = source.path.parent_path();
  ctx.output_dir = fs::temp_directory_path();
  // The core's load_model, as host and pipelines use it: frontend, then the IR verifier.
  return load_model(source, frontend, options, plugins(), ctx);
}

namespace {

ModelSource source_of(const FrontendSample& s) {
  ModelSource src;
  src.path = s.model;
  src.extra_paths = s.companions;
  return src;
}

/// Either a graph that passes the verifier, or an error whose text names `broken`.
void expect_clean_outcome(const Expected<Graph>& g, const fs::path& broken, const std::string& what) {
  if (g) {
    Status v = verify_graph(*g);
    EXPECT_TRUE(v.is_ok()) << what << ": loaded a graph that fails verification: " << v.to_string();
    return;
  }
  const std::string text = g.error().to_string();
  EXPECT_NE(text.find(broken.filename().string()), std::string::npos)
      << what << ": the error does not name the file " << broken.filename() << ": " << text;
}

Tensor deterministic_input(const Value& v) {
  std::vector<int64_t> dims;
  for (const Dim& d : v.shape().dims()) dims.push_back(d.is_static() ? d.size() : 1);
  Tensor t(v.dtype(), dims);
  for (int64_t i = 0; i < t.element_count(); ++i) {
    double x = std::sin(0.1 * static_cast<double>(i));
    switch (v.dtype()) {
      case DType::kF32: t.mutable_data<float>()[i] = static_cast<float>(x); break;
      case DType::kU8: t.mutable_data<uint8_t>()[i] = static_cast<uint8_t>(128 + 100 * x); break;
      case DType::kI8: t.mutable_data<int8_t>()[i] = static_cast<int8_t>(100 * x); break;
      case DType::kI16: t.mutable_data<int16_t>()[i] = static_cast<int16_t>(1000 * x); break;
      case DType::kI32: t.mutable_data<int32_t>()[i] = static_cast<int32_t>(10 * x); break;
      case DType::kI64: t.mutable_data<int64_t>()[i] = static_cast<int64_t>(10 * x); break;
      default: break;  // zero-filled
    }
  }
  return t;
}

}  // namespace

TEST_P(FrontendConformance, LoadsVerifiesAndNamesItsInterface) {
  const FrontendCase& c = GetParam();
  ASSERT_TRUE(fs::exists(c.sample.model)) << c.sample.model;
  DiagnosticSink diag([](const Diagnostic&) {});
  auto g = load_with(c.frontend, source_of(c.sample), diag);
  ASSERT_TRUE(g) << g.error().to_string();
  Status v = verify_graph(*g);
  EXPECT_TRUE(v.is_ok()) << v.to_string();
  EXPECT_FALSE(g->inputs().empty());
  EXPECT_FALSE(g->outputs().empty());
  for (const auto* list : {&g->inputs(), &g->outputs()})
    for (const Value* val : *list) {
      EXPECT_FALSE(val->name().empty());
      EXPECT_NE(val->dtype(), DType::kUndefined) << val->name();
    }
  // Inputs must have a rank (a caller builds tensors from them); output shapes may be left to the
  // executor when a frontend has no shape inference (frontend.tensorflow today).
  for (const Value* val : g->inputs()) EXPECT_TRUE(val->shape().has_rank()) << val->name();
}

TEST_P(FrontendConformance, RunsOnTheReferenceExecutor) {
  const FrontendCase& c = GetParam();
  if (!c.sample.runnable) GTEST_SKIP() << "sample declared not runnable (ops outside the reference table)";
  DiagnosticSink diag([](const Diagnostic&) {});
  auto g = load_with(c.frontend, source_of(c.sample), diag);
  ASSERT_TRUE(g) << g.error().to_string();
  auto ex = ReferenceExecutor::create(*g);
  ASSERT_TRUE(ex) << ex.error().to_string();
  std::map<std::string, Tensor> inputs;
  for (const Value* in : g->inputs()) inputs[in->name()] = deterministic_input(*in);
  auto out = (*ex)->run(inputs);
  ASSERT_TRUE(out) << out.error().to_string();
  for (const auto& [name, t] : *out) {
    if (t.dtype() != DType::kF32) continue;
    for (float x : t.data<float>()) ASSERT_TRUE(std::isfinite(x)) << "output " << name << " holds " << x;
  }
}

TEST_P(FrontendConformance, TruncatedFilesAreCleanErrors) {
  const FrontendCase& c = GetParam();
  std::vector<fs::path> files{c.sample.model};
  files.insert(files.end(), c.sample.companions.begin(), c.sample.companions.end());
  for (size_t which = 0; which < files.size(); ++which) {
    const std::string bytes = read_bytes(files[which]);
    std::set<size_t> cuts{0, 1, 16, bytes.size() / 4, bytes.size() / 2, bytes.empty() ? 0 : bytes.size() - 1};
    for (size_t cut : cuts) {
      if (cut >= bytes.size() && !bytes.empty()) continue;
      TempDir dir;
      FrontendSample s = c.sample;
      fs::path broken = dir.path / files[which].filename();
      write_bytes(broken, bytes.substr(0, cut));
      if (which == 0) s.model = broken; else s.companions[which - 1] = broken;
      DiagnosticSink diag([](const Diagnostic&) {});
      expect_clean_outcome(load_with(c.frontend, source_of(s), diag), broken,
                           files[which].filename().string() + " cut at " + std::to_string(cut));
    }
  }
}

TEST_P(FrontendConformance, CorruptedBytesAreCleanErrors) {
  const FrontendCase& c = GetParam();
  std::vector<fs::path> files{c.sample.model};
  files.insert(files.end(), c.sample.companions.begin(), c.sample.companions.end());
  std::mt19937_64 rng(20261123);
  for (size_t which = 0; which < files.size(); ++which) {
    const std::string bytes = read_bytes(files[which]);
    if (bytes.empty()) continue;
    for (int trial = 0; trial < 24; ++trial) {
      std::string damaged = bytes;
      // Half the trials hit the first 256 bytes, where headers and tables live.
      const size_t span = trial % 2 == 0 ? std::min<size_t>(256, damaged.size()) : damaged.size();
      const size_t at = rng() % span;
      damaged[at] = static_cast<char>(damaged[at] ^ static_cast<char>(1 + rng() % 255));
      TempDir dir;
      FrontendSample s = c.sample;
      fs::path broken = dir.path / files[which].filename();
      write_bytes(broken, damaged);
      if (which == 0) s.model = broken; else s.companions[which - 1] = broken;
      DiagnosticSink diag([](const Diagnostic&) {});
      expect_clean_outcome(load_with(c.frontend, source_of(s), diag), broken,
                           files[which].filename().string() + " byte " + std::to_string(at) + " changed");
    }
  }
}

TEST_P(FrontendConformance, MissingAndEmptyFilesAreNamed) {
  const FrontendCase& c = GetParam();
  TempDir dir;
  FrontendSample s = c.sample;
  s.model = dir.path / c.sample.model.filename();
  DiagnosticSink diag([](const Diagnostic&) {});
  auto missing = load_with(c.frontend, source_of(s), diag);
  ASSERT_FALSE(missing) << "a missing file loaded";
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound) << missing.error().to_string();
  EXPECT_NE(missing.error().to_string().find(s.model.filename().string()), std::string::npos) << missing.error().to_string();
  write_bytes(s.model, "");
  auto empty = load_with(c.frontend, source_of(s), diag);
  ASSERT_FALSE(empty) << "an empty file loaded";
  EXPECT_NE(empty.error().to_string().find(s.model.filename().string()), std::string::npos) << empty.error().to_string();
}

}  // namespace nnc::conformance
