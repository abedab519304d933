#include "zones/ip_set.h"

#include <algorithm>

namespace rampart::zones {

IpSet IpSet::All() {
  IpSet s;
  s.v_ = {{0, 0xffffffffu}};
  return s;
}

IpSet IpSet::FromCidr(const Cidr& c) {
  IpSet s;
  std::uint32_t first = static_cast<std::uint32_t>(c.first().value);
  std::uint32_t last = static_cast<std::uint32_t>(c.last().value);
  s.v_ = {{first, last}};
  return s;
}

bool IpSet::Contains(std::uint32_t a) const {
  auto it = std::upper_bound(v_.begin(), v_.end(), a,
                             [](std::uint32_t x, const IpInterval& iv) { return x < iv.first; });
  if (it == v_.begin()) return false;
  --it;
  return a <= it->last;
}

void IpSet::Add(std::uint32_t first, std::uint32_t last) {
  *this = Union([&] {
    IpSet s;
    s.v_ = {{first, last}};
    return s;
  }());
}

IpSet IpSet::Union(const IpSet& o) const {
  std::vector<IpInterval> all = v_;
  all.insert(all.end(), o.v_.begin(), o.v_.end());
  std::sort(all.begin(), all.end());
  IpSet out;
  for (const auto& iv : all) {
    if (!out.v_.empty() && static_cast<std::uint64_t>(iv.first) <=
                               static_cast<std::uint64_t>(out.v_.back().last) + 1) {
      out.v_.back().last = std::max(out.v_.back().last, iv.last);
    } else {
      out.v_.push_back(iv);
    }
  }
  return out;
}

IpSet IpSet::Intersect(const IpSet& o) const {
  IpSet out;
  std::size_t i = 0, j = 0;
  while (i < v_.size() && j < o.v_.size()) {
    std::uint32_t lo = std::max(v_[i].first, o.v_[j].first);
    std::uint32_t hi = std::min(v_[i].last, o.v_[j].last);
    if (lo <= hi) out.v_.push_back({lo, hi});
    if (v_[i].last < o.v_[j].last) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

IpSet IpSet::Subtract(const IpSet& o) const {
  // Complement of o, then intersect.
  IpSet comp;
  std::uint64_t next = 0;
  for (const auto& iv : o.v_) {
    if (iv.first > next) comp.v_.push_back({static_cast<std::uint32_t>(next), iv.first - 1});
    next = static_cast<std::uint64_t>(iv.last) + 1;
  }
  if (next <= 0xffffffffull) comp.v_.push_back({static_cast<std::uint32_t>(next), 0xffffffffu});
  return Intersect(comp);
}

std::string Ipv4ToString(std::uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
         std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

std::string RangeToString(const IpInterval& r) {
  return Ipv4ToString(r.first) + "-" + Ipv4ToString(r.last);
}

}  // namespace rampart::zones
