// Semantic diff of connectivity: which connections two policy sets (or two
// estates) allow differently, regardless of how the policies are written.
//
// For manifests the work is per pair of *joint* equivalence classes (a
// workload's class in A together with its class in B), so two 10,000-pod
// clusters are compared without visiting their 10^8 pod pairs; only pairs that
// differ are expanded. External ranges are refined to the cuts of both sides.
#pragma once

#include <string>
#include <vector>

#include "estate/model.h"
#include "zones/analyze.h"

namespace rampart::zones {

struct DiffEntry {
  std::string kind;  // "added", "removed", "changed"
  std::string src;
  std::string dst;
  ConnSet before;
  ConnSet after;
  std::string info;  // e.g. "workload added"
  // np-guard's text line: "diff-type: changed, source: a, destination: b,
  // dir1: TCP 80, dir2: TCP 80,UDP 53[, workloads-diff-info: ...]".
  std::string ToString() const;
};

std::vector<DiffEntry> DiffConnectivity(const Connectivity& a, const Connectivity& b);

// Estates: per (from, to) endpoint pair, the union of the ports of its flows.
std::vector<DiffEntry> DiffEstates(const estate::Estate& a, const estate::Estate& b);

}  // namespace rampart::zones
