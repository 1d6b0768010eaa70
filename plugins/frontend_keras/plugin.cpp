// nnc frontend_keras: plugin entry point: registers "frontend.keras" (.h5 full models, .json + weights .h5).
#include <memory>

#include "keras_importer.h"
#include "nnc/plugin.h"

namespace {

nnc::Status register_components(nnc::PluginRegistrar& registrar) {
  nnc::FrontendEntry entry;
  entry.info.name = "keras";
  entry.info.version = "0.1.0";
  entry.info.doc = "reads Keras models (.h5 full model; .json architecture + weights .h5) into the nnc IR";
  entry.info.options = {
      nnc::option_int("batch", 1, "batch size substituted for the unknown (None) batch dim of inputs"),
      nnc::option_string("input_shapes", "auto",
                         "mx_nc -is: \"auto\" or channel-last dims without batch per input, ';'-separated "
                         "(\"96,96,3\"); mapped onto the model's layout"),
      nnc::option_bool("check_ops", true,
                       "fail when the graph uses ops nnc's reference executor lacks, listing all of them at once"),
  };
  entry.extensions = {".h5", ".hdf5", ".json"};
  entry.create = [] { return std::make_unique<nnc::keras_frontend::KerasFrontend>(); };
  registrar.add_frontend(std::move(entry));
  return nnc::Status::ok();
}

}  // namespace

NNC_PLUGIN("frontend_keras", "0.1.0", register_components)
