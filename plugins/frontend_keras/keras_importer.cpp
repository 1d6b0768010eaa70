// nnc frontend_keras: reads Keras .h5 / .json(+weights) files and builds the IR graph (inputs, layers, outputs).
#include "keras_importer.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "input_shape_spec.h"
#include "keras_emit.h"
#include "nnc/executor.h"
#include "nnc/layout_rewrite.h"

namespace nnc::keras_frontend {
namespace {

namespace fs = std::filesystem;
using RawWeights = std::vector<std::pair<std::string, Tensor>>;

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

/// "1:23" of byte offset `byte` in `text`.
std::pair<int, int> line_col(const std::string& text, size_t byte) {
  int line = 1, col = 1;
  for (size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

Expected<json> parse_json_text(const std::string& text, const std::string& file, const std::string& what) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    auto [line, col] = line_col(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string msg = e.what();
    return make_error(ErrorCode::kParseError, what + " is not valid JSON: " + msg, Location{file, line, col},
                      "give the text written by model.to_json()");
  }
}

Expected<std::string> read_text(const fs::path& p) {
  const std::string file = p.string();
  std::error_code ec;
  if (!fs::exists(p, ec)) return make_error(ErrorCode::kNotFound, "file not found", Location{file}, "check the path");
  auto size = fs::file_size(p, ec);
  if (ec) return make_error(ErrorCode::kIoError, "cannot read the file: " + ec.message(), Location{file});
  if (size == 0)
    return make_error(ErrorCode::kParseError, "the file is empty", Location{file}, "give the text of model.to_json()");
  if (size > (uint64_t{256} << 20))
    return make_error(ErrorCode::kParseError, "a " + std::to_string(size) + "-byte architecture file is implausible",
                      Location{file}, "give the text of model.to_json()");
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in && !in.eof()) return make_error(ErrorCode::kIoError, "cannot read the file", Location{file});
  return ss.str();
}

/// Version "2.4.0" -> (2, 4); unknown -> (2, 4).
std::pair<int, int> parse_version(const std::string& v) {
  int major = 0, minor = 0;
  if (std::sscanf(v.c_str(), "%d.%d", &major, &minor) < 1) return {2, 4};
  return {major, minor};
}

/// The conventional weights file beside an architecture .json.
std::optional<fs::path> find_sibling_weights(const fs::path& json_path) {
  const fs::path dir = json_path.parent_path();
  const std::string stem = json_path.stem().string();
  std::vector<std::string> names{stem + ".h5", stem + ".weights.h5", stem + "_weights.h5", stem + ".hdf5"};
  for (const char* word : {"structure", "struct", "architecture", "arch", "config", "model"}) {
    auto pos = stem.find(word);
    if (pos != std::string::npos) {
      std::string s = stem;
      s.replace(pos, std::string(word).size(), "weights");
      names.push_back(s + ".h5");
    }
  }
  std::error_code ec;
  for (const auto& n : names)
    if (fs::is_regular_file(dir / n, ec)) return dir / n;
  std::vector<fs::path> h5s;
  for (const auto& e : fs::directory_iterator(dir.empty() ? fs::path(".") : dir, ec)) {
    std::string ext = lower(e.path().extension().string());
    if (e.is_regular_file(ec) && (ext == ".h5" || ext == ".hdf5")) h5s.push_back(e.path());
  }
  if (h5s.size() == 1) return h5s[0];
  return std::nullopt;
}

struct Input {
  std::string name;
  std::vector<std::optional<int64_t>> dims;
  std::string dtype = "float32";
};

std::string declared_str(const Input& in) {
  std::string s = "[";
  for (size_t i = 0; i < in.dims.size(); ++i) s += (i ? ", " : "") + (in.dims[i] ? std::to_string(*in.dims[i]) : "None");
  return s + "]";
}

/// dtype may be "float32" or Keras 3's {"class_name": "DTypePolicy", "config": {"name": "float32"}}.
std::string dtype_name(const json& d) {
  if (d.is_string()) return d.get<std::string>();
  if (d.is_object() && d.contains("config") && d["config"].is_object() && d["config"].contains("name") &&
      d["config"]["name"].is_string())
    return d["config"]["name"].get<std::string>();
  return "float32";
}

Expected<Input> input_from_config(const std::string& name, const json& shape, const json& dtype,
                                  const ImportContext& ctx) {
  Input in;
  in.name = name;
  in.dtype = dtype_name(dtype);
  if (!shape.is_array())
    return make_error(ErrorCode::kParseError, "input '" + name + "' has no shape in the model config",
                      Location{ctx.config_file}, "give the input shape with -is (channel-last, without batch)");
  for (const auto& d : shape) {
    if (d.is_null()) in.dims.push_back(std::nullopt);
    else if (d.is_number_integer() && d.get<int64_t>() >= 0) in.dims.push_back(d.get<int64_t>());
    else
      return make_error(ErrorCode::kParseError, "input '" + name + "' has a bad shape " + shape.dump(),
                        Location{ctx.config_file});
  }
  return in;
}

class Builder {
 public:
  Builder(Graph& g, ImportContext& ctx, const WeightStore& store) : em_(g, ctx), ctx_(ctx), store_(store) {}

  Emitter& emitter() { return em_; }
  std::vector<std::string>& preprocessing() { return preprocessing_; }

  /// Runs a model's layers on `inputs`. `pool` is null for the top-level model (weights come from the store by
  /// layer name), else the datasets of the enclosing nested-model group.
  Expected<std::vector<KTensor>> run(const ModelSpec& m, const std::vector<KTensor>& inputs, const RawWeights* pool,
                                     int depth) {
    if (depth > 32) return err("models nested more than 32 deep");
    if (m.class_name == "Sequential") {
      if (inputs.size() != 1) return err("Sequential model '" + m.name + "' called with " + std::to_string(inputs.size()) + " inputs");
      KTensor x = inputs[0];
      for (const LayerSpec& l : m.layers) {
        if (l.class_name == "InputLayer") continue;
        NNC_ASSIGN_OR_RETURN(std::vector<KTensor> outs, call(l, {x}, pool, depth, 0));
        if (outs.size() != 1) return err("layer '" + l.name + "' in a Sequential model must have one output");
        x = outs[0];
      }
      return std::vector<KTensor>{x};
    }
    // Functional: evaluate calls once all their inputs exist (configs are usually, not always, topological).
    std::map<std::pair<std::string, int64_t>, std::vector<KTensor>> produced;
    if (inputs.size() != m.inputs.size())
      return err("model '" + m.name + "' has " + std::to_string(m.inputs.size()) + " inputs, called with " +
                 std::to_string(inputs.size()));
    for (size_t i = 0; i < m.inputs.size(); ++i) produced[{m.inputs[i].layer, m.inputs[i].node}] = {inputs[i]};
    struct Pending {
      const LayerSpec* layer;
      size_t call;
    };
    std::vector<Pending> pending;
    for (const LayerSpec& l : m.layers) {
      if (l.class_name == "InputLayer") continue;
      for (size_t c = 0; c < l.calls.size(); ++c) pending.push_back({&l, c});
    }
    while (!pending.empty()) {
      bool progress = false;
      for (auto it = pending.begin(); it != pending.end();) {
        const auto& refs = it->layer->calls[it->call];
        std::vector<KTensor> ins;
        bool ready = true;
        for (const TensorRef& r : refs) {
          auto p = produced.find({r.layer, r.node});
          if (p == produced.end()) {
            ready = false;
            break;
          }
          if (r.index < 0 || r.index >= static_cast<int64_t>(p->second.size()))
            return err("layer '" + it->layer->name + "' reads output " + std::to_string(r.index) + " of '" + r.layer +
                       "', which has " + std::to_string(p->second.size()));
          ins.push_back(p->second[static_cast<size_t>(r.index)]);
        }
        if (!ready) {
          ++it;
          continue;
        }
        NNC_ASSIGN_OR_RETURN(std::vector<KTensor> outs, call(*it->layer, ins, pool, depth, it->call));
        produced[{it->layer->name, static_cast<int64_t>(it->call)}] = std::move(outs);
        it = pending.erase(it);
        progress = true;
      }
      if (!progress) {
        const auto& p = pending.front();
        std::string missing;
        for (const TensorRef& r : p.layer->calls[p.call])
          if (!produced.count({r.layer, r.node})) missing = r.layer + "[" + std::to_string(r.node) + "]";
        return err("layer '" + p.layer->name + "' reads '" + missing + "', which no layer of model '" + m.name +
                   "' produces");
      }
    }
    std::vector<KTensor> outs;
    for (const TensorRef& r : m.outputs) {
      auto p = produced.find({r.layer, r.node});
      if (p == produced.end() || r.index < 0 || r.index >= static_cast<int64_t>(p->second.size()))
        return err("model output '" + r.layer + "' is not produced by any layer");
      outs.push_back(p->second[static_cast<size_t>(r.index)]);
    }
    return outs;
  }

 private:
  Status err(const std::string& msg) const {
    return make_error(ErrorCode::kParseError, "model config: " + msg, Location{ctx_.config_file},
                      "the architecture must be a consistent Keras model config");
  }

  Expected<RawWeights> raw_for(const std::string& layer, const RawWeights* pool) const {
    if (!pool) return store_.raw(layer);
    RawWeights out;
    for (const auto& [name, t] : *pool) {
      // "conv2d/kernel:0" or "model/conv2d/kernel": the component before the variable names the layer.
      auto slash = name.rfind('/');
      if (slash == std::string::npos) continue;
      std::string prefix = name.substr(0, slash);
      auto prev = prefix.rfind('/');
      std::string owner = prev == std::string::npos ? prefix : prefix.substr(prev + 1);
      if (owner == layer) out.emplace_back(name, t);
    }
    return out;
  }

  Expected<LayerWeights> match(const LayerSpec& l, const RawWeights& raw) const {
    LayerWeights w;
    const std::vector<std::string> expect = expected_weight_names(l);
    if (expect.empty()) {
      if (!raw.empty())
        ctx_.verbose("keras: layer '" + l.name + "' (" + l.class_name + "): " + std::to_string(raw.size()) +
                     " weights in the file are not used");
      return w;
    }
    auto short_name = [](std::string n) {
      auto s = n.rfind('/');
      if (s != std::string::npos) n = n.substr(s + 1);
      auto colon = n.rfind(':');
      if (colon != std::string::npos) n = n.substr(0, colon);
      return n;
    };
    std::vector<std::string> found;
    for (const auto& r : raw) found.push_back(short_name(r.first));
    bool by_name = true;
    for (const auto& e : expect)
      if (std::find(found.begin(), found.end(), e) == found.end()) by_name = false;
    auto list = [](const std::vector<std::string>& v) {
      std::string s;
      for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
      return s;
    };
    if (by_name) {
      for (const auto& e : expect) {
        size_t i = static_cast<size_t>(std::find(found.begin(), found.end(), e) - found.begin());
        w.names.push_back(e);
        w.tensors.push_back(raw[i].second);
      }
      return w;
    }
    if (raw.size() != expect.size())
      return make_error(ErrorCode::kInvalidArgument,
                        "layer '" + l.name + "' (" + l.class_name + "): expects " + std::to_string(expect.size()) +
                            " weights (" + list(expect) + "), the weights file has " + std::to_string(raw.size()) +
                            (raw.empty() ? "" : " (" + list(found) + ")"),
                        Location{ctx_.weights_file}, "give the weights file saved from this same architecture");
    ctx_.verbose("keras: layer '" + l.name + "': weight names (" + list(found) + ") differ from Keras' (" +
                 list(expect) + "): taken in the file's order");
    for (size_t i = 0; i < expect.size(); ++i) {
      w.names.push_back(expect[i]);
      w.tensors.push_back(raw[i].second);
    }
    return w;
  }

  Expected<std::vector<KTensor>> call(const LayerSpec& l, const std::vector<KTensor>& ins, const RawWeights* pool,
                                      int depth, size_t call_index) {
    const std::string out_name = call_index == 0 ? l.name : l.name + "_call" + std::to_string(call_index);
    if (is_model_class(l.class_name)) {
      NNC_ASSIGN_OR_RETURN(ModelSpec inner, parse_model(json{{"class_name", l.class_name}, {"config", l.config}}, ctx_));
      if (!pool) {
        NNC_ASSIGN_OR_RETURN(RawWeights mine, store_.raw(l.name));
        nested_pools_.push_back(std::make_unique<RawWeights>(std::move(mine)));
        pool = nested_pools_.back().get();
      }
      ctx_.verbose("keras: nested model '" + l.name + "' (" + inner.class_name + ", " +
                   std::to_string(inner.layers.size()) + " layers) inlined");
      return run(inner, ins, pool, depth + 1);
    }
    NNC_ASSIGN_OR_RETURN(RawWeights raw, raw_for(l.name, pool));
    NNC_ASSIGN_OR_RETURN(LayerWeights w, match(l, raw));
    NNC_ASSIGN_OR_RETURN(std::vector<KTensor> outs, emit_layer(l, ins, w, em_, out_name));
    if (l.class_name == "Rescaling" || l.class_name == "Normalization") {
      for (auto& o : outs) o.value->set_doc("preprocessing: Keras " + l.class_name + " layer '" + l.name + "'");
      preprocessing_.push_back(l.name);
    }
    return outs;
  }

  Emitter em_;
  ImportContext& ctx_;
  const WeightStore& store_;
  std::vector<std::string> preprocessing_;
  std::vector<std::unique_ptr<RawWeights>> nested_pools_;
};

/// Every unsupported layer class, recursively, as "Class (layer a, layer b)".
void collect_unsupported(const json& model_json, std::map<std::string, std::vector<std::string>>& out,
                         const ImportContext& ctx, int depth = 0) {
  if (depth > 32) return;
  auto m = parse_model(model_json, ctx);
  if (!m) return;
  for (const LayerSpec& l : m->layers) {
    if (is_model_class(l.class_name)) {
      collect_unsupported(json{{"class_name", l.class_name}, {"config", l.config}}, out, ctx, depth + 1);
    } else if (!is_supported_layer(l.class_name)) {
      out[l.class_name].push_back(l.name);
    }
  }
}

bool has_weights(const LayerSpec& l, const ImportContext& ctx, int depth = 0) {
  if (!is_model_class(l.class_name)) return !expected_weight_names(l).empty();
  if (depth > 32) return false;
  auto m = parse_model(json{{"class_name", l.class_name}, {"config", l.config}}, ctx);
  if (!m) return false;
  for (const LayerSpec& inner : m->layers)
    if (has_weights(inner, ctx, depth + 1)) return true;
  return false;
}

/// Applies ModelSource::input_shapes, the input_shapes option and the batch option; every dim must end up known.
Expected<std::vector<std::vector<int64_t>>> resolve_input_shapes(const std::vector<Input>& inputs,
                                                                 const ModelSource& src, const ImportOptions& opts,
                                                                 const ImportContext& ctx) {
  using namespace nnc::onnx_frontend;
  const std::string where = "frontend option input_shapes";
  NNC_ASSIGN_OR_RETURN(InputShapesSpec spec, parse_input_shapes_spec(opts.input_shapes, where));
  if (!spec.all_auto && spec.per_input.size() != inputs.size())
    return make_error(ErrorCode::kInvalidArgument,
                      where + " '" + opts.input_shapes + "' gives " + std::to_string(spec.per_input.size()) +
                          " shapes but '" + ctx.config_file + "' has " + std::to_string(inputs.size()) + " inputs",
                      Location{ctx.config_file}, "give one entry per model input, separated by ';'");
  std::vector<std::vector<int64_t>> out;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Input& in = inputs[i];
    std::vector<int64_t> dims;
    auto by_name = src.input_shapes.find(in.name);
    if (by_name != src.input_shapes.end()) {
      dims = by_name->second;
      bool ok = dims.size() == in.dims.size();
      for (size_t d = 0; ok && d < dims.size(); ++d) ok = !in.dims[d] || *in.dims[d] == dims[d];
      if (!ok)
        return make_error(ErrorCode::kInvalidArgument,
                          "input '" + in.name + "': shape " + dims_str(dims) + " contradicts the model's " +
                              declared_str(in),
                          Location{ctx.config_file}, "give dims that agree with the model's fixed dims");
    } else if (!spec.all_auto && spec.per_input[i]) {
      DeclaredInput di;
      di.name = in.name;
      std::vector<DeclaredDim> dd;
      for (const auto& d : in.dims) dd.push_back(DeclaredDim{d, ""});
      di.dims = dd;
      NNC_ASSIGN_OR_RETURN(MappedShape ms,
                           map_channel_last_shape(di, *spec.per_input[i], spec.texts[i], opts.batch, ctx.config_file));
      if (!ms.note.empty()) ctx.verbose("keras: input '" + in.name + "': " + ms.note);
      dims = ms.dims;
    } else {
      for (size_t d = 0; d < in.dims.size(); ++d) {
        if (in.dims[d]) dims.push_back(*in.dims[d]);
        else if (d == 0) dims.push_back(std::max<int64_t>(opts.batch, 1));
        else
          return make_error(ErrorCode::kInvalidArgument,
                            "input '" + in.name + "' has unknown dims " + declared_str(in),
                            Location{ctx.config_file},
                            "give its shape with -is / frontend option input_shapes (channel-last, without batch, "
                            "e.g. \"224,224,3\")");
      }
    }
    out.push_back(dims);
  }
  return out;
}

Expected<Graph> import_impl(const ModelSource& src, const ImportOptions& opts, DiagnosticSink* diag) {
  ImportContext ctx;
  ctx.diag = diag;
  ctx.batch = opts.batch;
  ctx.config_file = src.path.string();
  const std::string ext = lower(src.path.extension().string());
  json model_json;
  std::shared_ptr<H5Reader> weights_h5;
  std::string version;
  if (ext == ".json") {
    NNC_ASSIGN_OR_RETURN(std::string text, read_text(src.path));
    NNC_ASSIGN_OR_RETURN(model_json, parse_json_text(text, ctx.config_file, "the architecture file"));
    if (model_json.is_object() && model_json.contains("keras_version") && model_json["keras_version"].is_string())
      version = model_json["keras_version"].get<std::string>();
    fs::path wpath;
    if (!src.extra_paths.empty()) {
      wpath = src.extra_paths[0];
    } else {
      auto found = find_sibling_weights(src.path);
      if (!found)
        return make_error(ErrorCode::kNotFound, "no weights file given and none found beside the architecture",
                          Location{ctx.config_file},
                          "give the weights .h5 with --weights FILE (pipeline: weights = [\"FILE\"])");
      wpath = *found;
      ctx.verbose("keras: weights for '" + ctx.config_file + "' taken from '" + wpath.string() +
                  "' (no --weights given)");
    }
    ctx.weights_file = wpath.string();
    NNC_ASSIGN_OR_RETURN(H5Reader r, H5Reader::open(wpath));
    weights_h5 = std::make_shared<H5Reader>(std::move(r));
  } else {
    NNC_ASSIGN_OR_RETURN(H5Reader r, H5Reader::open(src.path));
    auto arch = std::make_shared<H5Reader>(std::move(r));
    if (!arch->has_attribute("/", "model_config")) {
      bool weights_only = arch->has_attribute("/", "layer_names") || arch->has_group("/layers");
      return make_error(ErrorCode::kParseError,
                        weights_only ? "holds only weights (no model_config attribute)"
                                     : "has no model_config attribute: it is not a Keras full-model file",
                        Location{ctx.config_file},
                        weights_only ? "give the architecture .json as the model and this file with --weights"
                                     : "save the model with model.save('x.h5'), or give model.to_json() + weights");
    }
    NNC_ASSIGN_OR_RETURN(std::string cfg_text, arch->string_attribute("/", "model_config"));
    NNC_ASSIGN_OR_RETURN(model_json, parse_json_text(cfg_text, ctx.config_file, "attribute model_config"));
    if (arch->has_attribute("/", "keras_version")) {
      auto v = arch->string_attribute("/", "keras_version");
      if (v) version = *v;
    }
    if (!src.extra_paths.empty()) {
      ctx.weights_file = src.extra_paths[0].string();
      NNC_ASSIGN_OR_RETURN(H5Reader w, H5Reader::open(src.extra_paths[0]));
      weights_h5 = std::make_shared<H5Reader>(std::move(w));
      ctx.verbose("keras: weights taken from '" + ctx.weights_file + "' instead of the model file");
    } else {
      ctx.weights_file = ctx.config_file;
      weights_h5 = arch;
    }
  }
  if (version.empty() && weights_h5->has_attribute("/", "keras_version")) {
    auto v = weights_h5->string_attribute("/", "keras_version");
    if (v) version = *v;
  }
  auto [major, minor] = parse_version(version);
  ctx.keras_major = major;
  ctx.half_pixel_resize = major >= 3 || (major == 2 && minor >= 3);
  ctx.verbose("keras: '" + ctx.config_file + "' written by Keras " + (version.empty() ? "(unknown version)" : version));

  // Every unsupported layer class at once.
  std::map<std::string, std::vector<std::string>> unsupported;
  collect_unsupported(model_json, unsupported, ctx);
  if (!unsupported.empty()) {
    std::string list;
    for (const auto& [cls, names] : unsupported) {
      list += (list.empty() ? "" : "; ") + cls + " (";
      for (size_t i = 0; i < names.size() && i < 5; ++i) list += (i ? ", " : "") + names[i];
      if (names.size() > 5) list += ", ... " + std::to_string(names.size()) + " in all";
      list += ")";
    }
    return make_error(ErrorCode::kUnsupported, "unsupported Keras layers: " + list, Location{ctx.config_file},
                      "replace these layers, or crop them off (see docs/frontends/keras.md for the supported list)");
  }
  NNC_ASSIGN_OR_RETURN(ModelSpec model, parse_model(model_json, ctx));

  // Inputs as declared.
  std::vector<Input> inputs;
  if (model.class_name == "Sequential") {
    const LayerSpec& first = model.layers.front();
    std::string name = first.class_name == "InputLayer" ? first.name : first.name + "_input";
    json shape = model.sequential_input_shape ? *model.sequential_input_shape : json();
    if (!model.sequential_input_shape && !opts.input_shapes.empty() && opts.input_shapes != "auto") {
      // No declared shape: take -is as given (rank = its dims + batch).
      shape = json::array({nullptr});
      auto spec = nnc::onnx_frontend::parse_input_shapes_spec(opts.input_shapes, "frontend option input_shapes");
      if (spec && !spec->all_auto && spec->per_input.size() == 1 && spec->per_input[0])
        for (int64_t d : *spec->per_input[0]) shape.push_back(d);
    }
    NNC_ASSIGN_OR_RETURN(Input in, input_from_config(name, shape, json(model.sequential_input_dtype), ctx));
    inputs.push_back(in);
  } else {
    for (const TensorRef& r : model.inputs) {
      auto it = std::find_if(model.layers.begin(), model.layers.end(), [&](const LayerSpec& l) { return l.name == r.layer; });
      if (it == model.layers.end() || it->class_name != "InputLayer")
        return make_error(ErrorCode::kParseError, "model config: input '" + r.layer + "' is not an InputLayer",
                          Location{ctx.config_file});
      json shape = it->config.contains("batch_input_shape") ? it->config["batch_input_shape"]
                                                            : (it->config.contains("batch_shape") ? it->config["batch_shape"] : json());
      NNC_ASSIGN_OR_RETURN(Input in, input_from_config(r.layer, shape, it->config.value("dtype", json("float32")), ctx));
      inputs.push_back(in);
    }
  }
  for (const Input& in : inputs)
    if (in.dtype != "float32")
      return make_error(ErrorCode::kUnsupported, "input '" + in.name + "' has dtype " + in.dtype,
                        Location{ctx.config_file}, "nnc's Keras frontend reads float32 inputs");
  NNC_ASSIGN_OR_RETURN(std::vector<std::vector<int64_t>> shapes, resolve_input_shapes(inputs, src, opts, ctx));

  // Weights bound to the top-level layers.
  NNC_ASSIGN_OR_RETURN(WeightStore store, WeightStore::open(weights_h5, ctx));
  std::vector<std::string> weighted;
  for (const LayerSpec& l : model.layers)
    if (has_weights(l, ctx)) weighted.push_back(l.name);
  NNC_RETURN_IF_ERROR(store.bind(weighted, ctx));

  Graph g(model.name.empty() ? src.path.stem().string() : model.name);
  g.opsets()[""] = 17;
  std::vector<KTensor> in_tensors;
  for (size_t i = 0; i < inputs.size(); ++i) {
    Value* v = g.add_value(inputs[i].name, DType::kF32, Shape::of(shapes[i]));
    g.add_input(v);
    in_tensors.push_back({v, shapes[i]});
  }
  Builder b(g, ctx, store);
  NNC_ASSIGN_OR_RETURN(std::vector<KTensor> outs, b.run(model, in_tensors, nullptr, 0));
  for (const KTensor& o : outs) {
    Value* v = o.value;
    if (g.is_graph_input(v) || g.is_graph_output(v)) {
      // An output that is an input (or listed twice) gets its own Identity so names stay distinct.
      v = b.emitter().node("Identity", {v}, {}, o.shape, v->name() + "/output", v->name() + "_output").value;
    }
    g.add_output(v);
  }
  g.metadata()["source_format"] = "keras";
  if (!version.empty()) g.metadata()["keras_version"] = version;
  g.metadata()["keras_model_class"] = model.class_name;
  if (!b.preprocessing().empty()) {
    std::string list;
    for (const auto& n : b.preprocessing()) list += (list.empty() ? "" : ",") + n;
    g.metadata()["preprocessing_layers"] = list;
  }
  // The NCHW islands around Conv/Pool/BatchNorm meet back to back: drop the inverse Transpose pairs.
  Expected<int> removed = cancel_inverse_transposes(g);
  if (!removed) return removed.error().with_context("'" + ctx.config_file + "': removing inverse Transpose pairs");
  if (diag) diag->log(LogLevel::kVerbose, "'" + ctx.config_file + "': " + std::to_string(*removed) + " Transpose node(s) removed after import");
  if (opts.check_ops) {
    if (Status s = check_reference_support(g); !s.is_ok()) return s.with_location(Location{ctx.config_file});
  }
  return g;
}

}  // namespace

Expected<Graph> import_keras_file(const ModelSource& source, const ImportOptions& options, DiagnosticSink* diag) {
  try {
    return import_impl(source, options, diag);
  } catch (const json::exception& e) {
    return make_error(ErrorCode::kParseError, std::string("model config: unexpected content: ") + e.what(),
                      Location{source.path.string()}, "give a model config written by Keras");
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kPluginError, "the Keras importer failed: " + std::string(e.what()),
                      Location{source.path.string()});
  }
}

Expected<Graph> KerasFrontend::load(const ModelSource& source, const Options& options, Context& ctx) {
  try {
    ImportOptions io;
    io.batch = options.get_int("batch", 1);
    io.input_shapes = options.get_string("input_shapes", "auto");
    io.check_ops = options.get_bool("check_ops", true);
    ModelSource src = source;
    std::error_code ec;
    auto resolve = [&](fs::path& p) {
      if (p.is_relative() && !ctx.base_dir.empty() && !fs::exists(p, ec) && fs::exists(ctx.base_dir / p, ec))
        p = ctx.base_dir / p;
    };
    resolve(src.path);
    for (auto& p : src.extra_paths) resolve(p);
    return import_keras_file(src, io, ctx.diagnostics);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kPluginError, "the Keras frontend failed: " + std::string(e.what()),
                      Location{source.path.string()});
  } catch (...) {
    return make_error(ErrorCode::kPluginError, "the Keras frontend failed", Location{source.path.string()});
  }
}

}  // namespace nnc::keras_frontend
