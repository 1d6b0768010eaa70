// nnc frontend_caffe: plugin entry point: registers "frontend.caffe" (.prototxt + .caffemodel) and its options.
#include <memory>

#include "caffe_importer.h"
#include "nnc/plugin.h"

namespace {

nnc::Status register_components(nnc::PluginRegistrar& registrar) {
  nnc::FrontendEntry entry;
  entry.info.name = "caffe";
  entry.info.version = "0.1.0";
  entry.info.doc =
      "reads Caffe models (.prototxt network + .caffemodel weights, also legacy V1 and Caffe-SSD layers) into the "
      "nnc IR; weights come from --weights / weights = [...] or the sibling <stem>.caffemodel";
  entry.info.options = {
      nnc::option_string("input_shapes", "auto",
                         "mx_nc -is: \"auto\" or channel-last dims without batch per input, ';'-separated "
                         "(\"240,320,3\"); mapped onto the NCHW input"),
      nnc::option_int("batch", 1, "batch size used with input_shapes"),
      nnc::option_string("outputs", "",
                         "comma-separated blob names to use as graph outputs instead of the final tops (cropping, "
                         "e.g. stop before DetectionOutput)"),
      nnc::option_bool("check_ops", true,
                       "fail when the imported graph uses ops nnc's reference executor lacks, listing all at once"),
  };
  entry.extensions = {".prototxt", ".caffemodel"};
  entry.create = [] { return std::make_unique<nnc::caffe_frontend::CaffeFrontend>(); };
  registrar.add_frontend(std::move(entry));
  return nnc::Status::ok();
}

}  // namespace

NNC_PLUGIN("frontend_caffe", "0.1.0", register_components)
