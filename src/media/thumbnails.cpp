#include "media/thumbnails.h"

#include <cmath>
#include <cstdio>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "media/demuxer.h"
#include "media/frame_decoder.h"
#include "media/image.h"

namespace pw::media {

namespace fs = std::filesystem;
using core::Status;

namespace {

std::string SheetName(size_t n) {
  char buf[32];
  snprintf(buf, sizeof(buf), "sprite_%03zu.jpg", n);
  return buf;
}

// Accumulates tiles into sheets and writes each full sheet.
class SheetWriter {
 public:
  SheetWriter(fs::path dir, const ThumbnailOptions& o) : dir_(std::move(dir)), o_(o) {}

  Status Add(const cv::Mat& thumb, double t, ThumbnailSet* set) {
    int per_sheet = o_.columns * o_.rows;
    int slot = static_cast<int>(set->tiles.size() % per_sheet);
    if (slot == 0) {
      PW_RETURN_IF_ERROR(Flush(set));
      tile_h_ = thumb.rows;
      sheet_ = cv::Mat(tile_h_ * o_.rows, o_.width * o_.columns, CV_8UC3, cv::Scalar(0, 0, 0));
      set->sheets.push_back(SheetName(set->sheets.size()));
    }
    int x = (slot % o_.columns) * o_.width, y = (slot / o_.columns) * tile_h_;
    cv::Mat dst = sheet_(cv::Rect(x, y, o_.width, tile_h_));
    cv::resize(thumb, dst, dst.size(), 0, 0, cv::INTER_AREA);
    used_rows_ = std::max(used_rows_, y + tile_h_);
    set->tiles.push_back({t, t, static_cast<int>(set->sheets.size() - 1), x, y, o_.width, tile_h_});
    return Status::Ok();
  }

  Status Flush(ThumbnailSet* set) {
    if (sheet_.empty()) return Status::Ok();
    auto jpeg = EncodeJpeg(sheet_(cv::Rect(0, 0, sheet_.cols, used_rows_)), o_.jpeg_quality);
    if (!jpeg.ok()) return jpeg.status();
    fs::path file = dir_ / set->sheets.back();
    std::ofstream out(file, std::ios::binary);
    out.write(jpeg->data(), static_cast<std::streamsize>(jpeg->size()));
    if (!out) return Status::Internal("cannot write " + file.string());
    sheet_.release();
    used_rows_ = 0;
    return Status::Ok();
  }

 private:
  fs::path dir_;
  ThumbnailOptions o_;
  cv::Mat sheet_;
  int tile_h_ = 0;
  int used_rows_ = 0;
};

}  // namespace

core::Result<ThumbnailSet> BuildThumbnails(const fs::path& video, const KeyframeIndex& index,
                                           const fs::path& out_dir,
                                           const ThumbnailOptions& options,
                                           const std::function<void(size_t, size_t)>& progress,
                                           const CancelToken* cancel) {
  if (options.width < 16 || options.columns < 1 || options.rows < 1) {
    return Status::InvalidArgument("thumbnail width must be >= 16 and the grid at least 1x1");
  }
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return Status::Internal("cannot create " + out_dir.string() + ": " + ec.message());

  auto opened = Demuxer::Open(video);
  if (!opened.ok()) return opened.status();
  Demuxer& d = **opened;
  const AVCodecParameters* par = d.video_stream()->codecpar;
  const AVCodec* codec = avcodec_find_decoder(par->codec_id);
  if (!codec) return Status::Unprocessable("no decoder for this video codec");
  CodecContextPtr ctx(avcodec_alloc_context3(codec));
  if (!ctx) return Status::Internal("out of memory");
  avcodec_parameters_to_context(ctx.get(), par);
  ctx->pkt_timebase = d.video_stream()->time_base;
  ctx->skip_frame = AVDISCARD_NONKEY;  // only keyframe packets are sent anyway
  int err = avcodec_open2(ctx.get(), codec, nullptr);
  if (err < 0) return Status::Unprocessable("cannot open the video decoder: " + AvErrorText(err));

  ThumbnailSet set;
  SheetWriter writer(out_dir, options);
  PacketPtr pkt = MakePacket();
  FramePtr frame = MakeFrame();
  const size_t total = index.keyframes.size();
  double last_t = -1e300;
  auto receive = [&]() -> Status {
    while (avcodec_receive_frame(ctx.get(), frame.get()) == 0) {
      double t = index.TimeOf(FramePts(*frame));
      if (t - last_t < options.min_interval_sec) continue;
      last_t = t;
      auto bgr = ToBgr(*frame, options.width);
      if (!bgr.ok()) return bgr.status();
      PW_RETURN_IF_ERROR(writer.Add(*bgr, t, &set));
      if (progress) progress(set.tiles.size(), total);
    }
    return Status::Ok();
  };
  for (;;) {
    if (IsCancelled(cancel)) return Status::Cancelled("thumbnail build cancelled");
    auto more = d.Read(pkt.get());
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (pkt->stream_index != d.video_index() || !(pkt->flags & AV_PKT_FLAG_KEY)) continue;
    if (avcodec_send_packet(ctx.get(), pkt.get()) < 0) continue;  // damaged keyframe: skip it
    PW_RETURN_IF_ERROR(receive());
  }
  avcodec_send_packet(ctx.get(), nullptr);
  PW_RETURN_IF_ERROR(receive());
  PW_RETURN_IF_ERROR(writer.Flush(&set));
  for (size_t i = 0; i < set.tiles.size(); ++i) {
    set.tiles[i].end_sec = i + 1 < set.tiles.size() ? set.tiles[i + 1].start_sec
                                                    : index.duration_sec();
  }
  return set;
}

nlohmann::json ThumbnailsJson(const ThumbnailSet& set) {
  nlohmann::json tiles = nlohmann::json::array();
  for (const auto& t : set.tiles) {
    tiles.push_back({{"start", t.start_sec},
                     {"end", t.end_sec},
                     {"sheet", set.sheets[t.sheet]},
                     {"x", t.x},
                     {"y", t.y},
                     {"w", t.w},
                     {"h", t.h}});
  }
  return {{"sheets", set.sheets}, {"tiles", tiles}};
}

namespace {
std::string VttTime(double s) {
  s = std::max(0.0, s);
  auto ms = static_cast<long long>(std::llround(s * 1000));
  char buf[32];
  snprintf(buf, sizeof(buf), "%02lld:%02lld:%02lld.%03lld", ms / 3600000, ms / 60000 % 60,
           ms / 1000 % 60, ms % 1000);
  return buf;
}
}  // namespace

std::string ThumbnailsVtt(const ThumbnailSet& set, const std::string& url_prefix) {
  std::string out = "WEBVTT\n";
  for (const auto& t : set.tiles) {
    out += fmt::format("\n{} --> {}\n{}{}#xywh={},{},{},{}\n", VttTime(t.start_sec),
                       VttTime(t.end_sec), url_prefix, set.sheets[t.sheet], t.x, t.y, t.w, t.h);
  }
  return out;
}

}  // namespace pw::media
