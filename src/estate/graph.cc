#include "estate/graph.h"

#include <boost/json.hpp>

namespace rampart::estate {
namespace {

namespace json = boost::json;

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::array Ports(const std::vector<PortRange>& v) {
  json::array a;
  for (const auto& p : v) a.emplace_back(p.ToString());
  return a;
}

json::array Cidrs(const std::vector<Cidr>& v) {
  json::array a;
  for (const auto& c : v) a.emplace_back(c.ToString());
  return a;
}

json::object Kubernetes(const KubernetesSelector& k) {
  json::object o;
  o["namespaces"] = Strings(k.namespaces);
  json::object sel;
  for (const auto& [key, val] : k.pod_labels) sel[key] = val;
  o["selector"] = std::move(sel);
  return o;
}

std::string PortsText(const std::vector<PortRange>& v) {
  std::string s;
  for (const auto& p : v) s += (s.empty() ? "" : ",") + p.ToString();
  return s;
}

// DOT identifiers are quoted; escape what DOT treats specially.
std::string Q(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";  // DOT's line break inside a label
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

boost::json::value ToJson(const Estate& e) {
  json::object root;
  root["version"] = 1;
  root["name"] = e.name;
  json::array zones;
  for (const auto& z : e.zones) {
    json::object o;
    o["name"] = z.name;
    o["kind"] = ToString(z.kind);
    o["cidrs"] = Cidrs(z.cidrs);
    o["kubernetes"] = Kubernetes(z.kubernetes);
    o["routable"] = z.routable;
    o["dns"] = z.dns;
    if (!z.description.empty()) o["description"] = z.description;
    zones.push_back(std::move(o));
  }
  root["zones"] = std::move(zones);
  json::array assets;
  for (const auto& a : e.assets) {
    json::object o;
    o["name"] = a.name;
    o["kind"] = ToString(a.kind);
    o["zone"] = a.zone;
    if (!a.service.empty()) o["service"] = a.service;
    o["classification"] = ToString(a.classification);
    o["regulated"] = Strings(a.regulated);
    o["crown_jewel"] = a.crown_jewel;
    if (!a.description.empty()) o["description"] = a.description;
    assets.push_back(std::move(o));
  }
  root["assets"] = std::move(assets);
  json::array services;
  for (const auto& s : e.services) {
    json::object o;
    o["name"] = s.name;
    o["zone"] = s.zone;
    o["kind"] = ToString(s.kind);
    o["ports"] = Ports(s.ports);
    o["exposure"] = ToString(s.exposure);
    if (s.inference) {
      json::object inf;
      inf["protocol"] = ToString(s.inference->protocol);
      inf["models"] = Strings(s.inference->models);
      o["inference"] = std::move(inf);
    }
    if (!s.upstream.empty()) o["upstream"] = s.upstream;
    o["addresses"] = Cidrs(s.addresses);
    o["kubernetes"] = Kubernetes(s.kubernetes);
    if (!s.identity.empty()) o["identity"] = s.identity;
    if (!s.description.empty()) o["description"] = s.description;
    services.push_back(std::move(o));
  }
  root["services"] = std::move(services);
  json::array identities;
  for (const auto& i : e.identities) {
    json::object o;
    o["name"] = i.name;
    o["kind"] = ToString(i.kind);
    o["roles"] = Strings(i.roles);
    if (!i.spiffe_id.empty()) o["spiffe_id"] = i.spiffe_id;
    if (!i.description.empty()) o["description"] = i.description;
    identities.push_back(std::move(o));
  }
  root["identities"] = std::move(identities);
  json::array flows;
  for (const auto& f : e.flows) {
    json::object o;
    o["name"] = f.name;
    o["from"] = f.from;
    o["from_kind"] = f.from_kind == EndpointKind::kZone ? "zone" : "service";
    o["to"] = f.to;
    o["to_kind"] = f.to_kind == EndpointKind::kZone ? "zone" : "service";
    o["ports"] = Ports(f.ports);
    if (!f.identity.empty()) o["identity"] = f.identity;
    if (!f.purpose.empty()) o["purpose"] = f.purpose;
    flows.push_back(std::move(o));
  }
  root["flows"] = std::move(flows);
  json::array sections;
  for (const auto& [name, sec] : e.sections) sections.emplace_back(name);
  root["sections"] = std::move(sections);
  return root;
}

std::string ToText(const Estate& e) {
  std::string out;
  out += "estate " + (e.name.empty() ? std::string("(unnamed)") : e.name) + "\n";
  for (const auto& z : e.zones) {
    out += "\nzone " + z.name + " (" + std::string(ToString(z.kind)) + ")";
    out += z.routable ? " routable" : " non-routable";
    out += "\n";
    if (!z.cidrs.empty()) {
      out += "  cidrs:";
      for (const auto& c : z.cidrs) out += " " + c.ToString();
      out += "\n";
    }
    if (!z.kubernetes.namespaces.empty()) {
      out += "  namespaces:";
      for (const auto& n : z.kubernetes.namespaces) out += " " + n;
      out += "\n";
    }
    for (const Service* s : e.ServicesInZone(z.name)) {
      out += "  service " + s->name + " [" + std::string(ToString(s->kind)) + "]";
      if (!s->ports.empty()) out += " " + PortsText(s->ports);
      if (s->exposure == Exposure::kInternet) out += " EXPOSED";
      if (s->inference) out += " protocol=" + std::string(ToString(s->inference->protocol));
      out += "\n";
    }
    for (const auto& a : e.assets) {
      if (a.zone != z.name) continue;
      out += "  asset " + a.name + " [" + std::string(ToString(a.kind)) + ", " +
             std::string(ToString(a.classification));
      for (const auto& r : a.regulated) out += " " + r;
      out += "]";
      if (!a.service.empty()) out += " in " + a.service;
      if (a.crown_jewel) out += " CROWN-JEWEL";
      out += "\n";
    }
  }
  if (!e.identities.empty()) out += "\nidentities\n";
  for (const auto& i : e.identities) {
    out += "  " + i.name + " (" + std::string(ToString(i.kind)) + ")";
    if (!i.roles.empty()) {
      out += " roles:";
      for (const auto& r : i.roles) out += " " + r;
    }
    out += "\n";
  }
  if (!e.flows.empty()) out += "\nflows\n";
  for (const auto& f : e.flows) {
    out += "  " + f.name + ": " + f.from + " -> " + f.to + " " + PortsText(f.ports);
    if (!f.identity.empty()) out += " as " + f.identity;
    if (!f.purpose.empty()) out += "  # " + f.purpose;
    out += "\n";
  }
  return out;
}

std::string GraphDot(const Estate& e) {
  std::string out;
  out += "digraph " + Q(e.name.empty() ? "estate" : e.name) + " {\n";
  out += "  rankdir=LR;\n  compound=true;\n  node [fontname=\"Helvetica\"];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=10];\n";
  for (const auto& z : e.zones) {
    out += "  subgraph " + Q("cluster_" + z.name) + " {\n";
    out += "    label=" + Q(z.name + " (" + std::string(ToString(z.kind)) + ")") + ";\n";
    out += z.routable ? "    style=\"rounded,bold\";\n" : "    style=rounded;\n";
    // An anchor node so flows to/from the zone itself have an end.
    out += "    " + Q("zone:" + z.name) + " [label=" + Q(z.name) + ", shape=point, width=0.1];\n";
    for (const Service* s : e.ServicesInZone(z.name)) {
      std::string label = s->name + "\n" + std::string(ToString(s->kind));
      if (!s->ports.empty()) label += " " + PortsText(s->ports);
      bool jewel = false;
      for (const Asset* a : e.AssetsOfService(s->name)) jewel |= a->crown_jewel;
      out += "    " + Q("service:" + s->name) + " [label=" + Q(label) + ", shape=box";
      if (s->exposure == Exposure::kInternet) out += ", style=filled, fillcolor=\"#ffe0b2\"";
      if (jewel) out += ", color=red, penwidth=2";
      out += "];\n";
    }
    for (const auto& a : e.assets) {
      if (a.zone != z.name) continue;
      std::string label = a.name + "\n" + std::string(ToString(a.kind)) + ", " +
                          std::string(ToString(a.classification));
      for (const auto& r : a.regulated) label += " " + r;
      if (a.crown_jewel) label += "\ncrown jewel";
      out += "    " + Q("asset:" + a.name) + " [label=" + Q(label) + ", shape=cylinder";
      if (a.crown_jewel) out += ", color=red, fontcolor=red, peripheries=2, penwidth=2";
      out += "];\n";
    }
    out += "  }\n";
  }
  for (const auto& a : e.assets) {
    if (a.service.empty()) continue;
    out += "  " + Q("service:" + a.service) + " -> " + Q("asset:" + a.name) +
           " [style=dashed, arrowhead=none, label=\"stores\"];\n";
  }
  for (const auto& f : e.flows) {
    std::string from = (f.from_kind == EndpointKind::kZone ? "zone:" : "service:") + f.from;
    std::string to = (f.to_kind == EndpointKind::kZone ? "zone:" : "service:") + f.to;
    std::string label = f.name + "\n" + PortsText(f.ports);
    out += "  " + Q(from) + " -> " + Q(to) + " [label=" + Q(label) + "];\n";
  }
  out += "}\n";
  return out;
}

boost::json::value GraphJson(const Estate& e) {
  json::object root;
  json::array zones, nodes, edges;
  for (const auto& z : e.zones) {
    json::object o;
    o["id"] = "zone:" + z.name;
    o["name"] = z.name;
    o["kind"] = ToString(z.kind);
    o["routable"] = z.routable;
    zones.push_back(std::move(o));
  }
  for (const auto& s : e.services) {
    bool jewel = false;
    for (const Asset* a : e.AssetsOfService(s.name)) jewel |= a->crown_jewel;
    json::object o;
    o["id"] = "service:" + s.name;
    o["type"] = "service";
    o["name"] = s.name;
    o["kind"] = ToString(s.kind);
    o["zone"] = s.zone;
    o["exposed"] = s.exposure == Exposure::kInternet;
    o["holds_crown_jewel"] = jewel;
    o["ports"] = Ports(s.ports);
    nodes.push_back(std::move(o));
  }
  for (const auto& a : e.assets) {
    json::object o;
    o["id"] = "asset:" + a.name;
    o["type"] = "asset";
    o["name"] = a.name;
    o["kind"] = ToString(a.kind);
    o["zone"] = a.zone;
    o["classification"] = ToString(a.classification);
    o["regulated"] = Strings(a.regulated);
    o["crown_jewel"] = a.crown_jewel;
    nodes.push_back(std::move(o));
  }
  for (const auto& a : e.assets) {
    if (a.service.empty()) continue;
    json::object o;
    o["from"] = "service:" + a.service;
    o["to"] = "asset:" + a.name;
    o["type"] = "stores";
    edges.push_back(std::move(o));
  }
  for (const auto& f : e.flows) {
    json::object o;
    o["from"] = (f.from_kind == EndpointKind::kZone ? "zone:" : "service:") + f.from;
    o["to"] = (f.to_kind == EndpointKind::kZone ? "zone:" : "service:") + f.to;
    o["type"] = "flow";
    o["flow"] = f.name;
    o["ports"] = Ports(f.ports);
    if (!f.identity.empty()) o["identity"] = f.identity;
    edges.push_back(std::move(o));
  }
  root["zones"] = std::move(zones);
  root["nodes"] = std::move(nodes);
  root["edges"] = std::move(edges);
  return root;
}

}  // namespace rampart::estate
