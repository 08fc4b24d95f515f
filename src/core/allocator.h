// Allocator settings for a long-running server that moves big frames between threads.
//
// glibc raises its mmap threshold each time a large mmapped block is freed (up to 32 MB), after
// which every decoded frame (2.7 MB at 720p) comes out of the per-thread arenas. Frames are made
// on decoder threads and freed on engine and request threads, and freed arena memory is returned
// to the system only from the top of each 64 MB arena: the soak (4 live cameras + the background
// index) grew RSS by 7 MB/s to over 1 GB while 107 MB were in use. A fixed threshold keeps large
// blocks in their own mappings, returned to the system when freed.
#pragma once

#include <cstddef>

namespace pw::core {

// Bytes from which an allocation gets its own mapping (a fixed value stops glibc's dynamic raise).
inline constexpr std::size_t kMmapThresholdBytes = 256 * 1024;

// Applies the settings above, unless the operator set MALLOC_MMAP_THRESHOLD_ in the environment
// (glibc's own tunable wins). Call once, first thing in main(). Returns whether it changed them.
bool ConfigureAllocator();

}  // namespace pw::core
