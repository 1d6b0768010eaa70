// nnc SDK: the integer reference executor: bit-accurate int8/int16 execution of a quantized graph.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nnc/executor.h"
#include "nnc/graph.h"
#include "nnc/status.h"
#include "nnc/tensor.h"

namespace nnc {

/// How a quantized graph is executed.
enum class QuantExecMode {
  /// Integer kernels: int32 accumulation, requantization by multiply_by_quantized_multiplier
  /// (nnc/quant.h), saturation; ops without an integer kernel run as a documented float island
  /// (dequantize inputs, f32 kernel, quantize output). The functional truth every integer target's
  /// simulator must equal bit for bit.
  kBitAccurate,
  /// Float fake-quant: insert_qdq(graph) run by the f32 reference executor. Faster; agrees with
  /// kBitAccurate within 1 LSB on >= 99.9 % of output values.
  kFakeQuant,
};

/// Options of the quantized executor.
struct QuantExecutorOptions {
  QuantExecMode mode = QuantExecMode::kBitAccurate;
  int threads = 0;  ///< 0 = all cores
  /// Called with every value computed (dequantized to f32), as ExecutorOptions::observer.
  std::function<void(const Value& value, const Tensor& tensor)> observer;
};

/// Runs a graph whose values carry QuantParams (after calibration or fold_qdq). Inputs and outputs are
/// f32 (quantized/dequantized at the graph edges with the edge values' parameters); run_integer()
/// exposes the integer codes of the outputs too.
class QuantExecutor {
 public:
  virtual ~QuantExecutor() = default;
  /// Checks that every node is executable in `options.mode` (listing every problem at once: an op
  /// without kernel, a value without parameters where one is required) and prepares the schedule.
  /// The graph must outlive the executor.
  static Expected<std::unique_ptr<QuantExecutor>> create(const Graph& graph, const QuantExecutorOptions& options = {});

  /// One inference: f32 inputs by name -> dequantized f32 outputs by name.
  virtual Expected<std::map<std::string, Tensor>> run(const std::map<std::string, Tensor>& inputs) = 0;
  /// As run(), returning for each quantized output its integer codes (int8/int16/... tensor) instead.
  virtual Expected<std::map<std::string, Tensor>> run_integer(const std::map<std::string, Tensor>& inputs) = 0;
  virtual QuantExecMode mode() const noexcept = 0;
};

}  // namespace nnc
