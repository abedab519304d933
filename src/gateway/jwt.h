// JWT bearer tokens (RFC 7519) signed as compact JWS (RFC 7515) with RS256,
// ES256 or EdDSA, checked against a JWK set (jwks.h).
//
// Verify() does no I/O: the key set is swapped in by a JwksRefresher. "none",
// HS* and any algorithm outside JwtPolicy::algorithms are refused, as is a
// token whose header "alg" disagrees with the key's type.
//
// Thread-safety: Verify and SetKeys may be called concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace rampart::gateway {

class JwkSet;

// Fails closed: a policy with no issuers (audiences) accepts no token unless
// allow_any_issuer (allow_any_audience) says so explicitly, because a token
// the same identity provider minted for another application is otherwise
// indistinguishable from one minted for the gateway.
struct JwtPolicy {
  std::vector<std::string> issuers;    // accepted "iss"
  std::vector<std::string> audiences;  // "aud" (string or array) must contain one
  bool allow_any_issuer = false;       // with issuers empty: skip the "iss" check
  bool allow_any_audience = false;     // with audiences empty: skip the "aud" check
  std::chrono::seconds max_clock_skew{60};
  std::vector<std::string> algorithms = {"RS256", "ES256", "EdDSA"};
  std::string roles_claim = "roles";  // array of strings
  // Also take roles from the space-separated "scope" claim (OAuth scopes are
  // often granted by the user, not the administrator). Implied by
  // roles_claim == "scope".
  bool scope_roles = false;
};

struct JwtPrincipal {
  std::string subject;  // "sub"
  std::string issuer;   // "iss"
  std::vector<std::string> roles;
  std::chrono::system_clock::time_point expires;
};

class JwtVerifier {
 public:
  JwtVerifier(JwtPolicy policy, std::shared_ptr<const JwkSet> keys);
  // Replaces the key set atomically (JWKS refresh, kid rotation).
  void SetKeys(std::shared_ptr<const JwkSet> keys);
  // Called (outside any lock) when a token names a kid the set lacks, so a
  // refresher can fetch early. Set before serving starts.
  void SetUnknownKidHook(std::function<void()> hook);
  // Unauthenticated with a short reason that is safe to return to a client
  // ("token expired", "unknown kid", "bad signature", "algorithm not allowed").
  Result<JwtPrincipal> Verify(std::string_view compact_jws,
                              std::chrono::system_clock::time_point now) const;

 private:
  JwtPolicy policy_;
  std::shared_ptr<const JwkSet> keys_;  // accessed with std::atomic_load/store
  std::function<void()> unknown_kid_hook_;
};

}  // namespace rampart::gateway
