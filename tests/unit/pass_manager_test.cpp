// nnc tests: PassManager (verify-each names the breaking pass, exceptions become errors), registrar rules.
#include <gtest/gtest.h>

#include <stdexcept>

#include "nnc/pass_manager.h"
#include "nnc/plugin_manager.h"
#include "nnc/plugin.h"
#include "test_graphs.h"

namespace nnc {
namespace {

/// Breaks the graph: points the Add at a value nobody produces.
class BreakingPass final : public Pass {
 public:
  Expected<bool> run(Graph& g, const Options&, Context&) override {
    g.find_node("add")->set_input(0, g.add_value("orphan"));
    return true;
  }
};

class ThrowingPass final : public Pass {
 public:
  Expected<bool> run(Graph&, const Options&, Context&) override { throw std::runtime_error("kaboom"); }
};

class CountingPass final : public Pass {
 public:
  explicit CountingPass(int* calls) : calls_(calls) {}
  Expected<bool> run(Graph&, const Options&, Context&) override { return ++*calls_ < 3; }

 private:
  int* calls_;
};

struct Fixture {
  DiagnosticSink diag{[](const Diagnostic&) {}};
  Context ctx;
  Fixture() { ctx.diagnostics = &diag; }
};

TEST(PassManager, VerifyEachNamesTheBreakingPass) {
  Fixture f;
  f.ctx.verify_each = true;
  Graph g = testing::make_chain_graph();
  PassManager pm;
  pm.add("pass.breaker", std::make_unique<BreakingPass>(), {});
  std::vector<StepReport> reports;
  Status s = pm.run(g, f.ctx, &reports, "model_0");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), ErrorCode::kVerifyFailed);
  EXPECT_NE(s.message().find("after pass.breaker on model_0"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'orphan'"), std::string::npos) << s.message();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(reports[0].changed);
  EXPECT_GT(reports[0].peak_rss_kb, 0);
}

TEST(PassManager, WithoutVerifyEachTheBrokenGraphPassesThrough) {
  Fixture f;
  Graph g = testing::make_chain_graph();
  PassManager pm;
  pm.add("pass.breaker", std::make_unique<BreakingPass>(), {});
  EXPECT_TRUE(pm.run(g, f.ctx).is_ok());
}

TEST(PassManager, ExceptionBecomesPluginError) {
  Fixture f;
  Graph g = testing::make_chain_graph();
  PassManager pm;
  pm.add("pass.thrower", std::make_unique<ThrowingPass>(), {});
  Status s = pm.run(g, f.ctx);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), ErrorCode::kPluginError);
  EXPECT_NE(s.message().find("kaboom"), std::string::npos);
}

TEST(PassManager, FixpointStopsWhenNothingChanges) {
  Fixture f;
  Graph g = testing::make_chain_graph();
  int calls = 0;
  PassManager pm;
  pm.add("pass.count", std::make_unique<CountingPass>(&calls), {});
  EXPECT_TRUE(pm.run_to_fixpoint(g, f.ctx).is_ok());
  EXPECT_EQ(calls, 3);
}

PassEntry pass_entry(const std::string& name) {
  return PassEntry{{name, "1.0", "doc", {}}, [] { return std::make_unique<ThrowingPass>(); }, {}};
}

TEST(PluginRegistrar, CommitIsAllOrNothing) {
  Registry reg;
  PluginRegistrar first("first");
  first.add_pass(pass_entry("shared"));
  ASSERT_TRUE(first.commit(reg).is_ok());
  PluginRegistrar second("second");
  second.add_pass(pass_entry("fresh"));
  second.add_pass(pass_entry("shared"));
  Status s = second.commit(reg);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("duplicate component name 'pass.shared'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("plugin 'first'"), std::string::npos);
  EXPECT_EQ(reg.passes.find("fresh"), nullptr);
  EXPECT_EQ(reg.passes.find("shared")->plugin, "first");
}

TEST(PluginRegistrar, InvalidNamesAndMissingFactories) {
  Registry reg;
  PluginRegistrar bad_name("p");
  bad_name.add_pass(pass_entry("Has Spaces"));
  EXPECT_FALSE(bad_name.commit(reg).is_ok());
  PluginRegistrar no_factory("p");
  no_factory.add_pass(PassEntry{{"nofactory", "1", "doc", {}}, nullptr, {}});
  Status s = no_factory.commit(reg);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("no factory"), std::string::npos);
  EXPECT_EQ(reg.passes.size(), 0u);
}

TEST(PluginRegistrar, FailureIsSticky) {
  Registry reg;
  PluginRegistrar r("p");
  r.add_pass(pass_entry("ok"));
  r.fail_exception("bad input");
  EXPECT_TRUE(r.failed());
  Status s = r.commit(reg);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("register function threw an exception: bad input"), std::string::npos);
  EXPECT_EQ(reg.passes.size(), 0u);
}

TEST(Registry, QualifiedLookup) {
  PluginManager pm;  // registers the core's built-in writers
  auto found = pm.registry().find_qualified("write.ir-json");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->kind, ComponentKind::kWriter);
  EXPECT_EQ(found->plugin, "core");
  EXPECT_FALSE(pm.registry().find_qualified("pass.ir-json").has_value());
  EXPECT_FALSE(pm.registry().find_qualified("nodot").has_value());
}

}  // namespace
}  // namespace nnc
