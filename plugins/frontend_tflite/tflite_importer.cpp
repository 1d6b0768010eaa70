// nnc frontend_tflite: model import: verification, the unsupported-op scan, input shapes, operator translation, the Frontend.
#include "tflite_importer.h"

#include <set>
#include <system_error>

#include "input_shape_spec.h"
#include "nnc/executor.h"
#include "nnc/layout_rewrite.h"
#include "nnc/suggest.h"
#include "tflite_import_context.h"
#include "tflite_model.h"
#include "tflite_ops.h"

namespace nnc::tflite_frontend {

const std::map<fb::BuiltinOperator, OpTranslator>& translator_table() {
  static const std::map<fb::BuiltinOperator, OpTranslator> table = [] {
    std::map<fb::BuiltinOperator, OpTranslator> t;
    add_nn_translators(t);
    add_shape_translators(t);
    add_lstm_translators(t);
    return t;
  }();
  return table;
}

namespace {

/// Every operator nnc cannot translate, listed at once with the operator indices.
Status check_operators(const TfliteModel& m) {
  const fb::SubGraph& sg = m.subgraph();
  std::map<std::string, std::vector<std::string>> unknown;  // op name -> operator indices
  bool post_processing = false;
  const uint32_t n_ops = sg.operators() ? sg.operators()->size() : 0;
  for (uint32_t i = 0; i < n_ops; ++i) {
    const fb::Operator* op = sg.operators()->Get(i);
    const fb::BuiltinOperator code = m.builtin_code(op->opcode_index());
    if (translator_table().count(code)) continue;
    std::string name = m.op_name(op->opcode_index());
    if (name == "CUSTOM 'TFLite_Detection_PostProcess'") post_processing = true;
    unknown[name].push_back(std::to_string(i));
  }
  if (unknown.empty()) return Status::ok();
  std::string msg = std::to_string(unknown.size()) + " unsupported TFLite operator type(s):";
  for (const auto& [name, idx] : unknown) {
    msg += " " + name + " (operator" + (idx.size() > 1 ? "s " : " ") + quoted_list(idx, 5) + ");";
  }
  msg.pop_back();
  std::string hint = "crop these operators off the model (run them on the host) or convert the model without them";
  if (post_processing) {
    msg += "; TFLite_Detection_PostProcess is detection post-processing (box decoding + NMS)";
    hint = "crop the model before TFLite_Detection_PostProcess and run the post-processing on the host; its inputs "
           "(raw boxes and class scores) become the model's outputs";
  }
  return make_error(ErrorCode::kUnsupported, msg, Location{m.file()}, hint);
}

Status check_tensors(const TfliteModel& m) {
  const fb::SubGraph& sg = m.subgraph();
  const uint32_t n = sg.tensors() ? sg.tensors()->size() : 0;
  for (uint32_t t = 0; t < n; ++t) {
    const fb::Tensor* ten = sg.tensors()->Get(t);
    if (ten->sparsity()) {
      return make_error(ErrorCode::kUnsupported, "tensor '" + m.tensor_name(static_cast<int32_t>(t)) + "' is sparse",
                        Location{m.file()}, "convert the model without sparsity (dense weights)");
    }
    if (ten->quantization() && ten->quantization()->details_type() != fb::QuantizationDetails::NONE) {
      return make_error(ErrorCode::kUnsupported,
                        "tensor '" + m.tensor_name(static_cast<int32_t>(t)) + "' uses custom quantization details",
                        Location{m.file()}, "use per-tensor or per-axis affine quantization");
    }
  }
  return Status::ok();
}

/// Applies the input_shapes option: TFLite shapes are static, so a given shape must equal the declared one.
Expected<std::vector<std::vector<int64_t>>> input_dims(const TfliteModel& m, const ImportOptions& opts) {
  const fb::SubGraph& sg = m.subgraph();
  const uint32_t n = sg.inputs() ? sg.inputs()->size() : 0;
  std::vector<std::vector<int64_t>> out(n);
  const std::string where = "frontend option input_shapes";
  NNC_ASSIGN_OR_RETURN(onnx_frontend::InputShapesSpec spec, onnx_frontend::parse_input_shapes_spec(opts.input_shapes, where));
  if (spec.all_auto) return out;
  std::vector<std::string> names;
  for (uint32_t i = 0; i < n; ++i) names.push_back(m.tensor_name(sg.inputs()->Get(i)));
  if (spec.per_input.size() != n) {
    return make_error(ErrorCode::kInvalidArgument,
                      where + " '" + opts.input_shapes + "' gives " + std::to_string(spec.per_input.size()) +
                          " shape(s), but the model has " + std::to_string(n) + " input(s) " + quoted_list(names),
                      Location{m.file()}, "give one entry per input in this order, separated by ';'");
  }
  for (uint32_t i = 0; i < n; ++i) {
    if (!spec.per_input[i]) continue;
    const int32_t t = sg.inputs()->Get(i);
    const fb::Tensor* ten = sg.tensors()->Get(static_cast<uint32_t>(t));
    onnx_frontend::DeclaredInput decl{names[i], std::vector<onnx_frontend::DeclaredDim>{}};
    std::vector<int64_t> dims = m.tensor_dims(t);
    for (size_t d = 0; d < dims.size(); ++d) {
      const bool dynamic = ten->shape_signature() && d < ten->shape_signature()->size() && ten->shape_signature()->Get(static_cast<uint32_t>(d)) < 0;
      onnx_frontend::DeclaredDim dd;
      if (!dynamic) dd.value = dims[d];
      decl.dims->push_back(dd);
    }
    NNC_ASSIGN_OR_RETURN(onnx_frontend::MappedShape mapped,
                         onnx_frontend::map_channel_last_shape(decl, *spec.per_input[i], spec.texts[i], opts.batch, m.file()));
    if (mapped.dims != dims) {
      return make_error(ErrorCode::kUnsupported,
                        "input '" + names[i] + "' is declared " + Shape::of(dims).str() + "; '" + spec.texts[i] +
                            "' asks for " + Shape::of(mapped.dims).str() +
                            ", but TFLite models have static shapes that nnc does not re-infer",
                        Location{m.file(), 0, 0, "input '" + names[i] + "'"},
                        "re-convert the model for this input shape, or pass \"auto\"");
    }
    out[i] = mapped.dims;
  }
  return out;
}

Expected<Graph> import_model(const TfliteModel& m, const ImportOptions& opts, DiagnosticSink* diag) {
  if (m.model().subgraphs()->size() > 1 && diag) {
    diag->log(LogLevel::kVerbose, m.file() + ": " + std::to_string(m.model().subgraphs()->size()) +
                                      " subgraphs; importing subgraph 0 (the main graph)");
  }
  NNC_RETURN_IF_ERROR(check_tensors(m));
  NNC_RETURN_IF_ERROR(check_operators(m));
  NNC_ASSIGN_OR_RETURN(auto dims, input_dims(m, opts));
  const fb::SubGraph& sg = m.subgraph();
  Graph g(sg.name() && sg.name()->size() ? sg.name()->str() : std::filesystem::path(m.file()).stem().string());
  g.opsets()[""] = kTfliteImportOpset;
  g.metadata()["source_format"] = "tflite";
  g.metadata()["source_file"] = m.file();
  if (m.model().description()) g.metadata()["tflite_description"] = m.model().description()->str();
  ImportContext ctx(m, g, diag);
  NNC_RETURN_IF_ERROR(ctx.create_graph_inputs(dims));
  const uint32_t n_ops = sg.operators() ? sg.operators()->size() : 0;
  for (uint32_t i = 0; i < n_ops; ++i) {
    ctx.begin_operator(i);
    const fb::BuiltinOperator code = m.builtin_code(ctx.op().opcode_index());
    const size_t outs = ctx.op().outputs() ? ctx.op().outputs()->size() : 0;
    if (outs == 0) return ctx.error(ErrorCode::kParseError, "operator has no outputs", "the file is damaged: re-export it");
    NNC_RETURN_IF_ERROR(translator_table().at(code)(ctx));
  }
  NNC_RETURN_IF_ERROR(ctx.create_graph_outputs());
  if (opts.cancel_transposes) {
    NNC_ASSIGN_OR_RETURN(int removed, cancel_inverse_transposes(g));
    if (diag) diag->log(LogLevel::kVerbose, m.file() + ": " + std::to_string(removed) + " inverse Transpose nodes removed");
  }
  if (diag) {
    diag->log(LogLevel::kVerbose, m.file() + ": imported " + std::to_string(n_ops) + " TFLite operators as " +
                                      std::to_string(g.node_count()) + " IR nodes");
  }
  return g;
}

}  // namespace

Expected<Graph> import_tflite_bytes(std::string_view bytes, const std::string& name, const ImportOptions& options,
                                    DiagnosticSink* diag) {
  NNC_ASSIGN_OR_RETURN(std::unique_ptr<TfliteModel> m, TfliteModel::load_bytes(bytes, name));
  return import_model(*m, options, diag);
}

Expected<Graph> import_tflite_file(const ModelSource& source, const ImportOptions& options, DiagnosticSink* diag) {
  NNC_ASSIGN_OR_RETURN(std::unique_ptr<TfliteModel> m, TfliteModel::load_file(source.path));
  if (!source.extra_paths.empty() && diag) {
    diag->warning("TFLite models are single files; ignoring " + std::to_string(source.extra_paths.size()) +
                      " companion file(s)", Location{source.path.string()});
  }
  if (!source.input_shapes.empty()) {
    return make_error(ErrorCode::kUnsupported, "input-shape overrides by name are not supported for TFLite models (static shapes)",
                      Location{source.path.string()}, "re-convert the model for the shape you need");
  }
  return import_model(*m, options, diag);
}

Expected<Graph> TfliteFrontend::load(const ModelSource& source, const Options& options, Context& ctx) {
  const std::string file = source.path.string();
  try {
    ImportOptions io;
    io.input_shapes = options.get_string("input_shapes", "auto");
    io.batch = options.get_int("batch", 1);
    io.cancel_transposes = options.get_bool("cancel_transposes", false);
    ModelSource src = source;
    std::error_code ec;
    if (src.path.is_relative() && !ctx.base_dir.empty() && !std::filesystem::exists(src.path, ec) &&
        std::filesystem::exists(ctx.base_dir / src.path, ec)) {
      src.path = ctx.base_dir / src.path;
    }
    Expected<Graph> graph = import_tflite_file(src, io, ctx.diagnostics);
    if (graph && options.get_bool("check_ops", true)) {
      if (Status support = check_reference_support(*graph); !support.is_ok()) return support.with_location(Location{file});
    }
    return graph;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kPluginError, "the TFLite frontend failed on '" + file + "': " + e.what(), Location{file});
  } catch (...) {
    return make_error(ErrorCode::kPluginError, "the TFLite frontend failed on '" + file + "'", Location{file});
  }
}

}  // namespace nnc::tflite_frontend
