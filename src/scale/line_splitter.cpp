#include "scale/line_splitter.h"

namespace pw::scale {

std::vector<std::string> LineSplitter::Feed(std::string_view bytes) {
  std::vector<std::string> lines;
  for (char c : bytes) {
    if (c == '\n' || c == '\r' || c == '\x03') {
      if (!discarding_ && !pending_.empty()) lines.push_back(std::move(pending_));
      pending_.clear();
      discarding_ = false;
      continue;
    }
    if (discarding_) continue;
    if (pending_.size() == kMaxLineBytes) {
      pending_.clear();
      discarding_ = true;
      ++overlong_;
      continue;
    }
    pending_ += c;
  }
  return lines;
}

void LineSplitter::Reset() {
  pending_.clear();
  discarding_ = false;
}

}  // namespace pw::scale
