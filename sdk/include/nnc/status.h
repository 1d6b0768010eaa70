// nnc SDK: Status and Expected<T>, error values that carry a code, a message, a location and a fix.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace nnc {

/// Broad category of an error; callers branch on it, users read the message.
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,  ///< a value given by the user is wrong (bad option, bad shape...)
  kNotFound,         ///< a file, plugin, model input or name does not exist
  kUnsupported,      ///< a valid request nnc cannot serve (unknown op, dtype...)
  kParseError,       ///< a file could not be parsed (TOML, ONNX, npy...)
  kIoError,          ///< reading or writing a file failed
  kVersionMismatch,  ///< SDK or file-format versions disagree
  kVerifyFailed,     ///< the IR verifier found a broken graph
  kPluginError,      ///< a plugin misbehaved (threw, returned garbage)
  kInternal,         ///< a bug in nnc
};

/// Printable name of an error code ("invalid argument", ...).
const char* error_code_name(ErrorCode code) noexcept;

/// Where an error happened: a file position and/or an object (node, op, option) inside it.
struct Location {
  std::string file;    ///< file path as the user wrote it; empty when not file-related
  int line = 0;        ///< 1-based line, 0 when unknown
  int column = 0;      ///< 1-based column, 0 when unknown
  std::string object;  ///< e.g. "node 'conv1' (Conv)" or "stage 2 'pass.template'"

  /// "file:line:col" (omitting unknown parts), plus " in <object>" when set.
  std::string str() const;
  /// "file:line:col" only (omitting unknown parts); empty when there is no file.
  std::string position() const;
  bool empty() const noexcept { return file.empty() && object.empty(); }
};

/// Formats "file:line:col: <severity>: <object>: message (fix: hint)", leaving out empty parts.
std::string format_message_line(const Location& location, const char* severity, const std::string& message,
                                const std::string& hint);

/// Result of an operation that returns nothing: success, or an error with code, message, location
/// and an optional hint saying how to fix it.
class [[nodiscard]] Status {
 public:
  /// Success.
  Status() = default;
  /// An error. `code` must not be kOk.
  Status(ErrorCode code, std::string message, Location location = {}, std::string hint = {})
      : code_(code), message_(std::move(message)), location_(std::move(location)), hint_(std::move(hint)) {}

  /// Success value, spelled out.
  static Status ok() { return {}; }

  bool is_ok() const noexcept { return code_ == ErrorCode::kOk; }
  explicit operator bool() const noexcept { return is_ok(); }
  ErrorCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  const Location& location() const noexcept { return location_; }
  const std::string& hint() const noexcept { return hint_; }

  /// Returns a copy with the location filled in where it was empty.
  Status with_location(Location loc) const;
  /// Returns a copy whose message is prefixed by `context + ": "`.
  Status with_context(const std::string& context) const;
  /// Returns a copy with a fix hint (replacing any earlier one).
  Status with_hint(std::string hint) const;

  /// One line: "file:line:col: error: <object>: message (fix: hint)".
  std::string to_string() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  Location location_;
  std::string hint_;
};

/// Builds an error Status; shorthand used across nnc.
inline Status make_error(ErrorCode code, std::string message, Location location = {}, std::string hint = {}) {
  return Status(code, std::move(message), std::move(location), std::move(hint));
}

/// A value of type T, or the error that prevented computing it.
template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : storage_(std::in_place_index<0>, std::move(value)) {}
  Expected(Status error) : storage_(std::in_place_index<1>, std::move(error)) {
    assert(!std::get<1>(storage_).is_ok() && "Expected<T> built from an OK status");
  }

  bool has_value() const noexcept { return storage_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return std::get<0>(storage_); }
  const T& value() const& { return std::get<0>(storage_); }
  T&& value() && { return std::get<0>(std::move(storage_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// The error; only valid when !has_value().
  const Status& error() const& { return std::get<1>(storage_); }
  /// The error as a Status, or OK when a value is held.
  Status status() const { return has_value() ? Status::ok() : error(); }

 private:
  std::variant<T, Status> storage_;
};

}  // namespace nnc

#define NNC_CONCAT_IMPL(a, b) a##b
#define NNC_CONCAT(a, b) NNC_CONCAT_IMPL(a, b)

/// Returns the Status from the enclosing function when `expr` (a Status) is an error.
#define NNC_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::nnc::Status nnc_status_tmp_ = (expr);    \
    if (!nnc_status_tmp_.is_ok()) return nnc_status_tmp_; \
  } while (0)

/// `NNC_ASSIGN_OR_RETURN(auto x, expr)`: unwraps an Expected or returns its error.
#define NNC_ASSIGN_OR_RETURN(lhs, expr) NNC_ASSIGN_OR_RETURN_IMPL(NNC_CONCAT(nnc_expected_, __LINE__), lhs, expr)
#define NNC_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.has_value()) return tmp.error();       \
  lhs = std::move(tmp).value()
