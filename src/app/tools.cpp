// Offline subcommands: gen-scene (synthetic pen scenes), probe and index (what PigWeight reads
// from a video file). They print JSON on stdout and errors as one line on stderr.
#include <iostream>

#include "core/config.h"

#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "evaluate/evaluate.h"
#include "infer/count_command.h"
#include "library/video_library.h"
#include "store/store.h"
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

int Fail(const core::Status& st) {
  std::cerr << "pigweight: " << st.message() << "\n";
  return st.code() == core::Code::kInvalidArgument ? 2 : 1;
}

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

Command AddCount(CLI::App& app) {
  auto o = std::make_shared<infer::CountCommandOptions>();
  auto conf = std::make_shared<double>(0.25);
  CLI::App* sub = app.add_subcommand("count", "Count the animals in an image or a video with a model (check your model)");
  sub->add_option("INPUT", o->input, "Image or video file")->required();
  sub->add_option("--model", o->model, "Ultralytics ONNX export")->default_str(core::Config{}.model_path.string());
  sub->add_option("--data-dir", o->cache_dir, "Where imported models are cached (DATA_DIR/models)")->default_str("data");
  sub->add_flag("--json", o->json, "Print the instances as JSON");
  sub->add_option("--conf", *conf, "Minimum confidence, 0..1")->check(CLI::Range(0.0, 1.0));
  sub->add_option("--classes", o->postprocess.class_ids, "Class ids to count (default: all)");
  sub->add_option("--every", o->video_every_s, "Video: seconds between sampled frames")->check(CLI::PositiveNumber);
  sub->add_option("--max-samples", o->max_video_samples, "Video: frames at most (0: whole video)");
  return [o, conf] {
    if (o->model.empty()) o->model = core::Config{}.model_path;
    o->cache_dir = (o->cache_dir.empty() ? std::filesystem::path("data") : o->cache_dir) / "models";
    o->postprocess.conf_threshold = static_cast<float>(*conf);
    return infer::RunCountCommand(*o, std::cout, std::cerr);
  };
}

Command AddModel(CLI::App& app) {
  auto o = std::make_shared<infer::ModelImportCommandOptions>();
  auto data_dir = std::make_shared<std::string>("data");
  CLI::App* model = app.add_subcommand("model", "Model tools");
  model->require_subcommand(1);
  CLI::App* sub = model->add_subcommand("import", "Check an Ultralytics ONNX export and prepare it for OpenCV (cached)");
  sub->add_option("FILE", o->model, "best.onnx")->required();
  sub->add_option("--data-dir", *data_dir, "Where imported models are cached (DATA_DIR/models)");
  sub->add_flag("--json", o->json, "Print the model description as JSON");
  sub->add_option("--width", o->width, "Input width to pin (0: export size)");
  sub->add_option("--height", o->height, "Input height to pin (0: export size)");
  return [o, data_dir] {
    o->cache_dir = std::filesystem::path(*data_dir) / "models";
    return infer::RunModelImportCommand(*o, std::cout, std::cerr);
  };
}

Command AddEval(CLI::App& app) {
  auto o = std::make_shared<evaluate::EvalOptions>();
  auto data_dir = std::make_shared<std::string>("data");
  o->model = core::Config{}.model_path;
  CLI::App* sub = app.add_subcommand("eval", "Measure a model's counting accuracy on generated scenes with exact truth");
  sub->add_option("--model", o->model, "Ultralytics ONNX export")->capture_default_str();
  sub->add_option("--scenes", o->scenes, "Scenes to generate")->capture_default_str()->check(CLI::Range(1, 1000000));
  sub->add_option("--seed", o->seed, "First scene seed (keep clear of training seeds)")->capture_default_str();
  sub->add_option("--min", o->scene.min_animals, "Fewest animals per scene")->capture_default_str();
  sub->add_option("--max", o->scene.max_animals, "Most animals per scene")->capture_default_str();
  sub->add_option("--width", o->scene.width, "Scene width")->capture_default_str();
  sub->add_option("--height", o->scene.height, "Scene height")->capture_default_str();
  sub->add_option("--min-visible", o->min_visible, "Count rule: visible fraction an animal needs")->capture_default_str();
  sub->add_option("--conf", o->conf_threshold, "Minimum confidence")->capture_default_str();
  sub->add_option("--iou", o->iou_threshold, "NMS overlap above which two detections are one animal")->capture_default_str();
  sub->add_option("--data-dir", *data_dir, "Where imported models are cached (DATA_DIR/models)");
  return [o, data_dir] {
    o->cache_dir = std::filesystem::path(*data_dir) / "models";
    auto report = evaluate::EvaluateOnScenes(*o);
    if (!report.ok()) return Fail(report.status());
    std::cout << report->ToJson().dump(2) << "\n";
    return 0;
  };
}

Command AddLibrary(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto data_dir = std::make_shared<std::string>();
  CLI::App* library = app.add_subcommand("library", "Manage the video library");
  library->require_subcommand(1);
  CLI::App* add = library->add_subcommand("add", "Register a video file, or every video in a folder, where it lies (not copied)");
  add->add_option("PATH", *path, "File or folder")->required();
  add->add_option("--data-dir", *data_dir, "The server's DATA_DIR (default: $DATA_DIR or ./data)");
  return [path, data_dir] {
    core::ConfigInputs inputs;
    inputs.env = CurrentEnvironment();
    if (!data_dir->empty()) inputs.flags["data_dir"] = *data_dir;
    auto config = core::LoadConfig(inputs);
    if (!config.ok()) return Fail(config.status());
    auto store = store::OpenSqliteStore(config->config.data_dir);
    if (!store.ok()) return Fail(store.status());
    library::LibraryOptions options;
    options.data_dir = config->config.data_dir;
    // Thumbnails are left to the server (it resumes pending ones at start).
    library::VideoLibrary lib(options, (*store)->videos());
    auto result = lib.RegisterPath(*path);
    if (!result.ok()) return Fail(result.status());
    std::cout << result->dump(2) << "\n";
    return (*result)["errors"].empty() ? 0 : 1;
  };
}

}  // namespace pw::app
