// Router: maps (method, path) to a handler. Patterns are '/'-separated segments, each a literal or
// a parameter `{name}`; a last segment `{name...}` takes the rest of the path. Literal segments win
// over parameters. HEAD is served by GET routes.
//
// Not thread-safe while adding routes; Find() is safe from many threads once set up.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http.h"

namespace pw::server {

class Router {
 public:
  struct Match {
    const Handler* handler = nullptr;         // null: no route for this method
    const StreamHandler* stream = nullptr;    // set instead of handler for streaming-body routes
    std::string pattern;                      // the matching route's pattern
    std::map<std::string, std::string> params;
    std::vector<http::verb> allowed;          // methods the path supports (for 405 + Allow)
  };

  void Add(http::verb method, std::string pattern, Handler handler);
  // Convenience for handlers that answer at once (no waiting).
  void AddSync(http::verb method, std::string pattern, std::function<Response(const Request&)> fn);
  // A route whose request body is streamed to a BodySink (uploads); no body size limit applies
  // other than what the sink enforces.
  void AddStream(http::verb method, std::string pattern, StreamHandler handler);

  // A check that runs before the handler of an existing route (rate limits): when it returns a
  // Response, the request is answered with it and the handler does not run. Works for streaming
  // routes too (before any body byte is read). kNotFound when no route has this method and pattern,
  // so a misspelt pattern stops start-up instead of guarding nothing.
  using Guard = std::function<std::optional<Response>(const Request&)>;
  core::Status AddGuard(http::verb method, const std::string& pattern, Guard guard);

  Match Find(http::verb method, std::string_view path) const;
  // "GET /api/videos/{id}" for every route (docs and tests).
  std::vector<std::string> Describe() const;

 private:
  struct Route {
    http::verb method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    StreamHandler stream;
  };
  // Number of literal segments matched (higher wins), or -1 when the path does not match.
  static int MatchPath(const Route& r, const std::vector<std::string>& parts,
                       std::map<std::string, std::string>* params);
  std::vector<Route> routes_;
};

std::vector<std::string> SplitPath(std::string_view path);

}  // namespace pw::server
