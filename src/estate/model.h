// The estate: the map of an AI infrastructure that every pillar reads.
//
// Zones, assets, services, identities and flows, as documented in
// docs/formats/estate.md. An Estate is produced by estate::Load() (loader.h),
// which validates it; a loaded Estate is immutable and safe to share across
// threads. Every element keeps where it was defined, so later checks (zones
// invariants, gateway config) can point the user at the line to change.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "core/net.h"

namespace rampart::estate {

enum class ZoneKind { kInternet, kIngestion, kTraining, kInference, kMlops, kOther };
enum class AssetKind { kDataset, kModel, kRegistry, kStorage, kSecret };
enum class Classification { kPublic, kInternal, kConfidential, kRegulated };
enum class ServiceKind {
  kInference,  // a model server (Triton, vLLM, TGI, KServe)
  kGateway,    // Rampart's gateway or another API gateway in front of inference
  kStorage,    // object/file/block storage endpoint (S3/MinIO, NFS, Lustre)
  kDatabase,
  kOrchestrator,  // MLOps orchestrator / scheduler (Kubeflow, Airflow, Slurm head)
  kRegistry,      // model registry
  kEtl,
  kLabeling,
  kCompute,  // GPU node pool / training workers
  kLedger,   // Rampart's audit ledger
  kDns,
  kOther,
};
enum class Exposure { kInternal, kInternet };
enum class InferenceProtocol { kOpenAi, kKserveV2, kTriton };
enum class IdentityKind { kWorkload, kServiceAccount, kApiClient, kPerson };
enum class Protocol { kTcp, kUdp, kSctp };

std::string_view ToString(ZoneKind k);
std::string_view ToString(AssetKind k);
std::string_view ToString(Classification c);
std::string_view ToString(ServiceKind k);
std::string_view ToString(Exposure e);
std::string_view ToString(InferenceProtocol p);
std::string_view ToString(IdentityKind k);
std::string_view ToString(Protocol p);

// One port or an inclusive range (NCCL-style 29500-29600) with a protocol.
struct PortRange {
  std::uint16_t first = 0;
  std::uint16_t last = 0;  // == first for a single port
  Protocol protocol = Protocol::kTcp;

  bool Contains(const PortRange& o) const {
    return protocol == o.protocol && first <= o.first && o.last <= last;
  }
  bool is_range() const { return last != first; }
  std::string ToString() const;  // "tcp/8000", "tcp/29500-29600"
  friend auto operator<=>(const PortRange&, const PortRange&) = default;
};

// Kubernetes placement: namespace(s) and a pod label selector (matchLabels).
struct KubernetesSelector {
  std::vector<std::string> namespaces;
  std::map<std::string, std::string> pod_labels;
  bool empty() const { return namespaces.empty() && pod_labels.empty(); }
};

struct Zone {
  std::string name;
  ZoneKind kind = ZoneKind::kOther;
  std::string description;
  std::vector<Cidr> cidrs;
  KubernetesSelector kubernetes;
  // True if hosts outside the estate can route packets to this zone's
  // addresses (public or peered). A training plane should be false.
  bool routable = false;
  // Workloads in this zone may resolve names through the cluster DNS.
  bool dns = false;
  SourceLocation where;
};

struct Asset {
  std::string name;
  AssetKind kind = AssetKind::kDataset;
  std::string zone;
  std::string service;  // the service that stores or serves it; "" if none
  Classification classification = Classification::kInternal;
  std::vector<std::string> regulated;  // "phi", "pii", "pci" (kRegulated only)
  bool crown_jewel = false;
  std::string description;
  SourceLocation where;
};

struct InferenceSpec {
  InferenceProtocol protocol = InferenceProtocol::kOpenAi;
  std::vector<std::string> models;  // model names the server exposes
};

struct Service {
  std::string name;
  std::string zone;
  ServiceKind kind = ServiceKind::kOther;
  std::string description;
  std::vector<PortRange> ports;
  Exposure exposure = Exposure::kInternal;
  std::optional<InferenceSpec> inference;
  std::string upstream;         // "http://10.30.0.10:8000": where a gateway forwards
  std::vector<Cidr> addresses;  // the service's own addresses within its zone
  KubernetesSelector kubernetes;
  std::string identity;  // the estate identity the service runs as; "" if none
  SourceLocation where;
};

struct Identity {
  std::string name;
  IdentityKind kind = IdentityKind::kWorkload;
  std::vector<std::string> roles;
  std::string spiffe_id;  // for mTLS mapping; "" if none
  std::string description;
  SourceLocation where;
};

// A flow endpoint names a service or a zone.
enum class EndpointKind { kService, kZone };

struct Flow {
  std::string name;  // stable id; generated as "<from>-to-<to>" when omitted
  std::string from;
  EndpointKind from_kind = EndpointKind::kService;
  std::string to;
  EndpointKind to_kind = EndpointKind::kService;
  std::vector<PortRange> ports;  // empty in the file = every port of `to`
  std::string identity;          // the identity the flow authenticates as
  std::string purpose;
  SourceLocation where;
};

// A pillar's own section of the estate ("gateway:", "ledger:"), kept raw for
// the pillar to read with its own schema.
struct Section {
  YAML::Node node;
  std::string file;
};

struct Estate {
  std::string name;
  std::vector<std::string> files;  // the files it was loaded from, in order
  std::vector<Zone> zones;
  std::vector<Asset> assets;
  std::vector<Service> services;
  std::vector<Identity> identities;
  std::vector<Flow> flows;
  std::map<std::string, Section, std::less<>> sections;

  const Zone* FindZone(std::string_view name) const;
  const Asset* FindAsset(std::string_view name) const;
  const Service* FindService(std::string_view name) const;
  const Identity* FindIdentity(std::string_view name) const;
  const Flow* FindFlow(std::string_view name) const;
  const Section* FindSection(std::string_view name) const;

  // The zone a flow endpoint lives in (the service's zone, or the zone itself).
  const Zone* ZoneOfEndpoint(std::string_view name, EndpointKind kind) const;
  std::vector<const Service*> ServicesInZone(std::string_view zone) const;
  std::vector<const Asset*> AssetsOfService(std::string_view service) const;
};

// Names of the pillar sections an estate may carry.
const std::vector<std::string>& KnownSections();

}  // namespace rampart::estate
