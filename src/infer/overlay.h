// Overlay: instances drawn onto a frame — translucent pastel masks, outlines and each animal's
// number — for the pictures the server renders itself (journal evidence, snapshots, MJPEG).
// Live and VOD players draw their own overlays from metadata; this is only for burned-in images.
//
// Colours come from the track id (stable across frames) or, without tracks, from the number.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "infer/instance.h"

namespace pw::infer {

struct OverlayOptions {
  bool masks = true;
  bool numbers = true;
  std::vector<std::string> header;  // lines drawn in a band at the top-left ("Count 42", ...)
};

// OpenCV's drawing fonts are ASCII only: Cyrillic is transliterated (Весы 2 → Vesy 2), anything
// else outside ASCII becomes '?'. Applied to header lines by DrawOverlay.
std::string PictureText(const std::string& utf8);

// Pastel BGR colour for a track id or number (deterministic, well spread).
cv::Scalar PastelColour(int key);

// Draws on `image` (BGR CV_8UC3, the frame the instances are in). `labels` is parallel to
// `instances` (the number shown; 0 or missing: the 1-based position).
void DrawOverlay(cv::Mat& image, const std::vector<Instance>& instances, const std::vector<int>& labels,
                 const OverlayOptions& options);

}  // namespace pw::infer
