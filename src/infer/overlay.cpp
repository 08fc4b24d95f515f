#include "infer/overlay.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>

#include <opencv2/imgproc.hpp>

namespace pw::infer {

cv::Scalar PastelColour(int key) {
  // Golden-angle hue steps keep neighbouring ids far apart on the colour wheel.
  double hue = std::fmod(static_cast<double>(key) * 137.508, 360.0);
  cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar(hue / 2.0, 110, 255));
  cv::Mat bgr;
  cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
  auto p = bgr.at<cv::Vec3b>(0, 0);
  return {static_cast<double>(p[0]), static_cast<double>(p[1]), static_cast<double>(p[2])};
}

std::string PictureText(const std::string& utf8) {
  static const char* const kLower[] = {"a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
                                       "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"};
  std::string out;
  for (size_t i = 0; i < utf8.size();) {
    auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    // Decode one UTF-8 sequence.
    int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    uint32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
    for (int k = 1; k < len && i + static_cast<size_t>(k) < utf8.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + static_cast<size_t>(k)]) & 0x3F);
    }
    i += static_cast<size_t>(len);
    if (cp >= 0x430 && cp <= 0x44F) {
      out += kLower[cp - 0x430];
    } else if (cp >= 0x410 && cp <= 0x42F) {
      std::string t = kLower[cp - 0x410];
      if (!t.empty()) t[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(t[0])));
      out += t;
    } else if (cp == 0x451 || cp == 0x401) {
      out += cp == 0x451 ? "e" : "E";
    } else {
      out += '?';
    }
  }
  return out;
}

namespace {

void DrawLabel(cv::Mat& image, const std::string& text, cv::Point centre, double scale) {
  int baseline = 0;
  int thickness = std::max(1, static_cast<int>(std::lround(scale * 2)));
  cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline);
  cv::Point origin(centre.x - size.width / 2, centre.y + size.height / 2);
  cv::putText(image, text, origin, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(0, 0, 0), thickness + 2,
              cv::LINE_AA);
  cv::putText(image, text, origin, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(255, 255, 255), thickness,
              cv::LINE_AA);
}

void DrawHeader(cv::Mat& image, const std::vector<std::string>& lines, double scale) {
  if (lines.empty()) return;
  int thickness = std::max(1, static_cast<int>(std::lround(scale * 2)));
  int line_h = static_cast<int>(std::lround(34 * scale)) + 6;
  int width = 0;
  for (const auto& l : lines) {
    int baseline = 0;
    width = std::max(width, cv::getTextSize(PictureText(l), cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline).width);
  }
  cv::Rect band(0, 0, std::min(image.cols, width + 16), std::min(image.rows, line_h * static_cast<int>(lines.size()) + 8));
  cv::Mat roi = image(band);
  roi = roi * 0.35;
  for (size_t i = 0; i < lines.size(); ++i) {
    cv::putText(image, PictureText(lines[i]), cv::Point(8, line_h * static_cast<int>(i + 1)), cv::FONT_HERSHEY_SIMPLEX, scale,
                cv::Scalar(255, 255, 255), thickness, cv::LINE_AA);
  }
}

}  // namespace

void DrawOverlay(cv::Mat& image, const std::vector<Instance>& instances, const std::vector<int>& labels,
                 const OverlayOptions& options) {
  if (image.empty() || image.type() != CV_8UC3) return;
  double scale = std::clamp(image.cols / 1600.0, 0.35, 1.2);
  if (options.masks) {
    cv::Mat tinted = image.clone();
    for (size_t i = 0; i < instances.size(); ++i) {
      const auto& poly = instances[i].polygon;
      if (poly.size() < 3) continue;
      int key = i < labels.size() && labels[i] > 0 ? labels[i] : static_cast<int>(i + 1);
      cv::fillPoly(tinted, std::vector<std::vector<cv::Point>>{poly}, PastelColour(key), cv::LINE_AA);
    }
    cv::addWeighted(tinted, 0.45, image, 0.55, 0, image);
  }
  int outline = std::max(1, static_cast<int>(std::lround(scale * 2)));
  for (size_t i = 0; i < instances.size(); ++i) {
    const auto& inst = instances[i];
    int key = i < labels.size() && labels[i] > 0 ? labels[i] : static_cast<int>(i + 1);
    cv::Scalar colour = PastelColour(key);
    if (inst.polygon.size() >= 3) {
      cv::polylines(image, std::vector<std::vector<cv::Point>>{inst.polygon}, true, colour, outline, cv::LINE_AA);
    } else {
      cv::rectangle(image, inst.box, colour, outline, cv::LINE_AA);
    }
    if (options.numbers) {
      cv::Point centre(static_cast<int>(inst.box.x + inst.box.width / 2), static_cast<int>(inst.box.y + inst.box.height / 2));
      DrawLabel(image, std::to_string(key), centre, scale * 0.9);
    }
  }
  DrawHeader(image, options.header, scale * 1.1);
}

}  // namespace pw::infer
