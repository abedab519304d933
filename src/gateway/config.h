// The gateway's configuration: the estate's `gateway:` section
// (docs/formats/gateway-config.md) over embedded defaults, read with
// YamlFields so every problem carries file:line:col. An estate with a service
// of kind `gateway` and no `gateway:` section runs on defaults (which deny
// every request until an access rule grants something).
//
// A GatewayConfig is a plain value: build it once per (re)load and share it
// read-only between threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "core/status.h"
#include "estate/model.h"
#include "gateway/jwt.h"
#include "gateway/rate_limit.h"

namespace rampart::gateway {

// The public listener.
struct ListenerConfig {
  std::string host;            // default: the --bind host
  std::uint16_t port = 8080;   // default: the estate's gateway service's first port, else 8080
  bool port_explicit = false;  // `listen:` given: a busy port is an error
  // TLS termination; both empty = plain HTTP.
  std::filesystem::path tls_cert;
  std::filesystem::path tls_key;
  // mTLS: CA bundle client certificates are verified against.
  std::filesystem::path client_ca;
  bool require_client_cert = false;  // only with client_ca
  bool tls() const { return !tls_cert.empty(); }
};

// The admin listener: /metrics (Prometheus text) and health of the gateway.
struct AdminListenerConfig {
  bool enabled = true;
  std::string host = "127.0.0.1";
  std::uint16_t port = 9464;
};

// Where requests for one estate inference service are forwarded.
struct UpstreamConfig {
  std::string service;  // estate service name
  std::string url;      // "http(s)://host:port[/base]"; "" = none configured (stand-in may apply)
  // Parsed from url (empty/0 when url is empty).
  std::string scheme;      // "http" | "https"
  std::string host;        // without brackets for IPv6
  std::uint16_t port = 0;  // default 80/443 by scheme
  std::string base_path;   // "" or "/prefix" (no trailing '/'), prepended to the request path
  std::filesystem::path ca_file;      // https: CA bundle; "" = system roots
  std::filesystem::path client_cert;  // https: optional client certificate (mTLS upstream)
  std::filesystem::path client_key;
  std::string server_name;  // TLS SNI / verified name; default host
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds response_timeout{60000};  // until response headers
  std::size_t pool_size = 64;                         // idle keep-alive connections kept
  // gRPC (inference.GRPCInferenceService) goes over HTTP/2 to its own port:
  // "h2c://host:port" (cleartext, prior knowledge) or "https://host:port"
  // (TLS, ALPN h2; ca_file, client_cert and server_name apply). "": the
  // service takes no gRPC (the gateway answers UNAVAILABLE).
  std::string grpc_url;
  std::string grpc_host;
  std::uint16_t grpc_port = 0;
  bool grpc_tls = false;
};

// Limits protecting the gateway process itself.
struct ProtectionConfig {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  std::chrono::milliseconds header_read_timeout{10000};  // slowloris bound
  std::chrono::milliseconds body_read_timeout{30000};
  std::chrono::milliseconds idle_timeout{60000};  // keep-alive connection idle
  std::size_t max_connections = 10000;
  // Per client address, before authentication (0: off): open connections,
  // and requests per second with their burst (an in-process token bucket per
  // gateway replica, whichever rate-limit backend the identities use).
  std::size_t max_connections_per_ip = 0;
  double requests_per_second_per_ip = 0;
  std::uint32_t burst_per_ip = 0;  // 0: max(1, requests_per_second_per_ip)
};

enum class RateLimitBackend { kLocal, kRedis };

struct RateLimitConfig {
  RateLimitBackend backend = RateLimitBackend::kLocal;
  std::string redis_url;  // backend redis: "redis://host:port[/db]"
  std::string redis_key_prefix = "rampart:rl:";
  std::chrono::milliseconds redis_timeout{50};  // the deadline of one decision
  std::size_t redis_max_pending = 1024;         // decisions waiting per gateway thread
  std::chrono::seconds redis_slot_ttl{300};     // a concurrency slot's lifetime at most
  bool fail_open = false;                       // Redis down: deny (503) unless true
  // Specs by name. An identity's spec: identities[name], else the first of its
  // roles (in estate order) found in roles, else default_identity.
  std::map<std::string, LimitSpec, std::less<>> identities;
  std::map<std::string, LimitSpec, std::less<>> roles;
  std::map<std::string, LimitSpec, std::less<>> models;  // else default_model
  LimitSpec default_identity;
  LimitSpec default_model;
  std::uint64_t default_max_tokens = 256;  // estimate when a request names no max_tokens
};

struct AuthConfig {
  bool api_keys = true;             // accept API keys from the key store
  std::filesystem::path keys_file;  // default <var>/gateway-keys.json
  std::string jwks;                 // JWKS file path or http(s):// URL; "" = no JWT
  std::chrono::seconds jwks_refresh{300};
  JwtPolicy jwt;
  // JWT "sub" that is not an estate identity: accepted with the token's roles
  // only (identity "jwt:<sub>") when true, refused (401) when false.
  bool jwt_allow_unknown_subjects = false;
  bool mtls = true;  // accept a verified client certificate as an identity
  // Client-certificate DNS SAN -> estate identity (SAN URIs map by spiffe_id).
  std::map<std::string, std::string, std::less<>> mtls_dns;
};

// One `access:` rule: who (identities and/or roles) may use which models
// through which routes. "*" in models or routes means any (route "*" does not
// include the model-repository routes; name them: "repository").
struct AccessRule {
  std::string name;  // optional label, for diagnostics and the audit trail
  std::vector<std::string> identities;
  std::vector<std::string> roles;
  std::vector<std::string> models;  // default ["*"]
  std::vector<std::string> routes;  // route names (routes.h RouteName), default ["*"]
  SourceLocation where;
};

// What the gateway does when an audit record cannot be kept: `kDrop` serves
// the request and counts the record as dropped; `kReject` refuses requests
// (503 audit_unavailable) while the audit queue is full or the ledger has
// refused a batch `retry_max_attempts` times in a row, so nothing is served
// unaudited.
enum class AuditFailureMode { kDrop, kReject };

struct AuditConfig {
  bool enabled = true;
  std::size_t batch_size = 256;
  std::chrono::milliseconds window{1000};  // flush at least this often
  bool prompt_digest = false;              // record SHA-256 of the request body (never the text)
  // Default: kReject when the estate holds a `regulated` asset, else kDrop.
  AuditFailureMode on_failure = AuditFailureMode::kDrop;
  std::size_t max_pending = 100000;  // records waiting for the ledger (the memory bound)
  int retry_max_attempts = 5;        // a batch the sink refuses, before it counts as failed
  std::chrono::milliseconds retry_max_delay{5000};  // backoff cap between attempts
};

enum class AccessLogMode { kOff, kStdout, kFile };

struct AccessLogConfig {
  AccessLogMode mode = AccessLogMode::kStdout;
  std::filesystem::path file;  // mode kFile
};

struct GatewayConfig {
  ListenerConfig listener;
  AdminListenerConfig admin;
  int threads = 0;  // 0 = one per core
  // One entry per estate service with `inference:`, keyed by service name;
  // defaulted from Service.upstream and overridden by `upstreams:`.
  std::map<std::string, UpstreamConfig, std::less<>> upstreams;
  ProtectionConfig protection;
  RateLimitConfig rate_limits;
  AuthConfig auth;
  std::vector<AccessRule> access;  // default: empty = deny everything
  // Roles that may use the model-repository (load/unload) routes.
  std::vector<std::string> admin_roles = {"admin"};
  AuditConfig audit;
  AccessLogConfig access_log;
  // Send every inference service to a clearly named in-process stand-in
  // OpenAI-compatible upstream (the tour); no configured upstream is probed
  // or contacted. Off by default; never in production.
  bool standin = false;
  std::filesystem::path var_dir;
};

// Defaults for an estate (listener port from the estate's gateway service,
// upstreams from the inference services, key store under var_dir).
GatewayConfig DefaultGatewayConfig(const estate::Estate& e, const std::filesystem::path& var_dir,
                                   const std::string& bind_host);

// Applies the `gateway:` section of `e` (if any) over the defaults. Problems
// (unknown keys, wrong types, unknown identities/roles/models/services) go to
// `diags` with file:line:col; InvalidArgument if any of them is an error.
Result<GatewayConfig> LoadGatewayConfig(const estate::Estate& e,
                                        const std::filesystem::path& var_dir,
                                        const std::string& bind_host, Diagnostics* diags);

// Parses "http(s)://host[:port][/base]" into `u` (scheme, host, port, base_path).
Status ParseUpstreamUrl(std::string_view url, UpstreamConfig* u);
// Parses "h2c://host:port" or "https://host:port" into u->grpc_*.
Status ParseGrpcUpstreamUrl(std::string_view url, UpstreamConfig* u);

}  // namespace rampart::gateway
