// HTTP caching and partial-content rules (RFC 9110): ETags, conditional GET, single byte ranges.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace pw::server {

struct ByteRange {
  std::uint64_t start = 0;
  std::uint64_t end = 0;  // inclusive
  std::uint64_t length() const { return end - start + 1; }
};

enum class RangeKind {
  kNone,           // no Range header, a malformed one, or several ranges: send the whole body (200)
  kSatisfiable,    // send `range` (206)
  kUnsatisfiable,  // 416 with Content-Range: bytes */size
};

struct RangeRequest {
  RangeKind kind = RangeKind::kNone;
  ByteRange range;
};

// Parses "bytes=a-b", "bytes=a-" or "bytes=-n" against a body of `size` bytes.
RangeRequest ParseRange(std::string_view header, std::uint64_t size);

// A strong validator from the file's size and modification time: "\"<size hex>-<mtime hex>\"".
std::string MakeEtag(std::uint64_t size, std::int64_t mtime_ns);

// If-None-Match: true when a listed tag (weak comparison) equals `etag`, or the list is "*".
bool IfNoneMatchHits(std::string_view if_none_match, std::string_view etag);

// Whether a GET may be answered 304: If-None-Match decides when present, else If-Modified-Since.
bool IsNotModified(std::string_view if_none_match, std::string_view if_modified_since,
                   std::string_view etag, std::time_t mtime);

// If-Range: the range applies only when the validator (strong ETag or date) still matches.
bool IfRangeAllows(std::string_view if_range, std::string_view etag, std::time_t mtime);

std::string HttpDate(std::time_t t);  // "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<std::time_t> ParseHttpDate(std::string_view s);

}  // namespace pw::server
