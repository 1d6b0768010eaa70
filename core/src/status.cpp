// nnc core: Status formatting, error-code names and version string.
#include "nnc/status.h"

#include "nnc/version.h"

namespace nnc {

const char* product_version() noexcept { return NNC_PRODUCT_VERSION; }

const char* error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kParseError: return "parse error";
    case ErrorCode::kIoError: return "i/o error";
    case ErrorCode::kVersionMismatch: return "version mismatch";
    case ErrorCode::kVerifyFailed: return "verification failed";
    case ErrorCode::kPluginError: return "plugin error";
    case ErrorCode::kInternal: return "internal error";
  }
  return "unknown error";
}

std::string Location::position() const {
  std::string out = file;
  if (!file.empty() && line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out;
}

std::string Location::str() const {
  std::string out = position();
  if (!object.empty()) out += (out.empty() ? "" : " in ") + object;
  return out;
}

std::string format_message_line(const Location& location, const char* severity, const std::string& message,
                                const std::string& hint) {
  std::string out;
  std::string where = location.position();
  if (!where.empty()) out = where + ": ";
  out += std::string(severity) + ": ";
  if (!location.object.empty()) out += location.object + ": ";
  out += message;
  if (!hint.empty()) out += " (fix: " + hint + ")";
  return out;
}

Status Status::with_location(Location loc) const {
  Status copy = *this;
  if (copy.location_.file.empty()) {
    copy.location_.file = std::move(loc.file);
    copy.location_.line = loc.line;
    copy.location_.column = loc.column;
  }
  if (copy.location_.object.empty()) copy.location_.object = std::move(loc.object);
  return copy;
}

Status Status::with_context(const std::string& context) const {
  Status copy = *this;
  copy.message_ = context + ": " + copy.message_;
  return copy;
}

Status Status::with_hint(std::string hint) const {
  Status copy = *this;
  copy.hint_ = std::move(hint);
  return copy;
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  return format_message_line(location_, "error", message_, hint_);
}

}  // namespace nnc
