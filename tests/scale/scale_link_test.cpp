// OpenLink over TCP: IP addresses, host names (resolved off the caller's thread) and cancellation
// through the wake fd during a name lookup.
#include "scale/scale_link.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pw::scale {
namespace {

using namespace std::chrono_literals;

// A listening socket on 127.0.0.1 (an ephemeral port); connects complete through the backlog.
struct Listener {
  Listener() {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd, 4), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~Listener() { ::close(fd); }
  int fd = -1;
  int port = 0;
};

ScaleEndpoint Tcp(const std::string& host, int port) {
  auto e = ParseScaleUrl("tcp://" + host + ":" + std::to_string(port));
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return *e;
}

TEST(ScaleLink, ConnectsToAnAddressAndToAHostName) {
  Listener listener;
  auto by_ip = OpenLink(Tcp("127.0.0.1", listener.port), 2s, -1);
  EXPECT_TRUE(by_ip.ok()) << by_ip.status().ToString();
  auto by_name = OpenLink(Tcp("localhost", listener.port), 5s, -1);  // /etc/hosts, through the lookup thread
  EXPECT_TRUE(by_name.ok()) << by_name.status().ToString();
}

TEST(ScaleLink, ANameLookupEndsAtOnceWhenTheOwnerStops) {
  const int wake = ::eventfd(1, EFD_CLOEXEC);  // already signalled: the owner is stopping
  auto r = OpenLink(Tcp("scale.invalid", 4001), 30s, wake);
  EXPECT_EQ(r.status().code(), core::Code::kCancelled) << r.status().ToString();
  ::close(wake);
}

TEST(ScaleLink, AnUnknownHostNameIsNamedInTheError) {
  auto r = OpenLink(Tcp("no-such-scale.invalid", 4001), 30s, -1);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no-such-scale.invalid"), std::string::npos) << r.status().ToString();
}

}  // namespace
}  // namespace pw::scale
