// nnc tests: the frontend conformance suite instantiated for frontend.tensorflow on real .pb and .meta files.
#include "frontend_conformance_test.h"

namespace nnc::conformance {
namespace {

std::vector<FrontendCase> tf_cases() {
  const auto pb = realmodels_dir() / "tf_pb";
  const auto meta = realmodels_dir() / "tf_meta";
  return {
      {"tensorflow", {"mobilenet_v1_frozen", pb / "mobilenet_v1_0.25_128/frozen_graph.pb", {}, true}},
      {"tensorflow", {"mobilenet_v1_8bit_weights", pb / "mobilenet_v1_0.25_128/quantized_graph.pb", {}, true}},
      {"tensorflow", {"fashion_mnist_qat_pb", pb / "fashion_mnist_qat_mlp/frozen_model.pb", {}, true}},
      {"tensorflow",
       {"fashion_mnist_qat_meta", meta / "fashion_mnist_qat_mlp/checkpoints.meta",
        {meta / "fashion_mnist_qat_mlp/checkpoints.index"}, true}},
  };
}

INSTANTIATE_TEST_SUITE_P(Tensorflow, FrontendConformance, ::testing::ValuesIn(tf_cases()),
                         [](const auto& info) { return frontend_case_name(info.param); });

}  // namespace
}  // namespace nnc::conformance
