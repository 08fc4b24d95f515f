#include "webrtc/h264_annexb.h"

#include <gtest/gtest.h>

#include <vector>

namespace pw::webrtc {
namespace {

const std::string kSc("\0\0\0\1", 4);

struct Params {
  std::vector<uint8_t> extradata;
  AVCodecParameters par{};
  explicit Params(std::vector<uint8_t> e, AVCodecID codec = AV_CODEC_ID_H264) : extradata(std::move(e)) {
    par.codec_id = codec;
    par.extradata = extradata.data();
    par.extradata_size = static_cast<int>(extradata.size());
  }
};

AVPacket Packet(std::vector<uint8_t>& data, bool key) {
  AVPacket p{};
  p.data = data.data();
  p.size = static_cast<int>(data.size());
  p.flags = key ? AV_PKT_FLAG_KEY : 0;
  return p;
}

// avcC with one SPS (67 42 ..) and one PPS (68 ce ..), 4-byte NAL lengths.
std::vector<uint8_t> AvcC() {
  return {1, 0x42, 0, 0x1e, 0xff, 0xe1, 0, 3, 0x67, 0x42, 0x00, 1, 0, 2, 0x68, 0xce};
}

TEST(H264AnnexB, ConvertsLengthPrefixedKeyframeAndPrependsParameterSets) {
  Params p(AvcC());
  H264AnnexB conv;
  ASSERT_TRUE(conv.Init(p.par).ok());
  EXPECT_TRUE(conv.length_prefixed());
  std::vector<uint8_t> idr = {0, 0, 0, 2, 0x65, 0x88, 0, 0, 0, 1, 0x06};
  const std::string out = conv.Convert(Packet(idr, true));
  const std::string want = kSc + std::string("\x67\x42\x00", 3) + kSc + std::string("\x68\xce", 2) + kSc + std::string("\x65\x88", 2) +
                           kSc + "\x06";
  EXPECT_EQ(out, want);
  std::vector<uint8_t> p_frame = {0, 0, 0, 1, 0x41};
  EXPECT_EQ(conv.Convert(Packet(p_frame, false)), kSc + "\x41");
}

TEST(H264AnnexB, KeepsAnnexBPacketsAndAddsExtradataOnlyWhenTheKeyframeLacksSps) {
  std::vector<uint8_t> sps_pps = {0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x68, 0xce};
  Params p(sps_pps);
  H264AnnexB conv;
  ASSERT_TRUE(conv.Init(p.par).ok());
  EXPECT_FALSE(conv.length_prefixed());
  std::vector<uint8_t> bare_idr = {0, 0, 0, 1, 0x65, 0x88};
  EXPECT_EQ(conv.Convert(Packet(bare_idr, true)), conv.parameter_sets() + std::string("\0\0\0\1\x65\x88", 6));
  std::vector<uint8_t> full_idr = {0, 0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x65, 0x88};
  EXPECT_EQ(conv.Convert(Packet(full_idr, true)).size(), full_idr.size());
}

TEST(H264AnnexB, RejectsHevcAndBrokenAvcCWithReasons) {
  Params hevc({}, AV_CODEC_ID_HEVC);
  H264AnnexB conv;
  auto st = conv.Init(hevc.par);
  EXPECT_EQ(st.code(), core::Code::kUnprocessable);
  EXPECT_NE(st.message().find("not H.264"), std::string::npos) << st.message();
  Params broken({1, 0x42, 0, 0x1e, 0xff, 0xe1, 0, 40, 0x67});
  EXPECT_EQ(conv.Init(broken.par).code(), core::Code::kUnprocessable);
}

TEST(H264AnnexB, ReturnsEmptyForTruncatedLengthPrefixedPacket) {
  Params p(AvcC());
  H264AnnexB conv;
  ASSERT_TRUE(conv.Init(p.par).ok());
  std::vector<uint8_t> cut = {0, 0, 0, 9, 0x41, 0x00};
  EXPECT_TRUE(conv.Convert(Packet(cut, false)).empty());
}

}  // namespace
}  // namespace pw::webrtc
