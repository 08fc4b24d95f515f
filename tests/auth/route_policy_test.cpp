#include <gtest/gtest.h>

#include <set>

#include "auth/route_policy.h"

namespace pw::auth {
namespace {

TEST(RoutePolicy, UnknownRoutesNeedAdmin) {
  EXPECT_EQ(RequiredRole("POST /api/something/new"), Role::kAdmin);
  EXPECT_FALSE(InPolicyTable("POST /api/something/new"));
}

TEST(RoutePolicy, ProbesAndLoginArePublicAndEverythingElseNeedsARole) {
  for (const char* r : {"GET /healthz", "GET /readyz", "GET /api/version", "POST /api/login"}) {
    EXPECT_EQ(RequiredRole(r), Role::kPublic) << r;
  }
  EXPECT_EQ(RequiredRole("GET /api/weighings"), Role::kViewer);
  EXPECT_EQ(RequiredRole("GET /ws"), Role::kViewer);
  EXPECT_EQ(RequiredRole("POST /api/weighings"), Role::kOperator);
  EXPECT_EQ(RequiredRole("POST /api/uploads"), Role::kOperator);
  EXPECT_EQ(RequiredRole("DELETE /api/weighings/{id}"), Role::kAdmin);
  EXPECT_EQ(RequiredRole("POST /api/cameras"), Role::kAdmin);
  EXPECT_EQ(RequiredRole("POST /api/users"), Role::kAdmin);
}

TEST(RoutePolicy, EntriesAreWellFormedAndUnique) {
  std::set<std::string_view> seen;
  for (const auto& p : PolicyTable()) {
    EXPECT_TRUE(seen.insert(p.route).second) << "listed twice: " << p.route;
    auto space = p.route.find(' ');
    ASSERT_NE(space, std::string_view::npos) << p.route;
    std::string_view method = p.route.substr(0, space);
    EXPECT_TRUE(method == "GET" || method == "POST" || method == "PATCH" || method == "PUT" || method == "DELETE")
        << p.route;
    EXPECT_EQ(p.route[space + 1], '/') << p.route;
  }
}

TEST(RoutePolicy, NoDeleteIsBelowAdminExceptCancellingOnesOwnWork) {
  // Deletes are admin's; the two exceptions end something the caller started (an upload, a live view).
  for (const auto& p : PolicyTable()) {
    if (p.route.rfind("DELETE ", 0) != 0 || p.role == Role::kAdmin) continue;
    EXPECT_TRUE(p.route == "DELETE /api/uploads/{id}" || p.route == "DELETE /api/cameras/{id}/whep/{session}")
        << p.route;
  }
}

TEST(RoutePolicy, RolesAreOrdered) {
  EXPECT_TRUE(Allows(Role::kAdmin, Role::kOperator));
  EXPECT_TRUE(Allows(Role::kOperator, Role::kViewer));
  EXPECT_FALSE(Allows(Role::kViewer, Role::kOperator));
  EXPECT_EQ(ParseRole("admin"), Role::kAdmin);
  EXPECT_FALSE(ParseRole("public").has_value());
  EXPECT_FALSE(ParseRole("root").has_value());
}

}  // namespace
}  // namespace pw::auth
