#include "live/schedule.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace pw::live {

using core::Status;

namespace {

// "HH:MM" or "HH:MM:SS" → seconds of day; 24:00 only when `allow_24`.
std::optional<int> ParseTimeOfDay(const std::string& t, bool allow_24) {
  int h = 0, m = 0, s = 0;
  char extra = 0;
  int n = std::sscanf(t.c_str(), "%2d:%2d:%2d%c", &h, &m, &s, &extra);
  bool shape = (n == 2 && t.size() == 5) || (n == 3 && t.size() == 8);
  if (!shape || h < 0 || m < 0 || m > 59 || s < 0 || s > 59) return std::nullopt;
  if (h == 24) {
    if (!allow_24 || m != 0 || s != 0) return std::nullopt;
  } else if (h > 23) {
    return std::nullopt;
  }
  return h * 3600 + m * 60 + s;
}

std::string Trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t") + 1);
  return s;
}

}  // namespace

core::Result<RecordSchedule> RecordSchedule::Parse(const std::vector<std::string>& windows) {
  RecordSchedule out;
  std::vector<Span> spans;
  for (const auto& raw : windows) {
    std::string w = Trim(raw);
    if (w == "always") {
      spans.push_back({0, kDay});
      out.windows_.push_back(w);
      continue;
    }
    auto dash = w.find('-');
    auto bad = [&](const std::string& why) {
      return Status::InvalidArgument("recording window \"" + raw + "\" " + why +
                                     "; write it as HH:MM-HH:MM in local time (e.g. 09:00-10:00) or \"always\"");
    };
    if (dash == std::string::npos) return bad("has no '-'");
    auto begin = ParseTimeOfDay(Trim(w.substr(0, dash)), false);
    auto end = ParseTimeOfDay(Trim(w.substr(dash + 1)), true);
    if (!begin || !end) return bad("is not a valid time range");
    if (*begin == *end) return bad("is empty (start equals end)");
    if (*begin < *end) {
      spans.push_back({*begin, *end});
    } else {  // crosses midnight
      spans.push_back({*begin, kDay});
      if (*end > 0) spans.push_back({0, *end});
    }
    out.windows_.push_back(w);
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  for (const auto& s : spans) {
    if (!out.spans_.empty() && s.begin <= out.spans_.back().end) {
      out.spans_.back().end = std::max(out.spans_.back().end, s.end);
    } else {
      out.spans_.push_back(s);
    }
  }
  return out;
}

core::Result<RecordSchedule> RecordSchedule::ParseList(const std::string& text) {
  std::vector<std::string> items;
  for (std::size_t from = 0; from <= text.size();) {
    std::size_t comma = std::min(text.find(',', from), text.size());
    std::string item = Trim(text.substr(from, comma - from));
    if (!item.empty()) items.push_back(item);
    from = comma + 1;
  }
  return Parse(items);
}

bool RecordSchedule::always() const {
  return spans_.size() == 1 && spans_[0].begin == 0 && spans_[0].end == kDay;
}

RecordSchedule::Decision RecordSchedule::Evaluate(int second_of_day) const {
  Decision d;
  if (spans_.empty()) return d;
  const int s = std::clamp(second_of_day, 0, kDay - 1);
  if (always()) {
    d.in_window = true;
    return d;
  }
  for (const auto& span : spans_) {
    if (s >= span.begin && s < span.end) {
      d.in_window = true;
      int to_end = span.end - s;
      // A window running to midnight continues in the one starting at 00:00.
      if (span.end == kDay && spans_.front().begin == 0) to_end += spans_.front().end;
      d.seconds_to_change = to_end;
      return d;
    }
  }
  for (const auto& span : spans_) {
    if (span.begin > s) {
      d.seconds_to_change = span.begin - s;
      return d;
    }
  }
  d.seconds_to_change = kDay - s + spans_.front().begin;
  return d;
}

RecordSchedule::Moment RecordSchedule::At(std::chrono::system_clock::time_point now) const {
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm local{};
  localtime_r(&t, &local);
  const int second_of_day = local.tm_hour * 3600 + local.tm_min * 60 + std::min(local.tm_sec, 59);
  // Boundaries are whole seconds: measure from the start of the current second.
  const auto whole = std::chrono::system_clock::from_time_t(t);
  Decision d = Evaluate(second_of_day);
  Moment m;
  m.in_window = d.in_window;
  if (d.seconds_to_change) {
    auto at = whole + std::chrono::seconds(*d.seconds_to_change);
    (d.in_window ? m.window_end : m.next_start) = at;
  }
  return m;
}

std::string LocalIsoTime(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm local{};
  localtime_r(&tt, &local);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &local);
  std::string s = buf;
  if (s.size() >= 5) s.insert(s.size() - 2, ":");  // +0100 → +01:00
  return s;
}

}  // namespace pw::live
