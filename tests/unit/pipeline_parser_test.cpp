// nnc tests: pipeline TOML parsing and resolution; every bad-TOML case names file:line:col and a fix.
#include <gtest/gtest.h>

#include <fstream>

#include "nnc/pipeline.h"

namespace nnc {
namespace {
namespace fs = std::filesystem;

class PipelineParserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nnc_pipeline_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    std::ofstream(dir_ / "model.onnx") << "not parsed by these tests";
    plugins_.load_from({NNC_BUILT_PLUGIN_DIR});
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& text) {
    fs::path p = dir_ / "p.toml";
    std::ofstream(p) << text;
    return p;
  }

  /// Parses and resolves; returns the first error (OK when both succeed).
  Status check(const std::string& text) {
    auto spec = parse_pipeline_file(write(text));
    if (!spec) return spec.error();
    DiagnosticSink quiet([](const Diagnostic&) {});
    auto plan = resolve_pipeline(*spec, plugins_, quiet);
    return plan.status();
  }

  std::string where(int line, int col) const { return (dir_ / "p.toml").string() + ":" + std::to_string(line) + ":" + std::to_string(col); }

  fs::path dir_;
  PluginManager plugins_;
};

const char* kGood =
    "[job]\nverify_each = true\n\n"
    "[[models]]\npath = \"model.onnx\"\ninput_shapes = { image = [1, 3, 32, 32] }\n\n"
    "[[stage]]\nplugin = \"pass.remove_identity\"\nops = [\"Identity\"]\n\n"
    "[[stage]]\nplugin = \"write.ir-json\"\ninclude_constant_data = true\n\n"
    "[outputs]\ndir = \"out\"\nir = [\"text\"]\n";

TEST_F(PipelineParserTest, GoodPipelineResolves) {
  auto spec = parse_pipeline_file(write(kGood));
  ASSERT_TRUE(spec.has_value()) << spec.error().to_string();
  EXPECT_TRUE(spec->verify_each);
  ASSERT_EQ(spec->models.size(), 1u);
  EXPECT_EQ(spec->models[0].input_shapes.at("image"), (std::vector<int64_t>{1, 3, 32, 32}));
  EXPECT_EQ(spec->output_dir, dir_ / "out");
  DiagnosticSink quiet([](const Diagnostic&) {});
  auto plan = resolve_pipeline(*spec, plugins_, quiet);
  ASSERT_TRUE(plan.has_value()) << plan.error().to_string();
  ASSERT_EQ(plan->stages.size(), 2u);
  EXPECT_EQ(plan->stages[0].options.get_string_list("ops"), std::vector<std::string>{"Identity"});
  EXPECT_TRUE(plan->stages[1].options.get_bool("include_constant_data"));
  std::string described = describe_plan(*plan);
  EXPECT_NE(described.find("pass.remove_identity"), std::string::npos);
  EXPECT_NE(described.find("file = \"{model}.ir.json\"  (default)"), std::string::npos) << described;
}

TEST_F(PipelineParserTest, SyntaxErrorNamesPosition) {
  Status s = check("[[models]]\npath = \"model.onnx\"\nthis is not toml\n");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), ErrorCode::kParseError);
  EXPECT_EQ(s.to_string().rfind(where(3, 6), 0), 0u) << s.to_string();
  EXPECT_NE(s.to_string().find("fix:"), std::string::npos);
}

TEST_F(PipelineParserTest, UnknownPluginSuggestsCloseNames) {
  Status s = check("[[models]]\npath = \"model.onnx\"\n[[stage]]\nplugin = \"pass.remove_identiy\"\n");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.to_string().rfind(where(4, 10), 0), 0u) << s.to_string();
  EXPECT_NE(s.message().find("did you mean 'pass.remove_identity'"), std::string::npos) << s.message();
}

TEST_F(PipelineParserTest, UnknownOptionPointsAtTheKey) {
  Status s = check("[[models]]\npath = \"model.onnx\"\n[[stage]]\nplugin = \"pass.remove_identity\"\n  opz = [\"Identity\"]\n");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.to_string().rfind(where(5, 3), 0), 0u) << s.to_string();
  EXPECT_NE(s.message().find("unknown option 'opz'"), std::string::npos);
  EXPECT_NE(s.message().find("did you mean 'ops'"), std::string::npos);
  EXPECT_NE(s.hint().find("accepted options"), std::string::npos);
}

TEST_F(PipelineParserTest, WrongTypeSaysExpectedType) {
  Status s = check("[[models]]\npath = \"model.onnx\"\n[[stage]]\nplugin = \"write.ir-json\"\ninclude_constant_data = \"yes\"\n");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.to_string().rfind(where(5, 1), 0), 0u) << s.to_string();
  EXPECT_NE(s.message().find("must be bool, got a string"), std::string::npos) << s.message();
}

TEST_F(PipelineParserTest, MissingModelFile) {
  Status s = check("[[models]]\npath = \"missing.onnx\"\n");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), ErrorCode::kNotFound);
  EXPECT_EQ(s.to_string().rfind(where(2, 8), 0), 0u) << s.to_string();
  EXPECT_NE(s.message().find("model file 'missing.onnx' not found"), std::string::npos);
  EXPECT_NE(s.hint().find("relative paths are resolved"), std::string::npos);
}

TEST_F(PipelineParserTest, StructuralMistakes) {
  Status unknown_top = check("[[model]]\npath = \"model.onnx\"\n");
  ASSERT_FALSE(unknown_top.is_ok());
  EXPECT_NE(unknown_top.message().find("did you mean 'models'"), std::string::npos) << unknown_top.message();
  EXPECT_EQ(unknown_top.to_string().rfind(where(1, 3), 0), 0u) << unknown_top.to_string();

  Status no_models = check("[job]\nthreads = 2\n");
  ASSERT_FALSE(no_models.is_ok());
  EXPECT_NE(no_models.message().find("no [[models]]"), std::string::npos);

  Status no_plugin = check("[[models]]\npath = \"model.onnx\"\n[[stage]]\nops = []\n");
  ASSERT_FALSE(no_plugin.is_ok());
  EXPECT_NE(no_plugin.message().find("has no 'plugin'"), std::string::npos);

  Status bad_threads = check("[job]\nthreads = \"four\"\n[[models]]\npath = \"model.onnx\"\n");
  ASSERT_FALSE(bad_threads.is_ok());
  EXPECT_EQ(bad_threads.to_string().rfind(where(2, 11), 0), 0u) << bad_threads.to_string();

  Status bad_shape = check("[[models]]\npath = \"model.onnx\"\ninput_shapes = { x = [1, -3] }\n");
  ASSERT_FALSE(bad_shape.is_ok());
  EXPECT_NE(bad_shape.message().find("positive integers"), std::string::npos);

  Status bad_index = check("[[models]]\npath = \"model.onnx\"\n[[stage]]\nplugin = \"pass.remove_identity\"\nmodels = [3]\n");
  ASSERT_FALSE(bad_index.is_ok());
  EXPECT_NE(bad_index.message().find("selects model 3"), std::string::npos);

  Status frontend_as_stage = check("[[models]]\npath = \"model.onnx\"\n[[stage]]\nplugin = \"frontend.onnx\"\n");
  ASSERT_FALSE(frontend_as_stage.is_ok());
  EXPECT_NE(frontend_as_stage.message().find("cannot be a pipeline stage"), std::string::npos);
}

TEST_F(PipelineParserTest, UnknownExtensionHasNoFrontend) {
  std::ofstream(dir_ / "model.xyz") << "x";
  Status s = check("[[models]]\npath = \"model.xyz\"\n");
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("no frontend reads '.xyz' files"), std::string::npos) << s.message();
  EXPECT_EQ(s.to_string().rfind(where(2, 8), 0), 0u) << s.to_string();
}

TEST_F(PipelineParserTest, DirectoryIsNotAModel) {
  fs::create_directories(dir_ / "models");
  Status s = check("[[models]]\npath = \"models\"\n");
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("is a directory, not a model file"), std::string::npos) << s.message();
  EXPECT_EQ(s.to_string().rfind(where(2, 8), 0), 0u) << s.to_string();
}

TEST_F(PipelineParserTest, MissingPipelineFile) {
  auto spec = parse_pipeline_file(dir_ / "nope.toml");
  ASSERT_FALSE(spec.has_value());
  EXPECT_EQ(spec.error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace nnc
