#include "infer/count_command.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "infer/engine.h"
#include "infer/importer.h"
#include "infer/onnx_file.h"

namespace pw::infer {
namespace {

bool LooksLikeImage(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* e : {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}) {
    if (ext == e) return true;
  }
  return false;
}

// Export size of the model (read from the file, no import), to size the rectangular input.
int ExportLongSide(const std::filesystem::path& model, int fallback) {
  auto m = ReadOnnxFile(model);
  if (!m.ok()) return fallback;
  const auto& dims = m->graph().input(0).type().tensor_type().shape().dim();
  return dims.size() == 4 && dims[3].dim_value() > 0 ? static_cast<int>(std::max(dims[2].dim_value(), dims[3].dim_value())) : fallback;
}

std::string Plural(std::size_t n, const std::string& noun) { return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s"); }

class Counter {
 public:
  Counter(const CountCommandOptions& o, cv::Size first_frame) {
    EngineOptions eo;
    eo.model_path = o.model;
    eo.cache_dir = o.cache_dir;
    eo.workers = 1;
    eo.threads_per_net = 0;  // one frame at a time: let OpenCV use every core
    eo.postprocess = o.postprocess;
    const int imgsz = o.imgsz > 0 ? o.imgsz : ExportLongSide(o.model, 640);
    eo.input_size = o.rectangular ? RectangularInputSize(first_frame, imgsz) : cv::Size(imgsz, imgsz);
    engine_ = std::make_unique<Engine>(eo);
  }
  core::Result<std::vector<Instance>> Count(const cv::Mat& frame) {
    InferRequest r;
    r.frame = frame;
    InferResult res = engine_->Submit(std::move(r)).get();
    if (!res.status.ok()) return res.status;
    return std::move(res.instances);
  }
  std::optional<ModelInfo> model() const { return engine_->model(); }

 private:
  std::unique_ptr<Engine> engine_;
};

nlohmann::json InstancesJson(const std::vector<Instance>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& i : v) a.push_back(ToJson(i));
  return a;
}

nlohmann::json ModelJson(const std::optional<ModelInfo>& m) {
  if (!m) return nullptr;
  return {{"path", m->source_path.string()}, {"hash", m->hash}, {"task", TaskName(m->task)},
          {"classes", m->class_names}, {"input_size", {m->input_width, m->input_height}}};
}

int CountImage(const CountCommandOptions& o, std::ostream& out, std::ostream& err) {
  const cv::Mat frame = cv::imread(o.input.string(), cv::IMREAD_COLOR);
  if (frame.empty()) {
    err << fmt::format("cannot read image {}: missing or not a supported image\n", o.input.string());
    return 1;
  }
  Counter counter(o, frame.size());
  auto instances = counter.Count(frame);
  if (!instances.ok()) {
    err << instances.status().message() << "\n";
    return 1;
  }
  if (o.json) {
    out << nlohmann::json{{"input", o.input.string()}, {"model", ModelJson(counter.model())},
                          {"count", instances->size()}, {"instances", InstancesJson(*instances)}}.dump()
        << "\n";
  } else {
    out << fmt::format("{}: {}\n", o.input.filename().string(), Plural(instances->size(), "instance"));
  }
  return 0;
}

int CountVideo(const CountCommandOptions& o, std::ostream& out, std::ostream& err) {
  cv::VideoCapture cap(o.input.string(), cv::CAP_FFMPEG);
  cv::Mat frame;
  if (!cap.isOpened() || !cap.read(frame) || frame.empty()) {
    err << fmt::format("cannot read video {}: missing, unsupported or corrupt\n", o.input.string());
    return 1;
  }
  Counter counter(o, frame.size());
  nlohmann::json samples = nlohmann::json::array();
  std::vector<std::size_t> counts;
  double next_t = 0;
  do {
    const double t = cap.get(cv::CAP_PROP_POS_MSEC) / 1000.0;
    if (t + 1e-6 < next_t) continue;
    next_t = t + std::max(0.01, o.video_every_s);
    auto instances = counter.Count(frame);
    if (!instances.ok()) {
      err << instances.status().message() << "\n";
      return 1;
    }
    counts.push_back(instances->size());
    if (o.json) {
      samples.push_back({{"t", t}, {"count", instances->size()}, {"instances", InstancesJson(*instances)}});
    } else {
      out << fmt::format("t={:.2f}s count={}\n", t, instances->size());
    }
    if (o.max_video_samples > 0 && static_cast<int>(counts.size()) >= o.max_video_samples) break;
  } while (cap.read(frame) && !frame.empty());
  std::vector<std::size_t> sorted = counts;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t median = sorted.empty() ? 0 : sorted[sorted.size() / 2];
  const std::size_t max = sorted.empty() ? 0 : sorted.back();
  if (o.json) {
    out << nlohmann::json{{"input", o.input.string()}, {"model", ModelJson(counter.model())},
                          {"count", median}, {"max", max}, {"samples", samples}}.dump()
        << "\n";
  } else {
    out << fmt::format("{}: median {} over {} samples (max {})\n", o.input.filename().string(),
                       Plural(median, "instance"), counts.size(), max);
  }
  return 0;
}

}  // namespace

int RunCountCommand(const CountCommandOptions& options, std::ostream& out, std::ostream& err) {
  try {
    return LooksLikeImage(options.input) ? CountImage(options, out, err) : CountVideo(options, out, err);
  } catch (const std::exception& e) {
    err << "count failed: " << e.what() << "\n";
    return 1;
  }
}

int RunModelImportCommand(const ModelImportCommandOptions& options, std::ostream& out, std::ostream& err) {
  ImportOptions io;
  io.cache_dir = options.cache_dir;
  io.input_size = {options.width, options.height};
  auto info = ImportModel(options.model, io);
  if (!info.ok()) {
    if (options.json) {
      out << nlohmann::json{{"ok", false}, {"error", core::CodeName(info.status().code())},
                            {"message", info.status().message()}}.dump() << "\n";
    }
    err << info.status().message() << "\n";
    return 1;
  }
  if (options.json) {
    nlohmann::json j = ToJson(*info);
    j["ok"] = true;
    out << j.dump(2) << "\n";
    return 0;
  }
  out << fmt::format("{}: {} model, {} ({}), input {}x{}, opset {}\n", options.model.filename().string(),
                     TaskName(info->task), Plural(info->class_names.size(), "class"),
                     fmt::join(info->class_names, ", "), info->input_width, info->input_height, info->opset);
  out << fmt::format("imported to {}{}\n", info->imported_path.string(), info->from_cache ? " (cached)" : "");
  for (const auto& r : info->rewrites) out << "  rewrite: " << r << "\n";
  for (const auto& [phase, ms] : info->timings_ms) out << fmt::format("  {}: {:.0f} ms\n", phase, ms);
  return 0;
}

}  // namespace pw::infer
