// The route policy: the one table that says which role each HTTP route needs. Handlers never check
// roles themselves; the server's gate looks the matched route up here before the handler runs.
//
// Keys are the strings Router::Describe() gives ("GET /api/videos/{id}"), plus "GET /ws" for the
// WebSocket upgrade. A route missing from the table needs admin (fail closed); a test lists the
// routes of the fully wired server that are missing, so a new route is classified on purpose.
//
// Thread-safety: read-only data.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "auth/role.h"

namespace pw::auth {

struct RoutePolicy {
  std::string_view route;  // "METHOD /pattern"
  Role role;
};

const std::vector<RoutePolicy>& PolicyTable();
// The role `route` needs; admin when the table does not name it.
Role RequiredRole(std::string_view route);
bool InPolicyTable(std::string_view route);

}  // namespace pw::auth
