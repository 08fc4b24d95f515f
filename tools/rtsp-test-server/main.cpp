// pw_rtsp_test_server: an RTSP camera for tests and benchmarks (gst-rtsp-server).
//
// Serves live generated H.264 (videotestsrc → x264enc → RTP), optionally with B-frames and a PCMU
// audio track, or H.265 (--codec h265: x265enc), or an MP4 file's H.264/H.265 (--file), at
// rtsp://127.0.0.1:<port>/cam. Prints "PORT <n>" on stdout once listening
// (port 0 picks a free one; a fixed port can be reused right after a restart).
// Signals: SIGTERM/SIGINT stop it; SIGUSR1 toggles dropping the VIDEO packets while audio goes on
// (a camera whose video stalls); SIGKILL and SIGSTOP/SIGCONT act as a dead or frozen camera.
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <glib-unix.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

std::atomic<bool> g_drop_video{false};

struct Options {
  int port = 0;
  int fps = 25;
  int width = 320;
  int height = 240;
  int bframes = 0;
  int gop = 0;  // 0: one second
  bool audio = false;
  std::string pattern = "ball";
  std::string file;  // an MP4 with H.264 or H.265 to serve instead of a test pattern (played once, in real time)
  std::string codec = "h264";  // of the test pattern: h264 | h265
};

void Usage() {
  std::fprintf(stderr,
               "usage: pw_rtsp_test_server [--port N] [--fps N] [--size WxH] [--bframes N] [--gop N]\n"
               "                           [--audio] [--pattern ball|smpte|gray] [--codec h264|h265]\n"
               "                           [--file VIDEO.mp4]\n");
}

bool Parse(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--audio") {
      o->audio = true;
    } else if (a == "--port" && (v = next())) {
      o->port = std::atoi(v);
    } else if (a == "--fps" && (v = next())) {
      o->fps = std::atoi(v);
    } else if (a == "--bframes" && (v = next())) {
      o->bframes = std::atoi(v);
    } else if (a == "--gop" && (v = next())) {
      o->gop = std::atoi(v);
    } else if (a == "--pattern" && (v = next())) {
      o->pattern = v;
    } else if (a == "--codec" && (v = next())) {
      o->codec = v;
    } else if (a == "--file" && (v = next())) {
      o->file = v;
    } else if (a == "--size" && (v = next())) {
      if (std::sscanf(v, "%dx%d", &o->width, &o->height) != 2) return false;
    } else {
      return false;
    }
  }
  return o->fps > 0 && o->width > 0 && o->height > 0 && o->bframes >= 0 && o->port >= 0 &&
         (o->codec == "h264" || o->codec == "h265");
}

// Whether an MP4 holds H.265: its sample description has an "hvcC" (or "hev1"/"hvc1") box.
bool IsH265File(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  std::string data(1 << 20, '\0');
  data.resize(std::fread(data.data(), 1, data.size(), f));
  std::fseek(f, -static_cast<long>(std::min<std::size_t>(data.size(), 1 << 20)), SEEK_END);
  std::string tail(1 << 20, '\0');
  tail.resize(std::fread(tail.data(), 1, tail.size(), f));
  std::fclose(f);
  for (const char* box : {"hvcC", "hev1", "hvc1"}) {
    if (data.find(box) != std::string::npos || tail.find(box) != std::string::npos) return true;
  }
  return false;
}

std::string Launch(const Options& o) {
  if (!o.file.empty()) {
    const std::string h = IsH265File(o.file) ? "h265" : "h264";
    return "( filesrc location=\"" + o.file + "\" ! qtdemux ! " + h + "parse ! rtp" + h +
           "pay name=pay0 pt=96 config-interval=-1 )";
  }
  const int gop = o.gop > 0 ? o.gop : o.fps;
  std::string pattern = o.pattern == "gray" ? "solid-color foreground-color=0xff808080" : o.pattern;
  // zerolatency forbids B-frames, so it is used only for streams without them.
  std::string enc = o.bframes == 0
                        ? "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=" + std::to_string(gop)
                        : "x264enc speed-preset=ultrafast b-adapt=false bframes=" + std::to_string(o.bframes) +
                              " key-int-max=" + std::to_string(gop);
  std::string tail = " ! video/x-h264,profile=main ! rtph264pay name=pay0 pt=96 config-interval=-1";
  if (o.codec == "h265") {
    enc = "x265enc speed-preset=ultrafast tune=zerolatency key-int-max=" + std::to_string(gop);
    tail = " ! video/x-h265 ! rtph265pay name=pay0 pt=96 config-interval=-1";
  }
  std::string s = "( videotestsrc is-live=true pattern=" + pattern + " ! video/x-raw,width=" +
                  std::to_string(o.width) + ",height=" + std::to_string(o.height) +
                  ",framerate=" + std::to_string(o.fps) + "/1 ! " + enc + tail;
  if (o.audio) {
    s += " audiotestsrc is-live=true wave=sine ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! "
         "rtppcmupay name=pay1 pt=0";
  }
  return s + " )";
}

GstPadProbeReturn DropWhenAsked(GstPad*, GstPadProbeInfo*, gpointer) {
  return g_drop_video.load() ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

void OnMediaConfigure(GstRTSPMediaFactory*, GstRTSPMedia* media, gpointer) {
  GstElement* bin = gst_rtsp_media_get_element(media);
  GstElement* pay = gst_bin_get_by_name(GST_BIN(bin), "pay0");
  if (pay) {
    GstPad* pad = gst_element_get_static_pad(pay, "src");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, DropWhenAsked, nullptr, nullptr);
    gst_object_unref(pad);
    gst_object_unref(pay);
  }
  gst_object_unref(bin);
}

gboolean OnQuit(gpointer loop) {
  g_main_loop_quit(static_cast<GMainLoop*>(loop));
  return G_SOURCE_CONTINUE;
}

gboolean OnToggleVideo(gpointer) {
  bool now = !g_drop_video.load();
  g_drop_video.store(now);
  std::printf("VIDEO %s\n", now ? "off" : "on");
  std::fflush(stdout);
  return G_SOURCE_CONTINUE;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!Parse(argc, argv, &o)) {
    Usage();
    return 2;
  }
  gst_init(nullptr, nullptr);
  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  GstRTSPServer* server = gst_rtsp_server_new();
  gst_rtsp_server_set_address(server, "127.0.0.1");
  gst_rtsp_server_set_service(server, std::to_string(o.port).c_str());
  GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
  gst_rtsp_media_factory_set_launch(factory, Launch(o).c_str());
  gst_rtsp_media_factory_set_shared(factory, TRUE);
  g_signal_connect(factory, "media-configure", G_CALLBACK(OnMediaConfigure), nullptr);
  GstRTSPMountPoints* mounts = gst_rtsp_server_get_mount_points(server);
  gst_rtsp_mount_points_add_factory(mounts, "/cam", factory);
  g_object_unref(mounts);
  if (gst_rtsp_server_attach(server, nullptr) == 0) {
    std::fprintf(stderr, "pw_rtsp_test_server: cannot listen on 127.0.0.1:%d\n", o.port);
    return 1;
  }
  g_unix_signal_add(SIGTERM, OnQuit, loop);
  g_unix_signal_add(SIGINT, OnQuit, loop);
  g_unix_signal_add(SIGUSR1, OnToggleVideo, nullptr);
  std::printf("PORT %d\n", gst_rtsp_server_get_bound_port(server));
  std::fflush(stdout);
  g_main_loop_run(loop);
  g_object_unref(server);
  g_main_loop_unref(loop);
  return 0;
}
