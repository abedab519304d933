#include "estate/model.h"

#include <algorithm>

namespace rampart::estate {

std::string_view ToString(ZoneKind k) {
  switch (k) {
    case ZoneKind::kInternet:
      return "internet";
    case ZoneKind::kIngestion:
      return "ingestion";
    case ZoneKind::kTraining:
      return "training";
    case ZoneKind::kInference:
      return "inference";
    case ZoneKind::kMlops:
      return "mlops";
    case ZoneKind::kOther:
      return "other";
  }
  return "other";
}

std::string_view ToString(AssetKind k) {
  switch (k) {
    case AssetKind::kDataset:
      return "dataset";
    case AssetKind::kModel:
      return "model";
    case AssetKind::kRegistry:
      return "registry";
    case AssetKind::kStorage:
      return "storage";
    case AssetKind::kSecret:
      return "secret";
  }
  return "dataset";
}

std::string_view ToString(Classification c) {
  switch (c) {
    case Classification::kPublic:
      return "public";
    case Classification::kInternal:
      return "internal";
    case Classification::kConfidential:
      return "confidential";
    case Classification::kRegulated:
      return "regulated";
  }
  return "internal";
}

std::string_view ToString(ServiceKind k) {
  switch (k) {
    case ServiceKind::kInference:
      return "inference";
    case ServiceKind::kGateway:
      return "gateway";
    case ServiceKind::kStorage:
      return "storage";
    case ServiceKind::kDatabase:
      return "database";
    case ServiceKind::kOrchestrator:
      return "orchestrator";
    case ServiceKind::kRegistry:
      return "registry";
    case ServiceKind::kEtl:
      return "etl";
    case ServiceKind::kLabeling:
      return "labeling";
    case ServiceKind::kCompute:
      return "compute";
    case ServiceKind::kLedger:
      return "ledger";
    case ServiceKind::kDns:
      return "dns";
    case ServiceKind::kOther:
      return "other";
  }
  return "other";
}

std::string_view ToString(Exposure e) { return e == Exposure::kInternet ? "internet" : "internal"; }

std::string_view ToString(InferenceProtocol p) {
  switch (p) {
    case InferenceProtocol::kOpenAi:
      return "openai";
    case InferenceProtocol::kKserveV2:
      return "kserve-v2";
    case InferenceProtocol::kTriton:
      return "triton";
  }
  return "openai";
}

std::string_view ToString(IdentityKind k) {
  switch (k) {
    case IdentityKind::kWorkload:
      return "workload";
    case IdentityKind::kServiceAccount:
      return "service-account";
    case IdentityKind::kApiClient:
      return "api-client";
    case IdentityKind::kPerson:
      return "person";
  }
  return "workload";
}

std::string_view ToString(Protocol p) {
  switch (p) {
    case Protocol::kTcp:
      return "tcp";
    case Protocol::kUdp:
      return "udp";
    case Protocol::kSctp:
      return "sctp";
  }
  return "tcp";
}

std::string PortRange::ToString() const {
  std::string s(estate::ToString(protocol));
  s += '/';
  s += std::to_string(first);
  if (last != first) s += "-" + std::to_string(last);
  return s;
}

namespace {
template <typename T>
const T* FindByName(const std::vector<T>& v, std::string_view name) {
  auto it = std::find_if(v.begin(), v.end(), [&](const T& x) { return x.name == name; });
  return it == v.end() ? nullptr : &*it;
}
}  // namespace

const Zone* Estate::FindZone(std::string_view n) const { return FindByName(zones, n); }
const Asset* Estate::FindAsset(std::string_view n) const { return FindByName(assets, n); }
const Service* Estate::FindService(std::string_view n) const { return FindByName(services, n); }
const Identity* Estate::FindIdentity(std::string_view n) const { return FindByName(identities, n); }
const Flow* Estate::FindFlow(std::string_view n) const { return FindByName(flows, n); }
const Section* Estate::FindSection(std::string_view n) const {
  auto it = sections.find(n);
  return it == sections.end() ? nullptr : &it->second;
}

const Zone* Estate::ZoneOfEndpoint(std::string_view name, EndpointKind kind) const {
  if (kind == EndpointKind::kZone) return FindZone(name);
  const Service* s = FindService(name);
  return s ? FindZone(s->zone) : nullptr;
}

std::vector<const Service*> Estate::ServicesInZone(std::string_view zone) const {
  std::vector<const Service*> out;
  for (const auto& s : services) {
    if (s.zone == zone) out.push_back(&s);
  }
  return out;
}

std::vector<const Asset*> Estate::AssetsOfService(std::string_view service) const {
  std::vector<const Asset*> out;
  for (const auto& a : assets) {
    if (a.service == service) out.push_back(&a);
  }
  return out;
}

const std::vector<std::string>& KnownSections() {
  static const std::vector<std::string> kSections = {"gateway", "ledger", "artifacts",
                                                     "zones",   "attest", "posture"};
  return kSections;
}

}  // namespace rampart::estate
