#include "webrtc/h264_annexb.h"

namespace pw::webrtc {

namespace {

constexpr char kStartCode[] = {0, 0, 0, 1};
constexpr int kNalSps = 7;

void AppendNal(std::string& out, const std::uint8_t* nal, std::size_t size) {
  out.append(kStartCode, sizeof(kStartCode));
  out.append(reinterpret_cast<const char*>(nal), size);
}

std::uint32_t ReadBe(const std::uint8_t* p, int n) {
  std::uint32_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

// Parses avcC (ISO/IEC 14496-15): returns the NAL length size and appends SPS/PPS to `out`.
core::Result<int> ParseAvcC(const std::uint8_t* d, std::size_t size, std::string& out) {
  const auto broken = core::Status::Unprocessable(
      "the camera's H.264 configuration (avcC) is malformed; check the camera's codec settings");
  if (size < 7) return broken;
  const int length_size = (d[4] & 3) + 1;
  std::size_t pos = 5;
  for (int list = 0; list < 2; ++list) {  // SPS list then PPS list
    if (pos >= size) return broken;
    const int count = list == 0 ? (d[pos] & 0x1f) : d[pos];
    ++pos;
    for (int i = 0; i < count; ++i) {
      if (pos + 2 > size) return broken;
      const std::size_t len = ReadBe(d + pos, 2);
      pos += 2;
      if (pos + len > size) return broken;
      AppendNal(out, d + pos, len);
      pos += len;
    }
  }
  return length_size;
}

}  // namespace

std::uint32_t AnnexBNalTypes(const std::uint8_t* data, std::size_t size) {
  std::uint32_t types = 0;
  for (std::size_t i = 0; i + 3 < size; ++i) {
    if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
      types |= 1u << (data[i + 3] & 0x1f);
      i += 2;
    }
  }
  return types;
}

core::Status H264AnnexB::Init(const AVCodecParameters& codecpar) {
  parameter_sets_.clear();
  length_size_ = 0;
  if (codecpar.codec_id != AV_CODEC_ID_H264) {
    return core::Status::Unprocessable(std::string("the camera sends ") + avcodec_get_name(codecpar.codec_id) +
                                       ", not H.264; WebRTC forwarding needs H.264");
  }
  const auto* d = codecpar.extradata;
  const std::size_t size = codecpar.extradata ? static_cast<std::size_t>(codecpar.extradata_size) : 0;
  if (size > 0 && d[0] == 1) {
    auto n = ParseAvcC(d, size, parameter_sets_);
    if (!n.ok()) return n.status();
    length_size_ = *n;
  } else if (size > 0) {
    parameter_sets_.assign(reinterpret_cast<const char*>(d), size);
  }
  return core::Status::Ok();
}

std::string H264AnnexB::Convert(const AVPacket& packet) const {
  std::string out;
  const bool key = (packet.flags & AV_PKT_FLAG_KEY) != 0;
  if (length_size_ == 0) {
    if (key && !(AnnexBNalTypes(packet.data, packet.size) & (1u << kNalSps))) out = parameter_sets_;
    out.append(reinterpret_cast<const char*>(packet.data), packet.size);
    return out;
  }
  std::string nals;
  bool has_sps = false;
  const std::size_t size = packet.size;
  for (std::size_t pos = 0; pos < size;) {
    if (pos + length_size_ > size) return {};
    const std::size_t len = ReadBe(packet.data + pos, length_size_);
    pos += length_size_;
    if (len == 0 || pos + len > size) return {};
    has_sps = has_sps || (packet.data[pos] & 0x1f) == kNalSps;
    AppendNal(nals, packet.data + pos, len);
    pos += len;
  }
  if (key && !has_sps) out = parameter_sets_;
  out += nals;
  return out;
}

}  // namespace pw::webrtc
