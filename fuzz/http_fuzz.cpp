// Fuzzes what the server itself parses from a request: Boost.Beast reads the raw bytes (as
// http_server does), then our code takes over exactly as a connection does — PercentDecode and
// ParseQuery of the target, Router::Find over the real route shapes, Range with If-Range,
// conditional GET headers, Request::QueryNumber. Checks the invariants the handlers rely on.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/conditional.h"
#include "server/http.h"
#include "server/partial_content.h"
#include "server/router.h"

namespace {

using namespace pw::server;

const Router& Routes() {
  static const Router router = [] {
    Router r;
    auto ok = [](const Request&) { return Response::Text("ok"); };
    for (const char* p : {"/api/health", "/api/videos", "/api/videos/{id}", "/api/videos/{id}/hls/{file}",
                          "/api/videos/{id}/frame", "/api/videos/{id}/counts", "/api/uploads/{id}",
                          "/api/cameras/{id}/live/{file...}", "/api/weighings/{id}", "/api/weighings/export.csv",
                          "/{path...}"}) {
      r.AddSync(http::verb::get, p, ok);
    }
    r.AddSync(http::verb::post, "/api/uploads", ok);
    r.AddSync(http::verb::patch, "/api/uploads/{id}", ok);
    r.AddSync(http::verb::delete_, "/api/videos/{id}", ok);
    return r;
  }();
  return router;
}

void Check(bool ok) {
  if (!ok) std::abort();
}

void Exercise(const http::request<http::string_body>& msg) {
  std::string_view target = msg.target();
  auto q = target.find('?');
  auto path = PercentDecode(target.substr(0, q));
  Request req;
  req.msg = msg;
  if (q != std::string_view::npos) req.query = ParseQuery(target.substr(q + 1));
  for (const auto& [key, value] : req.query) (void)req.QueryNumber(key);
  if (path) {
    Check(path->find('\0') == std::string::npos);
    auto match = Routes().Find(msg.method(), *path);
    if (match.handler) Check(!match.pattern.empty());
    for (const auto& [name, value] : match.params) Check(!name.empty());
    (void)SplitPath(*path);
  }
  // Ranges against a few body sizes, with and without a validator that If-Range may name.
  const std::string etag = MakeEtag(1000, 1700000000000000000);
  for (std::uint64_t size : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{1000}, ~std::uint64_t{0}}) {
    RangeRequest r = DecideRange(req, size, etag, 1700000000);
    if (r.kind == RangeKind::kSatisfiable) {
      Check(r.range.start <= r.range.end && r.range.end < size);
      Response resp;
      MarkPartial(resp, r.range, size);
    }
  }
  (void)IsNotModified(msg[http::field::if_none_match], msg[http::field::if_modified_since], etag, 1700000000);
  if (auto t = ParseHttpDate(msg[http::field::if_modified_since])) (void)HttpDate(*t);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(64 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (!parser.is_header_done()) return 0;
  Exercise(parser.get());
  return 0;
}
