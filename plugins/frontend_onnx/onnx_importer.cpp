// nnc frontend_onnx: model import: parsing, input-shape overrides, shape inference, metadata, the Frontend.
#include "onnx_importer.h"

#include "nnc/executor.h"

#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <climits>
#include <map>
#include <new>
#include <set>
#include <system_error>
#include <unordered_set>

#include "input_shape_spec.h"
#include "nnc/suggest.h"
#include "onnx_import_detail.h"

namespace nnc::onnx_frontend {
namespace {

using detail::ImportContext;

constexpr const char* kReexportHint = "re-export the model / check the file is complete";
// Initializers up to this size keep their data in the shape-inference probe (Reshape shapes etc.).
constexpr size_t kProbeDataLimit = 64 * 1024;

Status invalid_model(const std::string& file, const std::string& why) {
  return make_error(ErrorCode::kParseError, "not a valid ONNX model: '" + file + "' " + why, Location{file},
                    kReexportHint);
}

std::string dims_str(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

std::string proto_shape_str(const onnx::TypeProto& type) {
  if (type.value_case() != onnx::TypeProto::kTensorType || !type.tensor_type().has_shape()) return "[*]";
  std::string s = "[";
  const auto& dims = type.tensor_type().shape().dim();
  for (int i = 0; i < dims.size(); ++i) {
    s += i ? ", " : "";
    s += dims[i].has_dim_value() ? std::to_string(dims[i].dim_value())
         : dims[i].has_dim_param() ? dims[i].dim_param() : std::string("?");
  }
  return s + "]";
}

DeclaredInput declared_input(const onnx::ValueInfoProto& vi) {
  DeclaredInput in{vi.name(), std::nullopt};
  if (vi.type().value_case() != onnx::TypeProto::kTensorType || !vi.type().tensor_type().has_shape()) return in;
  in.dims.emplace();
  for (const auto& d : vi.type().tensor_type().shape().dim()) {
    DeclaredDim dd;
    if (d.has_dim_value() && d.dim_value() >= 0) dd.value = d.dim_value();
    else if (d.has_dim_param()) dd.symbol = d.dim_param();
    in.dims->push_back(dd);
  }
  return in;
}

/// Maps the `input_shapes` option (mx_nc semantics) onto the inputs, adding to `overrides` (by name).
Status map_option_shapes(const std::vector<onnx::ValueInfoProto*>& inputs, const ImportOptions& opts,
                         const ImportContext& ctx, std::map<std::string, std::vector<int64_t>>& overrides) {
  const std::string where = "frontend option input_shapes";
  Expected<InputShapesSpec> parsed = parse_input_shapes_spec(opts.input_shapes, where);
  if (!parsed) return parsed.error().with_location(ctx.at());
  const InputShapesSpec& spec = *parsed;
  if (spec.all_auto) return Status::ok();
  std::vector<std::string> names;
  for (const auto* vi : inputs) names.push_back(vi->name());
  if (spec.per_input.size() != inputs.size()) {
    return make_error(ErrorCode::kInvalidArgument,
                      where + " '" + opts.input_shapes + "' gives " + std::to_string(spec.per_input.size()) +
                          " shape(s), but '" + ctx.file + "' has " + std::to_string(inputs.size()) + " input(s) " +
                          quoted_list(names),
                      ctx.at(), "give one entry per input in this order, separated by ';' (\"auto\" keeps an input's declared shape)");
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!spec.per_input[i]) continue;
    const std::string& name = names[i];
    if (overrides.count(name)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "input '" + name + "' of '" + ctx.file + "' has both an input_shapes entry by name and '" +
                            spec.texts[i] + "' in " + where,
                        ctx.at("input '" + name + "'"), "give its shape once: write \"auto\" for it in " + where);
    }
    NNC_ASSIGN_OR_RETURN(MappedShape mapped, map_channel_last_shape(declared_input(*inputs[i]), *spec.per_input[i],
                                                                    spec.texts[i], opts.batch, ctx.file));
    if (!mapped.note.empty()) ctx.warn(mapped.note, "input '" + name + "'");
    overrides[name] = std::move(mapped.dims);
  }
  return Status::ok();
}

/// Applies ModelSource::input_shapes, the input_shapes option and the batch option to the main graph's inputs, before shape
/// inference. A symbol fixed this way (input dim "N" -> 4) is fixed in every declared type; when a
/// static dim changes, declared intermediate/output shapes may be stale and are dropped (dtypes stay).
Status apply_input_shapes(onnx::GraphProto& gp, const ModelSource& src, const ImportOptions& opts,
                          const ImportContext& ctx) {
  std::unordered_set<std::string> initializers;
  for (const auto& t : gp.initializer()) initializers.insert(t.name());
  std::vector<onnx::ValueInfoProto*> inputs;
  std::vector<std::string> names;
  for (auto& vi : *gp.mutable_input()) {
    if (initializers.count(vi.name())) continue;
    inputs.push_back(&vi);
    names.push_back(vi.name());
  }
  std::map<std::string, int64_t> symbols;
  bool stale = false;
  auto set_dim = [&](onnx::TensorShapeProto::Dimension* d, int64_t size) {
    if (d->has_dim_value()) {
      stale = stale || d->dim_value() != size;
    } else if (d->has_dim_param() && !d->dim_param().empty()) {
      auto [it, inserted] = symbols.emplace(d->dim_param(), size);
      if (!inserted && it->second != size) stale = true;  // one symbol, two sizes
    }
    d->set_dim_value(size);
  };

  std::map<std::string, std::vector<int64_t>> overrides = src.input_shapes;
  NNC_RETURN_IF_ERROR(map_option_shapes(inputs, opts, ctx, overrides));
  std::set<std::string> overridden;
  for (const auto& [name, dims] : overrides) {
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      return make_error(ErrorCode::kNotFound,
                        "input-shape override names '" + name + "', which is not an input of '" + ctx.file + "'" +
                            did_you_mean(name, names) + "; the model's inputs are " + quoted_list(names),
                        ctx.at("input '" + name + "'"), "use one of the model's input names");
    }
    onnx::ValueInfoProto* vi = inputs[static_cast<size_t>(it - names.begin())];
    if (vi->has_type() && vi->type().value_case() != onnx::TypeProto::kTensorType) {
      return make_error(ErrorCode::kInvalidArgument, "input '" + name + "' of '" + ctx.file + "' is not a tensor",
                        ctx.at(name));
    }
    if (std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d < 0; })) {
      return make_error(ErrorCode::kInvalidArgument,
                        "input-shape override for '" + name + "' has a negative dim: " + dims_str(dims), ctx.at(name));
    }
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    if (tt->has_shape() && tt->shape().dim_size() != static_cast<int>(dims.size())) {
      return make_error(ErrorCode::kInvalidArgument,
                        "input-shape override for '" + name + "' has rank " + std::to_string(dims.size()) + " " +
                            dims_str(dims) + ", but input '" + name + "' of '" + ctx.file + "' has rank " +
                            std::to_string(tt->shape().dim_size()) + " " + proto_shape_str(vi->type()),
                        ctx.at(name), "give all " + std::to_string(tt->shape().dim_size()) + " dims of the input");
    }
    auto* sp = tt->mutable_shape();
    if (sp->dim_size() != static_cast<int>(dims.size())) {
      sp->clear_dim();  // the model did not declare a rank
      for (size_t i = 0; i < dims.size(); ++i) sp->add_dim();
      stale = true;
    }
    for (size_t i = 0; i < dims.size(); ++i) set_dim(sp->mutable_dim(static_cast<int>(i)), dims[i]);
    overridden.insert(name);
  }
  if (opts.batch >= 1) {
    for (onnx::ValueInfoProto* vi : inputs) {
      if (overridden.count(vi->name()) || vi->type().value_case() != onnx::TypeProto::kTensorType) continue;
      auto* tt = vi->mutable_type()->mutable_tensor_type();
      if (!tt->has_shape() || tt->shape().dim_size() == 0) continue;
      auto* d0 = tt->mutable_shape()->mutable_dim(0);
      if (!d0->has_dim_value() || d0->dim_value() < 0) set_dim(d0, opts.batch);
    }
  }
  if (symbols.empty() && !stale) return Status::ok();
  auto fix = [&](onnx::ValueInfoProto& vi, bool drop_if_stale) {
    if (vi.type().value_case() != onnx::TypeProto::kTensorType || !vi.type().tensor_type().has_shape()) return;
    auto* tt = vi.mutable_type()->mutable_tensor_type();
    if (stale && drop_if_stale) {
      tt->clear_shape();
      return;
    }
    for (auto& d : *tt->mutable_shape()->mutable_dim()) {
      if (!d.has_dim_param()) continue;
      auto it = symbols.find(d.dim_param());
      if (it != symbols.end()) d.set_dim_value(it->second);
    }
  };
  for (auto& vi : *gp.mutable_input()) fix(vi, false);
  for (auto& vi : *gp.mutable_value_info()) fix(vi, true);
  for (auto& vi : *gp.mutable_output()) fix(vi, true);
  return Status::ok();
}

/// Runs ONNX shape inference on a copy of the model whose large initializers carry no data, and
/// takes the results (value_info, output types, subgraph types) only when it succeeds.
void infer_shapes(onnx::ModelProto& model, const ImportContext& ctx) {
  onnx::GraphProto& gp = *model.mutable_graph();
  google::protobuf::RepeatedPtrField<onnx::TensorProto> weights;
  weights.Swap(gp.mutable_initializer());
  for (const auto& w : weights) {
    auto* light = gp.add_initializer();
    if (w.data_location() != onnx::TensorProto::EXTERNAL && w.ByteSizeLong() <= kProbeDataLimit) {
      light->CopyFrom(w);
    } else {
      light->set_name(w.name());
      light->set_data_type(w.data_type());
      *light->mutable_dims() = w.dims();
    }
  }
  onnx::ModelProto probe;
  probe.CopyFrom(model);
  gp.mutable_initializer()->Swap(&weights);  // the real weights are back; `weights` holds the light copies
  try {
    const onnx::ShapeInferenceOptions options(/*check_type=*/false, /*error_mode=*/0, /*data_propagation=*/true);
    onnx::shape_inference::InferShapes(probe, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception& e) {
    ctx.warn("ONNX shape inference failed on '" + ctx.file + "', continuing with the shapes the model declares: " +
             e.what());
    return;
  }
  onnx::GraphProto& inferred = *probe.mutable_graph();
  gp.mutable_value_info()->Swap(inferred.mutable_value_info());
  gp.mutable_output()->Swap(inferred.mutable_output());
  gp.mutable_node()->Swap(inferred.mutable_node());
}

Expected<Graph> import_model(onnx::ModelProto& model, const ModelSource& src, const ImportOptions& opts,
                             DiagnosticSink* diag) {
  const ImportContext ctx{src.path.string(), src.path.parent_path(), diag};
  if (!model.has_graph()) return invalid_model(ctx.file, "(it has no graph)");
  if (model.graph().output_size() == 0) return invalid_model(ctx.file, "(its graph has no outputs)");
  if (model.ir_version() <= 0) ctx.warn("'" + ctx.file + "' declares no ir_version; reading it anyway");
  std::map<std::string, int64_t> opsets;
  for (const auto& op : model.opset_import()) opsets[op.domain() == "ai.onnx" ? "" : op.domain()] = op.version();
  if (opsets.empty()) ctx.warn("'" + ctx.file + "' declares no opset_import; operator versions are unknown");
  if (model.functions_size() > 0) {
    ctx.warn("'" + ctx.file + "' defines " + std::to_string(model.functions_size()) +
             " model-local function(s); nodes calling them are imported as opaque operators");
  }
  NNC_RETURN_IF_ERROR(apply_input_shapes(*model.mutable_graph(), src, opts, ctx));
  if (opts.shape_inference) infer_shapes(model, ctx);

  Graph g;
  NNC_RETURN_IF_ERROR(detail::import_graph(*model.mutable_graph(), g, ctx, nullptr));
  g.opsets() = std::move(opsets);
  auto& md = g.metadata();
  for (const auto& p : model.metadata_props()) md[p.key()] = p.value();
  md["onnx.ir_version"] = std::to_string(model.ir_version());
  if (!model.producer_name().empty()) md["onnx.producer_name"] = model.producer_name();
  if (!model.producer_version().empty()) md["onnx.producer_version"] = model.producer_version();
  if (!model.domain().empty()) md["onnx.domain"] = model.domain();
  if (model.has_model_version()) md["onnx.model_version"] = std::to_string(model.model_version());
  if (!model.doc_string().empty()) md["onnx.doc_string"] = model.doc_string();
  return g;
}

}  // namespace

Expected<Graph> import_onnx_bytes(std::string_view bytes, const ModelSource& source, const ImportOptions& options,
                                  DiagnosticSink* diag) {
  const std::string file = source.path.string();
  try {
    if (bytes.empty()) return invalid_model(file, "(the file is empty)");
    if (bytes.size() > static_cast<size_t>(INT_MAX)) {
      return make_error(ErrorCode::kUnsupported, "'" + file + "' is larger than 2 GB, which protobuf cannot read",
                        Location{file}, "save the weights as external data (onnx.save_model(..., save_as_external_data=True))");
    }
    onnx::ModelProto model;
    if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return invalid_model(file, "(protobuf could not parse its " + std::to_string(bytes.size()) +
                                     " bytes: the file is truncated, corrupt or not an ONNX model)");
    }
    return import_model(model, source, options, diag);
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::kParseError, "ran out of memory reading ONNX model '" + file + "'", Location{file},
                      kReexportHint);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kPluginError, "the ONNX importer failed on '" + file + "': " + e.what(),
                      Location{file});
  }
}

namespace {

Expected<Graph> read_and_import(const ModelSource& source, const ImportOptions& options, DiagnosticSink* diag) {
  const std::string file = source.path.string();
  std::error_code ec;
  const auto st = std::filesystem::status(source.path, ec);
  if (!std::filesystem::exists(st)) {
    return make_error(ErrorCode::kNotFound, "ONNX model file '" + file + "' does not exist", Location{file},
                      "check the model path");
  }
  if (std::filesystem::is_directory(st)) {
    return make_error(ErrorCode::kInvalidArgument, "'" + file + "' is a directory, not an ONNX model file",
                      Location{file});
  }
  const uintmax_t size = std::filesystem::file_size(source.path, ec);
  if (ec) {
    return make_error(ErrorCode::kIoError, "cannot read ONNX model '" + file + "': " + ec.message(), Location{file});
  }
  if (size == 0) return invalid_model(file, "(the file is empty)");
  if (size > static_cast<uintmax_t>(INT_MAX)) {
    return make_error(ErrorCode::kUnsupported, "'" + file + "' is larger than 2 GB, which protobuf cannot read",
                      Location{file}, "save the weights as external data (onnx.save_model(..., save_as_external_data=True))");
  }
  auto mapped = Buffer::map_file(source.path);
  if (!mapped) return mapped.error().with_context("reading ONNX model '" + file + "'").with_location(Location{file});
  const auto& buffer = *mapped;
  return import_onnx_bytes(std::string_view(reinterpret_cast<const char*>(buffer->data()), buffer->size()), source,
                           options, diag);
}

}  // namespace

Expected<Graph> import_onnx_file(const ModelSource& source, const ImportOptions& options, DiagnosticSink* diag) {
  try {
    return read_and_import(source, options, diag);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kPluginError, "the ONNX importer failed on '" + source.path.string() + "': " + e.what(),
                      Location{source.path.string()});
  }
}

Expected<Graph> OnnxFrontend::load(const ModelSource& source, const Options& options, Context& ctx) {
  try {
    ImportOptions io;
    io.shape_inference = options.get_bool("shape_inference", true);
    io.batch = options.get_int("batch", 1);
    io.input_shapes = options.get_string("input_shapes", "auto");
    ModelSource src = source;
    std::error_code ec;
    if (src.path.is_relative() && !ctx.base_dir.empty() && !std::filesystem::exists(src.path, ec) &&
        std::filesystem::exists(ctx.base_dir / src.path, ec)) {
      src.path = ctx.base_dir / src.path;
    }
    Expected<Graph> graph = import_onnx_file(src, io, ctx.diagnostics);
    if (graph && options.get_bool("check_ops", true)) {
      // Every op nnc cannot execute, listed at once (not just the first), with node names and opset.
      if (Status support = check_reference_support(*graph); !support.is_ok())
        return support.with_location(Location{source.path.string()});
    }
    return graph;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kPluginError, "the ONNX frontend failed on '" + source.path.string() + "': " + e.what(),
                      Location{source.path.string()});
  } catch (...) {
    return make_error(ErrorCode::kPluginError, "the ONNX frontend failed on '" + source.path.string() + "'",
                      Location{source.path.string()});
  }
}

}  // namespace nnc::onnx_frontend
