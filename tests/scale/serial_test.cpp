// ScaleClient on a serial device: a pseudo-terminal stands in for /dev/ttyUSB0.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "core/unique_fd.h"
#include "scale/scale_client.h"
#include "scale_test_util.h"

namespace pw::scale {
namespace {

using test::QuickClient;
using test::WaitFor;

// The master side of a pty; device() is the path a client opens.
class PseudoTerminal {
 public:
  PseudoTerminal() : master_(::posix_openpt(O_RDWR | O_NOCTTY)) {
    if (master_.valid() && ::grantpt(master_.get()) == 0 && ::unlockpt(master_.get()) == 0) {
      if (const char* name = ::ptsname(master_.get())) device_ = name;
    }
  }
  const std::string& device() const { return device_; }
  void Send(const std::string& bytes) { [[maybe_unused]] auto n = ::write(master_.get(), bytes.data(), bytes.size()); }

 private:
  core::UniqueFd master_;
  std::string device_;
};

TEST(ScaleSerial, ReadsLinesFromASerialDevice) {
  PseudoTerminal pty;
  ASSERT_FALSE(pty.device().empty()) << "no pseudo-terminal available";
  ScaleClient client(QuickClient("serial://" + pty.device() + "?baud=9600"));
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(WaitFor([&] {
    pty.Send("\x02US,GS,+0055.0kg\x03\r\n" "garbage\r\n" "ST,NT,+0056.0kg\r\n");
    auto r = client.Latest();
    return r && r->kg == 56.0 && r->net && r->stable;
  })) << client.ToJson().dump();
  EXPECT_GE(client.Stats().garbage_lines, 1u);
  EXPECT_EQ(client.Stats().endpoint, "serial://" + pty.device() + "?baud=9600");
}

TEST(ScaleSerial, MissingDeviceIsReportedAndRetried) {
  ScaleClient client(QuickClient("serial:///dev/pigweight-no-such-tty?baud=9600"));
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return client.Stats().last_error.find("no-such-tty") != std::string::npos; }));
  EXPECT_EQ(client.Stats().connects, 0u);
  EXPECT_NE(client.Stats().state, ScaleState::kStreaming);
}

}  // namespace
}  // namespace pw::scale
