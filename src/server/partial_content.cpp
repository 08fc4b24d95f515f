#include "server/partial_content.h"

namespace pw::server {

RangeRequest DecideRange(const Request& req, std::uint64_t size, std::string_view etag, std::time_t mtime) {
  std::string_view header = req.msg[http::field::range];
  if (header.empty() || !IfRangeAllows(req.msg[http::field::if_range], etag, mtime)) return {};
  return ParseRange(header, size);
}

void MarkPartial(Response& r, const ByteRange& range, std::uint64_t size) {
  r.status = http::status::partial_content;
  r.headers.set(http::field::content_range, "bytes " + std::to_string(range.start) + "-" +
                                                 std::to_string(range.end) + "/" + std::to_string(size));
}

Response RangeNotSatisfiable(std::uint64_t size) {
  Response bad = Response::Error(http::status::range_not_satisfiable, "range_not_satisfiable",
                                 "range outside the body (size " + std::to_string(size) + ")");
  bad.headers.set(http::field::content_range, "bytes */" + std::to_string(size));
  return bad;
}

}  // namespace pw::server
