// X.509 helpers the evidence verifiers share: certificates in PEM or DER,
// CRLs, a chain check at a given time with CRLs, vendor extensions by OID.
// OpenSSL does the cryptography; these add the shapes TEE vendors use.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.h"
#include "core/status.h"

typedef struct X509_crl_st X509_CRL;

namespace rampart::attest {

// A pinned bundle split by shape: self-signed certificates are trust
// anchors, the others pinned intermediates (AMD's ASK beside its ARK).
struct PinnedCerts {
  std::vector<crypto::Certificate> roots;
  std::vector<crypto::Certificate> intermediates;
};
Result<PinnedCerts> LoadPinnedCerts(std::string_view pem);

// One certificate, PEM or DER (told apart by the first bytes).
Result<crypto::Certificate> ParseCertificate(crypto::ByteView bytes);
bool IsSelfSigned(const crypto::Certificate& c);
// True if `issuer` signed `cert` (names and signature).
bool IssuedBy(const crypto::Certificate& cert, const crypto::Certificate& issuer);

class Crl {
 public:
  static Result<Crl> Parse(crypto::ByteView bytes);  // PEM or DER
  X509_CRL* get() const { return crl_.get(); }

 private:
  struct Free {
    void operator()(X509_CRL* c) const;
  };
  explicit Crl(X509_CRL* c) : crl_(c, Free{}) {}
  std::shared_ptr<X509_CRL> crl_;
};

// Verifies `leaf` to one of `roots` through `intermediates` at `at`. With
// CRLs, every certificate of the chain must be covered by a CRL of its issuer
// (a missing CRL is an error). PermissionDenied "<what>: <OpenSSL reason>"
// (e.g. "PCK chain: certificate has expired").
Status VerifyChain(const crypto::Certificate& leaf,
                   const std::vector<crypto::Certificate>& intermediates,
                   const std::vector<crypto::Certificate>& roots, const std::vector<Crl>& crls,
                   std::chrono::system_clock::time_point at, std::string_view what);

// The content of the extension `oid` (dotted form): the bytes inside its
// OCTET STRING, nullopt when absent.
std::optional<crypto::Bytes> ExtensionValue(const crypto::Certificate& c, std::string_view oid);

// A DER INTEGER (small, non-negative) → value; InvalidArgument otherwise.
Result<std::uint64_t> DerSmallInteger(crypto::ByteView der);

}  // namespace rampart::attest
