#include "scale/simulator.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "scale/line_format.h"

namespace pw::scale {
namespace {

using Clock = std::chrono::steady_clock;
using core::Status;

double Quantise(double kg, double step) { return step > 0 ? std::round(kg / step) * step : kg; }

std::string GarbageLine(std::uint64_t n) {
  switch (n % 4) {
    case 0: return std::string("\x7f\x01#@!\xff\xfe", 7);
    case 1: return "ST,GS,+00x6.0kg";
    case 2: return "ERR 42";
    default: return std::string(kMaxLineBytes + 44, 'Z');
  }
}

}  // namespace

SimSample SampleScenario(const SimScenario& s, double t, std::mt19937& rng) {
  double total = s.empty_s + s.ramp_up_s + s.unsettled_s + s.hold_s + s.ramp_down_s;
  if (total > 0) t = std::fmod(std::max(t, 0.0), total);
  std::uniform_real_distribution<double> wobble(-s.noise_kg, s.noise_kg);
  auto noisy = [&](double kg, double amount) { return Quantise(std::max(0.0, kg + amount * wobble(rng)), s.resolution_kg); };
  if (t < s.empty_s) return {0.0, true};
  t -= s.empty_s;
  if (t < s.ramp_up_s) return {noisy(s.target_kg * t / s.ramp_up_s, 1.0), false};
  t -= s.ramp_up_s;
  if (t < s.unsettled_s) return {noisy(s.target_kg, 1.0 - t / s.unsettled_s), false};
  t -= s.unsettled_s;
  if (t < s.hold_s) return {Quantise(s.target_kg, s.resolution_kg), true};
  t -= s.hold_s;
  if (t < s.ramp_down_s) return {noisy(s.target_kg * (1.0 - t / s.ramp_down_s), 1.0), false};
  return {0.0, true};
}

std::string FormatScaleLine(double kg, bool stable, bool net, const std::string& unit, int decimals) {
  double value = kg / KgPerUnit(unit).value_or(1.0);
  return fmt::format("{},{},{:+0{}.{}f}{}", stable ? "ST" : "US", net ? "NT" : "GS", value,
                     decimals + (decimals > 0 ? 6 : 5), decimals, unit);
}

ScaleSimulator::ScaleSimulator(SimulatorOptions options)
    : options_(std::move(options)), garbage_every_(options_.garbage_every), rng_(options_.seed) {}

ScaleSimulator::~ScaleSimulator() { Stop(); }

std::string ScaleSimulator::url() const { return fmt::format("tcp://{}:{}", options_.host, port_); }

void ScaleSimulator::SetUnit(const std::string& unit) {
  std::lock_guard lock(mu_);
  options_.unit = unit;
}

void ScaleSimulator::SetTargetKg(double kg) {
  std::lock_guard lock(mu_);
  options_.scenario.target_kg = kg;
}

Status ScaleSimulator::Start() {
  if (thread_.joinable()) return Status::Conflict("scale simulator already started");
  if (!(options_.rate_hz > 0 && options_.rate_hz <= 1000)) return Status::InvalidArgument("scale-sim: rate must be in (0, 1000] Hz");
  if (!KgPerUnit(options_.unit)) return Status::InvalidArgument(fmt::format("scale-sim: unknown unit '{}' (kg, g, t, lb)", options_.unit));
  if (options_.decimals < 0 || options_.decimals > 4) return Status::InvalidArgument("scale-sim: decimals must be 0..4");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(options_.port));
  if (::inet_pton(AF_INET, options_.host.c_str(), &addr.sin_addr) != 1)
    return Status::InvalidArgument(fmt::format("scale-sim: host '{}' is not an IPv4 address", options_.host));
  listen_ = core::UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  int yes = 1;
  ::setsockopt(listen_.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  if (::bind(listen_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_.get(), 8) != 0)
    return Status::Unavailable(fmt::format("scale-sim: cannot listen on {}:{}: {}", options_.host, options_.port, std::strerror(errno)));
  socklen_t len = sizeof addr;
  ::getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  wake_ = core::UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_.valid()) return Status::Internal(fmt::format("eventfd: {}", std::strerror(errno)));
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void ScaleSimulator::Stop() {
  stopping_ = true;
  if (wake_.valid()) {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_.get(), &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  listen_.reset();
}

void ScaleSimulator::Run() {
  const auto start = Clock::now();
  const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / options_.rate_hz));
  auto next_tick = start;
  auto last_drop = start;
  while (!stopping_) {
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_tick - Clock::now());
    pollfd fds[2] = {{listen_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(std::max<long>(0, wait.count())));
    if (stopping_) break;
    if (n > 0 && (fds[0].revents & POLLIN)) AcceptAll();
    auto now = Clock::now();
    if (now < next_tick) continue;
    next_tick += period;
    if (next_tick < now) next_tick = now + period;  // fell behind (a busy machine): skip, don't burst
    bool drop_due = options_.drop_every_s > 0 && now - last_drop >= std::chrono::duration<double>(options_.drop_every_s);
    if (drop_now_.exchange(false) || drop_due) {
      CloseClients();
      last_drop = now;
    }
    if (!paused_) Tick(std::chrono::duration<double>(now - start).count());
  }
  CloseClients();
}

void ScaleSimulator::AcceptAll() {
  while (true) {
    int fd = ::accept4(listen_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    clients_.emplace_back(fd);
    ++accepted_;
    clients_count_ = static_cast<int>(clients_.size());
  }
}

void ScaleSimulator::CloseClients() {
  clients_.clear();
  clients_count_ = 0;
}

std::string ScaleSimulator::NextLine(double t) {
  ++line_no_;
  int every = garbage_every_;
  if (every > 0 && line_no_ % static_cast<std::uint64_t>(every) == 0) return GarbageLine(garbage_no_++);
  std::lock_guard lock(mu_);
  SimSample s = SampleScenario(options_.scenario, t, rng_);
  return FormatScaleLine(s.kg, s.stable, options_.net, options_.unit, options_.decimals);
}

void ScaleSimulator::Tick(double t) {
  if (clients_.empty()) return;
  std::string line = NextLine(t) + "\r\n";
  std::erase_if(clients_, [&](const core::UniqueFd& c) {
    ssize_t sent = ::send(c.get(), line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    return sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK;  // a gone client; a slow one skips a line
  });
  clients_count_ = static_cast<int>(clients_.size());
  ++lines_sent_;
}

}  // namespace pw::scale
