// Intel DCAP: the QVL sample SGX v3 and TDX v4 quotes verify against their
// (test) root with full collateral at a pinned time; Google's production TDX
// quote verifies up to its PCK chain; every mutation is refused naming the check.
#include "attest/dcap.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "attest/x509_util.h"
#include "core/encoding.h"
#include "core/file.h"
#include "testing/testing.h"

namespace rampart::attest {
namespace {

namespace fs = std::filesystem;
const fs::path kQvl = "../shared/testdata/attest/sgx-intel-qvl";
const fs::path kGoogle = "../shared/testdata/attest/tdx-google";

std::chrono::system_clock::time_point At(int year, unsigned month = 6) {
  return std::chrono::sys_days(std::chrono::year(year) / month / 1);
}

std::vector<std::uint8_t> Bytes(const fs::path& p) {
  auto r = ReadFile(p);
  EXPECT_TRUE(r.has_value()) << p;
  return r ? std::vector<std::uint8_t>(r->begin(), r->end()) : std::vector<std::uint8_t>{};
}

// The TDX sample carries its PCK chain as DER, root first; the quote format
// wants PEM, leaf first. The certification data is not signed, so the same
// evidence re-encoded as the format says keeps every signature intact.
std::vector<std::uint8_t> WithPemChain(const std::vector<std::uint8_t>& q, const std::string& pem) {
  auto le16 = [&](std::size_t off) { return q[off] | q[off + 1] << 8; };
  std::size_t auth = 48 + 584 + 4 + 64 + 64 + 6 + 384 + 64;
  std::size_t cert_type_at = auth + 2 + le16(auth);
  std::vector<std::uint8_t> out(q.begin(), q.begin() + cert_type_at);
  auto put32 = [](std::vector<std::uint8_t>* v, std::size_t off, std::uint32_t x) {
    for (int i = 0; i < 4; ++i) (*v)[off + i] = static_cast<std::uint8_t>(x >> (8 * i));
  };
  out.push_back(5);
  out.push_back(0);
  out.resize(out.size() + 4);
  put32(&out, cert_type_at + 2, static_cast<std::uint32_t>(pem.size()));
  out.insert(out.end(), pem.begin(), pem.end());
  put32(&out, 48 + 584, static_cast<std::uint32_t>(out.size() - (48 + 584 + 4)));
  put32(&out, 48 + 584 + 4 + 128 + 2,
        static_cast<std::uint32_t>(out.size() - (48 + 584 + 4 + 128 + 6)));
  return out;
}

// A two-certificate PEM chain with the self-signed root moved last.
std::string LeafFirst(const fs::path& p) {
  auto chain = crypto::Certificate::ChainFromPem(*ReadFile(p));
  EXPECT_TRUE(chain.has_value());
  std::string leaf, root;
  for (const auto& c : *chain) (IsSelfSigned(c) ? root : leaf) += c.ToPem();
  return leaf + root;
}

class DcapTest : public ::testing::TestWithParam<bool> {  // true: TDX
 protected:
  void SetUp() override {
    RAMPART_NEEDS(fs::exists(kQvl / "quote.dat"), "../shared/testdata/attest/sgx-intel-qvl");
    src_ = tdx() ? kQvl / "tdx" : kQvl;
    quote_ = Bytes(src_ / "quote.dat");
    if (tdx()) {
      // The TDX sample's chains come root first; Rampart's collateral and the
      // quote format put the leaf first.
      auto pck = ReadFile(src_ / "pckCert.pem");
      ASSERT_TRUE(pck.has_value());
      original_ = quote_;
      quote_ = WithPemChain(quote_, *pck + LeafFirst(src_ / "pckSignChain.pem"));
    }
    auto roots = DcapRootsFromPem(*ReadFile(src_ / "trustedRootCaCert.pem"));
    ASSERT_TRUE(roots.has_value()) << roots.error().message();
    roots_ = *roots;
    col_ = tmp_.path() / "collateral";
    fs::create_directories(col_);
    for (const char* f :
         {"tcbInfo.json", "qeIdentity.json", "tcbSignChain.pem", "intermediateCaCrl.der",
          "rootCaCrl.der", "pckCert.pem", "pckSignChain.pem"}) {
      fs::copy_file(src_ / f, col_ / f);
    }
    if (tdx()) {
      fs::remove(col_ / "tcbSignChain.pem");
      ASSERT_TRUE(
          WriteFileAtomic(col_ / "tcbSignChain.pem", LeafFirst(src_ / "tcbSignChain.pem")).ok());
    }
    opts_.now = At(2024);
    opts_.collateral_dir = col_;
  }
  bool tdx() const { return GetParam(); }
  Result<Claims> Run(const std::vector<std::uint8_t>& q) {
    return MakeDcapVerifier(tdx() ? TeeType::kTdx : TeeType::kSgx, roots_)->Verify(q, opts_);
  }
  void ExpectRefused(const std::vector<std::uint8_t>& q, StatusCode code, std::string_view what) {
    auto c = Run(q);
    ASSERT_FALSE(c.has_value()) << "accepted; expected: " << what;
    EXPECT_EQ(c.error().code(), code) << c.error().message();
    EXPECT_NE(c.error().message().find(what), std::string::npos) << c.error().message();
  }
  void Rewrite(const std::string& name, const std::string& from, const std::string& to) {
    auto text = ReadFile(col_ / name);
    ASSERT_TRUE(text.has_value());
    auto pos = text->find(from);
    ASSERT_NE(pos, std::string::npos) << from;
    text->replace(pos, from.size(), to);
    fs::remove(col_ / name);
    ASSERT_TRUE(WriteFileAtomic(col_ / name, *text).ok());
  }
  testing::TempDir tmp_;
  fs::path src_, col_;
  // The TDX sample's QE identity names another QE signer than its quote's QE
  // report: every check before that one passes, that one refuses.
  void ExpectVerified(const Result<Claims>& c) {
    if (!tdx()) {
      ASSERT_TRUE(c.has_value()) << c.error().message();
    } else {
      ASSERT_FALSE(c.has_value());
      // QE report MRSIGNER at quote offset 898 (770 + 128); every other field
      // of the identity (MISCSELECT 13373b09, attributes, ISVPRODID 29854,
      // ISVSVN 12677) matches. Both sides are signed: nothing can be re-encoded.
      EXPECT_EQ(c.error().message(),
                "QE identity: MRSIGNER does not match (QE report "
                "e4bd9fc2129835ba1dcca1939d57d08e88561b34740d59405972d4ba25a7e5f7, identity "
                "0bf58c3b57bf0be53f992350d785a33285d583c18127ad624ff98604e6fd3efb)");
    }
  }
  std::vector<std::uint8_t> quote_, original_;
  DcapRoots roots_;
  VerifyOptions opts_;
};

TEST_P(DcapTest, SampleQuoteVerifiesWithItsClaims) {
  auto c = Run(quote_);
  ExpectVerified(c);
  if (!c) return;
  EXPECT_EQ(c->tee, tdx() ? TeeType::kTdx : TeeType::kSgx);
  EXPECT_EQ(c->evidence_digest, "sha256:" + HexEncode(crypto::Sha256(quote_)));
  EXPECT_EQ(c->report_data.size(), 64u);
  auto q = ParseDcapQuote(quote_);
  ASSERT_TRUE(q.has_value());
  if (tdx()) {
    EXPECT_EQ(c->measurements.at("mrtd"), HexEncode(q->td->mr_td));
    EXPECT_EQ(c->measurements.count("rtmr3"), 1u);
    EXPECT_EQ(c->attributes.at("quote_version"), "4");
  } else {
    // The QVL sample's enclave body is all zeros; its TCB is the first level.
    EXPECT_EQ(c->measurements.at("mrenclave"), std::string(64, '0'));
    EXPECT_EQ(c->measurements.at("mrsigner"), std::string(64, '0'));
    EXPECT_EQ(c->attributes.at("isv_svn"), "0");
    EXPECT_EQ(c->attributes.at("quote_version"), "3");
    EXPECT_EQ(c->attributes.at("fmspc"), "00707f000000");
    EXPECT_EQ(c->attributes.at("tcb_date"), "2019-09-01T00:00:00Z");
    EXPECT_EQ(c->attributes.at("qe_tcb_status"), "UpToDate");
    EXPECT_EQ(c->tcb_status, TcbStatus::kUpToDate);
    EXPECT_TRUE(c->advisory_ids.empty());
    EXPECT_FALSE(c->debug);
  }
}

TEST_P(DcapTest, FlippedQuoteSignatureIsRefused) {
  auto q = quote_;
  std::size_t sig = tdx() ? 48 + 584 + 4 : 48 + 384 + 4;
  q[sig + 3] ^= 1;
  ExpectRefused(q, StatusCode::kPermissionDenied, "quote signature");
}

TEST_P(DcapTest, FlippedMeasurementIsRefused) {
  auto q = quote_;
  q[tdx() ? 48 + 136 : 48 + 64] ^= 1;  // MRTD / MRENCLAVE
  ExpectRefused(q, StatusCode::kPermissionDenied, "quote signature");
}

TEST_P(DcapTest, FlippedQeReportIsRefused) {
  auto q = quote_;
  std::size_t qe = (tdx() ? 48 + 584 + 4 + 128 + 6 : 48 + 384 + 4 + 128);
  q[qe + 1] ^= 1;  // CPUSVN of the QE report: signed by the PCK key
  ExpectRefused(q, StatusCode::kPermissionDenied, "QE report signature");
  q = quote_;
  q[qe + 320] ^= 1;  // its report data: the binding of the attestation key
  ExpectRefused(q, StatusCode::kPermissionDenied, "QE report data does not bind");
}

TEST_P(DcapTest, TruncatedTrailingAndWrongVersionAreRefused) {
  auto q = quote_;
  q.pop_back();
  ExpectRefused(q, StatusCode::kInvalidArgument, "truncated");
  q = quote_;
  q.push_back(0);
  ExpectRefused(q, StatusCode::kInvalidArgument, "trailing bytes");
  q = quote_;
  q.resize(100);
  ExpectRefused(q, StatusCode::kInvalidArgument, "truncated");
  q = quote_;
  q[0] = 2;
  ExpectRefused(q, StatusCode::kInvalidArgument, "unsupported version 2");
}

TEST_P(DcapTest, WrongTeeTypeIsRefused) {
  auto c = MakeDcapVerifier(tdx() ? TeeType::kSgx : TeeType::kTdx, roots_)->Verify(quote_, opts_);
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(c.error().message().find("verifier"), std::string::npos) << c.error().message();
}

TEST_P(DcapTest, ExpectedReportData) {
  auto q = ParseDcapQuote(quote_);
  ASSERT_TRUE(q.has_value());
  auto rd = tdx() ? q->td->report_data : q->sgx->report_data;
  opts_.expected_report_data = std::vector<std::uint8_t>(rd.begin(), rd.end());
  ExpectVerified(Run(quote_));
  rd[0] ^= 1;
  opts_.expected_report_data = std::vector<std::uint8_t>(rd.begin(), rd.end());
  ExpectRefused(quote_, StatusCode::kPermissionDenied, "report data does not match");
}

TEST_P(DcapTest, ExpiredPckAndCollateralAreRefused) {
  opts_.now = At(2050);  // after every notAfter
  ExpectRefused(quote_, StatusCode::kPermissionDenied, "expired");
  opts_.now = At(2018);  // before the root existed
  ExpectRefused(quote_, StatusCode::kPermissionDenied, "not yet valid");
}

TEST_P(DcapTest, WrongRootIsRefused) {
  RAMPART_NEEDS(fs::exists(kGoogle / "trusted_root.pem"), "../shared/testdata/attest/tdx-google");
  auto real = DcapRootsFromPem(*ReadFile(kGoogle / "trusted_root.pem"));  // the real Intel root
  ASSERT_TRUE(real.has_value());
  roots_ = *real;
  ExpectRefused(quote_, StatusCode::kPermissionDenied, "PCK chain");
}

TEST_P(DcapTest, ChainOutOfOrderIsRefused) {
  if (tdx()) {
    // As shipped: DER, root first.
    ExpectRefused(original_, StatusCode::kPermissionDenied, "PCK chain: out of order");
    fs::remove(col_ / "tcbSignChain.pem");
    fs::copy_file(src_ / "tcbSignChain.pem", col_ / "tcbSignChain.pem");
    ExpectRefused(quote_, StatusCode::kPermissionDenied, "TCB signing chain: out of order");
    return;
  }
  // pckSignChain.pem holds the intermediate then the root; swap them.
  auto chain = crypto::Certificate::ChainFromPem(*ReadFile(col_ / "pckSignChain.pem"));
  ASSERT_TRUE(chain.has_value());
  ASSERT_EQ(chain->size(), 2u);
  fs::remove(col_ / "pckSignChain.pem");
  ASSERT_TRUE(
      WriteFileAtomic(col_ / "pckSignChain.pem", (*chain)[1].ToPem() + (*chain)[0].ToPem()).ok());
  ExpectRefused(quote_, StatusCode::kPermissionDenied, "PCK chain: out of order");
}

TEST_P(DcapTest, TamperedCollateralIsRefused) {
  Rewrite("tcbInfo.json", "\"UpToDate\"", "\"OutOfDate\"");
  ExpectRefused(quote_, StatusCode::kPermissionDenied, "TCB info: signature does not verify");
}

TEST_P(DcapTest, TamperedQeIdentityIsRefused) {
  Rewrite("qeIdentity.json", "\"isvprodid\":", "\"isvprodid\": ");
  ExpectRefused(quote_, StatusCode::kPermissionDenied, "QE identity: signature does not verify");
}

TEST_P(DcapTest, MissingCollateralIsRefused) {
  fs::remove(col_ / "intermediateCaCrl.der");
  fs::remove(col_ / "rootCaCrl.der");
  ExpectRefused(quote_, StatusCode::kPermissionDenied, "no CRL");
  opts_.collateral_dir.clear();
  ExpectRefused(quote_, StatusCode::kPermissionDenied, "collateral");
}

INSTANTIATE_TEST_SUITE_P(SgxAndTdx, DcapTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Tdx" : "Sgx"; });

// ---- Level matching, on crafted TCB info ------------------------------------

std::string V3Level(int sgx, int pce, int tdx, const char* status, const char* adv = "") {
  std::string comps_sgx, comps_tdx;
  for (int i = 0; i < 16; ++i) {
    comps_sgx += std::string(i ? "," : "") + "{\"svn\":" + std::to_string(sgx) + "}";
    comps_tdx += std::string(i ? "," : "") + "{\"svn\":" + std::to_string(tdx) + "}";
  }
  return "{\"tcb\":{\"sgxtcbcomponents\":[" + comps_sgx + "],\"pcesvn\":" + std::to_string(pce) +
         ",\"tdxtcbcomponents\":[" + comps_tdx + "]},\"tcbDate\":\"2023-01-01T00:00:00Z\"," +
         "\"tcbStatus\":\"" + status + "\",\"advisoryIDs\":[" + adv + "]}";
}

TEST(TcbLevelTest, FirstLevelMetInEveryComponentWins) {
  std::string levels = "[" + V3Level(5, 10, 3, "UpToDate") + "," +
                       V3Level(3, 8, 2, "SWHardeningNeeded", "\"INTEL-SA-00615\"") + "," +
                       V3Level(1, 5, 1, "OutOfDate", "\"INTEL-SA-00001\",\"INTEL-SA-00002\"") +
                       "," + V3Level(0, 0, 0, "Revoked") + "]";
  PlatformTcb p;
  p.sgx_svn.fill(5);
  p.pce_svn = 10;
  p.tee_tcb_svn = std::array<std::uint8_t, 16>{};
  p.tee_tcb_svn->fill(3);
  auto m = MatchTcbLevel(levels, 3, p);
  ASSERT_TRUE(m.has_value()) << m.error().message();
  EXPECT_EQ(m->status, TcbStatus::kUpToDate);
  EXPECT_TRUE(m->advisory_ids.empty());

  p.sgx_svn[7] = 4;  // one component below level 1
  m = MatchTcbLevel(levels, 3, p);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->status, TcbStatus::kSwHardeningNeeded);
  EXPECT_EQ(m->advisory_ids, std::vector<std::string>{"INTEL-SA-00615"});

  p.pce_svn = 7;  // PCE SVN below level 2
  m = MatchTcbLevel(levels, 3, p);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->status, TcbStatus::kOutOfDate);
  EXPECT_EQ(m->advisory_ids.size(), 2u);

  p.pce_svn = 10;
  p.sgx_svn.fill(5);
  (*p.tee_tcb_svn)[15] = 0;  // TDX component below every level but the last
  m = MatchTcbLevel(levels, 3, p);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->status, TcbStatus::kRevoked);

  // With a TDX module major version in byte 1, bytes 0 and 1 are not compared.
  p.tee_tcb_svn->fill(3);
  (*p.tee_tcb_svn)[0] = 0;
  (*p.tee_tcb_svn)[1] = 1;
  m = MatchTcbLevel(levels, 3, p);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->status, TcbStatus::kUpToDate);
}

TEST(TcbLevelTest, BelowEveryLevelIsRefused) {
  std::string levels = "[" + V3Level(5, 10, 3, "UpToDate") + "]";
  PlatformTcb p;
  p.sgx_svn.fill(5);
  p.pce_svn = 9;
  auto m = MatchTcbLevel(levels, 3, p);
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(m.error().message().find("below every level"), std::string::npos);
}

TEST(TcbLevelTest, Version2Levels) {
  std::string level = "{\"tcb\":{";
  for (int i = 1; i <= 16; ++i) {
    char k[32];
    std::snprintf(k, sizeof k, "\"sgxtcbcomp%02dsvn\":%d,", i, i == 2 ? 3 : 0);
    level += k;
  }
  level += "\"pcesvn\":3},\"tcbStatus\":\"ConfigurationNeeded\"}";
  PlatformTcb p;
  p.sgx_svn[1] = 3;
  p.pce_svn = 3;
  auto m = MatchTcbLevel("[" + level + "]", 2, p);
  ASSERT_TRUE(m.has_value()) << m.error().message();
  EXPECT_EQ(m->status, TcbStatus::kConfigurationNeeded);
  p.sgx_svn[1] = 2;
  EXPECT_FALSE(MatchTcbLevel("[" + level + "]", 2, p).has_value());
  EXPECT_FALSE(MatchTcbLevel("[" + level + "]", 4, p).has_value());  // unknown version
}

TEST(TcbLevelTest, QeStatusFolds) {
  EXPECT_EQ(CombineTcbStatus(TcbStatus::kUpToDate, TcbStatus::kUpToDate), TcbStatus::kUpToDate);
  EXPECT_EQ(CombineTcbStatus(TcbStatus::kUpToDate, TcbStatus::kOutOfDate), TcbStatus::kOutOfDate);
  EXPECT_EQ(CombineTcbStatus(TcbStatus::kConfigurationNeeded, TcbStatus::kOutOfDate),
            TcbStatus::kOutOfDateConfigurationNeeded);
  EXPECT_EQ(CombineTcbStatus(TcbStatus::kSwHardeningNeeded, TcbStatus::kRevoked),
            TcbStatus::kRevoked);
}

TEST(RawJsonMemberTest, FindsTheSignedBytes) {
  std::string text = R"({"a":"tcbInfo","tcbInfo": {"x":"}{","y":[{"z":1}]} ,"signature":"00"})";
  auto raw = RawJsonMember(text, "tcbInfo");
  ASSERT_TRUE(raw.has_value()) << raw.error().message();
  EXPECT_EQ(*raw, R"({"x":"}{","y":[{"z":1}]})");
  EXPECT_FALSE(RawJsonMember(text, "enclaveIdentity").has_value());
  EXPECT_FALSE(RawJsonMember(R"({"tcbInfo":{"x":1)", "tcbInfo").has_value());
}

// ---- Google's production TDX quotes -------------------------------------------

TEST(DcapGoogleTest, ProductionTdxQuoteParsesAndItsTrailingBytesAreRefused) {
  RAMPART_NEEDS(fs::exists(kGoogle / "tdx_prod_quote_SPR_E4.dat"),
                "../shared/testdata/attest/tdx-google");
  auto q = Bytes(kGoogle / "tdx_prod_quote_SPR_E4.dat");
  auto parsed = ParseDcapQuote(q);
  ASSERT_FALSE(parsed.has_value());  // the file carries trailing bytes on purpose
  EXPECT_NE(parsed.error().message().find("trailing bytes"), std::string::npos);
  q.resize(4935);  // header, body, and the signature data its length field names
  parsed = ParseDcapQuote(q);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
  EXPECT_EQ(parsed->version, 4);
  EXPECT_EQ(parsed->cert_type, 5);
  EXPECT_EQ(parsed->qe_auth_data.size(), 32u);
  auto v5 = ParseDcapQuote(Bytes(kGoogle / "quote_v5_sample.dat"));
  ASSERT_TRUE(v5.has_value()) << v5.error().message();
  EXPECT_EQ(v5->version, 5);
  EXPECT_EQ(v5->body_type, 3);
  EXPECT_TRUE(v5->td->td15);
}

// Google's production TDX quote (go-tdx-guest's testdata) with the PCS
// responses captured beside it. The TCB info and QE identity are signed by
// Intel's "Intel SGX TCB Signing" certificate, which PCS sends in a response
// header and the testdata does not carry: tests/attest/testdata holds that
// public certificate (issued by the Intel SGX Root CA, 2018-05-21 to
// 2025-05-21). The collateral is valid together from 2023-06-18T08:42:58Z
// (TCB info issued) to 2023-07-08T07:24:59Z (QE identity and PCK CRL expire).
class DcapGoogleE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RAMPART_NEEDS(fs::exists(kGoogle / "tdx_prod_quote_SPR_E4.dat"),
                  "../shared/testdata/attest/tdx-google");
    quote_ = Bytes(kGoogle / "tdx_prod_quote_SPR_E4.dat");
    quote_.resize(4935);  // the file's 39 trailing bytes are refused (above)
    col_ = tmp_.path() / "collateral";
    fs::create_directories(col_);
    fs::copy_file(kGoogle / "sample_tcbInfo_response", col_ / "tcbInfo.json");
    fs::copy_file(kGoogle / "sample_qeIdentity_response", col_ / "qeIdentity.json");
    fs::copy_file(kGoogle / "pckcrl", col_ / "pckcrl");
    fs::copy_file(kGoogle / "rootcrl.der", col_ / "rootcrl.der");
    fs::copy_file(kTcbSigning, col_ / "tcbSignChain.pem");
    auto roots = DcapRootsFromPem(*ReadFile(kGoogle / "trusted_root.pem"));
    ASSERT_TRUE(roots.has_value()) << roots.error().message();
    roots_ = *roots;
    opts_.now = std::chrono::sys_days(std::chrono::year(2023) / 7 / 1);
    opts_.collateral_dir = col_;
  }
  Result<Claims> Run(const std::vector<std::uint8_t>& q) {
    return MakeDcapVerifier(TeeType::kTdx, roots_)->Verify(q, opts_);
  }
  void ExpectRefused(const std::vector<std::uint8_t>& q, std::string_view what,
                     StatusCode code = StatusCode::kPermissionDenied) {
    auto c = Run(q);
    ASSERT_FALSE(c.has_value()) << "accepted; expected: " << what;
    EXPECT_EQ(c.error().code(), code) << c.error().message();
    EXPECT_NE(c.error().message().find(what), std::string::npos) << c.error().message();
  }
  void Replace(const std::string& name, const std::string& from, const std::string& to) {
    auto text = ReadFile(col_ / name);
    ASSERT_TRUE(text.has_value());
    auto pos = text->find(from);
    ASSERT_NE(pos, std::string::npos) << from;
    text->replace(pos, from.size(), to);
    fs::remove(col_ / name);
    ASSERT_TRUE(WriteFileAtomic(col_ / name, *text).ok());
  }
  // Offsets in the v4 quote: QE report at 770, its PEM chain after the QE
  // auth data (32 bytes) and the certification data header.
  static constexpr std::size_t kQeReport = 48 + 584 + 4 + 128 + 6;
  static constexpr std::size_t kPem = kQeReport + 384 + 64 + 2 + 32 + 6;
  inline static const fs::path kTcbSigning = "tests/attest/testdata/intel_sgx_tcb_signing.pem";
  testing::TempDir tmp_;
  fs::path col_;
  std::vector<std::uint8_t> quote_;
  DcapRoots roots_;
  VerifyOptions opts_;
};

// Every signature, chain, CRL and the TD QE identity check out; the
// platform is below both levels of the only TCB info for its FMSPC
// (tcbEvaluationDataNumber 15): Intel's matching rule ("no level matches: TCB
// not supported") refuses it, as QVL does (STATUS_TCB_NOT_SUPPORTED).
constexpr std::string_view kGoogleTcbRefusal =
    "TCB level: the platform's TCB is below every level of the TCB info (PCK SGX "
    "3,3,2,2,2,1,0,2,0,0,0,0,0,0,0,0 PCESVN 11 TEE_TCB_SVN 3,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0; "
    "lowest level SGX 5,5,2,2,3,1,0,3,0,0,0,0,0,0,0,0 PCESVN 5 TDX "
    "3,0,5,0,0,0,0,0,0,0,0,0,0,0,0,0)";

TEST_F(DcapGoogleE2eTest, ProductionTdxQuotePassesEveryCheckButItsTcbLevel) {
  auto c = Run(quote_);
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(c.error().message(), kGoogleTcbRefusal);
  // The same quote against the QVL sample's TCB info: signed by another key.
  fs::remove(col_ / "tcbInfo.json");
  fs::copy_file(kQvl / "tdx" / "tcbInfo.json", col_ / "tcbInfo.json");
  ExpectRefused(quote_, "TCB info: signature does not verify");
}

TEST_F(DcapGoogleE2eTest, SignedBytesFlippedAreRefused) {
  auto q = quote_;
  q[48 + 200] ^= 1;  // the TD body: signed by the attestation key
  ExpectRefused(q, "quote signature: does not verify");
  q = quote_;
  q[48 + 584 + 4 + 10] ^= 1;  // the quote signature itself
  ExpectRefused(q, "quote signature: does not verify");
  q = quote_;
  q[kQeReport + 1] ^= 1;  // the QE report's CPUSVN: signed by the PCK key
  ExpectRefused(q, "QE report signature: does not verify");
  q = quote_;
  q[kQeReport + 320] ^= 1;  // the QE report data: the attestation key's binding
  ExpectRefused(q, "QE report data does not bind");
  q = quote_;
  q[kQeReport + 384 + 64 + 2 + 5] ^= 1;  // QE auth data: hashed into that binding
  ExpectRefused(q, "QE report data does not bind");
}

TEST_F(DcapGoogleE2eTest, TruncatedTrailingAndVersionAreRefused) {
  auto q = quote_;
  q.pop_back();
  ExpectRefused(q, "truncated", StatusCode::kInvalidArgument);
  q = quote_;
  q.push_back('\n');
  ExpectRefused(q, "trailing bytes", StatusCode::kInvalidArgument);
  q = quote_;
  q[0] = 6;
  ExpectRefused(q, "unsupported version 6", StatusCode::kInvalidArgument);
  auto c = MakeDcapVerifier(TeeType::kSgx, roots_)->Verify(quote_, opts_);
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(c.error().message().find("TDX quote given to the sgx verifier"), std::string::npos)
      << c.error().message();
}

TEST_F(DcapGoogleE2eTest, PckChainOutOfOrderOrForeignIsRefused) {
  // The PEM chain is unsigned: swap the PCK certificate and its CA.
  std::string pem(quote_.begin() + kPem, quote_.end());
  auto chain = crypto::Certificate::ChainFromPem(pem);
  ASSERT_TRUE(chain.has_value());
  ASSERT_EQ(chain->size(), 3u);
  std::string swapped = (*chain)[1].ToPem() + (*chain)[0].ToPem() + (*chain)[2].ToPem();
  ASSERT_EQ(swapped.size(), pem.size());  // re-encoded alike: same length
  auto q = quote_;
  std::copy(swapped.begin(), swapped.end(), q.begin() + kPem);
  ExpectRefused(q, "PCK chain: out of order");
  // Another root (Intel's QVL test root) does not anchor Intel's production chain.
  auto test_root = DcapRootsFromPem(*ReadFile(kQvl / "tdx" / "trustedRootCaCert.pem"));
  if (test_root) {
    roots_ = *test_root;
    ExpectRefused(quote_, "PCK chain");
  }
}

TEST_F(DcapGoogleE2eTest, TimeOutsideTheCollateralWindowIsRefused) {
  opts_.now = std::chrono::sys_days(std::chrono::year(2023) / 7 / 10);
  ExpectRefused(quote_, "PCK chain");  // the PCK CRL's nextUpdate is 2023-07-08
  opts_.now = std::chrono::sys_days(std::chrono::year(2023) / 6 / 10);
  ExpectRefused(quote_, "TCB info: issued after the verification time");
  opts_.now = std::chrono::sys_days(std::chrono::year(2026) / 1 / 1);
  ExpectRefused(quote_, "expired");
}

TEST_F(DcapGoogleE2eTest, TamperedOrMissingCollateralIsRefused) {
  Replace("tcbInfo.json", "\"UpToDate\"", "\"OutOfDate\"");
  ExpectRefused(quote_, "TCB info: signature does not verify");
  fs::remove(col_ / "tcbInfo.json");
  fs::copy_file(kGoogle / "sample_tcbInfo_response", col_ / "tcbInfo.json");
  Replace("qeIdentity.json", "\"isvprodid\":2", "\"isvprodid\":3");
  ExpectRefused(quote_, "QE identity: signature does not verify");
  fs::remove(col_ / "qeIdentity.json");
  // An SGX QE identity (the QVL sample's) where the TD QE's is needed.
  fs::copy_file(kQvl / "qeIdentity.json", col_ / "qeIdentity.json");
  ExpectRefused(quote_, "QE identity: signature does not verify");
  fs::remove(col_ / "qeIdentity.json");
  fs::copy_file(kGoogle / "sample_qeIdentity_response", col_ / "qeIdentity.json");
  fs::remove(col_ / "tcbSignChain.pem");
  ExpectRefused(quote_, "tcbSignChain.pem");
  // A TCB signing chain that is not Intel's: the PCK CA signed no TCB info.
  std::string pem(quote_.begin() + kPem, quote_.end());
  auto chain = crypto::Certificate::ChainFromPem(pem);
  ASSERT_TRUE(chain.has_value());
  ASSERT_TRUE(WriteFileAtomic(col_ / "tcbSignChain.pem", (*chain)[1].ToPem()).ok());
  ExpectRefused(quote_, "TCB info: signature does not verify");
  fs::remove(col_ / "tcbSignChain.pem");
  fs::copy_file(kTcbSigning, col_ / "tcbSignChain.pem");
  fs::remove(col_ / "pckcrl");
  ExpectRefused(quote_, "PCK chain");
}

TEST_F(DcapGoogleE2eTest, ExpectedReportDataMustMatch) {
  auto q = ParseDcapQuote(quote_);
  ASSERT_TRUE(q.has_value());
  std::vector<std::uint8_t> rd(q->td->report_data.begin(), q->td->report_data.end());
  opts_.expected_report_data = rd;
  auto c = Run(quote_);  // past the report data, to the TCB level
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().message(), kGoogleTcbRefusal);
  rd[63] ^= 1;
  opts_.expected_report_data = rd;
  ExpectRefused(quote_, "report data does not match");
}

}  // namespace
}  // namespace rampart::attest
