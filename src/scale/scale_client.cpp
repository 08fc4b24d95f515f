#include "scale/scale_client.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <random>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "scale/line_splitter.h"

namespace pw::scale {
namespace {

using Clock = std::chrono::steady_clock;
using core::Status;

constexpr std::size_t kReadChunk = 4096;

std::chrono::milliseconds CeilMs(Clock::duration d) {
  return std::chrono::ceil<std::chrono::milliseconds>(d);
}

// Logs the 1st, 2nd, 3rd, then every 100th occurrence of a repeating problem.
bool ShouldLog(std::uint64_t count) { return count <= 3 || count % 100 == 0; }

nlohmann::json ReadingJson(const ScaleReading& r) {
  auto age = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - r.steady_time);
  return {
      {"kg", r.kg},
      {"stable", r.stable},
      {"indicator_stable", r.has_indicator_flag ? nlohmann::json(r.indicator_stable) : nlohmann::json()},
      {"net", r.net},
      {"value", r.value_raw},
      {"unit", r.unit_raw},
      {"seq", r.seq},
      {"age_ms", age.count()},
      {"time", fmt::format("{:%FT%T}Z", std::chrono::time_point_cast<std::chrono::milliseconds>(r.system_time))},
  };
}

}  // namespace

std::string_view ScaleStateName(ScaleState state) {
  switch (state) {
    case ScaleState::kConnecting: return "connecting";
    case ScaleState::kStreaming: return "streaming";
    case ScaleState::kStalled: return "stalled";
    case ScaleState::kBackoff: return "backoff";
    case ScaleState::kStopped: return "stopped";
  }
  return "stopped";
}

ScaleClient::ScaleClient(ScaleOptions options, Callback on_reading)
    : options_(std::move(options)), on_reading_(std::move(on_reading)), detector_(options_.stability) {}

ScaleClient::~ScaleClient() { Stop(); }

Status ValidateScaleOptions(const ScaleOptions& o) {
  PW_RETURN_IF_ERROR(ParseScaleUrl(o.url).status());
  PW_RETURN_IF_ERROR(LineFormat::FromSpec(o.format, o.default_unit).status());
  if (!(o.stall_seconds > 0)) return Status::InvalidArgument("scale: the stall timeout must be > 0 s");
  if (!(o.stability.window_seconds > 0) || !(o.stability.tolerance_kg >= 0))
    return Status::InvalidArgument("scale: the stability window must be > 0 s and the tolerance >= 0 kg");
  if (o.connect_timeout.count() <= 0 || o.backoff_min.count() <= 0 || o.backoff_max < o.backoff_min)
    return Status::InvalidArgument("scale: connect timeout and backoff must satisfy 0 < backoff min <= max");
  return Status::Ok();
}

Status ScaleClient::Start() {
  if (thread_.joinable() || stopping_) return Status::Conflict("scale client already started");
  PW_RETURN_IF_ERROR(ValidateScaleOptions(options_));
  endpoint_ = ParseScaleUrl(options_.url).value();
  format_ = LineFormat::FromSpec(options_.format, options_.default_unit).value();
  wake_ = core::UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_.valid()) return Status::Internal(fmt::format("eventfd: {}", std::strerror(errno)));
  {
    std::lock_guard lock(mu_);
    stats_.endpoint = endpoint_.ToString();
    stats_.state = ScaleState::kConnecting;
  }
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void ScaleClient::Stop() {
  stopping_ = true;
  if (wake_.valid()) {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_.get(), &one, sizeof one);
  }
  std::lock_guard lock(stop_mu_);
  if (thread_.joinable()) thread_.join();
  SetState(ScaleState::kStopped);
}

std::optional<ScaleReading> ScaleClient::Latest() const {
  std::lock_guard lock(mu_);
  return stats_.latest;
}

ScaleStats ScaleClient::Stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

nlohmann::json ScaleClient::ToJson() const {
  ScaleStats s = Stats();
  return {
      {"state", ScaleStateName(s.state)},
      {"endpoint", s.endpoint},
      {"lines", s.lines},
      {"garbage_lines", s.garbage_lines},
      {"overlong_lines", s.overlong_lines},
      {"connects", s.connects},
      {"reconnects", s.reconnects},
      {"stalls", s.stalls},
      {"last_error", s.last_error},
      {"latest", s.latest ? ReadingJson(*s.latest) : nlohmann::json()},
  };
}

void ScaleClient::SetState(ScaleState state) {
  std::lock_guard lock(mu_);
  stats_.state = state;
}

void ScaleClient::NoteError(const Status& status) {
  std::lock_guard lock(mu_);
  stats_.last_error = status.message();
}

void ScaleClient::Run() {
  while (!stopping_) {
    SetState(ScaleState::kConnecting);
    auto fd = OpenLink(endpoint_, options_.connect_timeout, wake_.get());
    if (stopping_) break;
    if (fd.ok()) {
      {
        std::lock_guard lock(mu_);
        if (++stats_.connects > 1) ++stats_.reconnects;
        stats_.state = ScaleState::kStreaming;
      }
      spdlog::info("scale: connected to {}", endpoint_.ToString());
      Status why = Stream(fd->get());
      if (stopping_) break;
      spdlog::warn("scale: {} — reconnecting", why.message());
      NoteError(why);
    } else {
      NoteError(fd.status());
      if (ShouldLog(static_cast<std::uint64_t>(failures_) + 1)) spdlog::warn("scale: {}", fd.status().message());
    }
    detector_.Reset();
    SetState(ScaleState::kBackoff);
    if (WaitForWake(NextBackoff())) break;
  }
  SetState(ScaleState::kStopped);
}

Status ScaleClient::Stream(int fd) {
  LineSplitter splitter;
  const auto stall = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.stall_seconds));
  last_valid_ = Clock::now();
  char buf[kReadChunk];
  while (true) {
    auto remaining = last_valid_ + stall - Clock::now();
    if (remaining <= Clock::duration::zero()) {
      std::lock_guard lock(mu_);
      ++stats_.stalls;
      stats_.state = ScaleState::kStalled;
      return Status::TimedOut(fmt::format("no valid weight line from {} for {} s (indicator silent, or sending an unknown format)",
                                          endpoint_.ToString(), options_.stall_seconds));
    }
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(CeilMs(remaining).count()));
    if (n < 0 && errno != EINTR) return Status::Internal(fmt::format("poll: {}", std::strerror(errno)));
    if (fds[1].revents & POLLIN) return Status::Cancelled("scale client stopping");
    if (n <= 0 || fds[0].revents == 0) continue;
    ssize_t got = ::read(fd, buf, sizeof buf);
    if (got == 0) return Status::Unavailable(fmt::format("{} closed the connection", endpoint_.ToString()));
    if (got < 0) {
      if ((errno == EAGAIN || errno == EINTR) && !(fds[0].revents & (POLLHUP | POLLERR))) continue;
      const char* why = errno == EAGAIN || errno == EINTR ? "hang-up" : std::strerror(errno);
      return Status::Unavailable(fmt::format("reading {}: {}", endpoint_.ToString(), why));
    }
    std::uint64_t overlong_before = splitter.overlong_lines();
    for (const std::string& line : splitter.Feed({buf, static_cast<std::size_t>(got)})) HandleLine(line);
    if (std::uint64_t extra = splitter.overlong_lines() - overlong_before) {
      std::lock_guard lock(mu_);
      stats_.overlong_lines += extra;
      stats_.garbage_lines += extra;
      stats_.lines += extra;
      stats_.last_error = fmt::format("scale line longer than {} bytes dropped", kMaxLineBytes);
    }
  }
}

void ScaleClient::HandleLine(const std::string& line) {
  auto parsed = ParseLine(line, format_);
  if (!parsed.ok()) {
    std::uint64_t garbage;
    {
      std::lock_guard lock(mu_);
      ++stats_.lines;
      garbage = ++stats_.garbage_lines;
      stats_.last_error = parsed.status().message();
    }
    if (ShouldLog(garbage)) spdlog::warn("scale: {} ({} rejected so far)", parsed.status().message(), garbage);
    return;
  }
  const Reading& r = *parsed;
  auto now = Clock::now();
  ScaleReading out;
  out.kg = r.kg;
  out.has_indicator_flag = r.indicator_stable.has_value();
  out.indicator_stable = r.indicator_stable.value_or(false);
  out.stable = CombineStability(options_.stability_rule, r.indicator_stable, detector_.Add(now, r.kg));
  out.net = r.net;
  out.value_raw = r.value;
  out.unit_raw = r.unit;
  out.steady_time = now;
  out.system_time = std::chrono::system_clock::now();
  last_valid_ = now;
  failures_ = 0;
  {
    std::lock_guard lock(mu_);
    ++stats_.lines;
    out.seq = stats_.latest ? stats_.latest->seq + 1 : 1;
    stats_.latest = out;
    stats_.state = ScaleState::kStreaming;
  }
  if (on_reading_) on_reading_(out);
}

bool ScaleClient::WaitForWake(std::chrono::milliseconds timeout) {
  pollfd fd{wake_.get(), POLLIN, 0};
  auto deadline = Clock::now() + timeout;
  while (!stopping_) {
    auto left = CeilMs(deadline - Clock::now());
    if (left.count() <= 0) return false;
    int n = ::poll(&fd, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
  }
  return true;
}

std::chrono::milliseconds ScaleClient::NextBackoff() {
  static thread_local std::minstd_rand rng{std::random_device{}()};
  double base = static_cast<double>(options_.backoff_min.count()) * std::pow(2.0, std::min(failures_, 16));
  ++failures_;
  double jitter = std::uniform_real_distribution<double>(0.8, 1.2)(rng);
  double ms = std::min(base, static_cast<double>(options_.backoff_max.count())) * jitter;
  ms = std::min(ms, static_cast<double>(options_.backoff_max.count()));
  return std::chrono::milliseconds(static_cast<long>(ms));
}

}  // namespace pw::scale
