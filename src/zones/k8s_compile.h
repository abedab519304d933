// The estate compiled to Kubernetes NetworkPolicy and CiliumNetworkPolicy.
//
// Per namespace of the estate: a default deny for ingress and egress, an
// egress allow to the cluster DNS (kube-system/kube-dns, UDP and TCP 53) where
// the namespace's zone says `dns: true`, and per flow one ingress policy on
// the destination's pods and one egress policy on the source's pods (port
// ranges use endPort). Endpoints outside Kubernetes are written as ipBlocks
// (CIDR sets in Cilium); the internet as 0.0.0.0/0 except the estate's zones.
// Output is deterministic (policies sorted by namespace and name).
#pragma once

#include <string>

#include "core/diagnostic.h"
#include "estate/model.h"

namespace rampart::zones {

std::string CompileNetworkPolicies(const estate::Estate& e, Diagnostics* diags);
std::string CompileCilium(const estate::Estate& e, Diagnostics* diags);

}  // namespace rampart::zones
