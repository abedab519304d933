// Each detector on seeded simulated traffic (monitor/traffic.h): the attack
// pattern is flagged, benign clients sending as much are not. Then the
// memory bound, hostile bodies, and the gateway filter's decisions and
// ledger events.
#include <gtest/gtest.h>

#include <mutex>
#include <set>

#include "core/json.h"
#include "monitor/monitor.h"
#include "monitor/monitor_filter.h"
#include "monitor/traffic.h"

namespace rampart::monitor {
namespace {

constexpr std::int64_t kT0 = 1'800'000'000'000'000LL;

struct Feeder {
  Monitor& m;
  std::vector<Alert> alerts;
  Verdict last;

  Verdict Send(SimClient& c, const std::string& id, std::int64_t t,
               const std::string& remote = "") {
    std::string body = c.Next();
    Query q;
    q.identity = id;
    q.remote = remote;
    q.time_us = t;
    q.body = body;
    std::optional<json::value> parsed;
    if (c.tensor()) {
      q.protocol = "kserve-v2";
    } else {
      q.protocol = "openai";
      parsed = *ParseJson(body);
      q.json_body = &parsed->as_object();
    }
    last = m.Observe(q);
    alerts.insert(alerts.end(), last.alerts.begin(), last.alerts.end());
    return last;
  }
  std::size_t AlertsFor(std::string_view prefix) const {
    std::size_t n = 0;
    for (const Alert& a : alerts) {
      if (!a.client.starts_with(prefix)) continue;
      ++n;
      ADD_FAILURE() << "alert for " << a.client << ": " << DetectorName(a.detector) << " score "
                    << a.score << " after " << a.queries;
    }
    return n;
  }
};

// `benign` clients of `benign_kind` sending `rounds` queries each, one
// attacker of `attack` interleaved; returns the attacker's query count at
// its first alert (0 if none) and fills *f.
std::size_t Scenario(Monitor& m, Feeder* f, SimKind benign_kind, int benign, int rounds,
                     SimKind attack, int attack_queries, Detector* first = nullptr,
                     bool attacker_after = false) {
  TrafficSim sim(42);
  std::vector<std::unique_ptr<SimClient>> cs;
  for (int i = 0; i < benign; ++i) cs.push_back(sim.Client(benign_kind, 100 + i));
  auto atk = sim.Client(attack, 7);
  std::int64_t t = kT0;
  std::size_t found = 0;
  if (attacker_after) {
    for (int k = 0; k < rounds; ++k)
      for (int i = 0; i < benign; ++i) f->Send(*cs[i], "benign-" + std::to_string(i), t += 1000);
    rounds = 0;
  }
  for (int k = 0; k < std::max(rounds, attack_queries); ++k) {
    if (k < rounds)
      for (int i = 0; i < benign; ++i) f->Send(*cs[i], "benign-" + std::to_string(i), t += 1000);
    if (k < attack_queries) {
      Verdict v = f->Send(*atk, "attacker", t += 1000);
      if (!found && !v.alerts.empty()) {
        found = static_cast<std::size_t>(k + 1);
        if (first) *first = v.alerts.front().detector;
      }
    }
  }
  return found;
}

TEST(Prada, FlagsAFixedStepPerturbationWalkAndThrottlesIt) {
  Monitor m(DefaultMonitorConfig());
  Feeder f{m};
  Detector d{};
  std::size_t at =
      Scenario(m, &f, SimKind::kBenignTensor, 30, 300, SimKind::kPerturbation, 400, &d);
  EXPECT_GT(at, 0u);
  EXPECT_LE(at, 200u);
  EXPECT_EQ(d, Detector::kPrada);
  EXPECT_EQ(f.AlertsFor("benign-"), 0u);
  auto s = m.Scores("attacker");
  ASSERT_TRUE(s);
  EXPECT_LT((*s)[0], 0.75f);
  // The attacker is under a throttle: every later query is refused.
  EXPECT_EQ(f.last.action, Policy::kThrottle);
  EXPECT_EQ(f.last.because, Detector::kPrada);
  EXPECT_GT(f.last.retry_after_s, 0);
  EXPECT_LE(f.last.retry_after_s, 60);
  // Benign clients' W stays high.
  auto b = m.Scores("benign-3");
  ASSERT_TRUE(b);
  EXPECT_GT((*b)[0], 0.85f);
}

TEST(Lineage, FlagsJacobianAugmentationThatPradaMisses) {
  MonitorConfig c = DefaultMonitorConfig();
  c.at(Detector::kPrada).policy = Policy::kOff;
  c.at(Detector::kCoverage).policy = Policy::kOff;
  Monitor m(c);
  Feeder f{m, {}, {}};
  Detector d{};
  std::size_t at = Scenario(m, &f, SimKind::kBenignTensor, 30, 600, SimKind::kPrada, 600, &d);
  EXPECT_GT(at, 0u);
  EXPECT_LE(at, 400u);
  EXPECT_EQ(d, Detector::kLineage);
  EXPECT_EQ(f.AlertsFor("benign-"), 0u);
  auto s = m.Scores("attacker");
  ASSERT_TRUE(s);
  EXPECT_GE((*s)[static_cast<std::size_t>(Detector::kLineage)], 0.5f);
  auto b = m.Scores("benign-7");
  ASSERT_TRUE(b);
  EXPECT_LT((*b)[static_cast<std::size_t>(Detector::kLineage)], 0.2f);
}

TEST(Lineage, APoolFarSmallerThanTheClientsNeedsStaysBoundedAndQuiet) {
  // 1 MiB of history for 200 clients of 400 inputs (~6 MiB of inputs):
  // blocks are taken from each other all the time.
  MonitorConfig c = DefaultMonitorConfig();
  c.history_bytes = 1 << 20;
  Monitor m(c);
  Feeder f{m, {}, {}};
  std::size_t at = Scenario(m, &f, SimKind::kBenignTensor, 200, 400, SimKind::kPrada, 400);
  EXPECT_EQ(f.AlertsFor("benign-"), 0u);
  (void)at;  // the attacker's history is taken by others' too: detection is not promised
}

TEST(Coverage, FlagsNaturalDataExtractionThatPradaMisses) {
  MonitorConfig c = DefaultMonitorConfig();
  c.at(Detector::kPrada).policy = Policy::kOff;
  c.at(Detector::kLineage).policy = Policy::kOff;  // which also flags it (bench/monitor)
  Monitor m(c);
  Feeder f{m};
  Detector d{};
  std::size_t at =
      Scenario(m, &f, SimKind::kBenignTensor, 100, 400, SimKind::kKnockoff, 400, &d, true);
  EXPECT_GT(at, 0u);
  EXPECT_EQ(d, Detector::kCoverage);
  EXPECT_EQ(f.AlertsFor("benign-"), 0u);
  auto s = m.Scores("attacker");
  ASSERT_TRUE(s);
  EXPECT_GE((*s)[1], 2.0);
  auto b = m.Scores("benign-99");  // judged against the 99 before it
  ASSERT_TRUE(b);
  EXPECT_LT((*b)[1], 2.0);
  EXPECT_GT((*b)[1], 0.1);
}

TEST(Template, FlagsASweepNotVariedPrompts) {
  Monitor m(DefaultMonitorConfig());
  Feeder f{m};
  Detector d{};
  std::size_t at = Scenario(m, &f, SimKind::kBenignLlm, 50, 100, SimKind::kTemplateSweep, 100, &d);
  EXPECT_EQ(at, 32u);  // the first judgement: min_queries
  EXPECT_EQ(d, Detector::kTemplate);
  EXPECT_EQ(f.AlertsFor("benign-"), 0u);
  EXPECT_LT(f.last.action, Policy::kThrottle);  // the default policy only records
}

TEST(Logprobs, FlagsHarvestingNotOccasionalUse) {
  Monitor m(DefaultMonitorConfig());
  Feeder f{m};
  Detector d{};
  std::size_t at =
      Scenario(m, &f, SimKind::kBenignLlm, 100, 100, SimKind::kLogprobHarvest, 100, &d);
  EXPECT_EQ(at, 32u);
  EXPECT_EQ(d, Detector::kLogprobs);
  EXPECT_EQ(f.AlertsFor("benign-"), 0u);
}

TEST(MaxLength, FlagsMaximalOutputsAtScale) {
  Monitor m(DefaultMonitorConfig());
  Feeder f{m};
  Detector d{};
  std::size_t at = Scenario(m, &f, SimKind::kBenignLlm, 50, 100, SimKind::kMaxLength, 100, &d);
  EXPECT_EQ(at, 64u);
  EXPECT_EQ(d, Detector::kMaxLength);
  EXPECT_EQ(f.AlertsFor("benign-"), 0u);
}

TEST(Collusion, FlagsKeysSharingATemplate) {
  MonitorConfig c = DefaultMonitorConfig();
  c.at(Detector::kTemplate).policy = Policy::kOff;
  Monitor m(c);
  Feeder f{m};
  TrafficSim sim(42);
  std::vector<std::unique_ptr<SimClient>> benign, keys;
  for (int i = 0; i < 50; ++i) benign.push_back(sim.Client(SimKind::kBenignLlm, 100 + i));
  for (int g = 0; g < 5; ++g) keys.push_back(sim.Client(SimKind::kColluder, 900 + g, 1));
  std::int64_t t = kT0;
  std::size_t found = 0;
  for (int k = 0; k < 60; ++k) {
    for (int i = 0; i < 50; ++i) f.Send(*benign[i], "benign-" + std::to_string(i), t += 1000);
    for (int g = 0; g < 5; ++g) {
      Verdict v = f.Send(*keys[g], "key-" + std::to_string(g), t += 1000);
      if (!found && !v.alerts.empty()) {
        EXPECT_EQ(v.alerts.front().detector, Detector::kCollusion);
        EXPECT_GE(v.alerts.front().score, 4);
        found = static_cast<std::size_t>(5 * k + g + 1);
      }
    }
  }
  EXPECT_GT(found, 0u);
  EXPECT_LE(found, 200u);
  std::set<std::string> keys_alerted;
  for (const Alert& a : f.alerts)
    if (a.client.starts_with("key-")) keys_alerted.insert(a.client);
  EXPECT_GE(keys_alerted.size(), 4u);  // several of the keys, not one
  EXPECT_EQ(f.AlertsFor("benign-"), 0u);
}

TEST(Monitor, AlertsAreRateLimitedAndThrottlesExpire) {
  MonitorConfig c = DefaultMonitorConfig();
  c.at(Detector::kLogprobs).policy = Policy::kBlock;
  c.throttle_s = 10;
  c.alert_interval_s = 600;
  Monitor m(c);
  Feeder f{m};
  TrafficSim sim(1);
  auto h = sim.Client(SimKind::kLogprobHarvest, 1);
  std::int64_t t = kT0;
  for (int i = 0; i < 32; ++i) f.Send(*h, "h", t += 1'000'000);
  ASSERT_EQ(f.alerts.size(), 1u);
  EXPECT_EQ(f.last.action, Policy::kBlock);
  EXPECT_EQ(f.last.retry_after_s, 10);
  EXPECT_EQ(f.alerts[0].evidence.substr(0, 7), "sha256:");
  EXPECT_EQ(f.alerts[0].queries, 32u);
  // Blocked for 10 s; then judged again: a new alert only after the interval.
  f.Send(*h, "h", t += 5'000'000);
  EXPECT_EQ(f.last.action, Policy::kBlock);
  f.Send(*h, "h", t += 6'000'000);
  EXPECT_EQ(f.last.action, Policy::kBlock);  // still harvesting: blocked again
  EXPECT_EQ(f.alerts.size(), 1u);            // but not alerted again within 600 s
  EXPECT_EQ(m.stats().blocked, 3u);
}

TEST(Monitor, MillionsOfIdentitiesStayWithinTheMemoryCap) {
  MonitorConfig c = DefaultMonitorConfig();
  c.memory_bytes = 1 << 20;
  Monitor m(c);
  const std::uint64_t capacity = m.stats().capacity;
  ASSERT_GT(capacity, 100u);
  ASSERT_LE(capacity * Monitor::BytesPerClient(), c.memory_bytes);
  Query q;
  q.protocol = "openai";
  std::string hot = "always-back";
  for (std::uint64_t i = 0; i < 2'000'000; ++i) {
    std::string id = "rotating-key-" + std::to_string(i);
    q.identity = id;
    q.time_us = kT0 + static_cast<std::int64_t>(i);
    m.Observe(q);
    if (i % 4 == 0) {
      q.identity = hot;
      m.Observe(q);
    }
  }
  MonitorStats s = m.stats();
  EXPECT_LE(s.clients, capacity);
  EXPECT_GE(s.clients, capacity - 16);
  EXPECT_EQ(s.evictions, 2'000'001u - s.clients);
  // A client that keeps coming back is not the one evicted (clock).
  EXPECT_TRUE(m.Scores(hot));
  EXPECT_FALSE(m.Scores("rotating-key-5"));
}

TEST(Monitor, HostileTensorBodiesAreCountedAndIgnored) {
  Monitor m(DefaultMonitorConfig());
  Query q;
  q.identity = "x";
  q.protocol = "kserve-v2";
  q.time_us = kT0;
  const char* bodies[] = {
      "{", "{\"inputs\":[{\"shape\":[3],\"datatype\":\"FP32\",\"data\":[1]}]}",
      "{\"inputs\":[{\"shape\":[1],\"datatype\":\"??\",\"data\":[1]}]}",
      "{\"inputs\":[{\"shape\":[99999999999],\"datatype\":\"FP32\",\"data\":[1]}]}"};
  for (const char* b : bodies) {
    q.body = b;
    Verdict v = m.Observe(q);
    EXPECT_EQ(v.action, Policy::kOff);
  }
  MonitorStats s = m.stats();
  EXPECT_EQ(s.ignored[static_cast<std::size_t>(TensorIssue::kInvalidJson)], 1u);
  EXPECT_EQ(s.ignored[static_cast<std::size_t>(TensorIssue::kShape)], 1u);
  EXPECT_EQ(s.ignored[static_cast<std::size_t>(TensorIssue::kDatatype)], 1u);
  EXPECT_EQ(s.ignored[static_cast<std::size_t>(TensorIssue::kOversized)], 1u);
  EXPECT_EQ(s.tensors, 0u);
}

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

TEST(MonitorFilter, ThrottlesWithA429AndRecordsAnAlertWithoutPromptText) {
  MonitorConfig c = DefaultMonitorConfig();
  c.at(Detector::kTemplate).policy = Policy::kThrottle;
  auto sink = std::make_shared<RecordingSink>();
  MonitorFilter filter(c, sink);
  TrafficSim sim(3);
  auto sweep = sim.Client(SimKind::kTemplateSweep, 1);
  auto start = std::chrono::system_clock::now();
  FilterDecision last;
  std::string some_prompt;
  for (int i = 0; i < 40; ++i) {
    std::string body = sweep->Next();
    auto v = ParseJson(body);
    some_prompt =
        std::string(v->as_object()["messages"].as_array()[0].as_object()["content"].as_string());
    FilterRequest r;
    r.identity = "app";
    std::string request_id = "req-" + std::to_string(i);
    r.request_id = request_id;
    r.route = "chat";
    r.model = "chat-7b";
    r.protocol = "openai";
    r.remote = "192.0.2.9";
    r.body = body;
    r.json_body = &v->as_object();
    r.time = start + std::chrono::seconds(i);
    last = filter.OnRequest(r);
    if (i < 31) EXPECT_EQ(last.action, FilterDecision::Action::kAllow) << i;
  }
  EXPECT_EQ(last.action, FilterDecision::Action::kThrottle);
  EXPECT_EQ(last.http_status, 429);
  EXPECT_EQ(last.code, "monitor_throttled");
  EXPECT_GT(last.retry_after.count(), 0);
  // The identity's alert, and its source network's (the sweep came from
  // one network: the network's record sees it too).
  ASSERT_EQ(sink->events.size(), 2u);
  const AuditEvent& e = sink->events[0].actor == "app" ? sink->events[0] : sink->events[1];
  const AuditEvent& n = sink->events[0].actor == "app" ? sink->events[1] : sink->events[0];
  EXPECT_EQ(n.actor, "net:192.0.2.0/24");
  EXPECT_EQ(n.fields.at("detector").as_string(), "template");
  EXPECT_EQ(e.fields.at("network").as_string(), "net:192.0.2.0/24");
  EXPECT_EQ(e.type, "monitor.alert");
  EXPECT_EQ(e.actor, "app");
  EXPECT_EQ(e.fields.at("detector").as_string(), "template");
  EXPECT_EQ(e.fields.at("policy").as_string(), "throttle");
  EXPECT_EQ(e.fields.at("request_id").as_string(), "req-31");
  EXPECT_GE(e.fields.at("score").as_double(), 0.6);
  EXPECT_EQ(e.fields.at("evidence").as_array().size(), 1u);
  std::string all = ToJson(e.fields);
  // No word of any prompt in the record.
  std::string first_word = some_prompt.substr(0, some_prompt.find(' '));
  EXPECT_EQ(all.find(first_word), std::string::npos) << all;
  std::string metrics;
  filter.RenderMetrics(&metrics);
  EXPECT_NE(metrics.find("rampart_monitor_alerts_total{detector=\"template\"} 2"),
            std::string::npos);
  EXPECT_NE(metrics.find("rampart_monitor_decisions_total{action=\"throttle\"} 9"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("rampart_monitor_clients 2"), std::string::npos) << metrics;
}

TEST(KeyRotation, ATemplateSweepOnAFreshKeyPerRequestIsCaughtOnItsNetwork) {
  for (bool network_content : {true, false}) {
    MonitorConfig c = DefaultMonitorConfig();
    c.at(Detector::kTemplate).policy = Policy::kThrottle;
    c.network_content = network_content;
    Monitor m(c);
    Feeder f{m, {}, {}};
    TrafficSim sim(21);
    auto sweep = sim.Client(SimKind::kTemplateSweep, 1);
    // A NAT: 40 benign users behind one /24, as many requests as the sweep.
    std::vector<std::unique_ptr<SimClient>> users;
    for (int i = 0; i < 40; ++i) users.push_back(sim.Client(SimKind::kBenignLlm, 100 + i));
    std::int64_t t = kT0;
    int first = 0, refused = 0;
    for (int k = 0; k < 200; ++k) {
      for (int i = 0; i < 40; ++i)
        f.Send(*users[i], "user-" + std::to_string(i), t += 1000,
               "198.51.100." + std::to_string(i));
      Verdict v = f.Send(*sweep, "rotated-" + std::to_string(k), t += 1000,
                         "203.0.113." + std::to_string(k % 250));
      if (!first && !v.alerts.empty()) first = k + 1;
      refused += v.action == Policy::kThrottle;
    }
    // No identity ever sent twice: only the network can see the sweep.
    for (const Alert& a : f.alerts) {
      EXPECT_EQ(a.client, "net:203.0.113.0/24") << a.client;
      EXPECT_EQ(a.detector, Detector::kTemplate);
    }
    if (network_content) {
      EXPECT_GT(first, 0);
      EXPECT_LE(first, 40);
      EXPECT_GT(refused, 150);  // every key refused once the network is throttled
    } else {
      EXPECT_EQ(first, 0);
      EXPECT_EQ(refused, 0);
    }
  }
}

}  // namespace
}  // namespace rampart::monitor
