// VideoCatalog: the registered videos (uploads and files registered in place) and what has been
// computed from each once (probe, keyframe index, thumbnail state). Keyed by the content id.
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace pw::store {

struct VideoRow {
  std::string id;            // content id (media::ContentId)
  std::string path;          // absolute path of the file
  std::string name;          // display name (the original file name)
  bool uploaded = false;     // the file lives in DATA_DIR/videos and goes with the video
  int64_t size = 0;
  std::string probe_json;    // media::ToJson(ProbeInfo)
  std::string created_at;    // ISO 8601 UTC
  std::string thumbs_state = "pending";  // pending, building, ready, failed
  std::string thumbs_error;
};

class VideoCatalog {
 public:
  virtual ~VideoCatalog() = default;
  // Adds a video with its keyframe index blob, atomically; kConflict when the id exists.
  virtual core::Status InsertVideo(const VideoRow& row, const std::vector<uint8_t>& keyframes) = 0;
  virtual core::Result<std::optional<VideoRow>> GetVideo(const std::string& id) = 0;
  virtual core::Result<std::vector<VideoRow>> ListVideos() = 0;
  virtual core::Result<std::vector<uint8_t>> LoadKeyframes(const std::string& id) = 0;
  virtual core::Status SetThumbnailState(const std::string& id, const std::string& state,
                                         const std::string& error) = 0;
  // kNotFound when there is no such video.
  virtual core::Status DeleteVideo(const std::string& id) = 0;
};

}  // namespace pw::store
