#include "media/media_fixtures.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <sstream>

#include "support/test_support.h"

namespace pw::media::test {

std::filesystem::path MakeVideo(const std::filesystem::path& dir, const std::string& name,
                                const VideoSpec& s) {
  std::filesystem::path out = dir / name;
  std::string size = std::to_string(s.width) + "x" + std::to_string(s.height);
  // 16 blocks of 20 px: bit i of the frame number N; the rest is a moving texture to encode.
  std::string source = "color=c=gray:s=" + size + ":r=" + std::to_string(s.fps) +
                       ":d=" + std::to_string(s.seconds) +
                       ",format=yuv420p,geq=lum='if(lt(Y,40),255*mod(floor(N/pow(2,floor(X/20))),2),"
                       "mod(X+2*Y+4*N,200)+28)':cb=128:cr=128";
  if (s.vfr) source += ",settb=1/1000,setpts='N*40+20*floor(N/5)'";
  std::vector<std::string> argv = {"ffmpeg", "-nostdin", "-y", "-loglevel", "error",
                                   "-f", "lavfi", "-i", source};
  if (s.audio) {
    argv.insert(argv.end(), {"-f", "lavfi", "-i",
                             "sine=frequency=440:sample_rate=48000:duration=" +
                                 std::to_string(s.seconds)});
  }
  argv.insert(argv.end(), {"-c:v", s.codec, "-g", std::to_string(s.gop), "-keyint_min",
                           std::to_string(s.gop), "-pix_fmt", "yuv420p"});
  if (s.codec == "libx264") {
    argv.insert(argv.end(), {"-preset", "veryfast", "-bf", "2", "-sc_threshold", "0", "-crf", "20"});
  } else {
    argv.insert(argv.end(), {"-preset", "ultrafast", "-x265-params",
                             "log-level=error:keyint=" + std::to_string(s.gop) +
                                 ":min-keyint=" + std::to_string(s.gop) + ":scenecut=0",
                             "-crf", "20"});
  }
  if (s.vfr) argv.insert(argv.end(), {"-fps_mode", "passthrough"});
  if (s.audio) argv.insert(argv.end(), {"-c:a", "aac", "-b:a", "64k"});
  if (s.container == "ts") argv.insert(argv.end(), {"-f", "mpegts"});
  if (s.fragmented) argv.insert(argv.end(), {"-movflags", "+frag_keyframe+empty_moov"});
  argv.push_back(out.string());
  auto r = pw::test::RunCommand(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return out;
}

std::filesystem::path SharedVideo(const std::string& name, const VideoSpec& s) {
  // Kept in the build tree across test processes (CTest runs each test in its own process); the
  // name carries every spec field, so a changed spec makes a new file.
  std::string key = s.container + "_" + s.codec + "_g" + std::to_string(s.gop) + "_r" +
                    std::to_string(s.fps) + "_" + std::to_string(static_cast<int>(s.seconds * 1000)) +
                    "ms_" + std::to_string(s.width) + "x" + std::to_string(s.height) +
                    (s.audio ? "_a" : "") + (s.vfr ? "_vfr" : "") + (s.fragmented ? "_frag" : "") + "_v2_" + name;
  std::filesystem::path dir = std::filesystem::path(PW_TEST_BINARY_DIR) / "media_fixtures";
  std::filesystem::create_directories(dir);
  std::filesystem::path final_path = dir / key;
  if (std::filesystem::exists(final_path)) return final_path;
  // Made under a unique name and renamed, so parallel test processes never see half a file.
  std::string tmp = ".tmp" + std::to_string(getpid()) + "_" + key;
  MakeVideo(dir, tmp, s);
  std::filesystem::rename(dir / tmp, final_path);
  return final_path;
}

int ReadFrameNumber(const cv::Mat& bgr) {
  if (bgr.empty() || bgr.cols < 320 || bgr.rows < 40) return -1;
  int n = 0;
  for (int bit = 0; bit < 16; ++bit) {
    cv::Vec3b px = bgr.at<cv::Vec3b>(20, bit * 20 + 10);
    int grey = (px[0] + px[1] + px[2]) / 3;
    if (grey > 128) n |= 1 << bit;
  }
  return n;
}

std::vector<double> ProbeFrameTimes(const std::string& input) {
  auto r = pw::test::RunCommand({"ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "frame=pts_time", "-of", "csv=p=0", input});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<double> times;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line != "N/A") times.push_back(std::stod(line));
  }
  return times;
}

}  // namespace pw::media::test
