// LatestFrame and MjpegFeed without a camera: frames are made in memory. One JPEG per frame
// however many snapshot readers or MJPEG viewers; no encoding while nobody watches; slow viewers
// skip pictures instead of queueing them.
#include <gtest/gtest.h>

#include <thread>

#include "live/mjpeg_feed.h"

namespace pw::live {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<LiveFrame> MakeFrame(int shade) {
  auto f = std::make_shared<LiveFrame>();
  f->frame = media::MakeFrame();
  f->frame->format = AV_PIX_FMT_YUV420P;
  f->frame->width = 64;
  f->frame->height = 48;
  EXPECT_EQ(av_frame_get_buffer(f->frame.get(), 0), 0);
  for (int p = 0; p < 3; ++p) {
    int h = p == 0 ? 48 : 24;
    memset(f->frame->data[p], p == 0 ? shade : 128, static_cast<size_t>(f->frame->linesize[p]) * h);
  }
  f->wall = std::chrono::system_clock::now();
  f->steady = std::chrono::steady_clock::now();
  return f;
}

bool IsJpeg(const std::string& s) { return s.size() > 4 && s[0] == '\xFF' && s[1] == '\xD8'; }

TEST(LatestFrame, HoldsOnlyTheNewestFrame) {
  LatestFrame slot;
  EXPECT_FALSE(slot.Get());
  slot.Publish(MakeFrame(10));
  slot.Publish(MakeFrame(20));
  auto f = slot.Get();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->seq, 2u);
  EXPECT_EQ(f->frame->data[0][0], 20);
  EXPECT_EQ(slot.WaitNewer(2, 10ms)->seq, 2u);  // nothing newer: the timeout returns the newest
}

TEST(LatestFrame, ConcurrentSnapshotsOfOneFrameShareOneEncode) {
  LatestFrame slot;
  slot.Publish(MakeFrame(90));
  const auto before = LiveJpegEncodes();
  std::vector<std::thread> readers;
  std::vector<std::shared_ptr<const std::string>> got(8);
  for (int i = 0; i < 8; ++i) {
    readers.emplace_back([&, i] { got[i] = *slot.Get()->Jpeg(80); });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(LiveJpegEncodes() - before, 1u);
  for (auto& g : got) EXPECT_EQ(g.get(), got[0].get());
  EXPECT_TRUE(IsJpeg(*got[0]));
}

TEST(MjpegFeed, EncodesNothingWhileNobodyWatches) {
  auto slot = std::make_shared<LatestFrame>();
  auto feed = MjpegFeed::Create(slot, {.fps = 50, .quality = 70});
  const auto before = LiveJpegEncodes();
  for (int i = 0; i < 5; ++i) {
    slot->Publish(MakeFrame(i * 10));
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(LiveJpegEncodes(), before);
  EXPECT_EQ(feed->pictures(), 0u);
}

TEST(MjpegFeed, TwentyViewersShareOneEncodePerPicture) {
  auto slot = std::make_shared<LatestFrame>();
  auto feed = MjpegFeed::Create(slot, {.fps = 20, .quality = 70});
  std::vector<std::unique_ptr<MjpegFeed::Viewer>> viewers;
  for (int i = 0; i < 20; ++i) viewers.push_back(feed->Join());
  EXPECT_EQ(feed->viewers(), 20u);
  const auto before = LiveJpegEncodes();
  std::atomic<bool> stop{false};
  std::thread camera([&] {
    for (int i = 0; !stop; ++i) {
      slot->Publish(MakeFrame(i % 250));
      std::this_thread::sleep_for(10ms);
    }
  });
  std::vector<int> received(20, 0);
  std::vector<std::thread> readers;
  for (int v = 0; v < 20; ++v) {
    readers.emplace_back([&, v] {
      std::uint64_t last = 0;
      for (int k = 0; k < 5; ++k) {
        auto p = viewers[v]->WaitNext(3s);
        if (!p) return;
        EXPECT_GT(p->seq, last);
        EXPECT_TRUE(IsJpeg(*p->jpeg));
        last = p->seq;
        ++received[v];
      }
    });
  }
  for (auto& t : readers) t.join();
  stop = true;
  camera.join();
  for (int v = 0; v < 20; ++v) EXPECT_EQ(received[v], 5) << "viewer " << v;
  const auto pictures = feed->pictures();
  EXPECT_GE(pictures, 5u);
  EXPECT_EQ(LiveJpegEncodes() - before, pictures);  // one encode per picture, not per viewer
}

TEST(MjpegFeed, SlowViewerGetsTheNewestPictureNotABacklog) {
  auto slot = std::make_shared<LatestFrame>();
  auto feed = MjpegFeed::Create(slot, {.fps = 50, .quality = 70});
  auto viewer = feed->Join();
  slot->Publish(MakeFrame(1));
  auto first = viewer->WaitNext(3s);
  ASSERT_TRUE(first);
  for (int i = 0; i < 10; ++i) {  // the viewer is busy while ten frames pass
    slot->Publish(MakeFrame(i));
    std::this_thread::sleep_for(25ms);
  }
  auto next = viewer->WaitNext(3s);
  ASSERT_TRUE(next);
  EXPECT_GT(next->seq, first->seq + 1);  // intermediate pictures were skipped
  EXPECT_EQ(next->frame->seq, slot->Get()->seq);
}

TEST(MjpegFeed, ShutdownAnswersWaitingViewersWithNull) {
  auto slot = std::make_shared<LatestFrame>();
  auto feed = MjpegFeed::Create(slot, {.fps = 5, .quality = 70});
  auto viewer = feed->Join();
  std::atomic<int> calls{0};
  std::atomic<bool> got_null{false};
  viewer->Next([&](std::shared_ptr<const MjpegPicture> p) {
    ++calls;
    got_null = !p;
  });
  feed->Shutdown();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_TRUE(got_null.load());
}

}  // namespace
}  // namespace pw::live
