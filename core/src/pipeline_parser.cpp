// nnc core: parses pipeline TOML into a PipelineSpec, with file:line:col on every error.
#include <toml++/toml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "nnc/pipeline.h"
#include "nnc/suggest.h"

namespace nnc {
namespace fs = std::filesystem;

namespace {

class Parser {
 public:
  explicit Parser(fs::path file) : file_(std::move(file)) {}

  Expected<PipelineSpec> parse(const std::string& text) {
    toml::table root;
    try {
      root = toml::parse(text, file_.string());
    } catch (const toml::parse_error& e) {
      return make_error(ErrorCode::kParseError, "TOML syntax error: " + std::string(e.description()),
                        at(e.source()), "fix the TOML syntax at this position");
    }
    spec_.file = file_;
    std::error_code ec;
    fs::path abs = fs::absolute(file_, ec);
    spec_.base_dir = (ec ? file_ : abs).parent_path();
    NNC_RETURN_IF_ERROR(check_keys(root, {"job", "models", "stage", "outputs"}, "the pipeline file"));
    NNC_RETURN_IF_ERROR(parse_job(root));
    NNC_RETURN_IF_ERROR(parse_models(root));
    NNC_RETURN_IF_ERROR(parse_stages(root));
    NNC_RETURN_IF_ERROR(parse_outputs(root));
    return std::move(spec_);
  }

 private:
  Location at(const toml::source_region& r) const {
    return Location{file_.string(), static_cast<int>(r.begin.line), static_cast<int>(r.begin.column), ""};
  }
  Location at(const toml::node& n) const { return at(n.source()); }

  Status error(const toml::node& n, std::string msg, std::string hint = {}) const {
    return make_error(ErrorCode::kInvalidArgument, std::move(msg), at(n), std::move(hint));
  }

  Status check_keys(const toml::table& t, const std::vector<std::string>& allowed, const std::string& where) {
    for (auto&& [key, value] : t) {
      std::string k(key.str());
      if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
      return make_error(ErrorCode::kInvalidArgument, "unknown key '" + k + "' in " + where + did_you_mean(k, allowed),
                        at(key.source()), "allowed keys: " + quoted_list(allowed));
    }
    return Status::ok();
  }

  Expected<const toml::table*> table_at(const toml::table& root, const char* key) {
    const toml::node* n = root.get(key);
    if (!n) return static_cast<const toml::table*>(nullptr);
    if (!n->is_table())
      return error(*n, std::string("'") + key + "' must be a table", std::string("write it as [") + key + "]");
    return n->as_table();
  }

  Status expect_type(const toml::node& n, bool ok, const std::string& key, const char* type) {
    if (ok) return Status::ok();
    return error(n, "'" + key + "' must be " + type, "e.g. " + key + " = " + example_for(type));
  }

  static std::string example_for(const std::string& type) {
    if (type == "a bool") return "true";
    if (type == "an integer") return "4";
    if (type == "a string") return "\"...\"";
    return "[...]";
  }

  Status parse_job(const toml::table& root) {
    NNC_ASSIGN_OR_RETURN(const toml::table* job, table_at(root, "job"));
    if (!job) return Status::ok();
    NNC_RETURN_IF_ERROR(check_keys(*job, {"verify_each", "threads", "shared_input_stream"}, "[job]"));
    for (auto&& [key, value] : *job) {
      std::string k(key.str());
      if (k == "threads") {
        NNC_RETURN_IF_ERROR(expect_type(value, value.is_integer(), k, "an integer"));
        int64_t t = value.as_integer()->get();
        if (t < 0 || t > 1024) return error(value, "'threads' must be between 0 (all cores) and 1024");
        spec_.threads = static_cast<int>(t);
      } else {
        NNC_RETURN_IF_ERROR(expect_type(value, value.is_boolean(), k, "a bool"));
        (k == "verify_each" ? spec_.verify_each : spec_.shared_input_stream) = value.as_boolean()->get();
      }
    }
    return Status::ok();
  }

  Expected<fs::path> existing_path(const toml::node& n, const std::string& written, const std::string& what) {
    fs::path p = fs::path(written).is_absolute() ? fs::path(written) : spec_.base_dir / written;
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      return make_error(ErrorCode::kNotFound, what + " '" + written + "' not found (looked for " + p.string() + ")",
                        at(n), "fix the path; relative paths are resolved against the pipeline file's directory");
    }
    return p.lexically_normal();
  }

  Status parse_models(const toml::table& root) {
    const toml::node* n = root.get("models");
    if (!n) {
      return make_error(ErrorCode::kInvalidArgument, "the pipeline has no [[models]] entry", Location{file_.string(), 1, 1, ""},
                        "add [[models]] with path = \"model.onnx\"");
    }
    if (!n->is_array_of_tables()) return error(*n, "'models' must be an array of tables", "write each model as [[models]]");
    for (const toml::node& entry : *n->as_array()) {
      const toml::table& t = *entry.as_table();
      NNC_RETURN_IF_ERROR(check_keys(t, {"path", "frontend", "input_shapes", "weights", "options"}, "[[models]]"));
      PipelineModelSpec m;
      m.location = at(t);
      const toml::node* path = t.get("path");
      if (!path) return make_error(ErrorCode::kInvalidArgument, "[[models]] entry has no 'path'", at(t), "add path = \"model.onnx\"");
      NNC_RETURN_IF_ERROR(expect_type(*path, path->is_string(), "path", "a string"));
      m.path_as_written = path->as_string()->get();
      m.location = at(*path);
      NNC_ASSIGN_OR_RETURN(m.path, existing_path(*path, m.path_as_written, "model file"));
      std::error_code ec;
      if (fs::is_directory(m.path, ec)) {
        return make_error(ErrorCode::kInvalidArgument, "model path '" + m.path_as_written + "' is a directory, not a model file",
                          at(*path), "name the model file itself, e.g. \"" + (fs::path(m.path_as_written) / "model.onnx").string() + "\"");
      }
      if (const toml::node* fe = t.get("frontend")) {
        NNC_RETURN_IF_ERROR(expect_type(*fe, fe->is_string(), "frontend", "a string"));
        m.frontend = fe->as_string()->get();
      }
      if (const toml::node* w = t.get("weights")) NNC_RETURN_IF_ERROR(parse_weights(*w, m));
      if (const toml::node* s = t.get("input_shapes")) NNC_RETURN_IF_ERROR(parse_input_shapes(*s, m));
      if (const toml::node* o = t.get("options")) {
        if (!o->is_table()) return error(*o, "'options' must be a table of frontend options", "options = { key = value }");
        for (auto&& [key, value] : *o->as_table()) {
          NNC_ASSIGN_OR_RETURN(OptionValue v, option_value(value, std::string(key.str())));
          m.frontend_options[std::string(key.str())] = std::move(v);
          m.frontend_option_locations[std::string(key.str())] = at(key.source());
        }
      }
      spec_.models.push_back(std::move(m));
    }
    return Status::ok();
  }

  Status parse_weights(const toml::node& w, PipelineModelSpec& m) {
    std::vector<const toml::node*> items;
    if (w.is_string()) items.push_back(&w);
    else if (w.is_array()) for (const toml::node& x : *w.as_array()) items.push_back(&x);
    else return error(w, "'weights' must be a string or a list of strings");
    for (const toml::node* x : items) {
      NNC_RETURN_IF_ERROR(expect_type(*x, x->is_string(), "weights", "a string"));
      NNC_ASSIGN_OR_RETURN(fs::path p, existing_path(*x, x->as_string()->get(), "weights file"));
      m.extra_paths.push_back(p);
    }
    return Status::ok();
  }

  Status parse_input_shapes(const toml::node& s, PipelineModelSpec& m) {
    const char* hint = "input_shapes = { input_name = [1, 3, 224, 224] }";
    if (!s.is_table()) return error(s, "'input_shapes' must be a table of input name to dimension list", hint);
    for (auto&& [key, value] : *s.as_table()) {
      if (!value.is_array()) return error(value, "shape of input '" + std::string(key.str()) + "' must be a list of integers", hint);
      std::vector<int64_t> dims;
      for (const toml::node& d : *value.as_array()) {
        if (!d.is_integer() || d.as_integer()->get() <= 0)
          return error(d, "dimensions of input '" + std::string(key.str()) + "' must be positive integers", hint);
        dims.push_back(d.as_integer()->get());
      }
      m.input_shapes[std::string(key.str())] = std::move(dims);
    }
    return Status::ok();
  }

  Expected<OptionValue> option_value(const toml::node& v, const std::string& key) {
    if (v.is_boolean()) return OptionValue(v.as_boolean()->get());
    if (v.is_integer()) return OptionValue(v.as_integer()->get());
    if (v.is_floating_point()) return OptionValue(v.as_floating_point()->get());
    if (v.is_string()) return OptionValue(v.as_string()->get());
    if (v.is_array()) {
      const toml::array& a = *v.as_array();
      if (a.empty()) return OptionValue(std::vector<std::string>{});
      if (a.is_homogeneous(toml::node_type::string)) {
        std::vector<std::string> out;
        for (const auto& x : a) out.push_back(x.as_string()->get());
        return OptionValue(out);
      }
      if (a.is_homogeneous(toml::node_type::integer)) {
        std::vector<int64_t> out;
        for (const auto& x : a) out.push_back(x.as_integer()->get());
        return OptionValue(out);
      }
      bool numeric = true;
      std::vector<double> out;
      for (const auto& x : a) {
        if (x.is_integer()) out.push_back(static_cast<double>(x.as_integer()->get()));
        else if (x.is_floating_point()) out.push_back(x.as_floating_point()->get());
        else numeric = false;
      }
      if (numeric) return OptionValue(out);
      return error(v, "option '" + key + "' mixes value types in one list", "use a list of strings, integers or numbers");
    }
    if (v.is_table()) {  // a table of strings, e.g. inputs = { image = "x.npy" }, becomes ["image=x.npy"]
      std::vector<std::string> out;
      for (auto&& [name, x] : *v.as_table()) {
        std::string n(name.str());
        if (!x.is_string() || n.find('=') != std::string::npos)
          return error(x, "option '" + key + "': a table option maps names to strings ('" + n + "' does not)",
                       key + " = { name = \"value\" }");
        out.push_back(n + "=" + x.as_string()->get());
      }
      return OptionValue(out);
    }
    return error(v, "option '" + key + "' has an unsupported value type (dates are not option values)",
                 "use a bool, integer, number, string, a list of those or a table of strings");
  }

  Status parse_stages(const toml::table& root) {
    const toml::node* n = root.get("stage");
    if (!n) return Status::ok();
    if (!n->is_array_of_tables()) return error(*n, "'stage' must be an array of tables", "write each stage as [[stage]]");
    for (const toml::node& entry : *n->as_array()) {
      const toml::table& t = *entry.as_table();
      PipelineStageSpec s;
      const toml::node* plugin = t.get("plugin");
      if (!plugin) {
        return make_error(ErrorCode::kInvalidArgument, "[[stage]] entry has no 'plugin'", at(t),
                          "add plugin = \"<kind>.<name>\", e.g. plugin = \"pass.remove_identity\"");
      }
      NNC_RETURN_IF_ERROR(expect_type(*plugin, plugin->is_string(), "plugin", "a string"));
      s.plugin = plugin->as_string()->get();
      s.location = at(*plugin);
      for (auto&& [key, value] : t) {
        std::string k(key.str());
        if (k == "plugin") continue;
        if (k == "models") {
          if (!value.is_array()) return error(value, "'models' must be a list of model indices", "models = [0]");
          for (const toml::node& i : *value.as_array()) {
            if (!i.is_integer() || i.as_integer()->get() < 0)
              return error(i, "'models' must list model indices (0-based integers)", "models = [0]");
            s.model_indices.push_back(i.as_integer()->get());
          }
          continue;
        }
        NNC_ASSIGN_OR_RETURN(OptionValue v, option_value(value, k));
        s.options[k] = std::move(v);
        s.option_locations[k] = at(key.source());
      }
      spec_.stages.push_back(std::move(s));
    }
    return Status::ok();
  }

  Status parse_outputs(const toml::table& root) {
    NNC_ASSIGN_OR_RETURN(const toml::table* out, table_at(root, "outputs"));
    spec_.output_dir = spec_.base_dir / (file_.stem().string() + ".out");
    if (!out) return Status::ok();
    NNC_RETURN_IF_ERROR(check_keys(*out, {"dir", "ir"}, "[outputs]"));
    if (const toml::node* d = out->get("dir")) {
      NNC_RETURN_IF_ERROR(expect_type(*d, d->is_string(), "dir", "a string"));
      fs::path p = d->as_string()->get();
      spec_.output_dir = (p.is_absolute() ? p : spec_.base_dir / p).lexically_normal();
    }
    if (const toml::node* ir = out->get("ir")) {
      if (!ir->is_array()) return error(*ir, "'ir' must be a list of dump formats", "ir = [\"text\", \"json\"]");
      for (const toml::node& f : *ir->as_array()) {
        if (!f.is_string() || (f.as_string()->get() != "text" && f.as_string()->get() != "json"))
          return error(f, "unknown IR dump format; expected \"text\" or \"json\"", "ir = [\"text\", \"json\"]");
        spec_.ir_dumps.push_back(f.as_string()->get());
      }
    }
    return Status::ok();
  }

  fs::path file_;
  PipelineSpec spec_;
};

}  // namespace

Expected<PipelineSpec> parse_pipeline_text(const std::string& text, const fs::path& file) {
  return Parser(file).parse(text);
}

Expected<PipelineSpec> parse_pipeline_file(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    return make_error(ErrorCode::kNotFound, "pipeline file '" + file.string() + "' not found", Location{file.string()},
                      "check the path; `host run` takes a pipeline .toml file");
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in && !in.eof()) return make_error(ErrorCode::kIoError, "cannot read '" + file.string() + "'", Location{file.string()});
  return parse_pipeline_text(buffer.str(), file);
}

}  // namespace nnc
