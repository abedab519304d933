// The gateway's audit trail end to end: a real `rampart ledger serve`, a real
// `rampart gateway serve --ledger` in front of the stand-in upstream; a
// request through the gateway ends up as a record of an `access.summary`
// entry in the ledger, read back over the ledger's API. Then the ledger goes
// away and comes back: the records wait and arrive, in order.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>

#include "core/json.h"
#include "testing/http_client.h"
#include "testing/testing.h"

namespace rampart {
namespace {

using namespace std::chrono_literals;
using testing::RawExchange;
using testing::Reply;

std::string Request(const std::string& method, const std::string& target, const std::string& body,
                    const std::string& key) {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n";
  if (!key.empty()) r += "Authorization: Bearer " + key + "\r\n";
  if (method == "POST") {
    r +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return r + "\r\n" + body;
}

constexpr char kChat[] = R"({"model":"chat-7b","messages":[{"role":"user","content":"hi"}]})";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t p; (p = s.find(from)) != std::string::npos;) s.replace(p, from.size(), to);
  return s;
}

constexpr char kEstate[] = R"(version: 1
name: audit-e2e
zones:
  - {name: dmz, kind: inference, cidrs: [10.0.0.0/24]}
services:
  - {name: gw, zone: dmz, kind: gateway, ports: [tcp/8443], identity: gateway-sa}
  - name: llm
    zone: dmz
    kind: inference
    inference: {protocol: openai, models: [chat-7b]}
    upstream: http://127.0.0.1:@UPSTREAM@
identities:
  - {name: gateway-sa, kind: workload}
  - {name: chat-frontend, kind: api-client}
gateway:
  listen: 127.0.0.1:@PORT@
  admin: {enabled: true, listen: 127.0.0.1:@ADMIN@}
  threads: 1
  auth: {keys_file: @DIR@/keys.json}
  access:
    - {identities: [chat-frontend], models: [chat-7b]}
  access_log: off
  audit: @AUDIT@
)";

class GatewayAudit : public ::testing::Test {
 protected:
  virtual std::string AuditSection() const {
    return "{window_ms: 50, batch_size: 16, on_failure: drop}";
  }

  void SetUp() override {
    auto key =
        testing::RunRampart({"ledger", "keygen", "--api-key", "gateway-sa", "--format", "json"});
    ASSERT_EQ(key.exit_code, 0) << key.err;
    auto j = ParseJson(key.out);
    ASSERT_TRUE(j.has_value()) << key.out;
    ledger_token_ = std::string(j->as_object().at("token").as_string());
    ledger_hash_ = std::string(j->as_object().at("hash").as_string());
    ledger_port_ = testing::FreePort();
    StartLedger();

    upstream_port_ = testing::FreePort();
    standin_ = std::make_unique<testing::Process>(
        std::vector<std::string>{testing::RampartBin(), "gateway", "standin", "--port",
                                 std::to_string(upstream_port_), "--token-delay-ms", "1", "--model",
                                 "chat-7b"},
        dir_.path());
    ASSERT_TRUE(standin_->WaitForOutput("listening on")) << standin_->Stderr();

    port_ = testing::FreePort();
    admin_ = testing::FreePort();
    std::string e = kEstate;
    e = Replace(e, "@UPSTREAM@", std::to_string(upstream_port_));
    e = Replace(e, "@PORT@", std::to_string(port_));
    e = Replace(e, "@ADMIN@", std::to_string(admin_));
    e = Replace(e, "@DIR@", dir_.path().string());
    e = Replace(e, "@AUDIT@", AuditSection());
    estate_ = dir_.Write("estate.yaml", e);
    auto k = testing::RunRampart(
        {"gateway", "keys", "create", "--identity", "chat-frontend", "--estate", estate_.string()});
    ASSERT_EQ(k.exit_code, 0) << k.err;
    client_key_ = k.out.substr(0, k.out.find_first_of("\r\n"));

    gw_ = std::make_unique<testing::Process>(
        std::vector<std::string>{testing::RampartBin(), "gateway", "serve", "--estate",
                                 estate_.string(), "--var-dir", (dir_ / "var").string(), "--ledger",
                                 "http://127.0.0.1:" + std::to_string(ledger_port_), "--ledger-key",
                                 ledger_token_},
        dir_.path());
    ASSERT_TRUE(gw_->WaitForOutput("gateway: listening on")) << gw_->Stderr();
  }

  void StartLedger() {
    ledger_ = std::make_unique<testing::Process>(
        std::vector<std::string>{testing::RampartBin(), "ledger", "serve", "--listen",
                                 "127.0.0.1:" + std::to_string(ledger_port_), "--store",
                                 "sqlite:" + (dir_ / "ledger.db").string(), "--key",
                                 (dir_ / "ledger.key").string(), "--origin", "test.rampart/ledger",
                                 "--api-key", "gateway-sa=" + ledger_hash_,
                                 "--checkpoint-interval-ms", "50"},
        dir_.path());
    ASSERT_TRUE(testing::WaitForPort(ledger_port_)) << ledger_->Stderr();
  }

  // Every access record in the ledger, in entry order, waiting until there
  // are at least `want` of them (read back over the ledger's API).
  std::vector<json::object> Records(std::size_t want) {
    std::vector<json::object> out;
    auto deadline = std::chrono::steady_clock::now() + 15s;
    for (;;) {
      out.clear();
      for (std::uint64_t i = 0;; ++i) {
        Reply r =
            RawExchange(ledger_port_, Request("GET", "/v1/entries/" + std::to_string(i), "", ""));
        if (r.status != 200) break;
        auto v = ParseJson(r.body);
        if (!v || !v->is_object()) break;
        const json::object& entry = v->as_object().at("entry").as_object();
        EXPECT_EQ(entry.at("type").as_string(), "access.summary") << r.body;
        EXPECT_EQ(entry.at("submitter").as_string(), "gateway-sa") << r.body;
        for (const auto& rec : entry.at("records").as_array()) out.push_back(rec.as_object());
      }
      if (out.size() >= want || std::chrono::steady_clock::now() > deadline) return out;
      std::this_thread::sleep_for(50ms);
    }
  }

  testing::TempDir dir_;
  std::filesystem::path estate_;
  std::unique_ptr<testing::Process> ledger_, standin_, gw_;
  std::string ledger_token_, ledger_hash_, client_key_;
  int ledger_port_ = 0, upstream_port_ = 0, port_ = 0, admin_ = 0;
};

TEST_F(GatewayAudit, ARequestThroughTheGatewayBecomesAnAccessSummaryEntryInTheLedger) {
  Reply ok = RawExchange(port_, Request("POST", "/v1/chat/completions", kChat, client_key_));
  ASSERT_EQ(ok.status, 200) << ok.body << gw_->Stderr();
  std::string id = ok.Header("x-request-id");
  ASSERT_EQ(id.size(), 16u);
  Reply denied = RawExchange(port_, Request("POST", "/v1/chat/completions", kChat, ""));
  ASSERT_EQ(denied.status, 401);

  auto records = Records(2);
  ASSERT_EQ(records.size(), 2u) << gw_->Stderr() << ledger_->Stderr();
  const json::object& r = records[0];
  EXPECT_EQ(r.at("request_id").as_string(), id);
  EXPECT_EQ(r.at("identity").as_string(), "chat-frontend");
  EXPECT_EQ(r.at("model").as_string(), "chat-7b");
  EXPECT_EQ(r.at("route").as_string(), "chat");
  EXPECT_EQ(r.at("status").to_number<int>(), 200);
  EXPECT_GT(r.at("completion_tokens").to_number<int>(), 0);
  EXPECT_FALSE(r.contains("prompt")) << "prompt text is never recorded";
  EXPECT_EQ(records[1].at("request_id").as_string(), denied.Header("x-request-id"));
  EXPECT_EQ(records[1].at("status").to_number<int>(), 401);

  // The entry is in the ledger's Merkle tree: a signed checkpoint covers it.
  Reply cp;
  for (int i = 0; i < 100; ++i) {
    cp = RawExchange(ledger_port_, Request("GET", "/v1/checkpoint", "", ""));
    if (cp.status == 200 && cp.body.find("\n0\n") == std::string::npos) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(cp.status, 200);
  EXPECT_EQ(cp.body.find("\n0\n"), std::string::npos) << cp.body;
  EXPECT_EQ(gw_->Stop(SIGTERM), 0) << gw_->Stderr();
}

TEST_F(GatewayAudit, RecordsWaitForALedgerThatWasDownAndArriveInOrder) {
  ASSERT_EQ(RawExchange(port_, Request("POST", "/v1/chat/completions", kChat, client_key_)).status,
            200);
  ASSERT_EQ(Records(1).size(), 1u);
  EXPECT_EQ(ledger_->Stop(SIGKILL), -SIGKILL);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    Reply r = RawExchange(port_, Request("POST", "/v1/chat/completions", kChat, client_key_));
    ASSERT_EQ(r.status, 200) << r.body;  // drop mode: serving goes on
    ids.push_back(r.Header("x-request-id"));
  }
  std::this_thread::sleep_for(300ms);
  StartLedger();
  auto records = Records(6);
  ASSERT_EQ(records.size(), 6u) << gw_->Stderr();
  for (std::size_t i = 0; i < ids.size(); ++i)
    EXPECT_EQ(records[i + 1].at("request_id").as_string(), ids[i]);
  Reply m = RawExchange(admin_, Request("GET", "/metrics", "", ""));
  EXPECT_NE(m.body.find("rampart_gateway_audit_dropped_total{reason=\"queue_full\"} 0"),
            std::string::npos)
      << m.body;
  EXPECT_EQ(gw_->Stop(SIGTERM), 0) << gw_->Stderr();
}

// Reject mode: with the ledger gone, the gateway stops serving once the
// bound is reached (the HTTP sink's buffer, then its own queue), and serves
// again when the ledger is back; every request it served is in the ledger.
class GatewayAuditReject : public GatewayAudit {
 protected:
  std::string AuditSection() const override {
    return "{window_ms: 20, batch_size: 1, on_failure: reject, max_pending: 4, "
           "retry_max_attempts: 2, retry_max_delay_ms: 50}";
  }
};

TEST_F(GatewayAuditReject, RefusesWith503WhileTheLedgerIsDownAndServesOnceItIsBack) {
  std::vector<std::string> served;
  Reply first = RawExchange(port_, Request("POST", "/v1/chat/completions", kChat, client_key_));
  ASSERT_EQ(first.status, 200) << first.body;
  served.push_back(first.Header("x-request-id"));
  ASSERT_EQ(Records(1).size(), 1u);
  EXPECT_EQ(ledger_->Stop(SIGKILL), -SIGKILL);

  Reply refused;
  for (int i = 0; i < 100 && refused.status == 0; ++i) {
    Reply r = RawExchange(port_, Request("POST", "/v1/chat/completions", kChat, client_key_));
    if (r.status == 200) {
      served.push_back(r.Header("x-request-id"));
    } else {
      refused = r;
    }
    std::this_thread::sleep_for(30ms);
  }
  ASSERT_EQ(refused.status, 503) << refused.body << gw_->Stderr();
  EXPECT_NE(refused.body.find("\"audit_unavailable\""), std::string::npos) << refused.body;
  EXPECT_LT(served.size(), 20u);  // the bound, not the sink's default buffer
  Reply m = RawExchange(admin_, Request("GET", "/metrics", "", ""));
  EXPECT_NE(m.body.find("rampart_gateway_audit_failing 1"), std::string::npos) << m.body;

  StartLedger();
  Reply again;
  for (int i = 0; i < 300; ++i) {
    again = RawExchange(port_, Request("POST", "/v1/chat/completions", kChat, client_key_));
    if (again.status == 200) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(again.status, 200) << again.body << gw_->Stderr();
  served.push_back(again.Header("x-request-id"));

  // Every request the gateway served has its record in the ledger.
  std::set<std::string> in_ledger;
  auto deadline = std::chrono::steady_clock::now() + 15s;
  for (;;) {
    in_ledger.clear();
    for (const auto& r : Records(served.size()))
      in_ledger.insert(std::string(r.at("request_id").as_string()));
    bool all = true;
    for (const auto& id : served) all = all && in_ledger.count(id) == 1;
    if (all || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(100ms);
  }
  for (const auto& id : served) EXPECT_EQ(in_ledger.count(id), 1u) << id;
  m = RawExchange(admin_, Request("GET", "/metrics", "", ""));
  EXPECT_NE(m.body.find("rampart_gateway_audit_dropped_total{reason=\"ledger_unavailable\"} 0"),
            std::string::npos)
      << m.body;
  EXPECT_EQ(gw_->Stop(SIGTERM), 0) << gw_->Stderr();
}

}  // namespace
}  // namespace rampart
