// nnc frontend_tf: plugin entry point: registers "frontend.tensorflow" (.pb frozen graphs, .meta + checkpoint) and its options.
#include <memory>

#include "nnc/plugin.h"
#include "tf_importer.h"

namespace {

nnc::Status register_components(nnc::PluginRegistrar& registrar) {
  nnc::FrontendEntry entry;
  entry.info.name = "tensorflow";
  entry.info.version = "0.1.0";
  entry.info.doc =
      "reads TensorFlow 1.x frozen GraphDefs (.pb) and MetaGraphDefs (.meta) with their V2 checkpoint "
      "(--weights PREFIX.index, else the 'checkpoint' file or PREFIX beside the .meta) into the nnc IR";
  entry.info.options = {
      nnc::option_string("inputs", "", "comma-separated tensor names that become the graph inputs (cuts the graph)"),
      nnc::option_string("outputs", "",
                         "comma-separated tensor names that become the graph outputs; default: inferred (tensors no "
                         "inference node consumes)"),
      nnc::option_string("input_shapes", "auto",
                         "mx_nc -is: \"auto\" or channel-last dims without batch per input, ';'-separated (\"224,224,3\")"),
      nnc::option_int("batch", 1, "size given to an unknown leading (batch) dim of the inputs"),
      nnc::option_bool("check_ops", true,
                       "fail when the imported graph uses ops nnc's reference executor lacks, listing all at once"),
  };
  entry.extensions = {".pb", ".meta"};
  entry.create = [] { return std::make_unique<nnc::tf_frontend::TfFrontend>(); };
  registrar.add_frontend(std::move(entry));
  return nnc::Status::ok();
}

}  // namespace

NNC_PLUGIN("frontend_tf", "0.1.0", register_components)
