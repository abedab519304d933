#include "attest/snp.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string>

#include "attest/x509_util.h"
#include "core/encoding.h"
#include "core/file.h"

namespace rampart::attest {

using crypto::Bytes;
using crypto::ByteView;
using crypto::Certificate;

namespace {

std::uint32_t Le32(ByteView b, std::size_t off) {
  return std::uint32_t{b[off]} | std::uint32_t{b[off + 1]} << 8 | std::uint32_t{b[off + 2]} << 16 |
         std::uint32_t{b[off + 3]} << 24;
}
std::uint64_t Le64(ByteView b, std::size_t off) {
  return std::uint64_t{Le32(b, off)} | std::uint64_t{Le32(b, off + 4)} << 32;
}
template <std::size_t N>
void Copy(ByteView b, std::size_t off, std::array<std::uint8_t, N>* out) {
  std::memcpy(out->data(), b.data() + off, N);
}
// A 72-byte little-endian signature component → 48 bytes big-endian; the top
// 24 bytes must be zero.
Result<std::array<std::uint8_t, 48>> SigComponent(ByteView b, std::size_t off, const char* name) {
  std::array<std::uint8_t, 48> out{};
  for (std::size_t i = 48; i < 72; ++i) {
    if (b[off + i] != 0) {
      return InvalidArgumentError("SNP report: signature " + std::string(name) + " at offset " +
                                  std::to_string(off) + " exceeds the P-384 size");
    }
  }
  for (std::size_t i = 0; i < 48; ++i) out[47 - i] = b[off + i];
  return out;
}

std::string Hex(std::span<const std::uint8_t> b) { return HexEncode(b); }

std::string TcbString(const SnpTcb& t, bool turin) {
  std::string s;
  if (turin) s += "fmc=" + std::to_string(t.fmc) + ",";
  s += "bl=" + std::to_string(t.bootloader) + ",tee=" + std::to_string(t.tee) +
       ",snp=" + std::to_string(t.snp) + ",ucode=" + std::to_string(t.microcode);
  return s;
}

// The TCB a VCEK/VLEK certifies (AMD's VCEK specification, table 8).
Result<SnpTcb> CertTcb(const Certificate& c, bool turin) {
  SnpTcb t;
  struct Field {
    const char* oid;
    std::uint8_t* dst;
    bool required;
  } fields[] = {
      {"1.3.6.1.4.1.3704.1.3.1", &t.bootloader, true},
      {"1.3.6.1.4.1.3704.1.3.2", &t.tee, true},
      {"1.3.6.1.4.1.3704.1.3.3", &t.snp, true},
      {"1.3.6.1.4.1.3704.1.3.8", &t.microcode, true},
      {"1.3.6.1.4.1.3704.1.3.9", &t.fmc, turin},
  };
  for (auto& f : fields) {
    auto v = ExtensionValue(c, f.oid);
    if (!v) {
      if (f.required) {
        return PermissionDeniedError(std::string("endorsement key certificate: no TCB extension ") +
                                     f.oid);
      }
      continue;
    }
    auto n = DerSmallInteger(*v);
    if (!n || *n > 255) {
      return PermissionDeniedError(std::string("endorsement key certificate: bad TCB extension ") +
                                   f.oid);
    }
    *f.dst = static_cast<std::uint8_t>(*n);
  }
  return t;
}

// The product line the certificate names ("Milan-B0", "Genoa", "Turin-...").
std::string ProductName(const Certificate& c) {
  auto v = ExtensionValue(c, "1.3.6.1.4.1.3704.1.2");
  if (!v || v->size() < 2) return "";
  // IA5String
  std::size_t len = (*v)[1];
  if (len + 2 > v->size()) return "";
  return std::string(v->begin() + 2, v->begin() + 2 + len);
}

class SnpVerifier final : public EvidenceVerifier {
 public:
  explicit SnpVerifier(SnpRoots roots) : roots_(std::move(roots)) {}
  TeeType type() const override { return TeeType::kSnp; }

  Result<Claims> Verify(std::span<const std::uint8_t> evidence,
                        const VerifyOptions& opts) const override {
    RAMPART_ASSIGN_OR_RETURN(SnpReport r, ParseSnpReport(evidence));
    const char* key_name = nullptr;
    switch (r.signing_key()) {
      case SnpSigningKey::kVcek:
        key_name = "vcek";
        break;
      case SnpSigningKey::kVlek:
        key_name = "vlek";
        break;
      default:
        return PermissionDeniedError("report signature: the report is not signed (signing key " +
                                     std::to_string((r.flags >> 2) & 7) + ")");
    }
    // Candidates: the ones given at construction, then the collateral directory.
    std::vector<Certificate> candidates = roots_.endorsement_keys;
    if (!opts.collateral_dir.empty()) {
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(opts.collateral_dir, ec)) {
        if (!e.is_regular_file() || e.path().stem() != key_name) continue;
        RAMPART_ASSIGN_OR_RETURN(std::string bytes, ReadFile(e.path(), 1 << 20));
        auto c = ParseCertificate(crypto::AsBytes(bytes));
        if (!c) return InvalidArgumentError(e.path().string() + ": " + c.error().message());
        candidates.push_back(std::move(*c));
      }
    }
    if (candidates.empty()) {
      return PermissionDeniedError(std::string("report signature: no ") + key_name +
                                   " certificate (put " + key_name + ".der or " + key_name +
                                   ".pem in the collateral directory)");
    }
    Bytes sig(r.sig_r.begin(), r.sig_r.end());
    sig.insert(sig.end(), r.sig_s.begin(), r.sig_s.end());
    ByteView signed_part = evidence.first(kSnpSignedSize);
    const Certificate* key_cert = nullptr;
    for (const auto& c : candidates) {
      auto pk = c.public_key();
      if (!pk || pk->type() != crypto::KeyType::kEcdsaP384) continue;
      if (pk->Verify(signed_part, sig, crypto::SignatureFormat::kRaw,
                     crypto::HashAlgorithm::kSha384)
              .ok()) {
        key_cert = &c;
        break;
      }
    }
    if (key_cert == nullptr) {
      return PermissionDeniedError(std::string("report signature: does not verify with the ") +
                                   key_name + " (ECDSA P-384 over bytes 0..0x29F)");
    }
    RAMPART_RETURN_IF_ERROR(VerifyChain(*key_cert, roots_.asks, roots_.arks, {}, opts.now,
                                        std::string(key_name) + " chain to the AMD ARK"));
    RAMPART_RETURN_IF_ERROR(CheckSnpEndorsement(r, *key_cert));
    std::string product = ProductName(*key_cert);
    bool turin = product.starts_with("Turin");
    SnpTcb reported = DecodeSnpTcb(r.reported_tcb, turin);
    if (opts.expected_report_data &&
        !crypto::ConstantTimeEqual(*opts.expected_report_data, ByteView(r.report_data))) {
      return PermissionDeniedError("report data does not match the expected value");
    }
    Claims c;
    c.tee = TeeType::kSnp;
    c.measurements["measurement"] = Hex(r.measurement);
    c.measurements["host_data"] = Hex(r.host_data);
    c.measurements["id_key_digest"] = Hex(r.id_key_digest);
    c.measurements["author_key_digest"] = Hex(r.author_key_digest);
    c.report_data.assign(r.report_data.begin(), r.report_data.end());
    c.tcb_status = TcbStatus::kUnknown;
    c.debug = r.debug();
    auto& a = c.attributes;
    a["version"] = std::to_string(r.version);
    a["guest_svn"] = std::to_string(r.guest_svn);
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(r.policy));
    a["policy"] = buf;
    a["policy.debug"] = r.debug() ? "true" : "false";
    a["policy.migrate_ma"] = r.migrate_ma() ? "true" : "false";
    a["policy.smt"] = r.smt_allowed() ? "true" : "false";
    a["policy.single_socket"] = r.single_socket() ? "true" : "false";
    a["policy.abi"] =
        std::to_string((r.policy >> 8) & 0xff) + "." + std::to_string(r.policy & 0xff);
    a["vmpl"] = std::to_string(r.vmpl);
    a["signing_key"] = key_name;
    if (r.signing_key() == SnpSigningKey::kVlek) {
      // IA5String content of the CSP id extension.
      auto v = ExtensionValue(*key_cert, "1.3.6.1.4.1.3704.1.5");
      if (v && v->size() >= 2 && (*v)[1] + 2u <= v->size())
        a["csp_id"] = std::string(v->begin() + 2, v->begin() + 2 + (*v)[1]);
    }
    a["product"] = product;
    a["chip_id"] = Hex(r.chip_id);
    a["family_id"] = Hex(r.family_id);
    a["image_id"] = Hex(r.image_id);
    a["report_id"] = Hex(r.report_id);
    a["reported_tcb"] = TcbString(reported, turin);
    a["current_tcb"] = TcbString(DecodeSnpTcb(r.current_tcb, turin), turin);
    a["committed_tcb"] = TcbString(DecodeSnpTcb(r.committed_tcb, turin), turin);
    a["launch_tcb"] = TcbString(DecodeSnpTcb(r.launch_tcb, turin), turin);
    a["platform.smt_enabled"] = (r.platform_info & 1) ? "true" : "false";
    a["platform.tsme_enabled"] = (r.platform_info & 2) ? "true" : "false";
    c.evidence_digest = "sha256:" + HexEncode(crypto::Sha256(evidence));
    return c;
  }

 private:
  SnpRoots roots_;
};

}  // namespace

SnpTcb DecodeSnpTcb(std::uint64_t raw, bool turin) {
  auto byte = [&](int i) { return static_cast<std::uint8_t>(raw >> (8 * i)); };
  SnpTcb t;
  if (turin) {
    t.fmc = byte(0);
    t.bootloader = byte(1);
    t.tee = byte(2);
    t.snp = byte(3);
  } else {
    t.bootloader = byte(0);
    t.tee = byte(1);
    t.snp = byte(6);
  }
  t.microcode = byte(7);
  return t;
}

Result<SnpReport> ParseSnpReport(std::span<const std::uint8_t> b) {
  if (b.size() < kSnpReportSize) {
    return InvalidArgumentError("SNP report: truncated: " + std::to_string(b.size()) +
                                " bytes, a report is " + std::to_string(kSnpReportSize));
  }
  if (b.size() > kSnpReportSize) {
    return InvalidArgumentError("SNP report: " + std::to_string(b.size() - kSnpReportSize) +
                                " trailing bytes after offset 0x4a0");
  }
  SnpReport r;
  r.version = Le32(b, 0x00);
  if (r.version < 2 || r.version > 5) {
    return InvalidArgumentError("SNP report: unsupported version " + std::to_string(r.version) +
                                " at offset 0x0 (2 to 5 are known)");
  }
  r.guest_svn = Le32(b, 0x04);
  r.policy = Le64(b, 0x08);
  Copy(b, 0x10, &r.family_id);
  Copy(b, 0x20, &r.image_id);
  r.vmpl = Le32(b, 0x30);
  r.signature_algo = Le32(b, 0x34);
  if (r.signature_algo != 1) {
    return InvalidArgumentError("SNP report: signature algorithm " +
                                std::to_string(r.signature_algo) +
                                " at offset 0x34 (only 1, ECDSA P-384 with SHA-384, is defined)");
  }
  r.current_tcb = Le64(b, 0x38);
  r.platform_info = Le64(b, 0x40);
  r.flags = Le32(b, 0x48);
  Copy(b, 0x50, &r.report_data);
  Copy(b, 0x90, &r.measurement);
  Copy(b, 0xC0, &r.host_data);
  Copy(b, 0xE0, &r.id_key_digest);
  Copy(b, 0x110, &r.author_key_digest);
  Copy(b, 0x140, &r.report_id);
  Copy(b, 0x160, &r.report_id_ma);
  r.reported_tcb = Le64(b, 0x180);
  Copy(b, 0x1A0, &r.chip_id);
  r.committed_tcb = Le64(b, 0x1E0);
  r.launch_tcb = Le64(b, 0x1F0);
  RAMPART_ASSIGN_OR_RETURN(r.sig_r, SigComponent(b, 0x2A0, "r"));
  RAMPART_ASSIGN_OR_RETURN(r.sig_s, SigComponent(b, 0x2E8, "s"));
  return r;
}

Status CheckSnpEndorsement(const SnpReport& r, const Certificate& key_cert) {
  const char* key_name = r.signing_key() == SnpSigningKey::kVlek ? "vlek" : "vcek";
  bool turin = ProductName(key_cert).starts_with("Turin");
  SnpTcb reported = DecodeSnpTcb(r.reported_tcb, turin);
  RAMPART_ASSIGN_OR_RETURN(SnpTcb certified, CertTcb(key_cert, turin));
  if (!(reported == certified)) {
    return PermissionDeniedError("reported TCB (" + TcbString(reported, turin) +
                                 ") does not match the " + key_name + "'s TCB (" +
                                 TcbString(certified, turin) + ")");
  }
  // A VLEK names the cloud provider it was issued to; a VCEK names its chip.
  // The report's SIGNING_KEY field must name the kind of certificate that
  // verified it.
  constexpr std::string_view kCspId = "1.3.6.1.4.1.3704.1.5";
  bool has_csp = ExtensionValue(key_cert, kCspId).has_value();
  if (r.signing_key() == SnpSigningKey::kVlek && !has_csp) {
    return PermissionDeniedError("vlek: the certificate that signed the report names no CSP (" +
                                 std::string(kCspId) + "): it is not a VLEK");
  }
  if (r.signing_key() == SnpSigningKey::kVcek && has_csp) {
    return PermissionDeniedError(
        "vcek: the certificate that signed the report is a VLEK (it names a CSP), but the report "
        "says VCEK");
  }
  if (r.signing_key() == SnpSigningKey::kVcek && !r.mask_chip_id()) {
    auto hwid = ExtensionValue(key_cert, "1.3.6.1.4.1.3704.1.4");
    if (!hwid || !std::equal(hwid->begin(), hwid->end(), r.chip_id.begin(), r.chip_id.end())) {
      return PermissionDeniedError("chip id: the report's chip id is not the VCEK's hwID");
    }
  }
  return OkStatus();
}

Result<SnpRoots> SnpRootsFromPem(std::string_view pem) {
  RAMPART_ASSIGN_OR_RETURN(PinnedCerts p, LoadPinnedCerts(pem));
  SnpRoots r;
  r.arks = std::move(p.roots);
  r.asks = std::move(p.intermediates);
  return r;
}

std::unique_ptr<EvidenceVerifier> MakeSnpVerifier(SnpRoots roots) {
  return std::make_unique<SnpVerifier>(std::move(roots));
}

}  // namespace rampart::attest
