// nnc conformance: result lines, per-op table, failure list grouped by op, tallies and the summary line.
#include "report.h"

#include <algorithm>
#include <array>

#include "nnc/executor.h"

namespace nnc::conformance {

namespace {

std::string tagged(const std::string& tag) { return tag.empty() ? "" : " [" + tag + "]"; }

/// A skip of a case whose ops the executor has (value type or case data): always printed by name.
bool skipped_despite_ops(const CaseResult& r) {
  return r.verdict == Verdict::kSkip && r.stage != kSkipTraining && r.stage != kSkipUnsupportedOp;
}

std::string join_counts(const std::map<std::string, int>& m) {
  std::vector<std::pair<std::string, int>> v(m.begin(), m.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string s;
  for (const auto& [k, n] : v) s += (s.empty() ? "" : ", ") + k + " " + std::to_string(n);
  return s;
}

}  // namespace

void Report::add(const CaseInfo& c, const CaseResult& r) {
  const int slot = r.verdict == Verdict::kPass ? 0 : r.verdict == Verdict::kFail ? 1 : 2;
  ++counts_[slot];
  entries_.push_back({c.name, c.group(), dtype_tag(c), r});
  if (r.verdict == Verdict::kSkip && r.stage == kSkipUnsupportedOp)
    for (const OpKey& op : c.ops)
      if (!reference_supports(op.domain, op.op_type)) ++missing_ops_[op.str()];
  if (r.verdict == Verdict::kFail) {
    std::printf("FAIL %s {%s}%s %s: %s\n", c.name.c_str(), c.group().c_str(), tagged(dtype_tag(c)).c_str(),
                r.stage.c_str(), r.reason.c_str());
  } else if (r.verdict == Verdict::kSkip && verbose_) {  // skipped_despite_ops() ones: also in the tallies
    std::printf("SKIP %s {%s}%s %s: %s\n", c.name.c_str(), c.group().c_str(), tagged(dtype_tag(c)).c_str(),
                r.stage.c_str(), r.reason.c_str());
  } else if (verbose_) {
    std::printf("%s %s {%s}%s%s\n", verdict_name(r.verdict), c.name.c_str(), c.group().c_str(),
                tagged(dtype_tag(c)).c_str(), r.reason.empty() ? "" : (" " + r.reason).c_str());
  }
  std::fflush(stdout);
}

void Report::print_op_table(std::FILE* out) const {
  std::map<std::string, std::array<int, 3>> by_group;
  for (const Entry& e : entries_) {
    auto& n = by_group[e.group];
    ++n[e.result.verdict == Verdict::kPass ? 0 : e.result.verdict == Verdict::kFail ? 1 : 2];
  }
  std::fprintf(out, "\n== per-op results (op set of the model: pass / fail / skip) ==\n");
  for (const auto& [group, n] : by_group) {
    if (!verbose_ && n[0] == 0 && n[1] == 0) continue;  // skipped-only ops: see the skip tally
    std::fprintf(out, "  %-40s %4d %4d %4d%s\n", group.c_str(), n[0], n[1], n[2], n[1] ? "  <- failures" : "");
  }
}

void Report::print_failures(std::FILE* out) const {
  std::map<std::string, std::vector<const Entry*>> by_group;
  for (const Entry& e : entries_)
    if (e.result.verdict == Verdict::kFail) by_group[e.group].push_back(&e);
  if (by_group.empty()) return;
  std::fprintf(out, "\n== failures by op ==\n");
  for (const auto& [group, list] : by_group) {
    std::fprintf(out, "%s:\n", group.c_str());
    for (const Entry* e : list)
      std::fprintf(out, "  %s%s %s: %s\n", e->name.c_str(), tagged(e->tag).c_str(), e->result.stage.c_str(),
                   e->result.reason.c_str());
  }
}

void Report::print_tallies(std::FILE* out) const {
  std::map<std::string, int> stages, skips;
  std::map<std::string, std::array<int, 3>> tags;  // tag -> pass, fail, skip
  for (const Entry& e : entries_) {
    if (!e.tag.empty()) ++tags[e.tag][e.result.verdict == Verdict::kPass ? 0 : e.result.verdict == Verdict::kFail ? 1 : 2];
    if (e.result.verdict == Verdict::kFail) ++stages[e.result.stage];
    if (e.result.verdict == Verdict::kSkip) ++skips[e.result.stage];
  }
  std::fprintf(out, "\n== tallies ==\n");
  if (!stages.empty()) std::fprintf(out, "failures by stage: %s\n", join_counts(stages).c_str());
  std::string tag_line;
  for (const auto& [tag, n] : tags)
    tag_line += (tag_line.empty() ? "" : ", ") + tag + " " + std::to_string(n[0]) + "/" + std::to_string(n[1]) + "/" +
                std::to_string(n[2]);
  if (!tags.empty()) std::fprintf(out, "non-f32 dtype cases (pass/fail/skip): %s\n", tag_line.c_str());
  if (!skips.empty()) std::fprintf(out, "skips by reason: %s\n", join_counts(skips).c_str());
  for (const Entry& e : entries_)
    if (skipped_despite_ops(e.result))
      std::fprintf(out, "  skipped although its ops are supported: %s (%s: %s)\n", e.name.c_str(),
                   e.result.stage.c_str(), e.result.reason.c_str());
  if (!missing_ops_.empty()) std::fprintf(out, "ops missing from reference_op_table() (cases): %s\n",
                                          join_counts(missing_ops_).c_str());
}

std::vector<std::string> Report::names_with(Verdict verdict) const {
  std::vector<std::string> out;
  for (const Entry& e : entries_)
    if (e.result.verdict == verdict) out.push_back(e.name);
  return out;
}

void Report::print_summary(std::FILE* out) const {
  print_op_table(out);
  print_failures(out);
  print_tallies(out);
  std::map<std::string, int> skips;
  for (const Entry& e : entries_)
    if (e.result.verdict == Verdict::kSkip) ++skips[e.result.stage];
  std::fprintf(out, "\n%d passed, %d failed, %d skipped%s\n", counts_[0], counts_[1], counts_[2],
               skips.empty() ? "" : (" (" + join_counts(skips) + ")").c_str());
  std::fflush(out);
}

}  // namespace nnc::conformance
