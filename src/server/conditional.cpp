#include "server/conditional.h"

#include <cctype>
#include <charconv>
#include <cstring>

#include "core/text.h"

namespace pw::server {
namespace {

std::optional<std::uint64_t> ParseNumber(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view StripWeak(std::string_view tag) {
  if (tag.size() > 2 && tag.substr(0, 2) == "W/") tag.remove_prefix(2);
  return tag;
}

}  // namespace

RangeRequest ParseRange(std::string_view header, std::uint64_t size) {
  RangeRequest none;
  header = core::TrimBlanks(header);
  if (header.substr(0, 6) != "bytes=") return none;
  std::string_view spec = core::TrimBlanks(header.substr(6));
  if (spec.find(',') != std::string_view::npos) return none;  // several ranges: whole body
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return none;
  std::string_view first = core::TrimBlanks(spec.substr(0, dash));
  std::string_view last = core::TrimBlanks(spec.substr(dash + 1));
  RangeRequest r;
  if (first.empty()) {  // suffix: the last n bytes
    auto n = ParseNumber(last);
    if (!n) return none;
    if (*n == 0 || size == 0) return {RangeKind::kUnsatisfiable, {}};
    r.range.start = *n >= size ? 0 : size - *n;
    r.range.end = size - 1;
  } else {
    auto a = ParseNumber(first);
    if (!a) return none;
    std::optional<std::uint64_t> b;
    if (!last.empty()) {
      b = ParseNumber(last);
      if (!b || *b < *a) return none;
    }
    if (*a >= size) return {RangeKind::kUnsatisfiable, {}};
    r.range.start = *a;
    r.range.end = b && *b < size ? *b : size - 1;
  }
  r.kind = RangeKind::kSatisfiable;
  return r;
}

std::string MakeEtag(std::uint64_t size, std::int64_t mtime_ns) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "\"%llx-%llx\"", static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(mtime_ns));
  return buf;
}

bool IfNoneMatchHits(std::string_view if_none_match, std::string_view etag) {
  std::string_view list = core::TrimBlanks(if_none_match);
  if (list == "*") return true;
  std::string_view want = StripWeak(etag);
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string_view tag = core::TrimBlanks(list.substr(0, comma));
    if (!tag.empty() && StripWeak(tag) == want) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

bool IsNotModified(std::string_view if_none_match, std::string_view if_modified_since,
                   std::string_view etag, std::time_t mtime) {
  if (!core::TrimBlanks(if_none_match).empty()) return IfNoneMatchHits(if_none_match, etag);
  if (if_modified_since.empty()) return false;
  auto since = ParseHttpDate(if_modified_since);
  return since && mtime <= *since;
}

bool IfRangeAllows(std::string_view if_range, std::string_view etag, std::time_t mtime) {
  if_range = core::TrimBlanks(if_range);
  if (if_range.empty()) return true;
  if (if_range.front() == '"') return if_range == etag;  // strong comparison only
  if (if_range.substr(0, 2) == "W/") return false;
  auto date = ParseHttpDate(if_range);
  return date && *date == mtime;
}

std::string HttpDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::optional<std::time_t> ParseHttpDate(std::string_view s) {
  std::string str(core::TrimBlanks(s));
  std::tm tm{};
  const char* end = strptime(str.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return timegm(&tm);
}

}  // namespace pw::server
