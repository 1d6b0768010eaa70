// nnc conformance: fork-per-case isolation and the in-process fatal-signal reporter.
#include "isolate.h"

#include <onnx/defs/schema.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

namespace nnc::conformance {

namespace {

void write_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

std::string read_all(int fd) {
  std::string s;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    s.append(buf, static_cast<size_t>(n));
  }
  return s;
}

/// "<verdict> <stage size> <reason size>\n<stage><reason>".
std::string serialize(const CaseResult& r) {
  return std::to_string(static_cast<int>(r.verdict)) + " " + std::to_string(r.stage.size()) + " " +
         std::to_string(r.reason.size()) + "\n" + r.stage + r.reason;
}

bool deserialize(const std::string& s, CaseResult& r) {
  int verdict = 0;
  size_t stage_size = 0, reason_size = 0;
  const size_t nl = s.find('\n');
  if (nl == std::string::npos || std::sscanf(s.c_str(), "%d %zu %zu", &verdict, &stage_size, &reason_size) != 3 ||
      s.size() != nl + 1 + stage_size + reason_size)
    return false;
  r.verdict = static_cast<Verdict>(verdict);
  r.stage = s.substr(nl + 1, stage_size);
  r.reason = s.substr(nl + 1 + stage_size);
  return true;
}

CaseResult from_wait_status(int status, const std::string& payload, int timeout_s) {
  CaseResult r;
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGALRM) return {Verdict::kFail, "timeout", "still running after " + std::to_string(timeout_s) + " s"};
    return {Verdict::kFail, "crash", std::string("crashed with signal ") + std::to_string(sig) + " (" + strsignal(sig) + ")"};
  }
  if (deserialize(payload, r)) return r;
  return {Verdict::kFail, "crash", "child exited with status " + std::to_string(WEXITSTATUS(status)) + " and no result"};
}

char g_case_name[512] = "(none)";

void on_fatal_signal(int sig) {
  const char* prefix = "\nnnc_conformance: CRASH in case ";
  (void)!::write(STDERR_FILENO, prefix, std::strlen(prefix));
  (void)!::write(STDERR_FILENO, g_case_name, std::strlen(g_case_name));
  const char* suffix = " (rerun with --isolate to turn crashes into FAILs)\n";
  (void)!::write(STDERR_FILENO, suffix, std::strlen(suffix));
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace

CaseResult run_isolated(const std::function<CaseResult()>& fn, int timeout_s) {
  int fds[2];
  if (::pipe(fds) != 0) return {Verdict::kFail, "error", "pipe() failed"};
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return {Verdict::kFail, "error", "fork() failed"};
  }
  if (pid == 0) {
    ::close(fds[0]);
    std::signal(SIGALRM, SIG_DFL);
    if (timeout_s > 0) ::alarm(static_cast<unsigned>(timeout_s));
    write_all(fds[1], serialize(fn()));
    std::fflush(stdout);
    std::fflush(stderr);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string payload = read_all(fds[0]);
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return from_wait_status(status, payload, timeout_s);
}

void warm_up_before_fork() { (void)onnx::OpSchemaRegistry::get_all_schemas(); }

void install_crash_reporter() {
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(sig, on_fatal_signal);
}

void set_current_case(const std::string& name) {
  std::snprintf(g_case_name, sizeof g_case_name, "%s", name.c_str());
}

}  // namespace nnc::conformance
