// ConnSet: a set of (protocol, port) pairs, the unit of every connectivity
// answer in the zones pillar.
//
// Kubernetes NetworkPolicy and the estate both speak of TCP, UDP and SCTP
// ports 1-65535; a ConnSet holds, per protocol, sorted disjoint inclusive
// intervals. Values are small and cheap to copy; all operations are pure.
// Thread-compatible (no shared state).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "estate/model.h"

namespace rampart::zones {

using estate::Protocol;

inline constexpr int kProtocolCount = 3;  // TCP, UDP, SCTP (estate::Protocol order)
inline constexpr std::uint16_t kMinPort = 1;
inline constexpr std::uint16_t kMaxPort = 65535;

struct PortInterval {
  std::uint16_t first = 0;
  std::uint16_t last = 0;
  friend auto operator<=>(const PortInterval&, const PortInterval&) = default;
};

class ConnSet {
 public:
  ConnSet() = default;  // empty: "No Connections"
  static ConnSet All();
  static ConnSet AllOf(Protocol p);
  static ConnSet Ports(Protocol p, std::uint16_t first, std::uint16_t last);

  bool empty() const;
  bool all() const;
  bool Contains(Protocol p, std::uint16_t port) const;
  // True when every connection in `o` is in this set.
  bool Covers(const ConnSet& o) const;

  ConnSet Union(const ConnSet& o) const;
  ConnSet Intersect(const ConnSet& o) const;
  ConnSet Subtract(const ConnSet& o) const;
  void Add(Protocol p, std::uint16_t first, std::uint16_t last);

  const std::vector<PortInterval>& intervals(Protocol p) const {
    return by_proto_[static_cast<int>(p)];
  }

  // The np-guard / roxctl convention: "All Connections", "No Connections", or
  // protocols in alphabetical order (SCTP, TCP, UDP) each with its ports,
  // joined by ',': "TCP 80,443,8000-8010,UDP 1-65535".
  std::string ToString() const;

  friend bool operator==(const ConnSet&, const ConnSet&) = default;
  friend auto operator<=>(const ConnSet&, const ConnSet&) = default;

 private:
  std::array<std::vector<PortInterval>, kProtocolCount> by_proto_;
};

// Protocol name as Kubernetes writes it ("TCP", "UDP", "SCTP").
std::string_view ProtocolName(Protocol p);

}  // namespace rampart::zones
