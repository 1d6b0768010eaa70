// nnc tests: the frontend conformance suite instantiated for frontend.onnx on nnc's and third-party files.
#include "frontend_conformance_test.h"

namespace nnc::conformance {
namespace {

std::vector<FrontendCase> onnx_cases() {
  const auto rm = realmodels_dir() / "onnx";
  return {
      {"onnx", {"tiny_cnn", std::filesystem::path(NNC_SOURCE_DIR) / "examples/models/tiny_cnn.onnx", {}, true}},
      {"onnx", {"mnist8_cntk", rm / "mnist8_cntk/mnist-8.onnx", {}, true}},
      {"onnx", {"squeezenet_cifar10", rm / "squeezenet_cifar10_tf2onnx/squeezenet_cifar10.onnx", {}, true}},
      {"onnx", {"ultraface_rfb320", rm / "ultraface_rfb320/version-RFB-320.onnx", {}, true}},
  };
}

INSTANTIATE_TEST_SUITE_P(Onnx, FrontendConformance, ::testing::ValuesIn(onnx_cases()),
                         [](const auto& info) { return frontend_case_name(info.param); });

}  // namespace
}  // namespace nnc::conformance
