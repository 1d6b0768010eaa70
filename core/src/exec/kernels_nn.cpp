// nnc core: the nn-group op table (pooling, normalizations, LRN, recurrent RNN/GRU/LSTM).
#include "exec/kernels_nn.h"
#include "exec/kernels_rnn.h"

namespace nnc::exec {

std::span<const KernelEntry> nn_kernels() {
  static const KernelEntry table[] = {
      {"", "MaxPool", 1, nn::max_pool, "f32, f64, i8, u8; optional Indices (i64, storage_order)"},
      {"", "AveragePool", 1, nn::average_pool, "f32, f64"},
      {"", "LpPool", 2, nn::lp_pool, "f32, f64"},
      {"", "GlobalAveragePool", 1, nn::global_average_pool, "f32, f64"},
      {"", "GlobalMaxPool", 1, nn::global_max_pool, "f32, f64"},
      {"", "GlobalLpPool", 2, nn::global_lp_pool, "f32, f64"},
      {"", "MaxUnpool", 9, nn::max_unpool, "f32, f64"},
      {"", "BatchNormalization", 6, nn::batch_normalization, "f32, f64; spatial=0 unsupported"},
      {"", "InstanceNormalization", 1, nn::instance_normalization, "f32, f64"},
      {"", "LayerNormalization", 17, nn::layer_normalization, "f32, f64"},
      {"", "LRN", 1, nn::lrn, "f32, f64"},
      {"", "MeanVarianceNormalization", 9, nn::mean_variance_normalization, "f32, f64"},
      {"", "RNN", 7, rnn::rnn,
       "f32, f64; all directions, activations, sequence_lens (a 0 gives zero Y_h, as ONNX Runtime), clip, "
       "layout from opset 14"},
      {"", "GRU", 7, rnn::gru, "f32, f64; as RNN plus linear_before_reset"},
      {"", "LSTM", 7, rnn::lstm, "f32, f64; as RNN plus peepholes and input_forget"},
  };
  return table;
}

}  // namespace nnc::exec
