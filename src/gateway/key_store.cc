#include "gateway/key_store.h"

#include <algorithm>

#include "core/api_key.h"
#include "core/crypto.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/json.h"

namespace rampart::gateway {
namespace {

constexpr std::size_t kMaxStoreBytes = 64u << 20;

Status Bad(const std::filesystem::path& path, std::size_t index, std::string what) {
  return CorruptionError(path.string() + ": key record " + std::to_string(index) + ": " + what +
                         " (the key store was edited or damaged; restore it or recreate the keys)");
}

}  // namespace

Result<KeyStore> KeyStore::Load(const std::filesystem::path& path) {
  KeyStore store;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return store;
  RAMPART_ASSIGN_OR_RETURN(std::string text, ReadFile(path, kMaxStoreBytes));
  auto doc =
      ParseJson(text, JsonLimits{.max_bytes = kMaxStoreBytes, .max_depth = 8}, path.string());
  if (!doc) return CorruptionError(doc.error().message());
  if (!doc->is_object())
    return CorruptionError(path.string() + ": key store must be a JSON object");
  const json::object& root = doc->as_object();
  auto version = GetInt(root, "version");
  if (!version || *version != 1) {
    return CorruptionError(path.string() + ": key store needs \"version\": 1");
  }
  auto keys = GetArray(root, "keys");
  if (!keys) return CorruptionError(path.string() + ": " + keys.error().message());
  for (const auto& [k, v] : root) {
    if (k != "version" && k != "keys")
      return CorruptionError(path.string() + ": unknown field '" + std::string(k) + "'");
  }
  std::size_t index = 0;
  for (const json::value& v : **keys) {
    ++index;
    if (!v.is_object()) return Bad(path, index, "not an object");
    const json::object& o = v.as_object();
    Entry e;
    auto id = GetString(o, "id");
    auto identity = GetString(o, "identity");
    auto created = GetInt(o, "created");
    auto revoked = GetOptionalInt(o, "revoked");
    auto salt = GetOptionalString(o, "salt");
    auto hash = GetOptionalString(o, "hash");
    if (!id || !identity || !created || !revoked || !salt || !hash) {
      Status s = !id         ? id.error()
                 : !identity ? identity.error()
                 : !created  ? created.error()
                 : !revoked  ? revoked.error()
                 : !salt     ? salt.error()
                             : hash.error();
      return Bad(path, index, s.message());
    }
    for (const auto& [key, unused] : o) {
      if (key != "id" && key != "identity" && key != "created" && key != "revoked" &&
          key != "salt" && key != "hash")
        return Bad(path, index, "unknown field '" + std::string(key) + "'");
    }
    if (!IsApiKeyId(*id)) return Bad(path, index, "bad id");
    if (identity->empty()) return Bad(path, index, "empty identity");
    e.record.id = std::string(*id);
    e.record.identity = std::string(*identity);
    e.record.created = *created;
    e.record.revoked = revoked->value_or(0);
    if (e.record.revoked == 0) {
      if (!*salt || !*hash) return Bad(path, index, "active key without salt and hash");
      auto s = HexDecode(**salt);
      auto h = HexDecode(**hash);
      if (!s || s->size() != kApiKeySaltBytes) {
        return Bad(path, index, "salt must be 16 bytes of hex");
      }
      if (!h || h->size() != 32) return Bad(path, index, "hash must be 32 bytes of hex");
      e.record.salt_hex = std::string(**salt);
      e.record.hash_hex = std::string(**hash);
      e.hash = ApiKeyHash{e.record.id, std::move(*s), std::move(*h)};
    }
    if (store.by_id_.contains(e.record.id)) return Bad(path, index, "duplicate id " + e.record.id);
    store.by_id_.emplace(e.record.id, store.records_.size());
    store.records_.push_back(std::move(e));
  }
  return store;
}

Status KeyStore::Save(const std::filesystem::path& path) const {
  json::array keys;
  for (const Entry& e : records_) {
    json::object o;
    o["id"] = e.record.id;
    o["identity"] = e.record.identity;
    o["created"] = e.record.created;
    if (e.record.revoked != 0) {
      o["revoked"] = e.record.revoked;
    } else {
      o["salt"] = e.record.salt_hex;
      o["hash"] = e.record.hash_hex;
    }
    keys.push_back(std::move(o));
  }
  json::object root;
  root["version"] = 1;
  root["keys"] = std::move(keys);
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  return WriteFileAtomic(path, ToPrettyJson(root) + "\n", 0600);
}

Result<NewKey> KeyStore::Create(std::string_view identity,
                                std::chrono::system_clock::time_point now) {
  if (identity.empty()) return InvalidArgumentError("an API key needs an identity");
  // A fresh id that does not collide (2^64 ids: a retry is all but never needed).
  GeneratedApiKey g;
  for (int attempt = 0;; ++attempt) {
    RAMPART_ASSIGN_OR_RETURN(g, CreateApiKey(kApiKeyPrefix));
    if (!by_id_.contains(g.hash.id)) break;
    if (attempt > 8) return InternalError("could not pick a fresh key id");
  }
  NewKey k{g.key, g.hash.id};
  Entry e;
  e.record.id = k.id;
  e.record.identity = std::string(identity);
  e.record.created =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  e.record.salt_hex = HexEncode(g.hash.salt);
  e.record.hash_hex = HexEncode(g.hash.hash);
  e.hash = std::move(g.hash);
  by_id_.emplace(k.id, records_.size());
  records_.push_back(std::move(e));
  return k;
}

Status KeyStore::Revoke(std::string_view id, std::chrono::system_clock::time_point now) {
  auto it = by_id_.find(std::string(id));
  if (it == by_id_.end()) return NotFoundError("no API key with id '" + std::string(id) + "'");
  Entry& e = records_[it->second];
  if (e.record.revoked != 0) return OkStatus();
  e.record.revoked = std::max<std::int64_t>(
      1, std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  // A revoked key's hash is useless to keep and is dropped from the file.
  e.record.salt_hex.clear();
  e.record.hash_hex.clear();
  e.hash = ApiKeyHash{};
  return OkStatus();
}

Result<std::string_view> KeyStore::Authenticate(std::string_view key) const {
  static const ApiKeyHash kDummy{std::string(kApiKeyIdLength, '0'),
                                 std::vector<std::uint8_t>(kApiKeySaltBytes, 0),
                                 std::vector<std::uint8_t>(32, 0)};
  auto id = ApiKeyId(key, kApiKeyPrefix);
  if (!id) return UnauthenticatedError("malformed API key");
  auto it = by_id_.find(*id);
  if (it == by_id_.end()) {
    // Hash anyway so that an unknown id costs the same as a wrong secret.
    (void)ApiKeyMatches(kDummy, key);
    return UnauthenticatedError("unknown API key");
  }
  const Entry& e = records_[it->second];
  if (e.record.revoked != 0) return UnauthenticatedError("revoked API key");
  if (!ApiKeyMatches(e.hash, key)) return UnauthenticatedError("unknown API key");
  return std::string_view(e.record.identity);
}

std::vector<KeyInfo> KeyStore::List() const {
  std::vector<KeyInfo> out;
  out.reserve(records_.size());
  for (const Entry& e : records_)
    out.push_back({e.record.id, e.record.identity, e.record.created, e.record.revoked});
  std::sort(out.begin(), out.end(), [](const KeyInfo& a, const KeyInfo& b) {
    return std::tie(a.created, a.id) < std::tie(b.created, b.id);
  });
  return out;
}

}  // namespace rampart::gateway
