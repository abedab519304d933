#include "zones/manifest.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <unordered_map>

#include "core/file.h"
#include "core/net.h"
#include "core/yaml_doc.h"

namespace rampart::zones {
namespace {

namespace fs = std::filesystem;

// Kinds read from their pod template (or, for Pod, the pod itself).
const std::vector<std::string> kWorkloadKinds = {"Pod",       "Deployment", "StatefulSet",
                                                 "DaemonSet", "ReplicaSet", "ReplicationController",
                                                 "Job",       "CronJob"};

// Thrown inside one object's parse to abandon it; caught per object, never
// leaves this file.
struct Skip {
  SourceLocation where;
  std::string message;
  std::string hint;
};

class ObjectReader {
 public:
  ObjectReader(std::string file) : file_(std::move(file)) {}

  SourceLocation Loc(YamlNode n) const { return LocationOf(n, file_); }

  [[noreturn]] void Fail(YamlNode n, std::string message, std::string hint = "") const {
    throw Skip{Loc(n), std::move(message), std::move(hint)};
  }

  YamlNode Get(YamlNode map, const char* key) const { return map.Get(key); }
  static bool Present(YamlNode n) { return n.IsDefined() && !n.IsNull(); }

  YamlNode RequireMap(YamlNode n, std::string_view what) const {
    if (!n.IsMap())
      Fail(n, std::string(what) + " must be a mapping, not " + std::string(YamlTypeName(n)));
    return n;
  }
  std::string String(YamlNode n, std::string_view what) const {
    if (!n.IsScalar())
      Fail(n, std::string(what) + " must be a string, not " + std::string(YamlTypeName(n)));
    return std::string(n.Scalar());
  }
  std::vector<YamlNode> List(YamlNode n, std::string_view what) const {
    std::vector<YamlNode> out;
    if (!Present(n)) return out;
    if (!n.IsSequence())
      Fail(n, std::string(what) + " must be a list, not " + std::string(YamlTypeName(n)));
    for (YamlNode e : n.Elements()) out.push_back(e);
    return out;
  }
  std::int64_t Int(YamlNode n, std::string_view what) const {
    if (!n.IsScalar()) Fail(n, std::string(what) + " must be a number");
    std::string_view s = n.Scalar();
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) {
      Fail(n, std::string(what) + " '" + std::string(s) + "' is not a whole number");
    }
    return v;
  }
  bool IsIntScalar(YamlNode n) const {
    if (!n.IsScalar() || !n.IsPlain()) return false;  // quoted -> string
    std::string_view s = n.Scalar();
    if (s.empty()) return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || c == '-'; });
  }

  Labels ReadLabels(YamlNode n, std::string_view what) const {
    Labels out;
    if (!Present(n)) return out;
    RequireMap(n, what);
    for (auto [k, v] : n.Entries()) {
      if (!k.IsScalar() || !v.IsScalar()) {
        Fail(k, std::string(what) + ": keys and values must be strings");
      }
      out[std::string(k.Scalar())] = v.Scalar();
    }
    return out;
  }

  LabelSelector ReadSelector(YamlNode n, std::string_view what) const {
    LabelSelector sel;
    if (n.IsNull()) return sel;  // "podSelector:" with nothing is {} in Kubernetes
    RequireMap(n, what);
    for (auto [k, v] : n.Entries()) {
      std::string key(k.IsScalar() ? k.Scalar() : "");
      if (key != "matchLabels" && key != "matchExpressions") {
        Fail(k, std::string(what) + ": unknown field '" + key + "'",
             "a label selector has matchLabels and matchExpressions");
      }
    }
    sel.match_labels = ReadLabels(Get(n, "matchLabels"), std::string(what) + ".matchLabels");
    for (const auto& e :
         List(Get(n, "matchExpressions"), std::string(what) + ".matchExpressions")) {
      RequireMap(e, "a matchExpressions entry");
      LabelRequirement r;
      YamlNode key = Get(e, "key");
      if (!Present(key)) Fail(e, "matchExpressions entry has no 'key'");
      r.key = String(key, "matchExpressions key");
      if (r.key.empty()) Fail(key, "matchExpressions key is empty");
      YamlNode op = Get(e, "operator");
      if (!Present(op)) Fail(e, "matchExpressions entry has no 'operator'");
      std::string ops = String(op, "operator");
      if (ops == "In") {
        r.op = LabelRequirement::Op::kIn;
      } else if (ops == "NotIn") {
        r.op = LabelRequirement::Op::kNotIn;
      } else if (ops == "Exists") {
        r.op = LabelRequirement::Op::kExists;
      } else if (ops == "DoesNotExist") {
        r.op = LabelRequirement::Op::kDoesNotExist;
      } else {
        Fail(op, "unknown operator '" + ops + "'",
             DidYouMean(ops, {"In", "NotIn", "Exists", "DoesNotExist"}).empty()
                 ? "use In, NotIn, Exists or DoesNotExist"
                 : DidYouMean(ops, {"In", "NotIn", "Exists", "DoesNotExist"}));
      }
      YamlNode vals = Get(e, "values");
      for (const auto& v : List(vals, "values")) r.values.push_back(String(v, "a value"));
      bool set_op = r.op == LabelRequirement::Op::kIn || r.op == LabelRequirement::Op::kNotIn;
      if (set_op && r.values.empty()) {
        Fail(e, "operator " + ops + " needs a non-empty 'values' list");
      }
      if (!set_op && !r.values.empty()) {
        Fail(vals, "operator " + ops + " takes no 'values'");
      }
      std::sort(r.values.begin(), r.values.end());
      r.values.erase(std::unique(r.values.begin(), r.values.end()), r.values.end());
      sel.match_expressions.push_back(std::move(r));
    }
    return sel;
  }

  Protocol ReadProtocol(YamlNode n) const {
    if (!Present(n)) return Protocol::kTcp;
    std::string p = String(n, "protocol");
    if (p == "TCP") return Protocol::kTcp;
    if (p == "UDP") return Protocol::kUdp;
    if (p == "SCTP") return Protocol::kSctp;
    Fail(n, "unknown protocol '" + p + "'", "use TCP, UDP or SCTP (upper case)");
  }

  std::uint16_t ReadPortNumber(YamlNode n, std::string_view what) const {
    std::int64_t v = Int(n, what);
    if (v < 1 || v > 65535) {
      Fail(n, std::string(what) + " " + std::to_string(v) + " is out of range",
           "ports are 1-65535");
    }
    return static_cast<std::uint16_t>(v);
  }

  // containers[].ports, then the ports of sidecars (initContainers with
  // restartPolicy: Always, which keep running beside the app and can serve
  // named ports). A port without a valid containerPort is reported and left
  // out; the workload is still analysed.
  std::vector<ContainerPort> ReadPodPorts(YamlNode pod_spec) const {
    std::vector<ContainerPort> out;
    if (!Present(pod_spec)) return out;
    RequireMap(pod_spec, "pod spec");
    for (const char* key : {"containers", "initContainers"}) {
      bool init = std::string_view(key) == "initContainers";
      for (const auto& c : List(Get(pod_spec, key), key)) {
        RequireMap(c, "a container");
        if (init) {
          YamlNode rp = Get(c, "restartPolicy");
          if (!rp.IsScalar() || rp.Scalar() != "Always") continue;
        }
        for (const auto& p : List(Get(c, "ports"), "container ports")) {
          RequireMap(p, "a container port");
          ContainerPort cp;
          YamlNode num = Get(p, "containerPort");
          try {
            if (!Present(num)) {
              Fail(p, "container port has no containerPort",
                   "containerPort is required (mind its spelling and case)");
            }
            cp.port = ReadPortNumber(num, "containerPort");
            cp.protocol = ReadProtocol(Get(p, "protocol"));
          } catch (const Skip& s) {
            soft_.push_back(s);
            continue;
          }
          if (YamlNode name = Get(p, "name"); Present(name)) cp.name = String(name, "port name");
          out.push_back(cp);
        }
      }
    }
    return out;
  }

  // An IntOrString port: a number in 1-65535 or a name.
  PortRef ReadPortRef(YamlNode n, std::string_view what) const {
    PortRef r;
    if (!Present(n)) return r;
    if (IsIntScalar(n)) {
      std::int64_t v = Int(n, what);
      if (v == 0) return r;  // 0 is the API's "unset"
      if (v < 1 || v > 65535) {
        Fail(n, std::string(what) + " " + std::to_string(v) + " is out of range",
             "ports are 1-65535");
      }
      r.number = static_cast<std::uint16_t>(v);
    } else {
      r.name = String(n, what);
    }
    return r;
  }

  K8sService ReadService(YamlNode obj, const std::string& ns, const std::string& name) const {
    K8sService svc;
    svc.ns = ns;
    svc.name = name;
    svc.where = Loc(obj);
    YamlNode spec = Get(obj, "spec");
    if (!Present(spec)) return svc;
    RequireMap(spec, "spec");
    if (YamlNode sel = Get(spec, "selector"); Present(sel)) {
      Labels l = ReadLabels(sel, "spec.selector");
      // Kubernetes: an empty selector is no selector (endpoints managed by hand).
      if (!l.empty()) svc.selector = std::move(l);
    }
    for (const auto& p : List(Get(spec, "ports"), "spec.ports")) {
      RequireMap(p, "a service port");
      ServicePort sp;
      YamlNode num = Get(p, "port");
      if (!Present(num)) Fail(p, "service port has no 'port'");
      sp.port = ReadPortNumber(num, "port");
      sp.protocol = ReadProtocol(Get(p, "protocol"));
      if (YamlNode nm = Get(p, "name"); Present(nm)) sp.name = String(nm, "port name");
      sp.target = ReadPortRef(Get(p, "targetPort"), "targetPort");
      svc.ports.push_back(std::move(sp));
    }
    return svc;
  }

  // networking.k8s.io/v1 (backend.service.{name, port.{number|name}}) and the
  // older v1beta1 shape (backend.{serviceName, servicePort}).
  std::optional<IngressBackend> ReadIngressBackend(YamlNode b) const {
    if (!Present(b)) return std::nullopt;
    RequireMap(b, "an ingress backend");
    IngressBackend out;
    if (YamlNode svc = Get(b, "service"); Present(svc)) {
      RequireMap(svc, "backend.service");
      YamlNode nm = Get(svc, "name");
      if (!Present(nm)) Fail(svc, "backend.service has no 'name'");
      out.service = String(nm, "service name");
      if (YamlNode port = Get(svc, "port"); Present(port)) {
        RequireMap(port, "backend.service.port");
        if (YamlNode number = Get(port, "number"); Present(number)) {
          out.port.number = ReadPortNumber(number, "port number");
        } else if (YamlNode pname = Get(port, "name"); Present(pname)) {
          out.port.name = String(pname, "port name");
        }
      }
      return out;
    }
    if (YamlNode nm = Get(b, "serviceName"); Present(nm)) {
      out.service = String(nm, "serviceName");
      out.port = ReadPortRef(Get(b, "servicePort"), "servicePort");
      return out;
    }
    return std::nullopt;  // a resource backend: not a Service, nothing to analyse
  }

  IngressObject ReadIngress(YamlNode obj, const std::string& ns, const std::string& name) const {
    IngressObject ing;
    ing.kind = "Ingress";
    ing.ns = ns;
    ing.name = name;
    ing.where = Loc(obj);
    YamlNode spec = Get(obj, "spec");
    if (!Present(spec)) return ing;
    RequireMap(spec, "spec");
    for (const char* key : {"defaultBackend", "backend"}) {
      if (auto b = ReadIngressBackend(Get(spec, key))) ing.backends.push_back(std::move(*b));
    }
    for (const auto& rule : List(Get(spec, "rules"), "spec.rules")) {
      RequireMap(rule, "an ingress rule");
      YamlNode http = Get(rule, "http");
      if (!Present(http)) continue;
      RequireMap(http, "rule.http");
      for (const auto& path : List(Get(http, "paths"), "http.paths")) {
        RequireMap(path, "an ingress path");
        if (auto b = ReadIngressBackend(Get(path, "backend"))) {
          ing.backends.push_back(std::move(*b));
        }
      }
    }
    return ing;
  }

  IngressObject ReadRoute(YamlNode obj, const std::string& ns, const std::string& name) const {
    IngressObject rt;
    rt.kind = "Route";
    rt.ns = ns;
    rt.name = name;
    rt.where = Loc(obj);
    YamlNode spec = Get(obj, "spec");
    if (!Present(spec)) Fail(obj, "Route " + name + " has no spec");
    RequireMap(spec, "spec");
    PortRef port;
    if (YamlNode p = Get(spec, "port"); Present(p)) {
      RequireMap(p, "spec.port");
      port = ReadPortRef(Get(p, "targetPort"), "targetPort");
    }
    auto add = [&](YamlNode target, std::string_view what) {
      RequireMap(target, what);
      YamlNode kind = Get(target, "kind");
      // Only Services can be route targets.
      if (Present(kind) && String(kind, "target kind") != "Service") return;
      YamlNode nm = Get(target, "name");
      if (!Present(nm)) Fail(target, std::string(what) + " has no 'name'");
      rt.backends.push_back({String(nm, "target name"), port});
    };
    YamlNode to = Get(spec, "to");
    if (!Present(to)) Fail(spec, "Route " + name + " has no spec.to");
    add(to, "spec.to");
    for (const auto& b : List(Get(spec, "alternateBackends"), "spec.alternateBackends")) {
      add(b, "an alternate backend");
    }
    return rt;
  }

  PolicyPeer ReadPeer(YamlNode n) const {
    RequireMap(n, "a policy peer");
    PolicyPeer peer;
    YamlNode ps = Get(n, "podSelector"), ns = Get(n, "namespaceSelector"), ip = Get(n, "ipBlock");
    for (auto [k, v] : n.Entries()) {
      std::string key(k.IsScalar() ? k.Scalar() : "");
      if (key != "podSelector" && key != "namespaceSelector" && key != "ipBlock") {
        Fail(k, "unknown peer field '" + key + "'",
             DidYouMean(key, {"podSelector", "namespaceSelector", "ipBlock"}));
      }
    }
    if (ps.IsDefined()) peer.pod_selector = ReadSelector(ps, "podSelector");
    if (ns.IsDefined()) peer.namespace_selector = ReadSelector(ns, "namespaceSelector");
    if (ip.IsDefined()) {
      if (ps.IsDefined() || ns.IsDefined()) {
        Fail(ip, "ipBlock cannot be combined with podSelector or namespaceSelector in one peer",
             "write them as two list entries");
      }
      RequireMap(ip, "ipBlock");
      YamlNode cidr = Get(ip, "cidr");
      if (!Present(cidr)) Fail(ip, "ipBlock has no 'cidr'");
      auto c = Cidr::Parse(String(cidr, "cidr"));
      if (!c) Fail(cidr, "malformed cidr: " + c.error().message());
      peer.ip_text = c->ToString();
      if (c->address.v6) {
        // IPv6 blocks select no IPv4 address; the analysis is IPv4 (documented).
        peer.ip_block = IpSet();
        peer.ip_text += " (IPv6, not analysed)";
        return peer;
      }
      IpSet set = IpSet::FromCidr(*c);
      std::vector<std::string> excepts;
      for (const auto& e : List(Get(ip, "except"), "except")) {
        auto x = Cidr::Parse(String(e, "except entry"));
        if (!x) Fail(e, "malformed except cidr: " + x.error().message());
        if (x->address.v6 || !c->Contains(*x)) {
          Fail(e, "except " + x->ToString() + " is not inside cidr " + c->ToString(),
               "every except block must lie within the ipBlock's cidr");
        }
        set = set.Subtract(IpSet::FromCidr(*x));
        excepts.push_back(x->ToString());
      }
      if (!excepts.empty()) {
        peer.ip_text += " except ";
        for (std::size_t i = 0; i < excepts.size(); ++i) {
          peer.ip_text += (i ? "," : "") + excepts[i];
        }
      }
      peer.ip_block = std::move(set);
    } else if (!ps.IsDefined() && !ns.IsDefined()) {
      Fail(n, "a peer needs podSelector, namespaceSelector or ipBlock");
    }
    return peer;
  }

  PolicyPort ReadPolicyPort(YamlNode n) const {
    RequireMap(n, "a policy port");
    PolicyPort pp;
    pp.protocol = ReadProtocol(Get(n, "protocol"));
    YamlNode port = Get(n, "port"), end = Get(n, "endPort");
    if (Present(port)) {
      if (IsIntScalar(port)) {
        pp.port = ReadPortNumber(port, "port");
      } else {
        pp.name = String(port, "port");
        bool valid = !pp.name.empty() && pp.name.size() <= 15 &&
                     std::any_of(pp.name.begin(), pp.name.end(),
                                 [](char c) { return c >= 'a' && c <= 'z'; }) &&
                     std::all_of(pp.name.begin(), pp.name.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                     });
        if (!valid) {
          Fail(port, "port '" + pp.name + "' is neither a number in 1-65535 nor a valid port name",
               "a named port is lowercase letters, digits and '-', at most 15 characters");
        }
      }
    }
    if (Present(end)) {
      if (!pp.port) Fail(end, "endPort needs a numeric port");
      pp.end_port = ReadPortNumber(end, "endPort");
      if (*pp.end_port < *pp.port) {
        Fail(end, "endPort " + std::to_string(*pp.end_port) + " is below port " +
                      std::to_string(*pp.port));
      }
    }
    return pp;
  }

  std::vector<PolicyRule> ReadRules(YamlNode n, const char* peers_key,
                                    std::string_view what) const {
    std::vector<PolicyRule> out;
    for (const auto& r : List(n, what)) {
      PolicyRule rule;
      rule.where = Loc(r);
      if (r.IsNull()) {  // "- {}" written as "-": allow all
        out.push_back(rule);
        continue;
      }
      RequireMap(r, std::string(what) + " rule");
      for (auto [k, v] : r.Entries()) {
        std::string key(k.IsScalar() ? k.Scalar() : "");
        if (key != peers_key && key != "ports") {
          Fail(k, "unknown field '" + key + "' in " + std::string(what) + " rule",
               DidYouMean(key, {peers_key, "ports"}));
        }
      }
      auto peers = List(Get(r, peers_key), peers_key);
      rule.all_peers = peers.empty();
      for (const auto& p : peers) rule.peers.push_back(ReadPeer(p));
      for (const auto& p : List(Get(r, "ports"), "ports")) rule.ports.push_back(ReadPolicyPort(p));
      out.push_back(std::move(rule));
    }
    return out;
  }

  NetworkPolicy ReadPolicy(YamlNode obj, const std::string& ns, const std::string& name) const {
    NetworkPolicy np;
    np.ns = ns;
    np.name = name;
    np.where = Loc(obj);
    YamlNode spec = Get(obj, "spec");
    if (!Present(spec)) Fail(obj, "NetworkPolicy " + name + " has no spec");
    RequireMap(spec, "spec");
    YamlNode ps = Get(spec, "podSelector");
    if (!ps.IsDefined()) {
      Fail(spec, "NetworkPolicy " + name + " has no spec.podSelector",
           "write podSelector: {} to select every pod in the namespace");
    }
    np.pod_selector = ReadSelector(ps, "podSelector");
    YamlNode in = Get(spec, "ingress"), eg = Get(spec, "egress"), types = Get(spec, "policyTypes");
    np.ingress = ReadRules(in, "from", "ingress");
    np.egress = ReadRules(eg, "to", "egress");
    if (Present(types)) {
      np.ingress_type = np.egress_type = false;
      for (const auto& t : List(types, "policyTypes")) {
        std::string s = String(t, "policy type");
        if (s == "Ingress") {
          np.ingress_type = true;
        } else if (s == "Egress") {
          np.egress_type = true;
        } else {
          Fail(t, "unknown policy type '" + s + "'", "use Ingress or Egress");
        }
      }
    } else {
      // Kubernetes default: Ingress always; Egress when the policy has egress rules.
      np.ingress_type = true;
      np.egress_type = Present(eg) && eg.IsSequence() && eg.size() > 0;
    }
    for (auto [k, v] : spec.Entries()) {
      std::string key(k.IsScalar() ? k.Scalar() : "");
      if (key != "podSelector" && key != "ingress" && key != "egress" && key != "policyTypes") {
        Fail(k, "unknown field '" + key + "' in NetworkPolicy spec",
             DidYouMean(key, {"podSelector", "ingress", "egress", "policyTypes"}));
      }
    }
    return np;
  }

  // Problems that drop a part of an object (a container port) but not the
  // object; the parser reports them after the object is read.
  mutable std::vector<Skip> soft_;
  std::string file_;
};

bool IsWorkloadKind(std::string_view kind) {
  return std::find(kWorkloadKinds.begin(), kWorkloadKinds.end(), kind) != kWorkloadKinds.end();
}

bool IsReadKind(std::string_view kind) {
  return kind == "Namespace" || kind == "NetworkPolicy" || kind == "Service" || kind == "Ingress" ||
         kind == "Route" || IsWorkloadKind(kind);
}

bool IsListKind(std::string_view kind) { return kind.ends_with("List"); }

// The kind of the items of a list kind: "PodList" -> "Pod"; "List" -> "".
std::string ItemKind(std::string_view list_kind) {
  return std::string(list_kind.substr(0, list_kind.size() - 4));
}

class Parser {
 public:
  Parser(const std::string& file, Cluster* cluster, Diagnostics* diags,
         const ManifestLimits& limits)
      : r_(file), file_(file), cluster_(cluster), diags_(diags), limits_(limits) {}

  // `item_kind`: the kind a List gives its items that carry none ("" at the
  // top level and inside a plain `List`).
  void Object(YamlNode obj, int depth, const std::string& item_kind = "") {
    if (++objects_ > limits_.max_objects) {
      if (objects_ == limits_.max_objects + 1) {
        diags_->Error(r_.Loc(obj), "zones.limit",
                      "more than " + std::to_string(limits_.max_objects) +
                          " objects; the rest of the file is skipped");
        cluster_->skipped.push_back(file_ + ": objects beyond the limit");
      }
      return;
    }
    if (obj.IsNull()) return;  // empty document
    if (!obj.IsMap()) {
      Skipped(r_.Loc(obj), "a manifest must be a mapping, not " + std::string(YamlTypeName(obj)),
              "", Severity::kError);
      return;
    }
    YamlNode kind_n = r_.Get(obj, "kind");
    std::string kind(kind_n.IsScalar() ? kind_n.Scalar() : "");
    if (kind.empty()) kind = item_kind;
    if (kind.empty()) {
      Skipped(r_.Loc(obj), depth > 0 ? "List item has no 'kind'" : "object has no 'kind'",
              depth > 0 ? "give the item a kind, or use a typed list such as PodList" : "",
              Severity::kError);
      return;
    }
    if (IsListKind(kind)) {
      List(obj, depth, kind);
      return;
    }
    YamlNode meta = r_.Get(obj, "metadata");
    YamlNode name_n = r_.Get(meta, "name");
    std::string name(name_n.IsScalar() ? name_n.Scalar() : "");
    YamlNode ns_n = r_.Get(meta, "namespace");
    std::string ns(ns_n.IsScalar() && !ns_n.Scalar().empty() ? ns_n.Scalar() : "default");
    if (!IsReadKind(kind)) {
      Skipped(r_.Loc(obj), "skipped " + kind + " '" + name + "': not a kind the analysis reads", "",
              Severity::kNote);
      return;
    }
    if (name.empty()) {
      Skipped(r_.Loc(obj), kind + " has no metadata.name", "", Severity::kError);
      return;
    }
    try {
      if (kind == "Namespace") {
        Namespace n;
        n.name = name;
        n.labels = r_.ReadLabels(r_.Get(meta, "labels"), "metadata.labels");
        n.labels["kubernetes.io/metadata.name"] = name;
        n.where = r_.Loc(obj);
        cluster_->namespaces.push_back(std::move(n));
      } else if (kind == "NetworkPolicy") {
        cluster_->policies.push_back(r_.ReadPolicy(obj, ns, name));
      } else if (kind == "Service") {
        cluster_->services.push_back(r_.ReadService(obj, ns, name));
      } else if (kind == "Ingress") {
        cluster_->ingresses.push_back(r_.ReadIngress(obj, ns, name));
      } else if (kind == "Route") {
        cluster_->ingresses.push_back(r_.ReadRoute(obj, ns, name));
      } else {
        cluster_->workloads.push_back(ReadWorkload(obj, kind, ns, name));
      }
    } catch (const Skip& s) {
      r_.soft_.clear();
      diags_->Error(s.where, "zones.manifest",
                    kind + " " + ns + "/" + name + ": " + s.message + "; the object is skipped",
                    s.hint);
      cluster_->skipped.push_back(s.where.ToString() + ": " + kind + " " + ns + "/" + name + " (" +
                                  s.message + ")");
    }
    for (const Skip& s : r_.soft_) {
      diags_->Error(s.where, "zones.manifest",
                    kind + " " + ns + "/" + name + ": " + s.message + "; the port is ignored",
                    s.hint);
      cluster_->skipped.push_back(s.where.ToString() + ": a container port of " + kind + " " + ns +
                                  "/" + name + " (" + s.message + ")");
    }
    r_.soft_.clear();
  }

 private:
  // A List's items take its item kind when they carry none. Items of a typed
  // list of a kind the analysis does not read get one note for the list.
  void List(YamlNode obj, int depth, const std::string& kind) {
    YamlNode items = r_.Get(obj, "items");
    if (depth > 4 || !(items.IsSequence() || items.IsNull())) {
      Skipped(r_.Loc(obj), kind + " without an 'items' list", "", Severity::kError);
      return;
    }
    std::string item_kind = ItemKind(kind);
    if (!item_kind.empty() && !IsReadKind(item_kind) && !IsListKind(item_kind)) {
      std::size_t n = 0;
      for (YamlNode it : items.Elements()) {
        YamlNode k = r_.Get(it, "kind");
        if (k.IsScalar() && !k.Scalar().empty() && k.Scalar() != item_kind) {
          Object(it, depth + 1, "");
        } else {
          ++n;
        }
      }
      if (n > 0) {
        Skipped(r_.Loc(obj),
                "skipped " + kind + " (" + std::to_string(n) + " item(s) of kind " + item_kind +
                    "): not a kind the analysis reads",
                "", Severity::kNote);
      }
      return;
    }
    for (YamlNode it : items.Elements()) Object(it, depth + 1, item_kind);
  }

  Workload ReadWorkload(YamlNode obj, const std::string& kind, const std::string& ns,
                        const std::string& name) {
    Workload w;
    w.ns = ns;
    w.name = name;
    w.kind = kind;
    w.where = r_.Loc(obj);
    YamlNode meta = r_.Get(obj, "metadata");
    YamlNode spec = r_.Get(obj, "spec");
    if (kind == "Pod") {
      w.pod = name;
      w.labels = r_.ReadLabels(r_.Get(meta, "labels"), "metadata.labels");
      w.ports = r_.ReadPodPorts(spec);
      ReadOwner(meta, &w);
      return w;
    }
    YamlNode tmpl;
    if (kind == "CronJob") {
      tmpl = r_.Get(r_.Get(r_.Get(spec, "jobTemplate"), "spec"), "template");
    } else {
      tmpl = r_.Get(spec, "template");
    }
    if (!IsMapping(tmpl)) r_.Fail(obj, kind + " has no pod template (spec.template)");
    w.labels =
        r_.ReadLabels(r_.Get(r_.Get(tmpl, "metadata"), "labels"), "template.metadata.labels");
    w.ports = r_.ReadPodPorts(r_.Get(tmpl, "spec"));
    return w;
  }

  // A Pod controlled by a workload (ownerReferences entry with controller:
  // true) is named after it: `ns/<owner>[<owner kind>]`. A Node "owns" static
  // pods but is no workload: those stay Pods.
  void ReadOwner(YamlNode meta, Workload* w) const {
    for (const auto& ref : r_.List(r_.Get(meta, "ownerReferences"), "metadata.ownerReferences")) {
      r_.RequireMap(ref, "an ownerReferences entry");
      YamlNode ctl = r_.Get(ref, "controller");
      if (!ctl.IsScalar() || ctl.Scalar() != "true") continue;
      YamlNode kind = r_.Get(ref, "kind"), name = r_.Get(ref, "name");
      if (!kind.IsScalar() || !name.IsScalar() || kind.Scalar().empty() || name.Scalar().empty()) {
        r_.Fail(ref, "the controlling ownerReference needs a kind and a name");
      }
      if (kind.Scalar() != "Node") {
        w->kind = std::string(kind.Scalar());
        w->name = std::string(name.Scalar());
      }
      return;
    }
  }

  static bool IsMapping(YamlNode n) { return n.IsDefined() && n.IsMap(); }

  void Skipped(SourceLocation where, std::string message, std::string hint, Severity sev) {
    Diagnostic d;
    d.severity = sev;
    d.location = where;
    d.code = sev == Severity::kNote ? "zones.unknown-kind" : "zones.manifest";
    d.message = message;
    d.hint = std::move(hint);
    diags_->Add(std::move(d));
    cluster_->skipped.push_back(where.ToString() + ": " + message);
  }

  ObjectReader r_;
  std::string file_;
  Cluster* cluster_;
  Diagnostics* diags_;
  ManifestLimits limits_;
  std::size_t objects_ = 0;
};

// True when some document looks like a Kubernetes object (a mapping with
// `kind` or `apiVersion`): the file is meant as manifests.
bool HasKubernetesObject(const std::vector<YamlNode>& docs) {
  for (YamlNode d : docs) {
    for (auto [k, v] : d.Entries()) {
      if (k.IsScalar() && (k.Scalar() == "kind" || k.Scalar() == "apiVersion")) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

bool LabelSelector::Matches(const Labels& labels) const {
  for (const auto& [k, v] : match_labels) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  for (const auto& r : match_expressions) {
    auto it = labels.find(r.key);
    bool has = it != labels.end();
    switch (r.op) {
      case LabelRequirement::Op::kIn:
        if (!has || !std::binary_search(r.values.begin(), r.values.end(), it->second)) {
          return false;
        }
        break;
      case LabelRequirement::Op::kNotIn:
        // Kubernetes: NotIn also matches objects without the key.
        if (has && std::binary_search(r.values.begin(), r.values.end(), it->second)) {
          return false;
        }
        break;
      case LabelRequirement::Op::kExists:
        if (!has) return false;
        break;
      case LabelRequirement::Op::kDoesNotExist:
        if (has) return false;
        break;
    }
  }
  return true;
}

std::string LabelSelector::ToString() const {
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
  for (const auto& [k, v] : match_labels) add(k + "=" + v);
  for (const auto& r : match_expressions) {
    std::string vals;
    for (const auto& v : r.values) vals += (vals.empty() ? "" : ",") + v;
    switch (r.op) {
      case LabelRequirement::Op::kIn:
        add(r.key + " in (" + vals + ")");
        break;
      case LabelRequirement::Op::kNotIn:
        add(r.key + " notin (" + vals + ")");
        break;
      case LabelRequirement::Op::kExists:
        add(r.key);
        break;
      case LabelRequirement::Op::kDoesNotExist:
        add("!" + r.key);
        break;
    }
  }
  return "{" + out + "}";
}

std::string PolicyPort::ToString() const {
  std::string out(ProtocolName(protocol));
  if (port) {
    out += " " + std::to_string(*port);
    if (end_port && *end_port != *port) out += "-" + std::to_string(*end_port);
  } else if (!name.empty()) {
    out += " " + name;
  }
  return out;
}

std::string PolicyPeer::ToString() const {
  if (ip_block) return "ipBlock " + ip_text;
  std::string out;
  if (namespace_selector) out += "namespaceSelector " + namespace_selector->ToString();
  if (pod_selector)
    out += std::string(out.empty() ? "" : " ") + "podSelector " + pod_selector->ToString();
  return out;
}

void ParseManifests(std::string_view text, const std::string& file, Cluster* cluster,
                    Diagnostics* diags, const ManifestLimits& limits) {
  if (text.size() > limits.max_file_bytes) {
    diags->Error(
        {file, 0, 0}, "zones.limit",
        "file is larger than " + std::to_string(limits.max_file_bytes) + " bytes; skipped");
    cluster->skipped.push_back(file + ": too large");
    return;
  }
  auto stream = ParseYamlStream(text, file);
  if (!stream) {
    // ParseYamlStream's message is "file:line:col: what"; split the position off.
    std::string msg = stream.error().message();
    SourceLocation where{file, 0, 0};
    if (msg.rfind(file + ":", 0) == 0) {
      std::string rest = msg.substr(file.size() + 1);
      int line = 0, col = 0;
      auto p1 = std::from_chars(rest.data(), rest.data() + rest.size(), line);
      if (p1.ec == std::errc() && *p1.ptr == ':') {
        const char* c = p1.ptr + 1;
        auto p2 = std::from_chars(c, rest.data() + rest.size(), col);
        if (p2.ec == std::errc() && *p2.ptr == ':') {
          where.line = line;
          where.column = col;
          msg = std::string(p2.ptr + 1);
          while (!msg.empty() && msg.front() == ' ') msg.erase(0, 1);
        }
      }
    }
    diags->Error(where, "zones.yaml", "not valid YAML: " + msg + "; the whole file is skipped",
                 "fix the syntax; the other files are still analysed");
    cluster->skipped.push_back(file + ": not valid YAML");
    return;
  }
  const std::vector<YamlNode>& docs = stream->documents();
  if (!HasKubernetesObject(docs)) {
    bool empty = std::all_of(docs.begin(), docs.end(), [](YamlNode d) { return d.IsNull(); });
    if (!empty) {
      // Other YAML and JSON beside the manifests (values files, outputs of
      // other tools) is no input to the analysis, and no error either.
      diags->Note(LocationOf(docs.front(), file), "zones.not-manifest",
                  "not a Kubernetes manifest (no document has a kind or apiVersion); skipped");
      cluster->skipped.push_back(file + ": not a Kubernetes manifest");
    }
    return;
  }
  Parser p(file, cluster, diags, limits);
  for (YamlNode d : docs) p.Object(d, 0);
}

void CompleteNamespaces(Cluster* cluster) {
  std::set<std::string> have;
  for (auto& n : cluster->namespaces) have.insert(n.name);
  std::set<std::string> want;
  for (const auto& w : cluster->workloads) want.insert(w.ns);
  for (const auto& p : cluster->policies) want.insert(p.ns);
  for (const auto& n : want) {
    if (have.contains(n)) continue;
    Namespace ns;
    ns.name = n;
    ns.labels["kubernetes.io/metadata.name"] = n;
    cluster->namespaces.push_back(std::move(ns));
  }
}

namespace {

// Whether some selector of the cluster that can see pods of namespace `ns`
// matches exactly one of `a` and `b`.
std::string SelectorTellingApart(const Cluster& c, const std::string& ns, const Labels& a,
                                 const Labels& b) {
  auto differs = [&](const LabelSelector& s) { return s.Matches(a) != s.Matches(b); };
  for (const auto& p : c.policies) {
    if (p.ns == ns && differs(p.pod_selector)) {
      return "policy " + p.Id() + " selects pods by " + p.pod_selector.ToString();
    }
    for (const auto* rules : {&p.ingress, &p.egress}) {
      for (const auto& r : *rules) {
        for (const auto& peer : r.peers) {
          if (peer.pod_selector && differs(*peer.pod_selector)) {
            return "a rule of policy " + p.Id() + " selects pods by " +
                   peer.pod_selector->ToString();
          }
        }
      }
    }
  }
  for (const auto& s : c.services) {
    if (s.ns != ns || !s.selector) continue;
    LabelSelector sel;
    sel.match_labels = *s.selector;
    if (differs(sel)) return "Service " + s.ns + "/" + s.name + " selects " + sel.ToString();
  }
  return "";
}

}  // namespace

void MergeOwnedPods(Cluster* cluster, Diagnostics* diags) {
  std::unordered_map<std::string, std::size_t> first;
  std::vector<Workload> out;
  out.reserve(cluster->workloads.size());
  for (auto& w : cluster->workloads) {
    std::string id = w.Id();
    auto [it, inserted] = first.emplace(id, out.size());
    if (inserted) {
      out.push_back(std::move(w));
      continue;
    }
    const Workload& kept = out[it->second];
    if (kept.labels == w.labels) continue;
    std::string why = SelectorTellingApart(*cluster, w.ns, kept.labels, w.labels);
    if (why.empty()) continue;
    auto what = [](const Workload& x) {
      return x.pod.empty() ? x.kind + " " + x.ns + "/" + x.name : "Pod " + x.ns + "/" + x.pod;
    };
    diags->Error(w.where, "zones.ambiguous-workload",
                 what(w) + " and " + what(kept) + " (" + kept.where.ToString() + ") are both " +
                     id + " but have different labels, and " + why +
                     "; the analysis uses the labels of the first",
                 "give the pods of one owner the same labels, or analyse them separately");
    cluster->skipped.push_back(w.where.ToString() + ": " + what(w) + " (labels differ from " +
                               what(kept) + ")");
  }
  cluster->workloads = std::move(out);
}

Result<Cluster> LoadManifests(const std::vector<fs::path>& paths, Diagnostics* diags,
                              const ManifestLimits& limits) {
  std::vector<fs::path> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::exists(p, ec)) return NotFoundError(p.string() + ": no such file or directory");
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        auto ext = it->path().extension();
        if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json")) {
          found.push_back(it->path());
        }
      }
      if (ec) return InvalidArgumentError(p.string() + ": cannot list directory: " + ec.message());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(p);
    }
  }
  Cluster cluster;
  for (const auto& f : files) {
    auto text = ReadFile(f, limits.max_file_bytes);
    if (!text) {
      diags->Error({f.string(), 0, 0}, "zones.read", text.error().message());
      cluster.skipped.push_back(f.string() + ": unreadable");
      continue;
    }
    ParseManifests(*text, f.string(), &cluster, diags, limits);
  }
  MergeOwnedPods(&cluster, diags);
  CompleteNamespaces(&cluster);
  return cluster;
}

}  // namespace rampart::zones
