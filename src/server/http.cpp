#include "server/http.h"

#include "server/trusted_proxies.h"

#include <cmath>
#include <cstdlib>

namespace pw::server {

std::optional<std::string> Request::Query(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::string Request::client_address() const {
  // `remote` is "address:port" as the server formats it ("::1:8000" for IPv6); "[::1]:8000" too.
  std::string peer;
  if (!remote.empty() && remote.front() == '[') {
    auto close = remote.find(']');
    peer = close == std::string::npos ? remote : remote.substr(1, close - 1);
  } else {
    auto colon = remote.rfind(':');
    peer = colon == std::string::npos ? remote : remote.substr(0, colon);
  }
  if (proxies == nullptr || proxies->empty()) return peer;
  return proxies->ClientOf(peer, msg["X-Forwarded-For"]);
}

std::optional<double> Request::QueryNumber(const std::string& name) const {
  auto text = Query(name);
  if (!text || text->empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(text->c_str(), &end);
  if (end != text->c_str() + text->size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

Response Response::Json(const nlohmann::json& j, http::status status) {
  Response r;
  r.status = status;
  r.headers.set(http::field::content_type, "application/json");
  r.headers.set(http::field::cache_control, "no-store");
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::Text(std::string text, std::string content_type, http::status status) {
  Response r;
  r.status = status;
  r.headers.set(http::field::content_type, content_type);
  r.body = std::move(text);
  return r;
}

Response Response::Error(http::status http_status, std::string_view code, std::string message) {
  return Json({{"error", {{"code", code}, {"message", std::move(message)}}}}, http_status);
}

Response Response::Error(const core::Status& status) {
  nlohmann::json error{{"code", core::CodeName(status.code())}, {"message", status.message()}};
  if (!status.field().empty()) error["field"] = status.field();
  Response r = Json({{"error", std::move(error)}}, HttpStatusFor(status.code()));
  if (status.code() == core::Code::kBusy) r.headers.set(http::field::retry_after, "1");
  return r;
}

http::status HttpStatusFor(core::Code code) {
  switch (code) {
    case core::Code::kOk: return http::status::ok;
    case core::Code::kInvalidArgument: return http::status::bad_request;
    case core::Code::kNotFound: return http::status::not_found;
    case core::Code::kConflict: return http::status::conflict;
    case core::Code::kTooLarge: return http::status::payload_too_large;
    case core::Code::kUnprocessable: return http::status::unprocessable_entity;
    case core::Code::kRangeNotSatisfiable: return http::status::range_not_satisfiable;
    case core::Code::kInsufficientStorage: return http::status::insufficient_storage;
    case core::Code::kUnavailable: return http::status::service_unavailable;
    case core::Code::kBusy: return http::status::service_unavailable;
    case core::Code::kTimedOut: return http::status::gateway_timeout;
    case core::Code::kCancelled: return http::status::conflict;
    case core::Code::kInternal: return http::status::internal_server_error;
  }
  return http::status::internal_server_error;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> PercentDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    char c = static_cast<char>(hi * 16 + lo);
    if (c == '\0') return std::nullopt;
    out += c;
    i += 2;
  }
  return out;
}

std::map<std::string, std::string> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string key(pair.substr(0, eq));
    std::string value(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    for (auto* s : {&key, &value}) {
      for (char& c : *s) {
        if (c == '+') c = ' ';
      }
    }
    auto k = PercentDecode(key);
    auto v = PercentDecode(value);
    if (k && v) out[*k] = *v;
  }
  return out;
}

}  // namespace pw::server
