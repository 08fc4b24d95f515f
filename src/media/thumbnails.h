// Scrubbing thumbnails: one small picture per keyframe, packed into sprite-sheet JPEGs, with a
// map from media time to (sheet, x, y, w, h) as JSON or WebVTT.
//
// BuildThumbnails reads the file once, decoding keyframes only, and writes sheet files
// `sprite_000.jpg`, `sprite_001.jpg`, ... into `out_dir` (created if needed). Meant for a
// background job: reports progress, stops with kCancelled when `cancel` fires (sheets written so
// far stay; a rerun overwrites them). Errors: kUnprocessable for an unreadable video, kInternal
// when a sheet cannot be written. Thread-safe (no shared state).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/status.h"
#include "media/cancel_token.h"
#include "media/keyframe_index.h"

namespace pw::media {

struct ThumbnailOptions {
  int width = 160;           // tile width; height keeps the aspect ratio
  int columns = 10;
  int rows = 10;
  int jpeg_quality = 70;
  double min_interval_sec = 0;  // skip keyframes closer than this to the previous thumbnail
};

struct ThumbnailTile {
  double start_sec = 0;  // media time from which this thumbnail stands for the video
  double end_sec = 0;
  int sheet = 0;
  int x = 0, y = 0, w = 0, h = 0;
};

struct ThumbnailSet {
  std::vector<std::string> sheets;  // file names inside out_dir
  std::vector<ThumbnailTile> tiles;
};

// progress(done, total) is called after each thumbnail (total = keyframes considered).
core::Result<ThumbnailSet> BuildThumbnails(
    const std::filesystem::path& video, const KeyframeIndex& index,
    const std::filesystem::path& out_dir, const ThumbnailOptions& options = {},
    const std::function<void(size_t, size_t)>& progress = nullptr,
    const CancelToken* cancel = nullptr);

// {"tiles":[{"start":..,"end":..,"sheet":"sprite_000.jpg","x":..,"y":..,"w":..,"h":..}]}
nlohmann::json ThumbnailsJson(const ThumbnailSet& set);
// WebVTT with cues "sprite_000.jpg#xywh=x,y,w,h"; `url_prefix` is put before each sheet name.
std::string ThumbnailsVtt(const ThumbnailSet& set, const std::string& url_prefix = "");

}  // namespace pw::media
