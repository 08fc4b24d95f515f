// The background index through the real server: progress on the WebSocket, count_at_time from the
// index, the timeline series and moments, kill -9 in the middle, the best frame for the journal.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <thread>

#include "integration/ws_client.h"
#include "support/test_support.h"

namespace pw::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

json Get(const ServerProcess& s, const std::string& path, int expect = 200) {
  auto r = Fetch(s.Url(path));
  EXPECT_EQ(r.status, expect) << path << ": " << r.body;
  auto j = json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.body;
  return j;
}

json Post(const ServerProcess& s, const std::string& path, const json& body, int expect) {
  auto r = Fetch(s.Url(path), {"-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body.dump()});
  EXPECT_EQ(r.status, expect) << path << ": " << r.body;
  return json::parse(r.body, nullptr, false);
}

class Index : public testing::Test {
 protected:
  // 20 s, 8 animals that walk in, settle (a stable span around 10–13 s) and leave.
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    auto r = RunCommand({PigweightBinary(), "gen-scene", "--seed", "11", "--count", "8", "--width", "320",
                         "--height", "192", "--images", "0", "--video", "20", "--fps", "10", "--gop", "25", "--out",
                         (dir_->path() / "pen").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }

  ServerProcess::Options Options(std::map<std::string, std::string> extra = {}) {
    ServerProcess::Options o;
    o.data_dir = data_.path();
    o.env = {{"AUTO_INDEX", "1"}, {"INDEX_CHUNK_SECONDS", "2"}, {"INDEX_JOBS", "1"}};
    for (auto& [k, v] : extra) o.env[k] = v;
    return o;
  }
  std::string Register(const ServerProcess& s) {
    json j = Post(s, "/api/videos", {{"path", (dir_->path() / "pen" / "video.mp4").string()}}, 201);
    return j["videos"].empty() ? "" : j["videos"][0]["id"].get<std::string>();
  }
  json WaitForIndex(const ServerProcess& s, const std::string& id, const std::function<bool(const json&)>& done) {
    json j;
    for (auto deadline = std::chrono::steady_clock::now() + 180s; std::chrono::steady_clock::now() < deadline;) {
      j = Get(s, "/api/videos/" + id + "/index");
      if (done(j) || j["state"] == "failed") return j;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << j.dump();
    return j;
  }

  static TempDir* dir_;
  TempDir data_;
};
TempDir* Index::dir_ = nullptr;

TEST_F(Index, ProgressIsPushedAndCountsComeFromTheIndex) {
  ServerProcess server(Options());
  WsClient ws(server.port());
  std::string id = Register(server);
  ws.Send({{"op", "subscribe"}, {"topics", {"video:" + id}}});
  json progress;
  do {
    progress = ws.ReadType("index_progress");
  } while (progress["state"] != "done" && progress["state"] != "failed");
  EXPECT_EQ(progress["state"], "done");
  EXPECT_EQ(progress["samples_total"], 100);
  EXPECT_DOUBLE_EQ(progress["percent"].get<double>(), 100.0);

  json c = Get(server, "/api/video_file/count_at_time?id=" + id + "&t=11.63");
  EXPECT_EQ(c["from_index"], true);
  EXPECT_NEAR(c["t_frame"].get<double>(), 11.6, 1e-6);  // the nearest indexed frame (5 per second)
  EXPECT_TRUE(c["confidence"].is_number());
  EXPECT_TRUE(c["stable"].is_boolean());
  EXPECT_EQ(c["frame_size"], json::array({320, 192}));

  // Paused between two samples: exact=1 gives the instances of the very frame on screen, with
  // the consensus of the index around it.
  json between = Get(server, "/api/video_file/count_at_time?id=" + id + "&t=11.72");
  EXPECT_NEAR(between["t_frame"].get<double>(), 11.8, 1e-6);  // nearest sample, another frame
  json exact = Get(server, "/api/video_file/count_at_time?id=" + id + "&t=11.72&exact=1");
  EXPECT_NEAR(exact["t_frame"].get<double>(), 11.7, 1e-6);
  EXPECT_EQ(exact["from_index"], false);
  EXPECT_TRUE(exact["confidence"].is_number());
  int counted = 0;
  for (const auto& inst : exact["instances"]) counted += inst["counted"].get<bool>() ? 1 : 0;
  EXPECT_EQ(exact["raw_count"], counted);
  json on_sample = Get(server, "/api/video_file/count_at_time?id=" + id + "&t=11.65&exact=1");
  EXPECT_EQ(on_sample["from_index"], true);  // 11.6 is both the sample and the frame on screen
  EXPECT_NEAR(on_sample["t_frame"].get<double>(), 11.6, 1e-6);

  json series = Get(server, "/api/videos/" + id + "/counts?points=20");
  EXPECT_EQ(series["indexed"], 100);
  int total = 0;
  for (const auto& n : series["n"]) total += n.get<int>();
  EXPECT_EQ(total, 100);
  json part = Get(server, "/api/videos/" + id + "/counts?from=10&to=12&points=2");
  EXPECT_EQ(part["n"], json::parse("[5,5]"));
  Get(server, "/api/videos/" + id + "/counts?from=15&to=5", 400);

  json moments = Get(server, "/api/videos/" + id + "/moments");
  ASSERT_FALSE(moments["moments"].empty()) << moments.dump();
  const json& m = moments["moments"][0];
  EXPECT_GE(m["end"].get<double>() - m["start"].get<double>(), 2.0);
  EXPECT_GE(m["t"].get<double>(), m["start"].get<double>());
  EXPECT_LE(m["t"].get<double>(), m["end"].get<double>());
}

TEST_F(Index, AWeighingInsideAStableSpanTakesTheSpansCountAndBestFrame) {
  ServerProcess server(Options());
  std::string id = Register(server);
  WaitForIndex(server, id, [](const json& j) { return j["state"] == "done"; });
  json moments = Get(server, "/api/videos/" + id + "/moments")["moments"];
  ASSERT_FALSE(moments.empty());
  const json& m = moments[0];
  double inside = m["start"].get<double>() + 0.1;
  json w = Post(server, "/api/weighings",
                {{"total_kg", 250}, {"source", {{"kind", "video"}, {"video_id", id}, {"t", inside}}}}, 201);
  EXPECT_EQ(w["auto_count"], m["count"]);
  EXPECT_EQ(w["count"], m["count"]);
  EXPECT_NEAR(w["source"]["t"].get<double>(), m["t"].get<double>(), 1e-6);  // the span's representative frame
  EXPECT_DOUBLE_EQ(w["source"]["t_requested"].get<double>(), inside);
  EXPECT_EQ(w["source"]["stable_span"], json::array({m["start"], m["end"]}));
  EXPECT_TRUE(w["evidence_url"].is_string());
}

TEST_F(Index, KillDashNineMidIndexLosesOnlyTheChunkInProgress) {
  // Every frame (200 samples, 20 per chunk) so that the index cannot finish between the poll
  // that sees three chunks and the kill, even on a loaded CI machine.
  const std::map<std::string, std::string> every_frame = {{"INDEX_FPS", "0"}};
  std::string id;
  int done_before = 0;
  {
    ServerProcess server(Options(every_frame));
    id = Register(server);
    json j = WaitForIndex(server, id, [](const json& p) { return p.value("chunks_done", 0) >= 3; });
    done_before = j.value("chunks_done", 0);
    server.Stop(SIGKILL);
  }
  ASSERT_LT(done_before, 10) << "the index finished before the kill; nothing was tested";
  auto restart = every_frame;
  restart["PRELOAD_MODEL"] = "0";
  ServerProcess server(Options(restart));
  json first = WaitForIndex(server, id, [](const json& p) { return p["state"] != "starting"; });
  // Chunks acknowledged before the kill are loaded, not recomputed (the last one may have landed
  // between the check and the kill).
  EXPECT_GE(first["chunks_done"].get<int>(), done_before);
  json last = WaitForIndex(server, id, [](const json& p) { return p["state"] == "done"; });
  EXPECT_EQ(last["samples_done"], 200);
  EXPECT_EQ(Get(server, "/api/videos/" + id + "/counts?points=1")["n"], json::parse("[200]"));
}

TEST_F(Index, PauseResumeAndDeleteTheVideo) {
  ServerProcess server(Options({{"AUTO_INDEX", "0"}}));
  std::string id = Register(server);
  EXPECT_EQ(WaitForIndex(server, id, [](const json& p) { return p["state"] != "starting"; })["state"], "not_indexed");
  json c = Get(server, "/api/video_file/count_at_time?id=" + id + "&t=3");
  EXPECT_EQ(c["from_index"], false);
  Post(server, "/api/videos/" + id + "/index", json::object(), 202);
  Post(server, "/api/videos/" + id + "/index/pause", json::object(), 200);
  EXPECT_EQ(Get(server, "/api/videos/" + id + "/index")["state"], "paused");
  Post(server, "/api/videos/" + id + "/index", json::object(), 202);
  WaitForIndex(server, id, [](const json& j) { return j["state"] == "done"; });
  EXPECT_EQ(Fetch(server.Url("/api/videos/" + id), {"-X", "DELETE"}).status, 204);
  Get(server, "/api/videos/" + id + "/index", 404);
  Get(server, "/api/videos/" + id + "/counts", 404);
}

}  // namespace
}  // namespace pw::test
