// HTTP request/response types shared by the router, the handlers and the connection code.
//
// A handler receives a shared Request (it may keep it alive for asynchronous work) and a Respond
// callback that it must call exactly once, from any thread. Errors use one JSON shape:
//   {"error": {"code": "not_found", "message": "no video abc"}}
#pragma once

#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "core/status.h"
#include "core/unique_fd.h"

namespace pw::server {

namespace http = boost::beast::http;

// Who sent a request, set by the Authorizer (see authorizer.h) before the handler runs; unset
// without an authorizer and on public routes called without credentials. With authentication
// switched off (AUTH=off) it is an anonymous admin: user "", via "off".
class TrustedProxies;

struct Principal {
  std::string user;          // user name ("token:<name>" for an API token)
  std::string role;          // viewer, operator, admin
  std::string via;           // session, token, off
  std::string renew_cookie;  // a Set-Cookie value the response must carry (session renewed)
};

struct Request {
  http::request<http::string_body> msg;
  std::string path;                            // percent-decoded, without the query
  std::map<std::string, std::string> query;    // decoded; last value wins
  std::map<std::string, std::string> params;   // from the route pattern, e.g. {id}
  std::string remote;                          // "127.0.0.1:51234"
  std::string route = "unmatched";             // the route pattern that matched (metrics label)
  std::optional<Principal> principal;          // see Principal
  const TrustedProxies* proxies = nullptr;  // TRUSTED_PROXIES (set by the server)

  http::verb method() const { return msg.method(); }
  std::string Header(http::field f) const { return std::string(msg[f]); }
  std::optional<std::string> Query(const std::string& name) const;
  // A query parameter as a finite number ("12.5"); nullopt when absent, empty or not a number.
  std::optional<double> QueryNumber(const std::string& name) const;
  // The client's IP address without the port: the key for per-client limits and cancellation. The
  // peer itself, or the X-Forwarded-For client when the peer is a trusted proxy.
  std::string client_address() const;
  const std::string& body() const { return msg.body(); }
};
using RequestPtr = std::shared_ptr<Request>;

// A slice of an open file sent as the body (static files, videos, cached segments); the
// connection sends it with sendfile(2).
struct FileSlice {
  std::shared_ptr<const core::UniqueFd> fd;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

// A response body produced piece by piece for as long as the client stays (MJPEG): the connection
// calls Pull() for the first piece after the headers and for each next one after the previous piece
// is written, so a slow client is asked less often (nothing queues). Pull answers exactly once, from
// any thread, with the bytes or std::nullopt to end the response. The connection then closes (no
// Content-Length, no keep-alive). The source is destroyed when the client goes away or the server
// drains; a pending answer after that is dropped.
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual void Pull(std::function<void(std::optional<std::string>)> deliver) = 0;
};

struct Response {
  http::status status = http::status::ok;
  http::fields headers;
  std::string body;
  std::optional<FileSlice> file;  // when set, the body is read from this file instead of `body`
  std::shared_ptr<BodySource> source;  // when set, the body is streamed from it (see BodySource)

  static Response Json(const nlohmann::json& j, http::status status = http::status::ok);
  static Response Text(std::string text, std::string content_type = "text/plain; charset=utf-8",
                       http::status status = http::status::ok);
  // The JSON error shape, with the HTTP status mapped from the Status code (see HttpStatusFor).
  static Response Error(const core::Status& status);
  static Response Error(http::status http_status, std::string_view code, std::string message);
};

// The JSON of a result, or its error (the usual end of a handler that calls a module).
template <typename T>
Response JsonOr(const core::Result<T>& r, http::status ok = http::status::ok) {
  return r.ok() ? Response::Json(*r, ok) : Response::Error(r.status());
}

using Respond = std::function<void(Response)>;
using Handler = std::function<void(const RequestPtr&, Respond)>;

// Receives a request body as it arrives (uploads of many GB), instead of buffering it.
// Write() runs on the connection's network thread: keep it to an append to a file. A non-OK
// status stops the upload and is answered to the client. Finish() is called once: with OK after
// the last byte, or with the reason the body was cut short (the client then gets no answer).
class BodySink {
 public:
  virtual ~BodySink() = default;
  virtual core::Status Write(const char* data, std::size_t size) = 0;
  virtual void Finish(const core::Status& received, Respond respond) = 0;
};

// Called once the headers are read (`req->body()` is empty): answers at once with a Response
// (an error, or a reply that needs no body), or accepts the body into a BodySink.
using StreamStart = std::variant<Response, std::unique_ptr<BodySink>>;
using StreamHandler = std::function<StreamStart(const RequestPtr&)>;

// The one place where Status codes become HTTP statuses.
http::status HttpStatusFor(core::Code code);

// Percent-decodes a URL component ('+' stays '+' in paths; DecodeQueryComponent maps it to ' ').
std::optional<std::string> PercentDecode(std::string_view in);
std::map<std::string, std::string> ParseQuery(std::string_view query);

}  // namespace pw::server
