// TrustedProxies (TRUSTED_PROXIES): the reverse proxies whose X-Forwarded-For the server believes.
// Behind a proxy every request comes from the proxy's address, so per-client limits (sign-in
// attempts, frame and upload rates) would treat all users as one client. For a request whose peer
// is a trusted proxy, the client is the rightmost X-Forwarded-For address that is not itself a
// trusted proxy; from anyone else the header is ignored (it is trivially forged).
//
// The list is comma separated IPv4/IPv6 addresses and CIDR networks: "127.0.0.1, 10.0.0.0/8, ::1".
// An IPv4-mapped IPv6 peer (::ffff:10.0.0.5) matches its IPv4 form. A value. Thread-safe (const).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "core/status.h"

namespace pw::server {

class TrustedProxies {
 public:
  // Empty text: no proxy is trusted. kInvalidArgument naming the bad entry otherwise.
  static core::Result<TrustedProxies> Parse(std::string_view text);

  bool empty() const { return nets_.empty(); }
  bool Contains(std::string_view ip) const;
  // The client of a request from `peer_ip` carrying `forwarded_for` (the header's value, possibly
  // several comma-separated hops); `peer_ip` itself when it is not trusted or the header gives
  // nothing usable.
  std::string ClientOf(const std::string& peer_ip, std::string_view forwarded_for) const;

 private:
  struct Net {
    boost::asio::ip::address base;
    int prefix = 0;  // bits that must match
  };
  bool Contains(const boost::asio::ip::address& a) const;
  std::vector<Net> nets_;
};

}  // namespace pw::server
