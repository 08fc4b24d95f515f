// gen-scene entry: writes the documented file layout; rejects bad options with exit code 2.
#include <filesystem>

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "scenegen/cli.h"
#include "support/test_support.h"

namespace pw::scenegen {
namespace {

namespace fs = std::filesystem;

TEST(GenSceneCliTest, WritesImagesTruthAndYoloLabels) {
  test::TempDir dir;
  GenSceneOptions o;
  o.out = dir.path().string();
  o.images = 3;
  o.width = 256;
  o.height = 160;
  o.max_animals = 12;
  o.yolo = true;
  ASSERT_EQ(GenSceneMain(o), 0);
  for (const char* name : {"scene_000000", "scene_000001", "scene_000002"}) {
    EXPECT_TRUE(fs::exists(dir / "images" / (std::string(name) + ".jpg"))) << name;
    EXPECT_TRUE(fs::exists(dir / "labels" / (std::string(name) + ".txt"))) << name;
    const auto j = nlohmann::json::parse(test::ReadFile(dir / "images" / (std::string(name) + ".json")));
    EXPECT_EQ(j["image"], std::string(name) + ".jpg");
    EXPECT_EQ(j["width"], 256);
  }
  EXPECT_NE(test::ReadFile(dir / "data.yaml").find("0: pig"), std::string::npos);
}

TEST(GenSceneCliTest, ImagesAreReproducibleAloneAndWithAnyThreadCount) {
  test::TempDir dir;
  GenSceneOptions o;
  o.out = (dir / "a").string();
  o.images = 2;
  o.width = 256;
  o.height = 160;
  o.format = "png";
  ASSERT_EQ(GenSceneMain(o), 0);
  GenSceneOptions parallel = o;
  parallel.out = (dir / "c").string();
  parallel.threads = 2;
  ASSERT_EQ(GenSceneMain(parallel), 0);
  EXPECT_EQ(test::ReadFile(dir / "a" / "scene_000000.png"), test::ReadFile(dir / "c" / "scene_000000.png"));
  EXPECT_EQ(test::ReadFile(dir / "a" / "scene_000001.json"), test::ReadFile(dir / "c" / "scene_000001.json"));
  GenSceneOptions one = o;
  one.out = (dir / "b").string();
  one.first_index = 1;
  one.images = 1;
  ASSERT_EQ(GenSceneMain(one), 0);
  EXPECT_EQ(test::ReadFile(dir / "a" / "scene_000001.png"), test::ReadFile(dir / "b" / "scene_000001.png"));
  EXPECT_EQ(test::ReadFile(dir / "a" / "scene_000001.json"), test::ReadFile(dir / "b" / "scene_000001.json"));
}

TEST(GenSceneCliTest, FlagsFillTheOptions) {
  CLI::App app;
  GenSceneOptions o;
  AddGenSceneFlags(app, o);
  app.parse("--seed 12345678901 --count 7 --width 320 --height 192 --out x --images 5 --video 3 "
            "--fps 10 --gop 20 --yolo --min-visible 0.6 --format png --threads 2",
            false);
  EXPECT_EQ(o.seed, 12345678901u);
  EXPECT_EQ(o.count, 7);
  EXPECT_EQ(o.width, 320);
  EXPECT_EQ(o.out, "x");
  EXPECT_EQ(o.images, 5);
  EXPECT_DOUBLE_EQ(o.video_seconds, 3.0);
  EXPECT_EQ(o.fps, 10);
  EXPECT_EQ(o.gop, 20);
  EXPECT_TRUE(o.yolo);
  EXPECT_DOUBLE_EQ(o.min_visible, 0.6);
  EXPECT_EQ(o.format, "png");
  EXPECT_EQ(o.threads, 2);
  CLI::App strict;
  GenSceneOptions s;
  AddGenSceneFlags(strict, s);
  EXPECT_THROW(strict.parse("--min-visible 1.5", false), CLI::ValidationError);
}

TEST(GenSceneCliTest, RejectsOddSizesAndEmptyJobsWithExitCode2) {
  GenSceneOptions o;
  o.width = 321;
  EXPECT_EQ(GenSceneMain(o), 2);
  GenSceneOptions none;
  none.images = 0;
  EXPECT_FALSE(ValidateGenSceneOptions(none).ok());
  EXPECT_EQ(GenSceneMain(none), 2);
  GenSceneOptions bad_range;
  bad_range.min_animals = 10;
  bad_range.max_animals = 5;
  EXPECT_EQ(GenSceneMain(bad_range), 2);
}

}  // namespace
}  // namespace pw::scenegen
