// Connectivity of a Kubernetes cluster under its NetworkPolicies, exactly per
// the Kubernetes semantics (docs/design/zones.md lists each rule applied).
//
// Algorithm: workloads are grouped into equivalence classes by the facts the
// policies can observe about them — which policies select them, which rule
// peers match them, and their named container ports. Two workloads in one
// class have identical connectivity to and from everything, so connectivity is
// computed once per pair of classes (and per external IP range), never per pod
// pair. External addresses are split into the disjoint ranges cut by every
// ipBlock boundary; the listing (List()) uses netpol-analyzer's coarser
// convention: sources cut by the ipBlocks of ingress rules only, destinations
// by those of egress rules only, each range printed as `first-last[External]`.
// Ingress and Route objects add connections from the cluster's ingress
// controller (`{ingress-controller}`), as netpol-analyzer lists them.
//
// A Connectivity is immutable after Analyze() and safe to read from several
// threads. It keeps a pointer to the Cluster it was computed from: the Cluster
// must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "zones/conn_set.h"
#include "zones/ip_set.h"
#include "zones/manifest.h"

namespace rampart::zones {

// A node of the connectivity graph: a workload or an external address range.
struct Peer {
  bool is_ip = false;
  int index = 0;  // into Connectivity::workloads() or ip_ranges()
  friend auto operator<=>(const Peer&, const Peer&) = default;
};

struct Connection {
  std::string src;
  std::string dst;
  ConnSet conns;
};

class Connectivity {
 public:
  const Cluster& cluster() const { return *cluster_; }
  // Workloads analysed (duplicates of an earlier Id dropped).
  const std::vector<const Workload*>& workloads() const { return workloads_; }
  // The finest cut of the address space (every ipBlock edge of every rule):
  // the external peers of Between(), Explain(), paths and diff.
  const std::vector<IpInterval>& ip_ranges() const { return ranges_; }
  // The external peers as List() prints them: the address space cut at the
  // ipBlocks of ingress rules (sources) and of egress rules (destinations).
  // Each is a union of ip_ranges(); SourceRange(i) / DestinationRange(i) is
  // the index of one of them, which has the same connectivity.
  const std::vector<IpInterval>& source_ranges() const { return src_ranges_; }
  const std::vector<IpInterval>& destination_ranges() const { return dst_ranges_; }
  int SourceRange(int i) const { return src_fine_[i]; }
  int DestinationRange(int i) const { return dst_fine_[i]; }
  // What the cluster's ingress controller may open to each workload that an
  // Ingress or a Route reaches: the Ingress/Route/Service ports the workload
  // declares, intersected with what the policies allow from a pod of the
  // namespace `ingress-controller-ns`. Sorted by destination; src is
  // "{ingress-controller}".
  const std::vector<Connection>& ingress_controller() const { return ingress_; }
  std::size_t class_count() const { return class_members_.size(); }
  int ClassOf(int workload) const { return class_of_[workload]; }
  const std::vector<int>& ClassMembers(int c) const { return class_members_[c]; }

  // What `src` may open to `dst` (both directions of policy applied).
  ConnSet Between(Peer src, Peer dst) const;
  // Between two classes, as an interned id (see Conn()).
  std::uint32_t ClassConnId(int src_class, int dst_class) const {
    return class_conn_[static_cast<std::size_t>(src_class) * class_members_.size() + dst_class];
  }
  const ConnSet& Conn(std::uint32_t id) const { return interned_[id]; }
  // Class <-> external range, as interned ids.
  std::uint32_t ToRangeId(int src_class, int range) const {
    return to_ip_[static_cast<std::size_t>(src_class) * ranges_.size() + range];
  }
  std::uint32_t FromRangeId(int range, int dst_class) const {
    return from_ip_[static_cast<std::size_t>(dst_class) * ranges_.size() + range];
  }

  // "ns/name[Kind]" or "first-last" (a range of ip_ranges()).
  std::string PeerName(Peer p) const;
  // A workload by "ns/name[Kind]" or (when unique) "ns/name"; an address, or
  // a range as List() prints it ("a-b" or "a-b[External]"), by its first address.
  std::optional<Peer> FindPeer(std::string_view name) const;

  // Every allowed pair (no self pairs), sorted by "src => dst" text, in
  // netpol-analyzer's convention (source_ranges(), destination_ranges(),
  // ranges named `first-last[External]`, ingress-controller lines included);
  // IP-to-IP pairs are never listed (policies do not govern them).
  std::vector<Connection> List() const;
  // The number of allowed workload pairs, computed per class (cheap).
  std::uint64_t CountWorkloadPairs() const;

  // Which policies and rules allow or deny src -> dst, one line each.
  std::vector<std::string> Explain(Peer src, Peer dst) const;

 private:
  friend Connectivity Analyze(const Cluster& cluster);
  friend class Analyzer;

  const Cluster* cluster_ = nullptr;
  std::vector<const Workload*> workloads_;
  std::vector<IpInterval> ranges_;
  std::vector<IpInterval> src_ranges_, dst_ranges_;
  std::vector<int> src_fine_, dst_fine_;
  std::vector<Connection> ingress_;
  std::vector<int> class_of_;
  std::vector<std::vector<int>> class_members_;
  std::vector<std::uint32_t> class_conn_;  // classes x classes
  std::vector<std::uint32_t> to_ip_;       // classes x ranges (egress to range)
  std::vector<std::uint32_t> from_ip_;     // classes x ranges (ingress from range)
  std::vector<ConnSet> interned_;
};

Connectivity Analyze(const Cluster& cluster);

// "src => dst : conns", one line each: the text of `zones analyze`.
std::string ConnectionsText(const std::vector<Connection>& list);

// The suffix netpol-analyzer gives external ranges in its listing.
inline constexpr std::string_view kExternalSuffix = "[External]";
// The name it gives the ingress controller.
inline constexpr std::string_view kIngressControllerName = "{ingress-controller}";

// The connectivity a naive evaluator finds for one pod pair, reading every
// policy (no classes): the baseline of the benchmark and a cross-check in
// tests. O(policies x rules x peers) per call.
ConnSet NaiveBetween(const Cluster& cluster, const Workload& src, const Workload& dst);

}  // namespace rampart::zones
