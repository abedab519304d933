#include "ledger/api_key.h"

namespace rampart::ledger {

Result<NewApiKey> GenerateApiKey(std::string_view identity) {
  if (identity.empty()) return InvalidArgumentError("an API key needs an identity");
  RAMPART_ASSIGN_OR_RETURN(GeneratedApiKey k, CreateApiKey(kLedgerApiKeyPrefix));
  NewApiKey out;
  out.token = std::move(k.key);
  out.record.identity = std::string(identity);
  out.record.salted_hash = FormatApiKeyHash(k.hash);
  return out;
}

Status CheckApiKeyRecord(const ApiKeyRecord& r) {
  if (r.identity.empty()) return InvalidArgumentError("API key record needs an identity");
  return ParseApiKeyHash(r.salted_hash).status();
}

Result<ApiKeySet> MakeApiKeySet(const std::vector<ApiKeyRecord>& records) {
  ApiKeySet set{std::string(kLedgerApiKeyPrefix)};
  for (const ApiKeyRecord& r : records) {
    if (r.identity.empty()) return InvalidArgumentError("API key record needs an identity");
    RAMPART_ASSIGN_OR_RETURN(ApiKeyHash h, ParseApiKeyHash(r.salted_hash));
    RAMPART_RETURN_IF_ERROR(set.Add(std::move(h), r.identity));
  }
  return set;
}

}  // namespace rampart::ledger
