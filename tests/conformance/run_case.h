// nnc conformance: runs one case end to end (skip rules, nnc import, reference executor, comparison).
#pragma once

#include <string>

#include "case_info.h"

namespace nnc::conformance {

enum class Verdict { kPass, kFail, kSkip };
const char* verdict_name(Verdict v) noexcept;  ///< "PASS", "FAIL", "SKIP"

/// The outcome of one case.
struct CaseResult {
  Verdict verdict = Verdict::kFail;
  std::string stage;   ///< FAIL: model, import, create, data, run, compare, crash, timeout, error;
                       ///< SKIP: the skip category (kSkip* in case_info.h)
  std::string reason;  ///< skip detail or failure message (max abs/rel error and where, for mismatches)
};

struct RunOptions {
  int threads = 0;      ///< ExecutorOptions::threads
  bool verbose = false; ///< print importer warnings
};

/// Decides the case: SKIP only by skip_reason() or, for a data set's input shapes, by
/// shape_contradiction(); otherwise imports model.onnx with the nnc importer (an import error is a
/// FAIL), creates the ReferenceExecutor, runs every data set and compares every output. Never throws.
CaseResult run_case(const CaseInfo& c, const RunOptions& options);

/// The dtype tag of a case: its tensor inputs/outputs' element types other than FLOAT, the integer
/// types nnc has and BOOL, e.g. "f16", "f64", "bf16,string"; empty for a plain case. Failures are
/// tagged with it so dtype gaps stay visible (see the dtype policy in run_case.cpp).
std::string dtype_tag(const CaseInfo& c);

}  // namespace nnc::conformance
