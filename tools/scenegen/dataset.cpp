#include "scenegen/dataset.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <spdlog/spdlog.h>

#include "scenegen/h264_writer.h"
#include "scenegen/sequence.h"

namespace pw::scenegen {
namespace fs = std::filesystem;
namespace {

core::Status MakeDir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return core::Status::Unavailable("cannot create " + dir.string() + ": " + ec.message());
  return core::Status::Ok();
}

core::Status WriteText(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  f.close();
  if (!f) return core::Status::Unavailable("cannot write " + path.string() + " (disk full or no permission?)");
  return core::Status::Ok();
}

std::string StillName(int index) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "scene_%06d", index);
  return buf;
}

core::Status CheckSize(const SceneOptions& s) {
  if (s.width < 64 || s.height < 64 || s.width > 4096 || s.height > 4096) {
    return core::Status::InvalidArgument("image size must be between 64 and 4096 pixels per side");
  }
  if (s.max_animals > 500 || s.count > 500) {
    return core::Status::InvalidArgument("at most 500 animals per scene");
  }
  return core::Status::Ok();
}

nlohmann::json AnimalJson(const Animal& a) {
  return {{"id", a.id},
          {"weight_kg", std::round(a.weight_kg * 1000) / 1000},
          {"length_m", std::round(a.length_m * 1e4) / 1e4},
          {"width_m", std::round(a.width_m * 1e4) / 1e4},
          {"coat", CoatName(a.coat)}};
}

}  // namespace

StillResult GenerateStill(uint64_t seed, const SceneOptions& options, double min_visible) {
  const SceneSpec spec = SampleScene(seed, options);
  StillResult r;
  r.rendered = RenderScene(spec);
  r.truth = ExtractTruth(r.rendered.ids, spec.animals, r.rendered.full_area, min_visible);
  r.json = ToJson(r.truth);
  r.json["seed"] = seed;
  r.json["pixels_per_metre"] = std::round(spec.pixels_per_metre * 100) / 100;
  r.json["mean_weight_kg"] = std::round(spec.mean_weight_kg * 1000) / 1000;
  r.json["camera_barrel"] = std::round(spec.camera.barrel * 1e4) / 1e4;
  r.json["camera_tilt"] = std::round(spec.camera.tilt * 1e4) / 1e4;
  return r;
}

core::Status WriteStills(const StillsJob& job) {
  PW_RETURN_IF_ERROR(CheckSize(job.scene));
  if (job.image_format != "jpg" && job.image_format != "png") {
    return core::Status::InvalidArgument("image format must be jpg or png, got " + job.image_format);
  }
  const fs::path root(job.out_dir);
  const fs::path image_dir = job.yolo ? root / "images" : root;
  const fs::path label_dir = root / "labels";
  PW_RETURN_IF_ERROR(MakeDir(image_dir));
  if (job.yolo) {
    PW_RETURN_IF_ERROR(MakeDir(label_dir));
    PW_RETURN_IF_ERROR(WriteText(root / "data.yaml",
                                 "# PigWeight synthetic pen scenes (pigweight gen-scene)\npath: " +
                                     fs::absolute(root).string() +
                                     "\ntrain: images\nval: images\nnames:\n  0: pig\n"));
  }
  const std::vector<int> params =
      job.image_format == "jpg" ? std::vector<int>{cv::IMWRITE_JPEG_QUALITY, job.jpeg_quality}
                                : std::vector<int>{cv::IMWRITE_PNG_COMPRESSION, 1};
  auto write_one = [&](int index) -> core::Status {
    const uint64_t seed = DeriveSeed(job.seed, static_cast<uint64_t>(index));
    StillResult r = GenerateStill(seed, job.scene, job.min_visible);
    const std::string name = StillName(index);
    const std::string image_name = name + "." + job.image_format;
    r.json["image"] = image_name;
    r.json["run_seed"] = job.seed;
    r.json["index"] = index;
    if (!cv::imwrite((image_dir / image_name).string(), r.rendered.image, params)) {
      return core::Status::Unavailable("cannot write " + (image_dir / image_name).string());
    }
    PW_RETURN_IF_ERROR(WriteText(image_dir / (name + ".json"), r.json.dump() + "\n"));
    if (job.yolo) {
      PW_RETURN_IF_ERROR(WriteText(label_dir / (name + ".txt"), YoloSegLabels(r.truth, job.yolo_labels)));
    }
    return core::Status::Ok();
  };
  // Images are independent (each has its own seed), so workers take indices from a shared
  // counter; the first error stops them all. Threads are joined before returning.
  std::atomic<int> next{0};
  std::mutex error_mu;
  core::Status first_error;
  auto worker = [&] {
    for (int k = next++; k < job.images; k = next++) {
      core::Status s;
      try {
        s = write_one(job.first_index + k);
      } catch (const std::exception& e) {  // OpenCV reports failures by throwing
        s = core::Status::Internal("image " + std::to_string(job.first_index + k) + ": " + e.what());
      }
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (first_error.ok()) first_error = s;
        next = job.images;
      }
    }
  };
  {
    std::vector<std::jthread> workers;
    for (int t = 1; t < std::clamp(job.threads, 1, 64); ++t) workers.emplace_back(worker);
    worker();
  }
  PW_RETURN_IF_ERROR(first_error);
  spdlog::info("gen-scene: wrote {} images to {}", job.images, image_dir.string());
  return core::Status::Ok();
}

core::Status WriteVideo(const VideoJob& job) {
  PW_RETURN_IF_ERROR(CheckSize(job.scene));
  if (job.seconds <= 0 || job.seconds > 3600) {
    return core::Status::InvalidArgument("video length must be between 0 and 3600 seconds");
  }
  if (job.fps < 1 || job.fps > 120) return core::Status::InvalidArgument("fps must be 1..120");
  const fs::path root(job.out_dir);
  PW_RETURN_IF_ERROR(MakeDir(root));
  const Sequence seq = SampleSequence(job.seed, job.scene, job.seconds);
  const cv::Mat background = RenderPenBackground(seq.scene.pen, seq.scene.camera);

  H264Writer writer;
  H264Settings settings;
  settings.width = job.scene.width;
  settings.height = job.scene.height;
  settings.fps = job.fps;
  settings.gop = job.gop;
  const std::string video_name = job.name + ".mp4";
  PW_RETURN_IF_ERROR(writer.Open((root / video_name).string(), settings));

  nlohmann::json animals = nlohmann::json::array();
  for (const Animal& a : seq.scene.animals) animals.push_back(AnimalJson(a));
  nlohmann::json frames = nlohmann::json::array();
  const int frame_count = static_cast<int>(std::lround(job.seconds * job.fps));
  for (int i = 0; i < frame_count; ++i) {
    const double t = static_cast<double>(i) / job.fps;
    const std::vector<Animal> herd = AnimalsAt(seq, t);
    const RenderedScene r = RenderAnimals(background, seq.scene.camera, seq.scene.pixels_per_metre,
                                          herd, seq.scene.lighting, PhotoAt(seq, i, t));
    PW_RETURN_IF_ERROR(writer.Write(r.image));
    nlohmann::json frame = ToJson(ExtractTruth(r.ids, herd, r.full_area, job.min_visible));
    if (!job.polygons) {
      for (auto& instance : frame["instances"]) instance.erase("polygons");
    }
    nlohmann::json in_pen = nlohmann::json::array();
    for (const Animal& a : herd) in_pen.push_back(a.id);
    frame["in_pen"] = std::move(in_pen);
    frame["index"] = i;
    frame["t"] = t;
    frames.push_back(std::move(frame));
  }
  PW_RETURN_IF_ERROR(writer.Close());
  const nlohmann::json doc = {{"video", video_name},   {"seed", job.seed},
                              {"fps", job.fps},        {"gop", job.gop},
                              {"seconds", job.seconds}, {"frame_count", frame_count},
                              {"width", job.scene.width}, {"height", job.scene.height},
                              {"min_visible", job.min_visible},
                              {"pixels_per_metre", seq.scene.pixels_per_metre},
                              {"animals", std::move(animals)}, {"frames", std::move(frames)}};
  PW_RETURN_IF_ERROR(WriteText(root / (job.name + ".json"), doc.dump() + "\n"));
  spdlog::info("gen-scene: wrote {} ({} frames) to {}", video_name, frame_count, root.string());
  return core::Status::Ok();
}

}  // namespace pw::scenegen
