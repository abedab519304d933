#include "zones/ingress.h"

#include <map>
#include <optional>
#include <string>
#include <utility>

namespace rampart::zones {
namespace {

// The pod ports a reference to a Service port reaches: every Service port's
// target when the reference is empty, else the target of the first Service
// port it names (by port name, port number or target).
std::vector<PortRef> TargetsOf(const K8sService& svc, const PortRef& wanted) {
  std::vector<PortRef> out;
  for (const auto& sp : svc.ports) {
    PortRef target = sp.target.empty() ? PortRef{sp.port, ""} : sp.target;
    if (wanted.empty()) {
      out.push_back(std::move(target));
      continue;
    }
    bool by_name = !sp.name.empty() && sp.name == wanted.name;
    bool by_number = wanted.number && sp.port == *wanted.number;
    bool by_target = !sp.target.empty() && sp.target == wanted;
    if (by_name || by_number || by_target) {
      out.push_back(std::move(target));
      break;
    }
  }
  return out;
}

// The TCP port `target` designates on `w`, if `w` declares it.
std::optional<std::uint16_t> PodPort(const Workload& w, const PortRef& target) {
  std::uint16_t port = 0;
  if (!target.name.empty()) {
    const ContainerPort* named = nullptr;
    for (const auto& cp : w.ports) {
      if (cp.name == target.name) {
        named = &cp;
        break;
      }
    }
    if (!named || named->protocol != Protocol::kTcp) return std::nullopt;
    port = named->port;
  } else if (target.number) {
    port = *target.number;
  } else {
    return std::nullopt;
  }
  for (const auto& cp : w.ports) {
    if (cp.port == port && cp.protocol == Protocol::kTcp) return port;
  }
  return std::nullopt;
}

}  // namespace

std::vector<IngressReach> IngressControllerReach(const Cluster& cluster,
                                                 const std::vector<const Workload*>& workloads) {
  if (cluster.ingresses.empty()) return {};
  std::map<std::pair<std::string, std::string>, const K8sService*> services;
  for (const auto& s : cluster.services) services.emplace(std::make_pair(s.ns, s.name), &s);
  std::map<std::string, std::vector<int>> by_ns;
  for (std::size_t i = 0; i < workloads.size(); ++i) {
    by_ns[workloads[i]->ns].push_back(static_cast<int>(i));
  }
  std::map<int, ConnSet> reach;
  for (const auto& ing : cluster.ingresses) {
    for (const auto& b : ing.backends) {
      auto it = services.find({ing.ns, b.service});
      if (it == services.end() || !it->second->selector) continue;
      const K8sService& svc = *it->second;
      LabelSelector sel;
      sel.match_labels = *svc.selector;
      std::vector<PortRef> targets = TargetsOf(svc, b.port);
      if (targets.empty()) continue;
      for (int w : by_ns[ing.ns]) {
        if (!sel.Matches(workloads[w]->labels)) continue;
        for (const auto& t : targets) {
          if (auto port = PodPort(*workloads[w], t)) reach[w].Add(Protocol::kTcp, *port, *port);
        }
      }
    }
  }
  std::vector<IngressReach> out;
  for (auto& [w, conns] : reach) {
    if (!conns.empty()) out.push_back({w, std::move(conns)});
  }
  return out;
}

}  // namespace rampart::zones
