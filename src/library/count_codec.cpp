#include "library/count_codec.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include <opencv2/imgproc.hpp>

namespace pw::library {
namespace {

constexpr uint8_t kSummaryVersion = 1;
constexpr uint8_t kInstancesVersion = 1;

class Writer {
 public:
  template <typename T>
  void Put(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out_.append(buf, sizeof(T));
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <typename T>
  bool Get(T& v) {
    if (in_.size() < sizeof(T)) return false;
    std::memcpy(&v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

core::Status Corrupt(std::string_view what) {
  return core::Status::Internal(std::string("stored index chunk is damaged (") + std::string(what) +
                                "): delete the video's index to rebuild it");
}

int16_t Clamp16(int v) { return static_cast<int16_t>(std::clamp(v, -32768, 32767)); }

}  // namespace

std::string EncodeSummaries(const std::vector<IndexSample>& samples) {
  Writer w;
  w.Put(kSummaryVersion);
  w.Put(static_cast<uint32_t>(samples.size()));
  for (const auto& s : samples) {
    w.Put(s.t);
    w.Put(s.pts);
    w.Put(static_cast<uint16_t>(std::clamp(s.count, 0, 65535)));
    w.Put(static_cast<uint16_t>(std::clamp(s.raw_count, 0, 65535)));
    w.Put(s.confidence);
    w.Put(static_cast<uint8_t>(s.stable));
    w.Put(s.since);
    w.Put(static_cast<uint16_t>(std::clamp(s.tracks, 0, 65535)));
  }
  return w.Take();
}

core::Result<std::vector<IndexSample>> DecodeSummaries(std::string_view blob) {
  Reader r(blob);
  uint8_t version = 0;
  uint32_t n = 0;
  if (!r.Get(version) || version != kSummaryVersion) return Corrupt("summary version");
  if (!r.Get(n) || n > blob.size()) return Corrupt("summary size");
  std::vector<IndexSample> out(n);
  for (auto& s : out) {
    uint16_t count = 0, raw = 0, tracks = 0;
    uint8_t stable = 0;
    if (!r.Get(s.t) || !r.Get(s.pts) || !r.Get(count) || !r.Get(raw) || !r.Get(s.confidence) || !r.Get(stable) ||
        !r.Get(s.since) || !r.Get(tracks)) {
      return Corrupt("summary truncated");
    }
    s.count = count;
    s.raw_count = raw;
    s.stable = stable != 0;
    s.tracks = tracks;
  }
  if (!r.done()) return Corrupt("summary trailing bytes");
  return out;
}

std::string EncodeInstances(const std::vector<SampleInstances>& samples) {
  Writer w;
  w.Put(kInstancesVersion);
  w.Put(static_cast<uint32_t>(samples.size()));
  for (const auto& s : samples) {
    w.Put(static_cast<uint16_t>(s.instances.size()));
    for (size_t i = 0; i < s.instances.size(); ++i) {
      const auto& inst = s.instances[i];
      w.Put(inst.box.x);
      w.Put(inst.box.y);
      w.Put(inst.box.width);
      w.Put(inst.box.height);
      w.Put(inst.score);
      w.Put(static_cast<uint16_t>(std::clamp(inst.class_id, 0, 65535)));
      w.Put(inst.area);
      w.Put(static_cast<int32_t>(i < s.track_ids.size() ? s.track_ids[i] : 0));
      w.Put(static_cast<uint16_t>(std::min<size_t>(inst.polygon.size(), 65535)));
      for (size_t p = 0; p < std::min<size_t>(inst.polygon.size(), 65535); ++p) {
        w.Put(Clamp16(inst.polygon[p].x));
        w.Put(Clamp16(inst.polygon[p].y));
      }
    }
  }
  return w.Take();
}

core::Result<std::vector<SampleInstances>> DecodeInstances(std::string_view blob) {
  Reader r(blob);
  uint8_t version = 0;
  uint32_t n = 0;
  if (!r.Get(version) || version != kInstancesVersion) return Corrupt("instances version");
  if (!r.Get(n) || n > blob.size()) return Corrupt("instances size");
  std::vector<SampleInstances> out(n);
  for (auto& s : out) {
    uint16_t count = 0;
    if (!r.Get(count)) return Corrupt("instances truncated");
    s.instances.resize(count);
    s.track_ids.resize(count);
    for (size_t i = 0; i < count; ++i) {
      auto& inst = s.instances[i];
      uint16_t class_id = 0, points = 0;
      int32_t track = 0;
      if (!r.Get(inst.box.x) || !r.Get(inst.box.y) || !r.Get(inst.box.width) || !r.Get(inst.box.height) ||
          !r.Get(inst.score) || !r.Get(class_id) || !r.Get(inst.area) || !r.Get(track) || !r.Get(points)) {
        return Corrupt("instance truncated");
      }
      inst.class_id = class_id;
      s.track_ids[i] = track;
      inst.polygon.resize(points);
      for (auto& p : inst.polygon) {
        int16_t x = 0, y = 0;
        if (!r.Get(x) || !r.Get(y)) return Corrupt("polygon truncated");
        p = {x, y};
      }
      if (!inst.polygon.empty()) inst.mask_rect = cv::boundingRect(inst.polygon);
    }
  }
  if (!r.done()) return Corrupt("instances trailing bytes");
  return out;
}

}  // namespace pw::library
