// ConfigureAllocator: after it, a large block freed does not raise glibc's mmap threshold, so the
// next large block (a decoded frame) still gets its own mapping instead of arena memory.
#include "core/allocator.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <thread>

namespace pw::core {
namespace {

std::size_t MappedBlocks() { return mallinfo2().hblks; }

// Allocates and writes `bytes`; the empty asm keeps the compiler from eliding malloc/free pairs.
void* Touch(std::size_t bytes) {
  void* p = std::malloc(bytes);
  std::memset(p, 1, bytes);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

TEST(Allocator, ALargeFreedBlockDoesNotPushFramesIntoTheArenas) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer replaces malloc";
#else
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr) GTEST_SKIP() << "the environment sets the threshold";
  ASSERT_TRUE(ConfigureAllocator());
  // Without the fixed threshold, freeing this 8 MB mapping raises the threshold to 8 MB.
  std::free(Touch(8u << 20));
  std::size_t before = 0, during = 0;
  std::thread other([&] {  // a frame made on another thread, as decoders do
    before = MappedBlocks();
    void* frame = Touch(1280 * 720 * 3);
    during = MappedBlocks();
    std::free(frame);
  });
  other.join();
  EXPECT_EQ(during, before + 1) << "a 2.7 MB frame came from an arena";
  // Small blocks stay in the arenas.
  const std::size_t small_before = MappedBlocks();
  void* small = Touch(kMmapThresholdBytes / 4);
  EXPECT_EQ(MappedBlocks(), small_before);
  std::free(small);
#endif
}

}  // namespace
}  // namespace pw::core
