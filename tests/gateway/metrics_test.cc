// The /metrics exposition (gateway/metrics.h) parsed back as a Prometheus
// scraper would read text format 0.0.4: every sample belongs to a family
// announced by one HELP and one TYPE line, label values are escaped,
// histogram buckets are cumulative and end with le="+Inf" equal to _count,
// and shards are summed.
#include "gateway/metrics.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <map>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace rampart::gateway {
namespace {

using std::chrono::microseconds;

struct Sample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // in order, unescaped
  double value = 0;
  std::string Label(const std::string& n) const {
    for (const auto& [k, v] : labels) {
      if (k == n) return v;
    }
    return "";
  }
};

struct Exposition {
  std::map<std::string, std::string> help, type;  // by family
  std::vector<Sample> samples;
  std::vector<std::string> errors;

  // Samples of `name` whose labels include all of `match`.
  std::vector<Sample> Find(const std::string& name,
                           const std::map<std::string, std::string>& match = {}) const {
    std::vector<Sample> out;
    for (const Sample& s : samples) {
      if (s.name != name) continue;
      bool ok = true;
      for (const auto& [k, v] : match) ok = ok && s.Label(k) == v;
      if (ok) out.push_back(s);
    }
    return out;
  }
};

bool IsMetricName(std::string_view n) {
  if (n.empty() || (n[0] >= '0' && n[0] <= '9')) return false;
  for (char c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != ':') return false;
  }
  return true;
}

// The family a sample belongs to: histogram samples carry a suffix.
std::string FamilyOf(const std::string& name, const std::map<std::string, std::string>& type) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string_view s(suffix);
    if (name.ends_with(s)) {
      std::string base = name.substr(0, name.size() - s.size());
      auto it = type.find(base);
      if (it != type.end() && it->second == "histogram") return base;
    }
  }
  return name;
}

// A strict reader of the text format: anything it cannot read is an error.
Exposition ParseExposition(const std::string& text) {
  Exposition e;
  if (!text.empty() && text.back() != '\n') e.errors.push_back("no final newline");
  std::istringstream in(text);
  std::string line;
  std::set<std::string> families_seen;  // families whose samples have started
  std::string current;                  // the family of the previous line
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string where = "line " + std::to_string(n) + " '" + line + "': ";
    if (line.empty()) {
      e.errors.push_back(where + "empty line");
      continue;
    }
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      bool help = line[2] == 'H';
      std::string rest = line.substr(7);
      std::size_t sp = rest.find(' ');
      std::string name = rest.substr(0, sp);
      std::string arg = sp == std::string::npos ? "" : rest.substr(sp + 1);
      if (!IsMetricName(name)) e.errors.push_back(where + "bad metric name");
      auto& m = help ? e.help : e.type;
      if (m.contains(name)) e.errors.push_back(where + "second HELP/TYPE for the family");
      if (families_seen.contains(name)) e.errors.push_back(where + "HELP/TYPE after samples");
      if (!help && arg != "counter" && arg != "gauge" && arg != "histogram" && arg != "summary" &&
          arg != "untyped") {
        e.errors.push_back(where + "unknown type");
      }
      if (help && arg.empty()) e.errors.push_back(where + "empty help");
      m[name] = arg;
      current = name;
      continue;
    }
    if (line[0] == '#') {
      e.errors.push_back(where + "unexpected comment");
      continue;
    }
    Sample s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    s.name = line.substr(0, i);
    if (!IsMetricName(s.name)) e.errors.push_back(where + "bad metric name");
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        std::size_t eq = line.find('=', i);
        if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
          e.errors.push_back(where + "malformed label");
          break;
        }
        std::string key = line.substr(i, eq - i);
        if (!IsMetricName(key) || key.find(':') != std::string::npos) {
          e.errors.push_back(where + "bad label name");
        }
        std::string value;
        std::size_t j = eq + 2;
        bool closed = false;
        for (; j < line.size(); ++j) {
          char c = line[j];
          if (c == '\\') {
            if (j + 1 >= line.size()) break;
            char d = line[++j];
            if (d == 'n') {
              value.push_back('\n');
            } else if (d == '\\' || d == '"') {
              value.push_back(d);
            } else {
              e.errors.push_back(where + "bad escape");
            }
          } else if (c == '"') {
            closed = true;
            break;
          } else {
            value.push_back(c);
          }
        }
        if (!closed) {
          e.errors.push_back(where + "unterminated label value");
          break;
        }
        s.labels.emplace_back(key, value);
        i = j + 1;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size() || line[i] != '}') {
        e.errors.push_back(where + "labels not closed");
        continue;
      }
      ++i;
    }
    if (i >= line.size() || line[i] != ' ') {
      e.errors.push_back(where + "no value");
      continue;
    }
    std::string value = line.substr(i + 1);
    if (value.find(' ') != std::string::npos) {
      e.errors.push_back(where + "timestamps are not expected");
      continue;
    }
    char* end = nullptr;
    s.value = std::strtod(value.c_str(), &end);
    if (value.empty() || end != value.c_str() + value.size()) {
      e.errors.push_back(where + "value is not a number");
    }
    std::string family = FamilyOf(s.name, e.type);
    if (!e.type.contains(family)) e.errors.push_back(where + "sample before its TYPE");
    if (!e.help.contains(family)) e.errors.push_back(where + "sample without HELP");
    if (family != current && families_seen.contains(family)) {
      e.errors.push_back(where + "family's samples are not contiguous");
    }
    families_seen.insert(family);
    current = family;
    e.samples.push_back(std::move(s));
  }
  return e;
}

// Histogram invariants per label set: buckets in increasing le order,
// cumulative, the last +Inf, equal to _count; _sum present. `bounds`: the
// family's upper bounds before +Inf.
void CheckHistogram(const Exposition& e, const std::string& family, const std::string& key,
                    std::span<const double> bounds = Metrics::kBuckets) {
  std::map<std::string, std::vector<Sample>> buckets;
  std::map<std::string, double> count, sum;
  for (const Sample& s : e.samples) {
    if (s.name == family + "_bucket") buckets[s.Label(key)].push_back(s);
    if (s.name == family + "_count") count[s.Label(key)] = s.value;
    if (s.name == family + "_sum") sum[s.Label(key)] = s.value;
  }
  ASSERT_FALSE(buckets.empty()) << family;
  for (const auto& [series, bs] : buckets) {
    SCOPED_TRACE(family + "{" + key + "=" + series + "}");
    ASSERT_EQ(bs.size(), bounds.size() + 1);
    double prev_le = -1, prev_v = 0;
    for (std::size_t i = 0; i < bs.size(); ++i) {
      std::string le = bs[i].Label("le");
      ASSERT_FALSE(le.empty());
      double le_v = le == "+Inf" ? INFINITY : std::strtod(le.c_str(), nullptr);
      if (i + 1 < bs.size()) {
        EXPECT_DOUBLE_EQ(le_v, bounds[i]) << le;
      }
      EXPECT_GT(le_v, prev_le) << "le not increasing at " << le;
      EXPECT_GE(bs[i].value, prev_v) << "buckets not cumulative at le=" << le;
      prev_le = le_v;
      prev_v = bs[i].value;
    }
    EXPECT_EQ(bs.back().Label("le"), "+Inf");
    ASSERT_TRUE(count.contains(series));
    ASSERT_TRUE(sum.contains(series));
    EXPECT_EQ(bs.back().value, count[series]);
  }
}

// The cumulative count of `family`'s bucket `le` for `route`, or -1.
double Bucket(const Exposition& e, const std::string& family, const std::string& route,
              const std::string& le) {
  auto s = e.Find(family + "_bucket", {{"route", route}, {"le", le}});
  return s.size() == 1 ? s[0].value : -1;
}

TEST(MetricsTest, EmptyExpositionIsWellFormed) {
  Metrics m(2);
  Exposition e = ParseExposition(m.Render());
  EXPECT_TRUE(e.errors.empty()) << ::testing::PrintToString(e.errors);
  EXPECT_EQ(e.type["rampart_gateway_requests_total"], "counter");
  EXPECT_EQ(e.type["rampart_gateway_request_duration_seconds"], "histogram");
  EXPECT_EQ(e.type["rampart_gateway_open_connections"], "gauge");
  ASSERT_EQ(e.Find("rampart_gateway_open_connections").size(), 1u);
  EXPECT_EQ(e.Find("rampart_gateway_open_connections")[0].value, 0);
  // Every family has both lines.
  for (const auto& [name, t] : e.type) EXPECT_TRUE(e.help.contains(name)) << name;
  for (const auto& [name, h] : e.help) EXPECT_TRUE(e.type.contains(name)) << name;
}

TEST(MetricsTest, RecordsParseBackWithCumulativeHistogramsAcrossShards) {
  Metrics m(3);
  // 3 + 2 chat requests on different shards, latencies spread over buckets.
  m.RecordRequest(0, "chat", "chat-7b", 200, microseconds(50));      // <= 0.0001
  m.RecordRequest(1, "chat", "chat-7b", 200, microseconds(100));     // == 0.0001 (le is <=)
  m.RecordRequest(2, "chat", "chat-7b", 200, microseconds(3000));    // <= 0.005
  m.RecordRequest(0, "chat", "chat-7b", 429, microseconds(700000));  // <= 1
  m.RecordRequest(4, "chat", "-", 401, microseconds(120'000'000));   // over 60 s: +Inf only
  m.RecordRequest(1, "models", "-", 200, microseconds(200));
  m.RecordRejection(0, "unauthenticated");
  m.RecordRejection(2, "unauthenticated");
  m.RecordRejection(1, "smuggling");
  m.RecordUpstreamError(0, "llm", "timeout");
  m.RecordRateLimit(1, "allowed");
  m.RecordRateLimit(2, "allowed");
  m.RecordRateLimit(0, "requests_per_second");
  m.open_connections = 3;
  m.audit_records = 7;

  std::string text = m.Render();
  Exposition e = ParseExposition(text);
  ASSERT_TRUE(e.errors.empty()) << ::testing::PrintToString(e.errors) << "\n" << text;

  auto ok = e.Find("rampart_gateway_requests_total",
                   {{"route", "chat"}, {"model", "chat-7b"}, {"status", "200"}});
  ASSERT_EQ(ok.size(), 1u) << text;
  EXPECT_EQ(ok[0].value, 3);
  EXPECT_EQ(e.Find("rampart_gateway_requests_total").size(), 4u);
  EXPECT_EQ(e.Find("rampart_gateway_rejections_total", {{"reason", "unauthenticated"}})[0].value,
            2);
  EXPECT_EQ(
      e.Find("rampart_gateway_upstream_errors_total", {{"upstream", "llm"}, {"kind", "timeout"}})[0]
          .value,
      1);
  EXPECT_EQ(
      e.Find("rampart_gateway_rate_limit_decisions_total", {{"decision", "allowed"}})[0].value, 2);
  EXPECT_EQ(e.Find("rampart_gateway_open_connections")[0].value, 3);
  EXPECT_EQ(e.Find("rampart_gateway_audit_records_total")[0].value, 7);

  CheckHistogram(e, "rampart_gateway_request_duration_seconds", "route");
  auto bucket = [&](const std::string& le) {
    return Bucket(e, "rampart_gateway_request_duration_seconds", "chat", le);
  };
  EXPECT_EQ(bucket("0.0001"), 2);
  EXPECT_EQ(bucket("0.005"), 3);
  EXPECT_EQ(bucket("1"), 4);
  EXPECT_EQ(bucket("60"), 4);
  EXPECT_EQ(bucket("+Inf"), 5);
  auto count = e.Find("rampart_gateway_request_duration_seconds_count", {{"route", "chat"}});
  auto sum = e.Find("rampart_gateway_request_duration_seconds_sum", {{"route", "chat"}});
  ASSERT_EQ(count.size(), 1u);
  ASSERT_EQ(sum.size(), 1u);
  EXPECT_EQ(count[0].value, 5);
  EXPECT_NEAR(sum[0].value, 0.00005 + 0.0001 + 0.003 + 0.7 + 120.0, 1e-9);
}

// The own-duration family: observed only when given, on its finer bounds.
TEST(MetricsTest, OwnDurationIsItsOwnHistogramOnFinerBuckets) {
  Metrics m(2);
  m.RecordRequest(0, "chat", "chat-7b", 200, microseconds(60000), microseconds(40));  // <= 50 us
  m.RecordRequest(1, "chat", "chat-7b", 200, microseconds(900), microseconds(300));   // == 300 us
  m.RecordRequest(0, "chat", "chat-7b", 200, microseconds(90000), microseconds(30000));  // +Inf
  m.RecordRequest(1, "chat", "chat-7b", 200, microseconds(70));  // not measured: not observed
  std::string text = m.Render();
  Exposition e = ParseExposition(text);
  ASSERT_TRUE(e.errors.empty()) << ::testing::PrintToString(e.errors) << "\n" << text;
  EXPECT_EQ(e.type["rampart_gateway_own_duration_seconds"], "histogram");
  CheckHistogram(e, "rampart_gateway_own_duration_seconds", "route", Metrics::kOwnBuckets);
  // Cumulative counts by upper bound: 40 us, 300 us (le is <=), 30 ms.
  const std::vector<std::pair<std::string, double>> want = {
      {"1e-05", 0}, {"2.5e-05", 0}, {"5e-05", 1}, {"0.0003", 2}, {"0.025", 2}, {"+Inf", 3}};
  for (const auto& [le, n] : want) {
    EXPECT_EQ(Bucket(e, "rampart_gateway_own_duration_seconds", "chat", le), n) << le;
  }
  EXPECT_EQ(e.Find("rampart_gateway_own_duration_seconds_count")[0].value, 3);
  EXPECT_NEAR(e.Find("rampart_gateway_own_duration_seconds_sum")[0].value, 0.03034, 1e-9);
  EXPECT_EQ(e.Find("rampart_gateway_request_duration_seconds_count")[0].value, 4);
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  Metrics m(1);
  m.RecordRequest(0, "r\"oute\\", "mo\ndel", 200, microseconds(1));
  m.RecordRejection(0, "a\"b");
  Exposition e = ParseExposition(m.Render());
  ASSERT_TRUE(e.errors.empty()) << ::testing::PrintToString(e.errors);
  auto s = e.Find("rampart_gateway_requests_total");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].Label("route"), "r\"oute\\");
  EXPECT_EQ(s[0].Label("model"), "mo\ndel");
  EXPECT_EQ(e.Find("rampart_gateway_rejections_total")[0].Label("reason"), "a\"b");
  CheckHistogram(e, "rampart_gateway_request_duration_seconds", "route");
}

TEST(MetricsTest, ConcurrentShardsAndScrapesStayConsistent) {
  Metrics m(4);
  constexpr int kPerThread = 2000;
  std::vector<std::thread> threads;
  std::atomic<bool> stop{false};
  std::thread scraper([&] {
    while (!stop) {
      Exposition e = ParseExposition(m.Render());
      ASSERT_TRUE(e.errors.empty());
    }
  });
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m, t] {
      for (int i = 0; i < kPerThread; ++i) {
        m.RecordRequest(t, "chat", "chat-7b", 200, microseconds(i));
      }
    });
  }
  for (auto& t : threads) t.join();
  stop = true;
  scraper.join();
  Exposition e = ParseExposition(m.Render());
  EXPECT_EQ(e.Find("rampart_gateway_requests_total")[0].value, 4 * kPerThread);
  EXPECT_EQ(e.Find("rampart_gateway_request_duration_seconds_count")[0].value, 4 * kPerThread);
  CheckHistogram(e, "rampart_gateway_request_duration_seconds", "route");
}

}  // namespace
}  // namespace rampart::gateway
