#include "server/bytes_response.h"

#include "server/conditional.h"

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
  if (!req.msg[http::field::range].empty() && IfRangeAllows(req.msg[http::field::if_range], etag, 0)) {
    RangeRequest range = ParseRange(req.msg[http::field::range], size);
    if (range.kind == RangeKind::kUnsatisfiable) {
      Response bad = Response::Error(http::status::range_not_satisfiable, "range_not_satisfiable",
                                     "range outside the body (size " + std::to_string(size) + ")");
      bad.headers.set(http::field::content_range, "bytes */" + std::to_string(size));
      return bad;
    }
    if (range.kind == RangeKind::kSatisfiable) {
      r.status = http::status::partial_content;
      r.headers.set(http::field::content_range, "bytes " + std::to_string(range.range.start) + "-" +
                                                     std::to_string(range.range.end) + "/" + std::to_string(size));
      r.body = bytes.substr(range.range.start, range.range.length());
      return r;
    }
  }
  r.body = bytes;
  return r;
}

}  // namespace pw::server
