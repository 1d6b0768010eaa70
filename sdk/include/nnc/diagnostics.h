// nnc SDK: diagnostics sink (notes, warnings, errors with locations) and log levels for -v / -vv.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "nnc/status.h"

namespace nnc {

/// Severity of a diagnostic.
enum class Severity { kNote, kWarning, kError };

/// How chatty nnc is: default prints warnings and errors; -v adds info (stage timings); -vv debug.
enum class LogLevel { kQuiet = 0, kNormal = 1, kVerbose = 2, kDebug = 3 };

/// Printable name ("note", "warning", "error").
const char* severity_name(Severity s) noexcept;

/// One diagnostic message.
struct Diagnostic {
  Severity severity = Severity::kNote;
  std::string message;
  Location location;
  std::string hint;
  /// "file:line:col: warning: <object>: message (fix: hint)".
  std::string to_string() const;
};

/// Receives diagnostics and log lines. Thread-safe. Plugins report through the sink they are
/// handed, never by printing directly, so the host decides where messages go.
class DiagnosticSink {
 public:
  /// Called for every report() that passes the filter; default prints to stderr.
  using Handler = std::function<void(const Diagnostic&)>;

  DiagnosticSink();
  explicit DiagnosticSink(Handler handler);

  /// Records a diagnostic (errors and warnings are always kept; notes are counted too).
  void report(Diagnostic d);
  void warning(std::string message, Location loc = {}, std::string hint = {});
  void error(const Status& status);

  /// Log line shown when the sink's level is at least `level` (kVerbose for -v, kDebug for -vv).
  void log(LogLevel level, const std::string& message);
  bool enabled(LogLevel level) const noexcept { return level <= level_; }
  void set_level(LogLevel level) noexcept { level_ = level; }
  LogLevel level() const noexcept { return level_; }

  int error_count() const;
  int warning_count() const;
  /// All diagnostics recorded so far (copies).
  std::vector<Diagnostic> diagnostics() const;

 private:
  mutable std::mutex mutex_;
  Handler handler_;
  LogLevel level_ = LogLevel::kNormal;
  std::vector<Diagnostic> recorded_;
  int errors_ = 0;
  int warnings_ = 0;
};

}  // namespace nnc
