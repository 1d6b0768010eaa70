// nnc tests: the frontend conformance suite instantiated for frontend.tflite on the real .tflite files.
#include "frontend_conformance_test.h"

namespace nnc::conformance {
namespace {

std::vector<FrontendCase> tflite_cases() {
  const auto d = realmodels_dir() / "tflite";
  return {
      {"tflite", {"hello_world_float", d / "hello_world/hello_world_float.tflite", {}, true}},
      {"tflite", {"hello_world_int8", d / "hello_world/hello_world_int8.tflite", {}, true}},
      {"tflite", {"micro_speech", d / "micro_speech/micro_speech_quantized.tflite", {}, true}},
      {"tflite", {"resnet8_float", d / "mlperf_tiny_resnet8_cifar10/pretrainedResnet.tflite", {}, true}},
      {"tflite", {"resnet8_int8", d / "mlperf_tiny_resnet8_cifar10/pretrainedResnet_quant.tflite", {}, true}},
      {"tflite", {"vww_float", d / "mlperf_tiny_vww_mobilenet/vww_96_float.tflite", {}, true}},
      {"tflite", {"vww_int8", d / "mlperf_tiny_vww_mobilenet/vww_96_int8.tflite", {}, true}},
      {"tflite", {"mnist_lstm_float", d / "mnist_lstm/trained_lstm.tflite", {}, true}},
      {"tflite", {"mnist_lstm_int8", d / "mnist_lstm/trained_lstm_int8.tflite", {}, true}},
      {"tflite", {"fashion_mnist_uint8", d / "fashion_mnist_qat_uint8/model.tflite", {}, true}},
      {"tflite", {"mobilenet_v2_int8", d / "mobilenet_v2_int8_from_pytorch/mobilenet_v2_quantized_1x3x224x224.tflite", {}, true}},
      {"tflite", {"person_detect", d / "person_detect/person_detect.tflite", {}, true}},
      {"tflite", {"seanet_conv0", d / "seanet_int16_layers/conv0.tflite", {}, true}},
      {"tflite", {"seanet_add0", d / "seanet_int16_layers/add0.tflite", {}, true}},
      {"tflite", {"ultraface_nopost", d / "ultraface_rfb320_nopost/version-RFB-320_without_postprocessing.tflite", {}, true}},
  };
}

INSTANTIATE_TEST_SUITE_P(Tflite, FrontendConformance, ::testing::ValuesIn(tflite_cases()),
                         [](const auto& info) { return frontend_case_name(info.param); });

}  // namespace
}  // namespace nnc::conformance
