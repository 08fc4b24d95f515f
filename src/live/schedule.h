// RecordSchedule: the daily windows in which a camera records ("09:00-10:00", "22:00-02:00",
// "always"), parsed from text, and the boundary math the recorder needs: is a given moment inside
// a window, when does the window in progress end, when does the next one start.
//
// Times are local wall-clock times of day. The math works on seconds since local midnight
// (Evaluate) so it is testable with fixed values; Now() wraps it with the process's local time
// zone. DST is not modelled: on the two days a year the clock jumps, a window boundary can be off
// by the jump (an hour-long weighing window still records). Windows may overlap or touch (they
// merge) and may cross midnight (start later than end). "24:00" is allowed as an end.
// Plain values; thread-compatible.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace pw::live {

class RecordSchedule {
 public:
  static constexpr int kDay = 24 * 3600;

  // Empty list: never records on its own (manual start only). Each item "HH:MM-HH:MM" (also
  // "HH:MM:SS-HH:MM:SS") or "always". kInvalidArgument naming the bad item.
  static core::Result<RecordSchedule> Parse(const std::vector<std::string>& windows);
  // Comma-separated form (the CAM_RECORD setting): "09:00-10:00,17:00-17:30", "always" or "".
  static core::Result<RecordSchedule> ParseList(const std::string& text);

  bool empty() const { return windows_.empty(); }
  bool always() const;
  const std::vector<std::string>& windows() const { return windows_; }

  struct Decision {
    bool in_window = false;
    // Seconds from the given moment to the end of the window in progress (in_window) or to the
    // start of the next window (!in_window). nullopt: never (always, or an empty schedule).
    std::optional<int> seconds_to_change;
  };
  // `second_of_day` in [0, 86400).
  Decision Evaluate(int second_of_day) const;

  struct Moment {
    bool in_window = false;
    std::optional<std::chrono::system_clock::time_point> window_end;   // when in_window
    std::optional<std::chrono::system_clock::time_point> next_start;   // when !in_window
  };
  // Evaluate at `now` in the local time zone.
  Moment At(std::chrono::system_clock::time_point now) const;

 private:
  struct Span {
    int begin = 0, end = 0;  // [begin, end) in seconds of day, begin < end <= kDay
  };
  std::vector<std::string> windows_;  // as given (normalised "always")
  std::vector<Span> spans_;           // merged, sorted, midnight-crossing windows split in two
};

// "2026-11-29T09:00:00+01:00" (local time with offset).
std::string LocalIsoTime(std::chrono::system_clock::time_point t);

}  // namespace pw::live
