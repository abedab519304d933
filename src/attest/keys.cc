#include "attest/keys.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <memory>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/file.h"

namespace rampart::attest {
namespace {

constexpr std::string_view kKekTag = "rampart-kek-v1";
constexpr std::string_view kDataKeyTag = "rampart-data-key-v1";

std::string_view TagOf(KeyKind k) { return k == KeyKind::kKek ? kKekTag : kDataKeyTag; }

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

}  // namespace

std::string FormatKeyFile(KeyKind kind, const Key& key) {
  return std::string(TagOf(kind)) + " " + Base64Encode(std::span<const std::uint8_t>(key)) + "\n";
}

Result<Key> ParseKeyFile(std::string_view text, KeyKind want, std::string_view source) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.remove_suffix(1);
  std::size_t sp = text.find(' ');
  std::string_view tag = text.substr(0, sp);
  std::string prefix = std::string(source) + ": ";
  if (tag != kKekTag && tag != kDataKeyTag) {
    return InvalidArgumentError(prefix + "not a Rampart key file (expected a line '" +
                                std::string(TagOf(want)) + " <base64>')");
  }
  if (tag != TagOf(want)) {
    return InvalidArgumentError(prefix + "this is a " +
                                (tag == kKekTag ? std::string("key-encryption key (--kek)")
                                                : std::string("released data key (--data-key)")) +
                                ", not a " +
                                (want == KeyKind::kKek ? "key-encryption key" : "data key"));
  }
  if (sp == std::string_view::npos) return InvalidArgumentError(prefix + "the key is missing");
  auto raw = Base64Decode(text.substr(sp + 1));
  if (!raw || raw->size() != kKeySize) {
    return InvalidArgumentError(prefix + "the key must be 32 bytes in base64");
  }
  Key k;
  std::copy(raw->begin(), raw->end(), k.begin());
  return k;
}

Result<Key> ReadKeyFile(const std::filesystem::path& path, KeyKind want) {
  RAMPART_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 4096));
  return ParseKeyFile(text, want, path.string());
}

Status WriteKeyFile(const std::filesystem::path& path, KeyKind kind, const Key& key) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return InvalidArgumentError(path.string() + ": exists; refusing to overwrite a key");
  }
  return WriteFileAtomic(path, FormatKeyFile(kind, key), 0600);
}

Result<Key> RandomKey() {
  Key k;
  RAMPART_RETURN_IF_ERROR(crypto::RandomBytes(std::span<std::uint8_t>(k)));
  return k;
}

std::string KekId(const Key& kek) {
  crypto::Hasher h(crypto::HashAlgorithm::kSha256);
  h.Update("rampart-kek-id-v1");
  h.Update(std::span<const std::uint8_t>(kek));
  return "sha256:" + HexEncode(h.Finish());
}

std::vector<std::uint8_t> AesKwWrap(const Key& kek, std::span<const std::uint8_t> key) {
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  std::vector<std::uint8_t> out(key.size() + 8);
  int n = 0, m = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_wrap(), nullptr, kek.data(), nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out.data(), &n, key.data(), static_cast<int>(key.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + n, &m) != 1) {
    return {};
  }
  out.resize(static_cast<std::size_t>(n + m));
  return out;
}

Result<std::vector<std::uint8_t>> AesKwUnwrap(const Key& kek,
                                              std::span<const std::uint8_t> wrapped) {
  if (wrapped.size() < 24 || wrapped.size() % 8 != 0) {
    return InvalidArgumentError("wrapped key: length must be a multiple of 8, at least 24");
  }
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  std::vector<std::uint8_t> out(wrapped.size());
  int n = 0, m = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_wrap(), nullptr, kek.data(), nullptr) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out.data(), &n, wrapped.data(),
                        static_cast<int>(wrapped.size())) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out.data() + n, &m) != 1) {
    crypto::OpenSslErrorString();
    return PermissionDeniedError("wrapped key: integrity check failed (wrong key-encryption key?)");
  }
  out.resize(static_cast<std::size_t>(n + m));
  return out;
}

}  // namespace rampart::attest
