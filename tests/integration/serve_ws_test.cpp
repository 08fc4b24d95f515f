// WebSocket behaviour of the real server: hello, subscriptions, and dropping clients that stop
// reading without slowing the others.
#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "integration/ws_client.h"
#include "support/test_support.h"

namespace pw::test {
namespace {

using namespace std::chrono_literals;

long MetricValue(const std::string& metrics, const std::string& name) {
  std::smatch m;
  std::regex re("\n" + name + " ([0-9]+)");
  return std::regex_search(metrics, m, re) ? std::stol(m[1]) : -1;
}

TEST(ServeWebSocket, GreetsAndDeliversSubscribedTopics) {
  ServerProcess server;
  WsClient ws(server.port());
  EXPECT_EQ(ws.Read()["type"], "hello");
  ws.Send({{"op", "subscribe"}, {"topics", {"server"}}});
  EXPECT_EQ(ws.ReadType("subscribed")["topics"][0], "server");
  auto state = ws.ReadType("server");  // published every 2 s
  EXPECT_GE(state["data"]["ws_clients"].get<int>(), 1);
  ws.Send({{"op", "ping"}});
  EXPECT_EQ(ws.ReadType("pong")["type"], "pong");
  ws.Send({{"nonsense", true}});
  EXPECT_EQ(ws.ReadType("error")["type"], "error");
}

TEST(ServeWebSocket, DropsAClientThatStopsReadingAndKeepsServingOthers) {
  ServerProcess::Options o;
  o.env = {{"DEBUG_ROUTES", "1"}, {"WS_QUEUE_LIMIT", "64"}};
  ServerProcess server(o);

  WsClient stalled(server.port());
  stalled.Read();
  stalled.Send({{"op", "subscribe"}, {"topics", {"debug"}}});
  // From here on `stalled` never reads again.

  WsClient reader(server.port());
  reader.Read();
  reader.Send({{"op", "subscribe"}, {"topics", {"debug"}}});
  reader.ReadType("subscribed");

  // 1500 events of 20 KB, one every 2 ms (30 MB in 3 s): far more than the stalled client's socket
  // buffers and 64-message queue hold, while the reading client may pause for over half a second
  // (a busy CI machine) without falling behind that far.
  const int count = 1500;
  CommandResult flood = Curl({"-X", "POST", server.Url("/debug/ws_flood?count=" + std::to_string(count) +
                                                     "&bytes=20000&interval_us=2000")});
  ASSERT_EQ(flood.exit_code, 0);
  int last_seq = -1;
  while (last_seq < count - 1) {
    auto j = reader.ReadType("debug");
    ASSERT_EQ(j["seq"].get<int>(), last_seq + 1) << "the reading client must get every event in order";
    last_seq = j["seq"];
  }
  std::string metrics = Curl({server.Url("/metrics")}).out;
  EXPECT_EQ(MetricValue(metrics, "pigweight_ws_dropped_total"), 1) << metrics;
  EXPECT_EQ(MetricValue(metrics, "pigweight_ws_clients"), 1);
}

}  // namespace
}  // namespace pw::test
