// API keys for appending to the ledger over HTTP: core's scheme
// (core/api_key.h) with the prefix "rk_lg_". The estate's `ledger.api_keys`
// lists {identity, hash} records; `hash` is the text form
// "sha256:<key id>:<salt hex>:<hash hex>" printed when the key is generated.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/api_key.h"
#include "core/status.h"

namespace rampart::ledger {

inline constexpr std::string_view kLedgerApiKeyPrefix = "rk_lg_";

struct ApiKeyRecord {
  std::string identity;     // estate identity, e.g. "gateway-sa"
  std::string salted_hash;  // "sha256:<key id>:<salt hex>:<hash hex>"
};

struct NewApiKey {
  std::string token;  // give to the client; never stored
  ApiKeyRecord record;
};

Result<NewApiKey> GenerateApiKey(std::string_view identity);
// InvalidArgument if the record is not in the stored form.
Status CheckApiKeyRecord(const ApiKeyRecord& r);
// The lookup table the server authenticates with; InvalidArgument on a
// malformed record or two records with one key id.
Result<ApiKeySet> MakeApiKeySet(const std::vector<ApiKeyRecord>& records);

}  // namespace rampart::ledger
