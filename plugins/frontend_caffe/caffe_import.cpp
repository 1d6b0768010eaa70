// nnc frontend_caffe: the import driver: files and companions, phase filtering, inputs, layers in order, outputs.
#include <algorithm>
#include <functional>
#include <set>
#include <sstream>

#include "caffe_import_detail.h"
#include "caffe_importer.h"
#include "caffe_parse.h"
#include "input_shape_spec.h"
#include "nnc/executor.h"

namespace nnc::caffe_frontend {

std::string dims_str(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

// ---------------------------------------------------------------- ImportContext

Status ImportContext::error(const caffe::LayerParameter& layer, ErrorCode code, const std::string& message,
                            const std::string& hint) const {
  return make_error(code, message, Location{file_, 0, 0, "layer '" + layer.name() + "' (" + layer.type() + ")"}, hint);
}

Expected<BlobRef> ImportContext::bottom(const caffe::LayerParameter& layer, int i) const {
  if (i >= layer.bottom_size())
    return error(layer, ErrorCode::kInvalidArgument,
                 "needs bottom " + std::to_string(i + 1) + " but has " + std::to_string(layer.bottom_size()),
                 "add the missing bottom blob");
  auto it = blobs.find(layer.bottom(i));
  if (it == blobs.end())
    return error(layer, ErrorCode::kInvalidArgument,
                 "bottom '" + layer.bottom(i) + "' is not produced by any earlier layer or input",
                 "check the blob name; layers must come after the layers producing their bottoms");
  return it->second;
}

std::string ImportContext::top_value_name(const caffe::LayerParameter& layer, const std::string& top) const {
  auto it = last_writer.find(top);
  const bool last = it != last_writer.end() && it->second == layer.name();
  const Value* existing = graph.find_value(top);
  std::string name = last && !existing ? top : top + "@" + layer.name();
  // Never reuse an existing value (add_node would adopt a producer-less one, e.g. a constant).
  return graph.find_value(name) ? graph.unique_value_name(name) : name;
}

void ImportContext::set_top(const caffe::LayerParameter& layer, int i, Value* value, std::vector<int64_t> shape) {
  blobs[layer.top(i)] = BlobRef{value, std::move(shape)};
}

Node* ImportContext::add_layer_node(const caffe::LayerParameter& layer, const std::string& op,
                                    const std::vector<Value*>& inputs, std::vector<int64_t> out_shape,
                                    const std::string& domain) {
  Node* n = graph.add_node(op, inputs, {top_value_name(layer, layer.top(0))}, layer.name(), domain);
  n->output(0)->set_dtype(DType::kF32);
  n->output(0)->set_shape(Shape::of(out_shape));
  set_top(layer, 0, n->output(0), std::move(out_shape));
  return n;
}

Value* ImportContext::add_helper(const std::string& op, const std::vector<Value*>& inputs, const std::string& base,
                                 std::vector<int64_t> out_shape) {
  Node* n = graph.add_node(op, inputs, {graph.unique_value_name(base)}, graph.unique_node_name(base));
  n->output(0)->set_dtype(DType::kF32);
  n->output(0)->set_shape(Shape::of(out_shape));
  return n->output(0);
}

Value* ImportContext::add_f32(const std::string& base, std::vector<float> data, std::vector<int64_t> shape) {
  return graph.add_constant(graph.unique_value_name(base), Tensor::from_vector<float>(data, std::move(shape)));
}

Value* ImportContext::add_i64(const std::string& base, std::vector<int64_t> data) {
  const auto n = static_cast<int64_t>(data.size());
  return graph.add_constant(graph.unique_value_name(base), Tensor::from_vector<int64_t>(data, {n}));
}

int ImportContext::blob_count(const caffe::LayerParameter& layer) const {
  auto it = weights.find(layer.name());
  return it == weights.end() ? 0 : it->second->blobs_size();
}

namespace {

std::vector<int64_t> blob_dims(const caffe::BlobProto& b) {
  if (b.has_shape()) return {b.shape().dim().begin(), b.shape().dim().end()};
  if (b.has_num() || b.has_channels() || b.has_height() || b.has_width())
    return {b.num(), b.channels(), b.height(), b.width()};
  return {static_cast<int64_t>(std::max(b.data_size(), b.double_data_size()))};
}

std::vector<int64_t> strip_leading_ones(std::vector<int64_t> d) {
  while (d.size() > 1 && d.front() == 1) d.erase(d.begin());
  return d;
}

}  // namespace

Expected<std::vector<float>> ImportContext::blob(const caffe::LayerParameter& layer, int i,
                                                 const std::vector<int64_t>& expected, const char* what) const {
  const std::string obj = "layer '" + layer.name() + "' (" + layer.type() + ")";
  auto it = weights.find(layer.name());
  if (it == weights.end() || i >= it->second->blobs_size()) {
    if (weights_file.empty())
      return make_error(ErrorCode::kNotFound,
                        std::string("needs its ") + what + " blob but no weights file was given and no sibling .caffemodel exists",
                        Location{file_, 0, 0, obj}, "pass the .caffemodel (host --weights FILE, pipeline weights = [...])");
    return make_error(ErrorCode::kNotFound,
                      std::string("the weights file has no ") + what + " blob (blob " + std::to_string(i) +
                          ") for this layer of '" + std::filesystem::path(file_).filename().string() + "'",
                      Location{weights_file, 0, 0, obj}, "give the .caffemodel trained with this prototxt");
  }
  const caffe::BlobProto& b = it->second->blobs(i);
  const std::vector<int64_t> dims = blob_dims(b);
  int64_t count = 1;
  for (int64_t d : expected) count *= d;
  if (strip_leading_ones(dims) != strip_leading_ones(expected))
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(what) + " blob has shape " + dims_str(dims) + " but the prototxt implies " + dims_str(expected),
                      Location{weights_file, 0, 0, obj},
                      "the .caffemodel does not belong to this prototxt (or num_output/kernel/group differ); use the matching pair");
  std::vector<float> data;
  if (b.data_size() == count) {
    data.assign(b.data().begin(), b.data().end());
  } else if (b.double_data_size() == count) {
    for (double v : b.double_data()) data.push_back(static_cast<float>(v));
  } else {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(what) + " blob declares " + dims_str(dims) + " (" + std::to_string(count) +
                          " values) but holds " + std::to_string(std::max(b.data_size(), b.double_data_size())),
                      Location{weights_file, 0, 0, obj}, "the .caffemodel is damaged; re-download it");
  }
  return data;
}

// ---------------------------------------------------------------- import

namespace {

/// Caffe's StateMeetsRule for the TEST phase, level 0, no stages.
bool rule_met(const caffe::NetStateRule& r) {
  if (r.has_phase() && r.phase() != caffe::TEST) return false;
  if (r.has_min_level() && 0 < r.min_level()) return false;
  if (r.has_max_level() && 0 > r.max_level()) return false;
  if (r.stage_size() > 0) return false;  // required stages are never set at inference
  return true;
}

bool layer_active(const caffe::LayerParameter& l) {
  if (l.include_size() > 0) return std::any_of(l.include().begin(), l.include().end(), rule_met);
  return std::none_of(l.exclude().begin(), l.exclude().end(), rule_met);
}

bool has_ext(const std::filesystem::path& p, const char* ext) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return e == ext;
}

struct DeclaredNetInput {
  std::string name;
  std::vector<int64_t> dims;
};

/// Graph inputs as the prototxt declares them: net-level `input` entries and Input layers.
Expected<std::vector<DeclaredNetInput>> declared_inputs(const caffe::NetParameter& net,
                                                        const std::vector<const caffe::LayerParameter*>& layers,
                                                        const std::string& file) {
  std::vector<DeclaredNetInput> out;
  if (net.input_size() > 0) {
    if (net.input_shape_size() == net.input_size()) {
      for (int i = 0; i < net.input_size(); ++i)
        out.push_back({net.input(i), {net.input_shape(i).dim().begin(), net.input_shape(i).dim().end()}});
    } else if (net.input_dim_size() == 4 * net.input_size()) {
      for (int i = 0; i < net.input_size(); ++i)
        out.push_back({net.input(i), {net.input_dim(4 * i), net.input_dim(4 * i + 1), net.input_dim(4 * i + 2),
                                      net.input_dim(4 * i + 3)}});
    } else {
      return make_error(ErrorCode::kInvalidArgument,
                        std::to_string(net.input_size()) + " inputs but " + std::to_string(net.input_shape_size()) +
                            " input_shape and " + std::to_string(net.input_dim_size()) + " input_dim entries",
                        Location{file}, "give one input_shape (or 4 input_dim values) per input");
    }
  }
  for (const caffe::LayerParameter* l : layers) {
    if (l->type() != "Input") continue;
    const caffe::InputParameter& p = l->input_param();
    if (p.shape_size() != 1 && p.shape_size() != l->top_size())
      return make_error(ErrorCode::kInvalidArgument,
                        std::to_string(p.shape_size()) + " shapes for " + std::to_string(l->top_size()) + " tops",
                        Location{file, 0, 0, "layer '" + l->name() + "' (Input)"}, "give one shape per top (or one for all)");
    for (int i = 0; i < l->top_size(); ++i) {
      const caffe::BlobShape& s = p.shape(p.shape_size() == 1 ? 0 : i);
      out.push_back({l->top(i), {s.dim().begin(), s.dim().end()}});
    }
  }
  if (out.empty())
    return make_error(ErrorCode::kInvalidArgument, "the net declares no input (no 'input' entry and no Input layer)",
                      Location{file}, "add `input: \"data\"` with an input_shape, or an Input layer (deploy prototxt)");
  return out;
}

/// Applies the `input_shapes` option and ModelSource::input_shapes to the declared inputs.
Status apply_input_shapes(std::vector<DeclaredNetInput>& inputs, const ModelSource& source, const ImportOptions& options,
                          const std::string& file, DiagnosticSink* diag) {
  if (options.input_shapes != "auto") {
    NNC_ASSIGN_OR_RETURN(onnx_frontend::InputShapesSpec spec,
                         onnx_frontend::parse_input_shapes_spec(options.input_shapes, "frontend option input_shapes"));
    if (!spec.all_auto) {
      if (spec.per_input.size() != inputs.size())
        return make_error(ErrorCode::kInvalidArgument,
                          "input_shapes gives " + std::to_string(spec.per_input.size()) + " shapes for " +
                              std::to_string(inputs.size()) + " inputs",
                          Location{file}, "give one ';'-separated entry per input, in the prototxt's order");
      for (size_t i = 0; i < inputs.size(); ++i) {
        if (!spec.per_input[i]) continue;
        onnx_frontend::DeclaredInput decl;
        decl.name = inputs[i].name;
        std::vector<onnx_frontend::DeclaredDim> dims;
        for (int64_t d : inputs[i].dims) dims.push_back({d > 0 ? std::optional<int64_t>(d) : std::nullopt, ""});
        // Caffe fixes every dim; the spatial ones are what -is changes, so only the channel count is kept.
        for (size_t d = 0; d < dims.size(); ++d)
          if (d != 1) dims[d].value.reset();
        decl.dims = dims;
        NNC_ASSIGN_OR_RETURN(onnx_frontend::MappedShape m,
                             onnx_frontend::map_channel_last_shape(decl, *spec.per_input[i], spec.texts[i],
                                                                   options.batch, file));
        inputs[i].dims = m.dims;
        if (diag) diag->log(LogLevel::kVerbose, "caffe: input '" + inputs[i].name + "' shape set to " + dims_str(m.dims));
      }
    }
  }
  for (const auto& [name, dims] : source.input_shapes) {
    auto it = std::find_if(inputs.begin(), inputs.end(), [&](const auto& in) { return in.name == name; });
    if (it == inputs.end()) {
      std::string known;
      for (const auto& in : inputs) known += (known.empty() ? "" : ", ") + in.name;
      return make_error(ErrorCode::kNotFound, "input shape given for '" + name + "', which is not an input of the net",
                        Location{file}, "inputs are: " + known);
    }
    it->dims = dims;
  }
  for (const auto& in : inputs) {
    int64_t count = 1;
    for (int64_t d : in.dims) {
      if (d < 1)
        return make_error(ErrorCode::kInvalidArgument, "input '" + in.name + "' has shape " + dims_str(in.dims) +
                                                           " with a non-positive dim",
                          Location{file}, "give the input's shape (input_shapes option, -is)");
      if (d > (int64_t{1} << 31) / count)
        return make_error(ErrorCode::kInvalidArgument,
                          "input '" + in.name + "' has shape " + dims_str(in.dims) + ", more than 2^31 elements",
                          Location{file}, "check the input shape (a damaged prototxt?)");
      count *= d;
    }
  }
  return Status::ok();
}

/// Removes nodes and values that do not contribute to the graph outputs.
void prune(Graph& g) {
  std::set<const Node*> live;
  std::vector<Value*> stack(g.outputs().begin(), g.outputs().end());
  while (!stack.empty()) {
    Value* v = stack.back();
    stack.pop_back();
    Node* p = v ? v->producer() : nullptr;
    if (!p || !live.insert(p).second) continue;
    for (Value* in : p->inputs()) stack.push_back(in);
  }
  for (Node* n : g.nodes())
    if (!live.count(n)) g.erase_node(n);
  for (Value* v : g.values())
    if (!v->producer() && v->uses().empty() && !g.is_graph_input(v) && !g.is_graph_output(v)) (void)g.erase_value(v);
}

}  // namespace

Expected<Graph> import_caffe(const ModelSource& source, const ImportOptions& options, DiagnosticSink* diag) {
  std::filesystem::path proto_path = source.path, weights_path;
  std::error_code ec;
  if (has_ext(source.path, ".caffemodel")) {
    weights_path = source.path;
    proto_path = source.path;
    proto_path.replace_extension(".prototxt");
    if (!std::filesystem::exists(proto_path, ec))
      return make_error(ErrorCode::kNotFound, "a .caffemodel alone does not fix the input shapes; no sibling '" +
                                                  proto_path.filename().string() + "' was found",
                        Location{source.path.string()}, "give the .prototxt as model and the .caffemodel as weights");
    if (diag) diag->log(LogLevel::kVerbose, "caffe: network definition from the sibling " + proto_path.string());
  }
  if (!source.extra_paths.empty()) {
    if (source.extra_paths.size() > 1)
      return make_error(ErrorCode::kInvalidArgument, "Caffe takes one weights file, got " +
                                                         std::to_string(source.extra_paths.size()),
                        Location{source.path.string()}, "give only the .caffemodel");
    weights_path = source.extra_paths[0];
  } else if (weights_path.empty()) {
    std::filesystem::path sibling = proto_path;
    sibling.replace_extension(".caffemodel");
    if (std::filesystem::exists(sibling, ec)) {
      weights_path = sibling;
      if (diag) diag->log(LogLevel::kVerbose, "caffe: weights from the sibling " + sibling.string());
    } else if (diag) {
      diag->log(LogLevel::kVerbose, "caffe: no weights file given and no sibling " + sibling.string());
    }
  }
  const std::string file = proto_path.string();
  NNC_ASSIGN_OR_RETURN(std::string text, read_file_bytes(proto_path, "network definition"));
  NNC_ASSIGN_OR_RETURN(caffe::NetParameter net, parse_net_text(text, file, diag));
  NNC_RETURN_IF_ERROR(upgrade_v1_layers(net, file));
  caffe::NetParameter trained;
  if (!weights_path.empty()) {
    NNC_ASSIGN_OR_RETURN(std::string bytes, read_file_bytes(weights_path, "weights"));
    NNC_ASSIGN_OR_RETURN(trained, parse_net_binary(bytes, weights_path.string()));
    NNC_RETURN_IF_ERROR(upgrade_v1_layers(trained, weights_path.string(), true));
  }

  Graph g(net.name().empty() ? proto_path.stem().string() : net.name());
  g.opsets()[""] = 17;
  g.opsets()["nnc"] = 1;
  g.metadata()["source_format"] = "caffe";
  ImportContext ctx(g, file, diag);
  ctx.weights_file = weights_path.string();
  for (const caffe::LayerParameter& l : trained.layer())
    if (l.blobs_size() > 0) ctx.weights[l.name()] = &l;
  for (const caffe::LayerParameter& l : net.layer())
    if (l.blobs_size() > 0) ctx.weights[l.name()] = &l;  // blobs inside the prototxt win

  std::vector<const caffe::LayerParameter*> layers;
  std::map<std::string, std::vector<std::string>> unsupported;
  for (const caffe::LayerParameter& l : net.layer()) {
    if (!layer_active(l)) continue;
    layers.push_back(&l);
    if (!layer_supported(l.type())) unsupported[l.type()].push_back(l.name());
  }
  if (!unsupported.empty()) {
    std::string list;
    for (const auto& [type, names] : unsupported) {
      list += (list.empty() ? "" : "; ") + type + " (";
      for (size_t i = 0; i < names.size(); ++i) list += (i ? ", " : "") + names[i];
      list += ")";
    }
    return make_error(ErrorCode::kUnsupported, "unsupported Caffe layer types: " + list, Location{file},
                      "training-only layers (Data, loss, Accuracy) belong in a train prototxt: give the deploy "
                      "prototxt; see docs/frontends/caffe.md for the supported layers");
  }
  for (const caffe::LayerParameter* l : layers)
    for (const std::string& t : l->top()) ctx.last_writer[t] = l->name();

  NNC_ASSIGN_OR_RETURN(std::vector<DeclaredNetInput> inputs, declared_inputs(net, layers, file));
  NNC_RETURN_IF_ERROR(apply_input_shapes(inputs, source, options, file, diag));
  for (const DeclaredNetInput& in : inputs) {
    if (g.find_value(in.name))
      return make_error(ErrorCode::kInvalidArgument, "input '" + in.name + "' is declared twice", Location{file},
                        "give each input once");
    Value* v = g.add_value(in.name, DType::kF32, Shape::of(in.dims));
    g.add_input(v);
    ctx.blobs[in.name] = BlobRef{v, in.dims};
  }

  // Blobs still unconsumed after the last layer are the net's outputs (Caffe's rule).
  std::vector<std::string> open;
  for (const caffe::LayerParameter* l : layers) {
    if (l->type() == "Input") continue;
    NNC_RETURN_IF_ERROR(translate_layer(ctx, *l));
    for (const std::string& b : l->bottom()) open.erase(std::remove(open.begin(), open.end(), b), open.end());
    for (const std::string& t : l->top())
      if (std::find(open.begin(), open.end(), t) == open.end()) open.push_back(t);
  }
  const std::vector<std::string>& wanted = options.outputs.empty() ? open : options.outputs;
  if (wanted.empty())
    return make_error(ErrorCode::kInvalidArgument, "the net has no output blob", Location{file},
                      "add layers after the inputs");
  std::set<Value*> seen;
  for (const std::string& name : wanted) {
    auto it = ctx.blobs.find(name);
    if (it == ctx.blobs.end()) {
      std::string known;
      for (const auto& [b, ref] : ctx.blobs) known += (known.empty() ? "" : ", ") + b;
      return make_error(ErrorCode::kNotFound, "output blob '" + name + "' is not a blob of the net", Location{file},
                        "blobs are: " + known);
    }
    Value* v = it->second.value;
    if (v->is_constant() || g.is_graph_input(v)) {
      // A constant (PriorBox) or an input as output: an Identity gives it a node and the blob's name.
      const std::string out_name = g.find_value(name) ? g.unique_value_name(name) : name;
      Node* n = g.add_node("Identity", {v}, {out_name}, g.unique_node_name(name + "_output"));
      n->output(0)->set_dtype(v->dtype());
      n->output(0)->set_shape(v->shape());
      v = n->output(0);
    }
    if (seen.insert(v).second) g.add_output(v);
  }
  prune(g);
  if (diag)
    diag->log(LogLevel::kVerbose, "caffe: " + std::to_string(layers.size()) + " layers -> " +
                                      std::to_string(g.node_count()) + " nodes, " +
                                      std::to_string(g.parameter_count()) + " parameters");
  return g;
}

namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

Expected<Graph> CaffeFrontend::load(const ModelSource& source, const Options& options, Context& ctx) {
  try {
    ImportOptions io;
    io.input_shapes = options.get_string("input_shapes", "auto");
    io.batch = options.get_int("batch", 1);
    io.outputs = split_list(options.get_string("outputs", ""));
    ModelSource src = source;
    std::error_code ec;
    const auto resolve = [&](std::filesystem::path& p) {
      if (p.is_relative() && !ctx.base_dir.empty() && !std::filesystem::exists(p, ec) &&
          std::filesystem::exists(ctx.base_dir / p, ec))
        p = ctx.base_dir / p;
    };
    resolve(src.path);
    for (auto& p : src.extra_paths) resolve(p);
    Expected<Graph> graph = import_caffe(src, io, ctx.diagnostics);
    if (graph && options.get_bool("check_ops", true)) {
      if (Status support = check_reference_support(*graph); !support.is_ok())
        return support.with_location(Location{source.path.string()});
    }
    return graph;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kPluginError, std::string("the Caffe frontend failed: ") + e.what(),
                      Location{source.path.string()});
  } catch (...) {
    return make_error(ErrorCode::kPluginError, "the Caffe frontend failed", Location{source.path.string()});
  }
}

}  // namespace nnc::caffe_frontend
