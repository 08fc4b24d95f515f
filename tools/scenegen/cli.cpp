#include "scenegen/cli.h"

#include <chrono>
#include <exception>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "scenegen/dataset.h"

namespace pw::scenegen {

void AddGenSceneFlags(CLI::App& app, GenSceneOptions& o) {
  app.add_option("--seed", o.seed, "Seed of the run (image i uses a seed derived from it)");
  app.add_option("--count", o.count, "Exactly this many animals per scene (default: random)");
  app.add_option("--min", o.min_animals, "Fewest animals per scene")->check(CLI::Range(0, 500));
  app.add_option("--max", o.max_animals, "Most animals per scene")->check(CLI::Range(0, 500));
  app.add_option("--width", o.width, "Image width in pixels")->check(CLI::Range(64, 4096));
  app.add_option("--height", o.height, "Image height in pixels")->check(CLI::Range(64, 4096));
  app.add_option("--out", o.out, "Output directory");
  app.add_option("--images", o.images, "Number of still images")->check(CLI::Range(0, 10000000));
  app.add_option("--first-index", o.first_index, "Index of the first image (to extend a set)");
  app.add_option("--video", o.video_seconds, "Also write a video of this many seconds");
  app.add_option("--fps", o.fps, "Video frame rate")->check(CLI::Range(1, 120));
  app.add_option("--gop", o.gop, "Video keyframe interval in frames")->check(CLI::Range(1, 10000));
  app.add_flag("--video-polygons,!--no-video-polygons", o.video_polygons,
               "Polygons in the video's per-frame truth (default on; off: ~5x smaller JSON)");
  app.add_flag("--yolo", o.yolo, "Write Ultralytics YOLO-seg labels (images/, labels/, data.yaml)");
  app.add_option("--min-visible", o.min_visible, "Visible fraction for an animal to be counted")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--format", o.format, "Image format: jpg or png");
  app.add_option("--jpeg-quality", o.jpeg_quality, "JPEG quality of written images")
      ->check(CLI::Range(1, 100));
  app.add_option("--threads", o.threads, "Images rendered in parallel")->check(CLI::Range(1, 64));
}

core::Status ValidateGenSceneOptions(const GenSceneOptions& o) {
  if (o.min_animals < 0 || o.max_animals < o.min_animals) {
    return core::Status::InvalidArgument("--min must be >= 0 and <= --max");
  }
  if (o.width % 2 || o.height % 2) {
    return core::Status::InvalidArgument("--width and --height must be even (H.264 needs it)");
  }
  if (o.images < 0 || o.video_seconds < 0) {
    return core::Status::InvalidArgument("--images and --video cannot be negative");
  }
  if (o.images == 0 && o.video_seconds == 0) {
    return core::Status::InvalidArgument("nothing to do: give --images N and/or --video SECONDS");
  }
  if (o.format != "jpg" && o.format != "png") {
    return core::Status::InvalidArgument("--format must be jpg or png");
  }
  return core::Status::Ok();
}

namespace {

// Runs `job`, turning any exception (OpenCV throws on some failures) into a Status.
template <typename Job>
core::Status RunGuarded(const Job& job, core::Status (*run)(const Job&)) {
  try {
    return run(job);
  } catch (const std::exception& e) {
    return core::Status::Internal(e.what());
  }
}

}  // namespace

int GenSceneMain(const GenSceneOptions& o) {
  if (core::Status s = ValidateGenSceneOptions(o); !s.ok()) {
    spdlog::error("gen-scene: {}", s.message());
    return 2;
  }
  SceneOptions scene;
  scene.width = o.width;
  scene.height = o.height;
  scene.min_animals = o.min_animals;
  scene.max_animals = o.max_animals;
  scene.count = o.count;
  const auto start = std::chrono::steady_clock::now();
  if (o.images > 0) {
    StillsJob job;
    job.out_dir = o.out;
    job.seed = o.seed;
    job.images = o.images;
    job.first_index = o.first_index;
    job.scene = scene;
    job.min_visible = o.min_visible;
    job.yolo = o.yolo;
    job.image_format = o.format;
    job.jpeg_quality = o.jpeg_quality;
    job.threads = o.threads;
    if (core::Status s = RunGuarded(job, &WriteStills); !s.ok()) {
      spdlog::error("gen-scene: {}", s.message());
      return 1;
    }
  }
  if (o.video_seconds > 0) {
    VideoJob job;
    job.out_dir = o.out;
    job.seed = o.seed;
    job.scene = scene;
    job.seconds = o.video_seconds;
    job.fps = o.fps;
    job.gop = o.gop;
    job.min_visible = o.min_visible;
    job.polygons = o.video_polygons;
    if (core::Status s = RunGuarded(job, &WriteVideo); !s.ok()) {
      spdlog::error("gen-scene: {}", s.message());
      return 1;
    }
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("gen-scene: done in {:.1f} s", secs);
  return 0;
}

}  // namespace pw::scenegen
