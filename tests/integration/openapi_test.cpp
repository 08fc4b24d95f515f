// The OpenAPI document (docs/openapi.json, served at /api/openapi.json) against the real router
// (/debug/routes): every registered route is documented and every documented route exists.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <string>

#include "support/test_support.h"

namespace pw::test {
namespace {

using nlohmann::json;

// "{path...}" (the router's rest parameter) -> "{path}" (OpenAPI has one parameter syntax).
std::string NormalizePattern(std::string pattern) {
  for (std::size_t at = pattern.find("...}"); at != std::string::npos; at = pattern.find("...}", at)) {
    pattern.erase(at, 3);
  }
  return pattern;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Listing(const std::set<std::string>& routes) {
  std::string out;
  for (const auto& r : routes) out += "  " + r + "\n";
  return out;
}

// Every "$ref" in `node` that does not name something under #/components.
void CollectBrokenRefs(const json& doc, const json& node, std::set<std::string>* broken) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "$ref" && value.is_string()) {
        std::string ref = value.get<std::string>();
        if (ref.rfind("#/", 0) != 0 || !doc.contains(json::json_pointer(ref.substr(1)))) broken->insert(ref);
      } else {
        CollectBrokenRefs(doc, value, broken);
      }
    }
  } else if (node.is_array()) {
    for (const auto& item : node) CollectBrokenRefs(doc, item, broken);
  }
}

class OpenApi : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    ServerProcess::Options o;
    // Every route registered: the debug ones too; no sign-in needed to read the lists.
    o.env = {{"DEBUG_ROUTES", "1"}, {"AUTH", "off"}};
    server_ = new ServerProcess(o);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static json GetJson(const std::string& path) {
    auto r = Fetch(server_->Url(path));
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }
  static ServerProcess* server_;
};
ServerProcess* OpenApi::server_ = nullptr;

TEST_F(OpenApi, EveryRegisteredRouteIsDocumentedAndEveryDocumentedRouteExists) {
  json routes = GetJson("/debug/routes");
  ASSERT_TRUE(routes.is_object() && routes["routes"].is_array()) << routes.dump();
  std::set<std::string> registered;
  for (const auto& r : routes["routes"]) {
    std::string line = r.get<std::string>();
    auto space = line.find(' ');
    ASSERT_NE(space, std::string::npos) << line;
    registered.insert(line.substr(0, space) + " " + NormalizePattern(line.substr(space + 1)));
  }
  ASSERT_GT(registered.size(), 20u);

  json doc = GetJson("/api/openapi.json");
  ASSERT_TRUE(doc.is_object() && doc["paths"].is_object()) << "the served document is not an OpenAPI object";
  std::set<std::string> documented;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters" || method == "summary" || method == "description" || method == "servers") continue;
      documented.insert(Upper(method) + " " + path);
    }
  }

  std::set<std::string> undocumented, missing;
  for (const auto& r : registered) {
    if (!documented.count(r)) undocumented.insert(r);
  }
  for (const auto& d : documented) {
    if (!registered.count(d)) missing.insert(d);
  }
  EXPECT_TRUE(undocumented.empty()) << "routes the server registers but docs/openapi.json does not document:\n"
                                    << Listing(undocumented);
  EXPECT_TRUE(missing.empty()) << "routes docs/openapi.json documents but the server does not register:\n"
                               << Listing(missing);
}

TEST_F(OpenApi, ServesTheDocumentFromDocsWithEveryReferenceResolvedAndEveryOperationAnswered) {
  auto r = Fetch(server_->Url("/api/openapi.json"));
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.Header("Content-Type").find("application/json"), std::string::npos);
  json served = json::parse(r.body, nullptr, false);
  ASSERT_FALSE(served.is_discarded()) << "the served document is not valid JSON";
  json source = json::parse(ReadFile(std::filesystem::path(PW_TEST_SOURCE_DIR) / "docs" / "openapi.json"), nullptr, false);
  EXPECT_EQ(served, source) << "the binary embeds an old docs/openapi.json: rebuild";
  EXPECT_EQ(served["openapi"].get<std::string>().substr(0, 2), "3.");

  std::set<std::string> broken;
  CollectBrokenRefs(served, served, &broken);
  EXPECT_TRUE(broken.empty()) << "unresolved $ref:\n" << Listing(broken);

  std::set<std::string> unanswered;
  for (const auto& [path, item] : served["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      if (!operation.is_object() || !operation.contains("responses") || operation["responses"].empty()) {
        unanswered.insert(Upper(method) + " " + path);
      }
    }
  }
  EXPECT_TRUE(unanswered.empty()) << "operations without responses:\n" << Listing(unanswered);
}

}  // namespace
}  // namespace pw::test
