#include "gateway/jwt.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/json.h"
#include "gateway/jwks.h"

namespace rampart::gateway {
namespace {

// Real tokens are a few hundred bytes to a few KiB; anything larger is
// refused before any decoding or JSON parsing happens.
constexpr std::size_t kMaxTokenBytes = 16 * 1024;
// Skew beyond this is a misconfiguration, not a clock problem.
constexpr std::chrono::seconds kMaxSkew{3600};
// NumericDate upper bound: what system_clock can hold (nanoseconds since
// 1970: year 2262), less room for adding the skew, so no conversion or
// comparison overflows.
constexpr double kMaxNumericDate = static_cast<double>(
    std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::duration::max())
        .count() -
    2 * kMaxSkew.count());

Status Reject(std::string reason) { return UnauthenticatedError(std::move(reason)); }

// Strict base64url for JWS segments (RFC 7515 §2): no padding, URL-safe
// alphabet only; the core decoder also refuses non-canonical trailing bits,
// so each token has exactly one encoding.
std::optional<crypto::Bytes> DecodeSegment(std::string_view s) {
  if (s.empty() || s.size() % 4 == 1) return std::nullopt;
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return std::nullopt;
  }
  auto bytes = Base64UrlDecode(s);
  if (!bytes) return std::nullopt;
  return std::move(*bytes);
}

std::optional<json::object> ParseObject(const crypto::Bytes& bytes) {
  JsonLimits limits;
  limits.max_bytes = kMaxTokenBytes;
  limits.max_depth = 16;
  auto v = ParseJson(crypto::AsString(bytes), limits);
  if (!v || !v->is_object()) return std::nullopt;
  return std::move(v->as_object());
}

bool SupportedAlgorithm(std::string_view alg) {
  return alg == "RS256" || alg == "ES256" || alg == "EdDSA";
}

bool KeyFits(std::string_view alg, crypto::KeyType t) {
  return (alg == "RS256" && t == crypto::KeyType::kRsa) ||
         (alg == "ES256" && t == crypto::KeyType::kEcdsaP256) ||
         (alg == "EdDSA" && t == crypto::KeyType::kEd25519);
}

// "typ" is optional (RFC 7519 §5.1); when present it must say JWT so that
// other JWS objects signed by the same issuer (logout tokens, DPoP proofs)
// are not accepted as access tokens.
bool AcceptableTyp(std::string_view typ) {
  std::string t(typ);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  if (t.starts_with("application/")) t = t.substr(12);
  return t == "jwt" || t == "at+jwt";
}

// A NumericDate claim: absent => nullopt; present but not a finite number in
// range => error.
Result<std::optional<std::chrono::system_clock::time_point>> NumericDate(const json::object& o,
                                                                         std::string_view name) {
  auto it = o.find(name);
  if (it == o.end()) return std::optional<std::chrono::system_clock::time_point>();
  const json::value& v = it->value();
  double d;
  if (v.is_int64()) {
    d = static_cast<double>(v.as_int64());
  } else if (v.is_uint64()) {
    d = static_cast<double>(v.as_uint64());
  } else if (v.is_double()) {
    d = v.as_double();
  } else {
    return Reject("invalid \"" + std::string(name) + "\" claim");
  }
  if (!std::isfinite(d) || d < 0 || d > kMaxNumericDate) {
    return Reject("invalid \"" + std::string(name) + "\" claim");
  }
  auto ms = std::chrono::milliseconds(static_cast<std::int64_t>(std::floor(d * 1000)));
  return std::optional(std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(ms)));
}

bool Contains(const std::vector<std::string>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

void AddRole(std::vector<std::string>& roles, std::string_view r) {
  if (!r.empty() && !Contains(roles, r)) roles.emplace_back(r);
}

}  // namespace

JwtVerifier::JwtVerifier(JwtPolicy policy, std::shared_ptr<const JwkSet> keys)
    : policy_(std::move(policy)), keys_(std::move(keys)) {}

void JwtVerifier::SetKeys(std::shared_ptr<const JwkSet> keys) {
  std::atomic_store(&keys_, std::move(keys));
}

void JwtVerifier::SetUnknownKidHook(std::function<void()> hook) {
  unknown_kid_hook_ = std::move(hook);
}

Result<JwtPrincipal> JwtVerifier::Verify(std::string_view token,
                                         std::chrono::system_clock::time_point now) const {
  if (token.size() > kMaxTokenBytes) return Reject("token too large");
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Reject("malformed token: expected three dot-separated parts");
  }
  const std::string_view header_b64 = token.substr(0, dot1);
  const std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_b64 = token.substr(dot2 + 1);

  // ---- Header: decides the key and algorithm, so it is checked first and
  // strictly; the payload is parsed only after the signature verifies.
  auto header_bytes = DecodeSegment(header_b64);
  if (!header_bytes) return Reject("malformed token: header is not base64url");
  auto header = ParseObject(*header_bytes);
  if (!header) return Reject("malformed token: header is not a JSON object");
  auto alg_it = header->find("alg");
  if (alg_it == header->end() || !alg_it->value().is_string()) {
    return Reject("malformed token: header has no \"alg\"");
  }
  const std::string_view alg = alg_it->value().as_string();
  // "none" and HMAC are never accepted, whatever the policy says: HS* with a
  // public key as the secret is the classic algorithm-confusion forgery.
  if (!SupportedAlgorithm(alg) || !Contains(policy_.algorithms, alg)) {
    return Reject("algorithm not allowed");
  }
  if (header->contains("crit")) return Reject("unsupported critical header");
  std::string_view kid;
  if (auto it = header->find("kid"); it != header->end()) {
    if (!it->value().is_string()) return Reject("malformed token: \"kid\" is not a string");
    kid = it->value().as_string();
  }
  if (auto it = header->find("typ"); it != header->end()) {
    if (!it->value().is_string() || !AcceptableTyp(it->value().as_string())) {
      return Reject("token type not accepted");
    }
  }

  // ---- Key and signature.
  std::shared_ptr<const JwkSet> keys = std::atomic_load(&keys_);
  const Jwk* jwk = keys ? keys->Find(kid) : nullptr;
  if (jwk == nullptr) {
    if (kid.empty()) return Reject("token has no kid");
    if (unknown_kid_hook_) unknown_kid_hook_();
    return Reject("unknown kid");
  }
  if (jwk->alg != alg || !KeyFits(alg, jwk->key.type())) {
    return Reject("algorithm does not match key");
  }
  auto signature = DecodeSegment(signature_b64);
  if (!signature) return Reject("malformed token: signature is not base64url");
  const std::string_view signing_input = token.substr(0, dot2);
  Status sig = jwk->key.Verify(crypto::AsBytes(signing_input), *signature,
                               crypto::SignatureFormat::kRaw, crypto::HashAlgorithm::kSha256);
  if (!sig.ok()) return Reject("bad signature");

  // ---- Claims (RFC 7519 §4.1).
  auto payload_bytes = DecodeSegment(payload_b64);
  if (!payload_bytes) return Reject("malformed token: payload is not base64url");
  auto claims = ParseObject(*payload_bytes);
  if (!claims) return Reject("malformed token: claims are not a JSON object");

  const auto skew = std::clamp(policy_.max_clock_skew, std::chrono::seconds(0), kMaxSkew);
  RAMPART_ASSIGN_OR_RETURN(auto exp, NumericDate(*claims, "exp"));
  if (!exp) return Reject("token has no expiry");
  if (now >= *exp + skew) return Reject("token expired");
  RAMPART_ASSIGN_OR_RETURN(auto nbf, NumericDate(*claims, "nbf"));
  if (nbf && now + skew < *nbf) return Reject("token not yet valid");
  RAMPART_ASSIGN_OR_RETURN(auto iat, NumericDate(*claims, "iat"));
  if (iat && now + skew < *iat) return Reject("token issued in the future");

  JwtPrincipal p;
  p.expires = *exp;
  if (auto it = claims->find("iss"); it != claims->end()) {
    if (!it->value().is_string()) return Reject("invalid \"iss\" claim");
    p.issuer = std::string(it->value().as_string());
  }
  // A listed issuer is always checked; none listed accepts nothing unless
  // the policy opts out explicitly.
  if ((!policy_.allow_any_issuer || !policy_.issuers.empty()) &&
      !Contains(policy_.issuers, p.issuer)) {
    return Reject("issuer not accepted");
  }

  if (!policy_.allow_any_audience || !policy_.audiences.empty()) {
    auto it = claims->find("aud");
    if (it == claims->end()) return Reject("audience not accepted");
    bool match = false;
    if (it->value().is_string()) {
      match = Contains(policy_.audiences, it->value().as_string());
    } else if (it->value().is_array()) {
      for (const json::value& a : it->value().as_array()) {
        if (!a.is_string()) return Reject("invalid \"aud\" claim");
        if (Contains(policy_.audiences, a.as_string())) match = true;
      }
    } else {
      return Reject("invalid \"aud\" claim");
    }
    if (!match) return Reject("audience not accepted");
  }

  // The subject is what the gateway maps to an estate identity; a token
  // without one identifies nobody.
  auto sub = claims->find("sub");
  if (sub == claims->end() || !sub->value().is_string() || sub->value().as_string().empty()) {
    return Reject("token has no subject");
  }
  p.subject = std::string(sub->value().as_string());

  if (!policy_.roles_claim.empty() && policy_.roles_claim != "scope") {
    if (auto it = claims->find(policy_.roles_claim); it != claims->end()) {
      if (!it->value().is_array()) return Reject("invalid roles claim");
      for (const json::value& r : it->value().as_array()) {
        if (!r.is_string()) return Reject("invalid roles claim");
        AddRole(p.roles, r.as_string());
      }
    }
  }
  const bool scope_roles = policy_.scope_roles || policy_.roles_claim == "scope";
  if (auto it = claims->find("scope"); scope_roles && it != claims->end()) {
    if (!it->value().is_string()) return Reject("invalid \"scope\" claim");
    std::string_view scope = it->value().as_string();
    while (!scope.empty()) {
      std::size_t sp = scope.find(' ');
      AddRole(p.roles, scope.substr(0, sp));
      if (sp == std::string_view::npos) break;
      scope.remove_prefix(sp + 1);
    }
  }
  return p;
}

}  // namespace rampart::gateway
