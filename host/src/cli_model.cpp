// nnc host: model-loading flags shared by `inspect` and `exec` (frontend, weights, input shapes).
#include "cli.h"
#include "nnc/pipeline.h"

namespace nnc::host {
namespace po = boost::program_options;

namespace {

/// Parses "name=1,3,224,224" (or 1x3x224x224) into an input-shape override.
Status parse_shape_override(const std::string& text, ModelSource& src) {
  auto bad = [&] {
    return make_error(ErrorCode::kInvalidArgument, "bad --input-shape '" + text + "'", {},
                      "write NAME=1,3,224,224 with positive dimensions");
  };
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return bad();
  std::vector<int64_t> dims;
  std::string rest = text.substr(eq + 1);
  size_t start = 0;
  while (start < rest.size()) {
    size_t end = rest.find_first_of(",x", start);
    if (end == std::string::npos) end = rest.size();
    try {
      size_t used = 0;
      long long d = std::stoll(rest.substr(start, end - start), &used);
      if (used != end - start || d <= 0) return bad();
      dims.push_back(d);
    } catch (const std::exception&) {
      return bad();
    }
    start = end + 1;
  }
  if (dims.empty()) return bad();
  src.input_shapes[text.substr(0, eq)] = dims;
  return Status::ok();
}

}  // namespace

void add_model_options(po::options_description& opts) {
  opts.add_options()("help,h", "this help")("frontend", po::value<std::string>(), "frontend name (default: by file extension)")(
      "weights", po::value<std::vector<std::string>>(), "companion weights file (repeatable)")(
      "input-shape", po::value<std::vector<std::string>>(), "override an input shape: NAME=1,3,224,224 (repeatable)")(
      "input-shapes", po::value<std::vector<std::string>>(),
      "-is: mx_nc-style shape per model input, in order: channel-last without batch (\"224,224,3\") or \"auto\"; "
      "repeat the flag or separate inputs with ';'")(
      "model", po::value<std::string>(), "model file");
}

Expected<Graph> load_model_from_cli(const po::variables_map& vm, const CommonOptions& common, PluginManager& plugins,
                                    DiagnosticSink& diag, std::string* frontend_used) {
  ModelSource src;
  src.path = vm["model"].as<std::string>();
  if (vm.count("weights"))
    for (const auto& w : vm["weights"].as<std::vector<std::string>>()) src.extra_paths.emplace_back(w);
  if (vm.count("input-shape"))
    for (const auto& s : vm["input-shape"].as<std::vector<std::string>>()) NNC_RETURN_IF_ERROR(parse_shape_override(s, src));
  std::error_code ec;
  if (!std::filesystem::is_regular_file(src.path, ec))
    return make_error(ErrorCode::kNotFound, "model file not found", Location{src.path.string()}, "check the path");

  load_plugins(plugins, common, diag);
  std::string frontend = vm.count("frontend") ? vm["frontend"].as<std::string>() : "";
  const Registry& reg = plugins.registry();
  const FrontendEntry* fe = frontend.empty() ? reg.frontend_for_path(src.path.string()) : reg.frontends.find(frontend);
  std::map<std::string, OptionValue> given;
  if (vm.count("input-shapes")) {
    std::string joined;
    for (const auto& s : vm["input-shapes"].as<std::vector<std::string>>()) joined += (joined.empty() ? "" : ";") + s;
    given["input_shapes"] = joined;
  }
  Options options;
  if (fe) {
    auto v = validate_options(fe->info.options, given, "frontend '" + fe->info.name + "'");
    if (!v) return v.error().with_context("-is/--input-shapes");
    options = *v;
  }
  Context ctx;
  ctx.diagnostics = &diag;
  ctx.base_dir = std::filesystem::current_path(ec);
  return load_model(src, frontend, options, plugins, ctx, frontend_used);
}

}  // namespace nnc::host
