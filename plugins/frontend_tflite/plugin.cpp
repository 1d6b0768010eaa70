// nnc frontend_tflite: plugin entry point: registers "frontend.tflite" (.tflite files) and its options.
#include <memory>

#include "nnc/plugin.h"
#include "tflite_importer.h"

namespace {

nnc::Status register_components(nnc::PluginRegistrar& registrar) {
  nnc::FrontendEntry entry;
  entry.info.name = "tflite";
  entry.info.version = "0.1.0";
  entry.info.doc = "reads TensorFlow Lite models (.tflite: float32 and pre-quantized int8/uint8/int16x8 as ONNX QDQ) "
                   "into the nnc IR, NHWC kept at the graph boundary";
  entry.info.options = {
      nnc::option_int("batch", 1, "batch used when mapping input_shapes (the model's fixed leading dim wins)"),
      nnc::option_string("input_shapes", "auto",
                         "mx_nc -is: \"auto\" or channel-last dims without batch per input, ';'-separated "
                         "(\"96,96,1\"); TFLite shapes are static, so a shape must match the declared one"),
      nnc::option_bool("cancel_transposes", false,
                       "remove inverse NCHW/NHWC Transpose pairs after import (nnc::cancel_inverse_transposes)"),
      nnc::option_bool("check_ops", true,
                       "fail when the imported graph uses ops nnc's reference executor lacks, listing all of them"),
  };
  entry.extensions = {".tflite"};
  entry.create = [] { return std::make_unique<nnc::tflite_frontend::TfliteFrontend>(); };
  registrar.add_frontend(std::move(entry));
  return nnc::Status::ok();
}

}  // namespace

NNC_PLUGIN("frontend_tflite", "0.1.0", register_components)
