#include "scene_sequence.h"

#include <algorithm>

#include "scenegen/pen.h"

namespace pw::counting::test {
namespace {

// splitmix64: a portable, seedable stream (std distributions differ between libraries).
class Stream {
 public:
  explicit Stream(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * static_cast<double>(Next() >> 11) / 9007199254740992.0; }
  bool Chance(double p) { return Uniform(0, 1) < p; }

 private:
  uint64_t state_;
};

bool Walking(const scenegen::Sequence& seq, double t) {
  for (const scenegen::AnimalScript& s : seq.scripts) {
    const double arrived = s.enter.start + s.enter.duration;
    if (t >= s.enter.start && t < arrived + 1.0) return true;  // lying down takes a second
    if (t >= s.leave.start && t < s.leave.start + s.leave.duration) return true;
  }
  return false;
}

}  // namespace

std::vector<SequenceFrame> RenderSequence(uint64_t seed, const scenegen::SceneOptions& scene, double seconds,
                                          double fps, bool keep_images) {
  const scenegen::Sequence seq = scenegen::SampleSequence(seed, scene, seconds);
  const cv::Mat background = scenegen::RenderPenBackground(seq.scene.pen, seq.scene.camera);
  scenegen::Photo plain;
  plain.lamp_strength = plain.vignette = plain.blur_sigma = plain.noise_sigma = 0;
  std::vector<SequenceFrame> frames;
  const int n = static_cast<int>(seconds * fps);
  for (int i = 0; i < n; ++i) {
    SequenceFrame f;
    f.index = i;
    f.t = i / fps;
    const std::vector<scenegen::Animal> herd = scenegen::AnimalsAt(seq, f.t);
    // Truth does not depend on the photo effects; skip their cost when no image is wanted.
    const scenegen::Photo photo = keep_images ? scenegen::PhotoAt(seq, i, f.t) : plain;
    const scenegen::RenderedScene r = scenegen::RenderAnimals(background, seq.scene.camera, seq.scene.pixels_per_metre,
                                                              herd, seq.scene.lighting, photo);
    f.truth = scenegen::ExtractTruth(r.ids, herd, r.full_area, 0.5);
    f.walking = Walking(seq, f.t);
    if (keep_images) f.image = r.image;
    frames.push_back(std::move(f));
  }
  return frames;
}

std::vector<infer::Instance> TruthInstances(const scenegen::FrameTruth& truth) {
  std::vector<infer::Instance> out;
  for (const scenegen::InstanceTruth& t : truth.instances) {
    if (t.visible_fraction < 0.3) continue;
    infer::Instance in;
    in.box = cv::Rect2f(t.bbox);
    in.score = t.counted ? 0.9f : 0.3f;
    in.polygon = scenegen::MergePolygons(t.polygons);
    in.area = t.area;
    out.push_back(std::move(in));
  }
  return out;
}

std::vector<infer::Instance> Perturb(const std::vector<infer::Instance>& instances, const Perturbation& p,
                                     uint64_t seed, int frame_index, cv::Size frame) {
  Stream rng(seed * 1000003ULL + static_cast<uint64_t>(frame_index));
  std::vector<infer::Instance> out;
  for (const infer::Instance& in : instances) {
    const bool drop = rng.Chance(p.drop);
    const bool low = rng.Chance(p.low_score);
    const double jx = rng.Uniform(-p.jitter, p.jitter), jy = rng.Uniform(-p.jitter, p.jitter);
    if (drop) continue;
    infer::Instance o = in;
    if (low && o.score >= 0.5f) o.score = static_cast<float>(rng.Uniform(0.25, 0.45));
    const cv::Point shift(static_cast<int>(jx * in.box.width), static_cast<int>(jy * in.box.height));
    o.box.x += static_cast<float>(shift.x);
    o.box.y += static_cast<float>(shift.y);
    for (cv::Point& pt : o.polygon) pt += shift;
    out.push_back(std::move(o));
  }
  if (rng.Chance(p.false_alarm)) {
    infer::Instance fa;
    const float w = static_cast<float>(rng.Uniform(0.05, 0.15) * frame.width);
    const float h = static_cast<float>(rng.Uniform(0.05, 0.15) * frame.height);
    fa.box = cv::Rect2f(static_cast<float>(rng.Uniform(0, frame.width - w)),
                        static_cast<float>(rng.Uniform(0, frame.height - h)), w, h);
    fa.score = static_cast<float>(rng.Uniform(0.5, 0.75));
    fa.area = w * h;
    out.push_back(std::move(fa));
  }
  return out;
}

int CountAbove(const std::vector<infer::Instance>& instances, float min_score) {
  return static_cast<int>(std::count_if(instances.begin(), instances.end(),
                                        [&](const infer::Instance& in) { return in.score >= min_score; }));
}

}  // namespace pw::counting::test
