#include "auth/role.h"

namespace pw::auth {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kPublic: return "public";
    case Role::kViewer: return "viewer";
    case Role::kOperator: return "operator";
    case Role::kAdmin: return "admin";
  }
  return "admin";
}

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "viewer") return Role::kViewer;
  if (name == "operator") return Role::kOperator;
  if (name == "admin") return Role::kAdmin;
  return std::nullopt;
}

}  // namespace pw::auth
