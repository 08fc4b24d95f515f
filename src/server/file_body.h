// FileSliceBody: a Boost.Beast body that streams a byte range of an open file with pread, in 64 KB
// chunks, so large files (videos, segments) are never loaded whole. Move-only; owns its fd.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/optional.hpp>

#include <array>
#include <cerrno>
#include <cstdint>
#include <utility>

namespace pw::server {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~UniqueFd() { reset(); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

struct FileSliceBody {
  struct value_type {
    UniqueFd fd;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
  };

  static std::uint64_t size(const value_type& v) { return v.length; }

  class writer {
   public:
    using const_buffers_type = boost::asio::const_buffer;

    template <bool isRequest, class Fields>
    writer(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

    void init(boost::beast::error_code& ec) { ec = {}; }

    boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
      if (pos_ >= body_.length) {
        ec = {};
        return boost::none;
      }
      std::size_t want = static_cast<std::size_t>(
          std::min<std::uint64_t>(buf_.size(), body_.length - pos_));
      ssize_t n = ::pread(body_.fd.get(), buf_.data(), want, static_cast<off_t>(body_.offset + pos_));
      if (n <= 0) {  // error, or the file shrank under us
        ec = n < 0 ? boost::beast::error_code(errno, boost::system::system_category())
                   : boost::beast::error_code(EIO, boost::system::system_category());
        return boost::none;
      }
      pos_ += static_cast<std::uint64_t>(n);
      ec = {};
      return {{boost::asio::const_buffer(buf_.data(), static_cast<std::size_t>(n)), pos_ < body_.length}};
    }

   private:
    value_type& body_;
    std::uint64_t pos_ = 0;
    std::array<char, 64 * 1024> buf_;
  };
};

}  // namespace pw::server
