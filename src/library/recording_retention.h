// Recording retention: a camera recording all day writes gigabytes per hour, and a station runs
// unattended for months, so recordings older than RECORD_KEEP_DAYS are deleted — from the video
// library (with their index and thumbnails) and from the disk — except the ones a weighing was
// taken from, which are kept as its evidence for as long as the journal row exists.
//
// Only files under the recordings folder are ever touched: uploads and videos registered where
// they lie are the operator's and are never deleted here. Age is the file's last write (the end of
// the segment). Unregistered finished segments there (their registration failed) follow the same
// rule; `.part` files (being written, or waiting for repair) are left alone.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "library/video_library.h"
#include "store/journal.h"
#include "store/videos.h"

namespace pw::library {

struct RetentionReport {
  int deleted = 0;                 // recordings removed (registered or not)
  std::uint64_t bytes_freed = 0;
  int kept_for_weighings = 0;      // old enough, but a weighing refers to them
  std::vector<std::string> errors; // one line per recording that could not be removed
};

// Deletes the recordings under `dir` last written before `now - keep_days`. keep_days <= 0: none.
core::Result<RetentionReport> SweepRecordings(const std::filesystem::path& dir, int keep_days,
                                              std::chrono::system_clock::time_point now, VideoLibrary& library,
                                              store::VideoCatalog& catalog, store::Journal& journal);

}  // namespace pw::library
