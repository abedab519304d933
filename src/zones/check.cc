#include "zones/check.h"

#include <algorithm>
#include <set>

namespace rampart::zones {
namespace {

using estate::Estate;
using estate::Service;
using estate::ServiceKind;

bool IsDataStore(const Service& s) {
  return s.kind == ServiceKind::kStorage || s.kind == ServiceKind::kDatabase;
}

std::string PortsText(const estate::Flow& f) {
  std::string out;
  for (const auto& p : f.ports) out += (out.empty() ? "" : ",") + p.ToString();
  return out;
}

std::string PathText(const std::vector<Hop>& hops) {
  if (hops.empty()) return "";
  std::string out = hops.front().from;
  for (const auto& h : hops) out += " -[" + h.rule + "]-> " + h.to;
  return out;
}

class Checker {
 public:
  explicit Checker(const Estate& e) : e_(e), g_(e) {}

  std::vector<Finding> Run() {
    TrainingReachable();
    DmzReach();
    StorageExposed();
    IngestionIdentities();
    GpuAccess();
    FlatZones();
    TrainingRoutable();
    std::stable_sort(out_.begin(), out_.end(), [](const Finding& a, const Finding& b) {
      return std::tie(a.where.file, a.where.line, a.where.column, a.code) <
             std::tie(b.where.file, b.where.line, b.where.column, b.code);
    });
    return std::move(out_);
  }

 private:
  const Service* ServiceAt(int node) const { return e_.FindService(g_.Name(node)); }

  std::vector<int> ServicesWhere(const std::function<bool(const Service&)>& pred) const {
    std::vector<int> out;
    for (const auto& s : e_.services) {
      if (pred(s)) out.push_back(g_.Find(s.name));
    }
    return out;
  }

  // One finding per path: shortest path from any of `sources` to each target.
  void PathFindings(const std::vector<int>& sources, const std::vector<int>& targets,
                    const std::string& code,
                    const std::function<std::string(const LateralPath&)>& msg,
                    const std::string& hint) {
    auto paths = ShortestPaths(g_, sources, targets, 10000);
    std::set<std::string> reported;  // one per target, the shortest
    for (const auto& p : paths) {
      if (!reported.insert(p.target).second) continue;
      Finding f;
      f.code = code;
      f.message = msg(p);
      f.path = p.hops;
      for (const auto& h : p.hops) {
        int a = g_.Find(h.from), b = g_.Find(h.to);
        for (const auto* fl : g_.FlowsOf(a, b)) {
          if (std::find(f.flows.begin(), f.flows.end(), fl->name) == f.flows.end()) {
            f.flows.push_back(fl->name);
          }
        }
      }
      // Point at the last flow of the path (the hop into the protected
      // plane), or at the service when an exposure carries that hop.
      auto last = g_.FlowsOf(g_.Find(p.hops.back().from), g_.Find(p.hops.back().to));
      if (!last.empty()) {
        f.where = last.front()->where;
      } else if (const auto* s = e_.FindService(p.target)) {
        f.where = s->where;
      }
      f.hint = hint;
      out_.push_back(std::move(f));
    }
  }

  void TrainingReachable() {
    std::vector<int> internet = g_.Exposed();
    auto training =
        ServicesWhere([&](const Service& s) { return PlaneOf(e_, s) == Plane::kTraining; });
    PathFindings(
        internet, training, "zones.training-exposed",
        [](const LateralPath& p) {
          return "training plane service '" + p.target +
                 "' is reachable from the internet: " + PathText(p.hops);
        },
        "the training plane is reached only from the MLOps orchestrator; remove or "
        "re-route the flows on this path");
  }

  void DmzReach() {
    auto dmz = ServicesWhere([&](const Service& s) { return PlaneOf(e_, s) == Plane::kInference; });
    auto training =
        ServicesWhere([&](const Service& s) { return PlaneOf(e_, s) == Plane::kTraining; });
    PathFindings(
        dmz, training, "zones.dmz-to-training",
        [](const LateralPath& p) {
          return "the inference DMZ reaches training plane service '" + p.target +
                 "': " + PathText(p.hops);
        },
        "the DMZ may only go out to the model registry; training never accepts "
        "connections from it");
    auto stores = ServicesWhere(
        [&](const Service& s) { return IsDataStore(s) && PlaneOf(e_, s) != Plane::kTraining; });
    PathFindings(
        dmz, stores, "zones.dmz-to-datastore",
        [](const LateralPath& p) {
          return "the inference DMZ reaches data store '" + p.target + "': " + PathText(p.hops);
        },
        "serve models from the registry (the only place the DMZ may reach); keep data "
        "stores out of its reach");
  }

  void StorageExposed() {
    for (const auto& s : e_.services) {
      if (!IsDataStore(s)) continue;
      if (s.exposure == estate::Exposure::kInternet) {
        Finding f;
        f.code = "zones.storage-exposed";
        f.message = "storage endpoint '" + s.name + "' is exposed to the internet";
        f.where = s.where;
        f.hint = "set exposure: internal and reach it through a service identity";
        out_.push_back(std::move(f));
      }
      for (const auto& fl : e_.flows) {
        if (fl.to != s.name || fl.from_kind != estate::EndpointKind::kZone) continue;
        if (fl.from == s.zone) continue;
        const auto* z = e_.FindZone(fl.from);
        Finding f;
        f.code = "zones.storage-exposed";
        f.message = "storage endpoint '" + s.name + "' (zone '" + s.zone +
                    "') is open to the whole zone '" + fl.from + "'" +
                    (z && z->kind == estate::ZoneKind::kInternet ? " (the internet)" : "") +
                    " by flow '" + fl.name + "' " + PortsText(fl);
        f.where = fl.where;
        f.flows = {fl.name};
        f.hint = "let named services with their own identities reach storage, not a zone";
        out_.push_back(std::move(f));
      }
    }
  }

  void IngestionIdentities() {
    for (const auto& s : e_.services) {
      if (!IsDataStore(s) || PlaneOf(e_, s) != Plane::kIngestion) continue;
      for (const auto& fl : e_.flows) {
        if (fl.to != s.name) continue;
        const auto* id = fl.identity.empty() ? nullptr : e_.FindIdentity(fl.identity);
        bool service_identity = id && (id->kind == estate::IdentityKind::kServiceAccount ||
                                       id->kind == estate::IdentityKind::kWorkload);
        if (service_identity) continue;
        Finding f;
        f.code = "zones.ingestion-identity";
        f.message = "ingestion storage '" + s.name + "' is reached by flow '" + fl.name + "' " +
                    (id ? "as " + std::string(estate::ToString(id->kind)) + " '" + id->name + "'"
                        : std::string("with no identity")) +
                    ", not by a service identity";
        f.where = fl.where;
        f.flows = {fl.name};
        f.hint =
            "route people and partners through a service (ETL, labeling) that holds a "
            "service-account identity";
        out_.push_back(std::move(f));
      }
    }
  }

  void GpuAccess() {
    for (const auto& s : e_.services) {
      if (s.kind != ServiceKind::kCompute) continue;
      for (const auto& fl : e_.flows) {
        bool into =
            fl.to == s.name || (fl.to_kind == estate::EndpointKind::kZone && fl.to == s.zone);
        if (!into) continue;
        const Service* from = e_.FindService(fl.from);
        if (from && (from->kind == ServiceKind::kOrchestrator || from->name == s.name)) continue;
        Finding f;
        f.code = "zones.gpu-access";
        f.message = "GPU nodes '" + s.name + "' are reached by '" + fl.from + "' (flow '" +
                    fl.name + "' " + PortsText(fl) + "); only the MLOps orchestrator may";
        f.where = fl.where;
        f.flows = {fl.name};
        f.hint = "submit work through the orchestrator; remove this flow";
        out_.push_back(std::move(f));
      }
    }
  }

  void FlatZones() {
    for (const auto& z : e_.zones) {
      if (z.kind == estate::ZoneKind::kInternet) continue;
      std::vector<std::string> exposed, jewels, flows;
      for (const auto* s : e_.ServicesInZone(z.name)) {
        bool ex = s->exposure == estate::Exposure::kInternet;
        for (const auto& fl : e_.flows) {
          const auto* fz =
              fl.from_kind == estate::EndpointKind::kZone ? e_.FindZone(fl.from) : nullptr;
          if (fl.to == s->name && fz && fz->kind == estate::ZoneKind::kInternet) {
            ex = true;
            flows.push_back(fl.name);
          }
        }
        if (ex) exposed.push_back(s->name);
      }
      for (const auto& a : e_.assets) {
        if (a.zone == z.name && a.crown_jewel) jewels.push_back(a.name);
      }
      if (exposed.empty() || jewels.empty()) continue;
      auto join = [](const std::vector<std::string>& v) {
        std::string out;
        for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
        return out;
      };
      Finding f;
      f.code = "zones.flat-network";
      f.message = "zone '" + z.name + "' holds internet-exposed services (" + join(exposed) +
                  ") and crown jewels (" + join(jewels) + "): a flat network";
      f.where = z.where;
      f.flows = flows;
      f.hint =
          "split it: an inference DMZ for what faces the internet, separate zones for "
          "training, ingestion and MLOps";
      out_.push_back(std::move(f));
    }
  }

  void TrainingRoutable() {
    for (const auto& s : e_.services) {
      if (PlaneOf(e_, s) != Plane::kTraining) continue;
      const auto* z = e_.FindZone(s.zone);
      if (!z || !z->routable) continue;
      Finding f;
      f.code = "zones.training-routable";
      f.message = "training plane service '" + s.name + "' sits in zone '" + z->name +
                  "', which is routable from outside";
      f.where = s.where;
      f.hint = "put the training plane on a non-routable segment (routable: false)";
      out_.push_back(std::move(f));
    }
  }

  const Estate& e_;
  EstateGraph g_;
  std::vector<Finding> out_;
};

}  // namespace

std::string_view ToString(Plane p) {
  switch (p) {
    case Plane::kInternet:
      return "internet";
    case Plane::kIngestion:
      return "ingestion";
    case Plane::kTraining:
      return "training";
    case Plane::kInference:
      return "inference";
    case Plane::kMlops:
      return "mlops";
    case Plane::kOther:
      return "other";
  }
  return "other";
}

Plane PlaneOf(const Estate& e, const Service& s) {
  if (const auto* z = e.FindZone(s.zone)) {
    switch (z->kind) {
      case estate::ZoneKind::kIngestion:
        return Plane::kIngestion;
      case estate::ZoneKind::kTraining:
        return Plane::kTraining;
      case estate::ZoneKind::kInference:
        return Plane::kInference;
      case estate::ZoneKind::kMlops:
        return Plane::kMlops;
      case estate::ZoneKind::kInternet:
        return Plane::kInternet;
      case estate::ZoneKind::kOther:
        break;
    }
  }
  switch (s.kind) {
    case ServiceKind::kCompute:
      return Plane::kTraining;
    case ServiceKind::kInference:
    case ServiceKind::kGateway:
      return Plane::kInference;
    case ServiceKind::kOrchestrator:
    case ServiceKind::kRegistry:
    case ServiceKind::kLedger:
      return Plane::kMlops;
    case ServiceKind::kEtl:
    case ServiceKind::kLabeling:
      return Plane::kIngestion;
    case ServiceKind::kStorage:
    case ServiceKind::kDatabase: {
      bool regulated = false, crown = false;
      for (const auto* a : e.AssetsOfService(s.name)) {
        if (a->kind == estate::AssetKind::kDataset &&
            a->classification == estate::Classification::kRegulated) {
          regulated = true;
        }
        if (a->crown_jewel &&
            (a->kind == estate::AssetKind::kDataset || a->kind == estate::AssetKind::kModel)) {
          crown = true;
        }
      }
      if (regulated) return Plane::kIngestion;
      if (crown) return Plane::kTraining;
      return Plane::kOther;
    }
    default:
      return Plane::kOther;
  }
}

}  // namespace rampart::zones

namespace rampart::zones {

std::vector<Finding> CheckInvariants(const estate::Estate& e) { return Checker(e).Run(); }

}  // namespace rampart::zones
