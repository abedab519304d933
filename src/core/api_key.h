// API keys: one scheme for every Rampart service (the gateway, the ledger,
// the key broker).
//
// A key is "<prefix><id>_<secret>": the prefix names the service ("rk_gw_"
// for the gateway, "rk_lg_" for the ledger), the id is 16 lowercase hex
// characters (8 random bytes; not secret: it names the record), the secret is
// base64url of 32 random bytes. A service stores only the id, a 16-byte
// random salt and SHA-256(salt || key). Authentication is O(1) in the number
// of keys: one lookup by id, one SHA-256, one constant-time compare; an
// unknown id costs the same hash. With 256-bit secrets a fast hash is enough:
// there is nothing to brute-force (docs/design/threat-model.md).
//
// Thread-safety: an ApiKeySet is a value; const methods may run concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace rampart {

inline constexpr std::size_t kApiKeyIdLength = 16;  // hex characters
inline constexpr std::size_t kApiKeySaltBytes = 16;

struct ApiKeyHash {
  std::string id;                  // 16 lowercase hex
  std::vector<std::uint8_t> salt;  // 16 bytes
  std::vector<std::uint8_t> hash;  // 32 bytes: SHA-256(salt || key)
};

struct GeneratedApiKey {
  std::string key;  // give to the client once; never stored
  ApiKeyHash hash;  // store this
};

// A fresh key with this prefix. The caller makes sure the id is new to its
// store (2^64 ids: a collision is all but impossible, but cheap to check).
Result<GeneratedApiKey> CreateApiKey(std::string_view prefix);

// The id of a key that is well formed for `prefix`, or nullopt.
std::optional<std::string_view> ApiKeyId(std::string_view key, std::string_view prefix);

// Whether `key` is the key `h` was made from (constant time in the hash).
bool ApiKeyMatches(const ApiKeyHash& h, std::string_view key);

// True for 16 lowercase hex characters.
bool IsApiKeyId(std::string_view id);

// The text form of a stored key in configuration files:
// "sha256:<id>:<salt hex>:<hash hex>".
std::string FormatApiKeyHash(const ApiKeyHash& h);
// InvalidArgument (saying what is wrong and how to make a new one) unless
// `s` is in that form.
Result<ApiKeyHash> ParseApiKeyHash(std::string_view s);

// The active keys of one service, by id.
class ApiKeySet {
 public:
  explicit ApiKeySet(std::string prefix) : prefix_(std::move(prefix)) {}

  // InvalidArgument on a duplicate id or a malformed hash.
  Status Add(ApiKeyHash h, std::string identity);
  std::size_t size() const { return by_id_.size(); }

  // The identity of `key`, or Unauthenticated ("malformed API key",
  // "unknown API key").
  Result<std::string_view> Authenticate(std::string_view key) const;

 private:
  struct Entry {
    ApiKeyHash hash;
    std::string identity;
  };
  std::string prefix_;
  std::unordered_map<std::string, Entry> by_id_;
};

}  // namespace rampart
