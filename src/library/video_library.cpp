#include "library/video_library.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <system_error>

#include "media/content_id.h"
#include "media/probe.h"
#include "media/thumbnails.h"

namespace pw::library {

namespace fs = std::filesystem;
using core::Result;
using core::Status;

struct VideoLibrary::Open {
  store::VideoRow row;
  std::shared_ptr<const media::KeyframeIndex> index;
  int width = 0, height = 0;  // parsed from row.probe_json once, at load
  double fps = 0;
  std::mutex mu;
  std::shared_ptr<media::HlsRemuxer> remuxer;  // created on first HLS request
  Status remuxer_error;
};

bool LooksLikeVideo(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* known : {".mp4", ".m4v", ".mov", ".mkv", ".ts", ".mts", ".m2ts", ".avi", ".webm", ".dav"}) {
    if (ext == known) return true;
  }
  return false;
}

namespace {

std::size_t StringSize(const std::string& s) { return s.size(); }

void WriteFileAtomically(const fs::path& path, const std::string& content) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
}

// A probed and indexed file, ready to be stored.
struct Inspected {
  media::ProbeInfo probe;
  std::string id;
  media::KeyframeIndex index;
};

Result<Inspected> Inspect(const fs::path& path) {
  auto probe = media::Probe(path);
  if (!probe.ok()) return probe.status();
  auto id = media::ContentId(path);
  if (!id.ok()) return id.status();
  auto index = media::BuildKeyframeIndex(path);
  if (!index.ok()) return index.status();
  return Inspected{std::move(probe).value(), std::move(id).value(), std::move(index).value()};
}

std::vector<uint8_t> Blob(const media::KeyframeIndex& index) {
  std::string b = index.ToBlob();
  return {b.begin(), b.end()};
}

}  // namespace

VideoLibrary::VideoLibrary(LibraryOptions options, store::VideoCatalog& catalog, Notify notify)
    : options_(std::move(options)),
      catalog_(catalog),
      notify_(std::move(notify)),
      videos_dir_(options_.data_dir / "videos"),
      thumbs_dir_(options_.data_dir / "thumbs"),
      segments_(options_.segment_cache_bytes, &StringSize) {
  std::error_code ec;
  fs::create_directories(videos_dir_, ec);
  fs::create_directories(thumbs_dir_, ec);
  thumbs_thread_ = std::thread([this] { ThumbnailLoop(); });
}

VideoLibrary::~VideoLibrary() {
  {
    std::lock_guard lock(thumbs_mu_);
    stopping_ = true;
    thumbs_cancel_.Cancel();
  }
  thumbs_cv_.notify_all();
  thumbs_thread_.join();
}

void VideoLibrary::Start() {
  auto rows = catalog_.ListVideos();
  if (!rows.ok()) {
    spdlog::error("library: cannot list videos: {}", rows.status().message());
    return;
  }
  for (const auto& row : *rows) {
    if (row.thumbs_state == "pending" || row.thumbs_state == "building") EnqueueThumbnails(row.id);
  }
}

Result<nlohmann::json> VideoLibrary::Describe(const store::VideoRow& row) {
  nlohmann::json probe = nlohmann::json::parse(row.probe_json, nullptr, false);
  const nlohmann::json video = probe.is_object() ? probe.value("video", nlohmann::json::object()) : nlohmann::json::object();
  const bool playable = video.value("browser_playable", false);
  nlohmann::json j = {
      {"id", row.id},
      {"name", row.name},
      {"path", row.path},
      {"uploaded", row.uploaded},
      {"size", row.size},
      {"created_at", row.created_at},
      {"probe", probe},
      {"status",
       {{"probe", "done"},
        {"keyframes", "done"},
        {"thumbnails", row.thumbs_state},
        {"thumbnails_error", row.thumbs_error},
        {"playable", playable}}},
      {"hls", "/api/videos/" + row.id + "/hls/index.m3u8"},
  };
  if (!playable) {
    j["status"]["unsupported"] = "codec " + video.value("codec", std::string("?")) +
                                 " does not play in browsers; PigWeight does not transcode it (yet)";
  }
  return j;
}

Result<nlohmann::json> VideoLibrary::RegisterFile(const fs::path& path) {
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  if (!fs::is_regular_file(abs, ec)) return Status::NotFound("no file at " + path.string());
  std::lock_guard lock(register_mu_);
  auto inspected = Inspect(abs);
  if (!inspected.ok()) return inspected.status();
  auto existing = catalog_.GetVideo(inspected->id);
  if (!existing.ok()) return existing.status();
  if (*existing) {
    auto j = Describe(**existing);
    if (j.ok()) (*j)["existing"] = true;
    return j;
  }
  store::VideoRow row;
  row.id = inspected->id;
  row.path = abs.string();
  row.name = abs.filename().string();
  row.uploaded = false;
  row.size = inspected->probe.file_size;
  row.probe_json = media::ToJson(inspected->probe).dump();
  PW_RETURN_IF_ERROR(catalog_.InsertVideo(row, Blob(inspected->index)));
  spdlog::info("library: registered {} as {} ({:.0f} s, {} keyframes)", row.path, row.id,
               inspected->index.duration_sec(), inspected->index.keyframes.size());
  EnqueueThumbnails(row.id);
  Announce(row.id, {{"type", "video"}, {"video", row.id}, {"action", "registered"}});
  auto stored = catalog_.GetVideo(row.id);
  if (!stored.ok() || !*stored) return Status::Internal("video vanished after registration");
  return Describe(**stored);
}

Result<nlohmann::json> VideoLibrary::RegisterPath(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return Status::NotFound("no file or folder at " + path.string());
  nlohmann::json videos = nlohmann::json::array();
  nlohmann::json errors = nlohmann::json::array();
  auto add = [&](const fs::path& file) {
    auto r = RegisterFile(file);
    if (r.ok()) {
      videos.push_back(*r);
    } else {
      errors.push_back({{"path", file.string()}, {"code", core::CodeName(r.status().code())},
                        {"message", r.status().message()}});
    }
  };
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && LooksLikeVideo(it->path())) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) add(f);
  } else {
    add(path);
  }
  if (videos.empty() && errors.size() == 1 && !fs::is_directory(path, ec)) {
    const auto& e = errors[0];
    core::Code code = e["code"] == "not_found" ? core::Code::kNotFound : core::Code::kUnprocessable;
    return Status(code, e["message"].get<std::string>());
  }
  return nlohmann::json{{"videos", videos}, {"errors", errors}};
}

Result<nlohmann::json> VideoLibrary::RegisterUpload(const fs::path& part, const std::string& display_name) {
  std::error_code ec;
  auto discard = [&] { fs::remove(part, ec); };
  std::lock_guard lock(register_mu_);
  auto inspected = Inspect(part);
  if (!inspected.ok()) {
    discard();
    return inspected.status();
  }
  auto existing = catalog_.GetVideo(inspected->id);
  if (!existing.ok()) {
    discard();
    return existing.status();
  }
  if (*existing) {  // the same content again: keep one copy
    discard();
    auto j = Describe(**existing);
    if (j.ok()) (*j)["existing"] = true;
    return j;
  }
  std::string ext = fs::path(display_name).extension().string();
  if (!LooksLikeVideo(fs::path("x" + ext))) ext = ".mp4";
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  fs::path final_path = fs::absolute(videos_dir_ / (inspected->id + ext));
  fs::rename(part, final_path, ec);
  if (ec) {
    discard();
    return Status::Internal("cannot move the upload into " + videos_dir_.string() + ": " + ec.message());
  }
  store::VideoRow row;
  row.id = inspected->id;
  row.path = final_path.string();
  row.name = display_name.empty() ? final_path.filename().string() : fs::path(display_name).filename().string();
  row.uploaded = true;
  row.size = inspected->probe.file_size;
  row.probe_json = media::ToJson(inspected->probe).dump();
  if (Status st = catalog_.InsertVideo(row, Blob(inspected->index)); !st.ok()) {
    fs::remove(final_path, ec);
    return st;
  }
  spdlog::info("library: upload '{}' stored as {}", row.name, row.path);
  EnqueueThumbnails(row.id);
  Announce(row.id, {{"type", "video"}, {"video", row.id}, {"action", "registered"}});
  auto stored = catalog_.GetVideo(row.id);
  if (!stored.ok() || !*stored) return Status::Internal("video vanished after registration");
  return Describe(**stored);
}

Result<nlohmann::json> VideoLibrary::List() {
  auto rows = catalog_.ListVideos();
  if (!rows.ok()) return rows.status();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& row : *rows) {
    auto j = Describe(row);
    if (j.ok()) out.push_back(std::move(j).value());
  }
  return nlohmann::json{{"videos", out}};
}

Result<nlohmann::json> VideoLibrary::Get(const std::string& id) {
  auto row = catalog_.GetVideo(id);
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no video " + id);
  return Describe(**row);
}

Status VideoLibrary::Delete(const std::string& id) {
  auto row = catalog_.GetVideo(id);
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no video " + id);
  {
    std::lock_guard lock(thumbs_mu_);
    thumbs_queue_.erase(std::remove(thumbs_queue_.begin(), thumbs_queue_.end(), id), thumbs_queue_.end());
    if (thumbs_current_ == id) thumbs_cancel_.Cancel();
  }
  PW_RETURN_IF_ERROR(catalog_.DeleteVideo(id));
  {
    std::lock_guard lock(open_mu_);
    open_.remove_if([&](const std::shared_ptr<Open>& o) { return o->row.id == id; });
  }
  segments_.EraseWithPrefix(id + "/");
  decoders_.Forget(id);
  std::error_code ec;
  fs::remove_all(ThumbnailDir(id), ec);
  if ((*row)->uploaded) fs::remove((*row)->path, ec);
  spdlog::info("library: deleted video {}{}", id, (*row)->uploaded ? " and its file" : "");
  Announce(id, {{"type", "video"}, {"video", id}, {"action", "deleted"}});
  return Status::Ok();
}

void VideoLibrary::AddObserver(Notify observer) {
  std::lock_guard lock(observers_mu_);
  observers_.push_back(std::move(observer));
}

void VideoLibrary::Announce(const std::string& id, const nlohmann::json& event) {
  if (notify_) notify_(id, event);
  std::vector<Notify> observers;
  {
    std::lock_guard lock(observers_mu_);
    observers = observers_;
  }
  for (const auto& o : observers) o(id, event);
}

Result<VideoSource> VideoLibrary::Source(const std::string& id) {
  auto open = Load(id);
  if (!open.ok()) return open.status();
  const Open& o = **open;
  return VideoSource{o.row.id, o.row.path, o.index, o.width, o.height, o.fps};
}

Result<std::shared_ptr<VideoLibrary::Open>> VideoLibrary::Load(const std::string& id) {
  {
    std::lock_guard lock(open_mu_);
    for (auto it = open_.begin(); it != open_.end(); ++it) {
      if ((*it)->row.id == id) {
        open_.splice(open_.begin(), open_, it);
        return open_.front();
      }
    }
  }
  auto row = catalog_.GetVideo(id);
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no video " + id);
  auto blob = catalog_.LoadKeyframes(id);
  if (!blob.ok()) return blob.status();
  auto index = media::KeyframeIndex::FromBlob(
      std::string_view(reinterpret_cast<const char*>(blob->data()), blob->size()));
  if (!index.ok()) return index.status().WithContext("stored keyframe index of " + id);
  auto open = std::make_shared<Open>();
  open->row = **row;
  open->index = std::make_shared<const media::KeyframeIndex>(std::move(index).value());
  auto probe = nlohmann::json::parse(open->row.probe_json, nullptr, false);
  if (probe.is_object() && probe.contains("video") && probe["video"].is_object()) {
    open->width = probe["video"].value("width", 0);
    open->height = probe["video"].value("height", 0);
    open->fps = probe["video"].value("fps", 0.0);
  }
  std::lock_guard lock(open_mu_);
  open_.push_front(open);
  while (open_.size() > options_.open_videos) open_.pop_back();
  return open;
}

Result<std::string> VideoLibrary::Playlist(const std::string& id) {
  auto part = HlsPart(id, "index.m3u8");
  if (!part.ok()) return part.status();
  return *part->bytes;
}

Result<VideoLibrary::Part> VideoLibrary::HlsPart(const std::string& id, const std::string& file) {
  auto open = Load(id);
  if (!open.ok()) return open.status();
  std::shared_ptr<media::HlsRemuxer> remuxer;
  {
    std::lock_guard lock((*open)->mu);
    if (!(*open)->remuxer && (*open)->remuxer_error.ok()) {
      // fMP4 first; TS for streams fMP4 cannot carry.
      auto r = media::HlsRemuxer::Create((*open)->row.path, *(*open)->index, {});
      if (!r.ok() && r.status().code() == core::Code::kUnprocessable) {
        media::HlsRemuxer::Options ts;
        ts.format = media::SegmentFormat::kTs;
        r = media::HlsRemuxer::Create((*open)->row.path, *(*open)->index, ts);
      }
      if (r.ok()) (*open)->remuxer = std::shared_ptr<media::HlsRemuxer>(std::move(r).value());
      else (*open)->remuxer_error = r.status();
    }
    if (!(*open)->remuxer_error.ok()) return (*open)->remuxer_error;
    remuxer = (*open)->remuxer;
  }
  const bool ts = remuxer->format() == media::SegmentFormat::kTs;
  const std::string seg_ext = ts ? ".ts" : ".m4s";
  if (file == "index.m3u8") {
    auto text = std::make_shared<const std::string>(remuxer->Playlist(
        ts ? "" : "init.mp4", [&](std::size_t i) { return "seg_" + std::to_string(i) + seg_ext; }));
    return Part{text, "application/vnd.apple.mpegurl"};
  }
  const std::string key = id + "/" + file;
  if (auto hit = segments_.Get(key)) return Part{hit, ts ? "video/mp2t" : (file == "init.mp4" ? "video/mp4" : "video/iso.segment")};
  Result<std::string> bytes = Status::NotFound("no HLS part " + file + " (playlist: index.m3u8)");
  std::string mime;
  static const std::regex kSegment(R"(seg_(\d{1,7})\.(m4s|ts))");
  std::smatch m;
  if (file == "init.mp4" && !ts) {
    bytes = remuxer->InitSegment();
    mime = "video/mp4";
  } else if (std::regex_match(file, m, kSegment) && "." + m[2].str() == seg_ext) {
    std::size_t i = std::stoul(m[1]);
    if (i >= remuxer->plan().segments.size()) return Status::NotFound("segment " + m[1].str() + " is past the end");
    bytes = remuxer->Segment(i);
    mime = ts ? "video/mp2t" : "video/iso.segment";
  }
  if (!bytes.ok()) return bytes.status();
  auto shared = std::make_shared<const std::string>(std::move(bytes).value());
  segments_.Put(key, shared);
  return Part{shared, mime};
}

Result<media::JpegFrame> VideoLibrary::FrameJpeg(const std::string& id, double t, int width,
                                                 const std::string& client) {
  auto open = Load(id);
  if (!open.ok()) return open.status();
  media::CancelToken token = superseder_.Begin(client + "|" + id);
  return decoders_.JpegAt(id, (*open)->row.path, (*open)->index, t, width, options_.jpeg_quality, &token);
}

Result<media::Frame> VideoLibrary::FrameAt(const std::string& id, double t, int width, const std::string& client) {
  auto open = Load(id);
  if (!open.ok()) return open.status();
  if (client.empty()) return decoders_.FrameAt(id, (*open)->row.path, (*open)->index, t, width);
  media::CancelToken token = superseder_.Begin(client + "|" + id);
  return decoders_.FrameAt(id, (*open)->row.path, (*open)->index, t, width, &token);
}

fs::path VideoLibrary::ThumbnailDir(const std::string& id) const { return thumbs_dir_ / id; }

void VideoLibrary::EnqueueThumbnails(const std::string& id) {
  {
    std::lock_guard lock(thumbs_mu_);
    if (std::find(thumbs_queue_.begin(), thumbs_queue_.end(), id) != thumbs_queue_.end()) return;
    thumbs_queue_.push_back(id);
  }
  thumbs_cv_.notify_one();
}

void VideoLibrary::ThumbnailLoop() {
  pthread_setname_np(pthread_self(), "pw-thumbs");
  for (;;) {
    std::string id;
    {
      std::unique_lock lock(thumbs_mu_);
      thumbs_cv_.wait(lock, [this] { return stopping_ || !thumbs_queue_.empty(); });
      if (stopping_) return;
      id = thumbs_queue_.front();
      thumbs_queue_.pop_front();
      thumbs_current_ = id;
      thumbs_cancel_ = media::CancelToken();
    }
    BuildThumbnailsFor(id);
    std::lock_guard lock(thumbs_mu_);
    thumbs_current_.clear();
  }
}

void VideoLibrary::BuildThumbnailsFor(const std::string& id) {
  auto open = Load(id);
  if (!open.ok()) return;  // deleted meanwhile
  media::CancelToken cancel;
  {
    std::lock_guard lock(thumbs_mu_);
    cancel = thumbs_cancel_;
  }
  (void)catalog_.SetThumbnailState(id, "building", "");
  fs::path dir = ThumbnailDir(id);
  std::size_t last_percent = 0;
  auto progress = [&](std::size_t done, std::size_t total) {
    std::size_t percent = total ? done * 100 / total : 100;
    if (notify_ && percent >= last_percent + 10) {
      last_percent = percent;
      notify_(id, {{"type", "thumbnails"}, {"video", id}, {"progress", percent / 100.0}});
    }
  };
  auto set = media::BuildThumbnails((*open)->row.path, *(*open)->index, dir, {}, progress, &cancel);
  if (!set.ok()) {
    if (set.status().code() == core::Code::kCancelled) return;
    spdlog::warn("library: thumbnails of {} failed: {}", id, set.status().message());
    (void)catalog_.SetThumbnailState(id, "failed", set.status().message());
    return;
  }
  WriteFileAtomically(dir / "thumbnails.json", media::ThumbnailsJson(*set).dump());
  WriteFileAtomically(dir / "thumbnails.vtt", media::ThumbnailsVtt(*set, "/api/videos/" + id + "/thumbs/"));
  (void)catalog_.SetThumbnailState(id, "ready", "");
  if (notify_) notify_(id, {{"type", "thumbnails"}, {"video", id}, {"progress", 1.0}, {"state", "ready"}});
  spdlog::info("library: thumbnails of {} ready ({} sheets)", id, set->sheets.size());
}

}  // namespace pw::library
