// HlsRemuxer: HLS VOD for one video file, produced on demand by remuxing (never re-encoding).
//
// Create() takes the file and its keyframe index, plans the segments (hls_plan.h) and reads the
// stream parameters once. Segment(i) seeks to the segment's first keyframe and copies packets
// into an in-memory fMP4 fragment (moof+mdat) or TS segment. Timestamps are the source's,
// shifted by one constant for the whole file (media time + preroll), so segments fetched in any
// order form one continuous timeline. Video plus the first audio stream the output can carry
// (AAC, MP3, AC-3, E-AC-3, Opus; ADTS AAC is converted for fMP4); other audio is dropped and
// noted in audio_note(). HEVC is carried as 'hvc1' in fMP4; browser support is the caller's
// concern (see ProbeInfo::browser_playable).
//
// Create() fails with kUnprocessable when the streams cannot be carried in fMP4 (then use TS).
// Thread-safety: const methods may run concurrently; each call uses its own demuxer, taken from
// a small pool of idle ones (bound: Options::max_idle_demuxers; beyond it, extra demuxers are
// closed after use). Errors: kNotFound for a segment number out of range, kUnprocessable when the
// file no longer reads as at indexing time, kCancelled when `cancel` fires.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "media/av_ptr.h"
#include "media/cancel_token.h"
#include "media/demuxer.h"
#include "media/hls_plan.h"
#include "media/keyframe_index.h"

namespace pw::media {

class MemoryOutput;

class HlsRemuxer {
 public:
  struct Options {
    SegmentFormat format = SegmentFormat::kFmp4;
    HlsPlanOptions plan;
    size_t max_idle_demuxers = 4;
  };

  static core::Result<std::unique_ptr<HlsRemuxer>> Create(const std::filesystem::path& path,
                                                          KeyframeIndex index, Options options);
  ~HlsRemuxer();

  const HlsPlan& plan() const { return plan_; }
  SegmentFormat format() const { return options_.format; }
  const KeyframeIndex& index() const { return index_; }
  const std::string& video_codec() const { return video_codec_; }
  // Empty, or why an audio stream of the source is not in the output.
  const std::string& audio_note() const { return audio_note_; }
  bool has_audio() const { return streams_.size() > 1; }

  std::string Playlist(const std::string& init_uri,
                       const std::function<std::string(size_t)>& segment_uri) const;
  // fMP4 initialisation segment (ftyp + moov, made by Create); kInvalidArgument for TS output.
  core::Result<std::string> InitSegment() const;
  // Media segment `i` (0-based) of the plan.
  core::Result<std::string> Segment(size_t i, const CancelToken* cancel = nullptr) const;

 private:
  struct Stream {
    int in_index = 0;
    AVRational in_tb{1, 1};
    CodecParamsPtr par;      // parameters for the output stream
    bool strip_adts = false; // source AAC in ADTS, output fMP4: headers removed, config in par
    int64_t default_duration = 0;  // in in_tb, for packets without a duration
  };
  class DemuxerLease;

  HlsRemuxer() = default;
  core::Status SetUpStreams(Demuxer& d);
  core::Result<OutputFormatPtr> OpenMuxer(MemoryOutput& out, size_t fragment_index) const;
  core::Status MeasureReorder(Demuxer& d);
  size_t EstimatedBytes(const Demuxer& d, size_t i) const;
  // Hands `sink` the packets of segment i in file order (stream_index set to the output stream,
  // source timestamps).
  core::Status CollectPackets(Demuxer& d, size_t i, const CancelToken* cancel,
                              const std::function<core::Status(PacketPtr)>& sink) const;
  // Per output stream: the constant that maps source time to output time (media time + preroll).
  std::vector<int64_t> Shifts(AVFormatContext* oc) const;
  void Retime(AVPacket* pkt, AVRational out_tb, int64_t shift) const;
  // Writes a held segment: rebuilt DTS if needed, interleaved by decode time.
  core::Status WriteHeld(AVFormatContext* oc, std::vector<PacketPtr> packets) const;
  static core::Status WriteOne(AVFormatContext* oc, AVPacket* pkt);
  void SynthesizeVideoDts(std::vector<PacketPtr>& packets) const;
  std::unique_ptr<Demuxer> TakeDemuxer() const;
  void ReturnDemuxer(std::unique_ptr<Demuxer> d) const;

  std::filesystem::path path_;
  KeyframeIndex index_;
  Options options_;
  HlsPlan plan_;
  std::string video_codec_;
  std::string audio_note_;
  std::string init_segment_;  // fMP4 only
  std::vector<Stream> streams_;  // [0] is video
  bool synth_dts_ = false;       // video DTS are rebuilt (PTS-only container)
  int64_t synth_delay_ = 0;      // reorder delay for rebuilt DTS (video time base)
  int64_t preroll_us_ = 0;       // shift that keeps every output DTS >= 0

  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<Demuxer>> idle_;  // guarded by mu_
};

}  // namespace pw::media
