#include "ledger/api_key.h"

#include "core/crypto.h"
#include "core/encoding.h"

namespace rampart::ledger {
namespace {

struct Parsed {
  std::vector<std::uint8_t> salt;
  std::vector<std::uint8_t> hash;
};

Result<Parsed> ParseRecord(std::string_view s) {
  if (!s.starts_with("sha256:")) {
    return InvalidArgumentError("API key hash must look like sha256:<salt hex>:<hash hex>");
  }
  s.remove_prefix(7);
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos) {
    return InvalidArgumentError("API key hash must look like sha256:<salt hex>:<hash hex>");
  }
  auto salt = HexDecode(s.substr(0, colon));
  auto hash = HexDecode(s.substr(colon + 1));
  if (!salt || !hash || salt->size() < 8 || hash->size() != 32) {
    return InvalidArgumentError(
        "API key hash must have a hex salt (>= 8 bytes) and a 32-byte hex hash");
  }
  return Parsed{std::move(*salt), std::move(*hash)};
}

crypto::Sha256Digest HashWithSalt(const std::vector<std::uint8_t>& salt, std::string_view token) {
  std::string buf(reinterpret_cast<const char*>(salt.data()), salt.size());
  buf.append(token);
  return crypto::Sha256(buf);
}

}  // namespace

Result<NewApiKey> GenerateApiKey(std::string_view identity) {
  if (identity.empty()) return InvalidArgumentError("an API key needs an identity");
  RAMPART_ASSIGN_OR_RETURN(crypto::Bytes secret, crypto::RandomBytes(24));
  RAMPART_ASSIGN_OR_RETURN(crypto::Bytes salt, crypto::RandomBytes(16));
  NewApiKey k;
  k.token = "rk_" + Base64UrlEncode(secret);
  auto h = HashWithSalt(salt, k.token);
  k.record.identity = std::string(identity);
  k.record.salted_hash = "sha256:" + HexEncode(salt) + ":" + HexEncode(h);
  return k;
}

Status CheckApiKeyRecord(const ApiKeyRecord& r) {
  if (r.identity.empty()) return InvalidArgumentError("API key record needs an identity");
  return ParseRecord(r.salted_hash).status();
}

Result<std::string> AuthenticateApiKey(const std::vector<ApiKeyRecord>& keys,
                                       std::string_view token) {
  if (token.empty() || token.size() > 256)
    return UnauthenticatedError("missing or malformed API key");
  const std::string* found = nullptr;
  for (const ApiKeyRecord& k : keys) {
    auto p = ParseRecord(k.salted_hash);
    if (!p) continue;
    auto h = HashWithSalt(p->salt, token);
    if (crypto::ConstantTimeEqual(crypto::ByteView(h.data(), h.size()), p->hash) &&
        found == nullptr) {
      found = &k.identity;
    }
  }
  if (found == nullptr) return UnauthenticatedError("unknown API key");
  return *found;
}

}  // namespace rampart::ledger
