// nnc tests: the built-in exec.reference stage: outputs, top-k, option errors at their TOML lines.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "nnc/npy.h"
#include "nnc/pipeline.h"
#include "nnc/plugin.h"
#include "test_graphs.h"

namespace nnc {
namespace {
namespace fs = std::filesystem;

/// Frontend for ".fake" files: the chain graph y = Relu(x) + [1, 2, 3, 4], x: f32[1, 4].
class ChainFrontend final : public Frontend {
 public:
  Expected<Graph> load(const ModelSource&, const Options&, Context&) override { return testing::make_chain_graph(); }
};

class ExecStageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nnc_exec_stage_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    std::ofstream(dir_ / "m.fake") << "m";
    ASSERT_TRUE(write_npy(dir_ / "x.npy", Tensor::from_vector<float>({-1, 0.5f, -2, 3}, {1, 4})).is_ok());
    ASSERT_TRUE(write_npy(dir_ / "x_i64.npy", Tensor::from_vector<int64_t>({1, 2, 3, 4}, {1, 4})).is_ok());
    ASSERT_TRUE(write_npy(dir_ / "x_wide.npy", Tensor::from_vector<float>({1, 2, 3, 4, 5}, {1, 5})).is_ok());
    PluginRegistrar r("test_components");
    r.add_frontend(FrontendEntry{{"chain", "1.0", "chain graph", {}}, {".fake"}, [] { return std::make_unique<ChainFrontend>(); }, {}});
    ASSERT_TRUE(r.commit(plugins_.registry()).is_ok());
    ctx_.diagnostics = &diag_;
    ctx_.threads = 1;
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// Runs `[[models]] m.fake` then an exec.reference stage with `stage_keys` (from line 5 on).
  Expected<CompileJob> run(const std::string& stage_keys) {
    fs::path p = dir_ / "p.toml";
    std::ofstream(p) << "[[models]]\npath = \"m.fake\"\n[[stage]]\nplugin = \"exec.reference\"\n" << stage_keys
                     << "[outputs]\ndir = \"out\"\n";
    auto spec = parse_pipeline_file(p);
    if (!spec) return spec.error();
    auto plan = resolve_pipeline(*spec, plugins_, diag_);
    if (!plan) return plan.error();
    return run_pipeline(*plan, plugins_, ctx_);
  }

  fs::path dir_;
  PluginManager plugins_;
  DiagnosticSink diag_;
  Context ctx_;
};

TEST_F(ExecStageTest, WritesOutputsAndPrintsSummaryAndTopK) {
  ::testing::internal::CaptureStdout();
  auto job = run("inputs = { x = \"x.npy\" }\ntop_k = 2\n");
  std::string out = ::testing::internal::GetCapturedStdout();
  ASSERT_TRUE(job.has_value()) << job.error().to_string();
  // y = Relu([-1, 0.5, -2, 3]) + [1, 2, 3, 4] = [1, 2.5, 3, 7].
  auto y = read_npy(dir_ / "out" / "model_0.y.npy");
  ASSERT_TRUE(y.has_value()) << y.error().to_string();
  ASSERT_EQ(y->shape(), (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(std::vector<float>(y->data<float>().begin(), y->data<float>().end()), (std::vector<float>{1, 2.5f, 3, 7}));
  EXPECT_NE(out.find("output 'y' f32[1, 4] min 1 max 7 mean 3.375"), std::string::npos) << out;
  EXPECT_NE(out.find("top-2: 3 (7) 2 (3)\n"), std::string::npos) << out;
  EXPECT_NE(out.find(" ms on 1 thread(s)"), std::string::npos) << out;
}

TEST_F(ExecStageTest, ListFormAndBareFileForTheOnlyInput) {
  ::testing::internal::CaptureStdout();
  auto job = run("inputs = [\"x.npy\"]\nwrite_outputs = false\n");
  std::string out = ::testing::internal::GetCapturedStdout();
  ASSERT_TRUE(job.has_value()) << job.error().to_string();
  EXPECT_NE(out.find("max 7"), std::string::npos) << out;
  EXPECT_EQ(out.find("top-"), std::string::npos) << out;  // top_k defaults to off
  EXPECT_FALSE(fs::exists(dir_ / "out" / "model_0.y.npy"));
}

TEST_F(ExecStageTest, MissingFileIsAnErrorAtTheInputsLine) {
  auto job = run("top_k = 1\ninputs = { x = \"nope.npy\" }\n");
  ASSERT_FALSE(job.has_value());
  EXPECT_EQ(job.error().location().line, 6);
  EXPECT_NE(job.error().message().find("'nope.npy' not found"), std::string::npos) << job.error().to_string();
  EXPECT_NE(job.error().location().object.find("exec.reference"), std::string::npos);
}

TEST_F(ExecStageTest, WrongDtypeShapeAndNameAreErrorsNamingTheInput) {
  auto dtype = run("inputs = { x = \"x_i64.npy\" }\n");
  ASSERT_FALSE(dtype.has_value());
  EXPECT_EQ(dtype.error().location().line, 5);
  EXPECT_NE(dtype.error().message().find("holds i64[1, 4] but input 'x' is f32[1, 4]"), std::string::npos)
      << dtype.error().to_string();
  auto shape = run("inputs = { x = \"x_wide.npy\" }\n");
  ASSERT_FALSE(shape.has_value());
  EXPECT_NE(shape.error().message().find("holds f32[1, 5]"), std::string::npos) << shape.error().to_string();
  auto name = run("inputs = { xx = \"x.npy\" }\n");
  ASSERT_FALSE(name.has_value());
  EXPECT_NE(name.error().message().find("no model has an input named 'xx' (did you mean 'x'?)"), std::string::npos)
      << name.error().to_string();
  auto negative = run("inputs = [\"x.npy\"]\ntop_k = -1\n");
  ASSERT_FALSE(negative.has_value());
  EXPECT_EQ(negative.error().location().line, 6);
}

TEST_F(ExecStageTest, TableValuesMustBeStrings) {
  auto job = run("inputs = { x = 3 }\n");
  ASSERT_FALSE(job.has_value());
  EXPECT_EQ(job.error().location().line, 5);
  EXPECT_NE(job.error().message().find("a table option maps names to strings"), std::string::npos) << job.error().to_string();
}

TEST(SanitizedFileStem, KeepsSafeCharactersAndMakesNamesUnique) {
  std::set<std::string> taken;
  EXPECT_EQ(sanitized_file_stem("logits", taken), "logits");
  EXPECT_EQ(sanitized_file_stem("a/b:c", taken), "a_b_c");
  EXPECT_EQ(sanitized_file_stem("a?b:c", taken), "a_b_c_1");
  EXPECT_EQ(sanitized_file_stem("..", taken), "output");
  EXPECT_EQ(sanitized_file_stem("", taken), "output_1");
}

}  // namespace
}  // namespace nnc
