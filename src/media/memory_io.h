// MemoryOutput: an AVIOContext that appends everything a muxer writes to a std::string, so HLS
// segments are produced in memory without temporary files.
//
// The output is non-seekable (muxers behave as when streaming to a pipe). Owns the AVIOContext
// and its buffer; the muxer that uses pb() must be freed first or must not write after this dies.
// Not thread-safe (one muxer per MemoryOutput).
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "media/av_ptr.h"

namespace pw::media {

class MemoryOutput {
 public:
  static core::Result<std::unique_ptr<MemoryOutput>> Create();
  ~MemoryOutput();
  MemoryOutput(const MemoryOutput&) = delete;
  MemoryOutput& operator=(const MemoryOutput&) = delete;

  AVIOContext* pb() const { return pb_; }
  // Allocates room for `bytes` more output up front (avoids regrowing large segments).
  void Reserve(size_t bytes) { data_.reserve(data_.size() + bytes); }
  // Flushes the AVIO buffer and returns (and clears) what was written so far.
  std::string Take();

 private:
  MemoryOutput() = default;
  static int Write(void* opaque, uint8_t* buf, int size);

  AVIOContext* pb_ = nullptr;
  std::string data_;
};

}  // namespace pw::media
