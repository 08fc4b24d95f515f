#include "weighing/clock.h"

#include <ctime>

#include <fmt/format.h>

namespace pw::weighing {

Stamp StampOf(std::chrono::system_clock::time_point when) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count() % 1000;
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm utc{}, local{};
  gmtime_r(&t, &utc);
  localtime_r(&t, &local);
  char buf[64];
  Stamp s;
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  s.utc = fmt::format("{}.{:03d}Z", buf, static_cast<int>(ms));
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &local);
  long offset_min = local.tm_gmtoff / 60;
  char sign = offset_min < 0 ? '-' : '+';
  offset_min = offset_min < 0 ? -offset_min : offset_min;
  s.local = fmt::format("{}{}{:02d}:{:02d}", buf, sign, offset_min / 60, offset_min % 60);
  return s;
}

}  // namespace pw::weighing
