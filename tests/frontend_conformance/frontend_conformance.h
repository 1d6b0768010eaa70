// nnc tests: the frontend conformance suite shared by every frontend plugin (instantiate it per frontend).
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace nnc::conformance {

/// One model file a frontend must read.
struct FrontendSample {
  std::string label;                                  ///< test-name safe: letters, digits, '_'
  std::filesystem::path model;                        ///< the main file (.onnx, .tflite, .prototxt, ...)
  std::vector<std::filesystem::path> companions;      ///< weights, checkpoint files: ModelSource::extra_paths
  bool runnable = true;                               ///< every op is in the reference executor's table
};

/// One instantiation: a frontend (by its registered name, loaded from the build's plugin directory) and
/// one of its samples, loaded as host loads models (nnc::load_model: frontend, then the IR verifier).
/// The suite checks, for each:
/// - the sample loads, passes the IR verifier, and has named, typed graph inputs (with a rank) and outputs;
/// - when runnable: the reference executor runs it on deterministic inputs and every float output is finite;
/// - truncations of the main file and of each companion (at 0, 1, 16 bytes, 1/4, 1/2 and all but one byte)
///   and 24 seeded single-byte corruptions either load into a graph that passes the verifier or fail with a
///   Status whose text names the broken file — never a crash, a hang or an exception;
/// - a missing main file is kNotFound naming it; an empty one an error naming it.
struct FrontendCase {
  std::string frontend;  ///< "onnx", "tflite", ...
  FrontendSample sample;
};

/// For INSTANTIATE_TEST_SUITE_P's name generator: "<frontend>_<label>".
std::string frontend_case_name(const FrontendCase& c);

/// How GoogleTest prints a case in its logs (instead of a byte dump of the struct).
void PrintTo(const FrontendCase& c, std::ostream* os);

/// Directory of the third-party model files (../shared/realmodels next to the source tree).
std::filesystem::path realmodels_dir();

}  // namespace nnc::conformance

// Instantiate with (in a .cpp of this folder, listed in its CMakeLists.txt):
//   INSTANTIATE_TEST_SUITE_P(Onnx, FrontendConformance, ::testing::ValuesIn(onnx_cases()),
//                            [](const auto& info) { return nnc::conformance::frontend_case_name(info.param); });
