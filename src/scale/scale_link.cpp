#include "scale/scale_link.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>

namespace pw::scale {
namespace {

using core::Result;
using core::Status;
using core::UniqueFd;

std::optional<int> ParseInt(std::string_view s) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<speed_t> BaudConstant(int baud) {
  switch (baud) {
    case 1200: return B1200;
    case 2400: return B2400;
    case 4800: return B4800;
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    default: return std::nullopt;
  }
}

Result<ScaleEndpoint> ParseTcp(std::string_view url, std::string_view rest) {
  auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return Status::InvalidArgument(fmt::format("scale URL '{}' needs host and port: tcp://192.168.1.50:4001", url));
  auto port = ParseInt(rest.substr(colon + 1));
  if (!port || *port < 1 || *port > 65535)
    return Status::InvalidArgument(fmt::format("scale URL '{}': port must be 1..65535", url));
  ScaleEndpoint e;
  e.kind = ScaleEndpoint::Kind::kTcp;
  e.host = std::string(rest.substr(0, colon));
  if (e.host.size() > 2 && e.host.front() == '[' && e.host.back() == ']') e.host = e.host.substr(1, e.host.size() - 2);
  e.port = *port;
  return e;
}

Result<ScaleEndpoint> ParseSerial(std::string_view url, std::string_view rest) {
  ScaleEndpoint e;
  e.kind = ScaleEndpoint::Kind::kSerial;
  auto query = rest.find('?');
  e.device = std::string(rest.substr(0, query));
  if (e.device.empty() || e.device.front() != '/')
    return Status::InvalidArgument(fmt::format("scale URL '{}' needs an absolute device path: serial:///dev/ttyUSB0?baud=9600", url));
  if (query != std::string_view::npos) {
    std::string_view q = rest.substr(query + 1);
    if (q.substr(0, 5) != "baud=")
      return Status::InvalidArgument(fmt::format("scale URL '{}': the only option is baud=<rate>", url));
    auto baud = ParseInt(q.substr(5));
    if (!baud || !BaudConstant(*baud))
      return Status::InvalidArgument(fmt::format("scale URL '{}': baud must be one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400", url));
    e.baud = *baud;
  }
  return e;
}

Status ErrnoStatus(std::string_view what, int err) {
  return Status::Unavailable(fmt::format("{}: {}", what, std::strerror(err)));
}

Result<UniqueFd> OpenSerial(const ScaleEndpoint& e) {
  UniqueFd fd(::open(e.device.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(fmt::format("cannot open serial port {} (check the cable and permissions, e.g. group dialout)", e.device), errno);
  termios tio{};
  if (::tcgetattr(fd.get(), &tio) != 0) return ErrnoStatus(fmt::format("{} is not a serial port", e.device), errno);
  ::cfmakeraw(&tio);
  tio.c_cflag &= ~static_cast<tcflag_t>(PARENB | CSTOPB | CSIZE | CRTSCTS);
  tio.c_cflag |= CS8 | CLOCAL | CREAD;
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
  speed_t speed = *BaudConstant(e.baud);
  ::cfsetispeed(&tio, speed);
  ::cfsetospeed(&tio, speed);
  if (::tcsetattr(fd.get(), TCSANOW, &tio) != 0) return ErrnoStatus(fmt::format("cannot configure serial port {}", e.device), errno);
  return fd;
}

// Waits until `fd` has `events`, `wake_fd` (when >= 0) becomes readable, or the timeout passes.
enum class Wait { kReady, kWoken, kTimedOut };
Result<Wait> WaitFor(int fd, short events, std::chrono::milliseconds timeout, int wake_fd) {
  pollfd fds[2] = {{fd, events, 0}, {wake_fd, POLLIN, 0}};
  int n;
  do {
    n = ::poll(fds, wake_fd >= 0 ? 2 : 1, static_cast<int>(timeout.count()));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ErrnoStatus("poll", errno);
  if (wake_fd >= 0 && (fds[1].revents & POLLIN)) return Wait::kWoken;
  return n == 0 ? Wait::kTimedOut : Wait::kReady;
}

// Waits for a non-blocking connect to finish, or for wake_fd.
Status AwaitConnect(int fd, std::chrono::milliseconds timeout, int wake_fd) {
  auto waited = WaitFor(fd, POLLOUT, timeout, wake_fd);
  if (!waited.ok()) return waited.status();
  if (*waited == Wait::kWoken) return Status::Cancelled("scale connect cancelled");
  if (*waited == Wait::kTimedOut) return Status::TimedOut(fmt::format("no answer within {} ms", timeout.count()));
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  return err == 0 ? Status::Ok() : ErrnoStatus("connect", err);
}

// One getaddrinfo call on its own thread: glibc's resolver cannot be interrupted, so the caller
// waits on `ready` together with its wake fd and its timeout, and may walk away; the lookup then
// finishes on its own and frees everything with the last reference.
struct Lookup {
  std::mutex mu;  // rc and list, written by the lookup thread
  int rc = EAI_AGAIN;
  addrinfo* list = nullptr;
  UniqueFd ready{::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)};
  ~Lookup() {
    if (list) ::freeaddrinfo(list);
  }
};

Result<std::shared_ptr<const addrinfo>> Resolve(const std::string& host, int port, std::chrono::milliseconds timeout,
                                                int wake_fd) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  const std::string service = std::to_string(port);
  auto lookup = std::make_shared<Lookup>();
  hints.ai_flags = AI_NUMERICHOST;  // an IP address needs no resolver (and no thread)
  lookup->rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &lookup->list);
  if (lookup->rc == EAI_NONAME) {
    if (!lookup->ready.valid()) return ErrnoStatus("eventfd", errno);
    hints.ai_flags = 0;
    std::thread([lookup, host, service, hints] {
      addrinfo* list = nullptr;
      const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
      {
        std::lock_guard lock(lookup->mu);
        lookup->list = list;
        lookup->rc = rc;
      }
      const std::uint64_t one = 1;
      (void)!::write(lookup->ready.get(), &one, sizeof one);
    }).detach();
    auto waited = WaitFor(lookup->ready.get(), POLLIN, timeout, wake_fd);
    if (!waited.ok()) return waited.status();
    if (*waited == Wait::kWoken) return Status::Cancelled("scale host lookup cancelled");
    if (*waited == Wait::kTimedOut) {
      return Status::TimedOut(fmt::format("the name '{}' was not resolved within {} ms (is a DNS server reachable? "
                                          "an IP address avoids the lookup)", host, timeout.count()));
    }
    std::uint64_t count = 0;
    (void)!::read(lookup->ready.get(), &count, sizeof count);
  }
  std::unique_lock lock(lookup->mu);
  if (lookup->rc != 0) {
    return Status::Unavailable(fmt::format("cannot resolve scale host '{}': {}", host, ::gai_strerror(lookup->rc)));
  }
  const addrinfo* first = lookup->list;
  lock.unlock();
  return std::shared_ptr<const addrinfo>(std::move(lookup), first);
}

Result<UniqueFd> ConnectTcp(const ScaleEndpoint& e, std::chrono::milliseconds timeout, int wake_fd) {
  auto resolved = Resolve(e.host, e.port, timeout, wake_fd);
  if (!resolved.ok()) return resolved.status();
  Status last = Status::Unavailable("no address");
  for (const addrinfo* ai = resolved->get(); ai; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd.valid()) {
      last = ErrnoStatus("socket", errno);
      continue;
    }
    if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0) return fd;
    if (errno != EINPROGRESS) {
      last = ErrnoStatus("connect", errno);
      continue;
    }
    last = AwaitConnect(fd.get(), timeout, wake_fd);
    if (last.ok()) return fd;
    if (last.code() == core::Code::kCancelled) return last;
  }
  return Status(last.code(), fmt::format("cannot connect to scale at {}: {}", e.ToString(), last.message()));
}

}  // namespace

std::string ScaleEndpoint::ToString() const {
  if (kind == Kind::kSerial) return fmt::format("serial://{}?baud={}", device, baud);
  return fmt::format("tcp://{}:{}", host.find(':') != std::string::npos ? "[" + host + "]" : host, port);
}

Result<ScaleEndpoint> ParseScaleUrl(std::string_view url) {
  constexpr std::string_view kTcp = "tcp://", kSerial = "serial://";
  if (url.substr(0, kTcp.size()) == kTcp) return ParseTcp(url, url.substr(kTcp.size()));
  if (url.substr(0, kSerial.size()) == kSerial) return ParseSerial(url, url.substr(kSerial.size()));
  return Status::InvalidArgument(fmt::format(
      "scale URL '{}' is not understood: use tcp://host:port or serial:///dev/ttyUSB0?baud=9600", url));
}

Result<UniqueFd> OpenLink(const ScaleEndpoint& endpoint, std::chrono::milliseconds connect_timeout, int wake_fd) {
  if (endpoint.kind == ScaleEndpoint::Kind::kSerial) return OpenSerial(endpoint);
  return ConnectTcp(endpoint, connect_timeout, wake_fd);
}

}  // namespace pw::scale
