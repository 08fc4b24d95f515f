// LineSplitter: cuts the byte stream of an indicator (TCP or serial) into lines.
//
// A line ends at LF, CR or ETX (0x03); empty lines are skipped, so CRLF and STX...ETX CR LF
// framings all work. A line that grows past kMaxLineBytes without a terminator is dropped: the
// splitter discards bytes up to the next terminator and counts one overlong line.
// Bound: holds at most kMaxLineBytes of pending bytes. Not thread-safe (one reader owns it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scale/line_format.h"

namespace pw::scale {

class LineSplitter {
 public:
  // Feeds bytes; returns the complete lines they finish (terminators removed).
  std::vector<std::string> Feed(std::string_view bytes);
  // Forgets a partial line (after a reconnect the rest of it never comes).
  void Reset();
  std::uint64_t overlong_lines() const { return overlong_; }

 private:
  std::string pending_;
  bool discarding_ = false;  // inside an overlong line, waiting for its terminator
  std::uint64_t overlong_ = 0;
};

}  // namespace pw::scale
