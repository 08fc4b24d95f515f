#include "server/bytes_response.h"

#include "server/conditional.h"
#include "server/partial_content.h"

namespace pw::server {

Response BytesResponse(const Request& req, const std::string& bytes, const std::string& mime,
                       const std::string& etag, const std::string& cache_control) {
  Response r;
  r.headers.set(http::field::etag, etag);
  r.headers.set(http::field::cache_control, cache_control);
  r.headers.set(http::field::accept_ranges, "bytes");
  if (IfNoneMatchHits(req.msg[http::field::if_none_match], etag)) {
    r.status = http::status::not_modified;
    return r;
  }
  r.headers.set(http::field::content_type, mime);
  const auto size = static_cast<std::uint64_t>(bytes.size());
  RangeRequest range = DecideRange(req, size, etag, 0);
  if (range.kind == RangeKind::kUnsatisfiable) return RangeNotSatisfiable(size);
  if (range.kind == RangeKind::kSatisfiable) {
    MarkPartial(r, range.range, size);
    r.body = bytes.substr(range.range.start, range.range.length());
    return r;
  }
  r.body = bytes;
  return r;
}

}  // namespace pw::server
