// The monitor in the real gateway: `rampart gateway serve` with a
// `gateway.monitor:` section, a KServe v2 model served by the stand-in
// upstream, and a real `rampart ledger serve`. A client extracting the
// model with fixed-step perturbation queries (monitor/traffic.h) is flagged:
// a `monitor.alert` entry lands in the ledger and its next requests are
// answered 429; a benign client sending as many queries, interleaved, is
// served throughout.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "core/json.h"
#include "monitor/traffic.h"
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
  if (method == "POST")
    r +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return r + "\r\n" + body;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t p; (p = s.find(from)) != std::string::npos;) s.replace(p, from.size(), to);
  return s;
}

constexpr char kEstate[] = R"(version: 1
name: monitor-e2e
zones:
  - {name: dmz, kind: inference, cidrs: [10.0.0.0/24]}
services:
  - {name: gw, zone: dmz, kind: gateway, ports: [tcp/8443], identity: gateway-sa}
  - name: vision
    zone: dmz
    kind: inference
    inference: {protocol: kserve-v2, models: [classifier]}
    upstream: http://127.0.0.1:@UPSTREAM@
identities:
  - {name: gateway-sa, kind: workload}
  - {name: thief, kind: api-client}
  - {name: analyst, kind: api-client}
gateway:
  listen: 127.0.0.1:@PORT@
  admin: {enabled: true, listen: 127.0.0.1:@ADMIN@}
  threads: 1
  auth: {keys_file: @DIR@/keys.json}
  access:
    - {identities: [thief, analyst], models: [classifier]}
  access_log: @DIR@/access.log
  audit: {window_ms: 50, batch_size: 16, on_failure: drop}
  monitor:
    detectors:
      prada: {policy: throttle, min_queries: 100}
    throttle_s: 600
)";

class MonitorGateway : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key =
        testing::RunRampart({"ledger", "keygen", "--api-key", "gateway-sa", "--format", "json"});
    ASSERT_EQ(key.exit_code, 0) << key.err;
    auto j = ParseJson(key.out);
    ASSERT_TRUE(j.has_value()) << key.out;
    std::string ledger_token(j->as_object().at("token").as_string());
    std::string ledger_hash(j->as_object().at("hash").as_string());
    ledger_port_ = testing::FreePort();
    ledger_ = std::make_unique<testing::Process>(
        std::vector<std::string>{testing::RampartBin(), "ledger", "serve", "--listen",
                                 "127.0.0.1:" + std::to_string(ledger_port_), "--store",
                                 "sqlite:" + (dir_ / "ledger.db").string(), "--key",
                                 (dir_ / "ledger.key").string(), "--origin", "test.rampart/ledger",
                                 "--api-key", "gateway-sa=" + ledger_hash,
                                 "--checkpoint-interval-ms", "50"},
        dir_.path());
    ASSERT_TRUE(testing::WaitForPort(ledger_port_)) << ledger_->Stderr();

    int upstream = testing::FreePort();
    standin_ = std::make_unique<testing::Process>(
        std::vector<std::string>{testing::RampartBin(), "gateway", "standin", "--port",
                                 std::to_string(upstream), "--model", "classifier"},
        dir_.path());
    ASSERT_TRUE(standin_->WaitForOutput("listening on")) << standin_->Stderr();

    port_ = testing::FreePort();
    admin_ = testing::FreePort();
    std::string e = kEstate;
    e = Replace(e, "@UPSTREAM@", std::to_string(upstream));
    e = Replace(e, "@PORT@", std::to_string(port_));
    e = Replace(e, "@ADMIN@", std::to_string(admin_));
    e = Replace(e, "@DIR@", dir_.path().string());
    estate_ = dir_.Write("estate.yaml", e);
    for (const char* id : {"thief", "analyst"}) {
      auto k = testing::RunRampart(
          {"gateway", "keys", "create", "--identity", id, "--estate", estate_.string()});
      ASSERT_EQ(k.exit_code, 0) << k.err;
      keys_[id] = k.out.substr(0, k.out.find_first_of("\r\n"));
    }
    gw_ = std::make_unique<testing::Process>(
        std::vector<std::string>{testing::RampartBin(), "gateway", "serve", "--estate",
                                 estate_.string(), "--var-dir", (dir_ / "var").string(), "--ledger",
                                 "http://127.0.0.1:" + std::to_string(ledger_port_), "--ledger-key",
                                 ledger_token},
        dir_.path());
    ASSERT_TRUE(gw_->WaitForOutput("gateway: listening on")) << gw_->Stderr();
  }

  Reply Infer(const std::string& body, const std::string& who) {
    return RawExchange(port_, Request("POST", "/v2/models/classifier/infer", body, keys_[who]));
  }

  // Every ledger entry of `type`, waiting until there is one (or 15 s).
  std::vector<json::object> Entries(const std::string& type) {
    std::vector<json::object> out;
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (out.empty() && std::chrono::steady_clock::now() < deadline) {
      for (std::uint64_t i = 0;; ++i) {
        Reply r =
            RawExchange(ledger_port_, Request("GET", "/v1/entries/" + std::to_string(i), "", ""));
        if (r.status != 200) break;
        auto v = ParseJson(r.body);
        if (!v || !v->is_object()) break;
        const json::object& entry = v->as_object().at("entry").as_object();
        if (entry.at("type").as_string() == type) out.push_back(entry);
      }
      if (out.empty()) std::this_thread::sleep_for(100ms);
    }
    return out;
  }

  testing::TempDir dir_;
  std::filesystem::path estate_;
  std::unique_ptr<testing::Process> ledger_, standin_, gw_;
  std::map<std::string, std::string> keys_;
  int ledger_port_ = 0, port_ = 0, admin_ = 0;
};

TEST_F(MonitorGateway, ExtractionIsThrottledAndRecordedWhileABenignClientIsServed) {
  monitor::TrafficSim sim(2026);
  auto thief = sim.Client(monitor::SimKind::kPerturbation, 1);
  auto analyst = sim.Client(monitor::SimKind::kBenignTensor, 2);
  int thief_ok = 0, thief_throttled = 0, analyst_ok = 0;
  std::string refusal;
  for (int i = 0; i < 200; ++i) {
    Reply a = Infer(analyst->Next(), "analyst");
    ASSERT_EQ(a.status, 200) << "benign request " << i << ": " << a.body << gw_->Stderr();
    ++analyst_ok;
    Reply t = Infer(thief->Next(), "thief");
    if (t.status == 200) {
      ASSERT_EQ(thief_throttled, 0) << "served again after a throttle";
      ++thief_ok;
    } else {
      ASSERT_EQ(t.status, 429) << t.body;
      if (refusal.empty()) refusal = t.body + "\nRetry-After: " + t.Header("retry-after");
      ++thief_throttled;
    }
  }
  EXPECT_EQ(analyst_ok, 200);
  EXPECT_GE(thief_ok, 100);  // the test needs min_queries distances first
  EXPECT_LE(thief_ok, 140);
  EXPECT_GT(thief_throttled, 50);
  EXPECT_NE(refusal.find("monitor_throttled"), std::string::npos) << refusal;
  EXPECT_NE(refusal.find("Retry-After: 6"), std::string::npos) << refusal;  // 600 s, or just under

  // One alert, for the thief, in the ledger: no input data in it.
  std::vector<json::object> alerts = Entries("monitor.alert");
  ASSERT_EQ(alerts.size(), 1u) << gw_->Stderr();
  std::string entry = ToJson(alerts[0]);
  EXPECT_NE(entry.find("\"thief\""), std::string::npos) << entry;
  EXPECT_EQ(entry.find("analyst"), std::string::npos) << entry;
  EXPECT_NE(entry.find("\"detector\":\"prada\""), std::string::npos) << entry;
  EXPECT_NE(entry.find("\"policy\":\"throttle\""), std::string::npos) << entry;
  EXPECT_NE(entry.find("sha256:"), std::string::npos) << entry;
  EXPECT_EQ(entry.find("inputs"), std::string::npos) << entry;

  Reply m = RawExchange(admin_, "GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_NE(m.body.find("rampart_monitor_alerts_total{detector=\"prada\"} 1"), std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("rampart_monitor_decisions_total{action=\"throttle\"} " +
                        std::to_string(thief_throttled)),
            std::string::npos)
      << m.body;

  // `rampart monitor report` over the same ledger, through its HTTP API and
  // its store, and over the gateway's access log.
  for (const std::string& source : {std::string("--ledger"), std::string("--store")}) {
    std::string where = source == "--ledger" ? "http://127.0.0.1:" + std::to_string(ledger_port_)
                                             : "sqlite:" + (dir_ / "ledger.db").string();
    auto r = testing::RunRampart(
        {"monitor", "report", source, where, "--since", "1h", "--format", "json"});
    ASSERT_EQ(r.exit_code, 1) << source << ": " << r.err << r.out;
    auto j = ParseJson(r.out);
    ASSERT_TRUE(j && j->is_object()) << r.out;
    const json::object& o = j->as_object();
    EXPECT_EQ(o.at("total").as_object().at("alerts").to_number<std::uint64_t>(), 1u) << r.out;
    const json::object& thief = o.at("clients").as_object().at("thief").as_object();
    EXPECT_EQ(thief.at("throttle_alerts").to_number<std::uint64_t>(), 1u) << r.out;
    EXPECT_EQ(thief.at("detectors").as_array().at(0).as_string(), "prada") << r.out;
    EXPECT_TRUE(o.at("networks").as_object().contains("net:127.0.0.0/24")) << r.out;
    EXPECT_FALSE(o.at("clients").as_object().contains("analyst")) << r.out;
    // A window that ended before the traffic: nothing, exit 0.
    auto none = testing::RunRampart({"monitor", "report", source, where, "--until", "1h"});
    EXPECT_EQ(none.exit_code, 0) << none.err << none.out;
    EXPECT_NE(none.out.find("0 alert(s)"), std::string::npos) << none.out;
  }
  // The access log is written on its own thread: wait for the last lines.
  std::string log_path = (dir_ / "access.log").string();
  std::string report;
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(100ms)) {
    auto r = testing::RunRampart({"monitor", "report", "--access-log", log_path});
    report = r.out + r.err;
    if (r.exit_code == 1 &&
        report.find(std::to_string(thief_throttled) + " request(s) throttled") != std::string::npos)
      break;
  }
  EXPECT_NE(report.find("1 alert(s)"), std::string::npos) << report;
  EXPECT_NE(report.find(std::to_string(thief_throttled) + " request(s) throttled"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("thief"), std::string::npos) << report;
  EXPECT_EQ(report.find("analyst"), std::string::npos) << report;
  // Bad input: a line that is not JSON is named by file and line.
  std::filesystem::path bad =
      dir_.Write("bad.log", "{\"ts\":\"2026-01-01T00:00:00Z\"}\nnot json\n");
  auto r = testing::RunRampart({"monitor", "report", "--access-log", bad.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.log:2:"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rampart
