// Start-up errors, limits that protect the server from bad clients, and graceful shutdown.
#include <signal.h>

#include <boost/asio.hpp>
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "integration/raw_client.h"
#include "integration/ws_client.h"
#include "support/test_support.h"

namespace pw::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct StartFailure {
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
  int exit_code;
  std::string message;
  friend void PrintTo(const StartFailure& f, std::ostream* os) { *os << f.message; }
};

class ServeRefusesToStart : public testing::TestWithParam<StartFailure> {};

TEST_P(ServeRefusesToStart, WithOneClearLineAndExitCode) {
  TempDir data;
  std::vector<std::string> argv = {PigweightBinary(), "serve", "--host", "127.0.0.1", "--data-dir",
                                   (data / "d").string()};
  argv.insert(argv.end(), GetParam().args.begin(), GetParam().args.end());
  CommandResult r = pw::test::RunCommand(argv, GetParam().env, 30s);
  EXPECT_EQ(r.exit_code, GetParam().exit_code) << r.err;
  EXPECT_NE(r.err.find(GetParam().message), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    BadConfig, ServeRefusesToStart,
    testing::Values(
        StartFailure{{}, {{"PORT", "abc"}}, 2, "PORT=abc: expected an integer from 0 to 65535"},
        StartFailure{{}, {{"CONF_THRESHOLD", "-1"}}, 2, "CONF_THRESHOLD=-1: expected a number from 0 to 1"},
        StartFailure{{}, {{"MODEL_PATH", "/no/such/model.onnx"}}, 2, "MODEL_PATH=/no/such/model.onnx: no such file"},
        StartFailure{{"--config", "/no/such/pigweight.toml"}, {}, 2, "/no/such/pigweight.toml: cannot be read"},
        StartFailure{{"--fps", "0"}, {}, 2, "--fps 0: expected a number from 0.1 to 120"},
        StartFailure{{"--no-such-flag"}, {}, 2, "--no-such-flag"}),
    [](const testing::TestParamInfo<StartFailure>& p) {
      std::string name = p.param.env.empty() ? p.param.args[0] : p.param.env.begin()->first;
      std::string clean;
      for (char c : name) clean += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return clean + "_" + std::to_string(p.index);
    });

TEST(ServeLifecycle, ReportsAPortInUse) {
  ServerProcess first;
  TempDir data;
  CommandResult r = pw::test::RunCommand({PigweightBinary(), "serve", "--host", "127.0.0.1", "--port",
                         std::to_string(first.port()), "--data-dir", (data / "d").string()},
                        {}, 30s);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot listen on 127.0.0.1:" + std::to_string(first.port())), std::string::npos) << r.err;
}

TEST(ServeLifecycle, ReadsAConfigFile) {
  TempDir dir;
  WriteFile(dir / "pw.toml", "jpeg_quality = 55\ncam_url = \"rtsp://admin:secret@10.0.0.9/stream\"\n");
  ServerProcess::Options o;
  o.args = {"--config", (dir / "pw.toml").string()};
  ServerProcess server(o);
  std::string config = Curl({server.Url("/api/config")}).out;
  EXPECT_NE(config.find("\"jpeg_quality\":\"55\""), std::string::npos) << config;
  EXPECT_NE(config.find("rtsp://admin:***@10.0.0.9/stream"), std::string::npos) << config;
  EXPECT_EQ(config.find("secret"), std::string::npos) << "credentials must never be echoed";
}

TEST(ServeLimits, ClosesConnectionsThatSendHeadersTooSlowly) {
  ServerProcess::Options o;
  o.env = {{"HEADER_TIMEOUT", "0.5"}};
  ServerProcess server(o);
  // The request is never completed: the server must hang up on its own.
  EXPECT_EQ(SendRaw(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n"), "");
  EXPECT_EQ(Curl({"-o", "/dev/null", "-w", "%{http_code}", server.Url("/healthz")}).out, "200");
}

TEST(ServeLimits, ClosesIdleKeepAliveConnections) {
  ServerProcess::Options o;
  o.env = {{"IDLE_TIMEOUT", "0.5"}};
  ServerProcess server(o);
  // The answer, then the close after idling.
  std::string reply = SendRaw(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
}

TEST(ServeLimits, AnswersBusyBeyondTheConnectionCap) {
  ServerProcess::Options o;
  o.env = {{"MAX_CONNECTIONS", "2"}};
  ServerProcess server(o);
  boost::asio::io_context io;
  // Two keep-alive connections, each proven accepted by an answered request.
  auto a = Connect(io, server.port());
  auto b = Connect(io, server.port());
  for (auto* s : {a.get(), b.get()}) {
    boost::asio::write(*s, boost::asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")));
    std::string got;
    boost::asio::read_until(*s, boost::asio::dynamic_buffer(got), "{\"status\":\"ok\"}");
  }
  auto c = Connect(io, server.port());
  std::string reply = ReadUntilClosed(*c);
  EXPECT_EQ(reply.rfind("HTTP/1.1 503", 0), 0u) << reply;
  EXPECT_NE(reply.find("too many connections"), std::string::npos);
  a.reset();
  b.reset();
  // Capacity comes back once the others leave.
  std::string code;
  for (int i = 0; i < 100 && code != "200"; ++i) {
    code = Curl({"-o", "/dev/null", "-w", "%{http_code}", server.Url("/healthz")}).out;
    if (code != "200") std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(code, "200");
}

TEST(ServeLimits, DropsReadersThatStopReading) {
  TempDir web;
  fs::create_directories(web / "w");
  WriteFile(web / "w" / "big.bin", std::string(64 << 20, 'z'));
  ServerProcess::Options o;
  o.args = {"--web-dir", (web / "w").string()};
  o.env = {{"WRITE_TIMEOUT", "0.5"}};
  ServerProcess server(o);
  boost::asio::io_context io;
  auto s = Connect(io, server.port());
  s->set_option(boost::asio::socket_base::receive_buffer_size(4096));
  boost::asio::write(*s, boost::asio::buffer(std::string("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")));
  // Never read: the server must give up on this client instead of holding it forever.
  std::string log;
  for (int i = 0; i < 200; ++i) {
    log = server.Log();
    if (log.find("/big.bin\" 200") != std::string::npos) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_NE(log.find("\"GET /big.bin\" 200 67108864"), std::string::npos) << log;
  EXPECT_NE(log.find("aborted"), std::string::npos) << log;
}

TEST(ServeShutdown, FinishesInFlightDownloadsClosesWebSocketsAndExitsCleanly) {
  TempDir web;
  fs::create_directories(web / "w");
  const std::string big(32 << 20, 'q');
  WriteFile(web / "w" / "big.bin", big);
  ServerProcess::Options o;
  o.args = {"--web-dir", (web / "w").string()};
  ServerProcess server(o);

  WsClient ws(server.port());
  ws.Read();
  // Slow downloads (about 3 s each) in flight while the server is told to stop.
  constexpr int kDownloads = 4;
  std::vector<std::future<CommandResult>> downloads;
  for (int i = 0; i < kDownloads; ++i) {
    downloads.push_back(std::async(std::launch::async, [&, i] {
      return Curl({"--limit-rate", "10M", "-o", (web / ("got" + std::to_string(i))).string(), "-w",
                   "%{http_code}", server.Url("/big.bin")});
    }));
  }
  // Wait until every download is under way (bytes arrived), then ask the server to stop.
  auto started = [&] {
    std::error_code fec;
    for (int i = 0; i < kDownloads; ++i) {
      fs::path p = web / ("got" + std::to_string(i));
      if (!fs::exists(p) || fs::file_size(p, fec) == 0) return false;
    }
    return true;
  };
  for (int i = 0; i < 1000 && !started(); ++i) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(started());
  kill(server.pid(), SIGTERM);
  // The WebSocket is closed with 1001 "going away".
  boost::beast::flat_buffer buf;
  boost::system::error_code ec;
  ws.stream().read(buf, ec);
  EXPECT_EQ(ec, boost::beast::websocket::error::closed);
  EXPECT_EQ(ws.stream().reason().code, boost::beast::websocket::close_code::going_away);
  // New connections are refused while draining.
  std::this_thread::sleep_for(100ms);
  EXPECT_NE(Curl({"-o", "/dev/null", server.Url("/healthz")}).exit_code, 0);
  // Every in-flight download completes intact.
  for (int i = 0; i < kDownloads; ++i) {
    CommandResult r = downloads[i].get();
    EXPECT_EQ(r.out, "200");
    EXPECT_EQ(fs::file_size(web / ("got" + std::to_string(i))), big.size());
  }
  EXPECT_EQ(server.WaitForExit(30s), 0);
}

}  // namespace
}  // namespace pw::test
