// RepairRecording: makes a segment left as `.part` by a crash (kill -9, power cut) playable.
//
// A segment is a fragmented MP4 (see segment_writer.h): ftyp, an empty moov, then moof+mdat
// fragments. Walking the top-level boxes finds the end of the last complete fragment; the file is
// cut there (nothing is re-encoded or rewritten) and renamed to its final `.mp4` name. A file
// without one complete fragment holds no playable picture and is removed.
// Errors: kInternal when the file cannot be read, cut or renamed (it is left as it was).
// Thread-safe (touches only the given files).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"

namespace pw::live {

struct RepairResult {
  std::filesystem::path part;        // the file found
  std::filesystem::path final_path;  // the playable file (empty when removed)
  std::string action;                // "renamed" (all complete), "truncated" or "removed"
  int fragments = 0;                 // complete fragments kept
  std::uint64_t kept_bytes = 0, dropped_bytes = 0;
};

core::Result<RepairResult> RepairRecording(const std::filesystem::path& part);

// Every `*.mp4.part` under `recordings_dir/<camera>/`, repaired; what was done is logged. Call it
// before recorders start (a recorder's own `.part` would otherwise be cut while being written).
std::vector<RepairResult> RepairRecordings(const std::filesystem::path& recordings_dir);

// The newest `.mp4` of each camera folder: the one segment a crash can have left renamed but not
// yet registered (registration follows the rename).
std::vector<std::filesystem::path> NewestRecordings(const std::filesystem::path& recordings_dir);

// At server start, before the cameras: RepairRecordings, then the files to (re-)register — the
// repaired ones and NewestRecordings (registering a known file again is harmless).
std::vector<std::filesystem::path> RecoverRecordings(const std::filesystem::path& recordings_dir);

}  // namespace pw::live
