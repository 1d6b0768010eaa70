// nnc core: the diagnostics sink: records warnings/errors and filters log lines by level.
#include "nnc/diagnostics.h"

#include <iostream>

namespace nnc {

const char* severity_name(Severity s) noexcept {
  switch (s) {
    case Severity::kNote: return "note";
    case Severity::kWarning: return "warning";
    case Severity::kError: return "error";
  }
  return "note";
}

std::string Diagnostic::to_string() const { return format_message_line(location, severity_name(severity), message, hint); }

DiagnosticSink::DiagnosticSink()
    : handler_([](const Diagnostic& d) { std::cerr << d.to_string() << '\n'; }) {}

DiagnosticSink::DiagnosticSink(Handler handler) : handler_(std::move(handler)) {}

void DiagnosticSink::report(Diagnostic d) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (d.severity == Severity::kError) ++errors_;
  if (d.severity == Severity::kWarning) ++warnings_;
  bool show = d.severity != Severity::kNote || level_ >= LogLevel::kVerbose;
  if (level_ == LogLevel::kQuiet && d.severity != Severity::kError) show = false;
  if (show && handler_) handler_(d);
  recorded_.push_back(std::move(d));
}

void DiagnosticSink::warning(std::string message, Location loc, std::string hint) {
  report(Diagnostic{Severity::kWarning, std::move(message), std::move(loc), std::move(hint)});
}

void DiagnosticSink::error(const Status& status) {
  report(Diagnostic{Severity::kError, status.message(), status.location(), status.hint()});
}

void DiagnosticSink::log(LogLevel level, const std::string& message) {
  if (!enabled(level)) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (handler_) handler_(Diagnostic{Severity::kNote, message, {}, {}});
}

int DiagnosticSink::error_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return errors_;
}

int DiagnosticSink::warning_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return warnings_;
}

std::vector<Diagnostic> DiagnosticSink::diagnostics() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return recorded_;
}

}  // namespace nnc
