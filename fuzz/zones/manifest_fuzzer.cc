// Fuzzes the Kubernetes manifest parser (Lists, workloads, owned Pods,
// NetworkPolicies, Services, Ingresses, Routes), then the analysis of whatever
// it accepted (ingress-controller lines included): no input may crash, hang or
// trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string>

#include "zones/analyze.h"
#include "zones/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::zones;
  if (size > (1u << 16)) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  Cluster cluster;
  rampart::Diagnostics diags;
  ParseManifests(text, "fuzz.yaml", &cluster, &diags);
  MergeOwnedPods(&cluster, &diags);
  CompleteNamespaces(&cluster);
  for (const auto& d : diags.items()) (void)d.ToString();
  // Analysis is polynomial in what was parsed; keep each run short.
  if (cluster.workloads.size() > 64 || cluster.policies.size() > 64 ||
      cluster.ingresses.size() > 64) {
    return 0;
  }
  Connectivity c = Analyze(cluster);
  auto list = c.List();
  (void)ConnectionsText(list);
  if (!c.workloads().empty()) {
    (void)c.Explain({false, 0}, {true, 0});
    (void)c.Explain({true, 0}, {false, 0});
  }
  return 0;
}
