// The gateway's API keys: created by `rampart gateway keys create`, stored
// only as salted SHA-256 hashes in a JSON key-store file (default
// var/gateway-keys.json, mode 0600, written atomically), revocable by id.
//
// A key is core's scheme (core/api_key.h) with the prefix "rk_gw_":
// "rk_gw_" + id + "_" + secret. Authenticate is O(1) in the number of keys.
// The file never contains a key, only {id, identity, created, salt, hash}.
// With 256-bit secrets a fast hash is enough: there is nothing to brute-force.
//
// Thread-safety: a KeyStore is a value. Const methods may run concurrently;
// mutation (Create/Revoke) is for the CLI. The server loads a fresh KeyStore
// on reload and swaps it in (policy.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/api_key.h"
#include "core/status.h"

namespace rampart::gateway {

inline constexpr std::string_view kApiKeyPrefix = "rk_gw_";

struct KeyRecord {
  std::string id;            // 16 hex chars
  std::string identity;      // estate identity the key acts as
  std::int64_t created = 0;  // unix seconds
  std::string salt_hex;      // 16 bytes
  std::string hash_hex;      // SHA-256(salt || key)
  std::int64_t revoked = 0;  // unix seconds; 0 = active (hash cleared when revoked)
};

// What `keys list` shows: never hashes.
struct KeyInfo {
  std::string id;
  std::string identity;
  std::int64_t created = 0;
  std::int64_t revoked = 0;
};

struct NewKey {
  std::string key;  // show once; never stored
  std::string id;
};

class KeyStore {
 public:
  KeyStore() = default;

  // Reads the store. A missing file is an empty store; anything malformed
  // (bad JSON, unknown version, bad id/salt/hash, duplicate id) is Corruption
  // naming the file and the record.
  static Result<KeyStore> Load(const std::filesystem::path& path);
  // Writes the store atomically with mode 0600 (creating the directory).
  Status Save(const std::filesystem::path& path) const;

  Result<NewKey> Create(std::string_view identity, std::chrono::system_clock::time_point now);
  // NotFound if no key has this id; revoking twice is OK.
  Status Revoke(std::string_view id, std::chrono::system_clock::time_point now);

  // The identity of an active key, or Unauthenticated ("malformed API key",
  // "unknown API key", "revoked API key").
  Result<std::string_view> Authenticate(std::string_view key) const;

  std::vector<KeyInfo> List() const;  // ordered by created, then id
  std::size_t size() const { return records_.size(); }

 private:
  struct Entry {
    KeyRecord record;
    ApiKeyHash hash;  // empty once revoked
  };
  // Looked up by string_view (no key string built per request).
  struct IdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<Entry> records_;
  std::unordered_map<std::string, std::size_t, IdHash, std::equal_to<>> by_id_;
};

}  // namespace rampart::gateway
