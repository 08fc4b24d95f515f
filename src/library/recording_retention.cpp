#include "library/recording_retention.h"

#include <set>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace pw::library {

namespace fs = std::filesystem;

namespace {

bool IsUnder(const fs::path& file, const fs::path& dir) {
  const fs::path rel = file.lexically_normal().lexically_relative(dir.lexically_normal());
  return !rel.empty() && *rel.begin() != ".." && *rel.begin() != ".";
}

}  // namespace

core::Result<RetentionReport> SweepRecordings(const fs::path& dir, int keep_days, std::chrono::system_clock::time_point now,
                                              VideoLibrary& library, store::VideoCatalog& catalog,
                                              store::Journal& journal) {
  RetentionReport report;
  std::error_code ec;
  if (keep_days <= 0 || !fs::is_directory(dir, ec)) return report;
  const fs::path root = fs::weakly_canonical(dir, ec);
  if (ec) return core::Status::Internal(fmt::format("recordings folder {}: {}", dir.string(), ec.message()));
  const auto cutoff = now - std::chrono::hours(24) * keep_days;
  auto old_enough = [&](const fs::path& file, std::uintmax_t* size) {
    std::error_code e;
    const auto written = fs::last_write_time(file, e);
    if (e) return false;
    *size = fs::file_size(file, e);
    if (e) *size = 0;
    return std::chrono::file_clock::to_sys(written) < cutoff;
  };

  auto referenced_list = journal.ReferencedVideos();
  if (!referenced_list.ok()) return referenced_list.status();  // unsure what is evidence: delete nothing
  const std::set<std::string> referenced(referenced_list->begin(), referenced_list->end());
  auto videos = catalog.ListVideos();
  if (!videos.ok()) return videos.status();

  std::set<fs::path> registered;
  for (const auto& row : *videos) {
    const fs::path path = fs::weakly_canonical(row.path, ec);
    if (ec || !IsUnder(path, root)) continue;
    registered.insert(path);
    std::uintmax_t size = 0;
    if (!old_enough(path, &size)) continue;  // also a missing file (an unmounted disk): left alone
    if (referenced.count(row.id) != 0) {
      report.kept_for_weighings++;
      continue;
    }
    if (auto st = library.Delete(row.id); !st.ok()) {
      report.errors.push_back(fmt::format("{} ({}): {}", path.string(), row.id, st.message()));
      continue;
    }
    if (!fs::remove(path, ec) && ec) {
      report.errors.push_back(fmt::format("{}: removed from the library, but the file stays: {}", path.string(), ec.message()));
      continue;
    }
    report.deleted++;
    report.bytes_freed += size;
  }

  // Finished segments that never made it into the library.
  std::error_code walk;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, walk);
       !walk && it != fs::recursive_directory_iterator(); it.increment(walk)) {
    std::error_code e;
    if (!it->is_regular_file(e) || it->path().extension() != ".mp4") continue;
    const fs::path path = fs::weakly_canonical(it->path(), e);
    if (e || registered.count(path) != 0) continue;
    std::uintmax_t size = 0;
    if (!old_enough(path, &size)) continue;
    if (fs::remove(path, e)) {
      report.deleted++;
      report.bytes_freed += size;
    } else if (e) {
      report.errors.push_back(fmt::format("{}: {}", path.string(), e.message()));
    }
  }
  if (walk) report.errors.push_back(fmt::format("{}: {}", root.string(), walk.message()));
  return report;
}

}  // namespace pw::library
