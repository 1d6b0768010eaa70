// nnc SDK: layout clean-up used by channel-last frontends: cancels, merges and sinks Transpose nodes.
#pragma once

#include "nnc/graph.h"
#include "nnc/status.h"

namespace nnc {

/// Simplifies the Transpose nodes a channel-last import leaves around layout-sensitive ops, to a fixed
/// point, without changing any result:
/// - a Transpose of a constant becomes the transposed constant;
/// - a Transpose with the identity permutation is removed;
/// - Transpose(p2)(Transpose(p1)(x)) becomes Transpose(p1∘p2)(x), removed when that is the identity;
/// - a Transpose read only by an elementwise unary op (Relu, Sigmoid, Clip with scalar bounds, Cast,
///   per-tensor or per-axis QuantizeLinear/DequantizeLinear, ...) or by an elementwise binary op whose
///   other operand is a constant (Add, Sub, Mul, Div, Max, Min, Pow, PRelu; the constant is permuted to
///   match) is moved after that op, so that it can meet its inverse.
/// Graph inputs and outputs keep their names, shapes and layouts. Returns the number of Transpose
/// nodes removed.
Expected<int> cancel_inverse_transposes(Graph& graph);

}  // namespace nnc
