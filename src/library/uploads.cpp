#include "library/uploads.h"

#include <algorithm>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <fstream>
#include <cstring>
#include <random>
#include <sstream>

#include "library/video_library.h"

namespace pw::library {

namespace fs = std::filesystem;
using core::Result;
using core::Status;

namespace {

std::string NewId() {
  static const char* hex = "0123456789abcdef";
  std::random_device rd;
  std::string id;
  for (int i = 0; i < 24; ++i) id += hex[rd() % 16];
  return id;
}

}  // namespace

bool Uploads::ValidId(const std::string& id) {
  return id.size() == 24 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

Uploads::Uploads(fs::path dir, std::uint64_t max_bytes, VideoLibrary& library, std::uint64_t min_free_bytes,
                 std::size_t max_active)
    : dir_(std::move(dir)),
      max_bytes_(max_bytes),
      min_free_bytes_(min_free_bytes),
      max_active_(std::max<std::size_t>(1, max_active)),
      library_(library) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
}

Status Uploads::CheckFreeSpace(std::uint64_t more) const {
  if (min_free_bytes_ == 0) return Status::Ok();
  std::error_code ec;
  auto space = fs::space(dir_, ec);
  if (ec) return Status::Ok();  // cannot tell: the write itself will say
  if (space.available < more + min_free_bytes_) {
    return Status(core::Code::kInsufficientStorage,
                  "not enough disk space in " + dir_.string() + ": " + std::to_string(space.available >> 20) +
                      " MiB free, the upload needs " + std::to_string(more >> 20) + " MiB and " +
                      std::to_string(min_free_bytes_ >> 20) +
                      " MiB must stay free (MIN_FREE_DISK_MB); free some space and resume the upload");
  }
  return Status::Ok();
}

Result<UploadState> Uploads::Create(std::uint64_t length, const std::string& filename) {
  if (length == 0) return Status::InvalidArgument("Upload-Length must be above 0");
  if (length > max_bytes_) {
    return Status::TooLarge("the upload of " + std::to_string(length) + " bytes exceeds the limit of " +
                            std::to_string(max_bytes_) + " bytes (MAX_UPLOAD_BYTES)");
  }
  PW_RETURN_IF_ERROR(CheckFreeSpace(length));
  UploadState s{NewId(), length, 0, fs::path(filename).filename().string()};
  {
    core::UniqueFd fd(::open(PartPath(s.id).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
    if (!fd.valid()) return Status::Internal("cannot create " + PartPath(s.id).string() + ": " + std::strerror(errno));
  }
  nlohmann::json meta = {{"length", length}, {"filename", s.filename}};
  std::ofstream out(MetaPath(s.id), std::ios::trunc);
  out << meta.dump();
  out.close();
  if (!out) return Status::Internal("cannot write " + MetaPath(s.id).string());
  return s;
}

Result<UploadState> Uploads::Get(const std::string& id) {
  if (!ValidId(id)) return Status::NotFound("no upload " + id);
  std::ifstream in(MetaPath(id));
  if (!in) return Status::NotFound("no upload " + id + " (finished, aborted or never created)");
  std::stringstream ss;
  ss << in.rdbuf();
  auto meta = nlohmann::json::parse(ss.str(), nullptr, false);
  struct stat st{};
  // A crash or a full disk can leave anything in the file: only the shape Create writes is used.
  const bool usable = meta.is_object() && meta.contains("length") && meta["length"].is_number_unsigned() &&
                      (!meta.contains("filename") || meta["filename"].is_string());
  if (!usable || ::stat(PartPath(id).c_str(), &st) != 0) {
    return Status::NotFound("upload " + id + " is damaged; start it again");
  }
  UploadState s{id, meta["length"].get<std::uint64_t>(), static_cast<std::uint64_t>(st.st_size),
                meta.value("filename", std::string())};
  std::lock_guard lock(mu_);
  s.receiving = busy_.count(id) > 0;
  return s;
}

Status Uploads::Abort(const std::string& id) {
  auto s = Get(id);
  if (!s.ok()) return s.status();
  std::error_code ec;
  fs::remove(PartPath(id), ec);
  fs::remove(MetaPath(id), ec);
  return Status::Ok();
}

Result<std::unique_ptr<Uploads::Append>> Uploads::BeginAppend(const std::string& id, std::uint64_t offset) {
  auto s = Get(id);
  if (!s.ok()) return s.status();
  {
    std::lock_guard lock(mu_);
    if (busy_.count(id)) {
      return Status::Conflict("upload " + id + " is receiving data on another connection; retry shortly");
    }
    if (busy_.size() >= max_active_) {
      return Status::Busy(std::to_string(busy_.size()) + " uploads are receiving data already (MAX_ACTIVE_UPLOADS=" +
                          std::to_string(max_active_) + "); retry shortly");
    }
    busy_.insert(id);
  }
  if (offset != s->offset) {
    Release(id);
    return Status::Conflict("Upload-Offset " + std::to_string(offset) + " does not match the " +
                            std::to_string(s->offset) + " bytes received; resume from " + std::to_string(s->offset));
  }
  if (Status st = CheckFreeSpace(s->length - s->offset); !st.ok()) {
    Release(id);
    return st;
  }
  core::UniqueFd fd(::open(PartPath(id).c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
  if (!fd.valid()) {
    Release(id);
    return Status::Internal("cannot open " + PartPath(id).string() + ": " + std::strerror(errno));
  }
  return std::unique_ptr<Append>(new Append(*this, std::move(s).value(), std::move(fd)));
}

void Uploads::Release(const std::string& id) {
  std::lock_guard lock(mu_);
  busy_.erase(id);
}

Uploads::Append::~Append() {
  if (!closed_) (void)Close();
}

Status Uploads::Append::Write(const char* data, std::size_t size) {
  if (state_.offset + size > state_.length) {
    return Status::TooLarge("more bytes than the declared Upload-Length of " + std::to_string(state_.length));
  }
  // Another upload or a recording may be eating the same disk: look again every 16 MiB.
  unchecked_ += size;
  if (unchecked_ >= (16u << 20)) {
    unchecked_ = 0;
    PW_RETURN_IF_ERROR(owner_.CheckFreeSpace(state_.length - state_.offset));
  }
  while (size > 0) {
    ssize_t n = ::write(fd_.get(), data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return Status::Unavailable(std::string("cannot write the upload: ") + std::strerror(errno));
    }
    data += n;
    size -= static_cast<std::size_t>(n);
    state_.offset += static_cast<std::uint64_t>(n);
  }
  return Status::Ok();
}

Result<UploadState> Uploads::Append::Close() {
  closed_ = true;
  ::fdatasync(fd_.get());  // what we report as received survives a power cut
  fd_.reset();
  owner_.Release(state_.id);
  return state_;
}

Result<nlohmann::json> Uploads::Complete(const std::string& id) {
  auto s = Get(id);
  if (!s.ok()) return s.status();
  if (s->offset != s->length) {
    return Status::Conflict("upload " + id + " has " + std::to_string(s->offset) + " of " +
                            std::to_string(s->length) + " bytes");
  }
  auto result = library_.RegisterUpload(PartPath(id), s->filename);
  std::error_code ec;
  fs::remove(PartPath(id), ec);  // normally moved already
  fs::remove(MetaPath(id), ec);
  if (!result.ok()) spdlog::warn("upload {} ('{}') rejected: {}", id, s->filename, result.status().message());
  return result;
}

}  // namespace pw::library
