#include "core/net.h"

#include <arpa/inet.h>

#include <charconv>

namespace rampart {
namespace {
uint128 Mask(int bits, int prefix) {
  if (prefix == 0) return 0;
  uint128 all = bits == 128 ? ~static_cast<uint128>(0) : ((static_cast<uint128>(1) << 32) - 1);
  return (all << (bits - prefix)) & all;
}
}  // namespace

Result<IpAddress> IpAddress::Parse(std::string_view s) {
  std::string str(s);
  IpAddress a;
  unsigned char buf[16];
  if (str.find(':') == std::string::npos) {
    if (inet_pton(AF_INET, str.c_str(), buf) != 1) {
      return InvalidArgumentError("'" + str + "' is not an IPv4 address");
    }
    a.v6 = false;
    a.value = (static_cast<uint128>(buf[0]) << 24) | (buf[1] << 16) | (buf[2] << 8) | buf[3];
    return a;
  }
  if (inet_pton(AF_INET6, str.c_str(), buf) != 1) {
    return InvalidArgumentError("'" + str + "' is not an IPv6 address");
  }
  a.v6 = true;
  for (unsigned char b : buf) a.value = (a.value << 8) | b;
  return a;
}

std::string IpAddress::ToString() const {
  char out[INET6_ADDRSTRLEN];
  if (!v6) {
    unsigned char b[4] = {
        static_cast<unsigned char>(value >> 24), static_cast<unsigned char>(value >> 16),
        static_cast<unsigned char>(value >> 8), static_cast<unsigned char>(value)};
    inet_ntop(AF_INET, b, out, sizeof out);
  } else {
    unsigned char b[16];
    for (int i = 0; i < 16; ++i) b[i] = static_cast<unsigned char>(value >> (8 * (15 - i)));
    inet_ntop(AF_INET6, b, out, sizeof out);
  }
  return out;
}

Result<Cidr> Cidr::Parse(std::string_view s) {
  std::size_t slash = s.find('/');
  auto addr = IpAddress::Parse(s.substr(0, slash));
  if (!addr)
    return InvalidArgumentError("'" + std::string(s) +
                                "' is not a CIDR: " + addr.error().message());
  Cidr c;
  c.prefix = addr->bits();
  if (slash != std::string_view::npos) {
    std::string_view p = s.substr(slash + 1);
    int v = -1;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc() || ptr != p.data() + p.size() || p.empty() || v < 0 || v > addr->bits()) {
      return InvalidArgumentError("'" + std::string(s) + "': prefix length must be 0-" +
                                  std::to_string(addr->bits()));
    }
    c.prefix = v;
  }
  uint128 mask = Mask(addr->bits(), c.prefix);
  if ((addr->value & ~mask & Mask(addr->bits(), addr->bits())) != 0) {
    IpAddress net = *addr;
    net.value &= mask;
    return InvalidArgumentError("'" + std::string(s) + "' has host bits set; did you mean '" +
                                net.ToString() + "/" + std::to_string(c.prefix) + "'?");
  }
  c.address = *addr;
  return c;
}

std::string Cidr::ToString() const { return address.ToString() + "/" + std::to_string(prefix); }

IpAddress Cidr::last() const {
  IpAddress a = address;
  uint128 all = Mask(address.bits(), address.bits());
  a.value = (address.value | (~Mask(address.bits(), prefix))) & all;
  return a;
}

bool Cidr::Contains(const IpAddress& a) const {
  if (a.v6 != address.v6) return false;
  return (a.value & Mask(address.bits(), prefix)) == address.value;
}

bool Cidr::Contains(const Cidr& c) const { return c.prefix >= prefix && Contains(c.address); }

bool Cidr::Overlaps(const Cidr& c) const { return Contains(c) || c.Contains(*this); }

}  // namespace rampart
