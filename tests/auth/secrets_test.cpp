#include <gtest/gtest.h>

#include "auth/secrets.h"

namespace pw::auth {
namespace {

TEST(Secrets, PasswordHashIsSaltedArgon2idAndVerifies) {
  auto a = HashPassword("correct horse battery", HashCost::Minimal());
  auto b = HashPassword("correct horse battery", HashCost::Minimal());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->rfind("$argon2id$", 0), 0u) << *a;
  EXPECT_NE(*a, *b) << "the same password must hash differently (salt)";
  EXPECT_TRUE(VerifyPassword("correct horse battery", *a));
  EXPECT_FALSE(VerifyPassword("correct horse batterY", *a));
  EXPECT_FALSE(VerifyPassword("correct horse battery", "not a hash"));
  EXPECT_FALSE(VerifyPassword("correct horse battery", ""));
}

TEST(Secrets, DefaultCostIsLibsodiumInteractive) {
  auto h = HashPassword("0123456789", HashCost::Interactive());
  ASSERT_TRUE(h.ok());
  EXPECT_NE(h->find("m=65536"), std::string::npos) << *h;  // 64 MiB
}

TEST(Secrets, RejectsPasswordsShorterThanTenCharacters) {
  auto h = HashPassword("123456789", HashCost::Minimal());
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), core::Code::kInvalidArgument);
  EXPECT_EQ(h.status().field(), "password");
  EXPECT_NE(h.status().message().find("at least 10"), std::string::npos);
  EXPECT_TRUE(CheckPasswordRules("1234567890").ok());
  EXPECT_FALSE(CheckPasswordRules(std::string(kMaxPasswordLength + 1, 'x')).ok());
}

TEST(Secrets, RandomIdsAre256BitsAndDistinct) {
  std::string a = RandomHex(), b = RandomHex();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_GE(RandomPassword().size(), 20u);
}

TEST(Secrets, DigestIsStableOneWayAndComparedInConstantTime) {
  std::string id = RandomHex();
  EXPECT_EQ(DigestSecret(id), DigestSecret(id));
  EXPECT_NE(DigestSecret(id), id);
  EXPECT_EQ(DigestSecret(id).size(), 64u);
  EXPECT_TRUE(SecretsEqual("abc", "abc"));
  EXPECT_FALSE(SecretsEqual("abc", "abd"));
  EXPECT_FALSE(SecretsEqual("abc", "abcd"));
}

}  // namespace
}  // namespace pw::auth
