// Rate: a request rate written as operators write it in settings — "30/s", "20/min", "100/h" — or
// "off" (no limit). Parsing only; server/rate_limit.h enforces it.
#pragma once

#include <optional>
#include <string>

#include "core/status.h"

namespace pw::core {

struct Rate {
  double count = 0;     // requests allowed per period (also the burst: a full bucket)
  double period_s = 1;  // seconds
  double per_second() const { return count / period_s; }
  std::string ToString() const;
};

// nullopt for "off" (or "0"); kInvalidArgument naming the expected form otherwise.
Result<std::optional<Rate>> ParseRate(const std::string& text);

}  // namespace pw::core
