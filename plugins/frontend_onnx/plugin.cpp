// nnc frontend_onnx: plugin entry point: registers "frontend.onnx" (.onnx files) and its options.
#include <memory>

#include "nnc/plugin.h"
#include "onnx_importer.h"

namespace {

nnc::Status register_components(nnc::PluginRegistrar& registrar) {
  nnc::FrontendEntry entry;
  entry.info.name = "onnx";
  entry.info.version = "0.1.0";
  entry.info.doc = "reads ONNX models (.onnx, external data, shape inference) into the nnc IR";
  entry.info.options = {
      nnc::option_bool("shape_inference", true, "run ONNX shape inference to fill intermediate dtypes and shapes"),
      nnc::option_int("batch", 1, "batch size substituted for symbolic/unknown leading dims of inputs"),
      nnc::option_string("input_shapes", "auto",
                         "mx_nc -is: \"auto\" or channel-last dims without batch per input, ';'-separated "
                         "(\"224,224,3\"); mapped onto the model's layout (NCHW or NHWC)"),
      nnc::option_bool("check_ops", true,
                       "fail when the model uses ops nnc's reference executor lacks, listing all of them at once"),
  };
  entry.extensions = {".onnx"};
  entry.create = [] { return std::make_unique<nnc::onnx_frontend::OnnxFrontend>(); };
  registrar.add_frontend(std::move(entry));
  return nnc::Status::ok();
}

}  // namespace

NNC_PLUGIN("frontend_onnx", "0.1.0", register_components)
