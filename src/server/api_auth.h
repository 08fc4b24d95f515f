// Authentication routes: POST /api/login, POST /api/logout, GET /api/me; for admins GET/POST
// /api/users, PATCH/DELETE /api/users/{name}, GET/POST /api/tokens, DELETE /api/tokens/{id}.
// Who may call each is in auth/route_policy.cpp; handlers only read req.principal.
#pragma once

#include "auth/auth_service.h"
#include "core/thread_pool.h"
#include "server/auth_gate.h"
#include "server/router.h"

namespace pw::server {

struct AuthRoutesContext {
  auth::AuthService& service;
  AuthGate& gate;
  core::ThreadPool& pool;  // password hashing (slow on purpose) and writes run here
};

void AddAuthRoutes(Router& router, AuthRoutesContext ctx);

}  // namespace pw::server
