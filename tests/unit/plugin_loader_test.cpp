// nnc tests: the plugin loader against deliberately broken plugins (one rule each) and a good one beside them.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nnc/diagnostics.h"
#include "nnc/graph.h"
#include "nnc/options.h"
#include "nnc/plugin.h"
#include "nnc/plugin_manager.h"
#include "nnc/version.h"

namespace {

namespace fs = std::filesystem;
using nnc::PluginManager;
using nnc::PluginRecord;

/// Built by tests/broken_plugins: broken plugins + libnnc_pass_testgood.so; plugins clashing with
/// "testgood" in duplicates/ (searched after the main directory).
const fs::path kBrokenDir = NNC_BROKEN_PLUGIN_DIR;
const fs::path kDuplicateDir = kBrokenDir / "duplicates";
/// The plugins nnc ships (build/lib/nnc/plugins).
const fs::path kBuiltDir = NNC_BUILT_PLUGIN_DIR;

const std::string kGoodFile = "libnnc_pass_testgood.so";
const fs::path kGoodPath = kBrokenDir / kGoodFile;

std::string broken_file(const std::string& what) { return "libnnc_pass_broken_" + what + ".so"; }
fs::path broken_path(const std::string& what) { return kBrokenDir / broken_file(what); }

std::string version_string(int major, int minor) { return std::to_string(major) + "." + std::to_string(minor); }

const PluginRecord* find_record(const PluginManager& plugins, const fs::path& path) {
  for (const PluginRecord& record : plugins.records())
    if (record.path == path) return &record;
  return nullptr;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// Success when `path` was considered and rejected with a reason holding every word of
/// `expected_words`, and nothing it would have provided reached the registry.
::testing::AssertionResult RejectedWith(const PluginManager& plugins, const fs::path& path,
                                        const std::vector<std::string>& expected_words) {
  const PluginRecord* record = find_record(plugins, path);
  if (record == nullptr) return ::testing::AssertionFailure() << path << " has no load record";
  if (record->loaded) return ::testing::AssertionFailure() << path << " was loaded; expected a rejection";
  for (const std::string& word : expected_words)
    if (!contains(record->reason, word))
      return ::testing::AssertionFailure() << "reason lacks '" << word << "': " << record->reason;
  if (!record->file_component.empty() && plugins.registry().find_qualified(record->file_component))
    return ::testing::AssertionFailure() << record->file_component << " is registered although " << path
                                         << " was rejected";
  return ::testing::AssertionSuccess() << record->reason;
}

/// A manager that has searched the broken-plugin directory, then the directory of clashing plugins.
class PluginLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override { plugins_.load_from({kBrokenDir, kDuplicateDir}); }

  PluginManager plugins_;
};

// --- the good plugin, beside the broken ones ------------------------------------------------------

TEST_F(PluginLoaderTest, GoodPluginBesideBrokenOnesLoads) {
  const PluginRecord* record = find_record(plugins_, kGoodPath);
  ASSERT_NE(record, nullptr);
  EXPECT_TRUE(record->loaded) << record->reason;
  EXPECT_TRUE(record->reason.empty()) << record->reason;
  EXPECT_EQ(record->name, "testgood");
  EXPECT_EQ(record->version, "1.2.3");
  EXPECT_EQ(record->sdk_major, NNC_SDK_VERSION_MAJOR);
  EXPECT_EQ(record->sdk_minor, NNC_SDK_VERSION_MINOR);
  EXPECT_EQ(record->components, std::vector<std::string>{"pass.rename_graph"});

  const nnc::PassEntry* entry = plugins_.registry().passes.find("rename_graph");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->plugin, "testgood");
  EXPECT_TRUE(plugins_.registry().find_qualified("pass.rename_graph").has_value());
}

TEST_F(PluginLoaderTest, GoodPluginPassRunsOnAGraph) {
  const nnc::PassEntry* entry = plugins_.registry().passes.find("rename_graph");
  ASSERT_NE(entry, nullptr);
  auto options = nnc::validate_options(entry->info.options, {{"name", std::string("renamed")}}, "pass.rename_graph");
  ASSERT_TRUE(options.has_value()) << options.error().to_string();

  nnc::DiagnosticSink diagnostics;
  nnc::Context ctx;
  ctx.diagnostics = &diagnostics;
  nnc::Graph graph("original");
  std::unique_ptr<nnc::Pass> pass = entry->create();
  ASSERT_NE(pass, nullptr);

  auto changed = pass->run(graph, *options, ctx);
  ASSERT_TRUE(changed.has_value()) << changed.error().to_string();
  EXPECT_TRUE(*changed);
  EXPECT_EQ(graph.name(), "renamed");

  auto changed_again = pass->run(graph, *options, ctx);
  ASSERT_TRUE(changed_again.has_value());
  EXPECT_FALSE(*changed_again) << "renaming to the same name must report no change";
}

TEST_F(PluginLoaderTest, GoodPluginPassRequiresItsNameOption) {
  const nnc::PassEntry* entry = plugins_.registry().passes.find("rename_graph");
  ASSERT_NE(entry, nullptr);
  auto options = nnc::validate_options(entry->info.options, {}, "pass.rename_graph");
  ASSERT_FALSE(options.has_value());
  EXPECT_TRUE(contains(options.error().to_string(), "name")) << options.error().to_string();
}

// --- one broken plugin per loader rule --------------------------------------------------------------

TEST_F(PluginLoaderTest, MissingEntryPointIsRejected) {
  EXPECT_TRUE(RejectedWith(plugins_, broken_path("no_entry"), {NNC_PLUGIN_ENTRY_POINT}));
  const PluginRecord* record = find_record(plugins_, broken_path("no_entry"));
  ASSERT_NE(record, nullptr);
  EXPECT_FALSE(contains(record->reason, "mangled")) << "a plain missing symbol is not a mangled one: "
                                                    << record->reason;
}

TEST_F(PluginLoaderTest, MangledEntryPointIsReportedAsMangled) {
  EXPECT_TRUE(RejectedWith(plugins_, broken_path("mangled"), {"mangled", NNC_PLUGIN_ENTRY_POINT}));
}

TEST_F(PluginLoaderTest, WrongMajorIsRejectedNamingBothVersions) {
  EXPECT_TRUE(RejectedWith(plugins_, broken_path("wrong_major"),
                           {"major", std::to_string(NNC_SDK_VERSION_MAJOR + 1), std::to_string(NNC_SDK_VERSION_MAJOR)}));
  const PluginRecord* record = find_record(plugins_, broken_path("wrong_major"));
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->sdk_major, NNC_SDK_VERSION_MAJOR + 1);
}

TEST_F(PluginLoaderTest, NewerMinorIsRejectedNamingBothVersions) {
  EXPECT_TRUE(RejectedWith(plugins_, broken_path("newer_minor"),
                           {"minor", version_string(NNC_SDK_VERSION_MAJOR, NNC_SDK_VERSION_MINOR + 1),
                            version_string(NNC_SDK_VERSION_MAJOR, NNC_SDK_VERSION_MINOR)}));
  const PluginRecord* record = find_record(plugins_, broken_path("newer_minor"));
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->sdk_minor, NNC_SDK_VERSION_MINOR + 1);
}

TEST_F(PluginLoaderTest, WrongAbiTagIsRejectedNamingBothTags) {
  EXPECT_TRUE(RejectedWith(plugins_, broken_path("abi_tag"), {"ABI", "other-abi", NNC_ABI_TAG}));
}

TEST_F(PluginLoaderTest, NullNameIsRejected) {
  EXPECT_TRUE(RejectedWith(plugins_, broken_path("null_name"), {"name"}));
}

TEST_F(PluginLoaderTest, TooSmallDescriptorIsRejected) {
  EXPECT_TRUE(RejectedWith(plugins_, broken_path("small_struct"), {"small", "8"}));
}

TEST_F(PluginLoaderTest, ThrowingRegisterFunctionIsRejectedWithTheExceptionText) {
  EXPECT_TRUE(RejectedWith(plugins_, broken_path("throws"), {"boom from register"}));
  // It added a pass before throwing: staged additions must be dropped.
  EXPECT_EQ(plugins_.registry().passes.find("broken_throws"), nullptr);
}

TEST_F(PluginLoaderTest, DuplicatePluginNameIsRejected) {
  // Named "core", like the core's built-in components (always loaded first).
  EXPECT_TRUE(RejectedWith(plugins_, broken_path("dup_plugin_name"), {"duplicate", "core"}));
  EXPECT_EQ(plugins_.registry().passes.find("broken_dup_plugin_name"), nullptr);
}

TEST_F(PluginLoaderTest, DuplicateComponentNameIsRejectedAndAddsNothing) {
  // Registers write.ir-text, which the core provides.
  EXPECT_TRUE(RejectedWith(plugins_, broken_path("dup_component"), {"duplicate", "write.ir-text"}));
  EXPECT_EQ(plugins_.registry().passes.find("broken_dup_component"), nullptr) << "its other pass was committed";
  const nnc::JobStageEntry* owner = plugins_.registry().writers.find("ir-text");
  ASSERT_NE(owner, nullptr);
  EXPECT_EQ(owner->plugin, "core");
}

TEST_F(PluginLoaderTest, SecondCopyOfAPluginIsRejectedAsDuplicate) {
  EXPECT_TRUE(RejectedWith(plugins_, kDuplicateDir / kGoodFile, {"duplicate", "testgood"}));
  const PluginRecord* first = find_record(plugins_, kGoodPath);
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(first->loaded) << first->reason;
}

TEST_F(PluginLoaderTest, SecondProviderOfAComponentIsRejectedAndAddsNothing) {
  EXPECT_TRUE(RejectedWith(plugins_, kDuplicateDir / broken_file("dup_rename_graph"),
                           {"duplicate", "pass.rename_graph", "testgood"}));
  EXPECT_EQ(plugins_.registry().passes.find("broken_dup_rename_graph"), nullptr) << "its other pass was committed";
  const nnc::PassEntry* owner = plugins_.registry().passes.find("rename_graph");
  ASSERT_NE(owner, nullptr);
  EXPECT_EQ(owner->plugin, "testgood");
}

TEST_F(PluginLoaderTest, LoadFileReasonNamesTheFile) {
  // The record keeps the path and the bare reason (`host plugins` prints "path: reason");
  // the Status load_file returns must name the file by itself.
  PluginManager fresh;
  ASSERT_TRUE(fresh.load_file(kGoodPath).is_ok());  // so the duplicates clash again
  int rejected = 0;
  for (const PluginRecord& record : plugins_.records()) {
    if (record.loaded) continue;
    ++rejected;
    nnc::Status status = fresh.load_file(record.path);
    ASSERT_FALSE(status.is_ok()) << record.path << " loaded on its own";
    EXPECT_TRUE(contains(status.to_string(), record.path.filename().string()))
        << "reason does not name " << record.path.filename() << ": " << status.to_string();
    EXPECT_TRUE(contains(status.to_string(), record.reason)) << status.to_string();
  }
  EXPECT_GT(rejected, 0);
}

TEST_F(PluginLoaderTest, RejectedPluginsLeaveNoComponentBehind) {
  int rejected = 0;
  for (const PluginRecord& record : plugins_.records()) {
    if (record.loaded) continue;
    ++rejected;
    EXPECT_TRUE(record.components.empty()) << record.path << " lists components although rejected";
    EXPECT_FALSE(record.reason.empty()) << record.path << " is rejected without a reason";
  }
  EXPECT_EQ(rejected, 12) << "10 broken plugins + 2 in duplicates/";
  for (const std::string& name : plugins_.registry().qualified_names())
    EXPECT_FALSE(contains(name, "broken_")) << name << " was registered by a rejected plugin";
}

TEST_F(PluginLoaderTest, FilesOutsideTheNamingPatternAreIgnored) {
  ASSERT_TRUE(fs::exists(kBrokenDir / "libsomething_else.so")) << "test fixture missing";
  EXPECT_EQ(find_record(plugins_, kBrokenDir / "libsomething_else.so"), nullptr);
  for (const PluginRecord& record : plugins_.records()) {
    if (record.path.parent_path() != kBrokenDir) continue;  // e.g. the core's built-in record
    EXPECT_TRUE(PluginManager::is_plugin_file_name(record.path.filename().string())) << record.path;
  }
}

// --- error messages for pipelines naming unavailable components -----------------------------------

TEST_F(PluginLoaderTest, RejectedProviderIsFoundByComponentName) {
  const PluginRecord* provider = plugins_.rejected_provider_of("pass.broken_wrong_major");
  ASSERT_NE(provider, nullptr);
  EXPECT_EQ(provider->path, broken_path("wrong_major"));
  EXPECT_EQ(provider->file_component, "pass.broken_wrong_major");
  EXPECT_EQ(plugins_.rejected_provider_of("pass.rename_graph"), nullptr) << "its plugin loaded";
  EXPECT_EQ(plugins_.rejected_provider_of("pass.no_such_thing"), nullptr);
}

TEST_F(PluginLoaderTest, UnavailableComponentErrorCarriesTheRejectionReason) {
  nnc::Status error = plugins_.unavailable_component_error("pass.broken_wrong_major");
  ASSERT_FALSE(error.is_ok());
  const std::string text = error.to_string();
  EXPECT_TRUE(contains(text, "major")) << text;
  EXPECT_TRUE(contains(text, broken_file("wrong_major"))) << text;
}

TEST_F(PluginLoaderTest, UnknownComponentGetsCloseNameSuggestions) {
  nnc::Status error = plugins_.unavailable_component_error("pass.rename_grahp");
  ASSERT_FALSE(error.is_ok());
  const std::string text = error.to_string();
  EXPECT_TRUE(contains(text, "rename_graph")) << text;
  EXPECT_TRUE(contains(text, "pass.rename_grahp")) << text;
}

// --- search behaviour -----------------------------------------------------------------------------

TEST(PluginLoaderSearch, LoadingTheSameDirectoryTwiceDoesNotLoadTwice) {
  PluginManager plugins;
  plugins.load_from({kBrokenDir});
  const size_t records_after_first = plugins.records().size();
  const auto names_after_first = plugins.registry().qualified_names();
  ASSERT_GT(records_after_first, 0u);

  plugins.load_from({kBrokenDir});
  EXPECT_EQ(plugins.records().size(), records_after_first);
  EXPECT_EQ(plugins.registry().qualified_names(), names_after_first);
  const PluginRecord* good = find_record(plugins, kGoodPath);
  ASSERT_NE(good, nullptr);
  EXPECT_TRUE(good->loaded) << good->reason;
}

TEST(PluginLoaderSearch, DirectoryListedTwiceIsSearchedOnce) {
  PluginManager once;
  once.load_from({kBrokenDir});
  PluginManager twice;
  twice.load_from({kBrokenDir, kBrokenDir, kBrokenDir / "."});
  EXPECT_EQ(twice.records().size(), once.records().size());
  const PluginRecord* good = find_record(twice, kGoodPath);
  ASSERT_NE(good, nullptr);
  EXPECT_TRUE(good->loaded) << good->reason;
}

TEST(PluginLoaderSearch, MissingDirectoryIsSkipped) {
  PluginManager plugins;
  plugins.load_from({kBrokenDir / "no_such_directory", kBrokenDir});
  const PluginRecord* good = find_record(plugins, kGoodPath);
  ASSERT_NE(good, nullptr);
  EXPECT_TRUE(good->loaded) << good->reason;
}

TEST(PluginLoaderSearch, LoadFileReturnsTheRejectionReason) {
  PluginManager plugins;
  const size_t records_before = plugins.records().size();  // the core's built-in components count as one
  nnc::Status status = plugins.load_file(broken_path("wrong_major"));
  ASSERT_FALSE(status.is_ok());
  EXPECT_TRUE(contains(status.to_string(), "major")) << status.to_string();
  EXPECT_TRUE(contains(status.to_string(), broken_file("wrong_major"))) << status.to_string();
  ASSERT_EQ(plugins.records().size(), records_before + 1);
  EXPECT_FALSE(plugins.records().back().loaded);

  EXPECT_TRUE(plugins.load_file(kGoodPath).is_ok());
  EXPECT_NE(plugins.registry().passes.find("rename_graph"), nullptr);
}

TEST(PluginLoaderSearch, LoadFileOfMissingFileFails) {
  PluginManager plugins;
  EXPECT_FALSE(plugins.load_file(kBrokenDir / "libnnc_pass_does_not_exist.so").is_ok());
}

TEST(PluginLoaderSearch, ShippedPluginsLoadBesideTheTestPlugins) {
  PluginManager plugins;
  plugins.load_from({kBuiltDir, kBrokenDir});
  const fs::path built_dir = fs::weakly_canonical(kBuiltDir);
  int shipped = 0;
  for (const PluginRecord& record : plugins.records()) {
    if (fs::weakly_canonical(record.path).parent_path() != built_dir) continue;
    ++shipped;
    EXPECT_TRUE(record.loaded) << record.path << ": " << record.reason;
  }
  EXPECT_GT(shipped, 0) << "no plugin found in " << kBuiltDir;
  const PluginRecord* good = find_record(plugins, kGoodPath);
  ASSERT_NE(good, nullptr);
  EXPECT_TRUE(good->loaded) << good->reason;
}

// --- file names -----------------------------------------------------------------------------------

TEST(PluginLoaderFileNames, AcceptsEveryKnownKind) {
  for (const char* name : {"libnnc_frontend_onnx.so", "libnnc_pass_remove_identity.so", "libnnc_calib_minmax.so",
                           "libnnc_target_mx3.so", "libnnc_write_dfp.so", "libnnc_runtime_sim.so",
                           "libnnc_pass_testgood.so"})
    EXPECT_TRUE(PluginManager::is_plugin_file_name(name)) << name;
}

TEST(PluginLoaderFileNames, RefusesOtherNames) {
  for (const char* name : {"libsomething_else.so", "libnnc_core.so", "libnnc_widget_foo.so", "libnnc_pass_.so",
                           "libnnc_pass.so", "nnc_pass_foo.so", "libnnc_pass_foo.so.1", "libnnc_pass_foo.a",
                           "libnnc_pass_foo.dylib", "libnnc_pass_foo", ""})
    EXPECT_FALSE(PluginManager::is_plugin_file_name(name)) << "'" << name << "'";
}

}  // namespace
