// nnc frontend_tflite: IR -> .tflite writer (float32), used to save cropped sections of TFLite models in their own format.
#pragma once

#include <filesystem>
#include <string>

#include "nnc/graph.h"
#include "nnc/status.h"

namespace nnc::tflite_frontend {

/// Serializes `graph` as a TFLite flatbuffer (schema version 3, float32 tensors, NHWC ops).
/// The graph must use ONNX ops in the forms nnc's TFLite import produces: Conv/pooling wrapped in
/// NHWC->NCHW / NCHW->NHWC Transposes (a fused Relu/Clip/Tanh between the op and its back-Transpose
/// becomes the fused activation), Gemm/MatMul with constant weights, elementwise, Softmax on the last
/// axis, Reshape/Transpose/Concat/Pad/Reduce*, Squeeze/Unsqueeze; DequantizeLinear of constants is
/// folded into float32 weights. Every value must have a static shape. Errors list every node the
/// writer cannot express at once, with names.
Expected<std::string> tflite_bytes(const Graph& graph);

/// tflite_bytes(), written to `path` atomically.
Status write_tflite(const Graph& graph, const std::filesystem::path& path);

}  // namespace nnc::tflite_frontend
