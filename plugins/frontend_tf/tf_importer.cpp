// nnc frontend_tf: model import: reading .pb / .meta, locating the checkpoint, pruning, conversion, the Frontend.
#include "tf_importer.h"

#include <climits>
#include <memory>
#include <new>
#include <system_error>

#include "meta_graph.pb.h"
#include "nnc/executor.h"
#include "nnc/layout_rewrite.h"
#include "tf_checkpoint.h"
#include "tf_convert.h"
#include "tf_import_detail.h"

namespace nnc::tf_frontend {
namespace {

namespace fs = std::filesystem;
constexpr const char* kReexportHint = "check the file is complete, or re-export it (tf.io.write_graph / freeze_graph)";

bool is_meta(const fs::path& p) { return p.extension() == ".meta"; }

Status invalid(const std::string& file, const std::string& kind, const std::string& why) {
  return make_error(ErrorCode::kParseError, "not a valid TensorFlow " + kind + ": '" + file + "' " + why, Location{file},
                    kReexportHint);
}

/// Where variables come from: the checkpoint given as a companion, else the conventional siblings.
detail::VariableSource variable_source(const ModelSource& src, DiagnosticSink* diag, std::shared_ptr<CheckpointReader>& holder) {
  detail::VariableSource vs;
  std::vector<fs::path> prefixes;
  for (const auto& p : src.extra_paths) prefixes.push_back(checkpoint_prefix_of(p));
  const bool given = !prefixes.empty();
  if (!given && is_meta(src.path)) prefixes = default_checkpoint_prefixes(src.path);
  if (prefixes.empty()) {
    vs.contains = [](const std::string&) { return false; };
    vs.read = [file = src.path.string()](const std::string& key) -> Expected<Tensor> {
      return make_error(ErrorCode::kNotFound, "variable '" + key + "' has no value: '" + file + "' comes without a checkpoint",
                        Location{file}, "pass the checkpoint with --weights PREFIX.index");
    };
    vs.description = "none given (a frozen .pb carries its weights as constants)";
    return vs;
  }
  std::string looked;
  Status first_error;
  for (const auto& prefix : prefixes) {
    auto r = CheckpointReader::open(prefix);
    looked += (looked.empty() ? "'" : ", '") + prefix.string() + ".index' + '" + prefix.string() + ".data-*'";
    if (r) {
      holder = std::make_shared<CheckpointReader>(std::move(*r));
      break;
    }
    if (first_error.is_ok() || (first_error.code() == ErrorCode::kNotFound && r.error().code() != ErrorCode::kNotFound))
      first_error = r.error();
  }
  if (!holder) {
    vs.contains = [](const std::string&) { return false; };
    Status err = first_error.code() == ErrorCode::kNotFound && first_error.message().find("data file") == std::string::npos
                     ? make_error(ErrorCode::kNotFound, "no checkpoint found for '" + src.path.string() + "': looked for " + looked,
                                  Location{src.path.string()}, "pass the checkpoint with --weights PREFIX.index")
                     : first_error;
    vs.open_error = err;
    vs.read = [err](const std::string&) -> Expected<Tensor> { return err; };
    vs.description = err.message();
    return vs;
  }
  std::shared_ptr<CheckpointReader> r = holder;
  vs.contains = [r](const std::string& key) { return r->contains(key); };
  vs.read = [r](const std::string& key) { return r->read(key); };
  vs.description = "'" + r->index_path().string() + "' (" + std::to_string(r->keys().size()) + " tensors)";
  if (diag)
    diag->log(LogLevel::kVerbose, "'" + src.path.string() + "': variables from checkpoint " + vs.description +
                                      (given ? "" : " (found beside the model; pass --weights to choose another)"));
  return vs;
}

Expected<Graph> import_graph_def(const nnc::tfproto::GraphDef& gd, const ModelSource& src, const ImportOptions& opts,
                                 DiagnosticSink* diag, const std::map<std::string, std::string>& metadata) {
  const std::string file = src.path.string();
  if (gd.library().function_size() > 0 && diag)
    diag->warning("'" + file + "' defines " + std::to_string(gd.library().function_size()) +
                  " function(s); nodes calling them are reported as unsupported ops", Location{file});
  std::shared_ptr<CheckpointReader> holder;
  detail::VariableSource vars = variable_source(src, diag, holder);
  NNC_ASSIGN_OR_RETURN(detail::PreparedGraph pg, detail::prepare_graph(gd, opts, vars, file, diag));
  detail::Converter conv(opts, vars, file, diag);
  NNC_ASSIGN_OR_RETURN(Graph g, conv.run(pg, src.input_shapes));
  // The NCHW islands around Conv/Pool/BatchNorm meet back to back: drop the inverse Transpose pairs.
  Expected<int> removed = cancel_inverse_transposes(g);
  if (!removed) return removed.error().with_context("'" + file + "': removing inverse Transpose pairs");
  if (diag) diag->log(LogLevel::kVerbose, "'" + file + "': " + std::to_string(*removed) + " Transpose node(s) removed after import");
  g.set_name(src.path.stem().string());
  for (const auto& [k, v] : metadata) g.metadata()[k] = v;
  if (gd.has_versions()) g.metadata()["tf.graph_producer"] = std::to_string(gd.versions().producer());
  return g;
}

}  // namespace

Expected<Graph> import_tf_bytes(std::string_view bytes, const ModelSource& source, const ImportOptions& options,
                                DiagnosticSink* diag) {
  const std::string file = source.path.string();
  const bool meta = is_meta(source.path);
  const std::string kind = meta ? "MetaGraphDef (.meta)" : "GraphDef (.pb)";
  try {
    if (bytes.empty()) return invalid(file, kind, "(the file is empty)");
    if (bytes.size() > static_cast<size_t>(INT_MAX))
      return make_error(ErrorCode::kUnsupported, "'" + file + "' is larger than 2 GB, which protobuf cannot read", Location{file});
    std::map<std::string, std::string> md;
    if (meta) {
      nnc::tfproto::MetaGraphDef m;
      if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
        return invalid(file, kind, "(protobuf could not parse its " + std::to_string(bytes.size()) +
                                       " bytes: the file is truncated, corrupt or not a .meta file)");
      if (!m.has_graph_def() || m.graph_def().node_size() == 0) return invalid(file, kind, "(it holds no graph nodes)");
      if (!m.meta_info_def().tensorflow_version().empty()) md["tf.version"] = m.meta_info_def().tensorflow_version();
      return import_graph_def(m.graph_def(), source, options, diag, md);
    }
    nnc::tfproto::GraphDef g;
    if (!g.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
      return invalid(file, kind, "(protobuf could not parse its " + std::to_string(bytes.size()) +
                                     " bytes: the file is truncated, corrupt or not a frozen graph)");
    if (g.node_size() == 0) return invalid(file, kind, "(it holds no graph nodes)");
    return import_graph_def(g, source, options, diag, md);
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::kParseError, "ran out of memory reading TensorFlow model '" + file + "'", Location{file}, kReexportHint);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kPluginError, "the TensorFlow importer failed on '" + file + "': " + e.what(), Location{file});
  }
}

Expected<Graph> import_tf_file(const ModelSource& source, const ImportOptions& options, DiagnosticSink* diag) {
  const std::string file = source.path.string();
  try {
    std::error_code ec;
    const auto st = fs::status(source.path, ec);
    if (!fs::exists(st))
      return make_error(ErrorCode::kNotFound, "TensorFlow model file '" + file + "' does not exist", Location{file}, "check the model path");
    if (fs::is_directory(st))
      return make_error(ErrorCode::kInvalidArgument, "'" + file + "' is a directory, not a TensorFlow .pb or .meta file", Location{file},
                        "give the frozen graph (.pb) or the .meta file itself");
    const uintmax_t size = fs::file_size(source.path, ec);
    if (ec) return make_error(ErrorCode::kIoError, "cannot read '" + file + "': " + ec.message(), Location{file});
    if (size == 0) return invalid(file, is_meta(source.path) ? "MetaGraphDef (.meta)" : "GraphDef (.pb)", "(the file is empty)");
    auto mapped = Buffer::map_file(source.path);
    if (!mapped) return mapped.error().with_context("reading TensorFlow model '" + file + "'").with_location(Location{file});
    const auto& buf = *mapped;
    return import_tf_bytes(std::string_view(reinterpret_cast<const char*>(buf->data()), buf->size()), source, options, diag);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kPluginError, "the TensorFlow importer failed on '" + file + "': " + e.what(), Location{file});
  }
}

Expected<Graph> TfFrontend::load(const ModelSource& source, const Options& options, Context& ctx) {
  const std::string file = source.path.string();
  try {
    ImportOptions io;
    io.inputs = options.get_string("inputs", "");
    io.outputs = options.get_string("outputs", "");
    io.input_shapes = options.get_string("input_shapes", "auto");
    io.batch = options.get_int("batch", 1);
    io.check_ops = options.get_bool("check_ops", true);
    ModelSource src = source;
    std::error_code ec;
    if (src.path.is_relative() && !ctx.base_dir.empty() && !fs::exists(src.path, ec) && fs::exists(ctx.base_dir / src.path, ec))
      src.path = ctx.base_dir / src.path;
    for (auto& p : src.extra_paths)
      if (p.is_relative() && !ctx.base_dir.empty() && !fs::exists(p, ec) && fs::exists(ctx.base_dir / p, ec)) p = ctx.base_dir / p;
    Expected<Graph> graph = import_tf_file(src, io, ctx.diagnostics);
    if (graph && io.check_ops) {
      if (Status support = check_reference_support(*graph); !support.is_ok()) return support.with_location(Location{file});
    }
    return graph;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kPluginError, "the TensorFlow frontend failed on '" + file + "': " + e.what(), Location{file});
  } catch (...) {
    return make_error(ErrorCode::kPluginError, "the TensorFlow frontend failed on '" + file + "'", Location{file});
  }
}

}  // namespace nnc::tf_frontend
