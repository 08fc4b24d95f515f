#include "core/config.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace pw::core {
namespace {

using pw::test::TempDir;
using pw::test::WriteFile;

TEST(Config, DefaultsMatchTheDocumentedTable) {
  auto r = LoadConfig({});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->config.port, 8000);
  EXPECT_EQ(r->config.host, "0.0.0.0");
  EXPECT_TRUE(r->config.preload_model);
  EXPECT_EQ(r->sources.at("port"), Source::kDefault);
  for (const auto& s : Settings()) {
    EXPECT_FALSE(s.help.empty()) << s.key;
    EXPECT_FALSE(s.env.empty()) << s.key;
    EXPECT_EQ(DescribeConfig(r->config).at(s.key), s.default_text) << s.key;
  }
}

TEST(Config, OriginalEnvironmentNamesStayValid) {
  for (const char* env : {"HOST", "PORT", "PRELOAD_MODEL", "AUTO_START_CAM", "CAM_URL", "MODEL_PATH",
                          "CONF_THRESHOLD", "FPS", "JPEG_QUALITY", "FRAME_SKIP", "AVG_WINDOW",
                          "DATA_DIR", "LOG_LEVEL"}) {
    bool found = false;
    for (const auto& s : Settings()) found |= s.env == env;
    EXPECT_TRUE(found) << env;
  }
}

TEST(Config, LaterSourcesWin) {
  TempDir dir;
  WriteFile(dir / "pw.toml", "port = 9000\nfps = 7.5\nlog_level = \"debug\"\n");
  ConfigInputs in;
  in.file = dir / "pw.toml";
  in.env = {{"PORT", "9100"}, {"FPS", "3"}, {"UNRELATED", "x"}};
  in.flags = {{"port", "9200"}};
  auto r = LoadConfig(in);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->config.port, 9200);               // flag beats env and file
  EXPECT_DOUBLE_EQ(r->config.fps, 3);            // env beats file
  EXPECT_EQ(r->config.log_level, "debug");       // file beats default
  EXPECT_EQ(r->sources.at("port"), Source::kFlag);
  EXPECT_EQ(r->sources.at("fps"), Source::kEnv);
  EXPECT_EQ(r->sources.at("log_level"), Source::kFile);
}

TEST(Config, ReadsJsonFiles) {
  TempDir dir;
  WriteFile(dir / "pw.json", R"({"port": 8123, "preload_model": false, "cam_url": "rtsp://x/1"})");
  ConfigInputs in;
  in.file = dir / "pw.json";
  auto r = LoadConfig(in);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->config.port, 8123);
  EXPECT_FALSE(r->config.preload_model);
  EXPECT_EQ(r->config.cam_url, "rtsp://x/1");
}

// Each invalid value yields one message naming the setting as the user wrote it.
struct BadValue {
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> flags;
  std::string expected;
};

class ConfigRejects : public testing::TestWithParam<BadValue> {};

TEST_P(ConfigRejects, NamingTheSettingAndTheProblem) {
  ConfigInputs in;
  in.env = GetParam().env;
  in.flags = GetParam().flags;
  auto r = LoadConfig(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find(GetParam().expected), std::string::npos)
      << r.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Values, ConfigRejects,
    testing::Values(
        BadValue{{{"PORT", "abc"}}, {}, "PORT=abc: expected an integer from 0 to 65535"},
        BadValue{{{"PORT", "70000"}}, {}, "PORT=70000: expected an integer"},
        BadValue{{{"PORT", "80x"}}, {}, "PORT=80x: expected an integer"},
        BadValue{{{"CONF_THRESHOLD", "-0.1"}}, {}, "CONF_THRESHOLD=-0.1: expected a number from 0 to 1"},
        BadValue{{{"FPS", "nan"}}, {}, "FPS=nan: expected a number"},
        BadValue{{{"PRELOAD_MODEL", "maybe"}}, {}, "PRELOAD_MODEL=maybe: expected a boolean"},
        BadValue{{{"LOG_LEVEL", "loud"}}, {}, "LOG_LEVEL=loud: expected trace, debug"},
        BadValue{{{"MODEL_PATH", "/nonexistent/best.onnx"}}, {}, "MODEL_PATH=/nonexistent/best.onnx: no such file"},
        BadValue{{}, {{"jpeg_quality", "0"}}, "--jpeg-quality 0: expected an integer from 1 to 100"},
        BadValue{{}, {{"model_path", "/nope.onnx"}}, "--model-path /nope.onnx: no such file"}));

TEST(Config, RejectsUnknownKeysAndBrokenFiles) {
  TempDir dir;
  WriteFile(dir / "typo.toml", "prot = 9000\n");
  WriteFile(dir / "broken.toml", "port = = 1\n");
  WriteFile(dir / "broken.json", "{\"port\": ");
  for (auto [file, expected] : {std::pair{"typo.toml", "unknown setting 'prot'"},
                                std::pair{"broken.toml", "broken.toml:1"},
                                std::pair{"broken.json", "not a JSON object"},
                                std::pair{"missing.toml", "cannot be read"}}) {
    ConfigInputs in;
    in.file = dir / file;
    auto r = LoadConfig(in);
    ASSERT_FALSE(r.ok()) << file;
    EXPECT_NE(r.status().message().find(expected), std::string::npos) << r.status().message();
  }
}

TEST(Config, FlagNamesUseDashes) {
  for (const auto& s : Settings()) {
    EXPECT_EQ(s.flag().substr(0, 2), "--");
    EXPECT_EQ(s.flag().find('_'), std::string::npos) << s.flag();
  }
}

}  // namespace
}  // namespace pw::core

namespace pw::core {
namespace {

TEST(Config, TheReadmeDocumentsEverySetting) {
  std::string readme = pw::test::ReadFile(std::filesystem::path(PW_TEST_SOURCE_DIR) / "README.md");
  ASSERT_FALSE(readme.empty());
  for (const auto& s : Settings()) {
    EXPECT_NE(readme.find("| `" + s.env + "` | `" + s.flag() + "` |"), std::string::npos)
        << s.env << " is missing from the README's settings table";
  }
}

}  // namespace
}  // namespace pw::core
