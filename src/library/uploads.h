// Uploads: resumable uploads of large videos, with the semantics of the tus 1.0 protocol
// (creation, offset query, append at an offset). A 5 GB upload cut off halfway continues from the
// last byte that reached the disk, not from zero.
//
// Each upload is DATA_DIR/uploads/<uid>.part (the bytes so far; its size is the offset) plus
// <uid>.json (declared length, file name). Nothing is held in memory. When the last byte arrives
// the part file goes to VideoLibrary::RegisterUpload (probed, indexed, renamed atomically).
// Thread-safe; at most one append per upload at a time (another gets kConflict).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/unique_fd.h"

namespace pw::library {

class VideoLibrary;

struct UploadState {
  std::string id;
  std::uint64_t length = 0;  // declared total size
  std::uint64_t offset = 0;  // bytes received and written
  std::string filename;
  bool receiving = false;    // a connection is appending to it right now
};

class Uploads {
 public:
  // `min_free_bytes`: uploads are refused (kInsufficientStorage) rather than fill the disk below
  // this much free space (MIN_FREE_DISK_MB).
  // `max_active`: uploads receiving data at the same time (MAX_ACTIVE_UPLOADS); one more gets kBusy.
  Uploads(std::filesystem::path dir, std::uint64_t max_bytes, VideoLibrary& library, std::uint64_t min_free_bytes = 0,
          std::size_t max_active = 4);

  // kTooLarge over the limit, kInvalidArgument for a zero length.
  core::Result<UploadState> Create(std::uint64_t length, const std::string& filename);
  core::Result<UploadState> Get(const std::string& id);
  core::Status Abort(const std::string& id);

  // Appends the bytes of one request. The offset the client says it starts at must be the
  // current one (kConflict with the current offset otherwise, so it can resume correctly).
  class Append {
   public:
    ~Append();
    core::Status Write(const char* data, std::size_t size);
    // Makes what arrived durable; returns the state after it.
    core::Result<UploadState> Close();
    bool complete() const { return state_.offset == state_.length; }

   private:
    friend class Uploads;
    Append(Uploads& owner, UploadState state, core::UniqueFd fd) : owner_(owner), state_(std::move(state)), fd_(std::move(fd)) {}
    Uploads& owner_;
    UploadState state_;
    core::UniqueFd fd_;
    bool closed_ = false;
    std::uint64_t unchecked_ = 0;  // bytes written since the last free-space check
  };
  core::Result<std::unique_ptr<Append>> BeginAppend(const std::string& id, std::uint64_t offset);

  // Registers a complete upload as a video (blocking: probe + index). The upload is gone
  // afterwards whatever the result: a file that is not a usable video is deleted (kUnprocessable).
  core::Result<nlohmann::json> Complete(const std::string& id);

  static bool ValidId(const std::string& id);

 private:
  std::filesystem::path PartPath(const std::string& id) const { return dir_ / (id + ".part"); }
  std::filesystem::path MetaPath(const std::string& id) const { return dir_ / (id + ".json"); }
  void Release(const std::string& id);
  // kInsufficientStorage when writing `more` bytes would leave less than the floor free.
  core::Status CheckFreeSpace(std::uint64_t more) const;

  std::filesystem::path dir_;
  std::uint64_t max_bytes_;
  std::uint64_t min_free_bytes_;
  std::size_t max_active_;
  VideoLibrary& library_;
  std::mutex mu_;
  std::set<std::string> busy_;  // uploads with an append in progress
};

}  // namespace pw::library
