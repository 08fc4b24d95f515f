// SegmentWriter: one recording segment on disk — a camera's packets copied (no re-encode) into a
// fragmented MP4 at `<final>.part`, then on Finish() flushed, fsync'ed and renamed to `<final>`.
//
// The file is written as ftyp+moov (empty) followed by moof+mdat fragments, one per video
// keyframe, each handed to the kernel as soon as it is complete: a process killed mid-segment
// leaves a `.part` whose complete fragments play (RepairRecording keeps them).
// Streams that MP4 cannot carry (e.g. G.711 audio) are left out. The first packet must be a video
// keyframe; timestamps are re-based so the segment starts at 0. Packets whose DTS does not
// increase are dropped (counted) instead of failing the segment.
// Errors: kInternal with the path and libav's reason. Not thread-safe: one owner thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "core/status.h"
#include "live/packet_subscriber.h"
#include "media/av_ptr.h"

namespace pw::live {

// A stream as the recorder keeps it between OnOpen and the writer thread (owns its parameters).
struct RecordedStream {
  int index = 0;
  AVMediaType type = AVMEDIA_TYPE_UNKNOWN;
  AVRational time_base{1, 90000};
  media::CodecParamsPtr codecpar;
};

class SegmentWriter {
 public:
  ~SegmentWriter();  // an unfinished segment is closed as it is (left as .part)
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  // Creates `final_path`.part (the folder must exist). `streams` must contain a video stream;
  // `first_keyframe` (the segment's first packet) supplies the picture size when the stream
  // parameters lack it (RTSP opened without avformat_find_stream_info).
  static core::Result<std::unique_ptr<SegmentWriter>> Open(const std::filesystem::path& final_path,
                                                           const std::vector<RecordedStream>& streams,
                                                           const AVPacket& first_keyframe);

  // `stream_index` is the camera's stream index. Packets of streams left out are ignored.
  core::Status Write(int stream_index, const AVPacket& packet);
  // Trailer, fsync, rename to the final path (and fsync of the folder).
  core::Status Finish();

  // Media seconds covered by the video written so far (last video pts - first).
  double duration_s() const;
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t dropped() const { return dropped_; }
  const std::filesystem::path& final_path() const { return final_path_; }
  std::filesystem::path part_path() const { return final_path_.string() + ".part"; }

 private:
  SegmentWriter() = default;
  struct Out {
    int out_index = -1;         // -1: not recorded
    AVRational in_tb{1, 90000};
    int64_t last_dts = INT64_MIN;
  };

  std::filesystem::path final_path_;
  media::OutputFormatPtr oc_;
  bool header_written_ = false, finished_ = false;
  std::vector<Out> map_;      // by camera stream index
  int video_index_ = -1;      // camera index of the video stream
  int64_t origin_us_ = AV_NOPTS_VALUE;  // first keyframe's DTS, microseconds: subtracted from all
  int64_t first_pts_us_ = AV_NOPTS_VALUE, last_pts_us_ = AV_NOPTS_VALUE;
  std::uint64_t bytes_ = 0, dropped_ = 0;
};

// fsync of a file or folder by path; false with errno set on failure.
bool SyncPath(const std::filesystem::path& path);

}  // namespace pw::live
