// `rampart attest verify`: the real binary on the shared evidence prints its
// claims as JSON (exit 0), names the failed check (exit 1), refuses bad
// input (exit 2).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/crypto.h"
#include "core/file.h"
#include "core/json.h"
#include "testing/testing.h"

namespace rampart {
namespace {

namespace fs = std::filesystem;
const fs::path kData = fs::absolute("../shared/testdata/attest");

class AttestCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RAMPART_NEEDS(fs::exists(kData / "snp-google/attestation.bin"), "../shared/testdata/attest");
    col_ = tmp_.path() / "snp";
    fs::create_directories(col_);
    fs::copy_file(kData / "snp-google/vcek.testcer", col_ / "vcek.der");
  }
  std::vector<std::string> Snp(const std::string& at) {
    return {"attest",
            "verify",
            (kData / "snp-google/attestation.bin").string(),
            "--type",
            "snp",
            "--roots",
            (kData / "snp-google/trust/ask_ark_milan.pem").string(),
            "--collateral",
            col_.string(),
            "--at",
            at};
  }
  testing::TempDir tmp_;
  fs::path col_;
};

TEST_F(AttestCliTest, SnpClaimsAsJson) {
  auto r = testing::RunRampart(Snp("2024-01-01"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = ParseJson(r.out);
  ASSERT_TRUE(j.has_value()) << r.out;
  const auto& o = j->as_object();
  EXPECT_EQ(o.at("tee").as_string(), "snp");
  EXPECT_EQ(o.at("measurements").as_object().at("measurement").as_string(),
            "b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b"
            "6bdf8a9ece31a5a608eb0cf2e4872b01");
  EXPECT_TRUE(o.at("debug").as_bool());
  EXPECT_EQ(o.at("attributes").as_object().at("reported_tcb").as_string(),
            "bl=2,tee=0,snp=5,ucode=68");
  EXPECT_TRUE(o.at("report_data").as_string().starts_with("0102030405000000"));
}

TEST_F(AttestCliTest, SnpFailedCheckExitsOne) {
  auto r = testing::RunRampart(Snp("2030-01-01T00:00:00Z"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("certificate has expired"), std::string::npos) << r.err;
  auto args = Snp("2024-01-01");
  args.push_back("--report-data");
  args.push_back(std::string(128, '0'));
  r = testing::RunRampart(args);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("report data does not match"), std::string::npos) << r.err;
}

TEST_F(AttestCliTest, BadInputExitsTwo) {
  auto truncated = tmp_.path() / "short.bin";
  auto bytes = ReadFile(kData / "snp-google/attestation.bin");
  ASSERT_TRUE(WriteFileAtomic(truncated, bytes->substr(0, 100)).ok());
  auto args = Snp("2024-01-01");
  args[2] = truncated.string();
  auto r = testing::RunRampart(args);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;
  // Missing evidence file; bad --at; no --roots.
  args[2] = (tmp_.path() / "absent.bin").string();
  EXPECT_EQ(testing::RunRampart(args).exit_code, 2);
  r = testing::RunRampart(Snp("yesterday"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--at"), std::string::npos) << r.err;
  r = testing::RunRampart(
      {"attest", "verify", (kData / "snp-google/attestation.bin").string(), "--type", "snp"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--roots"), std::string::npos) << r.err;
  r = testing::RunRampart({"attest", "verify", "x", "--type", "quantum"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(AttestCliTest, SgxQuoteAsText) {
  const fs::path qvl = kData / "sgx-intel-qvl";
  RAMPART_NEEDS(fs::exists(qvl / "quote.dat"), "../shared/testdata/attest/sgx-intel-qvl");
  auto col = tmp_.path() / "sgx";
  fs::create_directories(col);
  for (const char* f :
       {"tcbInfo.json", "qeIdentity.json", "tcbSignChain.pem", "intermediateCaCrl.der",
        "rootCaCrl.der", "pckCert.pem", "pckSignChain.pem"}) {
    fs::copy_file(qvl / f, col / f);
  }
  auto r = testing::RunRampart({"attest", "verify", (qvl / "quote.dat").string(), "--type", "sgx",
                                "--roots", (qvl / "trustedRootCaCert.pem").string(), "--collateral",
                                col.string(), "--at", "2024-06-01", "--format", "text"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("tee: sgx\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tcb_status: UpToDate\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fmspc: 00707f000000\n"), std::string::npos) << r.out;
  // The same quote as TDX evidence: refused, naming why.
  r = testing::RunRampart({"attest", "verify", (qvl / "quote.dat").string(), "--type", "tdx",
                           "--roots", (qvl / "trustedRootCaCert.pem").string(), "--collateral",
                           col.string(), "--at", "2024-06-01"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("SGX quote given to the tdx verifier"), std::string::npos) << r.err;
}

// Google's production TDX quote through the binary: as shipped (39 trailing
// bytes) it is bad input, exit 2; cut to its length fields, every check
// passes until the TCB level, exit 1 naming it.
TEST_F(AttestCliTest, GoogleTdxQuoteStopsAtItsTcbLevel) {
  const fs::path g = kData / "tdx-google";
  RAMPART_NEEDS(fs::exists(g / "tdx_prod_quote_SPR_E4.dat"),
                "../shared/testdata/attest/tdx-google");
  auto col = tmp_.path() / "tdx";
  fs::create_directories(col);
  fs::copy_file(g / "sample_tcbInfo_response", col / "tcbInfo.json");
  fs::copy_file(g / "sample_qeIdentity_response", col / "qeIdentity.json");
  fs::copy_file(g / "pckcrl", col / "pckcrl");
  fs::copy_file(g / "rootcrl.der", col / "rootcrl.der");
  fs::copy_file("tests/attest/testdata/intel_sgx_tcb_signing.pem", col / "tcbSignChain.pem");
  auto verify = [&](const fs::path& quote) {
    return testing::RunRampart({"attest", "verify", quote.string(), "--type", "tdx", "--roots",
                                (g / "trusted_root.pem").string(), "--collateral", col.string(),
                                "--at", "2023-07-01"});
  };
  auto r = verify(g / "tdx_prod_quote_SPR_E4.dat");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("signature data length 4299 at offset 632 but 4338 bytes follow "
                       "(trailing bytes)"),
            std::string::npos)
      << r.err;
  std::string q = *ReadFile(g / "tdx_prod_quote_SPR_E4.dat");
  q.resize(4935);
  auto cut = tmp_.Write("quote.dat", q);
  r = verify(cut);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("TCB level: the platform's TCB is below every level"), std::string::npos)
      << r.err;
}

// `rampart seal --signature BUNDLE --signer-key KEY`: the verified bundle's
// per-file digests go into the manifest without hashing the model again; the
// same manifest as a hashing seal, and a file changed after signing is sealed
// but never unseals.
class SealSignedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "model" / "tok");
    std::ofstream(dir_ / "model" / "weights.bin", std::ios::binary)
        << std::string((2 << 20) + 7, 'w');
    std::ofstream(dir_ / "model" / "tok" / "vocab.txt") << "a b c\n";
    auto mk = *crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP256);
    dir_.Write("signer.pem", *mk.ToPem());
    dir_.Write("signer.pub", *mk.public_key().ToPem());
    auto other = *crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP256);
    dir_.Write("other.pub", *other.public_key().ToPem());
    auto sign = testing::RunRampart({"sign", (dir_ / "model").string(), "--key",
                                     (dir_ / "signer.pem").string(), "--signature",
                                     (dir_ / "model.sig").string()});
    ASSERT_EQ(sign.exit_code, 0) << sign.err;
  }
  testing::CommandResult Seal(const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> args = {"seal",         (dir_ / "model").string(),
                                     "-o",           (dir_ / out).string(),
                                     "--resource",   "models/tiny/key",
                                     "--kek",        (dir_ / "kbs.kek").string(),
                                     "--create-kek", "--format",
                                     "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return testing::RunRampart(args);
  }
  std::vector<std::string> Signed(const std::string& key = "signer.pub") {
    return {"--signature", (dir_ / "model.sig").string(), "--signer-key", (dir_ / key).string()};
  }
  testing::TempDir dir_;
};

TEST_F(SealSignedTest, SignedDigestsMakeTheSameManifestAndUnseal) {
  auto hashed = Seal("hashed", {});
  ASSERT_EQ(hashed.exit_code, 0) << hashed.err;
  auto fast = Seal("signed", Signed());
  ASSERT_EQ(fast.exit_code, 0) << fast.err;
  auto root = [](const std::string& out) {
    return ParseJson(out)->as_object().at("root_digest").as_string();
  };
  EXPECT_EQ(root(hashed.out), root(fast.out));
  auto un = testing::RunRampart({"unseal", (dir_ / "signed").string(), "-o",
                                 (dir_ / "out").string(), "--kek", (dir_ / "kbs.kek").string()});
  ASSERT_EQ(un.exit_code, 0) << un.err;
  EXPECT_EQ(*ReadFile(dir_ / "out" / "tok" / "vocab.txt"), "a b c\n");
}

TEST_F(SealSignedTest, AFileChangedAfterSigningNeverUnseals) {
  {
    std::fstream f(dir_ / "model" / "weights.bin", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1 << 20);
    f.put('X');  // same size, one byte changed
  }
  auto fast = Seal("signed", Signed());
  ASSERT_EQ(fast.exit_code, 0) << fast.err;  // not hashed at seal time
  auto un = testing::RunRampart({"unseal", (dir_ / "signed").string(), "-o",
                                 (dir_ / "out").string(), "--kek", (dir_ / "kbs.kek").string()});
  EXPECT_NE(un.exit_code, 0);
  EXPECT_NE(un.err.find("weights.bin"), std::string::npos) << un.err;
  EXPECT_NE(un.err.find("SHA-256"), std::string::npos) << un.err;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(SealSignedTest, UnverifiedOrMismatchedBundlesAreRefused) {
  auto r = Seal("a", Signed("other.pub"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("signature does not verify"), std::string::npos) << r.err;
  r = Seal("b", {"--signature", (dir_ / "model.sig").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--signer-key"), std::string::npos) << r.err;
  std::ofstream(dir_ / "model" / "extra.txt") << "unsigned\n";
  r = Seal("c", Signed());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("not in the signed bundle (extra.txt)"), std::string::npos) << r.err;
  fs::remove(dir_ / "model" / "extra.txt");
  fs::remove(dir_ / "model" / "tok" / "vocab.txt");
  r = Seal("d", Signed());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("signed file tok/vocab.txt is missing"), std::string::npos) << r.err;
  for (const char* d : {"a", "b", "c", "d"}) EXPECT_FALSE(fs::exists(dir_ / d)) << d;
}

}  // namespace
}  // namespace rampart
