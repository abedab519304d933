// `rampart monitor report`'s aggregation over records the monitor itself
// produced: the gateway filter is fed simulated attack and benign traffic,
// its ledger events (as the ledger stores them) and the access records its
// decisions make are fed to a Report, and the rows must match what happened.
#include "monitor/report.h"

#include <gtest/gtest.h>

#include <mutex>

#include "core/audit_json.h"
#include "core/clock.h"
#include "monitor/monitor_filter.h"
#include "monitor/traffic.h"

namespace rampart::monitor {
namespace {

class RecordingSink : public AuditSink {
 public:
  Status Append(AuditEvent e) override {
    std::lock_guard<std::mutex> l(mu);
    events.push_back(std::move(e));
    return OkStatus();
  }
  Status Flush(std::chrono::milliseconds) override { return OkStatus(); }
  std::mutex mu;
  std::vector<AuditEvent> events;
};

// Two template sweeps (one throttled, from 192.0.2.0/24) and a benign
// client, through the filter; every request also becomes an access record
// shaped as the gateway writes it (ts, identity, remote, status, error,
// filters).
struct Traffic {
  std::shared_ptr<RecordingSink> sink = std::make_shared<RecordingSink>();
  std::vector<json::object> access;
  std::chrono::system_clock::time_point start =
      std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  int throttled = 0;

  Traffic() {
    MonitorConfig c = DefaultMonitorConfig();
    c.at(Detector::kTemplate).policy = Policy::kThrottle;
    c.throttle_s = 30;
    c.alert_interval_s = 60;
    MonitorFilter filter(c, sink);
    TrafficSim sim(9);
    auto a = sim.Client(SimKind::kTemplateSweep, 1);
    auto b = sim.Client(SimKind::kTemplateSweep, 2);
    auto benign = sim.Client(SimKind::kBenignLlm, 3);
    for (int i = 0; i < 300; ++i) {
      struct Who {
        SimClient* c;
        const char* id;
        const char* remote;
      } whos[] = {{a.get(), "sweeper-a", "192.0.2.7"},
                  {b.get(), "sweeper-b", "192.0.2.200"},
                  {benign.get(), "benign", "198.51.100.3"}};
      for (const Who& w : whos) {
        std::string body = w.c->Next();
        auto v = ParseJson(body);
        FilterRequest r;
        r.identity = w.id;
        r.remote = w.remote;
        r.route = "chat";
        r.protocol = "openai";
        r.body = body;
        r.json_body = &v->as_object();
        r.time = start + std::chrono::seconds(i);
        FilterDecision d = filter.OnRequest(r);
        json::object rec{{"ts", FormatRfc3339(r.time, 3)},
                         {"identity", w.id},
                         {"remote", w.remote},
                         {"status", d.http_status ? d.http_status : 200}};
        if (!d.code.empty()) rec["error"] = d.code;
        if (d.action == FilterDecision::Action::kThrottle) ++throttled;
        std::string notes;  // joined as the gateway joins them
        for (const std::string& n : d.annotations) notes += (notes.empty() ? "" : "; ") + n;
        if (!notes.empty()) rec["filters"] = notes;
        access.push_back(std::move(rec));
      }
    }
  }
};

const Traffic& Shared() {
  static const Traffic t;
  return t;
}

TEST(MonitorReport, LedgerEntriesAreCountedPerDetectorClientAndNetwork) {
  const Traffic& t = Shared();
  ASSERT_GE(t.sink->events.size(), 4u);  // each sweeper: an alert a minute while sending
  Report r{ReportWindow{}};
  // Alerts of each sweeper and of their shared network's own record.
  std::size_t per_client[3] = {0, 0, 0};
  std::int64_t first_a = 0, last_a = 0;
  for (const AuditEvent& e : t.sink->events) {
    ASSERT_TRUE(r.AddLedgerEntry(AuditEventToJson(e)).ok());
    ASSERT_TRUE(e.actor == "sweeper-a" || e.actor == "sweeper-b" || e.actor == "net:192.0.2.0/24")
        << e.actor;
    ++per_client[e.actor == "sweeper-a" ? 0 : e.actor == "sweeper-b" ? 1 : 2];
    auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(e.time.time_since_epoch()).count();
    if (e.actor == "sweeper-a") {
      if (first_a == 0) first_a = us;
      last_a = us;
    }
  }
  // An entry of another type is read and skipped.
  ASSERT_TRUE(r.AddLedgerEntry(json::object{{"type", "model.deployed"}}).ok());
  EXPECT_EQ(r.records(), t.sink->events.size() + 1);
  EXPECT_EQ(r.in_window(), t.sink->events.size());
  json::object j = r.Json();
  const json::object& a = j["clients"].as_object()["sweeper-a"].as_object();
  EXPECT_EQ(a.at("alerts").as_uint64(), per_client[0]);
  EXPECT_EQ(a.at("throttle_alerts").as_uint64(), per_client[0]);
  EXPECT_EQ(a.at("detectors").as_array().size(), 1u);
  EXPECT_EQ(a.at("detectors").as_array()[0].as_string(), "template");
  EXPECT_EQ(a.at("first_seen").as_string(),
            FormatRfc3339(Clock::SystemTime(std::chrono::microseconds(first_a))));
  EXPECT_EQ(a.at("last_seen").as_string(),
            FormatRfc3339(Clock::SystemTime(std::chrono::microseconds(last_a))));
  EXPECT_GE(a.at("max_score").as_double(), 0.6);
  const json::object& net = j["networks"].as_object()["net:192.0.2.0/24"].as_object();
  EXPECT_GT(per_client[2], 0u);
  EXPECT_EQ(net.at("alerts").as_uint64(), per_client[0] + per_client[1] + per_client[2]);
  EXPECT_EQ(net.at("clients").as_array().size(), 2u);
  EXPECT_FALSE(j["clients"].as_object().contains("benign"));
  EXPECT_EQ(j["detectors"].as_object()["template"].as_object()["alerts"].as_uint64(),
            t.sink->events.size());
  std::string text = r.Text();
  EXPECT_NE(text.find("sweeper-a"), std::string::npos) << text;
  EXPECT_NE(text.find("net:192.0.2.0/24"), std::string::npos) << text;
  EXPECT_NE(text.find("by detector"), std::string::npos) << text;
}

TEST(MonitorReport, TheWindowKeepsOnlyItsAlerts) {
  const Traffic& t = Shared();
  // The first two minutes only.
  auto since =
      std::chrono::duration_cast<std::chrono::microseconds>(t.start.time_since_epoch()).count();
  Report r{ReportWindow{since, since + 120'000'000}};
  std::uint64_t want = 0;
  for (const AuditEvent& e : t.sink->events) {
    ASSERT_TRUE(r.AddLedgerEntry(AuditEventToJson(e)).ok());
    want += e.time < t.start + std::chrono::seconds(120);
  }
  EXPECT_GT(want, 0u);
  EXPECT_LT(want, t.sink->events.size());
  EXPECT_EQ(r.alerts(), want);
  EXPECT_EQ(r.in_window(), want);
}

TEST(MonitorReport, AccessLogAlertsAndThrottledRequests) {
  const Traffic& t = Shared();
  ASSERT_GT(t.throttled, 0);
  Report r{ReportWindow{}};
  for (const json::object& rec : t.access) ASSERT_TRUE(r.AddAccessRecord(rec).ok());
  json::object j = r.Json();
  const json::object& total = j["total"].as_object();
  EXPECT_EQ(total.at("alerts").as_uint64(), t.sink->events.size());
  EXPECT_EQ(total.at("throttled_requests").as_uint64(), static_cast<std::uint64_t>(t.throttled));
  std::uint64_t a_throttled = 0;
  for (const json::object& rec : t.access)
    a_throttled += rec.at("identity").as_string() == "sweeper-a" && rec.contains("error");
  EXPECT_EQ(j["clients"].as_object()["sweeper-a"].as_object()["throttled_requests"].as_uint64(),
            a_throttled);
  EXPECT_FALSE(j["clients"].as_object().contains("benign"));
  EXPECT_EQ(j["networks"].as_object()["net:192.0.2.0/24"].as_object()["clients"].as_array().size(),
            2u);
}

TEST(MonitorReport, BadRecordsAreRefusedWithWhatIsWrong) {
  Report r{ReportWindow{}};
  Status s = r.AddLedgerEntry(json::object{{"type", "monitor.alert"}, {"detector", "nope"}});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("detector"), std::string::npos);
  s = r.AddLedgerEntry(
      json::object{{"type", "monitor.alert"}, {"detector", "prada"}, {"score", 0.1}});
  EXPECT_NE(s.message().find("time"), std::string::npos) << s.message();
  s = r.AddAccessRecord(json::object{{"identity", "x"}});
  EXPECT_NE(s.message().find("ts"), std::string::npos) << s.message();
  EXPECT_EQ(r.alerts(), 0u);
}

TEST(MonitorReport, TimesAreRfc3339OrADurationBeforeNow) {
  const std::int64_t now = 1'800'000'000'000'000LL;
  EXPECT_EQ(*ParseReportTime("24h", now), now - 86'400'000'000LL);
  EXPECT_EQ(*ParseReportTime("7d", now), now - 7 * 86'400'000'000LL);
  EXPECT_EQ(*ParseReportTime("90s", now), now - 90'000'000LL);
  EXPECT_EQ(*ParseReportTime("2027-01-15T08:00:00Z", now), 1'800'000'000'000'000LL);
  for (const char* bad : {"", "24", "h", "-3h", "3w", "2027-13-01T00:00:00Z", "99999999999999d"}) {
    auto r = ParseReportTime(bad, now);
    EXPECT_FALSE(r.has_value()) << bad;
  }
}

}  // namespace
}  // namespace rampart::monitor
