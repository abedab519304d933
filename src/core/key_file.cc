#include "core/key_file.h"

#include "core/file.h"

namespace rampart {
namespace {

constexpr std::uint64_t kMaxKeyFileSize = 4u << 20;

bool LooksPem(std::string_view s) { return s.find("-----BEGIN ") != std::string_view::npos; }

// What kind of PEM block the file holds, for a message that helps.
std::string PemKind(std::string_view s) {
  auto b = s.find("-----BEGIN ");
  if (b == std::string_view::npos) return "";
  auto e = s.find("-----", b + 11);
  if (e == std::string_view::npos) return "";
  return std::string(s.substr(b + 11, e - b - 11));
}

Status Named(const std::filesystem::path& path, const Status& s, std::string_view expected) {
  std::string msg = path.string() + ": " + s.message();
  (void)expected;
  return Status(
      s.code() == StatusCode::kResourceExhausted ? s.code() : StatusCode::kInvalidArgument, msg);
}

Status Write(const std::filesystem::path& path, std::string_view data, unsigned mode,
             bool overwrite) {
  std::error_code ec;
  if (!overwrite && std::filesystem::exists(path, ec)) {
    return InvalidArgumentError(path.string() +
                                ": already exists; remove it or choose another path");
  }
  return WriteFileAtomic(path, data, mode);
}

}  // namespace

Result<crypto::PrivateKey> LoadPrivateKeyFile(const std::filesystem::path& path) {
  RAMPART_ASSIGN_OR_RETURN(std::string data, ReadFile(path, kMaxKeyFileSize));
  if (LooksPem(data)) {
    std::string kind = PemKind(data);
    if (kind == "PUBLIC KEY" || kind == "CERTIFICATE") {
      return InvalidArgumentError(path.string() + ": not a private key (found a " + kind +
                                  "); pass the private key file");
    }
    auto k = crypto::PrivateKey::FromPem(data);
    if (!k) return Named(path, k.error(), "private key");
    return k;
  }
  auto k = crypto::PrivateKey::FromDer(crypto::AsBytes(data));
  if (!k) {
    return InvalidArgumentError(path.string() + ": not a private key (neither PEM nor PKCS#8 DER)");
  }
  return k;
}

Result<crypto::PublicKey> LoadPublicKeyFile(const std::filesystem::path& path) {
  RAMPART_ASSIGN_OR_RETURN(std::string data, ReadFile(path, kMaxKeyFileSize));
  if (LooksPem(data)) {
    std::string kind = PemKind(data);
    if (kind.find("PRIVATE KEY") != std::string::npos) {
      return InvalidArgumentError(path.string() +
                                  ": holds a private key where a public key "
                                  "was expected; pass the public key file");
    }
    if (kind == "CERTIFICATE") {
      auto cert = crypto::Certificate::FromPem(data);
      if (!cert) return Named(path, cert.error(), "certificate");
      auto pub = cert->public_key();
      if (!pub) return Named(path, pub.error(), "certificate");
      return pub;
    }
    auto k = crypto::PublicKey::FromPem(data);
    if (!k) return Named(path, k.error(), "public key");
    return k;
  }
  auto k = crypto::PublicKey::FromDer(crypto::AsBytes(data));
  if (!k) {
    return InvalidArgumentError(path.string() +
                                ": not a public key (neither PEM nor SubjectPublicKeyInfo DER)");
  }
  return k;
}

Result<std::vector<crypto::Certificate>> LoadCertificateChainFile(
    const std::filesystem::path& path) {
  RAMPART_ASSIGN_OR_RETURN(std::string data, ReadFile(path, kMaxKeyFileSize));
  auto chain = crypto::Certificate::ChainFromPem(data);
  if (!chain) return Named(path, chain.error(), "certificate chain");
  return chain;
}

Status WritePrivateKeyFile(const std::filesystem::path& path, const crypto::PrivateKey& key,
                           bool overwrite) {
  RAMPART_ASSIGN_OR_RETURN(std::string pem, key.ToPem());
  return Write(path, pem, 0600, overwrite);
}

Status WritePublicKeyFile(const std::filesystem::path& path, const crypto::PublicKey& key,
                          bool overwrite) {
  RAMPART_ASSIGN_OR_RETURN(std::string pem, key.ToPem());
  return Write(path, pem, 0644, overwrite);
}

}  // namespace rampart
