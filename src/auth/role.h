// Role: what a signed-in user or an API token may do. Roles are ordered; each includes the ones
// below it: viewer (watch cameras, read the journal) < operator (save weighings, upload videos) <
// admin (cameras, models, users, tokens, deletes). kPublic is what a route needs when anyone may
// call it (health checks, the login form); no principal ever has it.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pw::auth {

enum class Role { kPublic = 0, kViewer = 1, kOperator = 2, kAdmin = 3 };

// "public", "viewer", "operator", "admin".
std::string_view RoleName(Role role);
// A principal's role from its name; nullopt for anything else (including "public").
std::optional<Role> ParseRole(std::string_view name);
// True when `have` may call a route that needs `need`.
inline bool Allows(Role have, Role need) { return static_cast<int>(have) >= static_cast<int>(need); }

}  // namespace pw::auth
