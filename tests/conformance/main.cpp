// nnc conformance: nnc_conformance: runs ONNX backend test cases (libonnx-testdata) on the reference executor.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "case_info.h"
#include "isolate.h"
#include "report.h"
#include "run_case.h"

namespace fs = std::filesystem;
using namespace nnc::conformance;

namespace {

constexpr const char* kTestDataBase = "/usr/share/libonnx-testdata";
constexpr int kSkipExitCode = 77;  // ctest SKIP_RETURN_CODE

const char* kUsage =
    "usage: nnc_conformance [options] [ROOT...]\n"
    "Runs ONNX backend test cases (dirs with model.onnx and test_data_set_N/{input,output}_K.pb) on nnc's\n"
    "reference executor. ROOT is a directory of cases or one case; a relative ROOT that does not exist is\n"
    "looked up under /usr/share/libonnx-testdata. Default: data/node data/pytorch-converted.\n"
    "  --filter REGEX      only cases whose name (\"node/test_abs\") matches REGEX (search, ignoring case)\n"
    "  --list              list the selected cases with their op set and skip reason; run nothing\n"
    "  --verbose           print every case (PASS/SKIP too), importer warnings, and the full op table\n"
    "  --isolate           run each case in a forked child: a crash becomes a FAIL naming the case\n"
    "  --timeout S         with --isolate, a case running longer than S seconds FAILs (default 120)\n"
    "  --threads N         executor threads (default 0 = all cores)\n"
    "  --skip-if-missing   exit 77 with a message when a ROOT does not exist (for ctest)\n"
    "  --expected-failures FILE  cases (\"node/test_x  # reason\") known to fail for a stated reason: they\n"
    "                      do not fail the run, but an unlisted failure or a listed case that passes does\n"
    "Exit status: 0 when no case failed (or only expected ones), 1 otherwise, 2 on usage errors.\n";

struct Args {
  std::vector<std::string> roots;
  std::string filter;
  std::string expected_failures;
  bool list = false, verbose = false, isolate = false, skip_if_missing = false;
  int timeout_s = 120, threads = 0;
};

bool parse_int(const char* s, int& out) {
  char* end = nullptr;
  long v = std::strtol(s, &end, 10);
  if (!s[0] || *end || v < 0 || v > 1000000) return false;
  out = static_cast<int>(v);
  return true;
}

/// Parses argv; returns false (after printing why) on a usage error.
bool parse_args(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (s == "--list") a.list = true;
    else if (s == "--verbose" || s == "-v") a.verbose = true;
    else if (s == "--isolate") a.isolate = true;
    else if (s == "--skip-if-missing") a.skip_if_missing = true;
    else if (s == "--filter" && (v = value())) a.filter = v;
    else if (s == "--expected-failures" && (v = value())) a.expected_failures = v;
    else if (s == "--timeout" && (v = value()) && parse_int(v, a.timeout_s)) {}
    else if (s == "--threads" && (v = value()) && parse_int(v, a.threads)) {}
    else if (s == "--help" || s == "-h") { std::fputs(kUsage, stdout); std::exit(0); }
    else if (!s.empty() && s[0] != '-') a.roots.push_back(s);
    else {
      std::fprintf(stderr, "nnc_conformance: bad option or missing value: %s\n%s", s.c_str(), kUsage);
      return false;
    }
  }
  if (a.roots.empty()) a.roots = {"data/node", "data/pytorch-converted"};
  return true;
}

/// The root as given, or under the libonnx-testdata base when relative and absent as given.
fs::path resolve_root(const std::string& root) {
  fs::path p(root);
  if (fs::exists(p) || p.is_absolute()) return p;
  return fs::path(kTestDataBase) / p;
}

struct Selected {
  fs::path dir;
  std::string name;
};

/// Every case under the roots whose name matches the filter; false (after saying so) when a root is missing.
bool select_cases(const Args& a, std::vector<Selected>& out) {
  const std::regex filter(a.filter.empty() ? std::string(".") : a.filter, std::regex::ECMAScript | std::regex::icase);
  for (const std::string& r : a.roots) {
    fs::path root = resolve_root(r);
    if (!fs::is_directory(root)) {
      std::fprintf(stderr, "nnc_conformance: test data root '%s' not found (looked for %s; Debian package "
                   "libonnx-testdata provides %s/data)\n", r.c_str(), root.c_str(), kTestDataBase);
      return false;
    }
    const std::vector<fs::path> dirs = find_case_dirs(root);
    if (dirs.empty()) std::fprintf(stderr, "nnc_conformance: warning: no case (dir with model.onnx) under %s\n", root.c_str());
    for (const fs::path& dir : dirs) {
      std::string name = dir.parent_path().filename().string() + "/" + dir.filename().string();
      if (a.filter.empty() || std::regex_search(name, filter)) out.push_back({dir, name});
    }
  }
  return true;
}

void list_case(const CaseInfo& c) {
  auto skip = skip_reason(c);
  std::string tag = dtype_tag(c);
  std::printf("%s {%s}%s%s\n", c.name.c_str(), c.group().c_str(), tag.empty() ? "" : (" [" + tag + "]").c_str(),
              skip ? ("  SKIP: " + skip->str()).c_str() : "");
}

CaseResult evaluate(const CaseInfo& c, const Args& a) {
  const RunOptions options{a.threads, a.verbose};
  if (!a.isolate) {
    set_current_case(c.name);
    return run_case(c, options);
  }
  if (skip_reason(c)) return run_case(c, options);  // no need for a child
  return run_isolated([&] { return run_case(c, options); }, a.timeout_s);
}

/// Reads "case-name  # reason" lines; every entry must give a reason. Empty lines and "#" lines are comments.
bool read_expected_failures(const std::string& path, std::map<std::string, std::string>& out) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "nnc_conformance: cannot read expected-failures file '%s'\n", path.c_str());
    return false;
  }
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    size_t hash = line.find('#');
    std::string name = line.substr(start, line.find_first_of(" \t#", start) - start);
    std::string reason = hash == std::string::npos ? "" : line.substr(line.find_first_not_of(" \t#", hash));
    if (hash == std::string::npos || reason.empty()) {
      std::fprintf(stderr, "%s:%d: error: expected failure '%s' has no reason (write: name  # why it fails)\n", path.c_str(),
                   n, name.c_str());
      return false;
    }
    out[name] = reason;
  }
  return true;
}

/// Compares the run with the expected failures; prints what disagrees. Returns the number of problems.
int check_expected_failures(const Report& report, const std::map<std::string, std::string>& expected,
                            const std::string& path) {
  int problems = 0, seen = 0;
  for (const std::string& name : report.names_with(Verdict::kFail)) {
    if (expected.count(name)) {
      ++seen;
    } else {
      std::printf("UNEXPECTED FAIL %s (not in %s)\n", name.c_str(), path.c_str());
      ++problems;
    }
  }
  for (const std::string& name : report.names_with(Verdict::kPass)) {
    if (!expected.count(name)) continue;
    std::printf("EXPECTED FAILURE NOW PASSES %s: remove it from %s\n", name.c_str(), path.c_str());
    ++problems;
  }
  std::printf("expected failures: %d of %zu listed in %s failed as expected; %d disagreement(s)\n", seen, expected.size(),
              path.c_str(), problems);
  return problems;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse_args(argc, argv, args)) return 2;
  std::vector<Selected> cases;
  try {
    if (!select_cases(args, cases)) return args.skip_if_missing ? kSkipExitCode : 2;
  } catch (const std::regex_error& e) {
    std::fprintf(stderr, "nnc_conformance: bad --filter regex '%s': %s\n", args.filter.c_str(), e.what());
    return 2;
  }
  if (args.isolate && !args.list) warm_up_before_fork();
  if (!args.isolate) install_crash_reporter();
  Report report(args.verbose);
  for (const Selected& s : cases) {
    auto info = load_case(s.dir, s.name);
    if (!info) {
      CaseInfo bare;
      bare.name = s.name;
      report.add(bare, {Verdict::kFail, "model", info.error().message()});
      continue;
    }
    if (args.list) {
      list_case(*info);
      continue;
    }
    report.add(*info, evaluate(*info, args));
  }
  if (args.list) return 0;
  report.print_summary(stdout);
  if (args.expected_failures.empty()) return report.failed() > 0 ? 1 : 0;
  std::map<std::string, std::string> expected;
  if (!read_expected_failures(args.expected_failures, expected)) return 2;
  return check_expected_failures(report, expected, args.expected_failures) > 0 ? 1 : 0;
}
