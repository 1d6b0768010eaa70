// nnc frontend_keras: parses Keras model configs (Sequential/Functional, Keras 2 and 3 formats) into ModelSpec.
#include "keras_detail.h"

namespace nnc::keras_frontend {
namespace {

Status config_error(const ImportContext& ctx, const std::string& msg) {
  return make_error(ErrorCode::kParseError, "model config: " + msg, Location{ctx.config_file},
                    "the architecture must be a Keras model config (model.to_json() or the model_config attribute)");
}

/// Keras 2: ["name", node, index, {kwargs}]; Keras 3 input/output lists: ["name", node, index].
Expected<TensorRef> parse_ref_list(const json& j, const ImportContext& ctx) {
  if (!j.is_array() || j.size() < 3 || !j[0].is_string() || !j[1].is_number_integer() || !j[2].is_number_integer())
    return config_error(ctx, "bad tensor reference " + j.dump().substr(0, 120));
  return TensorRef{j[0].get<std::string>(), j[1].get<int64_t>(), j[2].get<int64_t>()};
}

/// Collects every Keras 3 "__keras_tensor__" in `j` (args and kwargs), in order.
Status collect_keras3_tensors(const json& j, std::vector<TensorRef>& out, const ImportContext& ctx, int depth = 0) {
  if (depth > 64) return config_error(ctx, "inbound node nested too deeply");
  if (j.is_object()) {
    if (j.value("class_name", "") == "__keras_tensor__") {
      const json& cfg = j.contains("config") ? j["config"] : json::object();
      if (!cfg.contains("keras_history")) return config_error(ctx, "__keras_tensor__ without keras_history");
      NNC_ASSIGN_OR_RETURN(TensorRef r, parse_ref_list(cfg["keras_history"], ctx));
      out.push_back(r);
      return Status::ok();
    }
    for (const auto& [k, v] : j.items()) {
      if (k == "kwargs") continue;  // call options (training=..., mask=...) never carry graph tensors we use
      NNC_RETURN_IF_ERROR(collect_keras3_tensors(v, out, ctx, depth + 1));
    }
  } else if (j.is_array()) {
    for (const auto& v : j) NNC_RETURN_IF_ERROR(collect_keras3_tensors(v, out, ctx, depth + 1));
  }
  return Status::ok();
}

Expected<std::vector<TensorRef>> parse_ref_group(const json& j, const ImportContext& ctx) {
  std::vector<TensorRef> refs;
  if (!j.is_array()) return config_error(ctx, "input_layers/output_layers is not a list");
  if (!j.empty() && j[0].is_string()) {  // a single reference written flat
    NNC_ASSIGN_OR_RETURN(TensorRef r, parse_ref_list(j, ctx));
    refs.push_back(r);
    return refs;
  }
  for (const auto& e : j) {
    NNC_ASSIGN_OR_RETURN(TensorRef r, parse_ref_list(e, ctx));
    refs.push_back(r);
  }
  return refs;
}

Expected<LayerSpec> parse_layer(const json& lj, bool functional, const ImportContext& ctx) {
  if (!lj.is_object() || !lj.contains("class_name") || !lj["class_name"].is_string())
    return config_error(ctx, "a layer without class_name: " + lj.dump().substr(0, 120));
  LayerSpec l;
  l.class_name = lj["class_name"].get<std::string>();
  l.config = lj.contains("config") && lj["config"].is_object() ? lj["config"] : json::object();
  if (lj.contains("name") && lj["name"].is_string())
    l.name = lj["name"].get<std::string>();
  else if (l.config.contains("name") && l.config["name"].is_string())
    l.name = l.config["name"].get<std::string>();
  if (l.name.empty()) return config_error(ctx, "a " + l.class_name + " layer without a name");
  if (!functional || !lj.contains("inbound_nodes")) return l;
  const json& nodes = lj["inbound_nodes"];
  if (!nodes.is_array()) return config_error(ctx, "layer '" + l.name + "': inbound_nodes is not a list");
  for (const json& call : nodes) {
    std::vector<TensorRef> refs;
    if (call.is_object()) {  // Keras 3: {"args": [...], "kwargs": {...}}
      NNC_RETURN_IF_ERROR(collect_keras3_tensors(call, refs, ctx));
    } else if (call.is_array()) {  // Keras 2: [["name", node, index, {kwargs}], ...]
      for (const json& r : call) {
        NNC_ASSIGN_OR_RETURN(TensorRef ref, parse_ref_list(r, ctx));
        refs.push_back(ref);
      }
    } else {
      return config_error(ctx, "layer '" + l.name + "': bad inbound node " + call.dump().substr(0, 120));
    }
    l.calls.push_back(std::move(refs));
  }
  return l;
}

}  // namespace

bool is_model_class(const std::string& c) {
  return c == "Sequential" || c == "Functional" || c == "Model";
}

Expected<ModelSpec> parse_model(const json& mj, const ImportContext& ctx) {
  if (!mj.is_object() || !mj.contains("class_name") || !mj["class_name"].is_string())
    return config_error(ctx, "no class_name at the top level");
  ModelSpec m;
  m.class_name = mj["class_name"].get<std::string>();
  const json cfg = mj.contains("config") ? mj["config"] : json();
  if (m.class_name == "Sequential") {
    const json* layers = nullptr;
    if (cfg.is_array()) {
      layers = &cfg;  // Keras <= 2.2: the config is the list of layers
    } else if (cfg.is_object() && cfg.contains("layers") && cfg["layers"].is_array()) {
      layers = &cfg["layers"];
      m.name = cfg.value("name", "sequential");
      if (cfg.contains("build_input_shape") && cfg["build_input_shape"].is_array())
        m.sequential_input_shape = cfg["build_input_shape"];
    } else {
      return config_error(ctx, "Sequential config has no layer list");
    }
    if (m.name.empty()) m.name = "sequential";
    for (const json& lj : *layers) {
      NNC_ASSIGN_OR_RETURN(LayerSpec l, parse_layer(lj, false, ctx));
      m.layers.push_back(std::move(l));
    }
    if (m.layers.empty()) return config_error(ctx, "Sequential model without layers");
    // The input shape: an InputLayer first, or batch_input_shape / batch_shape on the first layer.
    const json& first = m.layers.front().config;
    for (const char* key : {"batch_input_shape", "batch_shape"}) {
      if (first.contains(key) && first[key].is_array()) m.sequential_input_shape = first[key];
    }
    if (first.contains("dtype") && first["dtype"].is_string()) m.sequential_input_dtype = first["dtype"];
    return m;
  }
  if (m.class_name == "Functional" || m.class_name == "Model") {
    if (!cfg.is_object() || !cfg.contains("layers") || !cfg["layers"].is_array())
      return config_error(ctx, m.class_name + " config has no layer list");
    m.name = cfg.value("name", "model");
    for (const json& lj : cfg["layers"]) {
      NNC_ASSIGN_OR_RETURN(LayerSpec l, parse_layer(lj, true, ctx));
      m.layers.push_back(std::move(l));
    }
    if (!cfg.contains("input_layers") || !cfg.contains("output_layers"))
      return config_error(ctx, "model '" + m.name + "' has no input_layers/output_layers");
    NNC_ASSIGN_OR_RETURN(m.inputs, parse_ref_group(cfg["input_layers"], ctx));
    NNC_ASSIGN_OR_RETURN(m.outputs, parse_ref_group(cfg["output_layers"], ctx));
    if (m.inputs.empty() || m.outputs.empty())
      return config_error(ctx, "model '" + m.name + "' has no inputs or no outputs");
    return m;
  }
  return make_error(ErrorCode::kUnsupported, "model class '" + m.class_name + "' is not supported",
                    Location{ctx.config_file},
                    "save a Sequential or Functional model; subclassed models have no config nnc can read");
}

}  // namespace nnc::keras_frontend
