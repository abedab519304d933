#include "attest/nvidia.h"

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "attest/x509_util.h"
#include "core/encoding.h"
#include "core/file.h"

namespace rampart::attest {

using crypto::Bytes;
using crypto::ByteView;
using crypto::Certificate;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kRequestSize = 37;
constexpr std::size_t kSignatureSize = 96;
constexpr int kOpaqueDriverVersion = 3;
constexpr int kOpaqueVbiosVersion = 6;

Status Truncated(std::string_view what, std::size_t at, std::size_t need, std::size_t have) {
  return InvalidArgumentError("NVIDIA report: truncated: " + std::string(what) + " at offset " +
                              std::to_string(at) + " needs " + std::to_string(need) + " bytes, " +
                              std::to_string(have) + " left");
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// ---- XML-DSig over libxml2 --------------------------------------------------

constexpr const char* kDsigNs = "http://www.w3.org/2000/09/xmldsig#";
constexpr const char* kC14n11 = "http://www.w3.org/2006/12/xml-c14n11";
constexpr const char* kEnveloped = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
constexpr const char* kEcdsaSha384 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384";
constexpr const char* kSha384 = "http://www.w3.org/2001/04/xmldsig-more#sha384";

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

bool Is(const xmlNode* n, const char* ns, const char* name) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && n->ns != nullptr &&
         std::strcmp(reinterpret_cast<const char*>(n->ns->href), ns) == 0 &&
         std::strcmp(reinterpret_cast<const char*>(n->name), name) == 0;
}
xmlNode* Child(xmlNode* parent, const char* ns, const char* name) {
  for (xmlNode* c = parent ? parent->children : nullptr; c != nullptr; c = c->next) {
    if (Is(c, ns, name)) return c;
  }
  return nullptr;
}
std::string Attr(const xmlNode* n, const char* name) {
  if (n == nullptr) return "";
  for (xmlAttr* a = n->properties; a != nullptr; a = a->next) {
    if (std::strcmp(reinterpret_cast<const char*>(a->name), name) == 0 && a->children &&
        a->children->content) {
      return reinterpret_cast<const char*>(a->children->content);
    }
  }
  return "";
}
std::string Text(xmlNode* n) {
  xmlChar* c = xmlNodeGetContent(n);
  std::string s = c ? reinterpret_cast<const char*>(c) : "";
  xmlFree(c);
  return s;
}
Result<Bytes> Base64Text(xmlNode* n, std::string_view what) {
  if (n == nullptr) return PermissionDeniedError("RIM: no " + std::string(what));
  std::string t = Text(n);
  t.erase(std::remove_if(t.begin(), t.end(), [](unsigned char c) { return std::isspace(c); }),
          t.end());
  auto b = Base64Decode(t);
  if (!b) return PermissionDeniedError("RIM: " + std::string(what) + " is not base64");
  return std::move(*b);
}

struct SubtreeCtx {
  xmlNode* apex;
};
// C14N visibility: a node inside the apex subtree (for a namespace node, its parent).
int InSubtree(void* user, xmlNode* node, xmlNode* parent) {
  auto* ctx = static_cast<SubtreeCtx*>(user);
  xmlNode* n = (node != nullptr && node->type == XML_NAMESPACE_DECL) ? parent : node;
  for (; n != nullptr; n = n->parent) {
    if (n == ctx->apex) return 1;
  }
  return 0;
}

Result<std::string> Canonical(xmlDoc* doc, xmlNode* apex) {
  xmlChar* out = nullptr;
  SubtreeCtx ctx{apex};
  xmlOutputBuffer* buf = nullptr;
  int n = -1;
  if (apex == nullptr) {
    n = xmlC14NDocDumpMemory(doc, nullptr, XML_C14N_1_1, nullptr, 0, &out);
  } else {
    buf = xmlAllocOutputBuffer(nullptr);
    if (buf == nullptr) return InternalError("xmlAllocOutputBuffer");
    if (xmlC14NExecute(doc, InSubtree, &ctx, XML_C14N_1_1, nullptr, 0, buf) >= 0) {
      const xmlChar* content = xmlOutputBufferGetContent(buf);
      std::string s(reinterpret_cast<const char*>(content), xmlOutputBufferGetSize(buf));
      xmlOutputBufferClose(buf);
      return s;
    }
    xmlOutputBufferClose(buf);
    return PermissionDeniedError("RIM: canonicalisation failed");
  }
  if (n < 0 || out == nullptr) return PermissionDeniedError("RIM: canonicalisation failed");
  std::string s(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
  xmlFree(out);
  return s;
}

std::vector<std::uint8_t> HexOrEmpty(const std::string& s) {
  auto b = HexDecode(s);
  return b ? *b : std::vector<std::uint8_t>{};
}

class NvidiaVerifier final : public EvidenceVerifier {
 public:
  explicit NvidiaVerifier(NvidiaRoots roots) : roots_(std::move(roots)) {}
  TeeType type() const override { return TeeType::kNvidiaGpu; }

  Result<Claims> Verify(std::span<const std::uint8_t> evidence,
                        const VerifyOptions& opts) const override {
    RAMPART_ASSIGN_OR_RETURN(Bytes bytes, NvidiaReportBytes(evidence));
    RAMPART_ASSIGN_OR_RETURN(NvidiaReport r, ParseNvidiaReport(bytes));
    if (opts.collateral_dir.empty()) {
      return PermissionDeniedError("collateral: no directory (gpu_cert_chain.pem and the RIMs)");
    }
    auto chain_pem = ReadFile(opts.collateral_dir / "gpu_cert_chain.pem", 1 << 20);
    if (!chain_pem) return PermissionDeniedError("collateral: " + chain_pem.error().message());
    RAMPART_ASSIGN_OR_RETURN(auto chain, Certificate::ChainFromPem(*chain_pem));
    for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
      if (!IssuedBy(chain[i], chain[i + 1])) {
        return PermissionDeniedError("GPU certificate chain: out of order (certificate " +
                                     std::to_string(i) + " is not issued by certificate " +
                                     std::to_string(i + 1) + ")");
      }
    }
    std::vector<Certificate> inter;
    for (std::size_t i = 1; i < chain.size(); ++i) {
      if (!IsSelfSigned(chain[i])) inter.push_back(chain[i]);
    }
    RAMPART_RETURN_IF_ERROR(
        VerifyChain(chain[0], inter, roots_.device_roots, {}, opts.now, "GPU certificate chain"));
    RAMPART_ASSIGN_OR_RETURN(crypto::PublicKey key, chain[0].public_key());
    if (key.type() != crypto::KeyType::kEcdsaP384 ||
        !key.Verify(ByteView(bytes).first(r.signed_size), r.signature,
                    crypto::SignatureFormat::kRaw, crypto::HashAlgorithm::kSha384)
             .ok()) {
      return PermissionDeniedError(
          "report signature: does not verify with the GPU's attestation certificate");
    }
    if (opts.expected_report_data &&
        !crypto::ConstantTimeEqual(*opts.expected_report_data, ByteView(r.nonce))) {
      return PermissionDeniedError("report data does not match the nonce");
    }
    // The RIMs for this driver and this VBIOS.
    std::vector<Rim> rims;
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(opts.collateral_dir, ec)) {
      if (e.is_regular_file() && e.path().extension() == ".swidtag") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    const Rim* driver = nullptr;
    const Rim* vbios = nullptr;
    rims.reserve(files.size());
    for (const auto& f : files) {
      RAMPART_ASSIGN_OR_RETURN(std::string xml, ReadFile(f, 4 << 20));
      auto rim = VerifyRim(xml, roots_.rim_roots, opts.now);
      if (!rim) return rim.error().WithContext(f.filename().string());
      rims.push_back(std::move(*rim));
    }
    for (const auto& rim : rims) {
      if (Upper(rim.colloquial_version) == Upper(r.driver_version())) driver = &rim;
      if (Upper(rim.colloquial_version) == Upper(r.vbios_version())) vbios = &rim;
    }
    if (driver == nullptr) {
      return PermissionDeniedError("RIM: no driver RIM for driver version " + r.driver_version() +
                                   " in the collateral");
    }
    if (vbios == nullptr) {
      return PermissionDeniedError("RIM: no VBIOS RIM for VBIOS version " + r.vbios_version() +
                                   " in the collateral");
    }
    RAMPART_RETURN_IF_ERROR(CompareMeasurements(r, {driver, vbios}));
    Claims c;
    c.tee = TeeType::kNvidiaGpu;
    for (const auto& [idx, m] : r.measurements)
      c.measurements["gpu." + std::to_string(idx)] = HexEncode(m);
    c.report_data.assign(r.nonce.begin(), r.nonce.end());
    c.tcb_status = TcbStatus::kUnknown;
    c.attributes["driver_version"] = r.driver_version();
    c.attributes["vbios_version"] = r.vbios_version();
    c.attributes["device"] = chain[0].subject();
    c.evidence_digest = "sha256:" + HexEncode(crypto::Sha256(evidence));
    return c;
  }

 private:
  NvidiaRoots roots_;
};

}  // namespace

std::string NvidiaReport::driver_version() const {
  auto it = opaque.find(kOpaqueDriverVersion);
  if (it == opaque.end()) return "";
  std::string s(it->second.begin(), it->second.end());
  return s.substr(0, s.find('\0'));
}

std::string NvidiaReport::vbios_version() const {
  auto it = opaque.find(kOpaqueVbiosVersion);
  if (it == opaque.end() || it->second.size() != 8) return "";
  // Little-endian 64-bit: bytes 3,2,1,0 are the version's first four
  // fields, byte 4 its last ("96.00.9F.00.01").
  const auto& v = it->second;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02X.%02X.%02X.%02X.%02X", v[3], v[2], v[1], v[0], v[4]);
  return buf;
}

Result<Bytes> NvidiaReportBytes(std::span<const std::uint8_t> evidence) {
  bool hex = !evidence.empty();
  std::string compact;
  for (auto b : evidence) {
    if (std::isspace(b)) continue;
    if (!std::isxdigit(b)) {
      hex = false;
      break;
    }
    compact.push_back(static_cast<char>(b));
  }
  if (hex) {
    auto d = HexDecode(compact);
    if (!d) return InvalidArgumentError("NVIDIA report: odd-length hex text");
    return std::move(*d);
  }
  return Bytes(evidence.begin(), evidence.end());
}

Result<NvidiaReport> ParseNvidiaReport(std::span<const std::uint8_t> b) {
  NvidiaReport r;
  if (b.size() < kRequestSize + 8)
    return Truncated("SPDM request and response header", 0, kRequestSize + 8, b.size());
  if (b[1] != 0xE0) {
    return InvalidArgumentError(
        "NVIDIA report: offset 1: not an SPDM GET_MEASUREMENTS request (code 0xE0)");
  }
  if (b[0] != 0x11) {
    return InvalidArgumentError("NVIDIA report: offset 0: SPDM version " +
                                std::to_string(b[0] >> 4) + "." + std::to_string(b[0] & 15) +
                                " (1.1 expected)");
  }
  std::memcpy(r.nonce.data(), b.data() + 4, 32);
  std::size_t p = kRequestSize;
  r.spdm_version = b[p];
  if (b[p] != b[0] || b[p + 1] != 0x60) {
    return InvalidArgumentError("NVIDIA report: offset " + std::to_string(p) +
                                ": not an SPDM 1.1 MEASUREMENTS response (code 0x60)");
  }
  std::size_t blocks = b[p + 4];
  std::size_t rec_len = b[p + 5] | b[p + 6] << 8 | b[p + 7] << 16;
  p += 8;
  if (b.size() - p < rec_len) return Truncated("measurement record", p, rec_len, b.size() - p);
  std::size_t end = p + rec_len;
  std::size_t count = 0;
  while (p < end) {
    if (end - p < 7) return Truncated("measurement block", p, 7, end - p);
    int index = b[p];
    std::size_t size = b[p + 2] | b[p + 3] << 8;
    if (end - p - 4 < size || size < 3) return Truncated("measurement block", p, size + 4, end - p);
    std::size_t vsize = b[p + 5] | b[p + 6] << 8;
    if (vsize + 3 != size) {
      return InvalidArgumentError("NVIDIA report: offset " + std::to_string(p + 5) +
                                  ": DMTF measurement size does not fit its block");
    }
    if (!r.measurements.emplace(index, Bytes(b.begin() + p + 7, b.begin() + p + 7 + vsize))
             .second) {
      return InvalidArgumentError("NVIDIA report: offset " + std::to_string(p) +
                                  ": measurement index " + std::to_string(index) + " twice");
    }
    p += 4 + size;
    ++count;
  }
  if (count != blocks) {
    return InvalidArgumentError("NVIDIA report: " + std::to_string(count) +
                                " measurement blocks, the header says " + std::to_string(blocks));
  }
  if (b.size() - p < 34) return Truncated("responder nonce and opaque length", p, 34, b.size() - p);
  std::memcpy(r.responder_nonce.data(), b.data() + p, 32);
  p += 32;
  std::size_t opaque_len = b[p] | b[p + 1] << 8;
  p += 2;
  if (b.size() - p < opaque_len) return Truncated("opaque data", p, opaque_len, b.size() - p);
  std::size_t oend = p + opaque_len;
  while (p < oend) {
    if (oend - p < 4) return Truncated("opaque field", p, 4, oend - p);
    int type = b[p] | b[p + 1] << 8;
    std::size_t size = b[p + 2] | b[p + 3] << 8;
    if (oend - p - 4 < size) return Truncated("opaque field", p, size + 4, oend - p);
    r.opaque[type] = Bytes(b.begin() + p + 4, b.begin() + p + 4 + size);
    p += 4 + size;
  }
  r.signed_size = p;
  if (b.size() - p < kSignatureSize) return Truncated("signature", p, kSignatureSize, b.size() - p);
  if (b.size() - p > kSignatureSize) {
    return InvalidArgumentError("NVIDIA report: " + std::to_string(b.size() - p - kSignatureSize) +
                                " trailing bytes after the signature (offset " +
                                std::to_string(p + kSignatureSize) + ")");
  }
  std::memcpy(r.signature.data(), b.data() + p, kSignatureSize);
  return r;
}

static void SilentXmlError(void*, const char*, ...) {}

Result<Rim> VerifyRim(std::string_view xml, const std::vector<Certificate>& rim_roots,
                      std::chrono::system_clock::time_point at) {
  // libxml2's global state, once, before any concurrent use; its messages
  // go nowhere (the refusal says what failed).
  static const bool initialised = [] {
    xmlInitParser();
    xmlSetGenericErrorFunc(nullptr, SilentXmlError);
    return true;
  }();
  (void)initialised;
  if (xml.size() > (16u << 20)) return InvalidArgumentError("RIM: larger than 16 MiB");
  DocPtr doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "rim.xml", nullptr,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) return InvalidArgumentError("RIM: not well-formed XML");
  if (doc->intSubset != nullptr) return PermissionDeniedError("RIM: a DTD is not allowed");
  xmlNode* root = xmlDocGetRootElement(doc.get());
  xmlNode* sig = Child(root, kDsigNs, "Signature");
  if (sig == nullptr) return PermissionDeniedError("RIM: no enveloped ds:Signature");
  xmlNode* si = Child(sig, kDsigNs, "SignedInfo");
  xmlNode* sv = Child(sig, kDsigNs, "SignatureValue");
  xmlNode* ki = Child(Child(sig, kDsigNs, "KeyInfo"), kDsigNs, "X509Data");
  if (si == nullptr || sv == nullptr || ki == nullptr) {
    return PermissionDeniedError("RIM: the signature lacks SignedInfo, SignatureValue or X509Data");
  }
  if (Attr(Child(si, kDsigNs, "CanonicalizationMethod"), "Algorithm") != kC14n11 ||
      Attr(Child(si, kDsigNs, "SignatureMethod"), "Algorithm") != kEcdsaSha384) {
    return PermissionDeniedError("RIM: signature algorithms other than C14N 1.1 and ECDSA-SHA384");
  }
  // One reference, to the whole document, enveloped.
  xmlNode* ref = Child(si, kDsigNs, "Reference");
  if (ref == nullptr || Attr(ref, "URI") != "") {
    return PermissionDeniedError("RIM: the signature must reference the whole document (URI=\"\")");
  }
  for (xmlNode* r2 = ref->next; r2 != nullptr; r2 = r2->next) {
    if (Is(r2, kDsigNs, "Reference")) return PermissionDeniedError("RIM: more than one reference");
  }
  if (Attr(Child(ref, kDsigNs, "DigestMethod"), "Algorithm") != kSha384) {
    return PermissionDeniedError("RIM: reference digest is not SHA-384");
  }
  std::vector<std::string> transforms;
  for (xmlNode* t = Child(Child(ref, kDsigNs, "Transforms"), kDsigNs, "Transform"); t;
       t = t->next) {
    if (Is(t, kDsigNs, "Transform")) transforms.push_back(Attr(t, "Algorithm"));
  }
  if (transforms.empty() || transforms[0] != kEnveloped ||
      (transforms.size() == 2 && transforms[1] != kC14n11) || transforms.size() > 2) {
    return PermissionDeniedError("RIM: transforms other than enveloped-signature and C14N 1.1");
  }
  RAMPART_ASSIGN_OR_RETURN(Bytes want_digest,
                           Base64Text(Child(ref, kDsigNs, "DigestValue"), "DigestValue"));
  // The digest: the document without its Signature, canonicalised.
  DocPtr copy(xmlCopyDoc(doc.get(), 1));
  if (!copy) return InternalError("xmlCopyDoc");
  xmlNode* csig = Child(xmlDocGetRootElement(copy.get()), kDsigNs, "Signature");
  xmlUnlinkNode(csig);
  xmlFreeNode(csig);
  RAMPART_ASSIGN_OR_RETURN(std::string body, Canonical(copy.get(), nullptr));
  Bytes got = crypto::Digest(crypto::HashAlgorithm::kSha384, crypto::AsBytes(body));
  if (got != want_digest)
    return PermissionDeniedError("RIM: document digest does not match the signature's reference");
  // The signing chain, in the tag, leaf first.
  std::vector<Certificate> certs;
  for (xmlNode* c = ki->children; c != nullptr; c = c->next) {
    if (!Is(c, kDsigNs, "X509Certificate")) continue;
    RAMPART_ASSIGN_OR_RETURN(Bytes der, Base64Text(c, "X509Certificate"));
    RAMPART_ASSIGN_OR_RETURN(Certificate cert, Certificate::FromDer(der));
    certs.push_back(std::move(cert));
  }
  if (certs.empty()) return PermissionDeniedError("RIM: no signing certificate");
  for (std::size_t i = 0; i + 1 < certs.size(); ++i) {
    if (!IssuedBy(certs[i], certs[i + 1])) {
      return PermissionDeniedError("RIM signing chain: out of order (certificate " +
                                   std::to_string(i) + " is not issued by certificate " +
                                   std::to_string(i + 1) + ")");
    }
  }
  std::vector<Certificate> inter;
  for (std::size_t i = 1; i < certs.size(); ++i) {
    if (!IsSelfSigned(certs[i])) inter.push_back(certs[i]);
  }
  RAMPART_RETURN_IF_ERROR(VerifyChain(certs[0], inter, rim_roots, {}, at, "RIM signing chain"));
  RAMPART_ASSIGN_OR_RETURN(std::string signed_info, Canonical(doc.get(), si));
  RAMPART_ASSIGN_OR_RETURN(Bytes sig_value, Base64Text(sv, "SignatureValue"));
  RAMPART_ASSIGN_OR_RETURN(crypto::PublicKey key, certs[0].public_key());
  if (!key.Verify(crypto::AsBytes(signed_info), sig_value, crypto::SignatureFormat::kRaw,
                  crypto::HashAlgorithm::kSha384)
           .ok()) {
    return PermissionDeniedError("RIM: signature does not verify with its signing certificate");
  }
  // Its content.
  constexpr const char* kSwid = "http://standards.iso.org/iso/19770/-2/2015/schema.xsd";
  Rim rim;
  xmlNode* meta = Child(root, kSwid, "Meta");
  if (meta == nullptr) return PermissionDeniedError("RIM: no Meta element");
  rim.colloquial_version = Attr(meta, "colloquialVersion");
  rim.edition = Attr(meta, "edition");
  for (xmlNode* res = Child(Child(root, kSwid, "Payload"), kSwid, "Resource"); res;
       res = res->next) {
    if (!Is(res, kSwid, "Resource") || Attr(res, "type") != "Measurement") continue;
    Rim::Measurement m;
    m.active = Attr(res, "active") == "True" || Attr(res, "active") == "true";
    int alternatives = std::atoi(Attr(res, "alternatives").c_str());
    for (int i = 0; i < alternatives && i < 16; ++i) {
      auto h = HexOrEmpty(Attr(res, ("Hash" + std::to_string(i)).c_str()));
      if (!h.empty()) m.alternatives.push_back(std::move(h));
    }
    rim.measurements[std::atoi(Attr(res, "index").c_str())] = std::move(m);
  }
  return rim;
}

Status CompareMeasurements(const NvidiaReport& report, const std::vector<const Rim*>& rims) {
  std::map<int, const Rim::Measurement*> golden;
  for (const Rim* rim : rims) {
    for (const auto& [idx, m] : rim->measurements) {
      if (!m.active) continue;
      if (!golden.emplace(idx, &m).second) {
        return PermissionDeniedError("RIM: measurement index " + std::to_string(idx) +
                                     " is active in two RIMs");
      }
    }
  }
  for (const auto& [idx, m] : golden) {
    // The RIM counts from 0, the SPDM blocks from 1.
    auto it = report.measurements.find(idx + 1);
    if (it == report.measurements.end()) {
      return PermissionDeniedError("measurement " + std::to_string(idx) +
                                   ": absent from the report");
    }
    if (std::find(m->alternatives.begin(), m->alternatives.end(), it->second) ==
        m->alternatives.end()) {
      return PermissionDeniedError("measurement " + std::to_string(idx) +
                                   ": the report's value is not in the RIM (" +
                                   HexEncode(it->second) + ")");
    }
  }
  return OkStatus();
}

Result<NvidiaRoots> NvidiaRootsFromPem(std::string_view device_pem, std::string_view rim_pem) {
  RAMPART_ASSIGN_OR_RETURN(PinnedCerts d, LoadPinnedCerts(device_pem));
  RAMPART_ASSIGN_OR_RETURN(PinnedCerts r, LoadPinnedCerts(rim_pem));
  return NvidiaRoots{std::move(d.roots), std::move(r.roots)};
}

std::unique_ptr<EvidenceVerifier> MakeNvidiaVerifier(NvidiaRoots roots) {
  return std::make_unique<NvidiaVerifier>(std::move(roots));
}

}  // namespace rampart::attest
