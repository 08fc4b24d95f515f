// Demuxer: an opened video file (libavformat input) with its video stream chosen, packet reading
// and seeking to a known keyframe.
//
// Errors: a missing file is kNotFound; an empty, truncated, corrupt or non-video file, or one
// without a video stream, is kUnprocessable with a reason an operator can act on.
// Thread-safety: one thread at a time; independent Demuxers of the same file may run in parallel.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "core/status.h"
#include "media/av_ptr.h"

namespace pw::media {

struct Keyframe;

// The DTS of a packet, falling back to its PTS when the container leaves DTS unset.
inline int64_t PacketDts(const AVPacket& p) { return p.dts != AV_NOPTS_VALUE ? p.dts : p.pts; }

class Demuxer {
 public:
  static core::Result<std::unique_ptr<Demuxer>> Open(const std::filesystem::path& path);

  AVFormatContext* ctx() const { return ctx_.get(); }
  int video_index() const { return video_index_; }
  AVStream* video_stream() const { return ctx_->streams[video_index_]; }
  const std::filesystem::path& path() const { return path_; }
  int64_t file_size() const { return file_size_; }
  // True for containers without a usable timestamp index (MPEG-TS/PS): seek by byte position.
  bool seeks_by_byte() const { return seeks_by_byte_; }

  // True for containers that store only presentation times (Matroska/WebM): FFmpeg's DTS for
  // them are guesses that change after a seek, so callers order video by PTS (closed GOPs).
  bool pts_only() const { return pts_only_; }
  // The timestamp that orders video packets in decode order within this file and is stable
  // across seeks: the DTS, or the PTS for pts_only() containers.
  int64_t DecodeTs(const AVPacket& p) const { return pts_only_ ? p.pts : PacketDts(p); }

  // Reads the next packet into `pkt` (unreferenced first). False at end of file; a read error
  // in the middle of the file is kUnprocessable (corrupt data).
  core::Result<bool> Read(AVPacket* pkt);

  // Positions reading so that the next video packets start at `kf` (or slightly before it; the
  // caller skips packets by DTS). Uses the byte position for byte-seeking containers.
  core::Status SeekToKeyframe(const Keyframe& kf);

 private:
  Demuxer() = default;

  InputFormatPtr ctx_;
  std::filesystem::path path_;
  int64_t file_size_ = 0;
  int video_index_ = -1;
  bool seeks_by_byte_ = false;
  bool pts_only_ = false;
};

}  // namespace pw::media
