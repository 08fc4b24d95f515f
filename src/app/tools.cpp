// Offline subcommands: gen-scene (synthetic pen scenes), probe and index (what PigWeight reads
// from a video file). They print JSON on stdout and errors as one line on stderr.
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "media/keyframe_index.h"
#include "media/probe.h"
#include "scenegen/cli.h"

namespace pw::app {

Command AddGenScene(CLI::App& app) {
  auto options = std::make_shared<scenegen::GenSceneOptions>();
  CLI::App* sub = app.add_subcommand("gen-scene", "Render synthetic weighing-pen scenes or videos with exact ground truth");
  scenegen::AddGenSceneFlags(*sub, *options);
  return [options] { return scenegen::GenSceneMain(*options); };
}

namespace {

int Fail(const core::Status& st) {
  std::cerr << "pigweight: " << st.message() << "\n";
  return st.code() == core::Code::kInvalidArgument ? 2 : 1;
}

}  // namespace

Command AddProbe(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("probe", "Show what a video file contains (container, codecs, duration, fps)");
  sub->add_option("FILE", *file, "Video file")->required();
  return [file] {
    auto info = media::Probe(*file);
    if (!info.ok()) return Fail(info.status());
    std::cout << media::ToJson(*info).dump(2) << "\n";
    return 0;
  };
}

Command AddIndex(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("index", "Build and print a video's keyframe index");
  sub->add_option("FILE", *file, "Video file")->required();
  return [file] {
    auto index = media::BuildKeyframeIndex(*file, {});
    if (!index.ok()) return Fail(index.status());
    std::cout << index->ToJson().dump(2) << "\n";
    return 0;
  };
}

}  // namespace pw::app
