#include "core/allocator.h"

#include <malloc.h>

#include <cstdlib>

namespace pw::core {

bool ConfigureAllocator() {
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr) return false;
  return mallopt(M_MMAP_THRESHOLD, static_cast<int>(kMmapThresholdBytes)) == 1;
}

}  // namespace pw::core
