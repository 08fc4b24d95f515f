#include "server/trusted_proxies.h"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>

#include "core/text.h"

namespace pw::server {

namespace ip = boost::asio::ip;

namespace {

// IPv4-mapped IPv6 addresses compare as their IPv4 form.
ip::address Normal(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

std::optional<ip::address> ParseAddress(std::string_view text) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return Normal(a);
}

std::array<unsigned char, 16> Bytes(const ip::address& a) {
  std::array<unsigned char, 16> out{};
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), out.begin());
  } else {
    out = a.to_v6().to_bytes();
  }
  return out;
}

}  // namespace

core::Result<TrustedProxies> TrustedProxies::Parse(std::string_view text) {
  TrustedProxies out;
  if (core::TrimBlanks(text).empty()) return out;
  for (std::string_view entry : core::SplitList(text)) {
    if (entry.empty()) continue;
    std::string_view addr = entry;
    std::optional<int> prefix;
    if (auto slash = entry.find('/'); slash != std::string_view::npos) {
      addr = entry.substr(0, slash);
      std::string_view bits = entry.substr(slash + 1);
      int v = -1;
      auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), v);
      if (ec != std::errc() || end != bits.data() + bits.size()) v = -1;
      prefix = v;
    }
    auto a = ParseAddress(addr);
    if (!a) {
      return core::Status::InvalidArgument(
          fmt::format("'{}' is not an IP address or network (expected e.g. 10.0.0.1, 10.0.0.0/8 or ::1)", entry));
    }
    const int max_bits = a->is_v4() ? 32 : 128;
    if (prefix && (*prefix < 0 || *prefix > max_bits)) {
      return core::Status::InvalidArgument(fmt::format("'{}': the prefix length must be 0..{}", entry, max_bits));
    }
    out.nets_.push_back({*a, prefix.value_or(max_bits)});
  }
  return out;
}

bool TrustedProxies::Contains(const ip::address& a) const {
  const auto bytes = Bytes(a);
  for (const auto& n : nets_) {
    if (n.base.is_v4() != a.is_v4()) continue;
    const auto base = Bytes(n.base);
    int bits = n.prefix, i = 0;
    bool match = true;
    for (; bits >= 8; bits -= 8, ++i) {
      if (bytes[i] != base[i]) {
        match = false;
        break;
      }
    }
    if (match && bits > 0) {
      const auto mask = static_cast<unsigned char>(0xFF << (8 - bits));
      match = (bytes[i] & mask) == (base[i] & mask);
    }
    if (match) return true;
  }
  return false;
}

bool TrustedProxies::Contains(std::string_view text) const {
  auto a = ParseAddress(text);
  return a && Contains(*a);
}

std::string TrustedProxies::ClientOf(const std::string& peer_ip, std::string_view forwarded_for) const {
  if (nets_.empty() || forwarded_for.empty() || !Contains(peer_ip)) return peer_ip;
  auto hops = core::SplitList(forwarded_for);
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    auto a = ParseAddress(*it);
    if (!a) return peer_ip;  // a forged or garbled hop: do not guess past it
    if (!Contains(*a)) return a->to_string();
  }
  return peer_ip;  // every hop is one of our proxies
}

}  // namespace pw::server
