// Test support for the counting tests: a scenegen weighing sequence rendered frame by frame with
// its exact truth, the truth turned into detector-like instances, and deterministic perturbations
// of those (dropped detections, jitter, false alarms, low scores) standing in for a real model.
#pragma once

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "infer/instance.h"
#include "scenegen/scene.h"
#include "scenegen/sequence.h"
#include "scenegen/truth.h"

namespace pw::counting::test {

struct SequenceFrame {
  int index = 0;
  double t = 0;
  cv::Mat image;               // empty unless asked for
  scenegen::FrameTruth truth;
  bool walking = false;        // some animal is on its way in or out (or lying down after arriving)
};

// Renders `seconds` of SampleSequence(seed, scene) at `fps`.
std::vector<SequenceFrame> RenderSequence(uint64_t seed, const scenegen::SceneOptions& scene, double seconds,
                                          double fps, bool keep_images);

// What a good detector would say about a frame: one instance per counted animal (score 0.9,
// truth box, merged outline) and low-score ones (0.3) for animals 30–50 % visible.
std::vector<infer::Instance> TruthInstances(const scenegen::FrameTruth& truth);

struct Perturbation {
  double drop = 0.1;          // share of instances dropped
  double low_score = 0.1;     // share of counted instances given a score of 0.25–0.45
  double false_alarm = 0.15;  // chance per frame of one spurious instance (score 0.5–0.75)
  double jitter = 0.03;       // box jitter, share of box size
};

// Deterministic in (seed, frame index).
std::vector<infer::Instance> Perturb(const std::vector<infer::Instance>& instances, const Perturbation& p,
                                     uint64_t seed, int frame_index, cv::Size frame);

// Per-frame count: instances with score >= min_score.
int CountAbove(const std::vector<infer::Instance>& instances, float min_score);

}  // namespace pw::counting::test
