#include "attest/dcap.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "attest/x509_util.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/json.h"

namespace rampart::attest {

using crypto::Bytes;
using crypto::ByteView;
using crypto::Certificate;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kHeaderSize = 48;
constexpr std::size_t kSgxBodySize = 384;
constexpr std::size_t kTd10BodySize = 584;
constexpr std::size_t kTd15BodySize = 648;
constexpr std::array<std::uint8_t, 16> kIntelQeVendorId = {
    0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};

// Bounds-checked little-endian reader; errors name the field and offset.
class Reader {
 public:
  explicit Reader(ByteView b) : b_(b) {}
  std::size_t pos() const { return pos_; }
  Status Need(std::size_t n, std::string_view what) const {
    if (b_.size() - pos_ < n) {
      return InvalidArgumentError("DCAP quote: truncated: " + std::string(what) + " at offset " +
                                  std::to_string(pos_) + " needs " + std::to_string(n) +
                                  " bytes, " + std::to_string(b_.size() - pos_) + " left");
    }
    return OkStatus();
  }
  Result<std::uint64_t> Uint(std::size_t n, std::string_view what) {
    RAMPART_RETURN_IF_ERROR(Need(n, what));
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{b_[pos_ + i]} << (8 * i);
    pos_ += n;
    return v;
  }
  Result<ByteView> Take(std::size_t n, std::string_view what) {
    RAMPART_RETURN_IF_ERROR(Need(n, what));
    ByteView v = b_.subspan(pos_, n);
    pos_ += n;
    return v;
  }
  template <std::size_t N>
  Status Fill(std::array<std::uint8_t, N>* out, std::string_view what) {
    RAMPART_ASSIGN_OR_RETURN(ByteView v, Take(N, what));
    std::memcpy(out->data(), v.data(), N);
    return OkStatus();
  }
  Status Skip(std::size_t n, std::string_view what) { return Take(n, what).status(); }

 private:
  ByteView b_;
  std::size_t pos_ = 0;
};

Result<SgxReportBody> ParseSgxBody(ByteView raw) {
  Reader r(raw);
  SgxReportBody b;
  RAMPART_RETURN_IF_ERROR(r.Fill(&b.cpu_svn, "cpu_svn"));
  RAMPART_ASSIGN_OR_RETURN(auto ms, r.Uint(4, "misc_select"));
  b.misc_select = static_cast<std::uint32_t>(ms);
  RAMPART_RETURN_IF_ERROR(r.Skip(28, "reserved"));
  RAMPART_RETURN_IF_ERROR(r.Fill(&b.attributes, "attributes"));
  RAMPART_RETURN_IF_ERROR(r.Fill(&b.mr_enclave, "mr_enclave"));
  RAMPART_RETURN_IF_ERROR(r.Skip(32, "reserved"));
  RAMPART_RETURN_IF_ERROR(r.Fill(&b.mr_signer, "mr_signer"));
  RAMPART_RETURN_IF_ERROR(r.Skip(96, "reserved"));
  RAMPART_ASSIGN_OR_RETURN(auto pid, r.Uint(2, "isv_prod_id"));
  RAMPART_ASSIGN_OR_RETURN(auto svn, r.Uint(2, "isv_svn"));
  b.isv_prod_id = static_cast<std::uint16_t>(pid);
  b.isv_svn = static_cast<std::uint16_t>(svn);
  RAMPART_RETURN_IF_ERROR(r.Skip(60, "reserved"));
  RAMPART_RETURN_IF_ERROR(r.Fill(&b.report_data, "report_data"));
  return b;
}

Result<TdReportBody> ParseTdBody(ByteView raw, bool td15) {
  Reader r(raw);
  TdReportBody b;
  b.td15 = td15;
  RAMPART_RETURN_IF_ERROR(r.Fill(&b.tee_tcb_svn, "tee_tcb_svn"));
  RAMPART_RETURN_IF_ERROR(r.Fill(&b.mr_seam, "mr_seam"));
  RAMPART_RETURN_IF_ERROR(r.Fill(&b.mr_signer_seam, "mr_signer_seam"));
  RAMPART_ASSIGN_OR_RETURN(b.seam_attributes, r.Uint(8, "seam_attributes"));
  RAMPART_ASSIGN_OR_RETURN(b.td_attributes, r.Uint(8, "td_attributes"));
  RAMPART_ASSIGN_OR_RETURN(b.xfam, r.Uint(8, "xfam"));
  RAMPART_RETURN_IF_ERROR(r.Fill(&b.mr_td, "mr_td"));
  RAMPART_RETURN_IF_ERROR(r.Fill(&b.mr_config_id, "mr_config_id"));
  RAMPART_RETURN_IF_ERROR(r.Fill(&b.mr_owner, "mr_owner"));
  RAMPART_RETURN_IF_ERROR(r.Fill(&b.mr_owner_config, "mr_owner_config"));
  for (auto& m : b.rtmr) RAMPART_RETURN_IF_ERROR(r.Fill(&m, "rtmr"));
  RAMPART_RETURN_IF_ERROR(r.Fill(&b.report_data, "report_data"));
  if (td15) {
    RAMPART_RETURN_IF_ERROR(r.Fill(&b.tee_tcb_svn2, "tee_tcb_svn2"));
    RAMPART_RETURN_IF_ERROR(r.Fill(&b.mr_service_td, "mr_service_td"));
  }
  return b;
}

std::string Hex(ByteView b) { return HexEncode(b); }
std::string Lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

// ---- DER (the PCK certificate's SGX extension) ------------------------------

struct Tlv {
  std::uint8_t tag = 0;
  ByteView content;
};
Result<Tlv> ReadTlv(ByteView b, std::size_t* pos) {
  auto bad = [] { return InvalidArgumentError("PCK certificate: malformed SGX extension"); };
  if (*pos + 2 > b.size()) return bad();
  Tlv t;
  t.tag = b[(*pos)++];
  std::size_t len = b[(*pos)++];
  if (len & 0x80) {
    std::size_t n = len & 0x7f;
    if (n == 0 || n > 3 || *pos + n > b.size()) return bad();
    len = 0;
    for (std::size_t i = 0; i < n; ++i) len = (len << 8) | b[(*pos)++];
  }
  if (len > b.size() - *pos) return bad();
  t.content = b.subspan(*pos, len);
  *pos += len;
  return t;
}
// Dotted OID text from DER content.
std::string OidText(ByteView c) {
  if (c.empty()) return "";
  std::string s = std::to_string(c[0] / 40) + "." + std::to_string(c[0] % 40);
  std::uint64_t v = 0;
  for (std::size_t i = 1; i < c.size(); ++i) {
    v = (v << 7) | (c[i] & 0x7f);
    if (!(c[i] & 0x80)) {
      s += "." + std::to_string(v);
      v = 0;
    }
  }
  return s;
}
// SEQUENCE OF SEQUENCE { OID, value } → (oid, value TLV) pairs.
Result<std::vector<std::pair<std::string, Tlv>>> OidValuePairs(ByteView seq_content) {
  std::vector<std::pair<std::string, Tlv>> out;
  std::size_t pos = 0;
  while (pos < seq_content.size()) {
    RAMPART_ASSIGN_OR_RETURN(Tlv item, ReadTlv(seq_content, &pos));
    std::size_t p = 0;
    RAMPART_ASSIGN_OR_RETURN(Tlv oid, ReadTlv(item.content, &p));
    RAMPART_ASSIGN_OR_RETURN(Tlv val, ReadTlv(item.content, &p));
    if (oid.tag != 0x06) return InvalidArgumentError("PCK certificate: SGX extension: no OID");
    out.emplace_back(OidText(oid.content), val);
  }
  return out;
}

struct PckInfo {
  PlatformTcb tcb;
  std::string fmspc;  // lowercase hex
  std::string pce_id;
};
Result<PckInfo> ReadPckExtension(const Certificate& pck) {
  constexpr std::string_view kSgx = "1.2.840.113741.1.13.1";
  auto ext = ExtensionValue(pck, kSgx);
  if (!ext)
    return PermissionDeniedError("PCK certificate: no SGX extension (" + std::string(kSgx) + ")");
  std::size_t pos = 0;
  RAMPART_ASSIGN_OR_RETURN(Tlv top, ReadTlv(*ext, &pos));
  RAMPART_ASSIGN_OR_RETURN(auto pairs, OidValuePairs(top.content));
  PckInfo info;
  bool have_tcb = false;
  for (const auto& [oid, val] : pairs) {
    if (oid == "1.2.840.113741.1.13.1.4") {
      info.fmspc = HexEncode(val.content);
    } else if (oid == "1.2.840.113741.1.13.1.3") {
      info.pce_id = HexEncode(val.content);
    } else if (oid == "1.2.840.113741.1.13.1.2") {
      have_tcb = true;
      RAMPART_ASSIGN_OR_RETURN(auto comps, OidValuePairs(val.content));
      for (const auto& [coid, cval] : comps) {
        constexpr std::string_view kPrefix = "1.2.840.113741.1.13.1.2.";
        if (!coid.starts_with(kPrefix) || cval.tag != 0x02) continue;
        int idx = std::atoi(coid.c_str() + kPrefix.size());
        if (cval.content.empty() || cval.content.size() > 3 || (cval.content[0] & 0x80)) {
          return PermissionDeniedError("PCK certificate: TCB component " + coid +
                                       " is not an SVN (negative or too large INTEGER)");
        }
        std::uint64_t v = 0;
        for (auto byte : cval.content) v = (v << 8) | byte;
        if (idx >= 1 && idx <= 16) info.tcb.sgx_svn[idx - 1] = static_cast<std::uint16_t>(v);
        if (idx == 17) info.tcb.pce_svn = static_cast<std::uint16_t>(v);
      }
    }
  }
  if (!have_tcb || info.fmspc.empty()) {
    return PermissionDeniedError("PCK certificate: SGX extension lacks the TCB or FMSPC");
  }
  return info;
}

// ---- Collateral --------------------------------------------------------------

Result<std::chrono::system_clock::time_point> ParseTime(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  char z = 0;
  std::string str(s);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &sec, &z) != 7 ||
      z != 'Z') {
    return InvalidArgumentError("bad time '" + str + "' (expected YYYY-MM-DDTHH:MM:SSZ)");
  }
  std::chrono::year_month_day ymd{std::chrono::year(y),
                                  std::chrono::month(static_cast<unsigned>(mo)),
                                  std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return InvalidArgumentError("bad date '" + str + "'");
  return std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
         std::chrono::seconds(sec);
}

struct Collateral {
  std::string tcb_info;
  std::string qe_identity;
  std::vector<Certificate> tcb_sign_chain;
  std::vector<Crl> crls;
  std::vector<Certificate> pck_chain;  // from the directory, when the quote has none
};

Result<std::string> ReadCollateralFile(const fs::path& dir, std::string_view name) {
  auto r = ReadFile(dir / name, 4 << 20);
  if (!r) {
    return PermissionDeniedError("collateral: " + (dir / name).string() + ": " +
                                 r.error().message());
  }
  return std::move(*r);
}

// CRLs (any file whose name contains "crl") and, when the quote has none,
// the PCK chain.
Status LoadPckCollateral(const fs::path& dir, bool need_pck, Collateral* c) {
  if (dir.empty()) {
    return PermissionDeniedError("collateral: no directory given (TCB info, QE identity, CRLs)");
  }
  std::error_code ec;
  std::vector<fs::path> crl_files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file() &&
        Lower(e.path().filename().string()).find("crl") != std::string::npos) {
      crl_files.push_back(e.path());
    }
  }
  std::sort(crl_files.begin(), crl_files.end());
  for (const auto& p : crl_files) {
    RAMPART_ASSIGN_OR_RETURN(std::string bytes, ReadFile(p, 4 << 20));
    auto crl = Crl::Parse(crypto::AsBytes(bytes));
    if (!crl) return InvalidArgumentError(p.string() + ": " + crl.error().message());
    c->crls.push_back(std::move(*crl));
  }
  if (c->crls.empty()) {
    return PermissionDeniedError("collateral: no CRL in " + dir.string() +
                                 " (the PCK CA CRL and the root CA CRL are required)");
  }
  if (need_pck) {
    RAMPART_ASSIGN_OR_RETURN(std::string leaf, ReadCollateralFile(dir, "pckCert.pem"));
    RAMPART_ASSIGN_OR_RETURN(std::string rest, ReadCollateralFile(dir, "pckSignChain.pem"));
    RAMPART_ASSIGN_OR_RETURN(c->pck_chain, Certificate::ChainFromPem(leaf + "\n" + rest));
  }
  return OkStatus();
}

Status LoadTcbCollateral(const fs::path& dir, Collateral* c) {
  RAMPART_ASSIGN_OR_RETURN(c->tcb_info, ReadCollateralFile(dir, "tcbInfo.json"));
  RAMPART_ASSIGN_OR_RETURN(c->qe_identity, ReadCollateralFile(dir, "qeIdentity.json"));
  RAMPART_ASSIGN_OR_RETURN(std::string chain, ReadCollateralFile(dir, "tcbSignChain.pem"));
  RAMPART_ASSIGN_OR_RETURN(c->tcb_sign_chain, Certificate::ChainFromPem(chain));
  return OkStatus();
}

// Certification data type 5: the PCK chain, PEM (or concatenated DER).
Result<std::vector<Certificate>> ChainFromCertData(ByteView data) {
  std::string_view text = crypto::AsString(data);
  while (!text.empty() && text.back() == '\0') text.remove_suffix(1);
  if (text.find("-----BEGIN") != std::string_view::npos) return Certificate::ChainFromPem(text);
  std::vector<Certificate> out;
  std::size_t pos = 0;
  ByteView b = crypto::AsBytes(text);
  while (pos < b.size()) {
    std::size_t start = pos;
    auto tlv = ReadTlv(b, &pos);
    if (!tlv)
      return InvalidArgumentError("DCAP quote: certification data is not a PEM or DER chain");
    RAMPART_ASSIGN_OR_RETURN(auto c, Certificate::FromDer(b.subspan(start, pos - start)));
    out.push_back(std::move(c));
  }
  return out;
}

// Each certificate must be issued by the next: leaf first, root last.
Status CheckOrder(const std::vector<Certificate>& chain, std::string_view what) {
  if (chain.empty()) return PermissionDeniedError(std::string(what) + ": empty");
  for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
    if (!IssuedBy(chain[i], chain[i + 1])) {
      return PermissionDeniedError(std::string(what) + ": out of order (certificate " +
                                   std::to_string(i) + " is not issued by certificate " +
                                   std::to_string(i + 1) + ")");
    }
  }
  return OkStatus();
}

Status VerifyOrderedChain(const std::vector<Certificate>& chain, const DcapRoots& roots,
                          const std::vector<Crl>& crls, std::chrono::system_clock::time_point at,
                          std::string_view what) {
  RAMPART_RETURN_IF_ERROR(CheckOrder(chain, what));
  std::vector<Certificate> inter;
  for (std::size_t i = 1; i < chain.size(); ++i) {
    if (!IsSelfSigned(chain[i])) inter.push_back(chain[i]);
  }
  return VerifyChain(chain[0], inter, roots.roots, crls, at, what);
}

// A signed collateral document: the member's raw text verifies with the
// signing certificate's key (ECDSA P-256, raw r || s in hex).
Result<json::object> VerifySignedJson(std::string_view text, std::string_view member,
                                      const Certificate& signer, std::string_view what) {
  auto doc = ParseJson(text, {}, what);
  if (!doc || !doc->is_object()) {
    return InvalidArgumentError(std::string(what) + ": not a JSON object" +
                                (doc ? "" : ": " + doc.error().message()));
  }
  RAMPART_ASSIGN_OR_RETURN(std::string_view raw, RawJsonMember(text, member));
  RAMPART_ASSIGN_OR_RETURN(std::string_view sig_hex, GetString(doc->as_object(), "signature"));
  auto sig = HexDecode(sig_hex);
  if (!sig || sig->size() != 64)
    return PermissionDeniedError(std::string(what) + ": bad signature field");
  RAMPART_ASSIGN_OR_RETURN(crypto::PublicKey key, signer.public_key());
  if (!key.Verify(crypto::AsBytes(raw), *sig, crypto::SignatureFormat::kRaw,
                  crypto::HashAlgorithm::kSha256)
           .ok()) {
    return PermissionDeniedError(std::string(what) + ": signature does not verify");
  }
  RAMPART_ASSIGN_OR_RETURN(const json::object* body, GetObject(doc->as_object(), member));
  return *body;
}

Status CheckFreshness(const json::object& body, std::chrono::system_clock::time_point now,
                      std::string_view what) {
  RAMPART_ASSIGN_OR_RETURN(std::string_view issue, GetString(body, "issueDate"));
  RAMPART_ASSIGN_OR_RETURN(std::string_view next, GetString(body, "nextUpdate"));
  RAMPART_ASSIGN_OR_RETURN(auto issue_t, ParseTime(issue));
  RAMPART_ASSIGN_OR_RETURN(auto next_t, ParseTime(next));
  if (now < issue_t)
    return PermissionDeniedError(std::string(what) + ": issued after the verification time (" +
                                 std::string(issue) + ")");
  if (now > next_t)
    return PermissionDeniedError(std::string(what) + ": expired (nextUpdate " + std::string(next) +
                                 ")");
  return OkStatus();
}

Result<Bytes> HexField(const json::object& o, std::string_view key) {
  RAMPART_ASSIGN_OR_RETURN(std::string_view s, GetString(o, key));
  auto b = HexDecode(s);
  if (!b) return InvalidArgumentError("'" + std::string(key) + "' is not hex");
  return std::move(*b);
}

bool MaskedEqual(ByteView value, ByteView expected, ByteView mask) {
  if (value.size() != expected.size() || mask.size() != value.size()) return false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if ((value[i] & mask[i]) != (expected[i] & mask[i])) return false;
  }
  return true;
}

std::array<std::uint8_t, 4> Le32Bytes(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
          static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
}

std::array<std::uint8_t, 8> Le64Bytes(std::uint64_t v) {
  std::array<std::uint8_t, 8> out{};
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return out;
}

// QE identity: the QE report must match, then its ISV SVN picks the level.
Result<TcbStatus> CheckQeIdentity(const json::object& id, const SgxReportBody& qe, bool tdx) {
  RAMPART_ASSIGN_OR_RETURN(std::string_view ident, GetString(id, "id"));
  if (ident != (tdx ? "TD_QE" : "QE")) {
    return PermissionDeniedError("QE identity: id '" + std::string(ident) + "', expected " +
                                 (tdx ? "TD_QE" : "QE"));
  }
  RAMPART_ASSIGN_OR_RETURN(Bytes ms, HexField(id, "miscselect"));
  RAMPART_ASSIGN_OR_RETURN(Bytes ms_mask, HexField(id, "miscselectMask"));
  // The JSON writes MISCSELECT's bytes in the report's order.
  auto qe_ms = Le32Bytes(qe.misc_select);
  if (!MaskedEqual(qe_ms, ms, ms_mask))
    return PermissionDeniedError("QE identity: MISCSELECT does not match");
  RAMPART_ASSIGN_OR_RETURN(Bytes attr, HexField(id, "attributes"));
  RAMPART_ASSIGN_OR_RETURN(Bytes attr_mask, HexField(id, "attributesMask"));
  if (!MaskedEqual(qe.attributes, attr, attr_mask))
    return PermissionDeniedError("QE identity: attributes do not match");
  RAMPART_ASSIGN_OR_RETURN(Bytes mrsigner, HexField(id, "mrsigner"));
  if (!std::equal(mrsigner.begin(), mrsigner.end(), qe.mr_signer.begin(), qe.mr_signer.end())) {
    return PermissionDeniedError("QE identity: MRSIGNER does not match (QE report " +
                                 Hex(qe.mr_signer) + ", identity " + Lower(HexEncode(mrsigner)) +
                                 ")");
  }
  RAMPART_ASSIGN_OR_RETURN(std::int64_t prod, GetInt(id, "isvprodid"));
  if (prod != qe.isv_prod_id)
    return PermissionDeniedError("QE identity: ISV product id does not match");
  RAMPART_ASSIGN_OR_RETURN(const json::array* levels, GetArray(id, "tcbLevels"));
  for (const auto& l : *levels) {
    if (!l.is_object()) continue;
    RAMPART_ASSIGN_OR_RETURN(const json::object* tcb, GetObject(l.as_object(), "tcb"));
    RAMPART_ASSIGN_OR_RETURN(std::int64_t svn, GetInt(*tcb, "isvsvn"));
    if (qe.isv_svn >= svn) {
      RAMPART_ASSIGN_OR_RETURN(std::string_view st, GetString(l.as_object(), "tcbStatus"));
      return ParseTcbStatus(st);
    }
  }
  return PermissionDeniedError("QE identity: the QE's ISV SVN " + std::to_string(qe.isv_svn) +
                               " is below every level");
}

class DcapVerifier final : public EvidenceVerifier {
 public:
  DcapVerifier(TeeType tee, DcapRoots roots) : tee_(tee), roots_(std::move(roots)) {}
  TeeType type() const override { return tee_; }

  Result<Claims> Verify(std::span<const std::uint8_t> evidence,
                        const VerifyOptions& opts) const override {
    RAMPART_ASSIGN_OR_RETURN(DcapQuote q, ParseDcapQuote(evidence));
    const bool tdx = q.td.has_value();
    if (tdx != (tee_ == TeeType::kTdx)) {
      return PermissionDeniedError(std::string("quote: a ") + (tdx ? "TDX" : "SGX") +
                                   " quote given to the " + std::string(TeeTypeName(tee_)) +
                                   " verifier");
    }
    if (q.att_key_type != 2) {
      return PermissionDeniedError("quote: attestation key type " + std::to_string(q.att_key_type) +
                                   " (only 2, ECDSA P-256, is supported)");
    }
    if (q.qe_vendor_id != kIntelQeVendorId) {
      return PermissionDeniedError("quote: QE vendor id is not Intel's");
    }
    // 1. The attestation key signed header and body.
    auto ak = crypto::PublicKey::FromEcPoint(crypto::KeyType::kEcdsaP256,
                                             ByteView(q.attest_key).first(32),
                                             ByteView(q.attest_key).subspan(32));
    if (!ak)
      return PermissionDeniedError("quote signature: the attestation key is not a P-256 point");
    if (!ak->Verify(evidence.first(q.signed_size), q.signature, crypto::SignatureFormat::kRaw,
                    crypto::HashAlgorithm::kSha256)
             .ok()) {
      return PermissionDeniedError("quote signature: does not verify with the attestation key");
    }
    // The caller's report data (a nonce, a key hash), under that signature.
    ByteView report_data = tdx ? ByteView(q.td->report_data) : ByteView(q.sgx->report_data);
    if (opts.expected_report_data &&
        !crypto::ConstantTimeEqual(*opts.expected_report_data, report_data)) {
      return PermissionDeniedError("report data does not match the expected value");
    }
    // 2. The QE report binds the attestation key.
    Bytes bound(q.attest_key.begin(), q.attest_key.end());
    bound.insert(bound.end(), q.qe_auth_data.begin(), q.qe_auth_data.end());
    auto h = crypto::Sha256(bound);
    if (!std::equal(h.begin(), h.end(), q.qe_report.report_data.begin()) ||
        !std::all_of(q.qe_report.report_data.begin() + 32, q.qe_report.report_data.end(),
                     [](std::uint8_t b) { return b == 0; })) {
      return PermissionDeniedError(
          "QE report data does not bind the attestation key (sha256(key || auth data))");
    }
    // 3. Collateral, the PCK chain, the QE report signature.
    Collateral col;
    RAMPART_RETURN_IF_ERROR(LoadPckCollateral(opts.collateral_dir, q.cert_type != 5, &col));
    std::vector<Certificate> pck_chain = col.pck_chain;
    if (q.cert_type == 5) {
      RAMPART_ASSIGN_OR_RETURN(pck_chain, ChainFromCertData(q.cert_data));
    }
    RAMPART_RETURN_IF_ERROR(VerifyOrderedChain(pck_chain, roots_, col.crls, opts.now, "PCK chain"));
    RAMPART_ASSIGN_OR_RETURN(crypto::PublicKey pck_key, pck_chain[0].public_key());
    if (!pck_key
             .Verify(q.qe_report_raw, q.qe_report_signature, crypto::SignatureFormat::kRaw,
                     crypto::HashAlgorithm::kSha256)
             .ok()) {
      return PermissionDeniedError("QE report signature: does not verify with the PCK certificate");
    }
    // 4. TCB info and QE identity, signed by the TCB signing chain.
    RAMPART_RETURN_IF_ERROR(LoadTcbCollateral(opts.collateral_dir, &col));
    RAMPART_RETURN_IF_ERROR(
        VerifyOrderedChain(col.tcb_sign_chain, roots_, col.crls, opts.now, "TCB signing chain"));
    RAMPART_ASSIGN_OR_RETURN(
        json::object tcb_info,
        VerifySignedJson(col.tcb_info, "tcbInfo", col.tcb_sign_chain[0], "TCB info"));
    RAMPART_RETURN_IF_ERROR(CheckFreshness(tcb_info, opts.now, "TCB info"));
    RAMPART_ASSIGN_OR_RETURN(
        json::object qe_id,
        VerifySignedJson(col.qe_identity, "enclaveIdentity", col.tcb_sign_chain[0], "QE identity"));
    RAMPART_RETURN_IF_ERROR(CheckFreshness(qe_id, opts.now, "QE identity"));
    RAMPART_ASSIGN_OR_RETURN(TcbStatus qe_status, CheckQeIdentity(qe_id, q.qe_report, tdx));
    // 5. The platform's TCB level.
    RAMPART_ASSIGN_OR_RETURN(PckInfo pck, ReadPckExtension(pck_chain[0]));
    RAMPART_ASSIGN_OR_RETURN(std::int64_t tcb_version, GetInt(tcb_info, "version"));
    RAMPART_ASSIGN_OR_RETURN(std::string_view fmspc, GetString(tcb_info, "fmspc"));
    if (Lower(fmspc) != pck.fmspc) {
      return PermissionDeniedError("TCB info: FMSPC " + std::string(fmspc) +
                                   " is not the PCK certificate's " + pck.fmspc);
    }
    RAMPART_ASSIGN_OR_RETURN(std::string_view pce_id, GetString(tcb_info, "pceId"));
    if (!pck.pce_id.empty() && Lower(pce_id) != pck.pce_id) {
      return PermissionDeniedError("TCB info: PCE id does not match the PCK certificate");
    }
    auto id = GetOptionalString(tcb_info, "id");
    if (tdx && (!id || !*id || **id != "TDX")) {
      return PermissionDeniedError("TCB info: not a TDX TCB info (id must be \"TDX\")");
    }
    PlatformTcb platform = pck.tcb;
    if (tdx) {
      platform.tee_tcb_svn = q.td->tee_tcb_svn;
      // The TDX module's signer and attributes.
      RAMPART_ASSIGN_OR_RETURN(const json::object* mod, GetObject(tcb_info, "tdxModule"));
      RAMPART_ASSIGN_OR_RETURN(Bytes mrsigner, HexField(*mod, "mrsigner"));
      if (!std::equal(mrsigner.begin(), mrsigner.end(), q.td->mr_signer_seam.begin(),
                      q.td->mr_signer_seam.end())) {
        return PermissionDeniedError("TDX module: MRSIGNERSEAM is not the TCB info's");
      }
      RAMPART_ASSIGN_OR_RETURN(Bytes attr, HexField(*mod, "attributes"));
      RAMPART_ASSIGN_OR_RETURN(Bytes attr_mask, HexField(*mod, "attributesMask"));
      auto seam = Le64Bytes(q.td->seam_attributes);  // the report's byte order
      if (!MaskedEqual(seam, attr, attr_mask)) {
        return PermissionDeniedError("TDX module: SEAMATTRIBUTES do not match the TCB info's");
      }
    }
    RAMPART_ASSIGN_OR_RETURN(const json::array* levels, GetArray(tcb_info, "tcbLevels"));
    RAMPART_ASSIGN_OR_RETURN(
        TcbMatch match,
        MatchTcbLevel(json::serialize(*levels), static_cast<int>(tcb_version), platform));
    TcbStatus status = CombineTcbStatus(match.status, qe_status);
    if (status == TcbStatus::kRevoked) return PermissionDeniedError("TCB revoked");
    Claims c;
    c.tee = tee_;
    c.report_data.assign(report_data.begin(), report_data.end());
    c.tcb_status = status;
    c.advisory_ids = match.advisory_ids;
    auto& a = c.attributes;
    a["quote_version"] = std::to_string(q.version);
    a["fmspc"] = pck.fmspc;
    a["tcb_date"] = match.tcb_date;
    a["platform_tcb_status"] = std::string(TcbStatusName(match.status));
    a["qe_tcb_status"] = std::string(TcbStatusName(qe_status));
    a["pce_svn"] = std::to_string(q.pce_svn);
    a["qe_svn"] = std::to_string(q.qe_svn);
    if (tdx) {
      const TdReportBody& td = *q.td;
      c.measurements["mrtd"] = Hex(td.mr_td);
      for (int i = 0; i < 4; ++i) c.measurements["rtmr" + std::to_string(i)] = Hex(td.rtmr[i]);
      c.measurements["mrseam"] = Hex(td.mr_seam);
      c.measurements["mrsignerseam"] = Hex(td.mr_signer_seam);
      c.measurements["mrconfigid"] = Hex(td.mr_config_id);
      c.measurements["mrowner"] = Hex(td.mr_owner);
      c.measurements["mrownerconfig"] = Hex(td.mr_owner_config);
      if (td.td15) c.measurements["mrservicetd"] = Hex(td.mr_service_td);
      c.debug = td.debug();
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%016llx",
                    static_cast<unsigned long long>(td.td_attributes));
      a["td_attributes"] = buf;
      std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(td.xfam));
      a["xfam"] = buf;
      a["tee_tcb_svn"] = Hex(td.tee_tcb_svn);
      a["td_body"] = td.td15 ? "1.5" : "1.0";
    } else {
      const SgxReportBody& s = *q.sgx;
      c.measurements["mrenclave"] = Hex(s.mr_enclave);
      c.measurements["mrsigner"] = Hex(s.mr_signer);
      c.debug = s.debug();
      a["isv_svn"] = std::to_string(s.isv_svn);
      a["isv_prod_id"] = std::to_string(s.isv_prod_id);
      a["attributes"] = Hex(s.attributes);
      a["cpu_svn"] = Hex(s.cpu_svn);
    }
    c.evidence_digest = "sha256:" + HexEncode(crypto::Sha256(evidence));
    return c;
  }

 private:
  TeeType tee_;
  DcapRoots roots_;
};

}  // namespace

Result<DcapQuote> ParseDcapQuote(std::span<const std::uint8_t> bytes) {
  Reader r(bytes);
  DcapQuote q;
  RAMPART_ASSIGN_OR_RETURN(auto version, r.Uint(2, "version"));
  q.version = static_cast<std::uint16_t>(version);
  if (q.version < 3 || q.version > 5) {
    return InvalidArgumentError("DCAP quote: unsupported version " + std::to_string(q.version) +
                                " at offset 0 (3, 4 and 5 are known)");
  }
  RAMPART_ASSIGN_OR_RETURN(auto akt, r.Uint(2, "attestation key type"));
  q.att_key_type = static_cast<std::uint16_t>(akt);
  RAMPART_ASSIGN_OR_RETURN(auto tee, r.Uint(4, "tee type"));
  q.tee_type = static_cast<std::uint32_t>(tee);
  if (q.tee_type != 0 && q.tee_type != 0x81) {
    return InvalidArgumentError("DCAP quote: unknown TEE type " + std::to_string(q.tee_type) +
                                " at offset 4 (0 SGX, 0x81 TDX)");
  }
  if (q.version == 3 && q.tee_type != 0) {
    return InvalidArgumentError("DCAP quote: a version 3 quote is SGX only");
  }
  RAMPART_ASSIGN_OR_RETURN(auto qe_svn, r.Uint(2, "qe_svn"));
  RAMPART_ASSIGN_OR_RETURN(auto pce_svn, r.Uint(2, "pce_svn"));
  q.qe_svn = static_cast<std::uint16_t>(qe_svn);
  q.pce_svn = static_cast<std::uint16_t>(pce_svn);
  RAMPART_RETURN_IF_ERROR(r.Fill(&q.qe_vendor_id, "qe_vendor_id"));
  RAMPART_RETURN_IF_ERROR(r.Skip(20, "user_data"));
  std::size_t body_size = q.tee_type == 0 ? kSgxBodySize : kTd10BodySize;
  bool td15 = false;
  if (q.version == 5) {
    std::size_t at = r.pos();
    RAMPART_ASSIGN_OR_RETURN(auto bt, r.Uint(2, "body type"));
    RAMPART_ASSIGN_OR_RETURN(auto bs, r.Uint(4, "body size"));
    q.body_type = static_cast<std::uint16_t>(bt);
    std::size_t want = bt == 1   ? kSgxBodySize
                       : bt == 2 ? kTd10BodySize
                       : bt == 3 ? kTd15BodySize
                                 : 0;
    if (want == 0 || (bt == 1) != (q.tee_type == 0)) {
      return InvalidArgumentError("DCAP quote: body type " + std::to_string(bt) + " at offset " +
                                  std::to_string(at) + " does not fit TEE type " +
                                  std::to_string(q.tee_type));
    }
    if (bs != want) {
      return InvalidArgumentError("DCAP quote: body size " + std::to_string(bs) + " at offset " +
                                  std::to_string(at + 2) + ", expected " + std::to_string(want));
    }
    body_size = want;
    td15 = bt == 3;
  }
  RAMPART_ASSIGN_OR_RETURN(ByteView body, r.Take(body_size, "report body"));
  if (q.tee_type == 0) {
    RAMPART_ASSIGN_OR_RETURN(q.sgx, ParseSgxBody(body));
  } else {
    RAMPART_ASSIGN_OR_RETURN(q.td, ParseTdBody(body, td15));
  }
  q.signed_size = r.pos();
  RAMPART_ASSIGN_OR_RETURN(auto sig_len, r.Uint(4, "signature data length"));
  std::size_t sig_start = r.pos();
  if (sig_len != bytes.size() - sig_start) {
    return InvalidArgumentError(
        "DCAP quote: signature data length " + std::to_string(sig_len) + " at offset " +
        std::to_string(sig_start - 4) + " but " + std::to_string(bytes.size() - sig_start) +
        " bytes follow (" + (sig_len > bytes.size() - sig_start ? "truncated" : "trailing bytes") +
        ")");
  }
  RAMPART_RETURN_IF_ERROR(r.Fill(&q.signature, "quote signature"));
  RAMPART_RETURN_IF_ERROR(r.Fill(&q.attest_key, "attestation key"));
  if (q.version >= 4) {
    std::size_t at = r.pos();
    RAMPART_ASSIGN_OR_RETURN(auto ct, r.Uint(2, "certification data type"));
    RAMPART_ASSIGN_OR_RETURN(auto cs, r.Uint(4, "certification data size"));
    if (ct != 6) {
      return InvalidArgumentError("DCAP quote: certification data type " + std::to_string(ct) +
                                  " at offset " + std::to_string(at) +
                                  " (6, QE report certification data, expected)");
    }
    if (cs != bytes.size() - r.pos()) {
      return InvalidArgumentError("DCAP quote: certification data size " + std::to_string(cs) +
                                  " at offset " + std::to_string(at + 2) + " does not match the " +
                                  std::to_string(bytes.size() - r.pos()) + " bytes that follow");
    }
  }
  RAMPART_ASSIGN_OR_RETURN(ByteView qe, r.Take(kSgxBodySize, "QE report"));
  q.qe_report_raw.assign(qe.begin(), qe.end());
  RAMPART_ASSIGN_OR_RETURN(q.qe_report, ParseSgxBody(qe));
  RAMPART_RETURN_IF_ERROR(r.Fill(&q.qe_report_signature, "QE report signature"));
  RAMPART_ASSIGN_OR_RETURN(auto auth_len, r.Uint(2, "QE auth data size"));
  RAMPART_ASSIGN_OR_RETURN(ByteView auth, r.Take(auth_len, "QE auth data"));
  q.qe_auth_data.assign(auth.begin(), auth.end());
  RAMPART_ASSIGN_OR_RETURN(auto ct, r.Uint(2, "certification data type"));
  q.cert_type = static_cast<std::uint16_t>(ct);
  std::size_t at = r.pos();
  RAMPART_ASSIGN_OR_RETURN(auto cs, r.Uint(4, "certification data size"));
  RAMPART_ASSIGN_OR_RETURN(ByteView cert, r.Take(cs, "certification data"));
  q.cert_data.assign(cert.begin(), cert.end());
  if (r.pos() != bytes.size()) {
    return InvalidArgumentError("DCAP quote: " + std::to_string(bytes.size() - r.pos()) +
                                " trailing bytes after the certification data (offset " +
                                std::to_string(at + 4 + cs) + ")");
  }
  return q;
}

Result<TcbStatus> ParseTcbStatus(std::string_view s) {
  for (TcbStatus t :
       {TcbStatus::kUpToDate, TcbStatus::kSwHardeningNeeded, TcbStatus::kConfigurationNeeded,
        TcbStatus::kConfigurationAndSwHardeningNeeded, TcbStatus::kOutOfDate,
        TcbStatus::kOutOfDateConfigurationNeeded, TcbStatus::kRevoked}) {
    if (s == TcbStatusName(t)) return t;
  }
  return InvalidArgumentError("unknown TCB status '" + std::string(s) + "'");
}

TcbStatus CombineTcbStatus(TcbStatus platform, TcbStatus qe) {
  if (qe == TcbStatus::kRevoked || platform == TcbStatus::kRevoked) return TcbStatus::kRevoked;
  if (qe == TcbStatus::kOutOfDate || qe == TcbStatus::kOutOfDateConfigurationNeeded) {
    switch (platform) {
      case TcbStatus::kUpToDate:
      case TcbStatus::kSwHardeningNeeded:
        return TcbStatus::kOutOfDate;
      case TcbStatus::kConfigurationNeeded:
      case TcbStatus::kConfigurationAndSwHardeningNeeded:
        return TcbStatus::kOutOfDateConfigurationNeeded;
      default:
        return platform;
    }
  }
  return platform;
}

Result<TcbMatch> MatchTcbLevel(std::string_view tcb_levels_json, int version,
                               const PlatformTcb& p) {
  RAMPART_ASSIGN_OR_RETURN(json::value v, ParseJson(tcb_levels_json, {}, "tcbLevels"));
  if (!v.is_array()) return InvalidArgumentError("tcbLevels: not an array");
  if (version != 2 && version != 3) {
    return InvalidArgumentError("TCB info: version " + std::to_string(version) +
                                " (2 or 3 expected)");
  }
  std::array<std::int64_t, 16> lowest_sgx{}, lowest_tdx{};
  std::int64_t lowest_pce = 0;
  for (const auto& lv : v.as_array()) {
    if (!lv.is_object()) return InvalidArgumentError("tcbLevels: a level is not an object");
    const json::object& level = lv.as_object();
    RAMPART_ASSIGN_OR_RETURN(const json::object* tcb, GetObject(level, "tcb"));
    std::array<std::int64_t, 16> sgx{};
    std::optional<std::array<std::int64_t, 16>> tdxc;
    if (version == 2) {
      for (int i = 0; i < 16; ++i) {
        char key[32];
        std::snprintf(key, sizeof key, "sgxtcbcomp%02dsvn", i + 1);
        RAMPART_ASSIGN_OR_RETURN(sgx[i], GetInt(*tcb, key));
      }
    } else {
      auto comps = [&](std::string_view key) -> Result<std::array<std::int64_t, 16>> {
        RAMPART_ASSIGN_OR_RETURN(const json::array* a, GetArray(*tcb, key));
        if (a->size() != 16)
          return InvalidArgumentError("tcbLevels: " + std::string(key) + " needs 16 entries");
        std::array<std::int64_t, 16> out{};
        for (int i = 0; i < 16; ++i) {
          if (!(*a)[i].is_object())
            return InvalidArgumentError("tcbLevels: component is not an object");
          RAMPART_ASSIGN_OR_RETURN(out[i], GetInt((*a)[i].as_object(), "svn"));
        }
        return out;
      };
      RAMPART_ASSIGN_OR_RETURN(sgx, comps("sgxtcbcomponents"));
      if (p.tee_tcb_svn) {
        RAMPART_ASSIGN_OR_RETURN(auto t, comps("tdxtcbcomponents"));
        tdxc = t;
      }
    }
    RAMPART_ASSIGN_OR_RETURN(std::int64_t pcesvn, GetInt(*tcb, "pcesvn"));
    lowest_sgx = sgx;
    lowest_pce = pcesvn;
    if (tdxc) lowest_tdx = *tdxc;
    bool ok = p.pce_svn >= pcesvn;
    for (int i = 0; i < 16 && ok; ++i) ok = p.sgx_svn[i] >= sgx[i];
    if (ok && p.tee_tcb_svn) {
      if (!tdxc) return InvalidArgumentError("tcbLevels: a TDX platform needs TCB info version 3");
      // With a TDX module major version in byte 1, bytes 0 and 1 are matched
      // through the module identities, not here.
      int first = (*p.tee_tcb_svn)[1] != 0 ? 2 : 0;
      for (int i = first; i < 16 && ok; ++i) ok = (*p.tee_tcb_svn)[i] >= (*tdxc)[i];
    }
    if (!ok) continue;
    TcbMatch m;
    RAMPART_ASSIGN_OR_RETURN(std::string_view st, GetString(level, "tcbStatus"));
    RAMPART_ASSIGN_OR_RETURN(m.status, ParseTcbStatus(st));
    if (auto d = GetOptionalString(level, "tcbDate"); d && *d) m.tcb_date = std::string(**d);
    if (auto adv = GetArray(level, "advisoryIDs"); adv) {
      for (const auto& a : **adv) {
        if (a.is_string()) m.advisory_ids.emplace_back(a.as_string());
      }
    }
    return m;
  }
  // Name the platform's values and the lowest level's, so the refusal shows
  // which component keeps the platform out.
  auto svns = [](auto begin, auto end) {
    std::string out;
    for (auto it = begin; it != end; ++it) out += (out.empty() ? "" : ",") + std::to_string(*it);
    return out;
  };
  std::string msg = "TCB level: the platform's TCB is below every level of the TCB info (PCK SGX " +
                    svns(p.sgx_svn.begin(), p.sgx_svn.end()) + " PCESVN " +
                    std::to_string(p.pce_svn);
  if (p.tee_tcb_svn) msg += " TEE_TCB_SVN " + svns(p.tee_tcb_svn->begin(), p.tee_tcb_svn->end());
  msg += "; lowest level SGX " + svns(lowest_sgx.begin(), lowest_sgx.end()) + " PCESVN " +
         std::to_string(lowest_pce);
  if (p.tee_tcb_svn) msg += " TDX " + svns(lowest_tdx.begin(), lowest_tdx.end());
  return PermissionDeniedError(msg + ")");
}

Result<std::string_view> RawJsonMember(std::string_view text, std::string_view key) {
  // Walk the top-level object; strings are skipped with their escapes.
  int depth = 0;
  bool in_string = false;
  std::size_t string_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (in_string) {
      if (ch == '\\') {
        ++i;
      } else if (ch == '"') {
        in_string = false;
        std::string_view name = text.substr(string_start + 1, i - string_start - 1);
        if (depth == 1 && name == key) {
          std::size_t j = i + 1;
          while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
          if (j >= text.size() || text[j] != ':') continue;  // a value, not a key
          ++j;
          while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
          if (j >= text.size() || text[j] != '{') {
            return InvalidArgumentError("'" + std::string(key) + "' is not an object");
          }
          // Find the matching brace.
          int d = 0;
          bool s = false;
          for (std::size_t k = j; k < text.size(); ++k) {
            char c = text[k];
            if (s) {
              if (c == '\\')
                ++k;
              else if (c == '"')
                s = false;
            } else if (c == '"') {
              s = true;
            } else if (c == '{') {
              ++d;
            } else if (c == '}') {
              if (--d == 0) return text.substr(j, k - j + 1);
            }
          }
          return InvalidArgumentError("'" + std::string(key) + "' is not closed");
        }
      }
    } else if (ch == '"') {
      in_string = true;
      string_start = i;
    } else if (ch == '{' || ch == '[') {
      ++depth;
    } else if (ch == '}' || ch == ']') {
      --depth;
    }
  }
  return InvalidArgumentError("no top-level member '" + std::string(key) + "'");
}

Result<DcapRoots> DcapRootsFromPem(std::string_view pem) {
  RAMPART_ASSIGN_OR_RETURN(PinnedCerts p, LoadPinnedCerts(pem));
  return DcapRoots{std::move(p.roots)};
}

std::unique_ptr<EvidenceVerifier> MakeDcapVerifier(TeeType tee, DcapRoots roots) {
  return std::make_unique<DcapVerifier>(tee, std::move(roots));
}

}  // namespace rampart::attest
