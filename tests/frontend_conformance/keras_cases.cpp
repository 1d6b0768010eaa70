// nnc tests: the frontend conformance suite instantiated for frontend.keras on real .h5 and .json + weights files.
#include "frontend_conformance_test.h"

namespace nnc::conformance {
namespace {

std::vector<FrontendCase> keras_cases() {
  const auto d = realmodels_dir() / "keras";
  return {
      {"keras", {"resnet8_h5", d / "mlperf_tiny_resnet8_cifar10/pretrainedResnet.h5", {}, true}},
      {"keras", {"vww_mobilenet_h5", d / "mlperf_tiny_vww_mobilenet/vww_96.h5", {}, true}},
      {"keras",
       {"mnist_cnn_json", d / "mnist_cnn_json_weights/model_struct.json",
        {d / "mnist_cnn_json_weights/model_weights.h5"}, true}},
  };
}

INSTANTIATE_TEST_SUITE_P(Keras, FrontendConformance, ::testing::ValuesIn(keras_cases()),
                         [](const auto& info) { return frontend_case_name(info.param); });

}  // namespace
}  // namespace nnc::conformance
