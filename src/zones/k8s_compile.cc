#include "zones/k8s_compile.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "zones/conn_set.h"
#include "zones/ip_set.h"

namespace rampart::zones {
namespace {

using estate::Estate;

// A YAML scalar that reads back as the same string.
std::string Q(const std::string& s) {
  bool plain = !s.empty();
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == '/';
    if (!ok) plain = false;
  }
  if (plain) {
    // Values YAML would read as something else.
    static const std::set<std::string> kSpecial = {
        "true", "false", "yes", "no", "on", "off",  "null", "True", "False",
        "Yes",  "No",    "y",   "n",  "~",  "Null", "NULL", "TRUE", "FALSE"};
    bool numeric = std::all_of(
        s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.' || c == '-'; });
    if (kSpecial.contains(s) || numeric || s.front() == '-' || s.front() == '.') plain = false;
  }
  if (plain) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string Indent(int n) { return std::string(static_cast<std::size_t>(n), ' '); }

// Where an endpoint lives in Kubernetes.
struct K8sPlacement {
  std::vector<std::string> namespaces;
  std::map<std::string, std::string> labels;  // empty: every pod of the namespaces
};

std::optional<K8sPlacement> PlacementOf(const Estate& e, const std::string& name) {
  if (const auto* s = e.FindService(name)) {
    K8sPlacement p;
    p.namespaces = s->kubernetes.namespaces;
    const auto* z = e.FindZone(s->zone);
    if (p.namespaces.empty() && !s->kubernetes.pod_labels.empty() && z) {
      p.namespaces = z->kubernetes.namespaces;
    }
    if (p.namespaces.empty()) return std::nullopt;
    p.labels = s->kubernetes.pod_labels;
    return p;
  }
  if (const auto* z = e.FindZone(name)) {
    if (z->kubernetes.namespaces.empty()) return std::nullopt;
    K8sPlacement p;
    p.namespaces = z->kubernetes.namespaces;
    p.labels = z->kubernetes.pod_labels;
    return p;
  }
  return std::nullopt;
}

// An address endpoint as (cidr, except) blocks.
struct IpBlock {
  std::string cidr;
  std::vector<std::string> except;
};

std::vector<IpBlock> BlocksOf(const Estate& e, const std::string& name, Diagnostics* diags,
                              const SourceLocation& where) {
  std::vector<IpBlock> out;
  const auto* z = e.FindZone(name);
  if (z && z->kind == estate::ZoneKind::kInternet && z->cidrs.empty()) {
    IpBlock b{"0.0.0.0/0", {}};
    std::vector<std::string> ex;
    for (const auto& other : e.zones) {
      if (other.kind == estate::ZoneKind::kInternet) continue;
      for (const auto& c : other.cidrs) {
        if (!c.address.v6) b.except.push_back(c.ToString());
      }
    }
    std::sort(b.except.begin(), b.except.end());
    out.push_back(std::move(b));
    return out;
  }
  std::vector<Cidr> cidrs;
  if (const auto* s = e.FindService(name)) {
    cidrs = s->addresses;
    if (cidrs.empty()) {
      if (const auto* sz = e.FindZone(s->zone)) cidrs = sz->cidrs;
    }
  } else if (z) {
    cidrs = z->cidrs;
  }
  for (const auto& c : cidrs) out.push_back({c.ToString(), {}});
  if (out.empty()) {
    diags->Error(where, "zones.no-address",
                 "endpoint '" + name +
                     "' is neither in Kubernetes nor has addresses; its flows "
                     "cannot be written as policy and stay denied",
                 "give it a kubernetes placement, addresses or zone cidrs");
  }
  return out;
}

struct Doc {
  std::string ns;
  std::string name;
  std::string text;
};

std::string Metadata(const std::string& name, const std::string& ns, const std::string& flow) {
  std::string out = "metadata:\n";
  out += "  name: " + Q(name) + "\n";
  out += "  namespace: " + Q(ns) + "\n";
  out += "  labels:\n    app.kubernetes.io/managed-by: rampart\n";
  if (!flow.empty()) out += "  annotations:\n    rampart.io/flow: " + Q(flow) + "\n";
  return out;
}

std::string PolicyName(const std::string& flow, const char* suffix) {
  std::string n = "rampart-" + flow + suffix;
  if (n.size() > 253) n.resize(253);
  return n;
}

// What one policy must say, independent of the target's syntax.
struct PeerSpec {
  bool pods = false;  // else ip
  std::string ns;
  std::map<std::string, std::string> labels;
  IpBlock ip;
};

struct Intent {
  std::string ns;
  std::string name;
  std::string flow;
  bool ingress = true;
  std::map<std::string, std::string> selector;  // the pods the policy applies to
  std::vector<PeerSpec> peers;
  std::vector<estate::PortRange> ports;
};

std::vector<PeerSpec> PeersOf(const Estate& e, const std::string& endpoint, Diagnostics* diags,
                              const SourceLocation& where) {
  std::vector<PeerSpec> out;
  if (auto p = PlacementOf(e, endpoint)) {
    for (const auto& ns : p->namespaces) {
      PeerSpec ps;
      ps.pods = true;
      ps.ns = ns;
      ps.labels = p->labels;
      out.push_back(std::move(ps));
    }
    return out;
  }
  for (auto& b : BlocksOf(e, endpoint, diags, where)) {
    PeerSpec ps;
    ps.ip = std::move(b);
    out.push_back(std::move(ps));
  }
  return out;
}

struct Plan {
  std::set<std::string> namespaces;
  std::set<std::string> dns_namespaces;
  std::vector<Intent> intents;
};

Plan MakePlan(const Estate& e, Diagnostics* diags) {
  Plan plan;
  for (const auto& z : e.zones) {
    for (const auto& ns : z.kubernetes.namespaces) {
      plan.namespaces.insert(ns);
      if (z.dns) plan.dns_namespaces.insert(ns);
    }
  }
  for (const auto& s : e.services) {
    if (auto p = PlacementOf(e, s.name)) {
      const auto* z = e.FindZone(s.zone);
      for (const auto& ns : p->namespaces) {
        plan.namespaces.insert(ns);
        if (z && z->dns) plan.dns_namespaces.insert(ns);
      }
    }
  }
  for (const auto& f : e.flows) {
    if (f.ports.empty()) continue;
    auto src = PlacementOf(e, f.from);
    auto dst = PlacementOf(e, f.to);
    if (dst) {
      auto peers = PeersOf(e, f.from, diags, f.where);
      if (!peers.empty()) {
        for (const auto& ns : dst->namespaces) {
          plan.intents.push_back(
              {ns, PolicyName(f.name, "-ingress"), f.name, true, dst->labels, peers, f.ports});
        }
      }
    }
    if (src) {
      auto peers = PeersOf(e, f.to, diags, f.where);
      if (!peers.empty()) {
        for (const auto& ns : src->namespaces) {
          plan.intents.push_back(
              {ns, PolicyName(f.name, "-egress"), f.name, false, src->labels, peers, f.ports});
        }
      }
    }
    if (!src && !dst) {
      diags->Note(f.where, "zones.not-kubernetes",
                  "flow '" + f.name +
                      "' has no endpoint in Kubernetes; enforce it with the nft "
                      "target");
    }
  }
  return plan;
}

std::string Render(const std::vector<Doc>& in) {
  std::vector<Doc> docs = in;
  std::stable_sort(docs.begin(), docs.end(), [](const Doc& a, const Doc& b) {
    // The default deny first in each namespace, then by name.
    bool ad = a.name == "rampart-default-deny", bd = b.name == "rampart-default-deny";
    return std::tie(a.ns, bd, a.name) < std::tie(b.ns, ad, b.name);
  });
  std::string out;
  for (const auto& d : docs) out += "---\n" + d.text;
  return out;
}

const char* kHeader = "# Generated by `rampart zones compile` from estate '%s'; do not edit.\n";

std::string Header(const Estate& e, const std::string& what) {
  std::string h = kHeader;
  h.replace(h.find("%s"), 2, e.name);
  return h + "# " + what + "\n";
}

// ---- NetworkPolicy --------------------------------------------------------

std::string NpPorts(const std::vector<estate::PortRange>& ports, int indent) {
  std::string out = Indent(indent) + "ports:\n";
  for (const auto& p : ports) {
    out += Indent(indent) + "- protocol: " + std::string(ProtocolName(p.protocol)) + "\n";
    out += Indent(indent) + "  port: " + std::to_string(p.first) + "\n";
    if (p.is_range()) out += Indent(indent) + "  endPort: " + std::to_string(p.last) + "\n";
  }
  return out;
}

std::string NpPeer(const PeerSpec& p, int indent) {
  std::string out;
  if (p.pods) {
    out += Indent(indent) + "- namespaceSelector:\n";
    out += Indent(indent + 4) + "matchLabels:\n";
    out += Indent(indent + 6) + "kubernetes.io/metadata.name: " + Q(p.ns) + "\n";
    if (!p.labels.empty()) {
      out += Indent(indent + 2) + "podSelector:\n" + Indent(indent + 4) + "matchLabels:\n";
      for (const auto& [k, v] : p.labels) out += Indent(indent + 6) + Q(k) + ": " + Q(v) + "\n";
    }
    return out;
  }
  out += Indent(indent) + "- ipBlock:\n";
  out += Indent(indent + 4) + "cidr: " + Q(p.ip.cidr) + "\n";
  if (!p.ip.except.empty()) {
    out += Indent(indent + 4) + "except:\n";
    for (const auto& x : p.ip.except) out += Indent(indent + 4) + "- " + Q(x) + "\n";
  }
  return out;
}

std::string NpSelector(const std::map<std::string, std::string>& labels) {
  if (labels.empty()) return "  podSelector: {}\n";
  std::string out = "  podSelector:\n    matchLabels:\n";
  for (const auto& [k, v] : labels) out += "      " + Q(k) + ": " + Q(v) + "\n";
  return out;
}

}  // namespace

std::string CompileNetworkPolicies(const Estate& e, Diagnostics* diags) {
  Plan plan = MakePlan(e, diags);
  std::vector<Doc> docs;
  const std::string head = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n";
  for (const auto& ns : plan.namespaces) {
    std::string t = head + Metadata("rampart-default-deny", ns, "");
    t += "spec:\n  podSelector: {}\n  policyTypes:\n  - Ingress\n  - Egress\n";
    docs.push_back({ns, "rampart-default-deny", t});
    if (plan.dns_namespaces.contains(ns)) {
      std::string d = head + Metadata("rampart-allow-dns", ns, "");
      d += "spec:\n  podSelector: {}\n  policyTypes:\n  - Egress\n  egress:\n  - to:\n";
      d += "    - namespaceSelector:\n        matchLabels:\n"
           "          kubernetes.io/metadata.name: kube-system\n";
      d += "      podSelector:\n        matchLabels:\n          k8s-app: kube-dns\n";
      d += "    ports:\n    - protocol: UDP\n      port: 53\n    - protocol: TCP\n      port: 53\n";
      docs.push_back({ns, "rampart-allow-dns", d});
    }
  }
  for (const auto& in : plan.intents) {
    std::string t = head + Metadata(in.name, in.ns, in.flow);
    t += "spec:\n" + NpSelector(in.selector);
    t += std::string("  policyTypes:\n  - ") + (in.ingress ? "Ingress" : "Egress") + "\n";
    t += std::string("  ") + (in.ingress ? "ingress" : "egress") + ":\n";
    t += std::string("  - ") + (in.ingress ? "from" : "to") + ":\n";
    for (const auto& p : in.peers) t += NpPeer(p, 4);
    t += NpPorts(in.ports, 4);
    docs.push_back({in.ns, in.name, t});
  }
  return Header(e,
                "Kubernetes NetworkPolicy: default deny per namespace plus the estate's flows.") +
         Render(docs);
}

// ---- CiliumNetworkPolicy --------------------------------------------------

namespace {

std::string CiliumPorts(const std::vector<estate::PortRange>& ports, int indent) {
  std::string out = Indent(indent) + "toPorts:\n" + Indent(indent) + "- ports:\n";
  for (const auto& p : ports) {
    out += Indent(indent + 2) + "- port: \"" + std::to_string(p.first) + "\"\n";
    if (p.is_range()) out += Indent(indent + 4) + "endPort: " + std::to_string(p.last) + "\n";
    out += Indent(indent + 4) + "protocol: " + std::string(ProtocolName(p.protocol)) + "\n";
  }
  return out;
}

}  // namespace

std::string CompileCilium(const Estate& e, Diagnostics* diags) {
  Plan plan = MakePlan(e, diags);
  std::vector<Doc> docs;
  const std::string head = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n";
  for (const auto& ns : plan.namespaces) {
    // An empty rule selects no peer: it switches the selected endpoints to
    // default deny in that direction without allowing anything.
    std::string t = head + Metadata("rampart-default-deny", ns, "");
    t += "spec:\n  endpointSelector: {}\n  ingress:\n  - {}\n  egress:\n  - {}\n";
    docs.push_back({ns, "rampart-default-deny", t});
    if (plan.dns_namespaces.contains(ns)) {
      std::string d = head + Metadata("rampart-allow-dns", ns, "");
      d += "spec:\n  endpointSelector: {}\n  egress:\n  - toEndpoints:\n    - matchLabels:\n";
      d += "        k8s:io.kubernetes.pod.namespace: kube-system\n        k8s-app: kube-dns\n";
      d += "    toPorts:\n    - ports:\n      - port: \"53\"\n        protocol: UDP\n"
           "      - port: \"53\"\n        protocol: TCP\n";
      docs.push_back({ns, "rampart-allow-dns", d});
    }
  }
  for (const auto& in : plan.intents) {
    std::string t = head + Metadata(in.name, in.ns, in.flow);
    t += "spec:\n";
    if (in.selector.empty()) {
      t += "  endpointSelector: {}\n";
    } else {
      t += "  endpointSelector:\n    matchLabels:\n";
      for (const auto& [k, v] : in.selector) t += "      " + Q(k) + ": " + Q(v) + "\n";
    }
    t += std::string("  ") + (in.ingress ? "ingress" : "egress") + ":\n";
    std::vector<const PeerSpec*> pods, ips;
    for (const auto& p : in.peers) (p.pods ? pods : ips).push_back(&p);
    bool first = true;
    auto item = [&]() {
      std::string s = first ? "  - " : "    ";
      first = false;
      return s;
    };
    if (!pods.empty()) {
      t += item() + (in.ingress ? "fromEndpoints" : "toEndpoints") + ":\n";
      for (const auto* p : pods) {
        t += "    - matchLabels:\n";
        t += "        k8s:io.kubernetes.pod.namespace: " + Q(p->ns) + "\n";
        for (const auto& [k, v] : p->labels) t += "        " + Q(k) + ": " + Q(v) + "\n";
      }
    }
    if (!ips.empty()) {
      t += item() + (in.ingress ? "fromCIDRSet" : "toCIDRSet") + ":\n";
      for (const auto* p : ips) {
        t += "    - cidr: " + Q(p->ip.cidr) + "\n";
        if (!p->ip.except.empty()) {
          t += "      except:\n";
          for (const auto& x : p->ip.except) t += "      - " + Q(x) + "\n";
        }
      }
    }
    t += CiliumPorts(in.ports, 4);
    docs.push_back({in.ns, in.name, t});
  }
  return Header(e, "CiliumNetworkPolicy: default deny per namespace plus the estate's flows.") +
         Render(docs);
}

}  // namespace rampart::zones
