#include "attest/x509_util.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "core/crypto.h"

namespace rampart::attest {

using crypto::ByteView;
using crypto::Certificate;

namespace {

bool LooksPem(ByteView b) {
  static constexpr std::string_view kBegin = "-----BEGIN";
  std::string_view s = crypto::AsString(b);
  return s.find(kBegin) != std::string_view::npos;
}

}  // namespace

Result<PinnedCerts> LoadPinnedCerts(std::string_view pem) {
  RAMPART_ASSIGN_OR_RETURN(auto certs, Certificate::ChainFromPem(pem));
  PinnedCerts out;
  for (auto& c : certs) {
    (IsSelfSigned(c) ? out.roots : out.intermediates).push_back(std::move(c));
  }
  if (out.roots.empty()) {
    return InvalidArgumentError("pinned certificates: no self-signed root in the bundle");
  }
  return out;
}

Result<Certificate> ParseCertificate(ByteView bytes) {
  if (LooksPem(bytes)) return Certificate::FromPem(crypto::AsString(bytes));
  return Certificate::FromDer(bytes);
}

bool IsSelfSigned(const Certificate& c) {
  return X509_check_issued(c.get(), c.get()) == X509_V_OK &&
         X509_verify(c.get(), X509_get0_pubkey(c.get())) == 1;
}

bool IssuedBy(const Certificate& cert, const Certificate& issuer) {
  if (X509_check_issued(issuer.get(), cert.get()) != X509_V_OK) return false;
  EVP_PKEY* k = X509_get0_pubkey(issuer.get());
  return k != nullptr && X509_verify(cert.get(), k) == 1;
}

void Crl::Free::operator()(X509_CRL* c) const { X509_CRL_free(c); }

Result<Crl> Crl::Parse(ByteView bytes) {
  X509_CRL* crl = nullptr;
  if (LooksPem(bytes)) {
    BIO* bio = BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size()));
    if (bio == nullptr) return InternalError("BIO_new_mem_buf");
    crl = PEM_read_bio_X509_CRL(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
  } else {
    const unsigned char* p = bytes.data();
    crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(bytes.size()));
    if (crl != nullptr && p != bytes.data() + bytes.size()) {
      X509_CRL_free(crl);
      return InvalidArgumentError("CRL: trailing bytes after the DER structure");
    }
  }
  if (crl == nullptr) {
    return InvalidArgumentError("CRL: not a PEM or DER X.509 CRL: " + crypto::OpenSslErrorString());
  }
  return Crl(crl);
}

Status VerifyChain(const Certificate& leaf, const std::vector<Certificate>& intermediates,
                   const std::vector<Certificate>& roots, const std::vector<Crl>& crls,
                   std::chrono::system_clock::time_point at, std::string_view what) {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> untrusted(
      sk_X509_new_null(), [](STACK_OF(X509) * s) { sk_X509_free(s); });
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      X509_STORE_CTX_free);
  if (!store || !untrusted || !ctx) return InternalError("X509 store allocation");
  for (const auto& r : roots) {
    if (X509_STORE_add_cert(store.get(), r.get()) != 1) return InternalError("X509_STORE_add_cert");
  }
  for (const auto& c : crls) {
    if (X509_STORE_add_crl(store.get(), c.get()) != 1) return InternalError("X509_STORE_add_crl");
  }
  for (const auto& i : intermediates) sk_X509_push(untrusted.get(), i.get());
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1) {
    return InternalError("X509_STORE_CTX_init");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, std::chrono::system_clock::to_time_t(at));
  // Not X509_V_FLAG_X509_STRICT: AMD's VCEKs carry no Authority Key Identifier.
  unsigned long flags = X509_V_FLAG_CHECK_SS_SIGNATURE;
  if (!crls.empty()) flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
  X509_VERIFY_PARAM_set_flags(param, flags);
  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    crypto::OpenSslErrorString();  // clear the queue
    return PermissionDeniedError(std::string(what) + ": " + X509_verify_cert_error_string(err) +
                                 " (certificate " + std::to_string(depth) + " of the chain)");
  }
  return OkStatus();
}

std::optional<crypto::Bytes> ExtensionValue(const Certificate& c, std::string_view oid) {
  std::string o(oid);
  ASN1_OBJECT* obj = OBJ_txt2obj(o.c_str(), 1);
  if (obj == nullptr) return std::nullopt;
  int idx = X509_get_ext_by_OBJ(c.get(), obj, -1);
  ASN1_OBJECT_free(obj);
  if (idx < 0) return std::nullopt;
  X509_EXTENSION* ext = X509_get_ext(c.get(), idx);
  ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
  if (data == nullptr) return std::nullopt;
  const unsigned char* p = ASN1_STRING_get0_data(data);
  return crypto::Bytes(p, p + ASN1_STRING_length(data));
}

Result<std::uint64_t> DerSmallInteger(ByteView der) {
  if (der.size() < 3 || der[0] != 0x02 || der[1] != der.size() - 2 || der[1] > 9) {
    return InvalidArgumentError("not a small DER INTEGER");
  }
  if (der[2] & 0x80) return InvalidArgumentError("negative DER INTEGER");
  std::uint64_t v = 0;
  for (std::size_t i = 2; i < der.size(); ++i) {
    if (v >> 56) return InvalidArgumentError("DER INTEGER too large");
    v = (v << 8) | der[i];
  }
  return v;
}

}  // namespace rampart::attest
