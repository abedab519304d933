// What Ingress and OpenShift Route objects let the cluster's ingress
// controller open, before any NetworkPolicy is applied.
//
// An Ingress backend or a Route target names a Service (in the object's
// namespace) and optionally one of its ports; the Service selects workloads by
// labels and maps the port to a pod port (targetPort, or the port itself). A
// workload is reached on TCP at that pod port when it declares it among its
// container ports (a named targetPort resolves through the workload's port
// names, and must be TCP). Services without a selector select nothing; a
// backend whose Service is unknown reaches nothing. This is netpol-analyzer's
// model of ingress (docs/design/zones.md). Pure function of its inputs.
#pragma once

#include <vector>

#include "zones/conn_set.h"
#include "zones/manifest.h"

namespace rampart::zones {

struct IngressReach {
  int workload = 0;  // index into the `workloads` argument
  ConnSet conns;     // TCP ports only; never empty
};

// `workloads`: the analysed workloads (one per name). Sorted by workload index.
std::vector<IngressReach> IngressControllerReach(const Cluster& cluster,
                                                 const std::vector<const Workload*>& workloads);

}  // namespace rampart::zones
