#include <gtest/gtest.h>

#include "infer/overlay.h"

namespace pw::infer {
namespace {

TEST(Overlay, PictureTextTransliteratesCyrillicForTheAsciiFont) {
  EXPECT_EQ(PictureText("Весы 2, загон Щ"), "Vesy 2, zagon Shch");
  EXPECT_EQ(PictureText("plain ASCII"), "plain ASCII");
  EXPECT_EQ(PictureText("ёлка 30°"), "elka 30?");
}

TEST(Overlay, DrawsMasksInTheInstancesColoursAndLeavesTheRestAlone) {
  cv::Mat image(100, 200, CV_8UC3, cv::Scalar(40, 40, 40));
  Instance pig;
  pig.box = {20, 20, 60, 40};
  pig.polygon = {{20, 20}, {79, 20}, {79, 59}, {20, 59}};
  DrawOverlay(image, {pig}, {7}, {});
  cv::Vec3b inside = image.at<cv::Vec3b>(30, 30), outside = image.at<cv::Vec3b>(90, 190);
  EXPECT_EQ(outside, cv::Vec3b(40, 40, 40));
  cv::Scalar colour = PastelColour(7);
  // Tinted toward the pastel colour of track 7.
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(inside[c], 0.55 * 40 + 0.45 * colour[c], 3) << c;
}

}  // namespace
}  // namespace pw::infer
