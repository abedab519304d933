#include "zones/diff.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace rampart::zones {
namespace {

DiffEntry Make(std::string src, std::string dst, const ConnSet& a, const ConnSet& b,
               std::string info) {
  DiffEntry d;
  d.kind = a.empty() ? "added" : b.empty() ? "removed" : "changed";
  d.src = std::move(src);
  d.dst = std::move(dst);
  d.before = a;
  d.after = b;
  d.info = std::move(info);
  return d;
}

void Sort(std::vector<DiffEntry>* v) {
  std::sort(v->begin(), v->end(), [](const DiffEntry& x, const DiffEntry& y) {
    return std::tie(x.src, x.dst) < std::tie(y.src, y.dst);
  });
}

}  // namespace

std::string DiffEntry::ToString() const {
  std::string out = "diff-type: " + kind + ", source: " + src + ", destination: " + dst +
                    ", dir1: " + before.ToString() + ", dir2: " + after.ToString();
  if (!info.empty()) out += ", workloads-diff-info: " + info;
  return out;
}

std::vector<DiffEntry> DiffConnectivity(const Connectivity& a, const Connectivity& b) {
  std::vector<DiffEntry> out;
  // Workloads of both sides by id.
  std::map<std::string, std::pair<int, int>> ids;
  for (std::size_t i = 0; i < a.workloads().size(); ++i) {
    ids[a.workloads()[i]->Id()] = {static_cast<int>(i), -1};
  }
  for (std::size_t i = 0; i < b.workloads().size(); ++i) {
    auto [it, inserted] = ids.emplace(b.workloads()[i]->Id(), std::make_pair(-1, 0));
    it->second.second = static_cast<int>(i);
  }
  // Joint classes.
  std::map<std::pair<int, int>, int> joint;
  std::vector<std::pair<int, int>> joint_key;
  std::vector<std::vector<std::pair<std::string, std::pair<int, int>>>> members;
  for (const auto& [id, idx] : ids) {
    int ca = idx.first >= 0 ? a.ClassOf(idx.first) : -1;
    int cb = idx.second >= 0 ? b.ClassOf(idx.second) : -1;
    auto [it, inserted] = joint.emplace(std::make_pair(ca, cb), static_cast<int>(joint_key.size()));
    if (inserted) {
      joint_key.push_back({ca, cb});
      members.emplace_back();
    }
    members[it->second].push_back({id, idx});
  }
  auto info_of = [](const std::pair<int, int>& s, const std::pair<int, int>& d) -> std::string {
    std::string out;
    auto one = [&](const std::pair<int, int>& x, const char* role) {
      if (x.first < 0) out += (out.empty() ? "" : ", ") + std::string(role) + " workload added";
      if (x.second < 0) out += (out.empty() ? "" : ", ") + std::string(role) + " workload removed";
    };
    one(s, "source");
    one(d, "destination");
    return out;
  };
  std::unordered_map<std::uint64_t, bool> same_memo;
  auto same = [&](std::uint32_t ia, std::uint32_t ib) {
    std::uint64_t key = (static_cast<std::uint64_t>(ia) << 32) | ib;
    auto it = same_memo.find(key);
    if (it != same_memo.end()) return it->second;
    bool r = a.Conn(ia) == b.Conn(ib);
    same_memo.emplace(key, r);
    return r;
  };
  const std::size_t nj = joint_key.size();
  for (std::size_t s = 0; s < nj; ++s) {
    for (std::size_t d = 0; d < nj; ++d) {
      auto [sa, sb] = joint_key[s];
      auto [da, db] = joint_key[d];
      bool has_a = sa >= 0 && da >= 0, has_b = sb >= 0 && db >= 0;
      std::uint32_t ia = has_a ? a.ClassConnId(sa, da) : 0;
      std::uint32_t ib = has_b ? b.ClassConnId(sb, db) : 0;
      if (same(ia, ib)) continue;
      const ConnSet& ca = a.Conn(ia);
      const ConnSet& cb = b.Conn(ib);
      for (const auto& [sid, sidx] : members[s]) {
        for (const auto& [did, didx] : members[d]) {
          if (sid == did) continue;
          out.push_back(Make(sid, did, ca, cb, info_of(sidx, didx)));
        }
      }
    }
  }
  // External ranges, refined to the cuts of both sides.
  std::set<std::uint64_t> cuts;
  for (const auto* c : {&a, &b}) {
    for (const auto& r : c->ip_ranges()) cuts.insert(r.first);
  }
  std::vector<std::uint64_t> cv(cuts.begin(), cuts.end());
  auto find_range = [](const Connectivity& c, std::uint32_t addr) {
    const auto& rs = c.ip_ranges();
    auto it = std::upper_bound(rs.begin(), rs.end(), addr,
                               [](std::uint32_t x, const IpInterval& r) { return x < r.first; });
    return static_cast<int>(it - rs.begin()) - 1;
  };
  for (std::size_t i = 0; i < cv.size(); ++i) {
    IpInterval r{static_cast<std::uint32_t>(cv[i]),
                 static_cast<std::uint32_t>((i + 1 < cv.size() ? cv[i + 1] : (1ull << 32)) - 1)};
    int ra = find_range(a, r.first), rb = find_range(b, r.first);
    std::string name = RangeToString(r);
    for (std::size_t j = 0; j < nj; ++j) {
      auto [ca, cb] = joint_key[j];
      for (bool egress : {true, false}) {
        std::uint32_t ia = ca < 0 ? 0 : egress ? a.ToRangeId(ca, ra) : a.FromRangeId(ra, ca);
        std::uint32_t ib = cb < 0 ? 0 : egress ? b.ToRangeId(cb, rb) : b.FromRangeId(rb, cb);
        if (same(ia, ib)) continue;
        for (const auto& [wid, widx] : members[j]) {
          std::string info =
              info_of(egress ? widx : std::make_pair(0, 0), egress ? std::make_pair(0, 0) : widx);
          if (egress) {
            out.push_back(Make(wid, name, a.Conn(ia), b.Conn(ib), info));
          } else {
            out.push_back(Make(name, wid, a.Conn(ia), b.Conn(ib), info));
          }
        }
      }
    }
  }
  Sort(&out);
  return out;
}

std::vector<DiffEntry> DiffEstates(const estate::Estate& a, const estate::Estate& b) {
  auto table = [](const estate::Estate& e) {
    std::map<std::pair<std::string, std::string>, ConnSet> t;
    for (const auto& f : e.flows) {
      auto& c = t[{f.from, f.to}];
      for (const auto& p : f.ports) c.Add(p.protocol, p.first, p.last);
    }
    return t;
  };
  auto ta = table(a), tb = table(b);
  std::vector<DiffEntry> out;
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto& [k, v] : ta) keys.insert(k);
  for (const auto& [k, v] : tb) keys.insert(k);
  for (const auto& k : keys) {
    ConnSet ca = ta.contains(k) ? ta[k] : ConnSet();
    ConnSet cb = tb.contains(k) ? tb[k] : ConnSet();
    if (ca == cb) continue;
    out.push_back(Make(k.first, k.second, ca, cb, ""));
  }
  Sort(&out);
  return out;
}

}  // namespace rampart::zones
