// nnc core: option schemas: builders, validation against a schema, typed access.
#include "nnc/options.h"

#include <sstream>

#include "nnc/suggest.h"

namespace nnc {

const char* option_type_name(OptionType t) noexcept {
  switch (t) {
    case OptionType::kBool: return "bool";
    case OptionType::kInt: return "integer";
    case OptionType::kFloat: return "number";
    case OptionType::kString: return "string";
    case OptionType::kInputPath: return "path to an existing file";
    case OptionType::kOutputPath: return "output path";
    case OptionType::kStringList: return "list of strings";
    case OptionType::kIntList: return "list of integers";
    case OptionType::kFloatList: return "list of numbers";
  }
  return "string";
}

namespace {
/// Renders option values as TOML literals.
struct TomlLiteral {
  std::string operator()(bool b) const { return b ? "true" : "false"; }
  std::string operator()(int64_t i) const { return std::to_string(i); }
  std::string operator()(double d) const {
    std::ostringstream os;
    os.precision(10);
    os << d;
    std::string s = os.str();
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
  }
  std::string operator()(const std::string& s) const {
    std::string out = "\"";
    for (char c : s) out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    return out + "\"";
  }
  template <typename T>
  std::string operator()(const std::vector<T>& list) const {
    std::string out = "[";
    for (size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + (*this)(list[i]);
    return out + "]";
  }
};
}  // namespace

std::string option_value_to_toml(const OptionValue& v) { return std::visit(TomlLiteral{}, v); }

OptionSpec option_bool(std::string name, bool d, std::string doc) {
  return {std::move(name), OptionType::kBool, OptionValue(d), false, std::move(doc), {}};
}
OptionSpec option_int(std::string name, int64_t d, std::string doc) {
  return {std::move(name), OptionType::kInt, OptionValue(d), false, std::move(doc), {}};
}
OptionSpec option_float(std::string name, double d, std::string doc) {
  return {std::move(name), OptionType::kFloat, OptionValue(d), false, std::move(doc), {}};
}
OptionSpec option_string(std::string name, std::string d, std::string doc, std::vector<std::string> choices) {
  return {std::move(name), OptionType::kString, OptionValue(std::move(d)), false, std::move(doc), std::move(choices)};
}
OptionSpec option_string_list(std::string name, std::vector<std::string> d, std::string doc) {
  return {std::move(name), OptionType::kStringList, OptionValue(std::move(d)), false, std::move(doc), {}};
}
OptionSpec option_required(std::string name, OptionType type, std::string doc) {
  return {std::move(name), type, std::nullopt, true, std::move(doc), {}};
}
OptionSpec option_optional(std::string name, OptionType type, std::string doc) {
  return {std::move(name), type, std::nullopt, false, std::move(doc), {}};
}

namespace {

template <typename T>
const T* get_if(const std::map<std::string, OptionValue>& m, const std::string& name) {
  auto it = m.find(name);
  return it == m.end() ? nullptr : std::get_if<T>(&it->second);
}

const char* value_kind(const OptionValue& v) {
  switch (v.index()) {
    case 0: return "a bool";
    case 1: return "an integer";
    case 2: return "a number";
    case 3: return "a string";
    case 4: return "a list of strings";
    case 5: return "a list of integers";
    case 6: return "a list of numbers";
  }
  return "a value";
}

/// Converts `v` to the schema type where lossless (int -> float, [] -> any list); else nullopt.
std::optional<OptionValue> coerce(const OptionValue& v, OptionType type) {
  switch (type) {
    case OptionType::kBool:
      if (std::holds_alternative<bool>(v)) return v;
      break;
    case OptionType::kInt:
      if (std::holds_alternative<int64_t>(v)) return v;
      break;
    case OptionType::kFloat:
      if (std::holds_alternative<double>(v)) return v;
      if (auto* i = std::get_if<int64_t>(&v)) return OptionValue(static_cast<double>(*i));
      break;
    case OptionType::kString:
    case OptionType::kInputPath:
    case OptionType::kOutputPath:
      if (std::holds_alternative<std::string>(v)) return v;
      break;
    case OptionType::kStringList:
      if (std::holds_alternative<std::vector<std::string>>(v)) return v;
      if (auto* s = std::get_if<std::string>(&v)) return OptionValue(std::vector<std::string>{*s});
      break;
    case OptionType::kIntList:
      if (std::holds_alternative<std::vector<int64_t>>(v)) return v;
      break;
    case OptionType::kFloatList:
      if (std::holds_alternative<std::vector<double>>(v)) return v;
      if (auto* ints = std::get_if<std::vector<int64_t>>(&v))
        return OptionValue(std::vector<double>(ints->begin(), ints->end()));
      break;
  }
  // An empty list parses as an empty string list; it fits any list type.
  if (auto* strs = std::get_if<std::vector<std::string>>(&v); strs && strs->empty()) {
    if (type == OptionType::kIntList) return OptionValue(std::vector<int64_t>{});
    if (type == OptionType::kFloatList) return OptionValue(std::vector<double>{});
  }
  return std::nullopt;
}

}  // namespace

bool Options::get_bool(const std::string& name, bool fallback) const {
  auto* v = get_if<bool>(values_, name);
  return v ? *v : fallback;
}
int64_t Options::get_int(const std::string& name, int64_t fallback) const {
  auto* v = get_if<int64_t>(values_, name);
  return v ? *v : fallback;
}
double Options::get_float(const std::string& name, double fallback) const {
  if (auto* v = get_if<double>(values_, name)) return *v;
  if (auto* v = get_if<int64_t>(values_, name)) return static_cast<double>(*v);
  return fallback;
}
std::string Options::get_string(const std::string& name, const std::string& fallback) const {
  auto* v = get_if<std::string>(values_, name);
  return v ? *v : fallback;
}
std::vector<std::string> Options::get_string_list(const std::string& name) const {
  auto* v = get_if<std::vector<std::string>>(values_, name);
  return v ? *v : std::vector<std::string>{};
}
std::vector<int64_t> Options::get_int_list(const std::string& name) const {
  auto* v = get_if<std::vector<int64_t>>(values_, name);
  return v ? *v : std::vector<int64_t>{};
}
std::vector<double> Options::get_float_list(const std::string& name) const {
  auto* v = get_if<std::vector<double>>(values_, name);
  return v ? *v : std::vector<double>{};
}

Expected<Options> validate_options(const std::vector<OptionSpec>& schema,
                                   const std::map<std::string, OptionValue>& given, const std::string& where) {
  std::vector<std::string> known;
  for (const auto& spec : schema) known.push_back(spec.name);
  for (const auto& [key, value] : given) {
    bool found = false;
    for (const auto& spec : schema) found = found || spec.name == key;
    if (!found) {
      return make_error(ErrorCode::kInvalidArgument,
                        "unknown option '" + key + "' for " + where + did_you_mean(key, known), Location{"", 0, 0, key},
                        known.empty() ? where + " takes no options; remove the key"
                                      : "accepted options: " + quoted_list(known) + " (see `host explain`)");
    }
  }
  Options out;
  for (const auto& spec : schema) {
    auto it = given.find(spec.name);
    if (it == given.end()) {
      if (spec.required) {
        return make_error(ErrorCode::kInvalidArgument,
                          "missing required option '" + spec.name + "' for " + where, Location{"", 0, 0, spec.name},
                          "add `" + spec.name + " = <" + option_type_name(spec.type) + ">`: " + spec.doc);
      }
      if (spec.default_value) out.set(spec.name, *spec.default_value);
      continue;
    }
    std::optional<OptionValue> v = coerce(it->second, spec.type);
    if (!v) {
      return make_error(ErrorCode::kInvalidArgument,
                        "option '" + spec.name + "' of " + where + " must be " + option_type_name(spec.type) +
                            ", got " + value_kind(it->second),
                        Location{"", 0, 0, spec.name}, spec.doc);
    }
    if (!spec.choices.empty()) {
      const std::string& s = std::get<std::string>(*v);
      bool ok = false;
      for (const auto& c : spec.choices) ok = ok || c == s;
      if (!ok) {
        return make_error(ErrorCode::kInvalidArgument,
                          "option '" + spec.name + "' of " + where + " is \"" + s + "\"; expected one of " +
                              quoted_list(spec.choices) + did_you_mean(s, spec.choices),
                          Location{"", 0, 0, spec.name}, spec.doc);
      }
    }
    out.set(spec.name, std::move(*v));
  }
  return out;
}

}  // namespace nnc
