#include "zones/estate_model.h"

namespace rampart::zones {
namespace {

IpSet V4(const std::vector<Cidr>& cidrs) {
  IpSet s;
  for (const auto& c : cidrs) {
    if (!c.address.v6) s = s.Union(IpSet::FromCidr(c));
  }
  return s;
}

}  // namespace

IpSet EstateModel::EndpointAddresses(const std::string& name) const {
  if (const auto* s = estate->FindService(name)) {
    IpSet a = V4(s->addresses);
    if (!a.empty()) return a;
    auto it = zone_addresses.find(s->zone);
    return it == zone_addresses.end() ? IpSet() : it->second;
  }
  auto it = zone_addresses.find(name);
  return it == zone_addresses.end() ? IpSet() : it->second;
}

std::vector<std::string> EstateModel::Allowing(std::uint32_t src, std::uint32_t dst, Protocol p,
                                               std::uint16_t port) const {
  std::vector<std::string> out;
  for (const auto& r : rules) {
    if (r.src.Contains(src) && r.dst.Contains(dst) && r.ports.Contains(p, port)) {
      out.push_back(r.id);
    }
  }
  return out;
}

EstateModel BuildEstateModel(const estate::Estate& e, Diagnostics* diags) {
  EstateModel m;
  m.estate = &e;
  IpSet inside;
  for (const auto& z : e.zones) {
    if (z.kind == estate::ZoneKind::kInternet) continue;
    IpSet a = V4(z.cidrs);
    inside = inside.Union(a);
    m.zone_addresses[z.name] = a;
  }
  for (const auto& z : e.zones) {
    if (z.kind == estate::ZoneKind::kInternet) {
      m.zone_addresses[z.name] = z.cidrs.empty() ? IpSet::All().Subtract(inside) : V4(z.cidrs);
    }
  }
  auto add = [&](FlowRule r, const SourceLocation& where) {
    r.where = where;
    if (r.src.empty() || r.dst.empty()) {
      const std::string& which = r.src.empty() ? r.src_endpoint : r.dst_endpoint;
      diags->Error(where, "zones.no-address",
                   "flow '" + r.id + "': endpoint '" + which +
                       "' has no IPv4 address, so the flow cannot be enforced by address and "
                       "stays denied",
                   "give the zone cidrs (or the service addresses)");
      return;
    }
    if (r.ports.empty()) return;
    m.rules.push_back(std::move(r));
  };
  for (const auto& f : e.flows) {
    FlowRule r;
    r.id = f.name;
    r.src_endpoint = f.from;
    r.dst_endpoint = f.to;
    r.src_is_zone = f.from_kind == estate::EndpointKind::kZone;
    r.dst_is_zone = f.to_kind == estate::EndpointKind::kZone;
    const auto* sz = e.ZoneOfEndpoint(f.from, f.from_kind);
    const auto* dz = e.ZoneOfEndpoint(f.to, f.to_kind);
    if (!sz || !dz) continue;  // the loader reported it
    r.src_zone = sz->name;
    r.dst_zone = dz->name;
    r.src = m.EndpointAddresses(f.from);
    r.dst = m.EndpointAddresses(f.to);
    for (const auto& p : f.ports) r.ports.Add(p.protocol, p.first, p.last);
    add(std::move(r), f.where);
  }
  // DNS: zones that say `dns: true` reach the estate's DNS services on 53.
  for (const auto& z : e.zones) {
    if (!z.dns) continue;
    for (const auto& s : e.services) {
      if (s.kind != estate::ServiceKind::kDns) continue;
      FlowRule r;
      r.id = "dns-" + z.name;
      if (r.id.size() > 60) r.id.resize(60);
      r.src_endpoint = z.name;
      r.dst_endpoint = s.name;
      r.src_is_zone = true;
      r.src_zone = z.name;
      r.dst_zone = s.zone;
      r.src = m.EndpointAddresses(z.name);
      r.dst = m.EndpointAddresses(s.name);
      ConnSet dns;
      dns.Add(Protocol::kUdp, 53, 53);
      dns.Add(Protocol::kTcp, 53, 53);
      ConnSet offered;
      for (const auto& p : s.ports) offered.Add(p.protocol, p.first, p.last);
      r.ports = offered.empty() ? dns : dns.Intersect(offered);
      add(std::move(r), z.where);
    }
  }
  return m;
}

}  // namespace rampart::zones
