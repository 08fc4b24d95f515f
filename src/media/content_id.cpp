#include "media/content_id.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <vector>

namespace pw::media {

namespace {

constexpr uint64_t kEdgeBlock = 1 << 20;
constexpr uint64_t kSampleBlock = 64 << 10;
constexpr int kSamples = 16;

inline uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

inline uint64_t Mix(uint64_t h) {  // murmur3 finaliser
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 33);
}

// Two independent 64-bit lanes over 8-byte words (a small murmur-style streaming hash).
class Hash128 {
 public:
  void Update(const unsigned char* p, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t k;
      memcpy(&k, p + i, 8);
      Word(k);
    }
    uint64_t tail = 0;
    for (size_t j = 0; i < n; ++i, ++j) tail |= static_cast<uint64_t>(p[i]) << (8 * j);
    Word(tail ^ (static_cast<uint64_t>(n & 7) << 56));
  }
  void Word(uint64_t k) {
    a_ = Rotl(a_ ^ (k * 0x87c37b91114253d5ULL), 31) * 0x4cf5ad432745937fULL + 0x52dce729;
    b_ = Rotl(b_ ^ (k * 0x9e3779b97f4a7c15ULL), 27) * 0x94d049bb133111ebULL + 0x38495ab5;
  }
  std::string Hex() const {
    static const char* kDigits = "0123456789abcdef";
    std::string out;
    for (uint64_t v : {Mix(a_ ^ b_), Mix(b_ + a_ * 3)}) {
      for (int s = 60; s >= 0; s -= 4) out.push_back(kDigits[(v >> s) & 15]);
    }
    return out;
  }

 private:
  uint64_t a_ = 0x243f6a8885a308d3ULL;
  uint64_t b_ = 0x13198a2e03707344ULL;
};

}  // namespace

core::Result<std::string> ContentId(const std::filesystem::path& path) {
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return core::Status::NotFound("cannot read " + path.string() + ": " + ec.message());
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Status::NotFound("cannot open " + path.string());

  std::vector<std::pair<uint64_t, uint64_t>> blocks;  // offset, length
  if (size <= 3 * kEdgeBlock + kSamples * kSampleBlock) {
    blocks.emplace_back(0, size);
  } else {
    blocks.emplace_back(0, kEdgeBlock);
    blocks.emplace_back(size / 2 - kEdgeBlock / 2, kEdgeBlock);
    blocks.emplace_back(size - kEdgeBlock, kEdgeBlock);
    for (int i = 0; i < kSamples; ++i) {
      blocks.emplace_back((size - kSampleBlock) / (kSamples + 1) * (i + 1), kSampleBlock);
    }
  }
  Hash128 h;
  h.Word(size);
  std::vector<unsigned char> buf;
  for (auto [offset, length] : blocks) {
    buf.resize(length);
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(length));
    if (static_cast<uint64_t>(in.gcount()) != length) {
      return core::Status::Unprocessable("could not read " + path.string() +
                                         " completely (did it change while being read?)");
    }
    h.Word(offset);
    h.Update(buf.data(), buf.size());
  }
  return h.Hex();
}

}  // namespace pw::media
