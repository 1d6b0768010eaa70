// nnc core (internal): the recurrent kernels of the nn group (RNN, GRU, LSTM) and their shared setup.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include "exec/kernel.h"

namespace nnc::exec::rnn {

Status rnn(KernelArgs& args);   ///< simple RNN, one gate (kernels_rnn.cpp)
Status gru(KernelArgs& args);   ///< GRU, gates z r h, linear_before_reset (kernels_rnn.cpp)
Status lstm(KernelArgs& args);  ///< LSTM, gates i o f c, peepholes, input_forget (kernels_rnn.cpp)

enum class CellKind { kRnn, kGru, kLstm };

/// One activation function of the ONNX recurrent ops, with its alpha/beta (defaults already applied).
struct Activation {
  enum class Kind {
    kRelu,
    kTanh,
    kSigmoid,
    kAffine,
    kLeakyRelu,
    kThresholdedRelu,
    kScaledTanh,
    kHardSigmoid,
    kElu,
    kSoftsign,
    kSoftplus
  };
  Kind kind = Kind::kTanh;
  double alpha = 0, beta = 0;

  template <typename T>
  T operator()(T x) const {
    const T a = static_cast<T>(alpha), b = static_cast<T>(beta);
    switch (kind) {
      case Kind::kRelu:
        return x > T(0) ? x : T(0);
      case Kind::kTanh:
        return std::tanh(x);
      case Kind::kSigmoid:
        return x >= T(0) ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x));
      case Kind::kAffine:
        return a * x + b;
      case Kind::kLeakyRelu:
        return x >= T(0) ? x : a * x;
      case Kind::kThresholdedRelu:
        return x > a ? x : T(0);
      case Kind::kScaledTanh:
        return a * std::tanh(b * x);
      case Kind::kHardSigmoid:
        return std::min(T(1), std::max(T(0), a * x + b));
      case Kind::kElu:
        return x >= T(0) ? x : a * std::expm1(x);
      case Kind::kSoftsign:
        return x / (T(1) + std::abs(x));
      case Kind::kSoftplus:
        return x > T(20) ? x : std::log1p(std::exp(x));
    }
    return x;
  }
};

/// The inputs and attributes of one recurrent node, checked and normalised to layout 0.
template <typename T>
struct Setup {
  int64_t seq = 0, batch = 0, input = 0, hidden = 0, dirs = 1, gates = 1;
  std::vector<T> x;              ///< [seq, batch, input]
  const T* w = nullptr;          ///< [dirs, gates * hidden, input]
  const T* r = nullptr;          ///< [dirs, gates * hidden, hidden]
  std::vector<T> bias;           ///< [dirs, 2 * gates * hidden]: Wb then Rb; zeros when B is absent
  std::vector<int64_t> lens;     ///< [batch], each in [0, seq]
  std::vector<T> h0, c0;         ///< [dirs, batch, hidden]; zeros when absent (c0 only for LSTM)
  std::vector<T> peephole;       ///< LSTM: [dirs, 3 * hidden] (P order i, o, f); empty when absent
  std::vector<Activation> acts;  ///< per direction, `per_direction` functions (f; f g; f g h)
  int64_t per_direction = 1;
  std::optional<T> clip;             ///< gate pre-activations are clamped to [-clip, clip]
  bool reverse_only = false;         ///< direction == "reverse"
  int64_t layout = 0;                ///< opset 14: 1 = batch-major X, Y, states
  bool linear_before_reset = false;  ///< GRU
  bool input_forget = false;         ///< LSTM

  /// Direction d runs backwards in time (the second direction of a bidirectional node, or "reverse").
  bool reversed(int64_t d) const { return reverse_only || d == 1; }
};

/// Reads and checks inputs 0-7 and the attributes of a node of `kind` (dtype T = X's dtype).
template <typename T>
Expected<Setup<T>> make_setup(const KernelArgs& args, CellKind kind);

/// Writes Y (y: [seq, dirs, batch, hidden]), Y_h and, for LSTM, Y_c ([dirs, batch, hidden]) in the node's
/// layout to whichever outputs the node has.
template <typename T>
Status write_outputs(KernelArgs& args, const Setup<T>& s, const std::vector<T>& y, const std::vector<T>& yh,
                     const std::vector<T>& yc);

}  // namespace nnc::exec::rnn
