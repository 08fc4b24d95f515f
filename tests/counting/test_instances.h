// Small builders of detector output for the counting unit tests.
#pragma once

#include <vector>

#include "infer/instance.h"

namespace pw::counting::test {

inline infer::Instance Box(float x, float y, float w = 40, float h = 20, float score = 0.9f) {
  infer::Instance in;
  in.box = cv::Rect2f(x, y, w, h);
  in.score = score;
  in.area = w * h;
  return in;
}

// A rotated rectangle outline (a pig seen from above, lying diagonally) and its box.
inline infer::Instance Diagonal(cv::Point2f centre, float length, float width, float angle_deg, float score = 0.9f) {
  const cv::RotatedRect r(centre, cv::Size2f(length, width), angle_deg);
  cv::Point2f p[4];
  r.points(p);
  infer::Instance in;
  for (const cv::Point2f& q : p) in.polygon.emplace_back(cvRound(q.x), cvRound(q.y));
  in.box = r.boundingRect2f();
  in.score = score;
  in.area = length * width;
  return in;
}

}  // namespace pw::counting::test
