// Range requests applied to a response body (files and in-memory bodies alike): whether to send
// the whole body, one range (206) or refuse (416), per RFC 9110 with If-Range.
#pragma once

#include <cstdint>
#include <ctime>
#include <string_view>

#include "server/conditional.h"
#include "server/http.h"

namespace pw::server {

// kNone: the whole body; kSatisfiable: `range`; kUnsatisfiable: answer RangeNotSatisfiable().
RangeRequest DecideRange(const Request& req, std::uint64_t size, std::string_view etag, std::time_t mtime);
// Makes `r` a 206 for `range` of a `size`-byte body (status and Content-Range).
void MarkPartial(Response& r, const ByteRange& range, std::uint64_t size);
// The 416 answer with Content-Range: bytes */size.
Response RangeNotSatisfiable(std::uint64_t size);

}  // namespace pw::server
