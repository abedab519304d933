#include "zones/analyze.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "core/net.h"
#include "zones/ingress.h"

namespace rampart::zones {
namespace {

const Labels& NamespaceLabels(const std::map<std::string, const Labels*, std::less<>>& by_name,
                              const std::string& ns) {
  static const Labels kEmpty;
  auto it = by_name.find(ns);
  return it == by_name.end() ? kEmpty : *it->second;
}

// Ports a rule allows towards `dst` (nullptr: an external address, where
// named ports resolve to nothing).
ConnSet RulePorts(const PolicyRule& r, const Workload* dst) {
  if (r.ports.empty()) return ConnSet::All();
  ConnSet out;
  for (const auto& p : r.ports) {
    if (p.port) {
      out.Add(p.protocol, *p.port, p.end_port.value_or(*p.port));
    } else if (p.name.empty()) {
      out = out.Union(ConnSet::AllOf(p.protocol));
    } else if (dst) {
      // The first container port of that name; a different protocol than the
      // rule's resolves to nothing (as netpol-analyzer does).
      for (const auto& cp : dst->ports) {
        if (cp.name != p.name) continue;
        if (cp.protocol == p.protocol) out.Add(cp.protocol, cp.port, cp.port);
        break;
      }
    }
  }
  return out;
}

bool HasNamedPort(const PolicyRule& r) {
  return std::any_of(r.ports.begin(), r.ports.end(),
                     [](const PolicyPort& p) { return !p.name.empty(); });
}

bool PeerMatchesWorkload(const PolicyPeer& peer, const NetworkPolicy& p, const Workload& w,
                         const Labels& ns_labels) {
  if (peer.ip_block) return false;  // ipBlocks select external addresses only
  if (peer.namespace_selector) {
    if (!peer.namespace_selector->Matches(ns_labels)) return false;
  } else if (w.ns != p.ns) {
    return false;
  }
  return !peer.pod_selector || peer.pod_selector->Matches(w.labels);
}

std::string PortsSignature(const Workload& w) {
  std::vector<std::string> named;
  for (const auto& cp : w.ports) {
    if (!cp.name.empty()) {
      named.push_back(cp.name + "/" + std::string(ProtocolName(cp.protocol)) + "/" +
                      std::to_string(cp.port));
    }
  }
  std::sort(named.begin(), named.end());
  std::string out;
  for (const auto& n : named) out += n + ";";
  return out;
}

struct VecHash {
  std::size_t operator()(const std::vector<std::uint32_t>& v) const {
    std::size_t h = v.size();
    for (auto x : v) h = h * 1000003u ^ x;
    return h;
  }
};

}  // namespace

// Builds a Connectivity; one instance per Analyze() call.
class Analyzer {
 public:
  explicit Analyzer(const Cluster& c) : c_(c) {}

  Connectivity Run() {
    out_.cluster_ = &c_;
    Intern(ConnSet());       // id 0: nothing
    Intern(ConnSet::All());  // id 1: everything
    CollectWorkloads();
    NumberPeers();
    BuildClasses();
    BuildRanges();
    ComputeMatrix();
    ComputeIngressController();
    return std::move(out_);
  }

 private:
  std::uint32_t Intern(const ConnSet& s) {
    auto [it, inserted] = ids_.emplace(s, static_cast<std::uint32_t>(out_.interned_.size()));
    if (inserted) out_.interned_.push_back(s);
    return it->second;
  }
  std::uint32_t UnionId(std::uint32_t a, std::uint32_t b) {
    if (a == b || b == 0) return a;
    if (a == 0) return b;
    if (a == 1 || b == 1) return 1;
    std::uint64_t key = (static_cast<std::uint64_t>(std::min(a, b)) << 32) | std::max(a, b);
    auto it = union_memo_.find(key);
    if (it != union_memo_.end()) return it->second;
    std::uint32_t r = Intern(out_.interned_[a].Union(out_.interned_[b]));
    union_memo_.emplace(key, r);
    return r;
  }
  std::uint32_t IntersectId(std::uint32_t a, std::uint32_t b) {
    if (a == b || b == 1) return a;
    if (a == 1) return b;
    if (a == 0 || b == 0) return 0;
    std::uint64_t key = (static_cast<std::uint64_t>(std::min(a, b)) << 32) | std::max(a, b);
    auto it = inter_memo_.find(key);
    if (it != inter_memo_.end()) return it->second;
    std::uint32_t r = Intern(out_.interned_[a].Intersect(out_.interned_[b]));
    inter_memo_.emplace(key, r);
    return r;
  }

  void CollectWorkloads() {
    std::set<std::string> seen;
    for (const auto& w : c_.workloads) {
      if (seen.insert(w.Id()).second) out_.workloads_.push_back(&w);
    }
    for (const auto& n : c_.namespaces) ns_labels_.emplace(n.name, &n.labels);
  }

  void NumberPeers() {
    std::uint32_t next = static_cast<std::uint32_t>(c_.policies.size());
    for (const auto& p : c_.policies) {
      for (const auto* rules : {&p.ingress, &p.egress}) {
        for (const auto& r : *rules) {
          for (const auto& peer : r.peers) peer_id_[&peer] = next++;
        }
      }
    }
    fact_count_ = next;
  }

  void BuildClasses() {
    // Shapes: workloads with the same namespace, labels and named ports are
    // indistinguishable to every selector; facts are evaluated once per shape.
    std::map<std::tuple<std::string, Labels, std::string>, int> shape_ids;
    std::vector<int> shape_of(out_.workloads_.size());
    std::vector<const Workload*> shape_rep;
    std::map<std::string, std::vector<int>, std::less<>> shapes_in_ns;
    for (std::size_t i = 0; i < out_.workloads_.size(); ++i) {
      const Workload& w = *out_.workloads_[i];
      auto key = std::make_tuple(w.ns, w.labels, PortsSignature(w));
      auto [it, inserted] = shape_ids.emplace(std::move(key), static_cast<int>(shape_rep.size()));
      if (inserted) {
        shape_rep.push_back(&w);
        shapes_in_ns[w.ns].push_back(it->second);
      }
      shape_of[i] = it->second;
    }
    // Many selectors repeat across policies and many label sets repeat
    // across namespaces: evaluate each (selector, label set) once.
    std::map<Labels, int> labelset_ids;
    std::vector<int> labelset_of(shape_rep.size());
    for (std::size_t i = 0; i < shape_rep.size(); ++i) {
      auto [it, inserted] =
          labelset_ids.emplace(shape_rep[i]->labels, static_cast<int>(labelset_ids.size()));
      labelset_of[i] = it->second;
    }
    std::unordered_map<std::string, std::vector<std::int8_t>> memo;
    std::unordered_map<const LabelSelector*, std::vector<std::int8_t>*> memo_of;
    auto matches = [&](const LabelSelector& sel, int shape) {
      if (sel.empty()) return true;
      auto& slot = memo_of[&sel];
      if (!slot) {
        slot = &memo[sel.ToString()];
        if (slot->empty()) slot->assign(labelset_ids.size(), -1);
      }
      std::int8_t& m = (*slot)[labelset_of[shape]];
      if (m < 0) m = sel.Matches(shape_rep[shape]->labels) ? 1 : 0;
      return m == 1;
    };
    std::vector<std::vector<std::uint32_t>> facts(shape_rep.size());
    auto shapes_of_ns = [&](const std::string& ns) -> const std::vector<int>& {
      static const std::vector<int> kNone;
      auto it = shapes_in_ns.find(ns);
      return it == shapes_in_ns.end() ? kNone : it->second;
    };
    for (std::size_t pi = 0; pi < c_.policies.size(); ++pi) {
      const NetworkPolicy& p = c_.policies[pi];
      for (int s : shapes_of_ns(p.ns)) {
        if (matches(p.pod_selector, s)) {
          facts[s].push_back(static_cast<std::uint32_t>(pi));
        }
      }
    }
    for (const auto& p : c_.policies) {
      for (const auto* rules : {&p.ingress, &p.egress}) {
        for (const auto& r : *rules) {
          for (const auto& peer : r.peers) {
            if (peer.ip_block) continue;
            std::uint32_t id = peer_id_[&peer];
            auto visit = [&](const std::vector<int>& shapes) {
              if (!peer.pod_selector) {
                for (int s : shapes) facts[s].push_back(id);
                return;
              }
              for (int s : shapes) {
                if (matches(*peer.pod_selector, s)) facts[s].push_back(id);
              }
            };
            if (!peer.namespace_selector) {
              visit(shapes_of_ns(p.ns));
            } else {
              for (const auto& [ns, shapes] : shapes_in_ns) {
                if (peer.namespace_selector->Matches(NamespaceLabels(ns_labels_, ns)))
                  visit(shapes);
              }
            }
          }
        }
      }
    }
    // Peer ids grow in visiting order, but policy ids were all appended
    // first, so each fact list is sorted already; sort anyway for safety.
    std::unordered_map<std::vector<std::uint32_t>, int, VecHash> class_ids;
    std::vector<int> class_of_shape(shape_rep.size());
    for (std::size_t s = 0; s < shape_rep.size(); ++s) {
      auto& f = facts[s];
      std::sort(f.begin(), f.end());
      // Named ports matter only to classes that are destinations of named
      // rules; folding the signature in keeps the class sound everywhere.
      std::vector<std::uint32_t> key = f;
      key.push_back(0xffffffffu);
      std::string sig = PortsSignature(*shape_rep[s]);
      for (char ch : sig) key.push_back(static_cast<unsigned char>(ch));
      auto [it, inserted] =
          class_ids.emplace(std::move(key), static_cast<int>(class_facts_.size()));
      if (inserted) {
        class_facts_.push_back(f);
        class_rep_.push_back(shape_rep[s]);
      }
      class_of_shape[s] = it->second;
    }
    std::size_t nc = class_facts_.size();
    out_.class_members_.assign(nc, {});
    out_.class_of_.resize(out_.workloads_.size());
    for (std::size_t i = 0; i < out_.workloads_.size(); ++i) {
      int c = class_of_shape[shape_of[i]];
      out_.class_of_[i] = c;
      out_.class_members_[c].push_back(static_cast<int>(i));
    }
    peer_classes_.assign(fact_count_, {});
    selected_in_.assign(nc, {});
    selected_eg_.assign(nc, {});
    for (std::size_t c = 0; c < nc; ++c) {
      for (std::uint32_t f : class_facts_[c]) {
        if (f < c_.policies.size()) {
          const NetworkPolicy& p = c_.policies[f];
          if (p.ingress_type) selected_in_[c].push_back(&p);
          if (p.egress_type) selected_eg_[c].push_back(&p);
        } else {
          peer_classes_[f].push_back(static_cast<int>(c));
        }
      }
    }
  }

  void BuildRanges() {
    // Cuts at every ipBlock edge: all of them for the fine ranges, those of
    // ingress (egress) rules for the listed sources (destinations).
    std::set<std::uint64_t> all = {0, 1ull << 32}, src = all, dst = all;
    for (const auto& p : c_.policies) {
      for (const auto* rules : {&p.ingress, &p.egress}) {
        auto& side = rules == &p.ingress ? src : dst;
        for (const auto& r : *rules) {
          for (const auto& peer : r.peers) {
            if (!peer.ip_block) continue;
            for (const auto& iv : peer.ip_block->intervals()) {
              for (std::uint64_t cut : {static_cast<std::uint64_t>(iv.first),
                                        static_cast<std::uint64_t>(iv.last) + 1}) {
                all.insert(cut);
                side.insert(cut);
              }
            }
          }
        }
      }
    }
    auto intervals = [](const std::set<std::uint64_t>& cuts) {
      std::vector<IpInterval> out;
      for (auto it = cuts.begin(); std::next(it) != cuts.end(); ++it) {
        out.push_back(
            {static_cast<std::uint32_t>(*it), static_cast<std::uint32_t>(*std::next(it) - 1)});
      }
      return out;
    };
    out_.ranges_ = intervals(all);
    out_.src_ranges_ = intervals(src);
    out_.dst_ranges_ = intervals(dst);
    // Every coarse range starts at a fine one (the cuts are a superset).
    auto fine_at = [&](std::uint32_t first) {
      auto it = std::lower_bound(out_.ranges_.begin(), out_.ranges_.end(), first,
                                 [](const IpInterval& r, std::uint32_t x) { return r.first < x; });
      return static_cast<int>(it - out_.ranges_.begin());
    };
    for (const auto& r : out_.src_ranges_) out_.src_fine_.push_back(fine_at(r.first));
    for (const auto& r : out_.dst_ranges_) out_.dst_fine_.push_back(fine_at(r.first));
  }

  // Classes a rule's peers select; all classes when the rule has no peers.
  template <typename F>
  void ForEachTargetClass(const PolicyRule& r, std::vector<char>& mark, F&& f) {
    std::size_t nc = class_facts_.size();
    if (r.all_peers) {
      for (std::size_t c = 0; c < nc; ++c) f(static_cast<int>(c));
      return;
    }
    std::vector<int> touched;
    for (const auto& peer : r.peers) {
      if (peer.ip_block) continue;
      for (int c : peer_classes_[peer_id_[&peer]]) {
        if (!mark[c]) {
          mark[c] = 1;
          touched.push_back(c);
        }
      }
    }
    for (int c : touched) {
      mark[c] = 0;
      f(c);
    }
  }

  std::uint32_t RuleConn(const PolicyRule& r, int dst_class) {
    if (!HasNamedPort(r)) {
      auto it = const_conn_.find(&r);
      if (it != const_conn_.end()) return it->second;
      std::uint32_t id = Intern(RulePorts(r, nullptr));
      const_conn_.emplace(&r, id);
      return id;
    }
    // Per rule, one slot per class (the last slot: external addresses).
    auto& cache = named_conn_[&r];
    if (cache.empty()) cache.assign(class_rep_.size() + 1, kUnset);
    std::uint32_t& slot =
        cache[dst_class < 0 ? class_rep_.size() : static_cast<std::size_t>(dst_class)];
    if (slot == kUnset) {
      slot = Intern(RulePorts(r, dst_class < 0 ? nullptr : class_rep_[dst_class]));
    }
    return slot;
  }

  // The external ranges a rule's peers cover, computed once per rule.
  const std::vector<int>& RuleRanges(const PolicyRule& r) {
    auto [it, inserted] = rule_ranges_.try_emplace(&r);
    if (!inserted) return it->second;
    const auto& ranges = out_.ranges_;
    for (std::size_t a = 0; a < ranges.size(); ++a) {
      bool covered = r.all_peers;
      for (const auto& peer : r.peers) {
        if (!covered && peer.ip_block && peer.ip_block->Contains(ranges[a].first)) covered = true;
      }
      if (covered) it->second.push_back(static_cast<int>(a));
    }
    return it->second;
  }

  void ComputeMatrix() {
    const std::size_t nc = class_facts_.size();
    const std::size_t nr = out_.ranges_.size();
    std::vector<char> mark(nc, 0);
    // Ingress, stored [dst * nc + src].
    std::vector<std::uint32_t> in(nc * nc, 0);
    out_.from_ip_.assign(nc * nr, 0);
    for (std::size_t d = 0; d < nc; ++d) {
      std::uint32_t* row = &in[d * nc];
      std::uint32_t* iprow = &out_.from_ip_[d * nr];
      if (selected_in_[d].empty()) {
        std::fill(row, row + nc, 1u);
        std::fill(iprow, iprow + nr, 1u);
        continue;
      }
      for (const NetworkPolicy* p : selected_in_[d]) {
        for (const auto& r : p->ingress) {
          std::uint32_t conn = RuleConn(r, static_cast<int>(d));
          if (conn == 0) continue;
          ForEachTargetClass(r, mark, [&](int s) { row[s] = UnionId(row[s], conn); });
          // Named ports of an ingress rule resolve against this destination
          // whatever the source, external or not.
          for (int a : RuleRanges(r)) iprow[a] = UnionId(iprow[a], conn);
        }
      }
    }
    out_.class_conn_.assign(nc * nc, 0);
    out_.to_ip_.assign(nc * nr, 0);
    std::vector<std::uint32_t> eg(nc);
    for (std::size_t s = 0; s < nc; ++s) {
      std::uint32_t* iprow = &out_.to_ip_[s * nr];
      if (selected_eg_[s].empty()) {
        std::fill(eg.begin(), eg.end(), 1u);
        std::fill(iprow, iprow + nr, 1u);
      } else {
        std::fill(eg.begin(), eg.end(), 0u);
        for (const NetworkPolicy* p : selected_eg_[s]) {
          for (const auto& r : p->egress) {
            bool named = HasNamedPort(r);
            std::uint32_t fixed = named ? 0 : RuleConn(r, -1);
            if (!named && fixed == 0) continue;
            ForEachTargetClass(
                r, mark, [&](int d) { eg[d] = UnionId(eg[d], named ? RuleConn(r, d) : fixed); });
            std::uint32_t ipconn = named ? RuleConn(r, -1) : fixed;
            if (ipconn == 0) continue;
            for (int a : RuleRanges(r)) iprow[a] = UnionId(iprow[a], ipconn);
          }
        }
      }
      std::uint32_t* outrow = &out_.class_conn_[s * nc];
      for (std::size_t d = 0; d < nc; ++d) outrow[d] = IntersectId(eg[d], in[d * nc + s]);
    }
  }

  // {ingress-controller} lines: what Ingress/Route objects reach, within what
  // the policies allow from an unlabelled pod of its own namespace.
  void ComputeIngressController() {
    auto reach = IngressControllerReach(c_, out_.workloads_);
    if (reach.empty()) return;
    Workload controller;
    controller.ns = "ingress-controller-ns";
    controller.name = "ingress-controller";
    // Workloads of one class are alike to every source: evaluate once per class.
    std::unordered_map<int, ConnSet> by_class;
    for (const auto& r : reach) {
      const Workload& dst = *out_.workloads_[r.workload];
      auto [it, inserted] = by_class.try_emplace(out_.class_of_[r.workload]);
      if (inserted) it->second = NaiveBetween(c_, controller, dst);
      ConnSet allowed = r.conns.Intersect(it->second);
      if (allowed.empty()) continue;
      out_.ingress_.push_back({std::string(kIngressControllerName), dst.Id(), std::move(allowed)});
    }
    std::sort(out_.ingress_.begin(), out_.ingress_.end(),
              [](const Connection& a, const Connection& b) { return a.dst < b.dst; });
  }

  const Cluster& c_;
  Connectivity out_;
  std::map<ConnSet, std::uint32_t> ids_;
  std::unordered_map<std::uint64_t, std::uint32_t> union_memo_, inter_memo_;
  std::map<std::string, const Labels*, std::less<>> ns_labels_;
  std::unordered_map<const PolicyPeer*, std::uint32_t> peer_id_;
  std::uint32_t fact_count_ = 0;
  std::vector<std::vector<std::uint32_t>> class_facts_;
  std::vector<const Workload*> class_rep_;
  std::vector<std::vector<int>> peer_classes_;
  std::vector<std::vector<const NetworkPolicy*>> selected_in_, selected_eg_;
  std::unordered_map<const PolicyRule*, std::uint32_t> const_conn_;
  std::unordered_map<const PolicyRule*, std::vector<int>> rule_ranges_;
  static constexpr std::uint32_t kUnset = 0xffffffffu;
  std::unordered_map<const PolicyRule*, std::vector<std::uint32_t>> named_conn_;
};

Connectivity Analyze(const Cluster& cluster) { return Analyzer(cluster).Run(); }

ConnSet Connectivity::Between(Peer src, Peer dst) const {
  const std::size_t nc = class_members_.size();
  const std::size_t nr = ranges_.size();
  if (src.is_ip && dst.is_ip) return ConnSet();
  if (src.is_ip) return interned_[from_ip_[class_of_[dst.index] * nr + src.index]];
  if (dst.is_ip) return interned_[to_ip_[class_of_[src.index] * nr + dst.index]];
  return interned_[class_conn_[class_of_[src.index] * nc + class_of_[dst.index]]];
}

std::string Connectivity::PeerName(Peer p) const {
  return p.is_ip ? RangeToString(ranges_[p.index]) : workloads_[p.index]->Id();
}

std::optional<Peer> Connectivity::FindPeer(std::string_view name) const {
  std::optional<Peer> prefix;
  int prefix_count = 0;
  for (std::size_t i = 0; i < workloads_.size(); ++i) {
    std::string id = workloads_[i]->Id();
    if (id == name) return Peer{false, static_cast<int>(i)};
    std::string short_id = workloads_[i]->ns + "/" + workloads_[i]->name;
    if (short_id == name) {
      prefix = Peer{false, static_cast<int>(i)};
      ++prefix_count;
    }
  }
  if (prefix_count == 1) return prefix;
  if (prefix_count > 1) return std::nullopt;
  if (name.ends_with(kExternalSuffix)) name.remove_suffix(kExternalSuffix.size());
  std::string_view addr = name.substr(0, name.find('-'));
  auto ip = IpAddress::Parse(addr);
  if (ip && !ip->v6) {
    auto a = static_cast<std::uint32_t>(ip->value);
    for (std::size_t i = 0; i < ranges_.size(); ++i) {
      if (ranges_[i].first <= a && a <= ranges_[i].last) return Peer{true, static_cast<int>(i)};
    }
  }
  return std::nullopt;
}

std::vector<Connection> Connectivity::List() const {
  const std::size_t nw = workloads_.size();
  std::vector<std::string> names(nw), srcs(src_ranges_.size()), dsts(dst_ranges_.size());
  for (std::size_t i = 0; i < nw; ++i) names[i] = workloads_[i]->Id();
  for (std::size_t a = 0; a < srcs.size(); ++a) {
    srcs[a] = RangeToString(src_ranges_[a]) + std::string(kExternalSuffix);
  }
  for (std::size_t a = 0; a < dsts.size(); ++a) {
    dsts[a] = RangeToString(dst_ranges_[a]) + std::string(kExternalSuffix);
  }
  // Work on interned ids and sort references; a name and a ConnSet are
  // copied once, for a line that is printed.
  struct Row {
    const std::string* src;
    const std::string* dst;
    const ConnSet* conns;
  };
  std::vector<Row> rows;
  for (std::size_t s = 0; s < nw; ++s) {
    const int sc = class_of_[s];
    for (std::size_t d = 0; d < nw; ++d) {
      if (s == d) continue;
      std::uint32_t id = ClassConnId(sc, class_of_[d]);
      if (id != 0) rows.push_back({&names[s], &names[d], &interned_[id]});
    }
    for (std::size_t a = 0; a < dsts.size(); ++a) {
      if (std::uint32_t to = ToRangeId(sc, dst_fine_[a]); to != 0) {
        rows.push_back({&names[s], &dsts[a], &interned_[to]});
      }
    }
    for (std::size_t a = 0; a < srcs.size(); ++a) {
      if (std::uint32_t from = FromRangeId(src_fine_[a], sc); from != 0) {
        rows.push_back({&srcs[a], &names[s], &interned_[from]});
      }
    }
  }
  for (const auto& c : ingress_) rows.push_back({&c.src, &c.dst, &c.conns});
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(*a.src, *a.dst) < std::tie(*b.src, *b.dst);
  });
  std::vector<Connection> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back({*r.src, *r.dst, *r.conns});
  return out;
}

std::string ConnectionsText(const std::vector<Connection>& list) {
  // Sized up front: growing a string of many MB copies and page-faults it
  // again at every doubling.
  std::size_t size = 0;
  for (const auto& x : list) size += x.src.size() + x.dst.size() + 32;
  std::string out;
  out.reserve(size);
  for (const auto& x : list) out += x.src + " => " + x.dst + " : " + x.conns.ToString() + "\n";
  return out;
}

std::uint64_t Connectivity::CountWorkloadPairs() const {
  const std::size_t nc = class_members_.size();
  std::uint64_t n = 0;
  for (std::size_t s = 0; s < nc; ++s) {
    for (std::size_t d = 0; d < nc; ++d) {
      if (class_conn_[s * nc + d] == 0) continue;
      std::uint64_t pairs =
          static_cast<std::uint64_t>(class_members_[s].size()) * class_members_[d].size();
      if (s == d) pairs -= class_members_[s].size();
      n += pairs;
    }
  }
  return n;
}

std::vector<std::string> Connectivity::Explain(Peer src, Peer dst) const {
  std::vector<std::string> out;
  std::string sname = PeerName(src), dname = PeerName(dst);
  std::map<std::string, const Labels*, std::less<>> ns_labels;
  for (const auto& n : cluster_->namespaces) ns_labels.emplace(n.name, &n.labels);
  const Workload* sw = src.is_ip ? nullptr : workloads_[src.index];
  const Workload* dw = dst.is_ip ? nullptr : workloads_[dst.index];
  auto peer_matches = [&](const PolicyRule& r, const NetworkPolicy& p, const Workload* w,
                          const IpInterval* range) -> std::string {
    if (r.all_peers) return "any peer (no from/to)";
    for (const auto& peer : r.peers) {
      if (w && PeerMatchesWorkload(peer, p, *w, NamespaceLabels(ns_labels, w->ns))) {
        return peer.ToString();
      }
      if (range && peer.ip_block && peer.ip_block->Contains(range->first)) return peer.ToString();
    }
    return "";
  };
  auto side = [&](bool egress) {
    const Workload* self = egress ? sw : dw;
    const Workload* other = egress ? dw : sw;
    const IpInterval* other_range = egress ? (dst.is_ip ? &ranges_[dst.index] : nullptr)
                                           : (src.is_ip ? &ranges_[src.index] : nullptr);
    std::string dir = egress ? "egress" : "ingress";
    std::string who = egress ? sname : dname;
    if (!self) {
      out.push_back(dir + ": " + who + " is an external address; no policy governs it");
      return;
    }
    bool isolated = false;
    for (const auto& p : cluster_->policies) {
      if (p.ns != self->ns || !p.pod_selector.Matches(self->labels)) continue;
      if (!(egress ? p.egress_type : p.ingress_type)) continue;
      isolated = true;
      const auto& rules = egress ? p.egress : p.ingress;
      if (rules.empty()) {
        out.push_back(dir + ": policy " + p.Id() + " (" + p.where.ToString() + ") selects " + who +
                      " and allows no " + dir);
        continue;
      }
      for (std::size_t i = 0; i < rules.size(); ++i) {
        const auto& r = rules[i];
        std::string m = peer_matches(r, p, other, other_range);
        const Workload* port_dst = egress ? other : self;
        ConnSet ports = RulePorts(r, port_dst);
        std::string rule = "policy " + p.Id() + " " + dir + " rule " + std::to_string(i + 1) +
                           " (" + r.where.ToString() + ")";
        if (m.empty()) {
          out.push_back(dir + ": " + rule + " does not match " + (egress ? dname : sname));
        } else if (ports.empty()) {
          out.push_back(dir + ": " + rule + " matches via " + m + " but its ports resolve to none");
        } else {
          out.push_back(dir + ": " + rule + " allows " + ports.ToString() + " via " + m);
        }
      }
    }
    if (!isolated) {
      out.push_back(dir + ": no policy with " + (egress ? "Egress" : "Ingress") + " selects " +
                    who + "; all " + dir + " allowed");
    }
  };
  side(true);
  side(false);
  out.push_back("result: " + sname + " => " + dname + " : " + Between(src, dst).ToString());
  return out;
}

ConnSet NaiveBetween(const Cluster& cluster, const Workload& src, const Workload& dst) {
  // Undeclared namespaces have their automatic name label (CompleteNamespaces).
  std::map<std::string, Labels> undeclared;
  auto ns_labels = [&](const std::string& ns) -> const Labels& {
    for (const auto& n : cluster.namespaces) {
      if (n.name == ns) return n.labels;
    }
    auto [it, inserted] = undeclared.try_emplace(ns);
    if (inserted) it->second["kubernetes.io/metadata.name"] = ns;
    return it->second;
  };
  auto side = [&](bool egress) {
    const Workload& self = egress ? src : dst;
    const Workload& other = egress ? dst : src;
    bool isolated = false;
    ConnSet allowed;
    for (const auto& p : cluster.policies) {
      if (p.ns != self.ns || !p.pod_selector.Matches(self.labels)) continue;
      if (!(egress ? p.egress_type : p.ingress_type)) continue;
      isolated = true;
      for (const auto& r : egress ? p.egress : p.ingress) {
        bool match = r.all_peers;
        for (const auto& peer : r.peers) {
          if (!match && PeerMatchesWorkload(peer, p, other, ns_labels(other.ns))) match = true;
        }
        if (match) allowed = allowed.Union(RulePorts(r, &dst));
      }
    }
    return isolated ? allowed : ConnSet::All();
  };
  return side(true).Intersect(side(false));
}

}  // namespace rampart::zones
