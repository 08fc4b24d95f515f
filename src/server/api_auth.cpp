#include "server/api_auth.h"

#include <charconv>

#include "server/offload.h"

namespace pw::server {
namespace {

core::Result<nlohmann::json> ParseObject(const Request& req) {
  auto j = nlohmann::json::parse(req.body(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return core::Status::InvalidArgument("the body must be a JSON object");
  return j;
}

// A string field: absent → nullopt; present but not a string → error naming it.
core::Result<std::optional<std::string>> StringField(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return core::Status::InvalidArgument(std::string(name) + " must be a string").WithField(name);
  return std::optional<std::string>(it->get<std::string>());
}

nlohmann::json UserJson(const auth::UserInfo& u) {
  return {{"name", u.name}, {"role", auth::RoleName(u.role)}, {"created_utc", u.created_utc}, {"disabled", u.disabled}};
}

nlohmann::json TokenJson(const auth::TokenInfo& t) {
  auto opt = [](const std::optional<std::string>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {{"id", t.id},           {"name", t.name},
          {"role", auth::RoleName(t.role)}, {"created_by", t.created_by},
          {"created_utc", t.created_utc}, {"last_used_utc", opt(t.last_used_utc)},
          {"revoked", t.revoked_utc.has_value()}, {"revoked_utc", opt(t.revoked_utc)}};
}

Response NoContent() {
  Response r;
  r.status = http::status::no_content;
  return r;
}

std::string ActorOf(const Request& req) { return req.principal ? req.principal->user : std::string(); }

void AddSessionRoutes(Router& router, AuthRoutesContext ctx) {
  router.Add(http::verb::post, "/api/login", Offload(ctx.pool, [ctx](const Request& req) {
    if (!ctx.gate.enabled()) {
      return Response::Error(core::Status::Conflict("authentication is off (AUTH=off): there is nothing to sign in to"));
    }
    auto body = ParseObject(req);
    if (!body.ok()) return Response::Error(body.status());
    auto user = StringField(*body, "user");
    auto password = StringField(*body, "password");
    if (!user.ok() || !password.ok() || !*user || !*password) {
      return Response::Error(core::Status::InvalidArgument("send {\"user\": ..., \"password\": ...}"));
    }
    auto login = ctx.service.SignIn(**user, **password, req.client_address());
    using Outcome = auth::AuthService::Login::Outcome;
    if (login.outcome == Outcome::kLimited) {
      Response r = Response::Error(http::status::too_many_requests, "rate_limited",
                                   "too many failed sign-ins: try again in " + std::to_string(login.retry_after_s) + " s");
      r.headers.set(http::field::retry_after, std::to_string(login.retry_after_s));
      return r;
    }
    if (login.outcome != Outcome::kOk) {
      return Response::Error(http::status::unauthorized, "unauthenticated", "wrong user name or password");
    }
    Response r = Response::Json({{"user", login.principal.user}, {"role", auth::RoleName(login.principal.role)}});
    auto ttl = std::chrono::duration_cast<std::chrono::seconds>(ctx.service.session_ttl());
    r.headers.set(http::field::set_cookie, ctx.gate.SessionCookie(req, login.session_id, ttl));
    r.headers.set(http::field::cache_control, "no-store");
    return r;
  }));
  router.Add(http::verb::post, "/api/logout", Offload(ctx.pool, [ctx](const Request& req) {
    if (std::string sid = AuthGate::SessionIdOf(req); !sid.empty()) ctx.service.SignOut(sid);
    Response r = NoContent();
    r.headers.set(http::field::set_cookie, ctx.gate.ClearedCookie(req));
    return r;
  }));
  router.AddSync(http::verb::get, "/api/me", [ctx](const Request& req) {
    const Principal p = req.principal.value_or(Principal{"", "admin", "off", ""});
    Response r = Response::Json({{"user", p.user}, {"role", p.role}, {"via", p.via}, {"auth", ctx.gate.enabled()}});
    r.headers.set(http::field::cache_control, "no-store");
    return r;
  });
}

void AddUserRoutes(Router& router, AuthRoutesContext ctx) {
  router.AddSync(http::verb::get, "/api/users", [ctx](const Request&) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& u : ctx.service.ListUsers()) items.push_back(UserJson(u));
    return Response::Json({{"items", items}});
  });
  router.Add(http::verb::post, "/api/users", Offload(ctx.pool, [ctx](const Request& req) {
    auto body = ParseObject(req);
    if (!body.ok()) return Response::Error(body.status());
    auto name = StringField(*body, "name");
    auto role = StringField(*body, "role");
    auto password = StringField(*body, "password");
    for (const auto* f : {&name, &role, &password}) {
      if (!f->ok()) return Response::Error(f->status());
    }
    auto created = ctx.service.CreateUser(name->value_or(""), role->value_or("viewer"), password->value_or(""));
    if (!created.ok()) return Response::Error(created.status());
    Response r = Response::Json(UserJson(*created), http::status::created);
    r.headers.set(http::field::location, "/api/users/" + created->name);
    return r;
  }));
  router.Add(http::verb::patch, "/api/users/{name}", Offload(ctx.pool, [ctx](const Request& req) {
    auto body = ParseObject(req);
    if (!body.ok()) return Response::Error(body.status());
    auth::AuthService::UserChange change;
    auto role = StringField(*body, "role");
    auto password = StringField(*body, "password");
    if (!role.ok()) return Response::Error(role.status());
    if (!password.ok()) return Response::Error(password.status());
    change.role = *role;
    change.password = *password;
    if (auto it = body->find("disabled"); it != body->end()) {
      if (!it->is_boolean()) return Response::Error(core::Status::InvalidArgument("disabled must be true or false").WithField("disabled"));
      change.disabled = it->get<bool>();
    }
    auto updated = ctx.service.UpdateUser(req.params.at("name"), change);
    return updated.ok() ? Response::Json(UserJson(*updated)) : Response::Error(updated.status());
  }));
  router.Add(http::verb::delete_, "/api/users/{name}", Offload(ctx.pool, [ctx](const Request& req) {
    const std::string& name = req.params.at("name");
    if (name == ActorOf(req)) return Response::Error(core::Status::Conflict("you cannot delete yourself"));
    core::Status st = ctx.service.DeleteUser(name);
    return st.ok() ? NoContent() : Response::Error(st);
  }));
}

void AddTokenRoutes(Router& router, AuthRoutesContext ctx) {
  router.AddSync(http::verb::get, "/api/tokens", [ctx](const Request&) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& t : ctx.service.ListTokens()) items.push_back(TokenJson(t));
    return Response::Json({{"items", items}});
  });
  router.Add(http::verb::post, "/api/tokens", Offload(ctx.pool, [ctx](const Request& req) {
    auto body = ParseObject(req);
    if (!body.ok()) return Response::Error(body.status());
    auto name = StringField(*body, "name");
    auto role = StringField(*body, "role");
    if (!name.ok()) return Response::Error(name.status());
    if (!role.ok()) return Response::Error(role.status());
    auto created = ctx.service.CreateToken(name->value_or(""), role->value_or("viewer"), ActorOf(req));
    if (!created.ok()) return Response::Error(created.status());
    nlohmann::json j = TokenJson(created->info);
    j["token"] = created->token;  // the only time it is shown
    Response r = Response::Json(j, http::status::created);
    r.headers.set(http::field::cache_control, "no-store");
    return r;
  }));
  router.Add(http::verb::delete_, "/api/tokens/{id}", Offload(ctx.pool, [ctx](const Request& req) {
    const std::string& text = req.params.at("id");
    int64_t id = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || p != text.data() + text.size()) return Response::Error(core::Status::NotFound("no token " + text));
    core::Status st = ctx.service.RevokeToken(id);
    return st.ok() ? NoContent() : Response::Error(st);
  }));
}

}  // namespace

void AddAuthRoutes(Router& router, AuthRoutesContext ctx) {
  AddSessionRoutes(router, ctx);
  AddUserRoutes(router, ctx);
  AddTokenRoutes(router, ctx);
}

}  // namespace pw::server
