// nnc conformance: collects case results and prints per-op tallies, the failure list and the summary line.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "case_info.h"
#include "run_case.h"

namespace nnc::conformance {

class Report {
 public:
  explicit Report(bool verbose) : verbose_(verbose) {}

  /// Records a result and prints its line (FAIL always, PASS/SKIP with --verbose).
  void add(const CaseInfo& c, const CaseResult& r);
  /// Per-op table, failures grouped by op, tallies, then the summary line
  /// "N passed, N failed, N skipped" followed, when some were skipped, by the skips per reason
  /// " (unsupported op / opset 300, training 12, ...)".
  void print_summary(std::FILE* out) const;
  int failed() const noexcept { return counts_[1]; }
  /// Names of the cases with `verdict`.
  std::vector<std::string> names_with(Verdict verdict) const;

 private:
  struct Entry {
    std::string name, group, tag;
    CaseResult result;
  };
  void print_op_table(std::FILE* out) const;
  void print_failures(std::FILE* out) const;
  void print_tallies(std::FILE* out) const;

  bool verbose_;
  std::vector<Entry> entries_;
  int counts_[3] = {0, 0, 0};                  // pass, fail, skip
  std::map<std::string, int> missing_ops_;     // op -> skipped cases using it
};

}  // namespace nnc::conformance
