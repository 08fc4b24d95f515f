// The scale indicator end to end: `pigweight scale-sim` streaming indicator lines over TCP, the
// real server reading them (SCALE_URL), curl and a WebSocket client as the operator's screen.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

#include "integration/ws_client.h"
#include "support/test_support.h"

namespace pw::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string StartSimulator(BackgroundProcess& sim) {
  return sim.WaitForOutput(R"re("url":"(tcp://127\.0\.0\.1:\d+)")re");
}

// Polls GET /api/scale until `done(status)` (the route's whole answer, with a reading) or 20 s.
json WaitForReading(const ServerProcess& server, const std::function<bool(const json&)>& done) {
  json last;
  for (auto deadline = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < deadline;) {
    auto r = Fetch(server.Url("/api/scale"));
    EXPECT_EQ(r.status, 200) << r.body;
    last = json::parse(r.body, nullptr, false);
    if (last.is_object() && last["reading"].is_object() && done(last)) return last;
    std::this_thread::sleep_for(50ms);
  }
  ADD_FAILURE() << "no matching reading; last: " << last.dump();
  return last;
}

TEST(Scale, ServerReadsTheStableWeightFromTheIndicatorAndPushesIt) {
  BackgroundProcess sim({PigweightBinary(), "scale-sim", "--port", "0", "--target-kg", "1234.5", "--unit", "lb",
                         "--empty-s", "0", "--ramp-s", "0.2", "--unsettled-s", "0.3", "--hold-s", "600",
                         "--garbage-every", "7", "--rate", "20"});
  std::string url = StartSimulator(sim);
  ServerProcess::Options o;
  o.env = {{"SCALE_URL", url}};
  ServerProcess server(o);

  json status = WaitForReading(server, [](const json& s) {
    return s["reading"]["stable"] == true && s["garbage_lines"].get<int>() > 0;
  });
  EXPECT_EQ(status["state"], "streaming");
  const json& reading = status["reading"];
  EXPECT_EQ(reading["unit_raw"], "lb");
  // The indicator shows pounds; the server converts them to kilograms.
  EXPECT_NEAR(reading["value_raw"].get<double>(), 1234.5 / 0.45359237, 0.1);
  EXPECT_NEAR(reading["kg"].get<double>(), 1234.5, 0.1);
  EXPECT_EQ(status["reconnects"], 0);  // garbage lines are counted, not a reason to reconnect

  WsClient ws(server.port());
  ws.Send({{"op", "subscribe"}, {"topics", {"scale"}}});
  json pushed = ws.ReadType("scale");
  EXPECT_NEAR(pushed["kg"].get<double>(), reading["kg"].get<double>(), 1.0);
}

TEST(Scale, ReconnectsWhenTheIndicatorComesBack) {
  auto sim = std::make_unique<BackgroundProcess>(std::vector<std::string>{
      PigweightBinary(), "scale-sim", "--port", "0", "--target-kg", "800", "--empty-s", "0", "--ramp-s", "0",
      "--unsettled-s", "0", "--hold-s", "600", "--rate", "20"});
  std::string url = StartSimulator(*sim);
  std::string port = url.substr(url.rfind(':') + 1);
  ServerProcess::Options o;
  o.env = {{"SCALE_URL", url}, {"SCALE_STALL_SECONDS", "1"}};
  ServerProcess server(o);
  WaitForReading(server, [](const json& s) { return s["reading"]["kg"].get<double>() > 799; });

  sim->Stop(SIGKILL);
  sim = std::make_unique<BackgroundProcess>(std::vector<std::string>{
      PigweightBinary(), "scale-sim", "--port", port, "--target-kg", "950", "--empty-s", "0", "--ramp-s", "0",
      "--unsettled-s", "0", "--hold-s", "600", "--rate", "20"});
  StartSimulator(*sim);
  json back = WaitForReading(server, [](const json& s) { return s["reading"]["kg"].get<double>() > 949; });
  EXPECT_EQ(back["state"], "streaming");
  EXPECT_GE(back["reconnects"].get<int>(), 1);
}

TEST(Scale, WithoutAScaleTheRouteSaysHowToConfigureOne) {
  ServerProcess server;
  auto r = Fetch(server.Url("/api/scale"));
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("SCALE_URL"), std::string::npos);
}

TEST(Scale, ABadScaleSettingStopsStartUpNamingIt) {
  TempDir dir;
  auto r = RunCommand({PigweightBinary(), "serve", "--port", "0", "--data-dir", (dir / "d").string()},
                      {{"SCALE_URL", "http://scale"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("SCALE_URL=http://scale"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pw::test
