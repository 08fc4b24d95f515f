// VideoLibrary: the recorded weighing videos PigWeight knows — uploaded into DATA_DIR/videos or
// registered where they lie (a NAS archive) — and what is served from them: the HLS VOD playlist
// and segments (remuxed on demand, cached in a bounded LRU), the exact frame at a time as JPEG,
// and keyframe thumbnail sprites built in the background.
//
// A video's id is its content id: the same bytes registered twice are one video. Registration
// probes the file and builds its keyframe index before anything is stored, so a file that cannot
// be read leaves nothing behind (kUnprocessable with the reason).
//
// Blocking calls (registration, segments, frames) must run off the network threads.
// Thread-safe. Owns the thumbnail worker thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "library/lru_cache.h"
#include "media/cancel_token.h"
#include "media/decoder_pool.h"
#include "media/hls_remuxer.h"
#include "media/keyframe_index.h"
#include "store/videos.h"

namespace pw::library {

struct LibraryOptions {
  std::filesystem::path data_dir;
  std::size_t segment_cache_bytes = 256u << 20;
  int jpeg_quality = 80;
  std::size_t open_videos = 16;  // videos with an open remuxer at once (each holds a few files)
};

// What a background job needs to read a video itself (the indexer).
struct VideoSource {
  std::string id;
  std::filesystem::path path;
  std::shared_ptr<const media::KeyframeIndex> index;
  int width = 0, height = 0;  // of the video stream (from the probe)
  double fps = 0;
};

class VideoLibrary {
 public:
  // Called with (topic, json) when a video changes (thumbnail progress, registration).
  using Notify = std::function<void(const std::string& video_id, const nlohmann::json& event)>;

  VideoLibrary(LibraryOptions options, store::VideoCatalog& catalog, Notify notify = {});
  ~VideoLibrary();
  VideoLibrary(const VideoLibrary&) = delete;
  VideoLibrary& operator=(const VideoLibrary&) = delete;

  // Resumes thumbnail jobs left unfinished by a previous run.
  void Start();
  // Also tells `observer` (besides the Notify given at construction) when a video is registered
  // ({"type":"video","action":"registered"}) or deleted ("deleted"); called on the thread that
  // did it, so it must be quick. Add observers before Start().
  void AddObserver(Notify observer);
  // The file and keyframe index of a video (kNotFound when unknown).
  core::Result<VideoSource> Source(const std::string& id);

  // Registers one file where it lies. Same content already registered: that video, with
  // "existing": true. Errors: kNotFound (no file), kUnprocessable (not a readable video).
  core::Result<nlohmann::json> RegisterFile(const std::filesystem::path& path);
  // A file or a folder (recursively, video extensions only): {"videos": [...], "errors": [...]}.
  core::Result<nlohmann::json> RegisterPath(const std::filesystem::path& path);
  // A completed upload at `part` (any name): probed, indexed, then renamed atomically to
  // DATA_DIR/videos/<id><ext of display_name>. The part file is gone afterwards in every case.
  core::Result<nlohmann::json> RegisterUpload(const std::filesystem::path& part, const std::string& display_name);

  core::Result<nlohmann::json> List();
  core::Result<nlohmann::json> Get(const std::string& id);
  // Removes the video, its thumbnails and caches; the file too when it was uploaded.
  core::Status Delete(const std::string& id);

  // HLS VOD. `base` is the URL folder the playlist's relative URIs resolve against.
  core::Result<std::string> Playlist(const std::string& id);
  // "init.mp4", "seg_12.m4s" or "seg_12.ts": the bytes and their MIME type.
  struct Part {
    std::shared_ptr<const std::string> bytes;
    std::string mime;
  };
  core::Result<Part> HlsPart(const std::string& id, const std::string& file);

  // The frame shown at media time t, as JPEG `width` px wide (0: original). A newer request with
  // the same `client` key cancels this one (kCancelled).
  core::Result<media::JpegFrame> FrameJpeg(const std::string& id, double t, int width,
                                           const std::string& client);

  // The same frame as BGR pixels (for inference and evidence). `client` empty: never superseded.
  core::Result<media::Frame> FrameAt(const std::string& id, double t, int width, const std::string& client = "");

  // DATA_DIR/thumbs/<id>: thumbnails.json, thumbnails.vtt and sprite_NNN.jpg once ready.
  std::filesystem::path ThumbnailDir(const std::string& id) const;
  const std::filesystem::path& videos_dir() const { return videos_dir_; }
  const std::filesystem::path& thumbs_dir() const { return thumbs_dir_; }

 private:
  struct Open;  // a video with its index and (lazily) its remuxer
  core::Result<std::shared_ptr<Open>> Load(const std::string& id);
  core::Result<nlohmann::json> Describe(const store::VideoRow& row);
  void EnqueueThumbnails(const std::string& id);
  void Announce(const std::string& id, const nlohmann::json& event);
  void ThumbnailLoop();
  void BuildThumbnailsFor(const std::string& id);

  LibraryOptions options_;
  store::VideoCatalog& catalog_;
  Notify notify_;
  std::mutex observers_mu_;
  std::vector<Notify> observers_;
  std::filesystem::path videos_dir_;
  std::filesystem::path thumbs_dir_;
  std::mutex register_mu_;  // one registration at a time: content-id dedupe without races

  std::mutex open_mu_;
  std::list<std::shared_ptr<Open>> open_;  // most recent first, at most options_.open_videos
  LruCache<std::string> segments_;
  media::DecoderPool decoders_;
  media::Superseder superseder_;

  // Thumbnail worker: one video at a time, in order; ids are unique in the queue.
  std::mutex thumbs_mu_;
  std::condition_variable thumbs_cv_;
  std::deque<std::string> thumbs_queue_;
  std::string thumbs_current_;
  media::CancelToken thumbs_cancel_;
  bool stopping_ = false;
  std::thread thumbs_thread_;
};

// True for file names with a video extension we register from folders.
bool LooksLikeVideo(const std::filesystem::path& path);

}  // namespace pw::library
