// Where a scale indicator is and how to open a byte stream to it.
//
//   tcp://192.168.1.50:4001                 an indicator (or serial-to-Ethernet converter) on TCP
//   serial:///dev/ttyUSB0?baud=9600         a serial port, raw mode 8N1 (a pty works the same)
//
// OpenLink returns a non-blocking file descriptor. A TCP connect waits at most `connect_timeout`
// and gives up at once (kCancelled) when `wake_fd` becomes readable, so an owner can stop it.
// Host names are resolved by the system resolver on a helper thread, within the same timeout and
// cancelled by the same wake_fd (a dead DNS server never holds up Stop()); an IP address needs no
// lookup.
// Errors: kInvalidArgument for a malformed URL, kUnavailable (with the OS reason) when the
// indicator cannot be reached, kTimedOut for a connect that took too long. Thread-safe (no state).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/unique_fd.h"

namespace pw::scale {

struct ScaleEndpoint {
  enum class Kind { kTcp, kSerial };
  Kind kind = Kind::kTcp;
  std::string host;    // tcp
  int port = 0;        // tcp
  std::string device;  // serial: /dev/ttyUSB0
  int baud = 9600;     // serial
  std::string ToString() const;
};

core::Result<ScaleEndpoint> ParseScaleUrl(std::string_view url);

core::Result<core::UniqueFd> OpenLink(const ScaleEndpoint& endpoint, std::chrono::milliseconds connect_timeout,
                                      int wake_fd);

}  // namespace pw::scale
