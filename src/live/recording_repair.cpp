#include "live/recording_repair.h"

#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "live/segment_writer.h"

namespace pw::live {

namespace fs = std::filesystem;
using core::Status;

namespace {

uint64_t BigEndian(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

struct Walk {
  uint64_t good_end = 0;  // end of the last complete fragment (or of the header)
  int fragments = 0;
  bool header = false;    // ftyp + moov complete
};

// Top-level boxes from the start: good_end moves past a complete header and past each complete
// moof+mdat pair; the walk stops at the first box that runs past the end of the file.
Walk WalkBoxes(std::ifstream& in, uint64_t size) {
  Walk w;
  uint64_t offset = 0;
  bool have_ftyp = false, pending_moof = false;
  while (offset + 8 <= size) {
    std::array<unsigned char, 16> h{};
    in.seekg(static_cast<std::streamoff>(offset));
    if (!in.read(reinterpret_cast<char*>(h.data()), 8)) break;
    uint64_t box = BigEndian(h.data(), 4);
    const std::string type(reinterpret_cast<const char*>(h.data() + 4), 4);
    if (box == 1) {
      if (offset + 16 > size || !in.read(reinterpret_cast<char*>(h.data() + 8), 8)) break;
      box = BigEndian(h.data() + 8, 8);
    }
    if (box < 8 || offset + box > size) break;  // size 0 (to end of file) or cut short
    const uint64_t end = offset + box;
    if (type == "ftyp") {
      have_ftyp = true;
    } else if (type == "moov" && have_ftyp) {
      w.header = true;
      w.good_end = end;
    } else if (type == "moof") {
      pending_moof = true;
    } else if (type == "mdat" && pending_moof && w.header) {
      pending_moof = false;
      ++w.fragments;
      w.good_end = end;
    } else if (type == "mfra" && w.header) {
      w.good_end = end;
    }
    offset = end;
  }
  return w;
}

fs::path FinalName(const fs::path& part) {
  fs::path final_path = part;
  final_path.replace_extension();  // drop ".part"
  std::error_code ec;
  for (int n = 1; fs::exists(final_path, ec); ++n) {
    final_path = part.parent_path() / (part.stem().stem().string() + "-" + std::to_string(n) + ".mp4");
  }
  return final_path;
}

}  // namespace

core::Result<RepairResult> RepairRecording(const fs::path& part) {
  RepairResult r;
  r.part = part;
  std::error_code ec;
  const uint64_t size = fs::file_size(part, ec);
  if (ec) return Status::Internal("cannot read the unfinished recording " + part.string() + ": " + ec.message());
  Walk w;
  {
    std::ifstream in(part, std::ios::binary);
    if (!in) return Status::Internal("cannot open the unfinished recording " + part.string());
    w = WalkBoxes(in, size);
  }
  r.fragments = w.fragments;
  if (w.fragments == 0) {
    if (!fs::remove(part, ec) && ec) return Status::Internal("cannot remove " + part.string() + ": " + ec.message());
    r.action = "removed";
    r.dropped_bytes = size;
    return r;
  }
  if (w.good_end < size) {
    if (::truncate(part.c_str(), static_cast<off_t>(w.good_end)) != 0) {
      return Status::Internal("cannot cut " + part.string() + " to its last complete fragment: " + std::strerror(errno));
    }
    r.action = "truncated";
  } else {
    r.action = "renamed";
  }
  r.kept_bytes = w.good_end;
  r.dropped_bytes = size - w.good_end;
  (void)SyncPath(part);
  r.final_path = FinalName(part);
  if (std::rename(part.c_str(), r.final_path.c_str()) != 0) {
    return Status::Internal("cannot rename " + part.string() + ": " + std::strerror(errno));
  }
  (void)SyncPath(part.parent_path());
  return r;
}

std::vector<RepairResult> RepairRecordings(const fs::path& recordings_dir) {
  std::vector<RepairResult> out;
  std::error_code ec;
  if (!fs::is_directory(recordings_dir, ec)) return out;
  std::vector<fs::path> parts;
  for (const auto& cam : fs::directory_iterator(recordings_dir, ec)) {
    if (!cam.is_directory(ec)) continue;
    for (const auto& f : fs::directory_iterator(cam.path(), ec)) {
      const std::string name = f.path().filename().string();
      if (f.is_regular_file(ec) && name.size() > 9 && name.ends_with(".mp4.part")) parts.push_back(f.path());
    }
  }
  std::sort(parts.begin(), parts.end());
  for (const auto& p : parts) {
    auto r = RepairRecording(p);
    if (!r.ok()) {
      spdlog::error("recordings: {}", r.status().message());
      continue;
    }
    if (r->action == "removed") {
      spdlog::warn("recordings: {} was left by a crash without one complete fragment ({} bytes): removed",
                   p.string(), r->dropped_bytes);
    } else {
      spdlog::warn("recordings: {} was left by a crash: {} fragments kept ({} bytes{}), now {}", p.string(),
                   r->fragments, r->kept_bytes,
                   r->dropped_bytes ? ", " + std::to_string(r->dropped_bytes) + " bytes of an incomplete fragment cut" : "",
                   r->final_path.filename().string());
    }
    out.push_back(std::move(*r));
  }
  return out;
}

std::vector<fs::path> NewestRecordings(const fs::path& recordings_dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(recordings_dir, ec)) return out;
  for (const auto& cam : fs::directory_iterator(recordings_dir, ec)) {
    if (!cam.is_directory(ec)) continue;
    fs::path newest;
    fs::file_time_type newest_time{};
    for (const auto& f : fs::directory_iterator(cam.path(), ec)) {
      if (!f.is_regular_file(ec) || f.path().extension() != ".mp4") continue;
      auto t = f.last_write_time(ec);
      if (newest.empty() || t > newest_time) {
        newest = f.path();
        newest_time = t;
      }
    }
    if (!newest.empty()) out.push_back(newest);
  }
  return out;
}

std::vector<fs::path> RecoverRecordings(const fs::path& recordings_dir) {
  std::vector<fs::path> out;
  for (const auto& r : RepairRecordings(recordings_dir)) {
    if (!r.final_path.empty()) out.push_back(r.final_path);
  }
  for (auto& p : NewestRecordings(recordings_dir)) {
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace pw::live
