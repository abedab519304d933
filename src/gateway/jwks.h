// JSON Web Key sets (RFC 7517/7518/8037) for JWT verification: RSA (n, e;
// at least 2048 bits), EC P-256 (x, y) and OKP Ed25519 (x), indexed by "kid".
// Keys with "use" other than "sig", unknown "kty"/"crv" or bad parameters are
// refused with a message naming the key.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/crypto.h"
#include "core/status.h"

namespace rampart::gateway {

class JwtVerifier;

struct Jwk {
  std::string kid;
  std::string alg;  // the JWS alg this key is for: "RS256", "ES256", "EdDSA"
  crypto::PublicKey key;
};

class JwkSet {
 public:
  explicit JwkSet(std::vector<Jwk> keys) : keys_(std::move(keys)) {}
  // nullptr if no key has this kid. With an empty kid, the only key of a
  // one-key set, else nullptr.
  const Jwk* Find(std::string_view kid) const;
  std::size_t size() const { return keys_.size(); }

 private:
  std::vector<Jwk> keys_;
};

Result<std::shared_ptr<const JwkSet>> ParseJwks(std::string_view json);
Result<std::shared_ptr<const JwkSet>> LoadJwksFile(const std::filesystem::path& path);

// Whether `source` may serve the keys that decide who is authenticated:
// https:// URLs, file paths and file:// URLs are accepted. Plain http:// is
// accepted only for a loopback host (127.0.0.0/8, ::1, localhost), and then
// *plain_http (if given) is set so the caller logs a warning; any other
// http:// host or scheme is InvalidArgument saying what to use instead.
Status CheckJwksSource(std::string_view source, bool* plain_http = nullptr);

// Keeps a verifier's keys current from a file path or an https:// URL (see
// CheckJwksSource; Start refuses what it refuses):
// refreshes every `interval` on its own thread and early (at most once per
// `min_interval`) on RequestRefresh(). A failed fetch or parse keeps the old
// keys and is logged.
class JwksRefresher {
 public:
  // Loads once synchronously (failing Start if the first load fails), then refreshes.
  static Result<std::unique_ptr<JwksRefresher>> Start(
      std::string source, JwtVerifier& verifier,
      std::chrono::seconds interval = std::chrono::seconds(300),
      std::chrono::seconds min_interval = std::chrono::seconds(10));
  ~JwksRefresher();
  void RequestRefresh();
  void Stop();  // idempotent

  class Impl;

 private:
  explicit JwksRefresher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rampart::gateway
