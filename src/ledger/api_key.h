// API keys for appending to the ledger over HTTP.
//
// A key is "rk_" + base64url(24 random bytes), shown once when generated.
// The ledger stores only "sha256:<salt hex>:<hex SHA-256(salt || key)>" with
// a 16-byte random salt, mapped to the estate identity the key acts as.
// Keys carry 192 bits of entropy, so a fast salted hash is enough: there is
// nothing to brute-force (docs/design/ledger.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace rampart::ledger {

struct ApiKeyRecord {
  std::string identity;     // estate identity, e.g. "gateway-sa"
  std::string salted_hash;  // "sha256:<salt hex>:<hash hex>"
};

struct NewApiKey {
  std::string token;  // give to the client; never stored
  ApiKeyRecord record;
};

Result<NewApiKey> GenerateApiKey(std::string_view identity);
// InvalidArgument if `salted_hash` is not in the stored form.
Status CheckApiKeyRecord(const ApiKeyRecord& r);
// The identity whose key matches `token`, or Unauthenticated. Compares in
// constant time per record.
Result<std::string> AuthenticateApiKey(const std::vector<ApiKeyRecord>& keys,
                                       std::string_view token);

}  // namespace rampart::ledger
