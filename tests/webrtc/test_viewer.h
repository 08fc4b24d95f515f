// TestViewer: an in-process WHEP client for tests — a second webrtcbin acting as the browser. It
// offers a receive-only H.264 video transceiver and a "pigweight" data channel, applies the answer,
// depayloads the video it receives and counts access units (or, with `decode`, decodes them with
// avdec_h264 and counts pictures), notes access units that arrive out of presentation order
// (B-frames), and records data channel messages.
// Thread-safety: counters from any thread; the rest from the test thread. The destructor closes.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "webrtc/gst_ptr.h"

namespace pw::test {

class TestViewer {
 public:
  explicit TestViewer(bool data_channel = true, bool decode = false);
  ~TestViewer();
  TestViewer(const TestViewer&) = delete;
  TestViewer& operator=(const TestViewer&) = delete;

  std::string Offer();                       // the complete offer (ICE gathered); "" on failure
  bool Accept(const std::string& answer);    // applies the server's answer
  bool Send(const std::string& text);        // on the data channel, once open
  void Close();                              // pipeline to NULL

  int frames() const { return frames_; }  // access units, or decoded pictures with `decode`
  // Access units whose PTS is below an earlier one's (a stream with B-frames).
  int out_of_order() const { return out_of_order_; }
  // Whether the first access unit received was a keyframe (-1 before any).
  int first_was_keyframe() const { return first_key_; }
  bool channel_open() const { return channel_open_; }
  std::vector<std::string> messages() const;

 private:
  static void OnPadAdded(GstElement*, GstPad* pad, gpointer self);
  const GstStructure* Await(const char* signal, GstWebRTCSessionDescription* desc, webrtc::PromisePtr& p);

  webrtc::GstPtr<GstElement> pipeline_;
  GstElement* webrtc_ = nullptr;
  webrtc::GstPtr<GObject> channel_;
  std::atomic<int> frames_{0};
  std::atomic<int> first_key_{-1};
  std::atomic<int> out_of_order_{0};
  GstClockTime max_pts_ = GST_CLOCK_TIME_NONE;  // of the access units so far (streaming thread)
  bool decode_ = false;
  std::atomic<bool> channel_open_{false};
  std::atomic<bool> gathered_{false};
  mutable std::mutex mu_;
  std::vector<std::string> messages_;
};

// Polls `pred` every 10 ms until it holds or `timeout` passes.
bool WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

}  // namespace pw::test
