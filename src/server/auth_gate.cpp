#include "server/auth_gate.h"

#include <boost/beast/core/string.hpp>

#include <algorithm>

#include "auth/route_policy.h"

namespace pw::server {
namespace {

constexpr std::string_view kCookieName = "pw_session";

std::string Trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string BearerOf(const Request& req) {
  std::string h = Trim(req.Header(http::field::authorization));
  if (h.size() < 7 || !boost::beast::iequals(std::string_view(h).substr(0, 7), "bearer ")) return {};
  return Trim(std::string_view(h).substr(7));
}

bool Mutating(const Request& req) {
  auto m = req.method();
  return m != http::verb::get && m != http::verb::head && m != http::verb::options;
}

Response Unauthenticated(std::string message) {
  Response r = Response::Error(http::status::unauthorized, "unauthenticated", std::move(message));
  r.headers.set(http::field::www_authenticate, "Bearer realm=\"pigweight\"");
  r.headers.set(http::field::cache_control, "no-store");
  return r;
}

}  // namespace

std::vector<std::string> ParseOriginList(const std::string& text) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from <= text.size()) {
    std::size_t comma = std::min(text.find(',', from), text.size());
    std::string item = Trim(std::string_view(text).substr(from, comma - from));
    while (!item.empty() && item.back() == '/') item.pop_back();
    if (!item.empty()) out.push_back(Lower(item));
    from = comma + 1;
  }
  return out;
}

AuthGate::AuthGate(AuthGateOptions options, auth::AuthService& service)
    : options_(std::move(options)), service_(service) {}

std::string AuthGate::SessionIdOf(const Request& req) {
  std::string cookies = req.Header(http::field::cookie);
  std::size_t from = 0;
  while (from < cookies.size()) {
    std::size_t semi = std::min(cookies.find(';', from), cookies.size());
    std::string item = Trim(std::string_view(cookies).substr(from, semi - from));
    if (item.size() > kCookieName.size() && item.compare(0, kCookieName.size(), kCookieName) == 0 &&
        item[kCookieName.size()] == '=') {
      return item.substr(kCookieName.size() + 1);
    }
    from = semi + 1;
  }
  return {};
}

bool AuthGate::Listed(const std::string& origin) const {
  std::string o = Lower(origin);
  return std::find(options_.cors_origins.begin(), options_.cors_origins.end(), o) != options_.cors_origins.end();
}

bool AuthGate::OriginAllowed(const Request& req) const {
  std::string origin = Trim(req.Header(http::field::origin));
  if (origin.empty()) return true;  // not a browser, or a same-origin GET
  if (Listed(origin)) return true;
  auto scheme = origin.find("://");
  if (scheme == std::string::npos) return false;  // "null" (sandboxed pages, file://)
  const std::string authority = Lower(origin.substr(scheme + 3));
  if (authority == Lower(Trim(req.Header(http::field::host)))) return true;
  // Behind a reverse proxy that rewrites Host, the public host comes in X-Forwarded-Host.
  std::string forwarded(req.msg["X-Forwarded-Host"]);
  forwarded = Trim(std::string_view(forwarded).substr(0, forwarded.find(',')));
  return !forwarded.empty() && authority == Lower(forwarded);
}

bool AuthGate::SecureCookie(const Request& req) const {
  if (options_.cookie_secure == "on") return true;
  if (options_.cookie_secure == "off") return false;
  return Lower(Trim(req.msg["X-Forwarded-Proto"])) == "https";
}

std::string AuthGate::SessionCookie(const Request& req, const std::string& session_id,
                                    std::chrono::seconds max_age) const {
  return std::string(kCookieName) + "=" + session_id + "; Path=/; Max-Age=" + std::to_string(max_age.count()) +
         "; HttpOnly; SameSite=Strict" + (SecureCookie(req) ? "; Secure" : "");
}

std::string AuthGate::ClearedCookie(const Request& req) const { return SessionCookie(req, "", std::chrono::seconds(0)); }

std::optional<Response> AuthGate::Preflight(const Request& req) {
  std::string origin = Trim(req.Header(http::field::origin));
  if (origin.empty() || req.msg[http::field::access_control_request_method].empty()) return std::nullopt;
  if (!Listed(origin)) {
    return Response::Error(http::status::forbidden, "forbidden",
                           "origin " + origin + " may not call this server (add it to CORS_ORIGINS)");
  }
  Response r;
  r.status = http::status::no_content;
  r.headers.set(http::field::access_control_allow_methods, "GET, HEAD, POST, PATCH, PUT, DELETE");
  r.headers.set(http::field::access_control_allow_headers, "Authorization, Content-Type, If-None-Match, Range");
  r.headers.set(http::field::access_control_max_age, "600");
  return r;  // Finish adds the origin and credentials headers
}

std::optional<Response> AuthGate::Admit(Request& req, const std::string& route) {
  if ((Mutating(req) || route == "GET /ws") && !OriginAllowed(req)) {
    return Response::Error(http::status::forbidden, "forbidden",
                           "cross-site request from " + req.Header(http::field::origin) +
                               " refused (add the origin to CORS_ORIGINS if it is yours)");
  }
  if (!options_.enabled) {
    req.principal = Principal{"", "admin", "off", ""};
    return std::nullopt;
  }
  const auth::Role need = auth::RequiredRole(route);
  std::optional<auth::Principal> who;
  std::string renew;
  bool expired = false;
  if (std::string token = BearerOf(req); !token.empty()) {
    who = service_.CheckToken(token);
    if (!who) return Unauthenticated("the API token is not valid (revoked or mistyped)");
  } else if (std::string sid = SessionIdOf(req); !sid.empty()) {
    if (auto s = service_.CheckSession(sid)) {
      who = s->principal;
      if (s->renewed) {
        renew = SessionCookie(req, sid, std::chrono::duration_cast<std::chrono::seconds>(service_.session_ttl()));
      }
    } else {
      expired = true;
    }
  }
  if (who) req.principal = Principal{who->user, std::string(auth::RoleName(who->role)), who->via, renew};
  if (need == auth::Role::kPublic) return std::nullopt;
  if (!who) {
    Response r = Unauthenticated(expired ? "your session has expired: sign in again"
                                         : "sign in first (POST /api/login) or send an API token (Authorization: Bearer)");
    if (expired) r.headers.set(http::field::set_cookie, ClearedCookie(req));
    return r;
  }
  if (!auth::Allows(who->role, need)) {
    return Response::Error(http::status::forbidden, "forbidden",
                           "this needs the " + std::string(auth::RoleName(need)) + " role; " + who->user + " is " +
                               std::string(auth::RoleName(who->role)));
  }
  return std::nullopt;
}

void AuthGate::Finish(const Request& req, Response& res) {
  std::string origin = Trim(req.Header(http::field::origin));
  if (!origin.empty() && Listed(origin)) {
    res.headers.set(http::field::access_control_allow_origin, origin);
    res.headers.set(http::field::access_control_allow_credentials, "true");
    res.headers.set(http::field::access_control_expose_headers, "Location, Retry-After, Content-Length");
  }
  if (!options_.cors_origins.empty()) {
    std::string vary(res.headers[http::field::vary]);
    res.headers.set(http::field::vary, vary.empty() ? "Origin" : vary + ", Origin");
  }
  if (req.principal && !req.principal->renew_cookie.empty() &&
      res.headers.find(http::field::set_cookie) == res.headers.end()) {
    res.headers.set(http::field::set_cookie, req.principal->renew_cookie);
  }
}

}  // namespace pw::server
