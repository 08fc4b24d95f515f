#include "server/static_files.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <algorithm>

#include "server/conditional.h"
#include "server/gzip.h"
#include "server/partial_content.h"
#include "server/router.h"

namespace pw::server {
namespace fs = std::filesystem;

constexpr std::uint64_t kInlineBytes = 32 * 1024;

std::string MimeType(const fs::path& path) {
  static const std::unordered_map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".vtt", "text/vtt; charset=utf-8"},
      {".m3u8", "application/vnd.apple.mpegurl"},
      {".mp4", "video/mp4"},
      {".m4s", "video/iso.segment"},
      {".ts", "video/mp2t"},
      {".woff2", "font/woff2"},
      {".wasm", "application/wasm"},
  };
  std::string ext = path.extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = types.find(ext);
  return it == types.end() ? "application/octet-stream" : it->second;
}

bool IsCompressible(std::string_view mime) {
  return mime.substr(0, 5) == "text/" || mime.find("json") != std::string_view::npos ||
         mime.find("svg") != std::string_view::npos || mime.find("mpegurl") != std::string_view::npos;
}

std::string CacheControlFor(const fs::path& path) {
  // "app.3f9a1c2e.js": a content hash of 8+ hex digits before the extension.
  const std::string stem = path.stem().string();
  auto dot = stem.rfind('.');
  if (dot != std::string::npos && stem.size() - dot - 1 >= 8 &&
      stem.find_first_not_of("0123456789abcdef", dot + 1) == std::string::npos) {
    return "public, max-age=31536000, immutable";
  }
  if (path.extension() == ".html") return "no-cache";
  return "public, max-age=300";
}

StaticFiles::StaticFiles(fs::path root, std::size_t gzip_cache_bytes)
    : root_(std::move(root)), cache_limit_(gzip_cache_bytes) {
  std::error_code ec;
  auto canonical = fs::weakly_canonical(root_, ec);
  if (!ec) root_ = canonical;
  root_fd_ = core::UniqueFd(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

core::UniqueFd StaticFiles::OpenBeneathRoot(const fs::path& relative) const {
  // openat2(RESOLVE_BENEATH) makes the kernel refuse any path, symlinks included, that
  // resolves outside the root.
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, root_fd_.get(), relative.c_str(), &how, sizeof how);
  if (fd >= 0 || errno != ENOSYS) return core::UniqueFd(static_cast<int>(fd));
  // Kernels before 5.6: resolve and compare by hand.
  std::error_code ec;
  fs::path canonical = fs::canonical(root_ / relative, ec);
  if (ec) return core::UniqueFd();
  auto [root_end, rest] = std::mismatch(root_.begin(), root_.end(), canonical.begin(), canonical.end());
  if (root_end != root_.end()) return core::UniqueFd();
  return core::UniqueFd(::open(canonical.c_str(), O_RDONLY | O_CLOEXEC));
}

std::shared_ptr<const std::string> StaticFiles::Compressed(const fs::path& file, int fd,
                                                           const std::string& etag,
                                                           std::uint64_t size) {
  const std::string key = file.string() + "|" + etag;
  {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->second;
    }
  }
  std::string content(size, '\0');
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, content.data() + done, size - done, static_cast<off_t>(done));
    if (n <= 0) return nullptr;
    done += static_cast<std::size_t>(n);
  }
  auto gz = std::make_shared<const std::string>(Gzip(content));
  std::lock_guard lock(mu_);
  if (index_.count(key) == 0 && gz->size() <= cache_limit_) {
    lru_.emplace_front(key, gz);
    index_[key] = lru_.begin();
    cache_bytes_ += gz->size();
    while (cache_bytes_ > cache_limit_ && !lru_.empty()) {
      cache_bytes_ -= lru_.back().second->size();
      index_.erase(lru_.back().first);
      lru_.pop_back();
    }
  }
  return gz;
}

Response StaticFiles::Serve(const Request& req) {
  auto not_found = [&] {
    return Response::Error(http::status::not_found, "not_found", "no file " + req.path);
  };
  std::string rel = req.path;
  if (rel.empty() || rel.back() == '/') rel += "index.html";
  fs::path relative;
  for (const auto& part : SplitPath(rel)) {
    if (part == ".." || part == "." || part.find('\\') != std::string::npos) return not_found();
    relative /= part;
  }
  if (relative.empty()) return not_found();
  auto fd = std::make_shared<core::UniqueFd>(OpenBeneathRoot(relative));
  struct stat st{};
  if (!fd->valid() || ::fstat(fd->get(), &st) != 0 || !S_ISREG(st.st_mode)) return not_found();
  const auto size = static_cast<std::uint64_t>(st.st_size);
  const std::int64_t mtime_ns = std::int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  const std::string mime = MimeType(relative);
  const std::string identity_etag = MakeEtag(size, mtime_ns);

  const bool has_range = !req.msg[http::field::range].empty();
  const bool compress = IsCompressible(mime) && !has_range && size >= 256 && size <= (8u << 20) &&
                        AcceptsGzip(req.msg[http::field::accept_encoding]);
  const std::string etag =
      compress ? identity_etag.substr(0, identity_etag.size() - 1) + "-gz\"" : identity_etag;

  Response r;
  r.headers.set(http::field::etag, etag);
  r.headers.set(http::field::last_modified, HttpDate(st.st_mtim.tv_sec));
  r.headers.set(http::field::cache_control, CacheControlFor(relative));
  r.headers.set(http::field::accept_ranges, "bytes");
  if (IsCompressible(mime)) r.headers.set(http::field::vary, "Accept-Encoding");

  if (IsNotModified(req.msg[http::field::if_none_match], req.msg[http::field::if_modified_since],
                    etag, st.st_mtim.tv_sec)) {
    r.status = http::status::not_modified;
    return r;
  }
  r.headers.set(http::field::content_type, mime);

  if (compress) {
    auto gz = Compressed(relative, fd->get(), identity_etag, size);
    if (gz) {
      r.headers.set(http::field::content_encoding, "gzip");
      r.body = *gz;
      return r;
    }
  }
  if (!has_range && size <= kInlineBytes) {
    // Small files go out in one write with their header; cheaper than a separate sendfile.
    r.body.resize(size);
    if (::pread(fd->get(), r.body.data(), size, 0) == static_cast<ssize_t>(size)) return r;
  }
  FileSlice slice{fd, 0, size};
  RangeRequest range = DecideRange(req, size, identity_etag, st.st_mtim.tv_sec);
  if (range.kind == RangeKind::kUnsatisfiable) return RangeNotSatisfiable(size);
  if (range.kind == RangeKind::kSatisfiable) {
    MarkPartial(r, range.range, size);
    slice.offset = range.range.start;
    slice.length = range.range.length();
  }
  r.file = slice;
  return r;
}

}  // namespace pw::server
