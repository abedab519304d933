#include "estate/loader.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <regex>
#include <set>

#include "core/file.h"
#include "core/yaml.h"

namespace rampart::estate {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kMaxEstateFileSize = 16u << 20;

const std::vector<std::string> kZoneKinds = {"internet",  "ingestion", "training",
                                             "inference", "mlops",     "other"};
const std::vector<std::string> kAssetKinds = {"dataset", "model", "registry", "storage", "secret"};
const std::vector<std::string> kClassifications = {"public", "internal", "confidential",
                                                   "regulated"};
const std::vector<std::string> kRegulations = {"phi", "pii", "pci"};
const std::vector<std::string> kServiceKinds = {"inference",    "gateway",  "storage", "database",
                                                "orchestrator", "registry", "etl",     "labeling",
                                                "compute",      "ledger",   "dns",     "other"};
const std::vector<std::string> kExposures = {"internal", "internet"};
const std::vector<std::string> kProtocols = {"openai", "kserve-v2", "triton"};
const std::vector<std::string> kIdentityKinds = {"workload", "service-account", "api-client",
                                                 "person"};
const std::vector<std::string> kTopLevel = {"version",  "name",       "zones", "assets",
                                            "services", "identities", "flows"};

template <typename E>
E EnumAt(const std::vector<std::string>& names, const std::string& s) {
  auto it = std::find(names.begin(), names.end(), s);
  return static_cast<E>(it - names.begin());
}

bool ValidName(const std::string& s) {
  static const std::regex kName("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
  return std::regex_match(s, kName);
}

bool ValidIdentityName(const std::string& s) {
  static const std::regex kName("^[A-Za-z0-9]([A-Za-z0-9._@-]{0,126}[A-Za-z0-9])?$");
  return std::regex_match(s, kName);
}

std::string SuggestName(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.size() > 63) out.resize(63);
  return out.empty() ? "my-name" : out;
}

// Collects the sections of every file into one Estate, then validates
// cross-references. Single-threaded; one instance per load.
class Collector {
 public:
  void AddFile(const YAML::Node& root, const std::string& file);
  void Validate();
  LoadResult Take() {
    diags_.Sort();
    return LoadResult{std::move(estate_), std::move(diags_)};
  }

 private:
  void ReadZone(const YAML::Node& n, const std::string& file);
  void ReadAsset(const YAML::Node& n, const std::string& file);
  void ReadService(const YAML::Node& n, const std::string& file);
  void ReadIdentity(const YAML::Node& n, const std::string& file);
  void ReadFlow(const YAML::Node& n, const std::string& file);
  std::string ReadName(YamlFields& f, std::string_view what, bool identity = false);
  std::vector<PortRange> ReadPorts(YamlFields& f, std::string_view key);
  std::vector<Cidr> ReadCidrs(YamlFields& f, std::string_view key);
  KubernetesSelector ReadKubernetes(YamlFields& f, bool service);

  void CheckUnique();
  void CheckZones();
  void CheckAssets();
  void CheckServices();
  void CheckIdentities();
  void CheckFlows();
  // Reports a reference to an unknown name with the closest candidate.
  void UnknownRef(const SourceLocation& where, std::string_view what, const std::string& name,
                  std::vector<std::string> candidates, std::string_view fix);

  Estate estate_;
  Diagnostics diags_;
  // Where each flow's "to" and "ports" were written, for precise messages.
  std::map<const Flow*, SourceLocation> flow_to_where_, flow_from_where_, flow_ports_where_;
  std::vector<SourceLocation> flow_to_loc_, flow_from_loc_, flow_ports_loc_, flow_id_loc_;
  std::vector<bool> flow_ports_given_;
  std::vector<SourceLocation> asset_zone_loc_, asset_service_loc_, service_zone_loc_,
      service_identity_loc_;
  std::vector<std::vector<SourceLocation>> zone_cidr_loc_, service_address_loc_;
};

std::string Collector::ReadName(YamlFields& f, std::string_view what, bool identity) {
  auto name = f.String("name", /*required=*/true);
  if (!name) return "";
  if (identity ? !ValidIdentityName(*name) : !ValidName(*name)) {
    diags_.Error(f.Where("name"), "estate.name",
                 std::string(what) + " name '" + *name + "' is not valid",
                 identity ? "use letters, digits, '.', '_', '@' and '-'"
                          : "use lowercase letters, digits and '-', at most 63 characters, "
                            "e.g. '" +
                                SuggestName(*name) + "'");
  }
  return *name;
}

std::vector<PortRange> Collector::ReadPorts(YamlFields& f, std::string_view key) {
  std::vector<PortRange> out;
  YAML::Node n = f.Node(key);
  if (!n.IsDefined() || n.IsNull()) return out;
  auto one = [&](const YAML::Node& e) {
    if (!e.IsScalar()) {
      diags_.Error(LocationOf(e, f.file()), "estate.port",
                   "a port must be written like 8000, tcp/8000, udp/53 or tcp/29500-29600, not " +
                       std::string(YamlTypeName(e)));
      return;
    }
    auto p = ParsePortRange(e.Scalar());
    if (!p) {
      diags_.Error(LocationOf(e, f.file()), "estate.port", p.error().message(),
                   "write ports like 8000, tcp/8000, udp/53 or tcp/29500-29600");
      return;
    }
    out.push_back(*p);
  };
  if (n.IsSequence()) {
    for (const auto& e : n) one(e);
  } else {
    one(n);
  }
  return out;
}

std::vector<Cidr> Collector::ReadCidrs(YamlFields& f, std::string_view key) {
  std::vector<Cidr> out;
  YAML::Node n = f.Node(key);
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsSequence() && !n.IsScalar()) {
    diags_.Error(LocationOf(n, f.file()), "estate.type",
                 "field '" + std::string(key) + "' must be a list of CIDRs");
    return out;
  }
  std::vector<YAML::Node> items;
  if (n.IsScalar()) {
    items.push_back(n);
  } else {
    for (const auto& e : n) items.push_back(e);
  }
  for (const auto& e : items) {
    if (!e.IsScalar()) {
      diags_.Error(LocationOf(e, f.file()), "estate.cidr",
                   "a CIDR must be a string like 10.20.0.0/16");
      continue;
    }
    auto c = Cidr::Parse(e.Scalar());
    if (!c) {
      diags_.Error(LocationOf(e, f.file()), "estate.cidr", c.error().message());
      continue;
    }
    out.push_back(*c);
  }
  return out;
}

KubernetesSelector Collector::ReadKubernetes(YamlFields& f, bool service) {
  KubernetesSelector k;
  YAML::Node n = f.Node("kubernetes");
  if (!n.IsDefined() || n.IsNull()) return k;
  YamlFields kf(n, f.file(), &diags_, "kubernetes placement", "estate");
  if (!kf.ok()) return k;
  if (service) {
    if (auto ns = kf.String("namespace")) k.namespaces.push_back(*ns);
  } else {
    if (auto ns = kf.StringList("namespaces")) k.namespaces = *ns;
  }
  if (auto sel = kf.StringMap("selector")) k.pod_labels = *sel;
  kf.CheckUnknown();
  return k;
}

void Collector::ReadZone(const YAML::Node& n, const std::string& file) {
  YamlFields f(n, file, &diags_, "zone", "estate");
  if (!f.ok()) return;
  Zone z;
  z.where = f.Where();
  z.name = ReadName(f, "zone");
  if (auto k = f.Enum("kind", kZoneKinds, true)) z.kind = EnumAt<ZoneKind>(kZoneKinds, *k);
  if (auto d = f.String("description")) z.description = *d;
  std::size_t before = diags_.items().size();
  z.cidrs = ReadCidrs(f, "cidrs");
  (void)before;
  std::vector<SourceLocation> locs;
  if (YAML::Node c = f.Node("cidrs"); c.IsSequence()) {
    for (const auto& e : c) locs.push_back(LocationOf(e, file));
  } else {
    locs.push_back(f.Where("cidrs"));
  }
  z.kubernetes = ReadKubernetes(f, false);
  z.routable = z.kind == ZoneKind::kInternet;
  if (auto r = f.Bool("routable")) z.routable = *r;
  if (auto d = f.Bool("dns")) z.dns = *d;
  f.CheckUnknown();
  // Keep cidr locations aligned with the parsed cidrs (bad entries dropped).
  locs.resize(std::max(locs.size(), z.cidrs.size()), f.Where("cidrs"));
  zone_cidr_loc_.push_back(locs);
  estate_.zones.push_back(std::move(z));
}

void Collector::ReadAsset(const YAML::Node& n, const std::string& file) {
  YamlFields f(n, file, &diags_, "asset", "estate");
  if (!f.ok()) return;
  Asset a;
  a.where = f.Where();
  a.name = ReadName(f, "asset");
  if (auto k = f.Enum("kind", kAssetKinds, true)) a.kind = EnumAt<AssetKind>(kAssetKinds, *k);
  if (auto z = f.String("zone", true)) a.zone = *z;
  if (auto s = f.String("service")) a.service = *s;
  if (auto c = f.Enum("classification", kClassifications)) {
    a.classification = EnumAt<Classification>(kClassifications, *c);
  }
  if (auto r = f.StringList("regulated")) {
    for (const auto& tag : *r) {
      if (std::find(kRegulations.begin(), kRegulations.end(), tag) == kRegulations.end()) {
        diags_.Error(
            f.Where("regulated"), "estate.enum",
            "asset '" + a.name + "': unknown regulation '" + tag + "'; expected phi | pii | pci",
            DidYouMean(tag, kRegulations));
      } else {
        a.regulated.push_back(tag);
      }
    }
  }
  if (auto c = f.Bool("crown_jewel")) a.crown_jewel = *c;
  if (auto d = f.String("description")) a.description = *d;
  f.CheckUnknown();
  asset_zone_loc_.push_back(f.Where("zone"));
  asset_service_loc_.push_back(f.Where("service"));
  estate_.assets.push_back(std::move(a));
}

void Collector::ReadService(const YAML::Node& n, const std::string& file) {
  YamlFields f(n, file, &diags_, "service", "estate");
  if (!f.ok()) return;
  Service s;
  s.where = f.Where();
  s.name = ReadName(f, "service");
  if (auto z = f.String("zone", true)) s.zone = *z;
  if (auto k = f.Enum("kind", kServiceKinds, true)) {
    s.kind = EnumAt<ServiceKind>(kServiceKinds, *k);
  }
  if (auto d = f.String("description")) s.description = *d;
  s.ports = ReadPorts(f, "ports");
  if (auto e = f.Enum("exposure", kExposures)) s.exposure = EnumAt<Exposure>(kExposures, *e);
  YAML::Node inf = f.Node("inference");
  if (inf.IsDefined() && !inf.IsNull()) {
    YamlFields fi(inf, file, &diags_, "inference", "estate");
    if (fi.ok()) {
      InferenceSpec spec;
      if (auto p = fi.Enum("protocol", kProtocols, true)) {
        spec.protocol = EnumAt<InferenceProtocol>(kProtocols, *p);
      }
      if (auto m = fi.StringList("models")) spec.models = *m;
      fi.CheckUnknown();
      s.inference = spec;
    }
  }
  if (auto u = f.String("upstream")) {
    static const std::regex kUrl(R"(^https?://[A-Za-z0-9.\-\[\]:]+:[0-9]{1,5}(/.*)?$)");
    if (!std::regex_match(*u, kUrl)) {
      diags_.Error(f.Where("upstream"), "estate.upstream",
                   "service '" + s.name + "': upstream '" + *u + "' is not a URL with a port",
                   "write it like http://10.30.0.10:8000");
    }
    s.upstream = *u;
  }
  s.addresses = ReadCidrs(f, "addresses");
  std::vector<SourceLocation> locs;
  if (YAML::Node c = f.Node("addresses"); c.IsSequence()) {
    for (const auto& e : c) locs.push_back(LocationOf(e, file));
  }
  locs.resize(std::max(locs.size(), s.addresses.size()), f.Where("addresses"));
  service_address_loc_.push_back(locs);
  s.kubernetes = ReadKubernetes(f, true);
  if (auto i = f.String("identity")) s.identity = *i;
  f.CheckUnknown();
  if (s.kind == ServiceKind::kInference && !s.inference && f.ok()) {
    diags_.Error(f.Where(), "estate.inference",
                 "inference service '" + s.name + "' has no 'inference' block",
                 "add  inference: {protocol: openai | kserve-v2 | triton, models: [...]}");
  }
  service_zone_loc_.push_back(f.Where("zone"));
  service_identity_loc_.push_back(f.Where("identity"));
  estate_.services.push_back(std::move(s));
}

void Collector::ReadIdentity(const YAML::Node& n, const std::string& file) {
  YamlFields f(n, file, &diags_, "identity", "estate");
  if (!f.ok()) return;
  Identity i;
  i.where = f.Where();
  i.name = ReadName(f, "identity", /*identity=*/true);
  if (auto k = f.Enum("kind", kIdentityKinds, true)) {
    i.kind = EnumAt<IdentityKind>(kIdentityKinds, *k);
  }
  if (auto r = f.StringList("roles")) i.roles = *r;
  if (auto s = f.String("spiffe_id")) {
    if (s->rfind("spiffe://", 0) != 0) {
      diags_.Error(f.Where("spiffe_id"), "estate.spiffe",
                   "identity '" + i.name + "': spiffe_id must start with spiffe://");
    }
    i.spiffe_id = *s;
  }
  if (auto d = f.String("description")) i.description = *d;
  f.CheckUnknown();
  estate_.identities.push_back(std::move(i));
}

void Collector::ReadFlow(const YAML::Node& n, const std::string& file) {
  YamlFields f(n, file, &diags_, "flow", "estate");
  if (!f.ok()) return;
  Flow fl;
  fl.where = f.Where();
  if (f.Has("name")) fl.name = ReadName(f, "flow");
  if (auto s = f.String("from", true)) fl.from = *s;
  if (auto s = f.String("to", true)) fl.to = *s;
  fl.ports = ReadPorts(f, "ports");
  if (auto s = f.String("identity")) fl.identity = *s;
  if (auto s = f.String("purpose")) fl.purpose = *s;
  f.CheckUnknown();
  flow_from_loc_.push_back(f.Where("from"));
  flow_to_loc_.push_back(f.Where("to"));
  flow_ports_loc_.push_back(f.Where("ports"));
  flow_id_loc_.push_back(f.Where("identity"));
  flow_ports_given_.push_back(!fl.ports.empty());
  estate_.flows.push_back(std::move(fl));
}

void Collector::AddFile(const YAML::Node& root, const std::string& file) {
  estate_.files.push_back(file);
  if (root.IsNull()) {
    diags_.Warning({file, 0, 0}, "estate.empty", "file is empty");
    return;
  }
  YamlFields top(root, file, &diags_, "estate", "estate");
  if (!top.ok()) return;
  if (auto v = top.Int("version")) {
    if (*v != 1) {
      diags_.Error(top.Where("version"), "estate.version",
                   "unsupported estate version " + std::to_string(*v),
                   "this Rampart reads version 1");
    }
  }
  if (auto name = top.String("name")) {
    if (!estate_.name.empty() && estate_.name != *name) {
      diags_.Error(top.Where("name"), "estate.name",
                   "estate name '" + *name + "' differs from '" + estate_.name +
                       "' given in an earlier file",
                   "name the estate in one file only, or use the same name");
    } else {
      estate_.name = *name;
    }
  }
  struct ListSection {
    const char* key;
    void (Collector::*read)(const YAML::Node&, const std::string&);
  };
  const ListSection lists[] = {{"zones", &Collector::ReadZone},
                               {"assets", &Collector::ReadAsset},
                               {"services", &Collector::ReadService},
                               {"identities", &Collector::ReadIdentity},
                               {"flows", &Collector::ReadFlow}};
  for (const auto& sec : lists) {
    YAML::Node n = top.Node(sec.key);
    if (!n.IsDefined() || n.IsNull()) continue;
    if (!n.IsSequence()) {
      diags_.Error(LocationOf(n, file), "estate.type",
                   std::string("'") + sec.key + "' must be a list (each item starting with '- ')");
      continue;
    }
    for (const auto& item : n) (this->*sec.read)(item, file);
  }
  for (const auto& name : KnownSections()) {
    YAML::Node n = top.Node(name);
    if (!n.IsDefined()) continue;
    if (estate_.sections.contains(name)) {
      diags_.Error(LocationOf(n, file), "estate.duplicate",
                   "section '" + name + "' appears in more than one file",
                   "keep each pillar section in one file");
      continue;
    }
    estate_.sections[name] = Section{n, file};
  }
  // Unknown top-level keys: suggest from the lists and the pillar sections.
  std::vector<std::string> known = kTopLevel;
  known.insert(known.end(), KnownSections().begin(), KnownSections().end());
  top.CheckUnknown();
}

void Collector::UnknownRef(const SourceLocation& where, std::string_view what,
                           const std::string& name, std::vector<std::string> candidates,
                           std::string_view fix) {
  std::string hint = DidYouMean(name, candidates);
  if (hint.empty()) hint = std::string(fix);
  diags_.Error(where, "estate.unknown-ref", "unknown " + std::string(what) + " '" + name + "'",
               hint);
}

void Collector::CheckUnique() {
  // Zones and services share one namespace because a flow endpoint may name
  // either.
  std::map<std::string, SourceLocation> endpoints;
  auto check = [&](const std::string& name, const SourceLocation& where, std::string_view what,
                   std::map<std::string, SourceLocation>& seen) {
    if (name.empty()) return;
    auto [it, inserted] = seen.emplace(name, where);
    if (!inserted) {
      diags_.Error(
          where, "estate.duplicate",
          std::string(what) + " '" + name + "' is already defined at " + it->second.ToString(),
          "rename one of them; zone and service names share one namespace");
    }
  };
  for (const auto& z : estate_.zones) check(z.name, z.where, "zone", endpoints);
  for (const auto& s : estate_.services) check(s.name, s.where, "service", endpoints);
  std::map<std::string, SourceLocation> assets, identities, flows;
  for (const auto& a : estate_.assets) check(a.name, a.where, "asset", assets);
  for (const auto& i : estate_.identities) check(i.name, i.where, "identity", identities);
  for (const auto& f : estate_.flows) {
    if (!f.name.empty()) check(f.name, f.where, "flow", flows);
  }
}

void Collector::CheckZones() {
  int internet = 0;
  for (const auto& z : estate_.zones) {
    if (z.kind == ZoneKind::kInternet) ++internet;
  }
  if (internet > 1) {
    diags_.Warning({estate_.files.empty() ? "" : estate_.files.front(), 0, 0}, "estate.internet",
                   "more than one zone of kind 'internet'");
  }
  // Overlapping CIDRs between zones make zone membership ambiguous: a packet
  // from an address in both could be judged by either zone's rules.
  for (std::size_t i = 0; i < estate_.zones.size(); ++i) {
    const Zone& a = estate_.zones[i];
    for (std::size_t ci = 0; ci < a.cidrs.size(); ++ci) {
      for (std::size_t cj = ci + 1; cj < a.cidrs.size(); ++cj) {
        if (a.cidrs[ci].Overlaps(a.cidrs[cj])) {
          diags_.Warning(zone_cidr_loc_[i][cj], "estate.cidr-overlap",
                         "zone '" + a.name + "' lists " + a.cidrs[cj].ToString() +
                             ", which overlaps its own " + a.cidrs[ci].ToString(),
                         "remove the narrower block");
        }
      }
    }
    for (std::size_t j = i + 1; j < estate_.zones.size(); ++j) {
      const Zone& b = estate_.zones[j];
      for (std::size_t ci = 0; ci < a.cidrs.size(); ++ci) {
        for (std::size_t cj = 0; cj < b.cidrs.size(); ++cj) {
          if (a.cidrs[ci].Overlaps(b.cidrs[cj])) {
            diags_.Error(zone_cidr_loc_[j][cj], "estate.cidr-overlap",
                         "zone '" + b.name + "' CIDR " + b.cidrs[cj].ToString() +
                             " overlaps zone '" + a.name + "' CIDR " + a.cidrs[ci].ToString() +
                             " (" + zone_cidr_loc_[i][ci].ToString() + ")",
                         "give each zone its own address ranges; an address must belong to "
                         "exactly one zone");
          }
        }
      }
    }
  }
}

void Collector::CheckAssets() {
  std::vector<std::string> zones, services;
  for (const auto& z : estate_.zones) zones.push_back(z.name);
  for (const auto& s : estate_.services) services.push_back(s.name);
  for (std::size_t i = 0; i < estate_.assets.size(); ++i) {
    const Asset& a = estate_.assets[i];
    if (!a.zone.empty() && !estate_.FindZone(a.zone)) {
      UnknownRef(asset_zone_loc_[i], "zone", a.zone, zones,
                 "define the zone under 'zones:' or put the asset in an existing zone");
    }
    if (!a.service.empty()) {
      const Service* s = estate_.FindService(a.service);
      if (!s) {
        UnknownRef(asset_service_loc_[i], "service", a.service, services,
                   "define the service under 'services:'");
      } else if (!a.zone.empty() && s->zone != a.zone) {
        diags_.Error(asset_service_loc_[i], "estate.asset-zone",
                     "asset '" + a.name + "' is in zone '" + a.zone + "' but its service '" +
                         s->name + "' is in zone '" + s->zone + "'",
                     "an asset lives where the service that stores it lives; set zone: " + s->zone);
      }
    }
    if (a.classification == Classification::kRegulated && a.regulated.empty()) {
      diags_.Error(a.where, "estate.regulated",
                   "asset '" + a.name + "' is classified regulated but names no regulation",
                   "add  regulated: [phi]  (or pii, pci)");
    }
    if (a.classification != Classification::kRegulated && !a.regulated.empty()) {
      diags_.Error(a.where, "estate.regulated",
                   "asset '" + a.name + "' names regulations but is classified " +
                       std::string(ToString(a.classification)),
                   "set  classification: regulated");
    }
  }
}

void Collector::CheckServices() {
  std::vector<std::string> zones, identities;
  for (const auto& z : estate_.zones) zones.push_back(z.name);
  for (const auto& i : estate_.identities) identities.push_back(i.name);
  for (std::size_t i = 0; i < estate_.services.size(); ++i) {
    const Service& s = estate_.services[i];
    const Zone* z = estate_.FindZone(s.zone);
    if (!s.zone.empty() && !z) {
      UnknownRef(service_zone_loc_[i], "zone", s.zone, zones, "define the zone under 'zones:'");
    }
    if (!s.identity.empty() && !estate_.FindIdentity(s.identity)) {
      UnknownRef(service_identity_loc_[i], "identity", s.identity, identities,
                 "define the identity under 'identities:'");
    }
    if (z && !z->cidrs.empty()) {
      for (std::size_t k = 0; k < s.addresses.size(); ++k) {
        bool inside = std::any_of(z->cidrs.begin(), z->cidrs.end(),
                                  [&](const Cidr& c) { return c.Contains(s.addresses[k]); });
        if (!inside) {
          diags_.Error(service_address_loc_[i][k], "estate.address",
                       "service '" + s.name + "' address " + s.addresses[k].ToString() +
                           " is outside its zone '" + z->name + "'",
                       "use an address inside the zone's cidrs or move the service");
        }
      }
    }
    if (z && s.exposure == Exposure::kInternet && !z->routable) {
      diags_.Warning(s.where, "estate.exposure",
                     "service '" + s.name + "' is exposed to the internet but zone '" + z->name +
                         "' is not routable from outside",
                     "make the zone routable, or expose the service through a gateway");
    }
    std::set<PortRange> seen;
    for (const auto& p : s.ports) {
      if (!seen.insert(p).second) {
        diags_.Warning(s.where, "estate.port",
                       "service '" + s.name + "' lists " + p.ToString() + " twice");
      }
    }
  }
}

void Collector::CheckIdentities() {
  for (const auto& i : estate_.identities) {
    if (i.roles.empty() && i.kind == IdentityKind::kApiClient) {
      diags_.Warning(i.where, "estate.roles",
                     "api client '" + i.name + "' has no roles and can reach nothing",
                     "add  roles: [...]");
    }
  }
}

void Collector::CheckFlows() {
  std::vector<std::string> endpoints, identities;
  for (const auto& z : estate_.zones) endpoints.push_back(z.name);
  for (const auto& s : estate_.services) endpoints.push_back(s.name);
  for (const auto& i : estate_.identities) identities.push_back(i.name);

  std::set<std::string> used_names;
  for (const auto& f : estate_.flows) {
    if (!f.name.empty()) used_names.insert(f.name);
  }
  for (std::size_t i = 0; i < estate_.flows.size(); ++i) {
    Flow& f = estate_.flows[i];
    auto resolve = [&](const std::string& name, EndpointKind* kind,
                       const SourceLocation& where) -> bool {
      if (name.empty()) return false;
      if (estate_.FindService(name)) {
        *kind = EndpointKind::kService;
        return true;
      }
      if (estate_.FindZone(name)) {
        *kind = EndpointKind::kZone;
        return true;
      }
      UnknownRef(where, "flow endpoint", name, endpoints,
                 "a flow endpoint names a service or a zone defined in the estate");
      return false;
    };
    bool from_ok = resolve(f.from, &f.from_kind, flow_from_loc_[i]);
    bool to_ok = resolve(f.to, &f.to_kind, flow_to_loc_[i]);
    if (!f.identity.empty() && !estate_.FindIdentity(f.identity)) {
      UnknownRef(flow_id_loc_[i], "identity", f.identity, identities,
                 "define the identity under 'identities:'");
    }
    if (f.name.empty() && !f.from.empty() && !f.to.empty()) {
      std::string base = f.from + "-to-" + f.to;
      if (base.size() > 60) base.resize(60);
      std::string name = base;
      for (int k = 2; used_names.contains(name); ++k) name = base + "-" + std::to_string(k);
      f.name = name;
      used_names.insert(name);
    }
    if (!from_ok || !to_ok) continue;
    if (f.to_kind == EndpointKind::kService) {
      const Service* to = estate_.FindService(f.to);
      if (!flow_ports_given_[i]) {
        f.ports = to->ports;
        if (f.ports.empty()) {
          diags_.Error(
              flow_to_loc_[i], "estate.flow-port",
              "flow '" + f.name + "' goes to service '" + to->name + "', which exposes no ports",
              "list the service's ports under 'ports:'");
        }
        continue;
      }
      for (const auto& p : f.ports) {
        bool exposed = std::any_of(to->ports.begin(), to->ports.end(),
                                   [&](const PortRange& sp) { return sp.Contains(p); });
        if (!exposed) {
          std::string list;
          for (const auto& sp : to->ports) list += (list.empty() ? "" : ", ") + sp.ToString();
          diags_.Error(flow_ports_loc_[i], "estate.flow-port",
                       "flow '" + f.name + "' uses " + p.ToString() + " but service '" + to->name +
                           "' does not expose it",
                       list.empty() ? "add the port to the service's 'ports:'"
                                    : "the service exposes " + list +
                                          "; fix the flow or add the port to the service");
        }
      }
    } else if (!flow_ports_given_[i]) {
      diags_.Error(flow_to_loc_[i], "estate.flow-port",
                   "flow '" + f.name + "' goes to zone '" + f.to + "' but lists no ports",
                   "a flow into a whole zone must say which ports it uses");
    }
  }
}

void Collector::Validate() {
  CheckUnique();
  CheckZones();
  CheckAssets();
  CheckServices();
  CheckIdentities();
  CheckFlows();
}

Result<std::vector<fs::path>> ExpandPaths(const std::vector<fs::path>& paths) {
  std::vector<fs::path> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(p, ec)) {
        auto ext = e.path().extension();
        if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(e.path());
      }
      if (ec) return InvalidArgumentError(p.string() + ": cannot list directory: " + ec.message());
      std::sort(files.begin(), files.end());
      if (files.empty()) {
        return InvalidArgumentError(p.string() + ": directory holds no .yaml or .yml files");
      }
      out.insert(out.end(), files.begin(), files.end());
    } else {
      out.push_back(p);
    }
  }
  if (out.empty()) return InvalidArgumentError("no estate files given");
  return out;
}

}  // namespace

Result<PortRange> ParsePortRange(std::string_view s) {
  PortRange r;
  std::string_view rest = s;
  if (auto slash = s.find('/'); slash != std::string_view::npos) {
    std::string_view proto = s.substr(0, slash);
    if (proto == "tcp" || proto == "TCP") {
      r.protocol = Protocol::kTcp;
    } else if (proto == "udp" || proto == "UDP") {
      r.protocol = Protocol::kUdp;
    } else if (proto == "sctp" || proto == "SCTP") {
      r.protocol = Protocol::kSctp;
    } else {
      return InvalidArgumentError("unknown protocol '" + std::string(proto) + "' in port '" +
                                  std::string(s) + "'; expected tcp, udp or sctp");
    }
    rest = s.substr(slash + 1);
  }
  auto num = [&](std::string_view t, std::uint16_t* out) -> bool {
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || ptr != t.data() + t.size() || t.empty() || v < 1 || v > 65535) {
      return false;
    }
    *out = static_cast<std::uint16_t>(v);
    return true;
  };
  auto dash = rest.find('-');
  if (dash == std::string_view::npos) {
    if (!num(rest, &r.first)) {
      return InvalidArgumentError("port '" + std::string(s) + "' is not a number in 1-65535");
    }
    r.last = r.first;
  } else if (!num(rest.substr(0, dash), &r.first) || !num(rest.substr(dash + 1), &r.last)) {
    return InvalidArgumentError("port range '" + std::string(s) +
                                "' must be two numbers in 1-65535, like 29500-29600");
  } else if (r.last < r.first) {
    return InvalidArgumentError("port range '" + std::string(s) + "' ends before it starts");
  }
  return r;
}

Result<LoadResult> LoadString(std::string_view yaml, std::string_view file_name) {
  RAMPART_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(yaml, file_name));
  Collector c;
  c.AddFile(root, std::string(file_name));
  c.Validate();
  return c.Take();
}

Result<LoadResult> LoadFiles(const std::vector<fs::path>& paths) {
  RAMPART_ASSIGN_OR_RETURN(std::vector<fs::path> files, ExpandPaths(paths));
  Collector c;
  for (const auto& f : files) {
    RAMPART_ASSIGN_OR_RETURN(std::string text, ReadFile(f, kMaxEstateFileSize));
    RAMPART_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(text, f.string()));
    c.AddFile(root, f.string());
  }
  c.Validate();
  return c.Take();
}

Result<Estate> LoadValid(const std::vector<fs::path>& paths) {
  RAMPART_ASSIGN_OR_RETURN(LoadResult r, LoadFiles(paths));
  if (r.diagnostics.has_errors()) {
    std::string msg = "the estate has " + std::to_string(r.diagnostics.error_count()) +
                      " error(s); run 'rampart estate check' for details:\n";
    for (const auto& d : r.diagnostics.items()) {
      if (d.severity == Severity::kError) msg += d.ToString() + "\n";
    }
    return InvalidArgumentError(msg);
  }
  return std::move(r.estate);
}

}  // namespace rampart::estate
