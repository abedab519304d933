// The key broker (docs/formats/kbs-protocol.md): sessions and nonces, evidence
// verification through a set of EvidenceVerifiers, per-resource policies, and
// the release of a sealed model's data key wrapped to the attested TEE's key.
// Every release and refusal is an audit event (key.released / key.refused).
//
// The broker knows nothing of HTTP: kbs_server.h serves it. Its state
// (sessions, tokens) is in memory, bounded by BrokerLimits.
//
// Thread-safety: every method is thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "attest/evidence.h"
#include "core/audit_sink.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/diagnostic.h"
#include "core/http/error.h"
#include "core/node_state.h"
#include "core/status.h"
#include "core/tls.h"
#include "estate/model.h"

namespace rampart::attest {

struct BrokerLimits {
  std::size_t max_body_bytes = 1u << 20;  // an attest request (evidence included)
  std::size_t max_sessions = 10000;       // open sessions and live tokens, each
  std::chrono::seconds nonce_ttl{300};    // a session's nonce must be used within this
  std::chrono::seconds token_ttl{300};    // an attestation token's life
};

struct ResourcePolicy {
  std::string id;
  std::vector<TeeType> tee;  // accepted; sample only when listed
  std::map<std::string, std::vector<std::string>> measurements;  // name -> any of (lower hex)
  TcbStatus min_tcb = TcbStatus::kUpToDate;                      // worst accepted
  bool allow_debug = false;
  std::string serving_image;         // claims attribute "serving_image" must equal, when set
  std::string model_digest;          // the sealed manifest's root digest must equal, when set
  std::filesystem::path signer_key;  // the model's OMS signature must be by this key, when set
  bool require_gpu = false;
  std::vector<TeeType> gpu_tee = {TeeType::kNvidiaGpu};
  // The TEE's node (claims attribute "node", else the attest request's "node")
  // must be enrolled and attested by the node verifier (core/node_state.h):
  // a node whose measured boot drifted receives no key.
  bool require_attested_node = false;
};

struct BrokerResource {
  std::string path;    // repo/type/tag
  std::string policy;  // a ResourcePolicy id
  std::filesystem::path sealed;
  std::filesystem::path
      signature;             // the model's OMS bundle (rampart sign), when a policy names a signer
  std::string model_digest;  // root digest of the sealed model
  std::vector<std::uint8_t> secret;  // what is released: the data key
};

struct BrokerConfig {
  BrokerLimits limits;
  std::map<std::string, ResourcePolicy, std::less<>> policies;
  std::map<std::string, BrokerResource, std::less<>> resources;
  std::filesystem::path kek_file;
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8443;
  tls::ServerOptions tls;
  bool insecure_http = false;        // plain HTTP, loopback only (development)
  std::filesystem::path sample_key;  // pins the sample TEE's evidence key (development)
  // Pinned roots of the hardware verifiers (attest.roots); a TEE type whose
  // roots are not set has no verifier. Collateral (VCEK, TCB info, QE
  // identity, CRLs, RIMs) is read from collateral_dir, never fetched.
  struct Roots {
    std::filesystem::path snp;            // ARK/ASK bundle(s), PEM
    std::filesystem::path dcap;           // Intel SGX root CA, PEM (SGX and TDX)
    std::filesystem::path nvidia_device;  // NVIDIA device identity root, PEM
    std::filesystem::path nvidia_rim;     // NVIDIA RIM signing root, PEM
  } roots;
  std::filesystem::path collateral_dir;
  // Node attestation state the broker gates on (attest.nodes): the enrolled
  // nodes' registry and their golden values; the CLI runs the verifier loop.
  struct Nodes {
    std::filesystem::path registry;
    std::filesystem::path policy;
    std::chrono::seconds interval{60};
    std::string metrics;  // HOST:PORT of the loop's /metrics listener; empty: none
  } nodes;
};

// Checks an OMS signature bundle (docs/formats/oms.md) made by `signer_key`
// over exactly `files` (canonical path -> sha256 hex) and describes the
// signer; PermissionDenied naming what differs. The artifacts pillar
// implements OMS, so the CLI wires this in.
using ModelSignatureCheck = std::function<Result<std::string>(
    std::string_view bundle_json, const std::map<std::string, std::string>& files,
    const std::filesystem::path& signer_key)>;

// Reads the `attest:` section (the estate's, or a policy file's root
// mapping): paths relative to `base_dir`. Loads the KEK, reads each sealed
// manifest, unwraps and MAC-checks its data key, checks model digests.
// Diagnostics name the file and line.
std::optional<BrokerConfig> ReadBrokerConfig(const YAML::Node& node, const std::string& file,
                                             const std::filesystem::path& base_dir,
                                             Diagnostics* diags,
                                             const ModelSignatureCheck& check_signature = {});

using VerifierSet = std::map<TeeType, std::shared_ptr<const EvidenceVerifier>>;

class KeyBroker {
 public:
  // `audit` may be null (no ledger); `clock` must outlive the broker.
  KeyBroker(BrokerConfig config, VerifierSet verifiers, std::shared_ptr<AuditSink> audit,
            const Clock* clock);

  struct AuthReply {
    std::string session_id;
    std::string body;  // {"nonce": ..., "extra-params": ""}
  };
  http::HttpResult<AuthReply> Auth(std::string_view body);
  // The token reply body, or the refusal. `session_id` from the cookie.
  http::HttpResult<std::string> Attest(std::string_view session_id, std::string_view body);
  // The JWE body for `path` ("repo/type/tag"), or the refusal.
  http::HttpResult<std::string> Resource(std::string_view bearer_token, std::string_view path);

  const BrokerConfig& config() const { return config_; }
  // Where require_attested_node policies read node state; set before
  // serving. Without it such policies refuse every release (fail closed).
  void SetNodeStates(std::shared_ptr<const NodeStateReader> nodes) { nodes_ = std::move(nodes); }
  std::size_t sessions() const;

 private:
  struct Session {
    std::string nonce;
    TeeType tee;
    Clock::SystemTime expires;
    bool used = false;
  };
  struct Attested {
    Claims claims;
    std::vector<Claims> gpu;
    crypto::PublicKey key;
    std::string thumbprint;
    Clock::SystemTime expires;
    std::string node;  // the node the TEE runs on, when named
  };

  http::HttpError Refuse(int status, std::string code, std::string message, std::string_view key_id,
                         const Claims* claims, std::string_view to, std::string_view policy);
  void Record(bool released, std::string_view key_id, const Claims* claims, std::string_view to,
              std::string_view policy, std::string_view reason);
  std::optional<std::string> CheckPolicy(const ResourcePolicy& p, const BrokerResource& r,
                                         const Attested& a) const;
  void Expire();

  BrokerConfig config_;
  VerifierSet verifiers_;
  std::shared_ptr<AuditSink> audit_;
  std::shared_ptr<const NodeStateReader> nodes_;
  const Clock* clock_;
  crypto::PrivateKey token_key_;
  mutable std::mutex mu_;
  std::map<std::string, Session, std::less<>> sessions_;
  std::map<std::string, std::shared_ptr<const Attested>, std::less<>> tokens_;
};

}  // namespace rampart::attest
