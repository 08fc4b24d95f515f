#include "webrtc/sdp_util.h"

#include <gtest/gtest.h>

namespace pw::webrtc {
namespace {

std::string Sdp(const std::string& video) {
  return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" + video;
}

TEST(SdpUtil, ChoosesTheH264PayloadTypeWithPacketizationMode1) {
  auto msg = ParseWhepOffer(Sdp(
      "m=video 9 UDP/TLS/RTP/SAVPF 96 102 106\r\na=rtpmap:96 VP8/90000\r\n"
      "a=rtpmap:102 H264/90000\r\na=fmtp:102 packetization-mode=0;profile-level-id=42001f\r\n"
      "a=rtpmap:106 H264/90000\r\na=fmtp:106 packetization-mode=1;profile-level-id=42e01f\r\n"));
  ASSERT_TRUE(msg.ok()) << msg.status().ToString();
  const H264Choice c = ChooseH264(**msg);
  EXPECT_EQ(c.payload_type, 106);
  EXPECT_EQ(c.mline, 0u);
}

TEST(SdpUtil, RejectsOffersWithoutH264VideoWithAReason) {
  auto vp8 = ParseWhepOffer(Sdp("m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n"));
  EXPECT_EQ(vp8.status().code(), core::Code::kInvalidArgument);
  EXPECT_NE(vp8.status().message().find("H.264"), std::string::npos);
  EXPECT_EQ(ParseWhepOffer("hello").status().code(), core::Code::kInvalidArgument);
  EXPECT_EQ(ParseWhepOffer(Sdp("")).status().code(), core::Code::kInvalidArgument);
}

}  // namespace
}  // namespace pw::webrtc
