// nnc tests: the frontend conformance suite instantiated for frontend.caffe on the real SSD face detector.
#include "frontend_conformance_test.h"

namespace nnc::conformance {
namespace {

std::vector<FrontendCase> caffe_cases() {
  const auto dir = realmodels_dir() / "caffe/yufacedetectnet_v2_ssd";
  return {{"caffe",
           {"yufacedetectnet_v2_ssd", dir / "yufacedetectnet-open-v2.prototxt",
            {dir / "yufacedetectnet-open-v2.caffemodel"}, true}}};
}

INSTANTIATE_TEST_SUITE_P(Caffe, FrontendConformance, ::testing::ValuesIn(caffe_cases()),
                         [](const auto& info) { return frontend_case_name(info.param); });

}  // namespace
}  // namespace nnc::conformance
