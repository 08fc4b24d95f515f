// ContentId: a fast identity for a video file's content, independent of its name.
//
// Hashes the size plus sampled blocks (first, middle and last MiB and 16 evenly spaced 64 KiB
// blocks; the whole file when it is small) into 128 bits, returned as 32 lowercase hex digits.
// Same bytes -> same id; files that differ in size or in any sampled block -> different ids
// (edits confined to unsampled bytes are not seen: a full hash is the caller's background job).
// Reads at most ~5 MiB whatever the file size. Thread-safe.
#pragma once

#include <filesystem>
#include <string>

#include "core/status.h"

namespace pw::media {

core::Result<std::string> ContentId(const std::filesystem::path& path);

}  // namespace pw::media
