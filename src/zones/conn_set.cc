#include "zones/conn_set.h"

#include <algorithm>

namespace rampart::zones {
namespace {

using Intervals = std::vector<PortInterval>;

Intervals Normalize(Intervals v) {
  std::sort(v.begin(), v.end());
  Intervals out;
  for (const auto& iv : v) {
    if (!out.empty() && static_cast<int>(iv.first) <= static_cast<int>(out.back().last) + 1) {
      out.back().last = std::max(out.back().last, iv.last);
    } else {
      out.push_back(iv);
    }
  }
  return out;
}

Intervals UnionOf(const Intervals& a, const Intervals& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  Intervals v = a;
  v.insert(v.end(), b.begin(), b.end());
  return Normalize(std::move(v));
}

Intervals IntersectOf(const Intervals& a, const Intervals& b) {
  Intervals out;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    std::uint16_t lo = std::max(a[i].first, b[j].first);
    std::uint16_t hi = std::min(a[i].last, b[j].last);
    if (lo <= hi) out.push_back({lo, hi});
    if (a[i].last < b[j].last) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

Intervals Complement(const Intervals& a) {
  Intervals out;
  int next = kMinPort;
  for (const auto& iv : a) {
    if (iv.first > next)
      out.push_back({static_cast<std::uint16_t>(next), static_cast<std::uint16_t>(iv.first - 1)});
    next = iv.last + 1;
  }
  if (next <= kMaxPort) out.push_back({static_cast<std::uint16_t>(next), kMaxPort});
  return out;
}

bool IsFull(const Intervals& a) {
  return a.size() == 1 && a[0].first == kMinPort && a[0].last == kMaxPort;
}

}  // namespace

std::string_view ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kTcp:
      return "TCP";
    case Protocol::kUdp:
      return "UDP";
    case Protocol::kSctp:
      return "SCTP";
  }
  return "TCP";
}

ConnSet ConnSet::All() {
  ConnSet c;
  for (auto& v : c.by_proto_) v = {{kMinPort, kMaxPort}};
  return c;
}

ConnSet ConnSet::AllOf(Protocol p) { return Ports(p, kMinPort, kMaxPort); }

ConnSet ConnSet::Ports(Protocol p, std::uint16_t first, std::uint16_t last) {
  ConnSet c;
  c.Add(p, first, last);
  return c;
}

void ConnSet::Add(Protocol p, std::uint16_t first, std::uint16_t last) {
  if (first < kMinPort) first = kMinPort;
  if (first > last) return;
  auto& v = by_proto_[static_cast<int>(p)];
  v = UnionOf(v, {{first, last}});
}

bool ConnSet::empty() const {
  return std::all_of(by_proto_.begin(), by_proto_.end(),
                     [](const Intervals& v) { return v.empty(); });
}

bool ConnSet::all() const { return std::all_of(by_proto_.begin(), by_proto_.end(), IsFull); }

bool ConnSet::Contains(Protocol p, std::uint16_t port) const {
  for (const auto& iv : by_proto_[static_cast<int>(p)]) {
    if (iv.first <= port && port <= iv.last) return true;
  }
  return false;
}

bool ConnSet::Covers(const ConnSet& o) const { return o.Subtract(*this).empty(); }

ConnSet ConnSet::Union(const ConnSet& o) const {
  ConnSet c;
  for (int i = 0; i < kProtocolCount; ++i) c.by_proto_[i] = UnionOf(by_proto_[i], o.by_proto_[i]);
  return c;
}

ConnSet ConnSet::Intersect(const ConnSet& o) const {
  ConnSet c;
  for (int i = 0; i < kProtocolCount; ++i) {
    c.by_proto_[i] = IntersectOf(by_proto_[i], o.by_proto_[i]);
  }
  return c;
}

ConnSet ConnSet::Subtract(const ConnSet& o) const {
  ConnSet c;
  for (int i = 0; i < kProtocolCount; ++i) {
    c.by_proto_[i] = IntersectOf(by_proto_[i], Complement(o.by_proto_[i]));
  }
  return c;
}

std::string ConnSet::ToString() const {
  if (empty()) return "No Connections";
  if (all()) return "All Connections";
  // Alphabetical protocol order, as np-guard prints it.
  const Protocol order[] = {Protocol::kSctp, Protocol::kTcp, Protocol::kUdp};
  std::string out;
  for (Protocol p : order) {
    const auto& v = by_proto_[static_cast<int>(p)];
    if (v.empty()) continue;
    if (!out.empty()) out += ',';
    out += ProtocolName(p);
    out += ' ';
    bool first = true;
    for (const auto& iv : v) {
      if (!first) out += ',';
      first = false;
      out += std::to_string(iv.first);
      if (iv.last != iv.first) out += "-" + std::to_string(iv.last);
    }
  }
  return out;
}

}  // namespace rampart::zones
