#include "core/api_key.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/crypto.h"
#include "core/encoding.h"

namespace rampart {
namespace {

constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kMaxKeyLength = 128;

crypto::Sha256Digest HashKey(const std::vector<std::uint8_t>& salt, std::string_view key) {
  // Every real key fits the stack buffer: checking one allocates nothing.
  std::array<char, 256> small;
  if (salt.size() + key.size() <= small.size()) {
    std::memcpy(small.data(), salt.data(), salt.size());
    std::memcpy(small.data() + salt.size(), key.data(), key.size());
    return crypto::Sha256(std::string_view(small.data(), salt.size() + key.size()));
  }
  std::string buf(reinterpret_cast<const char*>(salt.data()), salt.size());
  buf.append(key);
  return crypto::Sha256(buf);
}

}  // namespace

bool IsApiKeyId(std::string_view id) {
  return id.size() == kApiKeyIdLength && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Result<GeneratedApiKey> CreateApiKey(std::string_view prefix) {
  RAMPART_ASSIGN_OR_RETURN(crypto::Bytes id, crypto::RandomBytes(kApiKeyIdLength / 2));
  RAMPART_ASSIGN_OR_RETURN(crypto::Bytes secret, crypto::RandomBytes(kSecretBytes));
  RAMPART_ASSIGN_OR_RETURN(crypto::Bytes salt, crypto::RandomBytes(kApiKeySaltBytes));
  GeneratedApiKey k;
  k.hash.id = HexEncode(id);
  k.key = std::string(prefix) + k.hash.id + "_" + Base64UrlEncode(secret);
  auto h = HashKey(salt, k.key);
  k.hash.salt = std::move(salt);
  k.hash.hash.assign(h.begin(), h.end());
  return k;
}

std::optional<std::string_view> ApiKeyId(std::string_view key, std::string_view prefix) {
  if (key.size() > kMaxKeyLength || !key.starts_with(prefix) ||
      key.size() < prefix.size() + kApiKeyIdLength + 2 ||
      key[prefix.size() + kApiKeyIdLength] != '_') {
    return std::nullopt;
  }
  std::string_view id = key.substr(prefix.size(), kApiKeyIdLength);
  if (!IsApiKeyId(id)) return std::nullopt;
  return id;
}

bool ApiKeyMatches(const ApiKeyHash& h, std::string_view key) {
  auto d = HashKey(h.salt, key);
  return crypto::ConstantTimeEqual(crypto::ByteView(d.data(), d.size()), h.hash);
}

std::string FormatApiKeyHash(const ApiKeyHash& h) {
  return "sha256:" + h.id + ":" + HexEncode(h.salt) + ":" + HexEncode(h.hash);
}

Result<ApiKeyHash> ParseApiKeyHash(std::string_view s) {
  auto bad = [](std::string what) {
    return InvalidArgumentError("API key hash " + what +
                                ": it must look like sha256:<key id>:<salt hex>:<hash hex>, "
                                "as printed when the key was generated (make a new key if it "
                                "predates key ids)");
  };
  if (!s.starts_with("sha256:")) return bad("does not start with 'sha256:'");
  s.remove_prefix(7);
  std::size_t c1 = s.find(':');
  std::size_t c2 = c1 == std::string_view::npos ? c1 : s.find(':', c1 + 1);
  if (c2 == std::string_view::npos || s.find(':', c2 + 1) != std::string_view::npos) {
    return bad("has the wrong number of parts");
  }
  ApiKeyHash h;
  h.id = std::string(s.substr(0, c1));
  if (!IsApiKeyId(h.id)) return bad("has a key id that is not 16 lowercase hex characters");
  auto salt = HexDecode(s.substr(c1 + 1, c2 - c1 - 1));
  auto hash = HexDecode(s.substr(c2 + 1));
  if (!salt || salt->size() != kApiKeySaltBytes) return bad("needs a 16-byte hex salt");
  if (!hash || hash->size() != 32) return bad("needs a 32-byte hex SHA-256");
  h.salt = std::move(*salt);
  h.hash = std::move(*hash);
  return h;
}

Status ApiKeySet::Add(ApiKeyHash h, std::string identity) {
  if (!IsApiKeyId(h.id) || h.salt.size() != kApiKeySaltBytes || h.hash.size() != 32) {
    return InvalidArgumentError("malformed API key hash for '" + identity + "'");
  }
  if (identity.empty()) return InvalidArgumentError("an API key needs an identity");
  std::string id = h.id;
  auto [it, inserted] = by_id_.emplace(id, Entry{std::move(h), std::move(identity)});
  if (!inserted) return InvalidArgumentError("two API keys have the id " + id);
  return OkStatus();
}

Result<std::string_view> ApiKeySet::Authenticate(std::string_view key) const {
  static const ApiKeyHash kDummy{std::string(kApiKeyIdLength, '0'),
                                 std::vector<std::uint8_t>(kApiKeySaltBytes, 0),
                                 std::vector<std::uint8_t>(32, 0)};
  auto id = ApiKeyId(key, prefix_);
  if (!id) return UnauthenticatedError("malformed API key");
  auto it = by_id_.find(std::string(*id));
  if (it == by_id_.end()) {
    // Hash anyway so that an unknown id costs the same as a wrong secret.
    (void)ApiKeyMatches(kDummy, key);
    return UnauthenticatedError("unknown API key");
  }
  if (!ApiKeyMatches(it->second.hash, key)) return UnauthenticatedError("unknown API key");
  return std::string_view(it->second.identity);
}

}  // namespace rampart
