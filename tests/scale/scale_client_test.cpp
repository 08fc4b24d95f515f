// ScaleClient against the real ScaleSimulator over TCP on 127.0.0.1.
#include "scale/scale_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <regex>

#include "core/unique_fd.h"
#include "scale/simulator.h"
#include "scale_test_util.h"

namespace pw::scale {
namespace {

using test::QuickClient;
using test::QuickSim;
using test::WaitFor;

std::uint64_t SeqOf(const ScaleClient& c) {
  auto r = c.Latest();
  return r ? r->seq : 0;
}

bool StableAt(const ScaleClient& c, double kg, double tolerance = 1e-9) {
  auto r = c.Latest();
  return r && r->stable && std::abs(r->kg - kg) <= tolerance;
}

TEST(ScaleClient, ReadsTheStableTargetWeight) {
  ScaleSimulator sim(QuickSim(1234.5));
  ASSERT_TRUE(sim.Start().ok());
  std::atomic<int> callbacks{0};
  ScaleClient client(QuickClient(sim.url()), [&](const ScaleReading&) { ++callbacks; });
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return StableAt(client, 1234.5); })) << client.ToJson().dump();
  auto r = *client.Latest();
  EXPECT_TRUE(r.has_indicator_flag);
  EXPECT_TRUE(r.indicator_stable);
  EXPECT_EQ(r.unit_raw, "kg");
  EXPECT_FALSE(r.net);
  EXPECT_GT(callbacks.load(), 0);
  ScaleStats s = client.Stats();
  EXPECT_EQ(s.state, ScaleState::kStreaming);
  EXPECT_EQ(s.connects, 1u);
  EXPECT_EQ(s.garbage_lines, 0u);
  nlohmann::json j = client.ToJson();
  EXPECT_EQ(j["state"], "streaming");
  EXPECT_EQ(j["latest"]["kg"], 1234.5);
  EXPECT_EQ(j["endpoint"], sim.url());
  EXPECT_TRUE(std::regex_match(j["latest"]["time"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)")))
      << j["latest"]["time"];
  client.Stop();
  EXPECT_EQ(client.Stats().state, ScaleState::kStopped);
}

TEST(ScaleClient, ConvertsPoundsAndFollowsAUnitChange) {
  SimulatorOptions o = QuickSim(1000);
  o.unit = "lb";
  ScaleSimulator sim(o);
  ASSERT_TRUE(sim.Start().ok());
  ScaleClient client(QuickClient(sim.url()));
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return StableAt(client, 1000, 0.05); })) << client.ToJson().dump();
  EXPECT_EQ(client.Latest()->unit_raw, "lb");
  EXPECT_NEAR(client.Latest()->value_raw, 2204.6, 0.05);
  sim.SetUnit("kg");
  ASSERT_TRUE(WaitFor([&] { auto r = client.Latest(); return r && r->unit_raw == "kg"; })) << client.ToJson().dump();
  EXPECT_DOUBLE_EQ(client.Latest()->kg, 1000.0);
  EXPECT_EQ(client.Stats().garbage_lines, 0u);
}

TEST(ScaleClient, CountsGarbageLinesAndKeepsStreaming) {
  SimulatorOptions o = QuickSim(800);
  o.garbage_every = 3;
  ScaleSimulator sim(o);
  ASSERT_TRUE(sim.Start().ok());
  ScaleClient client(QuickClient(sim.url()));
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return client.Stats().garbage_lines >= 8 && client.Stats().overlong_lines >= 1; }))
      << client.ToJson().dump();
  std::uint64_t seq = SeqOf(client);
  ASSERT_TRUE(WaitFor([&] { return SeqOf(client) > seq + 5 && StableAt(client, 800); })) << client.ToJson().dump();
  ScaleStats s = client.Stats();
  EXPECT_EQ(s.connects, 1u);  // garbage is not a reason to reconnect
  EXPECT_FALSE(s.last_error.empty());
  EXPECT_GE(s.lines, s.garbage_lines + 5);
}

TEST(ScaleClient, ReconnectsAfterTheIndicatorDropsTheConnection) {
  ScaleSimulator sim(QuickSim());
  ASSERT_TRUE(sim.Start().ok());
  ScaleClient client(QuickClient(sim.url()));
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return SeqOf(client) > 0; }));
  sim.DropConnections();
  ASSERT_TRUE(WaitFor([&] { return client.Stats().reconnects >= 1; })) << client.ToJson().dump();
  std::uint64_t seq = SeqOf(client);
  ASSERT_TRUE(WaitFor([&] { return SeqOf(client) > seq + 3; })) << client.ToJson().dump();
  EXPECT_GE(sim.connections_accepted(), 2u);
  EXPECT_NE(client.Stats().last_error.find("closed the connection"), std::string::npos) << client.Stats().last_error;
}

TEST(ScaleClient, SimulatorDropEveryOptionMakesTheClientReconnectRepeatedly) {
  SimulatorOptions o = QuickSim();
  o.drop_every_s = 0.3;
  ScaleSimulator sim(o);
  ASSERT_TRUE(sim.Start().ok());
  ScaleClient client(QuickClient(sim.url()));
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return client.Stats().reconnects >= 2 && client.Latest(); })) << client.ToJson().dump();
}

TEST(ScaleClient, ConnectsWhenTheIndicatorAppearsAfterStart) {
  int port = 0;
  {
    ScaleSimulator probe(QuickSim());
    ASSERT_TRUE(probe.Start().ok());
    port = probe.port();
  }
  ScaleClient client(QuickClient("tcp://127.0.0.1:" + std::to_string(port)));
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return !client.Stats().last_error.empty(); }));
  EXPECT_FALSE(client.Latest().has_value());
  EXPECT_EQ(client.Stats().connects, 0u);
  SimulatorOptions o = QuickSim(600);
  o.port = port;
  ScaleSimulator sim(o);
  ASSERT_TRUE(sim.Start().ok()) << "port " << port << " was taken meanwhile";
  ASSERT_TRUE(WaitFor([&] { return StableAt(client, 600); })) << client.ToJson().dump();
  EXPECT_EQ(client.Stats().connects, 1u);
}

TEST(ScaleClient, SilentOpenSocketBecomesStalledThenReconnects) {
  ScaleSimulator sim(QuickSim());
  ASSERT_TRUE(sim.Start().ok());
  ScaleClient client(QuickClient(sim.url()));
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return SeqOf(client) > 0; }));
  sim.SetPaused(true);  // connection stays open, no bytes: a hung indicator
  ASSERT_TRUE(WaitFor([&] { return client.Stats().stalls >= 1 && client.Stats().reconnects >= 1; })) << client.ToJson().dump();
  EXPECT_NE(client.Stats().last_error.find("no valid weight line"), std::string::npos) << client.Stats().last_error;
  sim.SetPaused(false);
  std::uint64_t seq = SeqOf(client);
  ASSERT_TRUE(WaitFor([&] { return SeqOf(client) > seq + 3; })) << client.ToJson().dump();
}

TEST(ScaleClient, OwnDetectorDecidesStabilityWhenTheFormatHasNoFlag) {
  ScaleSimulator sim(QuickSim(700));
  ASSERT_TRUE(sim.Start().ok());
  ScaleOptions o = QuickClient(sim.url());
  o.format = R"(regex:(?:ST|US),GS,(?<value>[-+0-9.]+)(?<unit>kg))";
  ScaleClient client(o);
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return StableAt(client, 700); })) << client.ToJson().dump();
  EXPECT_FALSE(client.Latest()->has_indicator_flag);
  EXPECT_TRUE(client.ToJson()["latest"]["indicator_stable"].is_null());
}

TEST(ScaleClient, StopReturnsPromptlyDuringBackoffAndConnect) {
  ScaleOptions o = QuickClient("tcp://127.0.0.1:1");  // nothing listens on port 1
  o.backoff_min = o.backoff_max = std::chrono::milliseconds(30000);
  ScaleClient backing_off(o);
  ASSERT_TRUE(backing_off.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return backing_off.Stats().state == ScaleState::kBackoff; }));
  auto t0 = std::chrono::steady_clock::now();
  backing_off.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));

  // A listener with a full accept queue (backlog 0, one connection parked, never accepted): the
  // kernel drops further SYNs, so the client's connect() hangs until its timeout or Stop().
  core::UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener.get(), 0), 0);
  ASSERT_EQ(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len), 0);
  core::UniqueFd parked(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_EQ(::connect(parked.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ScaleOptions c = QuickClient("tcp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));
  c.connect_timeout = std::chrono::milliseconds(30000);
  ScaleClient connecting(c);
  ASSERT_TRUE(connecting.Start().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it reach connect (not an assertion)
  EXPECT_EQ(connecting.Stats().state, ScaleState::kConnecting);
  EXPECT_EQ(connecting.Stats().connects, 0u);
  t0 = std::chrono::steady_clock::now();
  connecting.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
}

TEST(ScaleClient, StartRejectsBadUrlFormatAndTimings) {
  EXPECT_EQ(ScaleClient(QuickClient("http://scale")).Start().code(), core::Code::kInvalidArgument);
  EXPECT_EQ(ScaleClient(QuickClient("tcp://127.0.0.1")).Start().code(), core::Code::kInvalidArgument);
  EXPECT_EQ(ScaleClient(QuickClient("tcp://127.0.0.1:70000")).Start().code(), core::Code::kInvalidArgument);
  EXPECT_EQ(ScaleClient(QuickClient("serial://ttyUSB0")).Start().code(), core::Code::kInvalidArgument);
  EXPECT_EQ(ScaleClient(QuickClient("serial:///dev/ttyUSB0?baud=1234")).Start().code(), core::Code::kInvalidArgument);
  ScaleOptions bad_format = QuickClient("tcp://127.0.0.1:9100");
  bad_format.format = "regex:([0-9]+)";
  EXPECT_EQ(ScaleClient(bad_format).Start().code(), core::Code::kInvalidArgument);
  ScaleOptions bad_stall = QuickClient("tcp://127.0.0.1:9100");
  bad_stall.stall_seconds = 0;
  EXPECT_EQ(ScaleClient(bad_stall).Start().code(), core::Code::kInvalidArgument);
  EXPECT_NE(ValidateScaleOptions(bad_stall).message().find("stall"), std::string::npos);
  EXPECT_TRUE(ValidateScaleOptions(QuickClient("tcp://127.0.0.1:9100")).ok());
}

TEST(ScaleEndpoint, ParsesTcpAndSerialUrls) {
  auto tcp = ParseScaleUrl("tcp://192.168.1.50:4001");
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->host, "192.168.1.50");
  EXPECT_EQ(tcp->port, 4001);
  auto v6 = ParseScaleUrl("tcp://[::1]:4001");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->ToString(), "tcp://[::1]:4001");
  auto serial = ParseScaleUrl("serial:///dev/ttyUSB0?baud=19200");
  ASSERT_TRUE(serial.ok());
  EXPECT_EQ(serial->device, "/dev/ttyUSB0");
  EXPECT_EQ(serial->baud, 19200);
  EXPECT_EQ(ParseScaleUrl("serial:///dev/ttyS0")->baud, 9600);
}

}  // namespace
}  // namespace pw::scale
