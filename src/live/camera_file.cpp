#include "live/camera_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace pw::live {

namespace fs = std::filesystem;
using core::Status;

core::Result<std::vector<CameraSpec>> LoadCameraFile(const fs::path& path) {
  std::vector<CameraSpec> out;
  std::ifstream in(path);
  if (!in) {
    if (!fs::exists(path)) return out;
    return Status::Unprocessable("cannot read the camera list " + path.string() + ": " + std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("cameras") || !j["cameras"].is_array()) {
    return Status::Unprocessable("the camera list " + path.string() +
                                 " is not valid JSON of the form {\"cameras\":[...]}; fix or remove it");
  }
  for (const auto& item : j["cameras"]) {
    CameraSpec spec;
    Status st = ApplyJson(item, /*allow_id=*/true, &spec);
    if (!st.ok()) return Status::Unprocessable("camera list " + path.string() + ": " + st.message());
    out.push_back(std::move(spec));
  }
  return out;
}

Status SaveCameraFile(const fs::path& path, const std::vector<CameraSpec>& cameras) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& c : cameras) {
    if (!c.from_config) list.push_back(StoredJson(c));
  }
  const std::string text = nlohmann::json{{"cameras", list}}.dump(2) + "\n";
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  const fs::path temp = path.string() + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);  // holds passwords
  if (fd < 0) return Status::Internal("cannot write " + temp.string() + ": " + std::strerror(errno));
  const char* p = text.data();
  std::size_t left = text.size();
  bool ok = true;
  while (left > 0 && ok) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) {
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  }
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(temp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    fs::remove(temp, ec);
    return Status::Internal("cannot save the camera list " + path.string() + ": " + why);
  }
  return Status::Ok();
}

}  // namespace pw::live
