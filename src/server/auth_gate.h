// AuthGate: the server's Authorizer (see authorizer.h) on top of auth::AuthService and the route
// policy (auth/route_policy.h). For each routed request it finds the principal — an API token
// (Authorization: Bearer) or a session cookie — and lets the request through when the principal's
// role reaches what the route needs; otherwise 401 (no or expired credentials; JSON error and
// WWW-Authenticate: Bearer) or 403 (role too low, or a cross-site request).
//
// CSRF: session cookies are SameSite=Strict; in addition a mutating request (anything but GET and
// HEAD) or a WebSocket upgrade whose Origin header names another site (not the Host, nor the
// X-Forwarded-Host a reverse proxy sets) is refused unless that origin is in CORS_ORIGINS. CORS: only the configured origins get Access-Control-Allow-* headers and
// preflight answers, with credentials, never "*".
//
// With authentication off (AUTH=off, an explicit setting that is logged at every start) every
// request passes as an anonymous admin; the Origin check and CORS still apply.
//
// Thread-safety: all methods may be called from any thread; nothing here blocks.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "auth/auth_service.h"
#include "server/authorizer.h"

namespace pw::server {

struct AuthGateOptions {
  bool enabled = true;                    // AUTH
  std::vector<std::string> cors_origins;  // CORS_ORIGINS: "https://scada.example:8443", ...
  std::string cookie_secure = "auto";     // COOKIE_SECURE: auto (X-Forwarded-Proto: https) | on | off
};

// "a, b ,c" -> {"a", "b", "c"} (blanks dropped, a trailing '/' removed).
std::vector<std::string> ParseOriginList(const std::string& text);

class AuthGate final : public Authorizer {
 public:
  AuthGate(AuthGateOptions options, auth::AuthService& service);

  std::optional<Response> Preflight(const Request& req) override;
  std::optional<Response> Admit(Request& req, const std::string& route) override;
  void Finish(const Request& req, Response& res) override;

  bool enabled() const { return options_.enabled; }
  // The Set-Cookie value carrying a session id (HttpOnly, SameSite=Strict, Secure per the setting).
  std::string SessionCookie(const Request& req, const std::string& session_id, std::chrono::seconds max_age) const;
  // The Set-Cookie value that removes the session cookie.
  std::string ClearedCookie(const Request& req) const;

  // The session id from the request's Cookie header, "" when none.
  static std::string SessionIdOf(const Request& req);

 private:
  bool OriginAllowed(const Request& req) const;  // absent, same site, or listed
  bool Listed(const std::string& origin) const;
  bool SecureCookie(const Request& req) const;

  AuthGateOptions options_;
  auth::AuthService& service_;
};

}  // namespace pw::server
