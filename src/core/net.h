// IP addresses and CIDR blocks (IPv4 and IPv6), for zones and endpoints.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace rampart {

using uint128 = unsigned __int128;

struct IpAddress {
  bool v6 = false;
  uint128 value = 0;  // IPv4 in the low 32 bits

  static Result<IpAddress> Parse(std::string_view s);
  std::string ToString() const;
  int bits() const { return v6 ? 128 : 32; }
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

struct Cidr {
  IpAddress address;  // network address (host bits zero)
  int prefix = 0;

  // "10.0.0.0/8", "fd00::/64"; a bare address is a /32 or /128. Host bits set
  // ("10.0.0.1/8") are an error that says which network was probably meant.
  static Result<Cidr> Parse(std::string_view s);
  std::string ToString() const;

  IpAddress first() const { return address; }
  IpAddress last() const;
  bool Contains(const IpAddress& a) const;
  bool Contains(const Cidr& c) const;
  bool Overlaps(const Cidr& c) const;
  friend auto operator<=>(const Cidr&, const Cidr&) = default;
};

}  // namespace rampart
