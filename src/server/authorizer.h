// Authorizer: the seam through which the HTTP server asks "may this request run?" without knowing
// how users, sessions or tokens work (the auth gate implements it; see auth_gate.h).
//
// The server calls, for each request on a connection:
//   Preflight(req)  before routing, for OPTIONS requests (CORS preflight): an answer, or nullopt to
//                   route it as usual;
//   Admit(req, route) after routing and before the body is read and the handler runs, for normal,
//                   streaming (upload) and WebSocket upgrade routes ("GET /ws"): nullopt to let it
//                   through (req.principal set), or the refusal to send (401, 403, 429...);
//   Finish(req, res) on every response (CORS headers, a renewed session cookie).
// `route` is "METHOD /pattern" as Router::Describe() gives it.
//
// Thread-safety: called from every network thread at once; must not block (no disk, no slow hash).
#pragma once

#include <optional>
#include <string>

#include "server/http.h"

namespace pw::server {

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  virtual std::optional<Response> Preflight(const Request& req) = 0;
  virtual std::optional<Response> Admit(Request& req, const std::string& route) = 0;
  virtual void Finish(const Request& req, Response& res) = 0;
};

}  // namespace pw::server
