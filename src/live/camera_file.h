// CameraFile: the cameras added through the API, kept in one JSON file (DATA_DIR/cameras.json)
// so they survive restarts. {"cameras":[{"id","name","url","transport","enabled"}, ...]}.
//
// Save() is atomic (temp file + fsync + rename): a crash leaves the old or the new list, never
// half of one. A missing file is an empty list; an unreadable one is kUnprocessable naming the file.
// Not thread-safe: the owner (CameraManager) serialises calls.
#pragma once

#include <filesystem>
#include <vector>

#include "core/status.h"
#include "live/camera_spec.h"

namespace pw::live {

core::Result<std::vector<CameraSpec>> LoadCameraFile(const std::filesystem::path& path);
core::Status SaveCameraFile(const std::filesystem::path& path, const std::vector<CameraSpec>& cameras);

}  // namespace pw::live
