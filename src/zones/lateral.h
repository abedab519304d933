// Lateral movement: who can reach whom in one or more hops, and by which
// rule. A node that can open a connection to another is assumed able to
// compromise it and pivot onwards (the attacker's view; docs/design/zones.md).
//
// Two graphs share one search: the estate's (services and zones, edges are
// flows) and a Kubernetes cluster's (workloads and external ranges, edges are
// allowed connections, enumerated per equivalence class so a 10,000-pod
// cluster is searched without materialising its pod pairs).
// Graphs borrow the Estate / Connectivity they are built from.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "estate/model.h"
#include "zones/analyze.h"

namespace rampart::zones {

class LateralGraph {
 public:
  virtual ~LateralGraph() = default;
  virtual std::size_t size() const = 0;
  virtual std::string Name(int node) const = 0;
  // Calls f(to) for each node `node` can open a connection to.
  virtual void Neighbors(int node, const std::function<void(int)>& f) const = 0;
  // What allows node -> to ("flow public-inference tcp/8443").
  virtual std::string EdgeLabel(int from, int to) const = 0;
};

struct Hop {
  std::string from;
  std::string to;
  std::string rule;
};

struct LateralPath {
  std::string source;
  std::string target;
  std::string target_note;  // e.g. "crown jewels: training-data, checkpoints"
  std::vector<Hop> hops;
  std::string ToString() const;  // "a -[rule]-> b -[rule]-> c"
};

// The shortest path from each source to each target it reaches (BFS; ties
// broken by node order, so output is deterministic), sorted by hop count,
// then source and target names. At most `limit` paths.
std::vector<LateralPath> ShortestPaths(const LateralGraph& g, const std::vector<int>& sources,
                                       const std::vector<int>& targets, std::size_t limit);

// The estate's graph: a node per zone and per service; a flow from a zone
// starts at the zone and at every service in it, a flow to a zone ends at the
// zone and at every service in it; the internet zone reaches every service
// marked `exposure: internet` (edge labelled "exposure: internet").
class EstateGraph : public LateralGraph {
 public:
  explicit EstateGraph(const estate::Estate& e);
  std::size_t size() const override { return names_.size(); }
  std::string Name(int node) const override { return names_[node]; }
  void Neighbors(int node, const std::function<void(int)>& f) const override;
  std::string EdgeLabel(int from, int to) const override;
  int Find(const std::string& name) const;

  // Entry points: the internet zones (which reach every service marked
  // `exposure: internet`); the exposed services when there is no such zone.
  std::vector<int> Exposed() const;
  // Services (or zones) holding crown-jewel assets, with the asset names.
  std::vector<std::pair<int, std::string>> CrownJewels() const;
  // The flows behind an edge.
  std::vector<const estate::Flow*> FlowsOf(int from, int to) const;

 private:
  const estate::Estate& e_;
  std::vector<std::string> names_;
  std::vector<std::vector<std::pair<int, const estate::Flow*>>> adj_;
};

// A cluster's graph: workloads first, then the external ranges.
class ClusterGraph : public LateralGraph {
 public:
  explicit ClusterGraph(const Connectivity& c) : c_(c) {}
  std::size_t size() const override { return c_.workloads().size() + c_.ip_ranges().size(); }
  std::string Name(int node) const override { return c_.PeerName(ToPeer(node)); }
  void Neighbors(int node, const std::function<void(int)>& f) const override;
  std::string EdgeLabel(int from, int to) const override;

  // External ranges holding a public (not private, loopback, link-local or
  // shared) address, and workloads labelled rampart.io/exposure=internet.
  std::vector<int> Exposed() const;
  // Workloads labelled rampart.io/crown-jewel=true.
  std::vector<int> CrownJewels() const;

 private:
  Peer ToPeer(int node) const;
  const Connectivity& c_;
};

inline constexpr char kExposureLabel[] = "rampart.io/exposure";
inline constexpr char kCrownJewelLabel[] = "rampart.io/crown-jewel";

}  // namespace rampart::zones
