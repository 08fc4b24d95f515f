#include "media/memory_io.h"

namespace pw::media {

namespace {
constexpr int kBufferSize = 64 * 1024;
}

core::Result<std::unique_ptr<MemoryOutput>> MemoryOutput::Create() {
  std::unique_ptr<MemoryOutput> out(new MemoryOutput());
  auto* buffer = static_cast<unsigned char*>(av_malloc(kBufferSize));
  if (!buffer) return core::Status::Internal("out of memory allocating an output buffer");
  out->pb_ = avio_alloc_context(buffer, kBufferSize, 1, out.get(), nullptr, &MemoryOutput::Write,
                                nullptr);
  if (!out->pb_) {
    av_free(buffer);
    return core::Status::Internal("out of memory allocating an output context");
  }
  out->pb_->seekable = 0;
  return out;
}

MemoryOutput::~MemoryOutput() {
  if (pb_) {
    av_freep(&pb_->buffer);
    avio_context_free(&pb_);
  }
}

int MemoryOutput::Write(void* opaque, uint8_t* buf, int size) {
  auto* self = static_cast<MemoryOutput*>(opaque);
  self->data_.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(size));
  return size;
}

std::string MemoryOutput::Take() {
  avio_flush(pb_);
  std::string out;
  out.swap(data_);
  return out;
}

}  // namespace pw::media
