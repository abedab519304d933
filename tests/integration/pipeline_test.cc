// The ML pipeline's audit trail end to end: a real ledger server, and the
// artifacts commands recording what they did into it with --ledger.
#include <signal.h>

#include <gtest/gtest.h>

#include "core/json.h"
#include "testing/testing.h"

namespace rampart {
namespace {

using testing::RunRampart;

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = RunRampart({"ledger", "keygen", "--api-key", "ci-signer", "--format", "json"});
    ASSERT_EQ(key.exit_code, 0) << key.err;
    auto j = ParseJson(key.out);
    ASSERT_TRUE(j.has_value()) << key.out;
    token_ = std::string(j->as_object().at("token").as_string());
    std::string hash(j->as_object().at("hash").as_string());
    port_ = testing::FreePort();
    store_ = "sqlite:" + (dir_ / "ledger.db").string();
    server_ = std::make_unique<testing::Process>(
        std::vector<std::string>{testing::RampartBin(), "ledger", "serve", "--listen",
                                 "127.0.0.1:" + std::to_string(port_), "--store", store_,
                                 "--key", (dir_ / "ledger.key").string(), "--origin",
                                 "test.rampart/ledger", "--api-key", "ci-signer=" + hash,
                                 "--checkpoint-interval-ms", "50"},
        dir_.path());
    ASSERT_TRUE(testing::WaitForPort(port_)) << server_->Stderr();
    url_ = "http://127.0.0.1:" + std::to_string(port_);

    model_ = dir_ / "model";
    dir_.Write("model/config.json", "{\"layers\": 2}\n");
    dir_.Write("model/weights.bin", std::string(4096, '\x11'));
    auto gen = testing::Run({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                             "ec_paramgen_curve:P-256", "-out", (dir_ / "key.pem").string()});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
  }

  // Every entry the ledger holds about `digest`, as JSON.
  json::array Find(const std::string& digest) {
    server_->Stop(SIGTERM);  // the CLI reads the store directly; let the server let go
    auto r = RunRampart({"ledger", "find", "--digest", digest, "--store", store_, "--format",
                         "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = ParseJson(r.out);
    EXPECT_TRUE(j.has_value()) << r.out;
    if (!j) return {};
    if (j->is_array()) return j->as_array();
    return j->as_object().at("entries").as_array();
  }

  static std::string RootDigest(const std::string& stderr_text) {
    auto p = stderr_text.find("root sha256:");
    if (p == std::string::npos) return "";
    return "sha256:" + stderr_text.substr(p + 12, 64);
  }

  testing::TempDir dir_;
  std::string token_, url_, store_;
  int port_ = 0;
  std::filesystem::path model_;
  std::unique_ptr<testing::Process> server_;
};

TEST_F(PipelineTest, SigningIsRecordedInTheLedger) {
  auto sig = (dir_ / "model.sig").string();
  auto r = RunRampart({"sign", model_.string(), "--key", (dir_ / "key.pem").string(),
                       "--signature", sig, "--ledger", url_, "--actor", "release-bot"},
                      "", {"RAMPART_LEDGER_API_KEY=" + token_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("recorded model.signed"), std::string::npos) << r.err;
  std::string digest = RootDigest(r.err);
  ASSERT_FALSE(digest.empty()) << r.err;
  auto entries = Find(digest);
  ASSERT_EQ(entries.size(), 1u);
  std::string text = ToJson(entries[0]);
  EXPECT_NE(text.find("\"model.signed\""), std::string::npos) << text;
  EXPECT_NE(text.find("release-bot"), std::string::npos) << text;
  EXPECT_NE(text.find("ci-signer"), std::string::npos) << text;  // submitter, set by the ledger
}

TEST_F(PipelineTest, ManifestIsRecordedInTheLedger) {
  auto r = RunRampart({"manifest", model_.string(), "-o", (dir_ / "m.json").string(),
                       "--ledger", url_, "--ledger-key", token_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string digest = RootDigest(r.err);
  ASSERT_FALSE(digest.empty()) << r.err;
  auto entries = Find(digest);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_NE(ToJson(entries[0]).find("\"dataset.manifest\""), std::string::npos);
}

TEST_F(PipelineTest, BadKeyFailsLoudlyAndKeepsTheBundle) {
  auto sig = (dir_ / "model.sig").string();
  auto r = RunRampart({"sign", model_.string(), "--key", (dir_ / "key.pem").string(),
                       "--signature", sig, "--ledger", url_, "--ledger-key",
                       "rk_not-a-real-key"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("not recorded"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("refused the API key"), std::string::npos) << r.err;
  // The signature itself was written and verifies.
  EXPECT_TRUE(std::filesystem::exists(sig));
  auto pub = testing::Run({"openssl", "pkey", "-in", (dir_ / "key.pem").string(), "-pubout",
                           "-out", (dir_ / "pub.pem").string()});
  ASSERT_EQ(pub.exit_code, 0);
  auto v = RunRampart({"verify", model_.string(), "--signature", sig, "--key",
                       (dir_ / "pub.pem").string()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

TEST_F(PipelineTest, LedgerDownFailsWithoutHanging) {
  server_->Stop(SIGTERM);
  auto r = RunRampart({"manifest", model_.string(), "-o", (dir_ / "m.json").string(),
                       "--ledger", url_, "--ledger-key", token_});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("not recorded"), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "m.json"));
}

}  // namespace
}  // namespace rampart
