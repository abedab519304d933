// `rampart assess --ledger`: the assessment recorded as a posture.assessed
// entry in a real ledger — a ledger store opened in process, and a ledger
// service over HTTP — and read back with `rampart ledger find`.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/json.h"
#include "testing/testing.h"

namespace rampart {
namespace {

namespace fs = std::filesystem;
using testing::RunRampart;
using testing::TempDir;

constexpr const char* kNow = "2026-12-07T00:00:00Z";

std::string Sha(const std::string& bytes) { return "sha256:" + HexEncode(crypto::Sha256(bytes)); }

std::string EstateDigest() {
  auto r = RunRampart({"assess", "examples/estate.yaml", "--print-digest"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out.substr(0, r.out.find('\n'));
}

// The posture.assessed entries the store holds about `digest`.
std::vector<json::object> Assessed(const std::string& store, const std::string& digest) {
  auto r = RunRampart({"ledger", "find", "--digest", digest, "--store", store, "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto j = ParseJson(r.out);
  EXPECT_TRUE(j.has_value()) << r.out;
  std::vector<json::object> out;
  if (!j) return out;
  const json::array& arr = j->is_array() ? j->as_array() : j->as_object().at("entries").as_array();
  for (const auto& v : arr) {
    const json::object& o = v.as_object();
    const json::object& e = o.contains("entry") ? o.at("entry").as_object() : o;
    if (e.at("type").as_string() == "posture.assessed") out.push_back(e);
  }
  return out;
}

// What the entry must say about the assessment printed as `report`.
void ExpectMatches(const json::object& e, const std::string& report, const std::string& estate) {
  auto rj = ParseJson(report);
  ASSERT_TRUE(rj.has_value()) << report.substr(0, 300);
  const json::object& summary = rj->as_object().at("summary").as_object();
  EXPECT_EQ(e.at("estate").as_string(), estate);
  EXPECT_EQ(e.at("report").as_string(), Sha(report));  // the bytes the user holds
  EXPECT_EQ(e.at("assessed_at").as_string(), kNow);
  EXPECT_TRUE(e.at("controls").as_string().starts_with("sha256:"));
  EXPECT_EQ(e.at("controls").as_string().size(), 7u + 64u);
  for (const char* k : {"cells", "pass", "fail", "invalid", "stale", "missing"})
    EXPECT_EQ(e.at(k).as_int64(), summary.at(k).as_int64()) << k;
  EXPECT_EQ(e.at("not_applicable").as_int64(), summary.at("not-applicable").as_int64());
  // The example estate has essential gaps: each named, with its status.
  const auto& failing = e.at("failing_essential").as_array();
  EXPECT_EQ(static_cast<std::int64_t>(failing.size()),
            summary.at("essential_not_passing").as_int64());
  bool zero_trust = false;
  for (const auto& f : failing) zero_trust |= f.as_string() == "inference x zero-trust: fail";
  EXPECT_TRUE(zero_trust);
  EXPECT_EQ(e.at("verdict").as_string(), "fail");
  EXPECT_EQ(e.at("estate_name").as_string(), "acme-ai");
}

TEST(AssessLedger, RecordedInALedgerStore) {
  TempDir d;
  std::string store = "sqlite:" + (d / "ledger.db").string();
  std::string key = (d / "ledger.key").string();
  auto init = RunRampart({"ledger", "init", "--store", store, "--key", key});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  d.Write("ledger.pub", init.out);
  auto r = RunRampart({"assess", "examples/estate.yaml", "--format", "json", "--now", kNow,
                       "--ledger", store, "--ledger-signer", key, "--actor", "posture-ci"});
  ASSERT_EQ(r.exit_code, 1) << r.err;  // essential gaps, and recorded all the same
  EXPECT_NE(r.err.find("recorded posture.assessed (report " + Sha(r.out) + ")"), std::string::npos)
      << r.err;
  std::string estate = EstateDigest();
  auto entries = Assessed(store, estate);
  ASSERT_EQ(entries.size(), 1u);
  ExpectMatches(entries[0], r.out, estate);
  EXPECT_EQ(entries[0].at("actor").as_string(), "posture-ci");
  EXPECT_EQ(entries[0].at("submitter").as_string(), "rampart-assess");
  // Found by the report's digest too, and the ledger still verifies.
  EXPECT_EQ(Assessed(store, Sha(r.out)).size(), 1u);
  auto v = RunRampart({"ledger", "verify", "--store", store, "--pub", (d / "ledger.pub").string()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  // Never a secret: no evidence contents, no key material in the entry.
  std::string text = ToJson(entries[0]);
  EXPECT_EQ(text.find("PRIVATE"), std::string::npos);
}

TEST(AssessLedger, RecordedThroughALedgerService) {
  TempDir d;
  auto key = RunRampart({"ledger", "keygen", "--api-key", "posture-ci", "--format", "json"});
  ASSERT_EQ(key.exit_code, 0) << key.err;
  auto kj = ParseJson(key.out);
  ASSERT_TRUE(kj.has_value()) << key.out;
  std::string token(kj->as_object().at("token").as_string());
  std::string hash(kj->as_object().at("hash").as_string());
  int port = testing::FreePort();
  std::string store = "sqlite:" + (d / "ledger.db").string();
  testing::Process server(
      {testing::RampartBin(), "ledger", "serve", "--listen", "127.0.0.1:" + std::to_string(port),
       "--store", store, "--key", (d / "ledger.key").string(), "--origin", "test.rampart/ledger",
       "--api-key", "posture-ci=" + hash, "--checkpoint-interval-ms", "50"},
      d.path());
  ASSERT_TRUE(testing::WaitForPort(port)) << server.Stderr();
  std::string url = "http://127.0.0.1:" + std::to_string(port);

  // A refused API key: the command fails, and writes no report.
  auto bad = RunRampart({"assess", "examples/estate.yaml", "--now", kNow, "--ledger", url,
                         "--ledger-key", "wrong", "--html", (d / "r.html").string()});
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_NE(bad.err.find("not recorded"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("--ledger-key"), std::string::npos) << bad.err;
  EXPECT_TRUE(bad.out.empty()) << bad.out;
  EXPECT_FALSE(fs::exists(d / "r.html"));

  auto r = RunRampart({"assess", "examples/estate.yaml", "--format", "json", "--now", kNow,
                       "--ledger", url, "--html", (d / "r.html").string()},
                      "", {"RAMPART_LEDGER_API_KEY=" + token});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(fs::exists(d / "r.html"));
  ASSERT_EQ(server.Stop(SIGTERM), 0) << server.Stderr();  // let go of the store
  std::string estate = EstateDigest();
  auto entries = Assessed(store, estate);
  ASSERT_EQ(entries.size(), 1u);
  ExpectMatches(entries[0], r.out, estate);
  EXPECT_EQ(entries[0].at("submitter").as_string(), "posture-ci");  // set by the ledger
}

TEST(AssessLedger, BadLedgerTargetFailsBeforeAnyOutput) {
  TempDir d;
  auto r = RunRampart(
      {"assess", "examples/estate.yaml", "--ledger", "ftp://x", "--html", (d / "r.html").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("expected a ledger service"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(d / "r.html"));
  r = RunRampart({"assess", "examples/estate.yaml", "--ledger",
                  "sqlite:" + (d / "none.db").string(), "--ledger-signer", (d / "k").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("rampart ledger init"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_FALSE(fs::exists(d / "none.db"));
  // A password in the store URL never reaches the output.
  auto init = RunRampart({"ledger", "init", "--store", "sqlite:" + (d / "l.db").string(), "--key",
                          (d / "l.key").string()});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  r = RunRampart({"assess", "examples/estate.yaml", "--ledger",
                  "postgres://rampart:s3cret@127.0.0.1:1/ledger", "--ledger-signer",
                  (d / "l.key").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("postgres://***@127.0.0.1:1/ledger"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

}  // namespace
}  // namespace rampart
