// Rng: the scene generator's only source of randomness.
//
// The standard distributions (std::normal_distribution, ...) are implementation-defined and differ
// between library versions, so a seed would not give the same scene everywhere. Rng wraps
// std::mt19937_64 (whose output sequence the standard fixes) and implements its own
// distributions, so scenes are reproducible bit-for-bit across compilers and platforms.
//
// Thread-safety: none; give each thread (or each scene) its own Rng. Fork() derives independent
// child streams so that adding draws in one part of a scene does not shift another part.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace pw::scenegen {

// SplitMix64 finaliser: a good 64-bit mix, used to derive seeds.
inline uint64_t MixSeed(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Seed of item `index` of a run started with `seed` (e.g. image 17 of `gen-scene --seed 5`).
inline uint64_t DeriveSeed(uint64_t seed, uint64_t index) { return MixSeed(MixSeed(seed) ^ index); }

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(MixSeed(seed)) {}

  uint64_t Next() { return engine_(); }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [lo, hi] (inclusive).
  int Int(int lo, int hi) {
    const uint64_t span = static_cast<uint64_t>(static_cast<int64_t>(hi) - lo) + 1;
    return lo + static_cast<int>(engine_() % span);
  }
  bool Chance(double p) { return Uniform() < p; }
  // Standard normal by Box-Muller (one value per call; simple beats fast here).
  double Normal() {
    const double u1 = 1.0 - Uniform();  // (0, 1]
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double Normal(double mean, double sd) { return mean + sd * Normal(); }
  // Normal clamped to [lo, hi].
  double NormalClamped(double mean, double sd, double lo, double hi) {
    const double v = Normal(mean, sd);
    return v < lo ? lo : (v > hi ? hi : v);
  }
  // exp(Normal(0, sigma)): a multiplicative variation around 1.
  double LogNormalFactor(double sigma) { return std::exp(sigma * Normal()); }
  // An independent child stream; `salt` names its purpose.
  Rng Fork(uint64_t salt) { return Rng(engine_() ^ MixSeed(salt)); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace pw::scenegen
