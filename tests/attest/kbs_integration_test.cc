// The real binary: seal a model, serve its key with `rampart kbs serve` on a
// loopback port with a ledger, fetch it with `rampart attest client` (sample
// TEE), unseal, verify the model's OMS signature, and read the ledger.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <regex>

#include "core/crypto.h"
#include "core/file.h"
#include "testing/testing.h"

namespace rampart {
namespace {

namespace fs = std::filesystem;
using testing::Process;
using testing::RunRampart;
using testing::TempDir;

class KbsIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "model" / "tok");
    std::ofstream(dir_ / "model" / "weights.bin", std::ios::binary)
        << std::string(3 << 20, 'w') << "end";
    std::ofstream(dir_ / "model" / "tok" / "vocab.txt") << "a b c\n";
    auto sk = *crypto::PrivateKey::Generate(crypto::KeyType::kEd25519);
    dir_.Write("sample.pem", *sk.ToPem());
    dir_.Write("sample.pub", *sk.public_key().ToPem());
    auto mk = *crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP256);
    dir_.Write("signer.pem", *mk.ToPem());
    dir_.Write("signer.pub", *mk.public_key().ToPem());
    auto sign =
        RunRampart({"sign", (dir_ / "model").string(), "--key", (dir_ / "signer.pem").string(),
                    "--signature", (dir_ / "model.sig").string()});
    ASSERT_EQ(sign.exit_code, 0) << sign.err;
    auto seal = RunRampart({"seal", (dir_ / "model").string(), "-o", (dir_ / "sealed").string(),
                            "--resource", "models/tiny/key", "--kek", (dir_ / "kbs.kek").string(),
                            "--create-kek"});
    ASSERT_EQ(seal.exit_code, 0) << seal.err;
  }

  // The policy names the model's OMS signer: the broker starts only if the
  // sealed model carries a signature by that key over exactly its files.
  void WritePolicy(const std::string& tee, const std::string& mrtd,
                   const std::string& signer = "signer.pub") {
    dir_.Write("policy.yaml",
               "attest:\n"
               "  kek: kbs.kek\n"
               "  limits: {max_sessions: 100, nonce_ttl_s: 60, token_ttl_s: 60}\n"
               "  resources:\n"
               "    - {path: models/tiny/key, sealed: sealed, policy: tiny, "
               "signature: model.sig}\n"
               "  policies:\n"
               "    - id: tiny\n"
               "      tee: [" +
                   tee +
                   "]\n"
                   "      signer_key: " +
                   signer +
                   "\n"
                   "      measurements: {mrtd: \"" +
                   mrtd + "\"}\n");
  }

  // Starts the broker; returns its base URL.
  std::string Start() {
    kbs_ = std::make_unique<Process>(
        std::vector<std::string>{testing::RampartBin(), "kbs", "serve", "--policy",
                                 (dir_ / "policy.yaml").string(), "--listen", "127.0.0.1:0",
                                 "--insecure-http", "--sample-key", (dir_ / "sample.pub").string(),
                                 "--ledger-store", "sqlite:" + (dir_ / "ledger.db").string(),
                                 "--ledger-signer", (dir_ / "ledger.key").string()},
        dir_.path());
    EXPECT_TRUE(kbs_->WaitForOutput("listening on")) << kbs_->Stderr();
    std::smatch m;
    std::string out = kbs_->Stdout();
    EXPECT_TRUE(std::regex_search(out, m, std::regex("http://127\\.0\\.0\\.1:([0-9]+)"))) << out;
    return "http://127.0.0.1:" + m[1].str();
  }

  testing::CommandResult Client(const std::string& url, const std::string& mrtd,
                                const std::string& out_dir,
                                const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"attest",
                                     "client",
                                     "--url",
                                     url,
                                     "--resource",
                                     "models/tiny/key",
                                     "--sample-key",
                                     (dir_ / "sample.pem").string(),
                                     "--measurement",
                                     "mrtd=" + mrtd,
                                     "-o",
                                     (dir_ / (out_dir + ".key")).string(),
                                     "--unseal",
                                     (dir_ / "sealed").string(),
                                     "--unseal-out",
                                     (dir_ / out_dir).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunRampart(args);
  }

  std::string StopAndExportLedger() {
    EXPECT_EQ(kbs_->Stop(SIGTERM), 0) << kbs_->Stderr();
    auto exp =
        RunRampart({"ledger", "export", "--store", "sqlite:" + (dir_ / "ledger.db").string()});
    EXPECT_EQ(exp.exit_code, 0) << exp.err;
    return exp.out;
  }

  TempDir dir_;
  std::unique_ptr<Process> kbs_;
  const std::string kMrtd = "0123456789abcdef";
};

TEST_F(KbsIntegration, ReleasedToAllowedSampleTeeUnsealedAndSignatureVerifies) {
  WritePolicy("sample", kMrtd);
  std::string url = Start();
  auto ok = Client(url, kMrtd, "out");
  ASSERT_EQ(ok.exit_code, 0) << ok.err << ok.out;
  EXPECT_EQ(*ReadFile(dir_ / "out" / "weights.bin", 1u << 30),
            *ReadFile(dir_ / "model" / "weights.bin", 1u << 30));
  EXPECT_EQ(*ReadFile(dir_ / "out" / "tok" / "vocab.txt"), "a b c\n");
  auto verify =
      RunRampart({"verify", (dir_ / "out").string(), "--signature", (dir_ / "model.sig").string(),
                  "--key", (dir_ / "signer.pub").string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.err << verify.out;
  // A P-384 TEE key: the resource is wrapped on that curve.
  auto p384 = Client(url, kMrtd, "out384", {"--key-curve", "P-384"});
  ASSERT_EQ(p384.exit_code, 0) << p384.err << p384.out;
  EXPECT_EQ(*ReadFile(dir_ / "out384" / "tok" / "vocab.txt"), "a b c\n");

  // Same broker, wrong measurement: refused with the reason, nothing written.
  auto bad = Client(url, "ffff", "out2");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("measurement mrtd does not match policy tiny"), std::string::npos)
      << bad.err;
  EXPECT_FALSE(fs::exists(dir_ / "out2"));
  EXPECT_FALSE(fs::exists(dir_ / "out2.key"));

  std::string ledger = StopAndExportLedger();
  EXPECT_NE(ledger.find("\"type\":\"key.released\""), std::string::npos) << ledger;
  EXPECT_NE(ledger.find("\"type\":\"key.refused\""), std::string::npos) << ledger;
  EXPECT_NE(ledger.find("\"reason\":\"measurement mrtd does not match policy tiny\""),
            std::string::npos);
  EXPECT_NE(ledger.find("\"key_id\":\"models/tiny/key\""), std::string::npos);
}

TEST_F(KbsIntegration, SampleRefusedWhenThePolicyDoesNotAllowIt) {
  WritePolicy("tdx, snp", kMrtd);
  std::string url = Start();
  auto r = Client(url, kMrtd, "out");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("tee type sample is not allowed by policy tiny"), std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
  std::string ledger = StopAndExportLedger();
  EXPECT_NE(ledger.find("\"type\":\"key.refused\""), std::string::npos) << ledger;
  EXPECT_EQ(ledger.find("\"type\":\"key.released\""), std::string::npos) << ledger;
}

TEST_F(KbsIntegration, PlainHttpOffLoopbackAndBadPolicyAreRefusedAtStart) {
  WritePolicy("sample", kMrtd);
  auto r = RunRampart({"kbs", "serve", "--policy", (dir_ / "policy.yaml").string(), "--listen",
                       "0.0.0.0:0", "--insecure-http"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("only on a loopback address"), std::string::npos) << r.err;
  r = RunRampart(
      {"kbs", "serve", "--policy", (dir_ / "policy.yaml").string(), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no TLS certificate"), std::string::npos) << r.err;
  // A model signed by another key than the policy's signer.
  auto other = *crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP256);
  dir_.Write("other.pub", *other.public_key().ToPem());
  WritePolicy("sample", kMrtd, "other.pub");
  r = RunRampart({"kbs", "serve", "--policy", (dir_ / "policy.yaml").string(), "--listen",
                  "127.0.0.1:0", "--insecure-http"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("OMS signature does not verify"), std::string::npos) << r.err;
  dir_.Write("policy.yaml",
             "attest:\n  kek: kbs.kek\n  resources:\n"
             "    - {path: models/../key, sealed: sealed, policy: nope}\n"
             "  policies: []\n");
  r = RunRampart({"kbs", "serve", "--policy", (dir_ / "policy.yaml").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'..'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no policy 'nope'"), std::string::npos) << r.err;
}

TEST_F(KbsIntegration, TlsByDefault) {
  auto gen = testing::Run(
      {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", (dir_ / "tls-key.pem").string(), "-out", (dir_ / "tls.pem").string(), "-days",
       "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
  RAMPART_NEEDS(gen.exit_code == 0, "the openssl command");
  WritePolicy("sample", kMrtd);
  std::ofstream(dir_ / "policy.yaml", std::ios::app)
      << "  tls: {cert: tls.pem, key: tls-key.pem}\n";
  kbs_ = std::make_unique<Process>(
      std::vector<std::string>{testing::RampartBin(), "kbs", "serve", "--policy",
                               (dir_ / "policy.yaml").string(), "--listen", "127.0.0.1:0",
                               "--sample-key", (dir_ / "sample.pub").string()},
      dir_.path());
  ASSERT_TRUE(kbs_->WaitForOutput("listening on")) << kbs_->Stderr();
  std::smatch m;
  std::string out = kbs_->Stdout();
  ASSERT_TRUE(std::regex_search(out, m, std::regex("https://127\\.0\\.0\\.1:([0-9]+)"))) << out;
  std::string url = "https://127.0.0.1:" + m[1].str();
  auto args = [&](const std::string& ca, const std::string& o) {
    return std::vector<std::string>{"attest",
                                    "client",
                                    "--url",
                                    url,
                                    "--ca-file",
                                    ca,
                                    "--resource",
                                    "models/tiny/key",
                                    "--sample-key",
                                    (dir_ / "sample.pem").string(),
                                    "--measurement",
                                    "mrtd=" + kMrtd,
                                    "-o",
                                    (dir_ / o).string()};
  };
  auto ok = RunRampart(args((dir_ / "tls.pem").string(), "dk"));
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(fs::exists(dir_ / "dk"));
  // A client that does not trust the broker's certificate gets nothing.
  auto other =
      RunRampart({"attest", "client", "--url", url, "--resource", "models/tiny/key", "--sample-key",
                  (dir_ / "sample.pem").string(), "-o", (dir_ / "dk2").string()});
  EXPECT_NE(other.exit_code, 0);
  EXPECT_FALSE(fs::exists(dir_ / "dk2"));
  // Plain HTTP to a non-loopback broker is refused by the client too.
  auto plain =
      RunRampart({"attest", "client", "--url", "http://10.0.0.1:1", "--resource", "models/tiny/key",
                  "--sample-key", (dir_ / "sample.pem").string(), "-o", (dir_ / "dk3").string()});
  EXPECT_EQ(plain.exit_code, 2);
  EXPECT_NE(plain.err.find("only to a loopback broker"), std::string::npos) << plain.err;
  EXPECT_EQ(kbs_->Stop(SIGTERM), 0);
}

TEST_F(KbsIntegration, RampartServeRunsTheBrokerWithTheEstateLedger) {
  int ledger_port = testing::FreePort(), kbs_port = testing::FreePort();
  std::string estate = R"(version: 1
name: mini
zones:
  - {name: mlops, kind: mlops, cidrs: [10.40.0.0/16]}
services:
  - {name: ledger, zone: mlops, kind: ledger, ports: [tcp/7000], addresses: [10.40.0.30/32]}
ledger:
  origin: mini.example/ledger
  storage: sqlite:)" + (dir_ / "ledger.db").string() +
                       R"(
  listen: 127.0.0.1:)" +
                       std::to_string(ledger_port) + R"(
attest:
  kek: kbs.kek
  listen: 127.0.0.1:)" +
                       std::to_string(kbs_port) + R"(
  insecure_http: true
  sample_key: sample.pub
  resources:
    - {path: models/tiny/key, sealed: sealed, policy: tiny}
  policies:
    - {id: tiny, tee: [sample], measurements: {mrtd: ")" +
                       kMrtd + R"("}}
)";
  auto file = dir_.Write("estate.yaml", estate);
  Process p(
      {testing::RampartBin(), "serve", "-e", file.string(), "--var-dir", (dir_ / "var").string()},
      dir_.path());
  ASSERT_TRUE(p.WaitForOutput("service(s) running")) << p.Stderr();
  auto ok = Client("http://127.0.0.1:" + std::to_string(kbs_port), kMrtd, "out");
  ASSERT_EQ(ok.exit_code, 0) << ok.err << p.Stderr();
  EXPECT_EQ(*ReadFile(dir_ / "out" / "tok" / "vocab.txt"), "a b c\n");
  EXPECT_EQ(p.Stop(SIGTERM), 0) << p.Stderr();
  auto exp = RunRampart({"ledger", "export", "--store", "sqlite:" + (dir_ / "ledger.db").string()});
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  EXPECT_NE(exp.out.find("\"type\":\"key.released\""), std::string::npos) << exp.out;
}

}  // namespace
}  // namespace rampart
