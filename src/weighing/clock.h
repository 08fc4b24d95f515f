// Timestamps for the journal: UTC with milliseconds, and the station's local time with its UTC
// offset (the process's time zone, TZ), both ISO 8601.
#pragma once

#include <chrono>
#include <string>

namespace pw::weighing {

struct Stamp {
  std::string utc;    // 2026-11-29T06:12:03.250Z
  std::string local;  // 2026-11-29T09:12:03+03:00
};

Stamp StampOf(std::chrono::system_clock::time_point when);
inline Stamp Now() { return StampOf(std::chrono::system_clock::now()); }

}  // namespace pw::weighing
