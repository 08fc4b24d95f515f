// `pigweight gen-scene`: command-line entry to the synthetic weighing-pen generator.
//
// GenSceneOptions holds every flag; AddGenSceneFlags() declares them on a CLI11 (sub)command so
// the app and any stand-alone tool parse them the same way; GenSceneMain() runs the job and
// returns a process exit code (0 ok, 2 bad options, 1 failure), logging the reason.
//
// Thread-safety: GenSceneMain runs on the calling thread only.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace CLI {
class App;
}

namespace pw::scenegen {

struct GenSceneOptions {
  uint64_t seed = 1;
  int count = -1;          // exact animals per scene; -1: random in [min, max]
  int min_animals = 0;
  int max_animals = 80;
  int width = 640;
  int height = 384;
  std::string out = "scenes";
  int images = 1;
  int first_index = 0;
  double video_seconds = 0;  // > 0: also write a video of this length
  int fps = 25;
  int gop = 50;
  bool video_polygons = true;  // polygons in the video's per-frame truth
  bool yolo = false;         // write images/ + labels/ + data.yaml for Ultralytics
  double min_visible = 0.5;  // count animals at least this fraction visible
  std::string format = "jpg";
  int jpeg_quality = 95;
  int threads = 1;           // parallel image workers
};

void AddGenSceneFlags(CLI::App& app, GenSceneOptions& options);

core::Status ValidateGenSceneOptions(const GenSceneOptions& options);
int GenSceneMain(const GenSceneOptions& options);

}  // namespace pw::scenegen
