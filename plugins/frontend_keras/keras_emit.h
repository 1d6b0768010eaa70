// nnc frontend_keras: builds IR nodes for Keras layers: tensors with static shapes, constants, transposes, activations.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "keras_detail.h"
#include "nnc/attribute.h"

namespace nnc::keras_frontend {

/// A value in the graph being built with its static shape (Keras layout, batch included).
struct KTensor {
  Value* value = nullptr;
  std::vector<int64_t> shape;
};

/// "[1, 32, 32, 3]".
std::string dims_str(const std::vector<int64_t>& d);

/// A host-side permutation of a constant tensor (f32): out.shape[i] = in.shape[perm[i]].
Tensor permute_f32(const Tensor& t, const std::vector<int64_t>& perm);

/// Appends nodes to a graph; every helper names its nodes after the Keras layer being translated.
class Emitter {
 public:
  Emitter(Graph& g, const ImportContext& ctx) : g_(g), ctx_(ctx) {}

  Graph& graph() { return g_; }
  const ImportContext& ctx() const { return ctx_; }

  /// One node with one output named `out_name` (made unique) of dtype f32 and shape `shape`.
  KTensor node(const std::string& op, const std::vector<Value*>& inputs, std::map<std::string, Attribute> attrs,
               const std::vector<int64_t>& shape, const std::string& node_name, const std::string& out_name);
  /// A constant; `key` (when not empty) caches it so a shared layer's calls read one constant.
  Value* constant(const std::string& name, Tensor t, const std::string& key = "");
  Value* const_i64(const std::string& name, const std::vector<int64_t>& v);
  Value* const_f32_scalar(const std::string& name, float v);
  /// Transpose node (identity permutations return `x` unchanged).
  KTensor transpose(const KTensor& x, const std::vector<int64_t>& perm, const std::string& node_name);
  /// Applies a Keras activation by name ("relu", "softmax", "hard_swish"...); "linear" returns `x`.
  /// Unknown names are an error naming the layer.
  Expected<KTensor> activation(const KTensor& x, const json& activation, const std::string& layer,
                               const std::string& out_name);
  /// True for activations that act on each element alone (may move across a Transpose).
  static bool elementwise_activation(const json& activation);

 private:
  Graph& g_;
  const ImportContext& ctx_;
  std::map<std::string, Value*> const_cache_;
};

/// Short names of the weights a layer class holds, in Keras' order ("kernel", "bias"...); empty for layers
/// without weights. Depends on the config (use_bias, center/scale...).
std::vector<std::string> expected_weight_names(const LayerSpec& layer);

/// Whether this importer translates `class_name` (models used as layers included).
bool is_supported_layer(const std::string& class_name);

/// Translates one call of a (non-model) layer. `inputs` are the call's input tensors; `w` its weights matched to
/// expected_weight_names(). `out_name` names the call's output value.
Expected<std::vector<KTensor>> emit_layer(const LayerSpec& layer, const std::vector<KTensor>& inputs,
                                          const LayerWeights& w, Emitter& em, const std::string& out_name);

}  // namespace nnc::keras_frontend
