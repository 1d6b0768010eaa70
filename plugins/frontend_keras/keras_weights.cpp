// nnc frontend_keras: finds each layer's weights in a Keras HDF5 file (legacy layer groups or Keras 3 vars).
#include <algorithm>
#include <set>

#include "keras_detail.h"

namespace nnc::keras_frontend {

const Tensor* LayerWeights::get(const std::string& short_name) const {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == short_name) return &tensors[i];
  return nullptr;
}

Expected<WeightStore> WeightStore::open(std::shared_ptr<H5Reader> file, const ImportContext& ctx) {
  WeightStore s;
  s.file_ = std::move(file);
  const std::string& f = s.file_->file();
  if (s.file_->has_group("/model_weights")) {
    s.root_ = "/model_weights";
  } else if (s.file_->has_attribute("/", "layer_names") || s.file_->has_attribute("/", "layer_names0")) {
    s.root_ = "";
  } else if (s.file_->has_group("/layers")) {
    s.root_ = "/layers";  // Keras 3 model.weights.h5: layers/<name>/vars/<i>
    s.keras3_vars_ = true;
  } else {
    return make_error(ErrorCode::kParseError,
                      "holds no Keras weights (no 'model_weights' group, no 'layer_names' attribute, no 'layers' group)",
                      Location{f}, "give the file written by model.save() or model.save_weights()");
  }
  if (s.keras3_vars_) {
    NNC_ASSIGN_OR_RETURN(s.file_layers_, s.file_->children(s.root_));
    for (const std::string& l : s.file_layers_) {
      std::vector<std::string> names;
      const std::string vars = s.root_ + "/" + l + "/vars";
      if (s.file_->has_group(vars)) {
        NNC_ASSIGN_OR_RETURN(std::vector<std::string> kids, s.file_->children(vars));
        // Variables are numbered "0", "1"...: order them numerically.
        for (size_t i = 0; i < kids.size(); ++i) {
          if (std::find(kids.begin(), kids.end(), std::to_string(i)) == kids.end())
            return make_error(ErrorCode::kParseError, "'" + vars + "' lacks variable '" + std::to_string(i) + "'",
                              Location{f}, "re-save the weights with model.save_weights()");
          names.push_back("vars/" + std::to_string(i));
        }
      }
      s.weight_names_[l] = names;
    }
    ctx.verbose("keras: '" + f + "' uses the Keras 3 weights layout (layers/<name>/vars)");
    return s;
  }
  const std::string at = s.root_.empty() ? "/" : s.root_;
  NNC_ASSIGN_OR_RETURN(s.file_layers_, s.file_->string_list_attribute(at, "layer_names"));
  for (const std::string& l : s.file_layers_) {
    const std::string group = s.root_ + "/" + l;
    if (!s.file_->has_group(group))
      return make_error(ErrorCode::kParseError, "layer_names lists '" + l + "' but the file has no group '" + group + "'",
                        Location{f}, "the weights file is damaged: re-save it");
    std::vector<std::string> names;
    if (s.file_->has_attribute(group, "weight_names") || s.file_->has_attribute(group, "weight_names0")) {
      NNC_ASSIGN_OR_RETURN(names, s.file_->string_list_attribute(group, "weight_names"));
    }
    s.weight_names_[l] = names;
  }
  return s;
}

bool WeightStore::layer_has_weights(const std::string& layer) const {
  auto b = binding_.find(layer);
  if (b == binding_.end()) return false;
  auto it = weight_names_.find(b->second);
  return it != weight_names_.end() && !it->second.empty();
}

Status WeightStore::bind(const std::vector<std::string>& weighted_layers, const ImportContext& ctx) {
  const std::string& f = file_->file();
  std::vector<std::string> file_weighted;
  for (const std::string& l : file_layers_)
    if (!weight_names_[l].empty()) file_weighted.push_back(l);
  bool all_by_name = true;
  for (const std::string& l : weighted_layers)
    if (!weight_names_.count(l) || weight_names_[l].empty()) all_by_name = false;
  if (all_by_name) {
    for (const std::string& l : weighted_layers) binding_[l] = l;
    std::set<std::string> used(weighted_layers.begin(), weighted_layers.end());
    for (const std::string& l : file_weighted)
      if (!used.count(l))
        ctx.verbose("keras: '" + f + "' holds weights for layer '" + l + "', which the model does not have (ignored)");
    return Status::ok();
  }
  if (file_weighted.size() != weighted_layers.size()) {
    std::string model_names, file_names;
    for (const auto& n : weighted_layers) model_names += (model_names.empty() ? "" : ", ") + n;
    for (const auto& n : file_weighted) file_names += (file_names.empty() ? "" : ", ") + n;
    return make_error(ErrorCode::kInvalidArgument,
                      "the model has " + std::to_string(weighted_layers.size()) + " layers with weights (" +
                          model_names + ") but the weights file holds " + std::to_string(file_weighted.size()) + " (" +
                          file_names + ")",
                      Location{f}, "give the weights file saved from this same architecture");
  }
  ctx.verbose("keras: layer names in '" + f + "' differ from the model config's: weights matched by the file's layer "
              "order (as Keras load_weights does)");
  for (size_t i = 0; i < weighted_layers.size(); ++i) {
    binding_[weighted_layers[i]] = file_weighted[i];
    if (weighted_layers[i] != file_weighted[i])
      ctx.verbose("keras:   layer '" + weighted_layers[i] + "' <- weights group '" + file_weighted[i] + "'");
  }
  return Status::ok();
}

Expected<std::vector<std::pair<std::string, Tensor>>> WeightStore::raw(const std::string& layer) const {
  std::vector<std::pair<std::string, Tensor>> out;
  auto b = binding_.find(layer);
  if (b == binding_.end()) return out;
  auto it = weight_names_.find(b->second);
  if (it == weight_names_.end()) return out;
  for (const std::string& wn : it->second) {
    const std::string path = root_ + "/" + b->second + "/" + wn;
    NNC_ASSIGN_OR_RETURN(Tensor t, file_->read_f32(path));
    out.emplace_back(wn, std::move(t));
  }
  return out;
}

}  // namespace nnc::keras_frontend
