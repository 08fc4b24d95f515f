// RepairRecording: a fragmented MP4 cut short (as kill -9 leaves it) is cut back to its last
// complete fragment and renamed; the result decodes with ffprobe. Files are made by the ffmpeg CLI
// with the recorder's muxer flags.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "live/recording_repair.h"
#include "support/test_support.h"

namespace pw::live {
namespace {

namespace fs = std::filesystem;
using pw::test::RunCommand;

// 4 s of 25 fps video with a keyframe every second: 4 fragments.
void MakeFragmented(const fs::path& out, int seconds = 4) {
  auto r = RunCommand({"ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                       "testsrc=size=160x120:rate=25", "-t", std::to_string(seconds), "-c:v", "libx264",
                       "-preset", "ultrafast", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-f", "mp4",
                       "-movflags", "frag_keyframe+empty_moov+default_base_moof", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

int DecodedFrames(const fs::path& file) {
  auto r = RunCommand({"ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
                       "stream=nb_read_frames", "-of", "csv=p=0", file.string()});
  if (r.exit_code != 0) return -1;
  return std::atoi(r.out.c_str());
}

TEST(RecordingRepairTest, CutsATruncatedSegmentBackToItsLastCompleteFragment) {
  pw::test::TempDir dir;
  const fs::path part = dir / "cam1-20261129-090000.mp4.part";
  MakeFragmented(part);
  const auto full = fs::file_size(part);
  fs::resize_file(part, full - 700);  // the last fragment loses its tail, as in a crash
  auto r = RepairRecording(part);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->action, "truncated");
  EXPECT_EQ(r->fragments, 3);
  EXPECT_EQ(r->final_path, dir / "cam1-20261129-090000.mp4");
  EXPECT_FALSE(fs::exists(part));
  EXPECT_EQ(fs::file_size(r->final_path), r->kept_bytes);
  EXPECT_EQ(DecodedFrames(r->final_path), 75);  // 3 complete one-second fragments
}

TEST(RecordingRepairTest, RenamesASegmentWhoseFragmentsAreAllComplete) {
  pw::test::TempDir dir;
  const fs::path part = dir / "cam1-20261129-090500.mp4.part";
  MakeFragmented(part, 2);
  auto r = RepairRecording(part);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->action, "renamed");
  EXPECT_EQ(r->dropped_bytes, 0u);
  EXPECT_EQ(DecodedFrames(r->final_path), 50);
}

TEST(RecordingRepairTest, RemovesASegmentWithoutOneCompleteFragment) {
  pw::test::TempDir dir;
  const fs::path part = dir / "cam1-20261129-091000.mp4.part";
  MakeFragmented(part, 1);
  fs::resize_file(part, 900);  // header and the start of the first fragment
  auto r = RepairRecording(part);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->action, "removed");
  EXPECT_FALSE(fs::exists(part));
  EXPECT_TRUE(r->final_path.empty());
}

TEST(RecordingRepairTest, RecoverScansCameraFoldersAndListsFilesToRegister) {
  pw::test::TempDir dir;
  fs::create_directories(dir / "cam1");
  fs::create_directories(dir / "cam2");
  MakeFragmented(dir / "cam1" / "cam1-20261129-090000.mp4", 1);
  MakeFragmented(dir / "cam1" / "cam1-20261129-090100.mp4.part", 2);
  fs::resize_file(dir / "cam1" / "cam1-20261129-090100.mp4.part", fs::file_size(dir / "cam1" / "cam1-20261129-090100.mp4.part") - 300);
  MakeFragmented(dir / "cam2" / "cam2-20261129-090000.mp4", 1);
  auto files = RecoverRecordings(dir.path());
  EXPECT_FALSE(fs::exists(dir / "cam1" / "cam1-20261129-090100.mp4.part"));
  ASSERT_TRUE(fs::exists(dir / "cam1" / "cam1-20261129-090100.mp4"));
  EXPECT_EQ(DecodedFrames(dir / "cam1" / "cam1-20261129-090100.mp4"), 25);
  // The repaired file (newest of cam1) and cam2's newest, each once.
  EXPECT_EQ(files.size(), 2u);
  EXPECT_NE(std::find(files.begin(), files.end(), dir / "cam1" / "cam1-20261129-090100.mp4"), files.end());
  EXPECT_NE(std::find(files.begin(), files.end(), dir / "cam2" / "cam2-20261129-090000.mp4"), files.end());
}

}  // namespace
}  // namespace pw::live
