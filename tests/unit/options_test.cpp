// nnc tests: option schema validation (unknown keys, types, required, choices, coercions) and suggestions.
#include <gtest/gtest.h>

#include "nnc/options.h"
#include "nnc/suggest.h"

namespace nnc {
namespace {

std::vector<OptionSpec> schema() {
  return {option_bool("fast", false, "go fast"), option_int("chips", 4, "number of chips"),
          option_float("ratio", 0.5, "a ratio"), option_string("effort", "normal", "effort", {"lazy", "normal", "hard"}),
          option_required("key_file", OptionType::kString, "key file"), option_string_list("ops", {"A"}, "ops"),
          option_optional("scales", OptionType::kFloatList, "scales")};
}

TEST(Options, DefaultsAndCoercions) {
  auto o = validate_options(schema(), {{"key_file", std::string("k")}, {"ratio", int64_t{2}}, {"scales", std::vector<int64_t>{1, 2}}},
                            "'target.x'");
  ASSERT_TRUE(o.has_value()) << o.error().to_string();
  EXPECT_EQ(o->get_int("chips"), 4);
  EXPECT_DOUBLE_EQ(o->get_float("ratio"), 2.0);
  EXPECT_EQ(o->get_string("effort"), "normal");
  EXPECT_EQ(o->get_string_list("ops"), std::vector<std::string>{"A"});
  EXPECT_EQ(o->get_float_list("scales"), (std::vector<double>{1.0, 2.0}));
}

TEST(Options, UnknownKeySuggestsCloseName) {
  auto o = validate_options(schema(), {{"key_file", std::string("k")}, {"chipz", int64_t{2}}}, "'target.x'");
  ASSERT_FALSE(o.has_value());
  EXPECT_NE(o.error().message().find("unknown option 'chipz'"), std::string::npos);
  EXPECT_NE(o.error().message().find("did you mean 'chips'"), std::string::npos) << o.error().message();
  EXPECT_EQ(o.error().location().object, "chipz");
}

TEST(Options, WrongTypeSaysWhatIsExpected) {
  auto o = validate_options(schema(), {{"key_file", std::string("k")}, {"fast", std::string("yes")}}, "'target.x'");
  ASSERT_FALSE(o.has_value());
  EXPECT_NE(o.error().message().find("must be bool, got a string"), std::string::npos) << o.error().message();
}

TEST(Options, MissingRequiredAndBadChoice) {
  auto missing = validate_options(schema(), {}, "'target.x'");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message().find("missing required option 'key_file'"), std::string::npos);
  EXPECT_NE(missing.error().hint().find("key_file = "), std::string::npos);
  auto choice = validate_options(schema(), {{"key_file", std::string("k")}, {"effort", std::string("harder")}}, "'target.x'");
  ASSERT_FALSE(choice.has_value());
  EXPECT_NE(choice.error().message().find("did you mean 'hard'"), std::string::npos) << choice.error().message();
}

TEST(Options, TomlRendering) {
  EXPECT_EQ(option_value_to_toml(OptionValue(true)), "true");
  EXPECT_EQ(option_value_to_toml(OptionValue(2.0)), "2.0");
  EXPECT_EQ(option_value_to_toml(OptionValue(std::string("a\"b"))), "\"a\\\"b\"");
  EXPECT_EQ(option_value_to_toml(OptionValue(std::vector<int64_t>{1, 2})), "[1, 2]");
}

TEST(Suggest, CloseMatches) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3);
  auto m = close_matches("pass.remove_identiy", {"pass.remove_identity", "write.ir-json", "pass.fold"});
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m[0], "pass.remove_identity");
  EXPECT_EQ(did_you_mean("zzzzzz", {"alpha", "beta"}), "");
  EXPECT_EQ(quoted_list({"a", "b"}), "'a', 'b'");
}

TEST(Status, OneLineWithLocationAndHint) {
  Status s(ErrorCode::kInvalidArgument, "bad thing", Location{"p.toml", 3, 7, ""}, "do this");
  EXPECT_EQ(s.to_string(), "p.toml:3:7: error: bad thing (fix: do this)");
  EXPECT_EQ(s.with_context("stage 1").message(), "stage 1: bad thing");
  Expected<int> e = make_error(ErrorCode::kNotFound, "nope");
  EXPECT_FALSE(e.has_value());
  EXPECT_EQ(e.status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace nnc
