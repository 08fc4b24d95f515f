#include "live/recorder.h"

#include <pthread.h>

#include <spdlog/spdlog.h>

#include <ctime>
#include <fstream>

namespace pw::live {

namespace fs = std::filesystem;
using core::Status;

namespace {

constexpr AVRational kMicros{1, 1000000};
constexpr auto kTick = std::chrono::milliseconds(250);
constexpr auto kDiskCheckEvery = std::chrono::seconds(2);

nlohmann::json TimeOrNull(const std::optional<std::chrono::system_clock::time_point>& t) {
  return t ? nlohmann::json(LocalIsoTime(*t)) : nlohmann::json(nullptr);
}

}  // namespace

Recorder::Recorder(std::string camera_id, RecordSpec spec, RecorderOptions options)
    : camera_id_(std::move(camera_id)),
      spec_(std::move(spec)),
      options_(std::move(options)),
      dir_(options_.dir / camera_id_),
      override_file_(dir_ / "override.json") {
  auto parsed = RecordSchedule::Parse(spec_.schedule);
  if (parsed.ok()) {
    schedule_ = std::move(*parsed);
  } else {  // specs are validated on the way in; an invalid one records nothing on its own
    spdlog::error("camera {}: {}", camera_id_, parsed.status().message());
  }
  if (!options_.dir.empty()) LoadOverride();
}

void Recorder::LoadOverride() {
  std::error_code ec;
  if (!fs::exists(override_file_, ec)) return;
  std::ifstream in(override_file_);
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("on") || !j["on"].is_boolean()) {
    spdlog::warn("camera {}: {} is unreadable; the schedule applies", camera_id_, override_file_.string());
    return;
  }
  Override o{j["on"].get<bool>(), std::nullopt};
  if (j.contains("until_ms") && j["until_ms"].is_number_integer()) {
    o.until = Clock::time_point(std::chrono::milliseconds(j["until_ms"].get<std::int64_t>()));
    if (*o.until <= Clock::now()) {
      fs::remove(override_file_, ec);  // it ran out while the server was down
      return;
    }
  }
  override_ = o;
  spdlog::info("camera {}: recording {} by hand before the restart, kept{}", camera_id_, o.on ? "started" : "stopped",
               o.until ? " until " + LocalIsoTime(*o.until) : "");
}

void Recorder::SaveOverride(const std::optional<Override>& o) {
  std::error_code ec;
  if (options_.dir.empty()) return;
  if (!o) {
    fs::remove(override_file_, ec);
    return;
  }
  nlohmann::json j = {{"on", o->on}};
  j["until_ms"] = o->until ? nlohmann::json(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                o->until->time_since_epoch()).count())
                           : nlohmann::json(nullptr);
  fs::create_directories(dir_, ec);
  const fs::path tmp = override_file_.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump() << "\n";
    out.flush();
    if (!out) {
      spdlog::error("camera {}: cannot save the recording override to {}; it lasts until a restart", camera_id_,
                    tmp.string());
      return;
    }
  }
  fs::rename(tmp, override_file_, ec);
  if (ec) spdlog::error("camera {}: cannot save the recording override: {}", camera_id_, ec.message());
}

void Recorder::ForgetOverride() {
  std::lock_guard file_lock(override_file_mu_);
  {
    std::lock_guard lock(mu_);
    override_.reset();
  }
  SaveOverride(std::nullopt);
}

Recorder::~Recorder() { Stop(); }

void Recorder::Start() {
  std::lock_guard lock(mu_);
  if (!stop_) return;
  stop_ = false;
  registrar_ = std::make_unique<core::ThreadPool>("pw-rec-reg", 1, 64);
  thread_ = std::thread([this] { Run(); });
}

void Recorder::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  accepting_ = false;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  registrar_.reset();  // runs the registrations already queued, then joins
}

Status Recorder::SetOverride(const std::string& action) {
  if (action != "start" && action != "stop") {
    return Status::InvalidArgument("action must be \"start\" or \"stop\"").WithField("action");
  }
  auto m = schedule_.At(Clock::now());
  std::lock_guard file_lock(override_file_mu_);
  std::optional<Override> saved;
  {
    std::lock_guard lock(mu_);
    if (action == "start") {
      // In a window the schedule already records; out of one, record until the next window ends.
      if (m.in_window) {
        override_.reset();
      } else {
        override_ = Override{true, m.next_start};
      }
    } else {
      if (m.in_window) {
        override_ = Override{false, m.window_end};
      } else {
        override_.reset();
      }
    }
    saved = override_;
  }
  SaveOverride(saved);
  spdlog::info("camera {}: recording {} by hand", camera_id_, action == "start" ? "started" : "stopped");
  cv_.notify_all();
  return Status::Ok();
}

RecorderStats Recorder::Stats() const {
  auto m = schedule_.At(Clock::now());
  std::lock_guard lock(mu_);
  RecorderStats s = stats_;
  s.next_window_start = m.next_start;
  s.window_end = m.window_end;
  if (override_) s.override_action = override_->on ? "start" : "stop";
  return s;
}

nlohmann::json Recorder::ToJson() const {
  RecorderStats s = Stats();
  return {{"active", s.active},
          {"file", s.file.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.file)},
          {"since", TimeOrNull(s.since)},
          {"next_window_start", TimeOrNull(s.next_window_start)},
          {"window_end", TimeOrNull(s.window_end)},
          {"segments_written", s.segments_written},
          {"last_error", s.last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.last_error)},
          {"override", s.override_action.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.override_action)},
          {"schedule", spec_.schedule},
          {"segment_seconds", spec_.segment_seconds},
          {"bytes_written", s.bytes_written},
          {"dropped_packets", s.dropped_packets}};
}

// --- ingest thread: references only -------------------------------------------------------------

void Recorder::OnOpen(const std::vector<StreamInfo>& streams) {
  Item item;
  item.kind = Item::kOpen;
  for (const auto& s : streams) {
    RecordedStream r{s.index, s.type, s.time_base, media::CodecParamsPtr(avcodec_parameters_alloc())};
    if (!r.codecpar || !s.codecpar || avcodec_parameters_copy(r.codecpar.get(), s.codecpar) < 0) r.codecpar.reset();
    item.streams.push_back(std::move(r));
  }
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(item));  // not bounded by count: one per connection, drained each tick
  cv_.notify_one();
}

void Recorder::OnPacket(const StreamInfo& stream, const AVPacket& packet) {
  if (!accepting_.load(std::memory_order_relaxed)) return;
  std::lock_guard lock(mu_);
  if (queue_.size() >= options_.queue_packets || queued_bytes_ + static_cast<std::size_t>(packet.size) > options_.queue_bytes) {
    ++stats_.dropped_packets;
    gap_ = true;
    return;
  }
  Item item;
  item.stream_index = stream.index;
  item.packet = media::MakePacket();
  if (!item.packet || av_packet_ref(item.packet.get(), &packet) < 0) {
    ++stats_.dropped_packets;
    gap_ = true;
    return;
  }
  item.gap_before = gap_;
  gap_ = false;
  queued_bytes_ += static_cast<std::size_t>(packet.size);
  queue_.push_back(std::move(item));
  cv_.notify_one();
}

void Recorder::OnClose(const std::string& reason) {
  Item item;
  item.kind = Item::kClose;
  item.reason = reason;
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(item));
  cv_.notify_one();
}

// --- recorder thread ----------------------------------------------------------------------------

void Recorder::Run() {
  pthread_setname_np(pthread_self(), ("pw-rec-" + camera_id_).substr(0, 15).c_str());
  std::deque<Item> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, kTick, [&] { return stop_ || !queue_.empty(); });
      batch.swap(queue_);
      queued_bytes_ = 0;
      if (stop_) break;
    }
    Tick(Clock::now());
    for (auto& item : batch) Handle(item);
    batch.clear();
  }
  batch.clear();
  CloseSegment("recording stopped");
}

bool Recorder::Wanted(Clock::time_point now) {
  if (override_ && override_->until && now >= *override_->until) override_.reset();
  if (override_) return override_->on;
  return schedule_.At(now).in_window;
}

bool Recorder::DiskHasRoom() {
  if (options_.min_free_bytes == 0) return true;
  std::error_code ec;
  fs::create_directories(dir_, ec);
  auto space = fs::space(dir_, ec);
  if (ec) return true;  // cannot tell: the write itself will say
  const bool ok = space.available >= options_.min_free_bytes;
  if (!ok && disk_ok_) {
    std::string error = "recording stopped: only " + std::to_string(space.available >> 20) + " MiB free in " +
                        dir_.string() + " and MIN_FREE_DISK_MB keeps " + std::to_string(options_.min_free_bytes >> 20) +
                        " MiB free; free some space (old recordings) and recording resumes by itself";
    spdlog::error("camera {}: {}", camera_id_, error);
    std::lock_guard lock(mu_);
    stats_.last_error = error;
    ++stats_.errors;
  } else if (ok && !disk_ok_) {
    spdlog::info("camera {}: disk space is back ({} MiB free): recording may resume", camera_id_, space.available >> 20);
  }
  disk_ok_ = ok;
  return ok;
}

void Recorder::Tick(Clock::time_point now) {
  bool want;
  {
    std::lock_guard lock(mu_);
    want = Wanted(now);
    stats_.wanted = want;
  }
  if (want && now >= next_disk_check_) {
    next_disk_check_ = now + kDiskCheckEvery;
    if (!DiskHasRoom() && writer_) CloseSegment("disk floor reached");
  }
  want = want && disk_ok_;
  if (!want && writer_) CloseSegment(disk_ok_ ? "the recording window ended or recording was stopped" : "disk floor reached");
  if (!want) {
    std::lock_guard lock(mu_);
    stats_.since.reset();
  }
  want_ = want;
  accepting_ = want;
}

void Recorder::Handle(Item& item) {
  switch (item.kind) {
    case Item::kOpen:
      CloseSegment("camera reconnected");
      streams_ = std::move(item.streams);
      video_index_ = -1;
      for (const auto& s : streams_) {
        if (s.type == AVMEDIA_TYPE_VIDEO && s.codecpar) {
          video_index_ = s.index;
          video_tb_ = s.time_base;
          break;
        }
      }
      break;
    case Item::kClose:
      CloseSegment("camera connection ended: " + item.reason);
      streams_.clear();
      video_index_ = -1;
      break;
    case Item::kPacket:
      HandlePacket(item);
      break;
  }
}

void Recorder::HandlePacket(Item& item) {
  if (item.gap_before) CloseSegment("packets were dropped (the disk is too slow)");
  if (!want_ || video_index_ < 0) return;
  const AVPacket& p = *item.packet;
  const bool keyframe = item.stream_index == video_index_ && (p.flags & AV_PKT_FLAG_KEY);
  if (keyframe) {
    const int64_t ts = p.pts != AV_NOPTS_VALUE ? p.pts : p.dts;
    const int64_t ts_us = ts == AV_NOPTS_VALUE ? 0 : av_rescale_q(ts, video_tb_, kMicros);
    if (writer_ && ts_us - segment_start_us_ >= int64_t{spec_.segment_seconds} * 1000000) {
      CloseSegment("segment complete");
    }
    if (!writer_) OpenSegment(ts_us, p);
  }
  if (!writer_) return;  // waiting for a keyframe
  Status st = writer_->Write(item.stream_index, p);
  if (!st.ok()) Fail(st.message());
}

fs::path Recorder::NextPath() const {
  std::time_t t = Clock::to_time_t(Clock::now());
  std::tm local{};
  localtime_r(&t, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  const std::string base = camera_id_ + "-" + stamp;
  fs::path path = dir_ / (base + ".mp4");
  std::error_code ec;
  for (int n = 1; fs::exists(path, ec) || fs::exists(path.string() + ".part", ec); ++n) {
    path = dir_ / (base + "-" + std::to_string(n) + ".mp4");
  }
  return path;
}

void Recorder::OpenSegment(int64_t start_pts_us, const AVPacket& keyframe) {
  if (!DiskHasRoom()) {
    accepting_ = false;
    want_ = false;
    return;
  }
  std::error_code ec;
  fs::create_directories(dir_, ec);
  auto writer = SegmentWriter::Open(NextPath(), streams_, keyframe);
  if (!writer.ok()) return Fail(writer.status().message());
  writer_ = std::move(*writer);
  segment_start_us_ = start_pts_us;
  spdlog::info("camera {}: recording {}", camera_id_, writer_->final_path().string());
  std::lock_guard lock(mu_);
  stats_.active = true;
  stats_.file = writer_->final_path().string();
  if (!stats_.since) stats_.since = Clock::now();
}

void Recorder::CloseSegment(const std::string& why) {
  if (!writer_) return;
  std::unique_ptr<SegmentWriter> w = std::move(writer_);
  Status st = w->Finish();
  {
    std::lock_guard lock(mu_);
    stats_.active = false;
    stats_.file.clear();
    stats_.bytes_written += w->bytes();
    stats_.dropped_packets += w->dropped();
    if (st.ok()) ++stats_.segments_written;
  }
  if (!st.ok()) return Fail(st.message());
  spdlog::info("camera {}: segment {} closed ({:.1f} s, {} KiB): {}", camera_id_, w->final_path().filename().string(),
               w->duration_s(), w->bytes() >> 10, why);
  if (!options_.on_segment) return;
  fs::path path = w->final_path();
  if (!registrar_->Submit([this, path] { options_.on_segment(path); })) {
    spdlog::error("camera {}: too many segments wait for registration; {} stays on disk unregistered "
                  "(register it with the videos API)", camera_id_, path.string());
  }
}

void Recorder::Fail(const std::string& error) {
  // A lasting failure repeats at every keyframe: log it at most every 10 s (counted each time).
  const auto now = std::chrono::steady_clock::now();
  if (now - last_fail_log_ >= std::chrono::seconds(10)) {
    last_fail_log_ = now;
    spdlog::error("camera {}: {}", camera_id_, error);
  }
  writer_.reset();  // what was written stays as .part: repaired at the next start
  std::lock_guard lock(mu_);
  stats_.active = false;
  stats_.file.clear();
  stats_.last_error = error;
  ++stats_.errors;
}

}  // namespace pw::live
