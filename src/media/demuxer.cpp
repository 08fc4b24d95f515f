#include "media/demuxer.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <system_error>

#include "media/keyframe_index.h"

namespace pw::media {

namespace fs = std::filesystem;
using core::Status;

namespace {

// MP4/MOV index entries name the bytes each sample needs; a file shorter than that was cut off.
Status CheckNotTruncated(AVFormatContext* ctx, int64_t file_size) {
  if (!strstr(ctx->iformat->name, "mp4")) return Status::Ok();
  int64_t needed = 0;
  for (unsigned s = 0; s < ctx->nb_streams; ++s) {
    AVStream* st = ctx->streams[s];
    int n = avformat_index_get_entries_count(st);
    if (n <= 0) continue;
    const AVIndexEntry* e = avformat_index_get_entry(st, n - 1);
    if (e) needed = std::max<int64_t>(needed, e->pos + e->size);
  }
  if (needed > file_size) {
    return Status::Unprocessable("the file is truncated: its index refers to " +
                                 std::to_string(needed) + " bytes but the file has only " +
                                 std::to_string(file_size) +
                                 "; copy or upload the complete file again");
  }
  return Status::Ok();
}

}  // namespace

core::Result<std::unique_ptr<Demuxer>> Demuxer::Open(const fs::path& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) {
      return Status::NotFound("no file at " + path.string());
    }
    return Status::Unprocessable("cannot read " + path.string() + ": " + ec.message());
  }
  if (size == 0) {
    return Status::Unprocessable("the file " + path.filename().string() +
                                 " is empty (0 bytes); copy or upload it again");
  }
  std::unique_ptr<Demuxer> d(new Demuxer());
  d->path_ = path;
  d->file_size_ = static_cast<int64_t>(size);
  AVFormatContext* raw = nullptr;
  int err = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (err < 0) {
    return Status::Unprocessable(path.filename().string() +
                                 " is not a video file FFmpeg can read (" + AvErrorText(err) +
                                 "); it may be corrupt, truncated or of another type");
  }
  d->ctx_.reset(raw);
  err = avformat_find_stream_info(raw, nullptr);
  if (err < 0) {
    return Status::Unprocessable("cannot read the streams of " + path.filename().string() + " (" +
                                 AvErrorText(err) + "); the file may be corrupt");
  }
  int vi = av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (vi < 0 || (raw->streams[vi]->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
    return Status::Unprocessable(path.filename().string() +
                                 " has no video stream (audio-only or not a video file)");
  }
  const AVCodecParameters* par = raw->streams[vi]->codecpar;
  if (par->width <= 0 || par->height <= 0 || par->codec_id == AV_CODEC_ID_NONE) {
    return Status::Unprocessable("the video stream of " + path.filename().string() +
                                 " has no usable picture size or codec; the file may be "
                                 "truncated or corrupt");
  }
  PW_RETURN_IF_ERROR(CheckNotTruncated(raw, d->file_size_));
  d->video_index_ = vi;
  const char* name = raw->iformat->name;
  d->seeks_by_byte_ = strcmp(name, "mpegts") == 0 || strcmp(name, "mpeg") == 0;
  d->pts_only_ = strstr(name, "matroska") != nullptr || strstr(name, "webm") != nullptr;
  return d;
}

core::Result<bool> Demuxer::Read(AVPacket* pkt) {
  av_packet_unref(pkt);
  int err = av_read_frame(ctx_.get(), pkt);
  if (err == AVERROR_EOF) return false;
  if (err < 0) {
    // Reads past a cut-off end surface as I/O errors; treat any end-of-data error as the end.
    if (avio_feof(ctx_->pb)) return false;
    return Status::Unprocessable("error reading " + path_.filename().string() + ": " +
                                 AvErrorText(err) + "; the file may be corrupt");
  }
  return true;
}

Status Demuxer::SeekToKeyframe(const Keyframe& kf) {
  int err;
  if (seeks_by_byte_ && kf.pos >= 0) {
    err = av_seek_frame(ctx_.get(), -1, kf.pos, AVSEEK_FLAG_BYTE);
  } else {
    err = av_seek_frame(ctx_.get(), video_index_, kf.pts, AVSEEK_FLAG_BACKWARD);
  }
  if (err < 0) {
    return Status::Unprocessable("cannot seek in " + path_.filename().string() + ": " +
                                 AvErrorText(err));
  }
  return Status::Ok();
}

}  // namespace pw::media
