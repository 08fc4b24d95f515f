#include "core/status.h"

namespace pw::core {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kNotFound: return "not_found";
    case Code::kConflict: return "conflict";
    case Code::kTooLarge: return "too_large";
    case Code::kUnprocessable: return "unprocessable";
    case Code::kRangeNotSatisfiable: return "range_not_satisfiable";
    case Code::kInsufficientStorage: return "insufficient_storage";
    case Code::kUnavailable: return "unavailable";
    case Code::kBusy: return "busy";
    case Code::kTimedOut: return "timed_out";
    case Code::kCancelled: return "cancelled";
    case Code::kInternal: return "internal";
  }
  return "internal";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(CodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string m(context);
  m += ": ";
  m += message_;
  return {code_, std::move(m)};
}

}  // namespace pw::core
