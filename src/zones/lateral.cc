#include "zones/lateral.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

namespace rampart::zones {

std::string LateralPath::ToString() const {
  std::string out = source;
  for (const auto& h : hops) out += " -[" + h.rule + "]-> " + h.to;
  return out;
}

std::vector<LateralPath> ShortestPaths(const LateralGraph& g, const std::vector<int>& sources,
                                       const std::vector<int>& targets, std::size_t limit) {
  std::vector<LateralPath> out;
  std::vector<char> is_target(g.size(), 0);
  for (int t : targets) is_target[t] = 1;
  std::vector<int> parent(g.size());
  std::vector<int> seen_gen(g.size(), -1);
  int gen = 0;
  std::vector<int> srcs = sources;
  std::sort(srcs.begin(), srcs.end());
  srcs.erase(std::unique(srcs.begin(), srcs.end()), srcs.end());
  for (int s : srcs) {
    ++gen;
    std::deque<int> q = {s};
    seen_gen[s] = gen;
    parent[s] = -1;
    while (!q.empty()) {
      int n = q.front();
      q.pop_front();
      if (is_target[n] && n != s) {
        LateralPath p;
        p.source = g.Name(s);
        p.target = g.Name(n);
        std::vector<int> chain;
        for (int x = n; x != -1; x = parent[x]) chain.push_back(x);
        std::reverse(chain.begin(), chain.end());
        for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
          p.hops.push_back(
              {g.Name(chain[i]), g.Name(chain[i + 1]), g.EdgeLabel(chain[i], chain[i + 1])});
        }
        out.push_back(std::move(p));
      }
      g.Neighbors(n, [&](int to) {
        if (seen_gen[to] == gen) return;
        seen_gen[to] = gen;
        parent[to] = n;
        q.push_back(to);
      });
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const LateralPath& a, const LateralPath& b) {
    return std::forward_as_tuple(a.hops.size(), a.source, a.target) <
           std::forward_as_tuple(b.hops.size(), b.source, b.target);
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

EstateGraph::EstateGraph(const estate::Estate& e) : e_(e) {
  for (const auto& z : e.zones) names_.push_back(z.name);
  for (const auto& s : e.services) names_.push_back(s.name);
  adj_.resize(names_.size());
  auto expand = [&](const std::string& name, estate::EndpointKind kind) {
    std::vector<int> out = {Find(name)};
    if (kind == estate::EndpointKind::kZone) {
      for (const auto* s : e.ServicesInZone(name)) out.push_back(Find(s->name));
    }
    return out;
  };
  for (const auto& f : e.flows) {
    for (int a : expand(f.from, f.from_kind)) {
      for (int b : expand(f.to, f.to_kind)) {
        if (a < 0 || b < 0 || a == b) continue;
        adj_[a].push_back({b, &f});
      }
    }
  }
  // A service marked `exposure: internet` is reachable from the internet
  // whether or not a flow says so.
  for (const auto& z : e.zones) {
    if (z.kind != estate::ZoneKind::kInternet) continue;
    for (const auto& s : e.services) {
      if (s.exposure == estate::Exposure::kInternet)
        adj_[Find(z.name)].push_back({Find(s.name), nullptr});
    }
  }
  for (auto& v : adj_) {
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
  }
}

int EstateGraph::Find(const std::string& name) const {
  auto it = std::find(names_.begin(), names_.end(), name);
  return it == names_.end() ? -1 : static_cast<int>(it - names_.begin());
}

void EstateGraph::Neighbors(int node, const std::function<void(int)>& f) const {
  int last = -1;
  for (const auto& [to, flow] : adj_[node]) {
    if (to != last) f(to);
    last = to;
  }
}

std::vector<const estate::Flow*> EstateGraph::FlowsOf(int from, int to) const {
  std::vector<const estate::Flow*> out;
  for (const auto& [t, flow] : adj_[from]) {
    if (t == to && flow) out.push_back(flow);
  }
  return out;
}

std::string EstateGraph::EdgeLabel(int from, int to) const {
  std::string out;
  bool exposure = false;
  for (const auto& [t, flow] : adj_[from]) exposure |= t == to && !flow;
  if (exposure) out = "exposure: internet";
  for (const auto* f : FlowsOf(from, to)) {
    std::string ports;
    for (const auto& p : f->ports) ports += (ports.empty() ? "" : ",") + p.ToString();
    out += (out.empty() ? "" : "; ") + std::string("flow ") + f->name + " " + ports;
  }
  return out;
}

std::vector<int> EstateGraph::Exposed() const {
  std::set<int> out;
  for (const auto& z : e_.zones) {
    if (z.kind == estate::ZoneKind::kInternet) out.insert(Find(z.name));
  }
  // Without an internet zone, the exposed services are the entry points.
  if (out.empty()) {
    for (const auto& s : e_.services) {
      if (s.exposure == estate::Exposure::kInternet) out.insert(Find(s.name));
    }
  }
  return {out.begin(), out.end()};
}

std::vector<std::pair<int, std::string>> EstateGraph::CrownJewels() const {
  std::map<int, std::string> out;
  for (const auto& a : e_.assets) {
    if (!a.crown_jewel) continue;
    int n = Find(a.service.empty() ? a.zone : a.service);
    if (n < 0) continue;
    out[n] += (out[n].empty() ? "" : ", ") + a.name;
  }
  return {out.begin(), out.end()};
}

Peer ClusterGraph::ToPeer(int node) const {
  int nw = static_cast<int>(c_.workloads().size());
  return node < nw ? Peer{false, node} : Peer{true, node - nw};
}

void ClusterGraph::Neighbors(int node, const std::function<void(int)>& f) const {
  Peer p = ToPeer(node);
  int nw = static_cast<int>(c_.workloads().size());
  if (p.is_ip) {
    for (int w = 0; w < nw; ++w) {
      if (!c_.Between(p, {false, w}).empty()) f(w);
    }
    return;
  }
  int sc = c_.ClassOf(p.index);
  for (std::size_t d = 0; d < c_.class_count(); ++d) {
    if (c_.ClassConnId(sc, static_cast<int>(d)) == 0) continue;
    for (int w : c_.ClassMembers(static_cast<int>(d))) {
      if (w != p.index) f(w);
    }
  }
  // Edges to external ranges are not followed: the attacker is inside.
}

std::string ClusterGraph::EdgeLabel(int from, int to) const {
  Peer a = ToPeer(from), b = ToPeer(to);
  std::string out = c_.Between(a, b).ToString();
  std::string why;
  for (const auto& line : c_.Explain(a, b)) {
    // Only rules that allow something ("... rule N (...) allows TCP 80 via ...").
    if (line.find(" rule ") != std::string::npos && line.find(" allows ") != std::string::npos) {
      auto pos = line.find("policy ");
      auto end = line.find(' ', pos + 7);
      std::string name = line.substr(pos + 7, end - pos - 7);
      std::string dir = line.substr(0, line.find(':'));
      std::string item = dir + " " + name;
      if (why.find(item) == std::string::npos) why += (why.empty() ? "" : ", ") + item;
    }
  }
  return out + (why.empty() ? " (no policy isolates)" : " via " + why);
}

namespace {

bool HasPublicAddress(const IpInterval& r) {
  IpSet s;
  s.Add(r.first, r.last);
  IpSet priv;
  for (const char* c : {"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                        "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/3"}) {
    priv = priv.Union(IpSet::FromCidr(*Cidr::Parse(c)));
  }
  return !s.Subtract(priv).empty();
}

}  // namespace

std::vector<int> ClusterGraph::Exposed() const {
  std::vector<int> out;
  int nw = static_cast<int>(c_.workloads().size());
  for (int w = 0; w < nw; ++w) {
    auto it = c_.workloads()[w]->labels.find(kExposureLabel);
    if (it != c_.workloads()[w]->labels.end() && it->second == "internet") out.push_back(w);
  }
  for (std::size_t r = 0; r < c_.ip_ranges().size(); ++r) {
    if (HasPublicAddress(c_.ip_ranges()[r])) out.push_back(nw + static_cast<int>(r));
  }
  return out;
}

std::vector<int> ClusterGraph::CrownJewels() const {
  std::vector<int> out;
  for (std::size_t w = 0; w < c_.workloads().size(); ++w) {
    auto it = c_.workloads()[w]->labels.find(kCrownJewelLabel);
    if (it != c_.workloads()[w]->labels.end() && it->second == "true") {
      out.push_back(static_cast<int>(w));
    }
  }
  return out;
}

}  // namespace rampart::zones
