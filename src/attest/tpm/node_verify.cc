#include "attest/tpm/node_verify.h"

#include <string_view>

namespace rampart::attest::tpm {

NodeVerdict VerifyNode(const NodeEvidence& ev, const crypto::PublicKey& ak,
                       std::span<const std::uint8_t> nonce, const NodeClass* cls) {
  NodeVerdict v;
  auto quote = VerifyQuote(ev.quote, ev.signature, ak, nonce);
  if (!quote) {
    v.refusal = quote.error();
    return v;
  }
  v.quote = std::move(*quote);

  PcrValues pcrs;
  EventLog log;
  if (!ev.event_log.empty()) {
    auto parsed = ParseEventLog(ev.event_log);
    if (!parsed) {
      v.refusal = parsed.error();
      return v;
    }
    log = std::move(*parsed);
    pcrs = ReplayEventLog(log);
  } else {
    for (const auto& sel : v.quote.pcr_select) {
      for (int i = 0; i < 24; ++i) pcrs[sel.hash][i] = Bytes(TpmDigestSize(sel.hash), 0);
    }
  }
  if (ev.ima) {
    auto ima = ParseImaLog(*ev.ima);
    if (!ima) {
      v.refusal = ima.error();
      return v;
    }
    v.ima = std::move(*ima);
    ReplayImaLog(v.ima, &pcrs);
  }
  if (Status s = CheckPcrDigest(v.quote, pcrs); !s.ok()) {
    v.refusal = Status(s.code(), s.message() + " (the event log" +
                                     std::string(ev.ima ? " and IMA list" : "") +
                                     " do not replay to the quoted PCRs)");
    return v;
  }
  v.facts = ExtractBootFacts(log);
  if (cls != nullptr) v.drifts = CheckGoldenValues(*cls, v.facts, ev.ima ? &v.ima : nullptr);
  return v;
}

Result<KeyFile> ParseKeyFile(std::span<const std::uint8_t> bytes) {
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.find("-----BEGIN") != std::string_view::npos) {
    RAMPART_ASSIGN_OR_RETURN(crypto::PublicKey k, crypto::PublicKey::FromPem(text));
    return KeyFile{std::move(k), std::nullopt};
  }
  RAMPART_ASSIGN_OR_RETURN(Public p, ParsePublic(bytes));
  RAMPART_ASSIGN_OR_RETURN(crypto::PublicKey k, p.Key());
  return KeyFile{std::move(k), std::move(p)};
}

Status CheckAkAttributes(const Public& ak) {
  struct Bit {
    std::uint32_t mask;
    bool want;
    const char* name;
  };
  for (Bit b : {Bit{kAttrFixedTpm, true, "fixedTPM"}, Bit{kAttrFixedParent, true, "fixedParent"},
                Bit{kAttrSensitiveDataOrigin, true, "sensitiveDataOrigin"},
                Bit{kAttrRestricted, true, "restricted"}, Bit{kAttrSign, true, "sign"},
                Bit{kAttrDecrypt, false, "decrypt"}}) {
    if (((ak.attributes & b.mask) != 0) != b.want)
      return PermissionDeniedError(std::string("enroll.ak_attributes: the AK ") +
                                   (b.want ? "lacks " : "has ") + b.name + (b.want ? "" : " set") +
                                   ": not a restricted signing key bound to its TPM");
  }
  return OkStatus();
}

Status CheckEkCertificate(const crypto::Certificate& cert,
                          const std::vector<crypto::Certificate>& intermediates,
                          const std::vector<crypto::Certificate>& roots,
                          const crypto::PublicKey& ek, std::chrono::system_clock::time_point at) {
  if (Status s = crypto::VerifyCertificateChain(cert, intermediates, roots, at); !s.ok())
    return UnauthenticatedError("enroll.ek_certificate: " + s.message());
  RAMPART_ASSIGN_OR_RETURN(crypto::PublicKey certified, cert.public_key());
  auto a = certified.ToDer();
  auto b = ek.ToDer();
  if (!a || !b || *a != *b)
    return UnauthenticatedError(
        "enroll.ek_certificate: the certificate certifies another key than this EK");
  return OkStatus();
}

}  // namespace rampart::attest::tpm
