// The video library end to end: the real server, real files made by ffmpeg, real clients (curl,
// ffprobe, ffmpeg reading the HLS playlist, raw sockets cutting an upload off halfway).
#include <boost/asio.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <csignal>
#include <thread>

#include "media/media_fixtures.h"
#include "support/test_support.h"

namespace pw::test {
namespace {

namespace fs = std::filesystem;
using boost::asio::ip::tcp;
using namespace std::chrono_literals;
using media::test::ProbeFrameTimes;
using media::test::ReadFrameNumber;
using media::test::VideoSpec;

nlohmann::json Json(const CurlResponse& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.body;
  return j;
}

CurlResponse PostJson(const ServerProcess& s, const std::string& path, const nlohmann::json& body) {
  return Fetch(s.Url(path), {"-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body.dump()});
}

// Registers `file` in place and returns its id (fails the test otherwise).
std::string Register(const ServerProcess& s, const fs::path& file) {
  auto r = PostJson(s, "/api/videos", {{"path", file.string()}});
  EXPECT_EQ(r.status, 201) << r.body;
  auto j = Json(r);
  return j["videos"].empty() ? "" : j["videos"][0]["id"].get<std::string>();
}

class Videos : public testing::Test {
 protected:
  void SetUp() override {
    VideoSpec spec;
    spec.seconds = 8;
    spec.gop = 25;
    spec.audio = true;
    video_ = media::test::MakeVideo(dir_.path(), "weighing.mp4", spec);
    ServerProcess::Options o;
    o.env = {{"MAX_UPLOAD_BYTES", "50000000"}};
    server_ = std::make_unique<ServerProcess>(o);
  }
  TempDir dir_;
  fs::path video_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(Videos, RegisteredFileStreamsAsHlsWithEveryFrame) {
  std::string id = Register(*server_, video_);
  ASSERT_FALSE(id.empty());
  auto video = Json(Fetch(server_->Url("/api/videos/" + id)));
  EXPECT_EQ(video["probe"]["video"]["codec"], "h264");
  EXPECT_EQ(video["status"]["keyframes"], "done");
  EXPECT_TRUE(video["status"]["playable"].get<bool>());
  EXPECT_FALSE(video["uploaded"].get<bool>());

  auto source = ProbeFrameTimes(video_.string());
  auto served = ProbeFrameTimes(server_->Url("/api/videos/" + id + "/hls/index.m3u8"));
  EXPECT_EQ(served.size(), source.size());
  // The original's path redirects to the same playlist.
  CommandResult legacy = RunCommand({"ffmpeg", "-v", "error", "-i", server_->Url("/api/video_file/stream_hls/" + id), "-f", "null", "-"});
  EXPECT_EQ(legacy.exit_code, 0) << legacy.err;
  EXPECT_EQ(legacy.err, "");

  auto seg = Fetch(server_->Url("/api/videos/" + id + "/hls/seg_0.m4s"));
  EXPECT_EQ(seg.status, 200);
  EXPECT_EQ(seg.Header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(Fetch(server_->Url("/api/videos/" + id + "/hls/seg_0.m4s"), {"-H", "If-None-Match: " + seg.Header("ETag")}).status, 304);
  auto part = Fetch(server_->Url("/api/videos/" + id + "/hls/seg_0.m4s"), {"-r", "0-99"});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, seg.body.substr(0, 100));
  EXPECT_EQ(Fetch(server_->Url("/api/videos/" + id + "/hls/seg_999.m4s")).status, 404);
}

TEST_F(Videos, FrameAtTimeReturnsTheExactFrame) {
  std::string id = Register(*server_, video_);
  for (double t : {0.0, 3.99, 4.0, 1.02, 7.5, 2.5, 2.54, 2.58}) {  // random, then scrubbing forward
    auto r = Fetch(server_->Url("/api/videos/" + id + "/frame?t=" + std::to_string(t)));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("Content-Type"), "image/jpeg");
    cv::Mat img = cv::imdecode(std::vector<uchar>(r.body.begin(), r.body.end()), cv::IMREAD_COLOR);
    ASSERT_FALSE(img.empty());
    EXPECT_EQ(ReadFrameNumber(img), static_cast<int>(t * 25 + 1e-6)) << "t=" << t;
  }
  auto small = Fetch(server_->Url("/api/videos/" + id + "/frame?t=1&w=160"));
  cv::Mat thumb = cv::imdecode(std::vector<uchar>(small.body.begin(), small.body.end()), cv::IMREAD_COLOR);
  EXPECT_EQ(thumb.cols, 160);
  EXPECT_EQ(Fetch(server_->Url("/api/videos/" + id + "/frame?t=abc")).status, 400);
  EXPECT_EQ(Fetch(server_->Url("/api/videos/" + id + "/frame")).status, 400);
  EXPECT_EQ(Fetch(server_->Url("/api/videos/0123/frame?t=1")).status, 404);
}

TEST_F(Videos, RejectsFilesThatAreNotUsableVideosAndKeepsNothing) {
  WriteFile(dir_ / "empty.mp4", "");
  WriteFile(dir_ / "notes.mp4", "this is a text file, not a video\n");
  std::string bytes = ReadFile(video_);
  WriteFile(dir_ / "truncated.mp4", bytes.substr(0, bytes.size() / 3));
  for (const char* name : {"empty.mp4", "notes.mp4", "truncated.mp4"}) {
    auto r = PostJson(*server_, "/api/videos", {{"path", (dir_ / name).string()}});
    EXPECT_EQ(r.status, 422) << name << ": " << r.body;
    EXPECT_EQ(Json(r)["error"]["code"], "unprocessable");
    EXPECT_FALSE(Json(r)["error"]["message"].get<std::string>().empty());
  }
  EXPECT_EQ(PostJson(*server_, "/api/videos", {{"path", "/no/such/file.mp4"}}).status, 404);
  EXPECT_EQ(PostJson(*server_, "/api/videos", {{"wrong", 1}}).status, 400);
  EXPECT_TRUE(Json(Fetch(server_->Url("/api/videos")))["videos"].empty());
}

TEST_F(Videos, RegistersAFolderReportingEachBadFile) {
  fs::create_directories(dir_ / "archive" / "day2");
  fs::copy_file(video_, dir_ / "archive" / "day2" / "a.mp4");
  WriteFile(dir_ / "archive" / "broken.mkv", "garbage");
  WriteFile(dir_ / "archive" / "readme.txt", "not considered");
  auto r = Json(PostJson(*server_, "/api/videos", {{"path", (dir_ / "archive").string()}}));
  EXPECT_EQ(r["videos"].size(), 1u);
  ASSERT_EQ(r["errors"].size(), 1u);
  EXPECT_NE(r["errors"][0]["path"].get<std::string>().find("broken.mkv"), std::string::npos);
}

// Sends the first `bytes` of `body` in a PATCH that announces the whole length, then hangs up.
void PatchAndHangUp(int port, const std::string& id, const std::string& body, std::size_t bytes) {
  boost::asio::io_context io;
  tcp::socket s(io);
  s.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  std::string head = "PATCH /api/uploads/" + id + " HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\n"
                     "Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n";
  boost::asio::write(s, boost::asio::buffer(head));
  boost::asio::write(s, boost::asio::buffer(body.data(), bytes));
  s.close();
}

TEST_F(Videos, UploadCutOffHalfwayResumesFromTheLastByte) {
  const std::string content = ReadFile(video_);
  auto created = Fetch(server_->Url("/api/uploads"),
                       {"-X", "POST", "-H", "Tus-Resumable: 1.0.0", "-H", "Upload-Length: " + std::to_string(content.size()),
                        "-H", "Upload-Metadata: filename d2VpZ2hpbmcgMDkubXA0"});  // "weighing 09.mp4"
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string location = created.Header("Location");
  ASSERT_EQ(location.rfind("/api/uploads/", 0), 0u);
  const std::string id = location.substr(std::string("/api/uploads/").size());

  const std::size_t half = content.size() / 2;
  PatchAndHangUp(server_->port(), id, content, half);
  // The server keeps what arrived and notices the hang-up; the client asks where to resume.
  nlohmann::json state;
  for (int i = 0; i < 500; ++i) {
    state = Json(Fetch(server_->Url(location)));
    if (state["offset"] == half && !state["receiving"].get<bool>()) break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(state["offset"], half);
  ASSERT_FALSE(state["receiving"].get<bool>());
  EXPECT_EQ(Fetch(server_->Url(location), {"-I"}).Header("Upload-Offset"), std::to_string(half));

  // Resuming from the wrong offset is refused with the right one.
  auto wrong = Fetch(server_->Url(location), {"-X", "PATCH", "-H", "Upload-Offset: 0", "-H",
                                              "Content-Type: application/offset+octet-stream", "--data-binary", "xyz"});
  EXPECT_EQ(wrong.status, 409);
  EXPECT_EQ(wrong.Header("Upload-Offset"), std::to_string(half));

  WriteFile(dir_ / "rest", content.substr(half));
  auto done = Fetch(server_->Url(location), {"-X", "PATCH", "-H", "Upload-Offset: " + std::to_string(half), "-H",
                                             "Content-Type: application/offset+octet-stream", "--data-binary",
                                             "@" + (dir_ / "rest").string()});
  ASSERT_EQ(done.status, 201) << done.body;
  auto video = Json(done);
  EXPECT_EQ(video["name"], "weighing 09.mp4");
  EXPECT_TRUE(video["uploaded"].get<bool>());
  EXPECT_EQ(ReadFile(video["path"].get<std::string>()), content) << "the stored file must be byte-identical";
  EXPECT_EQ(Fetch(server_->Url(location)).status, 404) << "a finished upload is gone";
  EXPECT_TRUE(fs::is_empty(server_->data_dir() / "uploads"));

  // The same content again is the same video, stored once.
  auto again = Fetch(server_->Url("/api/uploads"), {"-X", "POST", "-H", "Upload-Length: " + std::to_string(content.size())});
  std::string again_location = again.Header("Location");
  auto second = Fetch(server_->Url(again_location), {"-X", "PATCH", "-H", "Upload-Offset: 0", "-H",
                                                     "Content-Type: application/offset+octet-stream", "--data-binary",
                                                     "@" + video_.string()});
  EXPECT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(Json(second)["id"], video["id"]);
  EXPECT_TRUE(Json(second)["existing"].get<bool>());
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(server_->data_dir() / "videos")) ++files;
  EXPECT_EQ(files, 1);
}

TEST_F(Videos, UploadCutByAKillOfTheServerResumesAfterRestart) {
  const std::string content = ReadFile(video_);
  ServerProcess::Options o;
  o.env = {{"MAX_UPLOAD_BYTES", "50000000"}};
  o.data_dir = dir_.path() / "data";
  auto server = std::make_unique<ServerProcess>(o);
  auto created = Fetch(server->Url("/api/uploads"), {"-X", "POST", "-H", "Upload-Length: " + std::to_string(content.size())});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string location = created.Header("Location");

  // Half the body arrives on a connection that stays open; the server dies with it (kill -9).
  boost::asio::io_context io;
  tcp::socket s(io);
  s.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(server->port())});
  std::string head = "PATCH " + location + " HTTP/1.1\r\nHost: x\r\nUpload-Offset: 0\r\n"
                     "Content-Type: application/offset+octet-stream\r\nContent-Length: " + std::to_string(content.size()) + "\r\n\r\n";
  boost::asio::write(s, boost::asio::buffer(head));
  const std::size_t half = content.size() / 2;
  boost::asio::write(s, boost::asio::buffer(content.data(), half));
  nlohmann::json state;
  for (int i = 0; i < 500; ++i) {
    state = Json(Fetch(server->Url(location)));
    if (state["offset"] == half) break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(state["offset"], half) << "the first half never reached the server";
  server->Stop(SIGKILL);
  s.close();

  server = std::make_unique<ServerProcess>(o);
  state = Json(Fetch(server->Url(location)));
  ASSERT_EQ(state["offset"], half) << "what reached the disk before the kill is kept";
  EXPECT_FALSE(state["receiving"].get<bool>());
  WriteFile(dir_ / "rest", content.substr(half));
  auto done = Fetch(server->Url(location), {"-X", "PATCH", "-H", "Upload-Offset: " + std::to_string(half), "-H",
                                            "Content-Type: application/offset+octet-stream", "--data-binary",
                                            "@" + (dir_ / "rest").string()});
  ASSERT_EQ(done.status, 201) << done.body;
  EXPECT_EQ(ReadFile(Json(done)["path"].get<std::string>()), content) << "the stored file must be byte-identical";
  server->Stop();
}

TEST_F(Videos, AClientOverTheFrameRateLimitGets429WithRetryAfterAndIsCounted) {
  ServerProcess::Options o;
  o.env = {{"RATE_LIMIT_FRAMES", "3/min"}};
  ServerProcess server(o);
  std::string id = Register(server, video_);
  ASSERT_FALSE(id.empty());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Fetch(server.Url("/api/videos/" + id + "/frame?t=" + std::to_string(i))).status, 200) << i;
  }
  auto refused = Fetch(server.Url("/api/videos/" + id + "/frame?t=4"));
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.Header("Retry-After"), "20");
  EXPECT_EQ(Json(refused)["error"]["code"], "rate_limited");
  // Routes outside the limit are not affected; the refusal is in /metrics.
  EXPECT_EQ(Fetch(server.Url("/api/videos/" + id)).status, 200);
  EXPECT_NE(Fetch(server.Url("/metrics")).body.find("pw_rate_limited_total{limit=\"frames\"} 1"), std::string::npos);
  server.Stop();
}

TEST_F(Videos, UploadsBeyondMaxActiveUploadsWaitTheirTurnWith503) {
  ServerProcess::Options o;
  o.env = {{"MAX_ACTIVE_UPLOADS", "1"}};
  ServerProcess server(o);
  const std::string content = ReadFile(video_);
  auto create = [&] {
    return Fetch(server.Url("/api/uploads"), {"-X", "POST", "-H", "Upload-Length: " + std::to_string(content.size())})
        .Header("Location");
  };
  const std::string first = create(), second = create();
  // The first upload is receiving (its connection stays open, half sent).
  boost::asio::io_context io;
  tcp::socket s(io);
  s.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(server.port())});
  std::string head = "PATCH " + first + " HTTP/1.1\r\nHost: x\r\nUpload-Offset: 0\r\n"
                     "Content-Type: application/offset+octet-stream\r\nContent-Length: " + std::to_string(content.size()) + "\r\n\r\n";
  boost::asio::write(s, boost::asio::buffer(head));
  boost::asio::write(s, boost::asio::buffer(content.data(), 1000));
  for (int i = 0; i < 500 && !Json(Fetch(server.Url(first)))["receiving"].get<bool>(); ++i) std::this_thread::sleep_for(10ms);
  WriteFile(dir_ / "all", content);
  auto patch = [&](const std::string& location) {
    return Fetch(server.Url(location), {"-X", "PATCH", "-H", "Upload-Offset: 0", "-H",
                                        "Content-Type: application/offset+octet-stream", "--data-binary", "@" + (dir_ / "all").string()});
  };
  auto busy = patch(second);
  EXPECT_EQ(busy.status, 503) << busy.body;
  EXPECT_EQ(busy.Header("Retry-After"), "1");
  EXPECT_NE(Json(busy)["error"]["message"].get<std::string>().find("MAX_ACTIVE_UPLOADS"), std::string::npos);
  s.close();  // the first one stops receiving: the second gets its turn
  for (int i = 0; i < 500 && Json(Fetch(server.Url(first)))["receiving"].get<bool>(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(patch(second).status, 201);
  server.Stop();
}

TEST_F(Videos, UploadsThatAreTooLargeOrNotVideosAreRefused) {
  auto big = Fetch(server_->Url("/api/uploads"), {"-X", "POST", "-H", "Upload-Length: 60000000"});
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(Json(big)["error"]["message"].get<std::string>().find("MAX_UPLOAD_BYTES"), std::string::npos);
  EXPECT_EQ(Fetch(server_->Url("/api/uploads"), {"-X", "POST"}).status, 400);

  WriteFile(dir_ / "text.mp4", std::string(5000, 't'));
  auto created = Fetch(server_->Url("/api/uploads"), {"-X", "POST", "-H", "Upload-Length: 5000"});
  auto r = Fetch(server_->Url(created.Header("Location")),
                 {"-X", "PATCH", "-H", "Upload-Offset: 0", "-H", "Content-Type: application/offset+octet-stream",
                  "--data-binary", "@" + (dir_ / "text.mp4").string()});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_TRUE(fs::is_empty(server_->data_dir() / "videos"));
  EXPECT_TRUE(fs::is_empty(server_->data_dir() / "uploads"));
  // More bytes than announced.
  auto small = Fetch(server_->Url("/api/uploads"), {"-X", "POST", "-H", "Upload-Length: 10"});
  auto over = Fetch(server_->Url(small.Header("Location")),
                    {"-X", "PATCH", "-H", "Upload-Offset: 0", "-H", "Content-Type: application/offset+octet-stream",
                     "--data-binary", "@" + (dir_ / "text.mp4").string()});
  EXPECT_EQ(over.status, 413);
}

TEST_F(Videos, UploadsStopBeforeTheDiskFloor) {
  // An upload started while there was room; then the floor is above the free space (as when a disk
  // fills up): creating and resuming are refused with the reason, and the part received is kept.
  ServerProcess::Options o;
  o.data_dir = dir_ / "data";
  server_ = std::make_unique<ServerProcess>(o);
  auto created = Fetch(server_->Url("/api/uploads"), {"-X", "POST", "-H", "Upload-Length: 5000"});
  ASSERT_EQ(created.status, 201);
  server_->Stop();
  o.env = {{"MIN_FREE_DISK_MB", std::to_string(1LL << 39)}};
  server_ = std::make_unique<ServerProcess>(o);
  auto refused = Fetch(server_->Url("/api/uploads"), {"-X", "POST", "-H", "Upload-Length: 5000"});
  EXPECT_EQ(refused.status, 507);
  EXPECT_NE(Json(refused)["error"]["message"].get<std::string>().find("MIN_FREE_DISK_MB"), std::string::npos);
  WriteFile(dir_ / "part.bin", std::string(100, 'x'));
  auto resumed = Fetch(server_->Url(created.Header("Location")),
                       {"-X", "PATCH", "-H", "Upload-Offset: 0", "-H", "Content-Type: application/offset+octet-stream",
                        "--data-binary", "@" + (dir_ / "part.bin").string()});
  EXPECT_EQ(resumed.status, 507) << resumed.body;
  EXPECT_EQ(Fetch(server_->Url(created.Header("Location")), {"-I"}).Header("Upload-Offset"), "0");
}

TEST_F(Videos, ThumbnailsAreBuiltInTheBackground) {
  std::string id = Register(*server_, video_);
  std::string state;
  for (int i = 0; i < 300 && state != "ready"; ++i) {
    state = Json(Fetch(server_->Url("/api/videos/" + id)))["status"]["thumbnails"];
    if (state != "ready") std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(state, "ready");
  auto vtt = Fetch(server_->Url("/api/videos/" + id + "/thumbnails.vtt"));
  EXPECT_EQ(vtt.status, 200);
  EXPECT_EQ(vtt.body.rfind("WEBVTT", 0), 0u);
  auto map = Json(Fetch(server_->Url("/api/videos/" + id + "/thumbnails.json")));
  ASSERT_FALSE(map["tiles"].empty());
  auto sprite = Fetch(server_->Url("/api/videos/" + id + "/thumbs/" + map["tiles"][0]["sheet"].get<std::string>()));
  EXPECT_EQ(sprite.status, 200);
  EXPECT_EQ(sprite.Header("Content-Type"), "image/jpeg");
  EXPECT_EQ(Fetch(server_->Url("/api/videos/" + id + "/thumbs/..%2F..%2Fpigweight.db"), {"--path-as-is"}).status, 404);
}

TEST_F(Videos, DeletingAnUploadRemovesItsFileAndEverythingDerived) {
  const std::string content = ReadFile(video_);
  auto created = Fetch(server_->Url("/api/uploads"), {"-X", "POST", "-H", "Upload-Length: " + std::to_string(content.size())});
  auto done = Fetch(server_->Url(created.Header("Location")),
                    {"-X", "PATCH", "-H", "Upload-Offset: 0", "-H", "Content-Type: application/offset+octet-stream",
                     "--data-binary", "@" + video_.string()});
  ASSERT_EQ(done.status, 201) << done.body;
  auto video = Json(done);
  const std::string id = video["id"];
  EXPECT_EQ(Fetch(server_->Url("/api/videos/" + id + "/hls/seg_0.m4s")).status, 200);
  EXPECT_EQ(Fetch(server_->Url("/api/videos/" + id), {"-X", "DELETE"}).status, 204);
  EXPECT_FALSE(fs::exists(video["path"].get<std::string>()));
  EXPECT_FALSE(fs::exists(server_->data_dir() / "thumbs" / id));
  EXPECT_EQ(Fetch(server_->Url("/api/videos/" + id)).status, 404);
  EXPECT_EQ(Fetch(server_->Url("/api/videos/" + id + "/hls/seg_0.m4s")).status, 404);
  EXPECT_EQ(Fetch(server_->Url("/api/videos/" + id), {"-X", "DELETE"}).status, 404);
  // A registered (not uploaded) file is never deleted from its place.
  std::string kept = Register(*server_, video_);
  EXPECT_EQ(Fetch(server_->Url("/api/videos/" + kept), {"-X", "DELETE"}).status, 204);
  EXPECT_TRUE(fs::exists(video_));
}

TEST_F(Videos, TheLibrarySurvivesARestart) {
  std::string id = Register(*server_, video_);
  fs::path data = server_->data_dir();
  ServerProcess::Options o;
  o.data_dir = data;
  server_->Stop();
  ServerProcess again(o);
  auto list = Json(Fetch(again.Url("/api/videos")));
  ASSERT_EQ(list["videos"].size(), 1u);
  EXPECT_EQ(list["videos"][0]["id"], id);
  EXPECT_EQ(Fetch(again.Url("/api/videos/" + id + "/hls/index.m3u8")).status, 200);
}

TEST(VideosCli, LibraryAddRegistersForTheServer) {
  TempDir dir;
  fs::path video = media::test::MakeVideo(dir.path(), "nas.mkv", VideoSpec{"mkv", "libx264", 25, 25, 3});
  CommandResult r = RunCommand({PigweightBinary(), "library", "add", dir.path().string(), "--data-dir", (dir / "data").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);  // stdout is JSON only
  ASSERT_EQ(j["videos"].size(), 1u);
  const std::string id = j["videos"][0]["id"];

  WriteFile(dir / "bad.mp4", "not a video");
  CommandResult bad = RunCommand({PigweightBinary(), "library", "add", (dir / "bad.mp4").string(), "--data-dir", (dir / "data").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("bad.mp4"), std::string::npos) << bad.err;

  ServerProcess::Options o;
  o.data_dir = dir / "data";
  ServerProcess server(o);
  auto listed = nlohmann::json::parse(Fetch(server.Url("/api/videos")).body);
  ASSERT_EQ(listed["videos"].size(), 1u);
  EXPECT_EQ(listed["videos"][0]["id"], id);
  EXPECT_EQ(listed["videos"][0]["path"], video.string());
}

}  // namespace
}  // namespace pw::test
