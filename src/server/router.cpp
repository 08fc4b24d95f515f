#include "server/router.h"

#include <algorithm>

namespace pw::server {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i <= path.size()) {
    auto slash = path.find('/', i);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > i) parts.emplace_back(path.substr(i, slash - i));
    i = slash + 1;
  }
  return parts;
}

void Router::Add(http::verb method, std::string pattern, Handler handler) {
  Route r{method, pattern, SplitPath(pattern), std::move(handler), {}};
  routes_.push_back(std::move(r));
}

void Router::AddStream(http::verb method, std::string pattern, StreamHandler handler) {
  Route r{method, pattern, SplitPath(pattern), {}, std::move(handler)};
  routes_.push_back(std::move(r));
}

void Router::AddSync(http::verb method, std::string pattern,
                     std::function<Response(const Request&)> fn) {
  Add(method, std::move(pattern),
      [fn = std::move(fn)](const RequestPtr& req, Respond respond) { respond(fn(*req)); });
}

core::Status Router::AddGuard(http::verb method, const std::string& pattern, Guard guard) {
  for (auto& r : routes_) {
    if (r.method != method || r.pattern != pattern) continue;
    if (r.stream) {
      r.stream = [guard, inner = std::move(r.stream)](const RequestPtr& req) -> StreamStart {
        if (auto refused = guard(*req)) return std::move(*refused);
        return inner(req);
      };
    } else {
      r.handler = [guard, inner = std::move(r.handler)](const RequestPtr& req, Respond respond) {
        if (auto refused = guard(*req)) return respond(std::move(*refused));
        inner(req, std::move(respond));
      };
    }
    return core::Status::Ok();
  }
  return core::Status::NotFound(std::string("no route ") + std::string(http::to_string(method)) + " " + pattern +
                                " to guard");
}

int Router::MatchPath(const Route& r, const std::vector<std::string>& parts,
                      std::map<std::string, std::string>* params) {
  int literals = 0;
  const auto& segs = r.segments;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const std::string& s = segs[i];
    bool is_param = s.size() >= 2 && s.front() == '{' && s.back() == '}';
    if (is_param && s.size() > 5 && s.compare(s.size() - 4, 4, "...}") == 0) {
      if (i >= parts.size()) return -1;  // a rest parameter takes at least one segment
      std::string rest;
      for (std::size_t j = i; j < parts.size(); ++j) rest += (j > i ? "/" : "") + parts[j];
      if (params) (*params)[s.substr(1, s.size() - 5)] = rest;
      return literals;
    }
    if (i >= parts.size()) return -1;
    if (is_param) {
      if (params) (*params)[s.substr(1, s.size() - 2)] = parts[i];
    } else if (s != parts[i]) {
      return -1;
    } else {
      ++literals;
    }
  }
  return segs.size() == parts.size() ? literals : -1;
}

Router::Match Router::Find(http::verb method, std::string_view path) const {
  auto parts = SplitPath(path);
  Match best;
  int best_score = -1;
  http::verb want = method == http::verb::head ? http::verb::get : method;
  for (const auto& r : routes_) {
    std::map<std::string, std::string> params;
    int score = MatchPath(r, parts, &params);
    if (score < 0) continue;
    if (std::find(best.allowed.begin(), best.allowed.end(), r.method) == best.allowed.end()) {
      best.allowed.push_back(r.method);
      if (r.method == http::verb::get) best.allowed.push_back(http::verb::head);
    }
    if (r.method == want && score > best_score) {
      best_score = score;
      best.handler = r.stream ? nullptr : &r.handler;
      best.stream = r.stream ? &r.stream : nullptr;
      best.pattern = r.pattern;
      best.params = std::move(params);
    }
  }
  return best;
}

std::vector<std::string> Router::Describe() const {
  std::vector<std::string> out;
  for (const auto& r : routes_) out.push_back(std::string(http::to_string(r.method)) + " " + r.pattern);
  return out;
}

}  // namespace pw::server
