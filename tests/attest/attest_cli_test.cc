// `rampart attest verify`: the real binary on the shared evidence prints its
// claims as JSON (exit 0), names the failed check (exit 1), refuses bad
// input (exit 2).
#include <gtest/gtest.h>

#include <filesystem>

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

}  // namespace
}  // namespace rampart
