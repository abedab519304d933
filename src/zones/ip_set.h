// IpSet: a set of IPv4 addresses as sorted disjoint inclusive intervals, for
// NetworkPolicy ipBlocks (cidr minus except) and the estate's zones.
// Pure value type; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/net.h"

namespace rampart::zones {

struct IpInterval {
  std::uint32_t first = 0;
  std::uint32_t last = 0;
  friend auto operator<=>(const IpInterval&, const IpInterval&) = default;
};

class IpSet {
 public:
  IpSet() = default;
  static IpSet All();
  // REQUIRES: c is IPv4.
  static IpSet FromCidr(const Cidr& c);

  bool empty() const { return v_.empty(); }
  bool Contains(std::uint32_t a) const;
  IpSet Union(const IpSet& o) const;
  IpSet Intersect(const IpSet& o) const;
  IpSet Subtract(const IpSet& o) const;
  const std::vector<IpInterval>& intervals() const { return v_; }
  void Add(std::uint32_t first, std::uint32_t last);

  friend bool operator==(const IpSet&, const IpSet&) = default;

 private:
  std::vector<IpInterval> v_;
};

std::string Ipv4ToString(std::uint32_t a);
// "10.0.0.0-10.255.255.255" (np-guard writes every range this way, even one address).
std::string RangeToString(const IpInterval& r);

}  // namespace rampart::zones
