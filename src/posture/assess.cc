#include "posture/assess.h"

#include <algorithm>
#include <set>

#include "core/crypto.h"
#include "core/encoding.h"

namespace rampart::posture {

namespace {

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

State Worst(State a, State b) { return Severity(a) >= Severity(b) ? a : b; }

}  // namespace

int Assessment::Count(State s) const {
  int n = 0;
  for (const auto& c : cells) n += c.state == s;
  return n;
}

int Assessment::EssentialNotPassing() const {
  int n = 0;
  for (const auto& c : cells)
    n += c.cell->importance == Importance::kEssential && c.state != State::kPass &&
         c.state != State::kNotApplicable;
  return n;
}

const CheckResult* Assessment::FindCheck(std::string_view id) const {
  for (const auto& c : checks)
    if (c.check->id == id) return &c;
  return nullptr;
}

bool LayerApplies(const Layer& layer, const estate::Estate& e) {
  const AppliesWhen& w = layer.applies_when;
  if (w.always) return true;
  for (const auto& a : e.assets)
    if (Contains(w.asset_kinds, estate::ToString(a.kind))) return true;
  for (const auto& s : e.services)
    if (Contains(w.service_kinds, estate::ToString(s.kind))) return true;
  for (const auto& z : e.zones)
    if (Contains(w.zone_kinds, estate::ToString(z.kind))) return true;
  return false;
}

Evidence CheckFlowIdentities(const estate::Estate& e, const std::string& time) {
  // The services a flow must authenticate into: those holding assets, and
  // compute (training workers).
  auto guarded = [&](const estate::Service& s) {
    return s.kind == estate::ServiceKind::kCompute || !e.AssetsOfService(s.name).empty();
  };
  std::vector<Detail> details;
  for (const auto& f : e.flows) {
    std::vector<const estate::Service*> targets;
    if (f.to_kind == estate::EndpointKind::kService) {
      if (const auto* s = e.FindService(f.to)) targets.push_back(s);
    } else {
      targets = e.ServicesInZone(f.to);
    }
    for (const auto* s : targets) {
      if (!guarded(*s)) continue;
      const estate::Identity* id = f.identity.empty() ? nullptr : e.FindIdentity(f.identity);
      if (!id) {
        details.push_back(
            {"flow " + f.name + " reaches " + s->name + " with no identity", f.where});
      } else if (id->kind != estate::IdentityKind::kWorkload &&
                 id->kind != estate::IdentityKind::kServiceAccount) {
        details.push_back({"flow " + f.name + " reaches " + s->name + " as " +
                               std::string(estate::ToString(id->kind)) + " '" + id->name +
                               "', not a workload or service account",
                           f.where});
      }
      break;  // one detail per flow
    }
  }
  State st = details.empty() ? State::kPass : State::kFail;
  std::string reason = details.empty() ? ""
                                       : std::to_string(details.size()) +
                                             " flow(s) into protected services "
                                             "without a workload identity";
  return LiveEvidence("estate.flow-identities", "estate flows", time, st, std::move(reason),
                      std::move(details));
}

std::string EstateDigest(const std::vector<std::string>& file_contents) {
  std::string all;
  for (const auto& c : file_contents) all += c;
  return "sha256:" + HexEncode(crypto::Sha256(all));
}

Assessment Assess(const Controls& controls, const estate::Estate& e, std::string estate_digest,
                  std::string time, std::vector<Evidence> evidence) {
  Assessment a;
  a.controls = &controls;
  a.estate_name = e.name;
  a.estate_files = e.files;
  a.estate_digest = std::move(estate_digest);
  a.time = time;
  for (const auto& l : controls.layers) a.layer_applies.push_back(LayerApplies(l, e));
  for (const auto& c : controls.checks) {
    if (c.source == CheckSource::kEstate && c.id == "estate.flow-identities")
      evidence.push_back(CheckFlowIdentities(e, time));
  }
  for (const auto& c : controls.checks) {
    CheckResult r;
    r.check = &c;
    for (const auto& ev : evidence)
      if (ev.check == c.id) r.evidence.push_back(ev);
    if (r.evidence.empty()) {
      r.state = State::kMissing;
    } else {
      r.state = State::kNotApplicable;
      for (const auto& ev : r.evidence) r.state = Worst(r.state, ev.state);
    }
    a.checks.push_back(std::move(r));
  }
  for (auto& ev : evidence)
    if (ev.check.empty() || !controls.FindCheck(ev.check)) a.unattributed.push_back(ev);
  for (const auto& cell : controls.cells) {
    CellResult r;
    r.cell = &cell;
    std::size_t li = 0;
    while (li < controls.layers.size() && controls.layers[li].id != cell.layer) ++li;
    if (li < a.layer_applies.size() && !a.layer_applies[li]) {
      r.state = State::kNotApplicable;
    } else {
      r.state = State::kNotApplicable;
      for (const auto& id : cell.checks)
        if (const auto* cr = a.FindCheck(id)) r.state = Worst(r.state, cr->state);
    }
    a.cells.push_back(r);
  }
  return a;
}

}  // namespace rampart::posture
