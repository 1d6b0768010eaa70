// nnc SDK: option schemas declared by plugins, and validated option values handed to them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "nnc/status.h"

namespace nnc {

/// Type of an option value.
enum class OptionType {
  kBool,
  kInt,
  kFloat,       ///< accepts integers too
  kString,
  kInputPath,   ///< a file or directory that must exist; relative to the pipeline file
  kOutputPath,  ///< a file to create; relative to the job's output directory
  kStringList,
  kIntList,
  kFloatList,
};

/// Printable type name used in messages and `host explain` ("bool", "path to an existing file"...).
const char* option_type_name(OptionType t) noexcept;

/// A concrete option value. Paths are stored as strings after resolution.
using OptionValue =
    std::variant<bool, int64_t, double, std::string, std::vector<std::string>, std::vector<int64_t>, std::vector<double>>;

/// Renders a value as TOML ("true", "3", "0.5", "\"x\"", "[1, 2]").
std::string option_value_to_toml(const OptionValue& v);

/// Declaration of one option a plugin component accepts.
struct OptionSpec {
  std::string name;                    ///< key in the pipeline TOML, snake_case
  OptionType type = OptionType::kString;
  std::optional<OptionValue> default_value;  ///< used when the key is absent; none + !required = unset
  bool required = false;               ///< the key must be given
  std::string doc;                     ///< one line shown by `host explain`
  std::vector<std::string> choices;    ///< for kString: the only accepted values (empty = any)
};

/// Builders for concise schema declarations.
OptionSpec option_bool(std::string name, bool default_value, std::string doc);
OptionSpec option_int(std::string name, int64_t default_value, std::string doc);
OptionSpec option_float(std::string name, double default_value, std::string doc);
OptionSpec option_string(std::string name, std::string default_value, std::string doc,
                         std::vector<std::string> choices = {});
OptionSpec option_string_list(std::string name, std::vector<std::string> default_value, std::string doc);
OptionSpec option_required(std::string name, OptionType type, std::string doc);
OptionSpec option_optional(std::string name, OptionType type, std::string doc);

/// Validated options for one component instance: every key is in the schema and of its type;
/// defaults are filled in.
class Options {
 public:
  Options() = default;
  void set(const std::string& name, OptionValue v) { values_[name] = std::move(v); }
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  const std::map<std::string, OptionValue>& values() const noexcept { return values_; }

  /// Typed getters; return `fallback` when the option is unset (schema validation guarantees types).
  bool get_bool(const std::string& name, bool fallback = false) const;
  int64_t get_int(const std::string& name, int64_t fallback = 0) const;
  double get_float(const std::string& name, double fallback = 0.0) const;
  std::string get_string(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> get_string_list(const std::string& name) const;
  std::vector<int64_t> get_int_list(const std::string& name) const;
  std::vector<double> get_float_list(const std::string& name) const;
  std::filesystem::path get_path(const std::string& name) const { return get_string(name); }

 private:
  std::map<std::string, OptionValue> values_;
};

/// Checks `given` against `schema`: unknown keys (with close matches), wrong types, missing required
/// options, choices. Fills defaults. `where` names the component in messages.
Expected<Options> validate_options(const std::vector<OptionSpec>& schema,
                                   const std::map<std::string, OptionValue>& given, const std::string& where);

}  // namespace nnc
