// Status and Result<T>: how every fallible call across a module boundary reports failure.
//
// A Status is a code plus a human-readable message. Codes are few and coarse on purpose: they say
// what the caller (or an HTTP client) should do, the message says why. Exceptions never cross a
// module boundary; they are turned into a Status at the edge.
//
// Thread-safety: both types are values; const methods may be called from several threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pw::core {

enum class Code {
  kOk,
  kInvalidArgument,    // the request itself is malformed (HTTP 400)
  kNotFound,           // 404
  kConflict,           // 409: state does not allow it (e.g. already exists)
  kTooLarge,           // 413: a size limit was hit
  kUnprocessable,      // 422: well-formed but unusable (corrupt video, bad field value)
  kRangeNotSatisfiable,// 416
  kInsufficientStorage,// 507: the disk is (nearly) full
  kUnavailable,        // 503: a component is not ready or has failed (model loading, camera down)
  kBusy,               // 503 + Retry-After: a queue is full, try again soon
  kTimedOut,           // 504: a deadline passed
  kCancelled,          // superseded or shut down
  kInternal,           // 500: a bug or an unexpected system failure
};

// Stable snake_case name of a code, used in JSON error bodies ("not_found").
std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status Conflict(std::string m) { return {Code::kConflict, std::move(m)}; }
  static Status TooLarge(std::string m) { return {Code::kTooLarge, std::move(m)}; }
  static Status Unprocessable(std::string m) { return {Code::kUnprocessable, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status Busy(std::string m) { return {Code::kBusy, std::move(m)}; }
  static Status TimedOut(std::string m) { return {Code::kTimedOut, std::move(m)}; }
  static Status Cancelled(std::string m) { return {Code::kCancelled, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "not_found: no video abc" (or "ok").
  std::string ToString() const;

  // Prefixes the message with context: Status::NotFound("x").WithContext("probe") -> "probe: x".
  Status WithContext(std::string_view context) const;

  // The request field the error is about ("total_kg"), for forms that mark the wrong input.
  Status WithField(std::string field) const {
    Status s = *this;
    s.field_ = std::move(field);
    return s;
  }
  const std::string& field() const { return field_; }

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string field_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}               // NOLINT: implicit on purpose
  Result(Status status) : data_(std::move(status)) {}        // NOLINT: implicit on purpose

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace pw::core

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define PW_RETURN_IF_ERROR(expr)                 \
  do {                                           \
    ::pw::core::Status pw_status_ = (expr);      \
    if (!pw_status_.ok()) return pw_status_;     \
  } while (0)

// Assigns the value of a Result expression to `lhs`, or returns its Status.
#define PW_CONCAT_INNER_(a, b) a##b
#define PW_CONCAT_(a, b) PW_CONCAT_INNER_(a, b)
#define PW_ASSIGN_OR_RETURN(lhs, expr) PW_ASSIGN_OR_RETURN_IMPL_(PW_CONCAT_(pw_result_, __LINE__), lhs, expr)
#define PW_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                              \
  if (!result.ok()) return result.status();          \
  lhs = std::move(result).value()
