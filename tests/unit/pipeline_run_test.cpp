// nnc tests: running a pipeline in-process: multi-model jobs, per-model passes, writers, errors.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "nnc/pipeline.h"
#include "nnc/plugin.h"
#include "test_graphs.h"

namespace nnc {
namespace {
namespace fs = std::filesystem;

/// Frontend for ".fake" files: builds the chain graph, named after the file.
class FakeFrontend final : public Frontend {
 public:
  Expected<Graph> load(const ModelSource& source, const Options& options, Context&) override {
    if (options.get_bool("fail")) return make_error(ErrorCode::kParseError, "cannot parse", Location{source.path.string()});
    Graph g = testing::make_chain_graph();
    g.set_name(source.path.stem().string());
    return g;
  }
};

/// Drops every Relu (rewiring its users), to observe per-model pass selection.
class DropReluPass final : public Pass {
 public:
  Expected<bool> run(Graph& g, const Options&, Context&) override {
    bool changed = false;
    for (Node* n : g.nodes()) {
      if (n->op_type() != "Relu") continue;
      Value* out = n->output(0);
      g.replace_all_uses(out, n->input(0));
      g.erase_node(n);
      NNC_RETURN_IF_ERROR(g.erase_value(out));
      changed = true;
    }
    return changed;
  }
};

class PipelineRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nnc_run_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    std::ofstream(dir_ / "a.fake") << "a";
    std::ofstream(dir_ / "b.fake") << "b";
    PluginRegistrar r("test_components");
    r.add_frontend(FrontendEntry{{"fake", "1.0", "fake models", {option_bool("fail", false, "fail to load")}},
                                 {".fake"},
                                 [] { return std::make_unique<FakeFrontend>(); },
                                 {}});
    r.add_pass(PassEntry{{"drop_relu", "1.0", "drops Relu", {}}, [] { return std::make_unique<DropReluPass>(); }, {}});
    ASSERT_TRUE(r.commit(plugins_.registry()).is_ok());
    ctx_.diagnostics = &diag_;
  }
  void TearDown() override { fs::remove_all(dir_); }

  Expected<CompileJob> run(const std::string& text) {
    fs::path p = dir_ / "p.toml";
    std::ofstream(p) << text;
    auto spec = parse_pipeline_file(p);
    if (!spec) return spec.error();
    auto plan = resolve_pipeline(*spec, plugins_, diag_);
    if (!plan) return plan.error();
    return run_pipeline(*plan, plugins_, ctx_);
  }

  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  fs::path dir_;
  PluginManager plugins_;
  DiagnosticSink diag_{[](const Diagnostic&) {}};
  Context ctx_;
};

TEST_F(PipelineRunTest, MultiModelJobWithPerModelPass) {
  auto job = run(
      "[job]\nshared_input_stream = true\nverify_each = true\n"
      "[[models]]\npath = \"a.fake\"\n[[models]]\npath = \"b.fake\"\n"
      "[[stage]]\nplugin = \"pass.drop_relu\"\nmodels = [1]\n"
      "[[stage]]\nplugin = \"write.ir-text\"\n"
      "[outputs]\ndir = \"out\"\nir = [\"json\"]\n");
  ASSERT_TRUE(job.has_value()) << job.error().to_string();
  ASSERT_EQ(job->models().size(), 2u);
  EXPECT_TRUE(job->shared_input_stream());
  EXPECT_EQ(job->models()[0].id, "model_0");
  EXPECT_EQ(job->models()[0].graph.node_count(), 3u);
  EXPECT_EQ(job->models()[1].graph.node_count(), 2u);
  EXPECT_NE(read(dir_ / "out" / "model_0.ir.txt").find("Relu("), std::string::npos);
  EXPECT_EQ(read(dir_ / "out" / "model_1.ir.txt").find("Relu("), std::string::npos);
  EXPECT_NE(read(dir_ / "out" / "model_1.ir.json").find("\"name\": \"b\""), std::string::npos);
  EXPECT_EQ(job->artifacts().size(), 4u);
}

TEST_F(PipelineRunTest, WriterRefusesToOverwriteOneFileWithManyModels) {
  auto job = run(
      "[[models]]\npath = \"a.fake\"\n[[models]]\npath = \"b.fake\"\n"
      "[[stage]]\nplugin = \"write.ir-text\"\nfile = \"same.txt\"\n");
  ASSERT_FALSE(job.has_value());
  EXPECT_NE(job.error().message().find("same file"), std::string::npos) << job.error().message();
  EXPECT_NE(job.error().to_string().find("p.toml:6:10: error: stage 1 'write.ir-text': option"), std::string::npos) << job.error().to_string();
}

TEST_F(PipelineRunTest, FrontendErrorNamesTheModelEntry) {
  auto job = run("[[models]]\npath = \"a.fake\"\noptions = { fail = true }\n");
  ASSERT_FALSE(job.has_value());
  EXPECT_EQ(job.error().code(), ErrorCode::kParseError);
  EXPECT_NE(job.error().to_string().find("a.fake"), std::string::npos) << job.error().to_string();
}

TEST_F(PipelineRunTest, FrontendOptionsAreValidated) {
  auto job = run("[[models]]\npath = \"a.fake\"\noptions = { fial = true }\n");
  ASSERT_FALSE(job.has_value());
  EXPECT_NE(job.error().message().find("did you mean 'fail'"), std::string::npos) << job.error().message();
  EXPECT_NE(job.error().to_string().find("p.toml:3:13"), std::string::npos) << job.error().to_string();
}

TEST_F(PipelineRunTest, OutputDirectoryThatCannotBeCreated) {
  std::ofstream(dir_ / "blocker") << "a file, not a directory";
  auto job = run("[[models]]\npath = \"a.fake\"\n[outputs]\ndir = \"blocker/sub\"\n");
  ASSERT_FALSE(job.has_value());
  EXPECT_EQ(job.error().code(), ErrorCode::kIoError);
  EXPECT_NE(job.error().message().find("cannot create output directory"), std::string::npos);
}

}  // namespace
}  // namespace nnc
