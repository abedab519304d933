// The gateway's access policy: who is calling (Authenticate), whether they
// may use this route and model (Authorize), and which rate limits apply
// (LimitsFor). Built from the estate, the GatewayConfig, the key store and an
// optional JWT verifier.
//
// Authentication, first match wins (docs/formats/gateway-config.md):
//   1. "Authorization: Bearer rk_gw_..." or "x-api-key: rk_gw_..." -> API key
//      from the key store -> the key's estate identity.
//   2. "Authorization: Bearer <JWT>" -> JwtVerifier -> "sub" names an estate
//      identity: that identity, its estate roles plus the token's roles; else
//      (only with auth.jwt_allow_unknown_subjects) identity "jwt:<sub>" with
//      the token's roles only; else 401.
//   3. no credential header, a verified client certificate: a SAN URI equal
//      to an estate identity's spiffe_id, or a DNS SAN in auth.mtls_dns.
// A credential header that is present but bad is 401 even when a client
// certificate would have authenticated: an explicit credential is never
// silently ignored.
//
// Authorization is default deny: some access rule must name the identity or
// one of its roles, the route (or "*"), and the model (or "*"); the
// repository routes also need one of admin_roles. 403 otherwise — including
// for models that do not exist, so that a caller cannot probe the estate.
//
// Thread-safety: a Policy is immutable; share it as shared_ptr<const Policy>
// and swap the pointer on reload (SIGHUP). All methods are const.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "estate/model.h"
#include "gateway/config.h"
#include "gateway/jwt.h"
#include "gateway/key_store.h"
#include "gateway/rate_limit.h"
#include "gateway/routes.h"

namespace rampart::gateway {

enum class AuthMethod : std::uint8_t { kApiKey, kJwt, kMtls };
std::string_view ToString(AuthMethod m);  // "api_key", "jwt", "mtls"

struct Principal {
  std::string identity;            // estate identity, or "jwt:<sub>"
  std::vector<std::string> roles;  // deduplicated
  AuthMethod method = AuthMethod::kApiKey;
  std::string credential_id;    // API key id, JWT subject, or the certificate SAN used
  bool estate_identity = true;  // false only for "jwt:<sub>"
};

// The credentials of one request, as views into the server's parsed request.
struct Credentials {
  std::string_view authorization;  // "Authorization" header value; "" if absent
  std::string_view api_key;        // "x-api-key" header value; "" if absent
  // Verified client-certificate identities: SAN URIs and DNS names, in
  // certificate order. Empty without mTLS.
  std::span<const std::string> peer_sans;
  // True if any credential header was present more than once (401: ambiguous).
  bool duplicated = false;
};

// Where an authorized request goes.
struct Target {
  int service = -1;  // index into routes().services(); -1 for local routes
  std::string_view service_name;
};

class Policy {
 public:
  // `keys` and `jwt` may be null (no API keys / no JWT). `jwt` must outlive
  // the Policy.
  static Result<std::shared_ptr<const Policy>> Create(const estate::Estate& estate,
                                                      const GatewayConfig& config,
                                                      std::shared_ptr<const KeyStore> keys,
                                                      const JwtVerifier* jwt);

  // 400/404/405 as RouteTable::Match.
  HttpResult<RouteMatch> MatchRoute(std::string_view method, std::string_view target) const {
    return routes_.Match(method, target);
  }

  // 401 "unauthenticated" with a reason safe to return (and a
  // WWW-Authenticate challenge is the server's: `Bearer realm="rampart"`).
  HttpResult<Principal> Authenticate(const Credentials& c,
                                     std::chrono::system_clock::time_point now) const;
  // The same into *out, which is overwritten whole; its strings and roles
  // keep their capacity (the gateway reuses one Principal per request slot).
  // nullopt: authenticated.
  std::optional<HttpError> Authenticate(const Credentials& c,
                                        std::chrono::system_clock::time_point now,
                                        Principal* out) const;

  // `model`: from the body for ModelSource::kBody routes (the server passes
  // "" when the body names none: 400 "model_required"), ignored otherwise
  // (the match carries it). 403 "forbidden"; 404 "model_not_found" only for a
  // model the principal may use but no service serves (a "*" grant).
  HttpResult<Target> Authorize(const Principal& p, const RouteMatch& m,
                               std::string_view model) const;

  // The limits that apply to this request: ("identity", p.identity) and
  // ("model", model) with their specs; keys whose spec is empty are left out.
  std::vector<std::pair<LimitKey, LimitSpec>> LimitsFor(const Principal& p,
                                                        std::string_view model) const;
  // The same into *out, replacing what it held; its elements' capacity is
  // reused (no allocation once warm).
  void LimitsFor(const Principal& p, std::string_view model,
                 std::vector<std::pair<LimitKey, LimitSpec>>* out) const;

  // Body of GET /v1/models for this principal: the OpenAI list object with
  // the openai-family models the principal may use (chat/completions/embeddings).
  std::string ModelListJson(const Principal& p) const;

  const RouteTable& routes() const { return routes_; }
  const GatewayConfig& config() const { return config_; }

  Policy(const Policy&) = delete;
  Policy& operator=(const Policy&) = delete;

  struct Impl;  // compiled access rules and identity maps (policy.cc)

 private:
  Policy() = default;
  RouteTable routes_;
  GatewayConfig config_;
  std::shared_ptr<const KeyStore> keys_;
  const JwtVerifier* jwt_ = nullptr;
  std::vector<estate::Identity> estate_identities_;  // Impl points into these
  std::shared_ptr<const Impl> impl_;
};

}  // namespace rampart::gateway
