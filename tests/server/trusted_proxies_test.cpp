// TrustedProxies: parsing TRUSTED_PROXIES, matching addresses and networks, and picking the client
// out of X-Forwarded-For only for requests that come from a trusted proxy.
#include "server/trusted_proxies.h"

#include <gtest/gtest.h>

namespace pw::server {
namespace {

TrustedProxies Parse(std::string_view text) {
  auto p = TrustedProxies::Parse(text);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : TrustedProxies();
}

TEST(TrustedProxies, ParsesAddressesAndNetworksAndNamesABadEntry) {
  EXPECT_TRUE(Parse("").empty());
  EXPECT_TRUE(Parse("  ").empty());
  EXPECT_FALSE(Parse("127.0.0.1, 10.0.0.0/8 ,::1,fd00::/8").empty());
  auto bad = TrustedProxies::Parse("127.0.0.1,proxy.farm");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("proxy.farm"), std::string::npos);
  EXPECT_FALSE(TrustedProxies::Parse("10.0.0.0/33").ok());
  EXPECT_FALSE(TrustedProxies::Parse("10.0.0.0/x").ok());
  EXPECT_FALSE(TrustedProxies::Parse("::1/129").ok());
}

TEST(TrustedProxies, MatchesNetworksBitByBitAndMappedAddresses) {
  TrustedProxies p = Parse("10.1.0.0/16,192.168.5.7,fd00::/8,172.16.0.0/12");
  EXPECT_TRUE(p.Contains("10.1.200.3"));
  EXPECT_FALSE(p.Contains("10.2.0.1"));
  EXPECT_TRUE(p.Contains("192.168.5.7"));
  EXPECT_FALSE(p.Contains("192.168.5.8"));
  EXPECT_TRUE(p.Contains("172.31.255.255"));  // /12: 172.16.0.0 – 172.31.255.255
  EXPECT_FALSE(p.Contains("172.32.0.0"));
  EXPECT_TRUE(p.Contains("fd12:3456::1"));
  EXPECT_FALSE(p.Contains("fe80::1"));
  EXPECT_TRUE(p.Contains("::ffff:10.1.0.9"));  // an IPv4 peer on a dual-stack socket
  EXPECT_FALSE(p.Contains("garbage"));
}

TEST(TrustedProxies, TakesTheRightmostUntrustedHopOnlyFromATrustedPeer) {
  TrustedProxies p = Parse("127.0.0.1,10.0.0.0/8");
  EXPECT_EQ(p.ClientOf("127.0.0.1", "203.0.113.9"), "203.0.113.9");
  // A client-supplied (forged) first hop is skipped: the proxy appended the real one last.
  EXPECT_EQ(p.ClientOf("127.0.0.1", "1.2.3.4, 203.0.113.9"), "203.0.113.9");
  // Two proxies in a row: the hop our inner proxy appended is the outer proxy, which is trusted.
  EXPECT_EQ(p.ClientOf("127.0.0.1", "198.51.100.7, 10.0.0.2"), "198.51.100.7");
  EXPECT_EQ(p.ClientOf("127.0.0.1", " [2001:db8::5] "), "2001:db8::5");
  // Not from a trusted proxy: the header is ignored.
  EXPECT_EQ(p.ClientOf("192.0.2.1", "203.0.113.9"), "192.0.2.1");
  // Nothing usable: the peer.
  EXPECT_EQ(p.ClientOf("127.0.0.1", ""), "127.0.0.1");
  EXPECT_EQ(p.ClientOf("127.0.0.1", "unknown"), "127.0.0.1");
  EXPECT_EQ(p.ClientOf("127.0.0.1", "10.0.0.3"), "127.0.0.1");  // only proxies
  EXPECT_EQ(TrustedProxies().ClientOf("127.0.0.1", "203.0.113.9"), "127.0.0.1");
}

}  // namespace
}  // namespace pw::server
