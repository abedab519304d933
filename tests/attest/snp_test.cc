// SEV-SNP: the real report from ../shared verifies against AMD's pinned
// Milan roots, and every mutation of it is refused naming the check.
#include "attest/snp.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "attest/x509_util.h"
#include "core/encoding.h"
#include "core/file.h"
#include "testing/testing.h"

namespace rampart::attest {
namespace {

namespace fs = std::filesystem;
const fs::path kDir = "../shared/testdata/attest/snp-google";

std::chrono::system_clock::time_point At(int year) {
  return std::chrono::sys_days(std::chrono::year(year) / 1 / 1);
}

class SnpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RAMPART_NEEDS(fs::exists(kDir / "attestation.bin"), "../shared/testdata/attest/snp-google");
    auto r = ReadFile(kDir / "attestation.bin");
    ASSERT_TRUE(r.has_value());
    report_.assign(r->begin(), r->end());
    auto roots = ReadFile(kDir / "trust/ask_ark_milan.pem");
    ASSERT_TRUE(roots.has_value());
    auto rr = SnpRootsFromPem(*roots);
    ASSERT_TRUE(rr.has_value()) << rr.error().message();
    roots_ = *rr;
    collateral_ = tmp_.path() / "collateral";
    fs::create_directories(collateral_);
    fs::copy_file(kDir / "vcek.testcer", collateral_ / "vcek.der");
    opts_.now = At(2024);
    opts_.collateral_dir = collateral_;
  }
  Result<Claims> Run(const std::vector<std::uint8_t>& ev) {
    return MakeSnpVerifier(roots_)->Verify(ev, opts_);
  }
  void ExpectRefused(const std::vector<std::uint8_t>& ev, StatusCode code, std::string_view what) {
    auto c = Run(ev);
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().code(), code) << c.error().message();
    EXPECT_NE(c.error().message().find(what), std::string::npos) << c.error().message();
  }
  testing::TempDir tmp_;
  fs::path collateral_;
  std::vector<std::uint8_t> report_;
  SnpRoots roots_;
  VerifyOptions opts_;
};

TEST_F(SnpTest, RealReportVerifiesWithItsClaims) {
  auto c = Run(report_);
  ASSERT_TRUE(c.has_value()) << c.error().message();
  EXPECT_EQ(c->tee, TeeType::kSnp);
  EXPECT_EQ(c->measurements.at("measurement"),
            "b07af9620f3b839b47996422ddec60583389"
            "51d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01");
  EXPECT_EQ(c->measurements.at("host_data"), std::string(64, '0'));
  std::vector<std::uint8_t> rd(64, 0);
  rd[0] = 1, rd[1] = 2, rd[2] = 3, rd[3] = 4, rd[4] = 5;
  EXPECT_EQ(c->report_data, rd);
  EXPECT_TRUE(c->debug);  // policy 0xb0000: bit 19
  EXPECT_EQ(c->attributes.at("policy"), "0x00000000000b0000");
  EXPECT_EQ(c->attributes.at("policy.smt"), "true");
  EXPECT_EQ(c->attributes.at("policy.migrate_ma"), "false");
  EXPECT_EQ(c->attributes.at("version"), "2");
  EXPECT_EQ(c->attributes.at("signing_key"), "vcek");
  EXPECT_EQ(c->attributes.at("product"), "Milan-B0");
  EXPECT_EQ(c->attributes.at("reported_tcb"), "bl=2,tee=0,snp=5,ucode=68");
  EXPECT_TRUE(c->attributes.at("chip_id").starts_with("3ac3fe21e13fb099"));
  EXPECT_EQ(c->tcb_status, TcbStatus::kUnknown);
  EXPECT_EQ(c->evidence_digest, "sha256:" + HexEncode(crypto::Sha256(report_)));
}

TEST_F(SnpTest, ExpectedReportData) {
  std::vector<std::uint8_t> rd(64, 0);
  rd[0] = 1, rd[1] = 2, rd[2] = 3, rd[3] = 4, rd[4] = 5;
  opts_.expected_report_data = rd;
  EXPECT_TRUE(Run(report_).has_value());
  rd[4] = 6;
  opts_.expected_report_data = rd;
  ExpectRefused(report_, StatusCode::kPermissionDenied, "report data does not match");
}

TEST_F(SnpTest, FlippedSignatureByteIsRefused) {
  auto ev = report_;
  ev[0x2A0 + 5] ^= 1;
  ExpectRefused(ev, StatusCode::kPermissionDenied, "report signature");
}

TEST_F(SnpTest, FlippedMeasurementIsRefused) {
  auto ev = report_;
  ev[0x90] ^= 0x80;
  ExpectRefused(ev, StatusCode::kPermissionDenied, "report signature");
}

TEST_F(SnpTest, TruncatedAndTrailingBytesAreRefused) {
  auto ev = report_;
  ev.pop_back();
  ExpectRefused(ev, StatusCode::kInvalidArgument, "truncated");
  ev = report_;
  ev.push_back(0);
  ExpectRefused(ev, StatusCode::kInvalidArgument, "trailing bytes");
  ExpectRefused({}, StatusCode::kInvalidArgument, "truncated");
}

TEST_F(SnpTest, WrongVersionAndAlgorithmAreRefused) {
  auto ev = report_;
  ev[0] = 1;
  ExpectRefused(ev, StatusCode::kInvalidArgument, "unsupported version 1");
  ev = report_;
  ev[0x34] = 2;
  ExpectRefused(ev, StatusCode::kInvalidArgument, "signature algorithm 2");
}

TEST_F(SnpTest, ExpiredVcekIsRefused) {
  opts_.now = At(2030);  // the VCEK's notAfter is 2029-09-24
  ExpectRefused(report_, StatusCode::kPermissionDenied, "certificate has expired");
  opts_.now = At(2021);  // before its notBefore
  ExpectRefused(report_, StatusCode::kPermissionDenied, "not yet valid");
}

TEST_F(SnpTest, WrongRootIsRefused) {
  auto genoa = ReadFile(kDir / "trust/ask_ark_genoa.pem");
  ASSERT_TRUE(genoa.has_value());
  auto rr = SnpRootsFromPem(*genoa);
  ASSERT_TRUE(rr.has_value());
  roots_ = *rr;
  ExpectRefused(report_, StatusCode::kPermissionDenied, "chain to the AMD ARK");
  // The ASK alone (no ARK pinned) is not a root.
  auto milan = ReadFile(kDir / "trust/ask_ark_milan.pem");
  auto certs = crypto::Certificate::ChainFromPem(*milan);
  ASSERT_TRUE(certs.has_value());
  roots_.arks = {(*certs)[0]};
  roots_.asks = {};
  ExpectRefused(report_, StatusCode::kPermissionDenied, "chain to the AMD ARK");
}

TEST_F(SnpTest, MissingVcekIsRefused) {
  fs::remove(collateral_ / "vcek.der");
  ExpectRefused(report_, StatusCode::kPermissionDenied, "no vcek certificate");
}

TEST_F(SnpTest, VcekGivenInMemory) {
  opts_.collateral_dir.clear();
  auto der = ReadFile(kDir / "vcek.testcer");
  auto cert = ParseCertificate(crypto::AsBytes(*der));
  ASSERT_TRUE(cert.has_value());
  roots_.endorsement_keys = {*cert};
  EXPECT_TRUE(Run(report_).has_value());
}

// The signature covers reported_tcb and chip_id, so a mutated report never
// reaches these checks: they are exercised on the parsed report directly.
TEST_F(SnpTest, ReportedTcbAndChipIdMustMatchTheVcek) {
  auto der = ReadFile(kDir / "vcek.testcer");
  auto vcek = ParseCertificate(crypto::AsBytes(*der));
  ASSERT_TRUE(vcek.has_value());
  auto r = ParseSnpReport(report_);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(CheckSnpEndorsement(*r, *vcek).ok());
  auto below = *r;
  below.reported_tcb = 0x4404000000000002ull;  // SNP SVN 4 where the VCEK certifies 5
  Status st = CheckSnpEndorsement(below, *vcek);
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(st.message(),
            "reported TCB (bl=2,tee=0,snp=4,ucode=68) does not match the vcek's TCB "
            "(bl=2,tee=0,snp=5,ucode=68)");
  auto above = *r;
  above.reported_tcb = 0x4505000000000002ull;  // a newer microcode than certified
  EXPECT_FALSE(CheckSnpEndorsement(above, *vcek).ok());
  auto other_chip = *r;
  other_chip.chip_id[0] ^= 1;
  st = CheckSnpEndorsement(other_chip, *vcek);
  EXPECT_NE(st.message().find("chip id"), std::string::npos) << st.message();
  other_chip.flags |= 2;  // MASK_CHIP_ID: the guest chose not to reveal it
  EXPECT_TRUE(CheckSnpEndorsement(other_chip, *vcek).ok());
}

TEST(SnpTcbTest, LayoutsDecode) {
  // Milan/Genoa: BL, TEE, 4 reserved, SNP, microcode (little-endian u64).
  SnpTcb m = DecodeSnpTcb(0x4405000000000002ull, false);
  EXPECT_EQ(m, (SnpTcb{0, 2, 0, 5, 0x44}));
  // Turin: FMC, BL, TEE, SNP, 3 reserved, microcode.
  SnpTcb t = DecodeSnpTcb(0x4500000004030201ull, true);
  EXPECT_EQ(t, (SnpTcb{1, 2, 3, 4, 0x45}));
}

TEST(SnpParseTest, SignatureComponentBeyondP384IsRefused) {
  std::vector<std::uint8_t> ev(kSnpReportSize, 0);
  ev[0] = 2;
  ev[0x34] = 1;
  EXPECT_TRUE(ParseSnpReport(ev).has_value());
  ev[0x2A0 + 60] = 1;
  auto r = ParseSnpReport(ev);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("exceeds the P-384 size"), std::string::npos);
}

// ---- VLEK: a chain made here (ARK → ASVK → VLEK, RSA-PSS) -------------------
//
// No VLEK-signed report is public; this fixture makes AMD's shape with the
// openssl CLI: a self-signed RSA-PSS ARK, an ASVK it signs, a P-384 VLEK the
// ASVK signs (RSA-PSS, SHA-384) carrying the product name, the TCB and the
// CSP id extensions. The shared report is re-signed by the VLEK with
// SIGNING_KEY = 1 and its reported TCB set to the VLEK's.
class SnpVlekTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RAMPART_NEEDS(fs::exists(kDir / "attestation.bin"), "../shared/testdata/attest/snp-google");
    auto r = ReadFile(kDir / "attestation.bin");
    ASSERT_TRUE(r.has_value());
    report_.assign(r->begin(), r->end());
    ca_ = tmp_.path() / "ca";
    fs::create_directories(ca_);
    ASSERT_NO_FATAL_FAILURE(MakeRsaCa("ark", "", "ARK-Milan"));
    ASSERT_NO_FATAL_FAILURE(MakeRsaCa("asvk", "ark", "SEV-VLEK-Milan"));
    ASSERT_NO_FATAL_FAILURE(MakeRsaCa("ask", "ark", "SEV-Milan"));
    auto vlek = crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP384);
    ASSERT_TRUE(vlek.has_value());
    vlek_key_ = std::make_unique<crypto::PrivateKey>(std::move(*vlek));
    ASSERT_TRUE(WriteFileAtomic(ca_ / "vlek.key", *vlek_key_->ToPem()).ok());
    ASSERT_NO_FATAL_FAILURE(MakeVlek("vlek.pem", "asvk", kTcbExt + kCspExt));
    auto roots = SnpRootsFromPem(*ReadFile(ca_ / "asvk.pem") + *ReadFile(ca_ / "ark.pem"));
    ASSERT_TRUE(roots.has_value()) << roots.error().message();
    roots_ = *roots;
    collateral_ = tmp_.path() / "collateral";
    fs::create_directories(collateral_);
    fs::copy_file(ca_ / "vlek.pem", collateral_ / "vlek.pem");
    // An hour ahead: certificates a test makes later in its body start at
    // their own second, after this one ("not yet valid" otherwise).
    opts_.now = std::chrono::system_clock::now() + std::chrono::hours(1);
    opts_.collateral_dir = collateral_;
    // SIGNING_KEY (flags bits 2-4) = 1, VLEK; reported TCB bl=3 tee=0 snp=8 ucode=115.
    report_[0x48] = static_cast<std::uint8_t>((report_[0x48] & ~0x1c) | (1 << 2));
    const std::uint8_t tcb[8] = {3, 0, 0, 0, 0, 0, 8, 115};
    std::copy(tcb, tcb + 8, report_.begin() + 0x180);
    Resign(&report_);
  }
  void Openssl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = testing::Run(argv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // An RSA-PSS CA: self-signed when `issuer` is empty.
  void MakeRsaCa(const std::string& name, const std::string& issuer, const std::string& cn) {
    std::string key = (ca_ / (name + ".key")).string(), pem = (ca_ / (name + ".pem")).string();
    Openssl({"genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key});
    std::vector<std::string> pss = {"-sha384", "-sigopt", "rsa_padding_mode:pss", "-sigopt",
                                    "rsa_pss_saltlen:48"};
    if (issuer.empty()) {
      std::vector<std::string> a = {"req",
                                    "-x509",
                                    "-new",
                                    "-key",
                                    key,
                                    "-subj",
                                    "/CN=" + cn,
                                    "-days",
                                    "3650",
                                    "-addext",
                                    "basicConstraints=critical,CA:true",
                                    "-addext",
                                    "keyUsage=critical,keyCertSign,cRLSign",
                                    "-out",
                                    pem};
      a.insert(a.end(), pss.begin(), pss.end());
      Openssl(a);
      return;
    }
    std::string csr = (ca_ / (name + ".csr")).string(), ext = (ca_ / (name + ".ext")).string();
    ASSERT_TRUE(WriteFileAtomic(ext,
                                "basicConstraints=critical,CA:true\n"
                                "keyUsage=critical,keyCertSign,cRLSign\n")
                    .ok());
    Openssl({"req", "-new", "-key", key, "-subj", "/CN=" + cn, "-out", csr});
    std::vector<std::string> a = {"x509",        "-req",
                                  "-in",         csr,
                                  "-CA",         (ca_ / (issuer + ".pem")).string(),
                                  "-CAkey",      (ca_ / (issuer + ".key")).string(),
                                  "-set_serial", "2",
                                  "-days",       "3650",
                                  "-extfile",    ext,
                                  "-out",        pem};
    a.insert(a.end(), pss.begin(), pss.end());
    Openssl(a);
  }
  // The VLEK certificate, issued by `issuer` with the extensions in `ext`.
  void MakeVlek(const std::string& out, const std::string& issuer, const std::string& ext) {
    std::string csr = (ca_ / "vlek.csr").string(), extf = (ca_ / "vlek.ext").string();
    ASSERT_TRUE(WriteFileAtomic(extf, ext).ok());
    Openssl(
        {"req", "-new", "-key", (ca_ / "vlek.key").string(), "-subj", "/CN=SEV-VLEK", "-out", csr});
    Openssl({"x509",
             "-req",
             "-in",
             csr,
             "-CA",
             (ca_ / (issuer + ".pem")).string(),
             "-CAkey",
             (ca_ / (issuer + ".key")).string(),
             "-set_serial",
             "3",
             "-days",
             "365",
             "-extfile",
             extf,
             "-sha384",
             "-sigopt",
             "rsa_padding_mode:pss",
             "-sigopt",
             "rsa_pss_saltlen:48",
             "-out",
             (ca_ / out).string()});
  }
  // Signs bytes 0..0x29F with the VLEK: r and s little-endian in 72 bytes.
  void Resign(std::vector<std::uint8_t>* rep) {
    auto sig = vlek_key_->Sign(std::span<const std::uint8_t>(rep->data(), kSnpSignedSize),
                               crypto::SignatureFormat::kRaw, crypto::HashAlgorithm::kSha384);
    ASSERT_TRUE(sig.has_value());
    ASSERT_EQ(sig->size(), 96u);
    std::fill(rep->begin() + 0x2A0, rep->begin() + 0x2A0 + 144, 0);
    for (std::size_t i = 0; i < 48; ++i) {
      (*rep)[0x2A0 + i] = (*sig)[47 - i];
      (*rep)[0x2E8 + i] = (*sig)[95 - i];
    }
  }
  Result<Claims> Run(const std::vector<std::uint8_t>& ev) {
    return MakeSnpVerifier(roots_)->Verify(ev, opts_);
  }
  void ExpectRefused(const std::vector<std::uint8_t>& ev, std::string_view what) {
    auto c = Run(ev);
    ASSERT_FALSE(c.has_value()) << "accepted; expected: " << what;
    EXPECT_EQ(c.error().code(), StatusCode::kPermissionDenied) << c.error().message();
    EXPECT_NE(c.error().message().find(what), std::string::npos) << c.error().message();
  }
  // Milan: product name, TCB bl=3 tee=0 snp=8 ucode=115; the CSP id.
  inline static const std::string kTcbExt =
      "1.3.6.1.4.1.3704.1.2=DER:16:05:4d:69:6c:61:6e\n"
      "1.3.6.1.4.1.3704.1.3.1=DER:02:01:03\n"
      "1.3.6.1.4.1.3704.1.3.2=DER:02:01:00\n"
      "1.3.6.1.4.1.3704.1.3.3=DER:02:01:08\n"
      "1.3.6.1.4.1.3704.1.3.8=DER:02:01:73\n";
  inline static const std::string kCspExt =
      "1.3.6.1.4.1.3704.1.5=DER:16:08:74:65:73:74:2d:63:73:70\n";
  testing::TempDir tmp_;
  fs::path ca_, collateral_;
  std::unique_ptr<crypto::PrivateKey> vlek_key_;
  std::vector<std::uint8_t> report_;
  SnpRoots roots_;
  VerifyOptions opts_;
};

TEST_F(SnpVlekTest, VlekSignedReportVerifiesThroughTheAsvk) {
  auto c = Run(report_);
  ASSERT_TRUE(c.has_value()) << c.error().message();
  EXPECT_EQ(c->attributes.at("signing_key"), "vlek");
  EXPECT_EQ(c->attributes.at("csp_id"), "test-csp");
  EXPECT_EQ(c->attributes.at("product"), "Milan");
  EXPECT_EQ(c->attributes.at("reported_tcb"), "bl=3,tee=0,snp=8,ucode=115");
}

TEST_F(SnpVlekTest, MutationsAreRefused) {
  auto r = report_;
  r[0x90] ^= 1;  // the measurement, under the signature
  ExpectRefused(r, "report signature: does not verify with the vlek");
  r = report_;
  r[0x186] = 9;  // reported SNP SVN above the VLEK's, re-signed
  Resign(&r);
  ExpectRefused(r, "reported TCB (bl=3,tee=0,snp=9,ucode=115) does not match the vlek's TCB");
  r = report_;
  r[0x48] = static_cast<std::uint8_t>(r[0x48] & ~0x1c);  // says VCEK, signed by the VLEK
  Resign(&r);
  fs::copy_file(ca_ / "vlek.pem", collateral_ / "vcek.pem");
  ExpectRefused(r, "vcek: the certificate that signed the report is a VLEK");
}

TEST_F(SnpVlekTest, VlekOutsideThePinnedAsvkIsRefused) {
  // Pinned: the ARK and the ASK only (the VCEK bundle), not the ASVK.
  auto roots = SnpRootsFromPem(*ReadFile(ca_ / "ask.pem") + *ReadFile(ca_ / "ark.pem"));
  ASSERT_TRUE(roots.has_value());
  roots_ = *roots;
  ExpectRefused(report_, "vlek chain to the AMD ARK");
  // The VLEK issued by the ASK instead: its chain holds, the certificate is
  // a VLEK; issued without the CSP id, it is no VLEK.
  fs::remove(collateral_ / "vlek.pem");
  ASSERT_NO_FATAL_FAILURE(MakeVlek("vlek-nocsp.pem", "ask", kTcbExt));
  fs::copy_file(ca_ / "vlek-nocsp.pem", collateral_ / "vlek.pem");
  ExpectRefused(report_, "vlek: the certificate that signed the report names no CSP");
  // Expired at the verification time.
  opts_.now = std::chrono::system_clock::now() + std::chrono::hours(24 * 400);
  ExpectRefused(report_, "expired");
}

}  // namespace
}  // namespace rampart::attest
