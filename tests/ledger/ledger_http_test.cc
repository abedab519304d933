// The ledger API on core's HTTP layer, as the real `rampart ledger serve`
// process: the same request-smuggling and malformed-head shapes the gateway
// refuses (testing::SmugglingCases) are refused here with 400, the connection
// closed, and nothing appended.
#include <gtest/gtest.h>
#include <signal.h>

#include "core/json.h"
#include "ledger/api_key.h"
#include "testing/http_client.h"
#include "testing/testing.h"

namespace rampart::ledger {
namespace {

TEST(LedgerHttp, RefusesRequestSmugglingShapesLikeTheGateway) {
  testing::TempDir dir;
  auto key = GenerateApiKey("orchestrator-sa");
  ASSERT_TRUE(key);
  int port = testing::FreePort();
  testing::Process p(
      {testing::RampartBin(), "ledger", "serve", "--store",
       "sqlite:" + (dir / "ledger.db").string(), "--key", (dir / "ledger.key").string(), "--origin",
       "test.rampart/ledger", "--listen", "127.0.0.1:" + std::to_string(port), "--api-key",
       "orchestrator-sa=" + key->record.salted_hash, "--checkpoint-interval-ms", "50"},
      dir.path());
  ASSERT_TRUE(p.WaitForOutput("listening on")) << p.Stderr();

  std::string entry = R"({"type":"alert","actor":"a","severity":"high","message":"m"})";
  std::string base =
      "POST /v1/entries HTTP/1.1\r\nHost: ledger\r\nAuthorization: Bearer " + key->token + "\r\n";
  for (const testing::RawCase& c :
       testing::SmugglingCases(base, entry, "/v1/entries", "/v1/checkpoint")) {
    testing::Reply r = testing::RawExchange(port, c.raw);
    EXPECT_EQ(r.status, 400) << c.name << ": " << r.body;
    EXPECT_TRUE(r.closed) << c.name;
    EXPECT_EQ(r.Header("content-type"), "application/json") << c.name;
    auto v = ParseJson(r.body);
    ASSERT_TRUE(v && v->is_object()) << c.name << ": " << r.body;
    EXPECT_TRUE(v->as_object()["error"].as_object()["code"].is_string()) << c.name;
  }
  // A well-formed chunked body is accepted: the only entry appended.
  std::string chunked = base + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
                        "10\r\n" + entry.substr(0, 16) + "\r\n";
  char size[16];
  std::snprintf(size, sizeof size, "%zx", entry.size() - 16);
  chunked += std::string(size) + "\r\n" + entry.substr(16) + "\r\n0\r\n\r\n";
  testing::Reply ok = testing::RawExchange(port, chunked);
  EXPECT_EQ(ok.status, 201) << ok.body;
  auto v = ParseJson(ok.body);
  ASSERT_TRUE(v && v->is_object()) << ok.body;
  EXPECT_EQ(v->as_object()["tree_size"].to_number<int>(), 1);
  // Slow and oversized heads get the layer's own refusals.
  testing::Reply big = testing::RawExchange(
      port,
      "GET /v1/checkpoint HTTP/1.1\r\nHost: l\r\nX-Pad: " + std::string(20000, 'a') + "\r\n\r\n");
  EXPECT_EQ(big.status, 431);
  EXPECT_TRUE(big.closed);
  EXPECT_EQ(p.Stop(SIGTERM), 0) << p.Stderr();
}

}  // namespace
}  // namespace rampart::ledger
