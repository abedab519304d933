// The monitor's evaluation from one seeded run (docs/design/monitor.md
// "Evaluation"): per attack, the queries each attacker made before its first
// alert (median, p90); false alarms per 10,000 benign clients per simulated
// day; the CPU time of the filter per request next to the cost of parsing
// the same body as JSON (measured in this run); memory per client.
//
// Usage: monitor_bench [--benign N] [--seed S] [--cost-only]
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/json.h"
#include "monitor/monitor.h"
#include "monitor/monitor_filter.h"
#include "monitor/traffic.h"

using namespace rampart;
using namespace rampart::monitor;

namespace {

constexpr std::int64_t kDay = 86'400'000'000LL;

MonitorConfig BenchConfig() {
  MonitorConfig c = DefaultMonitorConfig();
  c.memory_bytes = 512ull << 20;
  c.alert_interval_s = 0;
  return c;
}

std::string Remote(std::uint64_t i) {
  return "10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." +
         std::to_string(i & 255);
}

// Feeds one request of `client` to the monitor; true if it raised an alert.
bool Feed(Monitor& m, SimClient& c, const std::string& identity, const std::string& remote,
          std::int64_t t, Detector* which = nullptr) {
  std::string body = c.Next();
  Query q;
  q.identity = identity;
  q.remote = remote;
  q.time_us = t;
  std::optional<json::value> parsed;
  if (c.tensor()) {
    q.protocol = "kserve-v2";
    q.route = "infer";
    q.body = body;
  } else {
    q.protocol = "openai";
    q.route = "chat";
    q.body = body;
    auto v = ParseJson(body);
    if (v && v->is_object()) {
      parsed = std::move(*v);
      q.json_body = &parsed->get_object();
    }
  }
  Verdict v = m.Observe(q);
  if (!v.alerts.empty() && which) *which = v.alerts.front().detector;
  return !v.alerts.empty();
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

struct AttackRow {
  SimKind kind;
  const char* name;
  std::size_t budget;   // queries the attack needs (order of magnitude, literature)
  std::size_t cap;      // queries simulated per attacker
  std::int64_t gap_us;  // time between its queries
  int group = 1;        // keys sharing the work
  bool rotate = false;  // a new key on every request (one source network)
};

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::off);  // an alert's log line is not the monitor's cost
  std::size_t benign = 10000;
  std::uint64_t seed = 20261207;
  bool cost_only = argc > 1 && !std::strcmp(argv[argc - 1], "--cost-only");
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--benign")) benign = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--seed")) seed = std::strtoull(argv[i + 1], nullptr, 10);
  }
  TrafficSim sim(seed);
  std::printf("monitor bench (seed %llu): detection, false alarms, cost\n\n",
              static_cast<unsigned long long>(seed));

  // 1. Detection. Each scenario: a monitor warmed with benign clients of the
  // same kind of API (100 tensor clients x 1700 queries, or 300 LLM clients
  // x 100), then 20 attackers one after another (groups of 5 keys for
  // collusion).
  const AttackRow rows[] = {
      {SimKind::kPrada, "prada-synthetic (JbDA)", 10000, 5000, 1'000'000},
      {SimKind::kPerturbation, "perturbation (T-RND walk)", 10000, 5000, 1'000'000},
      {SimKind::kPerturbation, "slow-and-low (T-RND, 1/5min)", 10000, 5000, 300'000'000},
      {SimKind::kKnockoff, "knockoff-natural", 20000, 5000, 1'000'000},
      {SimKind::kTemplateSweep, "llm-template-sweep", 2000, 1000, 1'000'000},
      {SimKind::kLogprobHarvest, "logprob-harvest", 10000, 1000, 1'000'000},
      {SimKind::kMaxLength, "max-length-harvest", 10000, 1000, 1'000'000},
      {SimKind::kColluder, "colluding-keys (5 keys)", 2000, 1000, 1'000'000, 5},
      {SimKind::kTemplateSweep, "template sweep, key per request", 2000, 1000, 1'000'000, 1, true},
      {SimKind::kKnockoff, "knockoff, key per request", 20000, 5000, 1'000'000, 1, true},
  };
  std::printf("%-30s %8s %8s %8s %9s %10s  %s\n", "attack", "detected", "median", "p90", "budget",
              "p90/budget", "first detector");
  // MONITOR_BENCH_ROWS=substring: only the attacks whose name contains it.
  const char* only_rows = std::getenv("MONITOR_BENCH_ROWS");
  for (const AttackRow& row : rows) {
    if (cost_only) break;
    if (only_rows && !std::strstr(row.name, only_rows)) continue;
    Monitor m(BenchConfig());
    bool tensor = row.kind == SimKind::kPrada || row.kind == SimKind::kKnockoff ||
                  row.kind == SimKind::kPerturbation;
    std::int64_t t = 1'800'000'000'000'000LL;
    {
      std::vector<std::unique_ptr<SimClient>> warm;
      // Tensor: 100 clients past the 1600-query coverage checkpoint.
      const int n = tensor ? 100 : 300;
      for (int i = 0; i < n; ++i)
        warm.push_back(
            sim.Client(tensor ? SimKind::kBenignTensor : SimKind::kBenignLlm, 900000 + i));
      for (int k = 0; k < (tensor ? 1700 : 100); ++k)
        for (int i = 0; i < n; ++i)
          Feed(m, *warm[i], "warm-" + std::to_string(i),
               Remote(((50000 + static_cast<std::uint64_t>(i) / 4) << 8) | (i % 4)), t += 1000);
    }
    std::vector<double> found;
    int detected = 0, attackers = 20;
    std::array<int, kDetectorCount> by{};
    for (int a = 0; a < attackers; ++a) {
      std::vector<std::unique_ptr<SimClient>> keys;
      for (int g = 0; g < row.group; ++g)
        keys.push_back(sim.Client(row.kind, 1000 + a * 10 + g, a + 1));
      std::int64_t at = t;
      for (std::size_t n = 1; n <= row.cap; ++n) {
        int g = static_cast<int>(n % row.group);
        Detector d;
        std::string id = "attacker-" + std::to_string(a) + "-" +
                         std::to_string(row.rotate ? static_cast<int>(n) : g);
        // Each attacker, and each of its keys, from its own /24 (a rotating
        // attacker: one /24 for all its keys).
        if (Feed(m, *keys[g], id, Remote(((1000 + static_cast<std::uint64_t>(a)) * 8 + g) << 8),
                 at += row.gap_us, &d)) {
          found.push_back(static_cast<double>(n));
          ++detected;
          ++by[static_cast<std::size_t>(d)];
          break;
        }
      }
    }
    if (std::getenv("MONITOR_BENCH_SCORES")) {
      for (int a = 0; a < 3; ++a) {
        auto sc = m.Scores("attacker-" + std::to_string(a) + "-0");
        auto wc = m.Scores("warm-" + std::to_string(a));
        if (sc && wc)
          std::printf(
              "  scores attacker %d: prada %.3f coverage %.3f lineage %.3f | benign: prada %.3f "
              "coverage %.3f lineage %.3f\n",
              a, (*sc)[0], (*sc)[1], (*sc)[6], (*wc)[0], (*wc)[1], (*wc)[6]);
      }
    }
    std::string first;
    for (std::size_t d = 0; d < kDetectorCount; ++d)
      if (by[d])
        first +=
            std::string(DetectorName(static_cast<Detector>(d))) + ":" + std::to_string(by[d]) + " ";
    double p90 = Percentile(found, 0.9);
    std::printf("%-30s %5d/%-2d %8.0f %8.0f %9zu %9.1f%%  %s\n", row.name, detected, attackers,
                Percentile(found, 0.5), p90, row.budget,
                100.0 * p90 / static_cast<double>(row.budget), first.c_str());
  }

  // 2. False alarms: `benign` tensor clients (300 queries a day each) and
  // `benign` LLM clients (100 a day), interleaved over one simulated day.
  if (!cost_only) {
    // A history pool large enough for every client's 16 blocks (16 x 16
    // inputs of 132 bytes): the lineage detector sees full histories.
    MonitorConfig fc = BenchConfig();
    fc.history_bytes = std::max<std::uint64_t>(32ull << 20, benign * 16 * 16 * 132);
    Monitor m(fc);
    std::size_t alarmed_t = 0, alarmed_l = 0;
    std::array<int, kDetectorCount> by{};
    std::vector<std::unique_ptr<SimClient>> cs;
    std::vector<bool> alarmed(2 * benign, false);
    for (std::size_t i = 0; i < benign; ++i) cs.push_back(sim.Client(SimKind::kBenignTensor, i));
    for (std::size_t i = 0; i < benign; ++i)
      cs.push_back(sim.Client(SimKind::kBenignLlm, 500000 + i));
    std::int64_t t0 = 1'800'000'000'000'000LL;
    for (std::size_t k = 0; k < 300; ++k) {
      for (std::size_t i = 0; i < cs.size(); ++i) {
        bool is_tensor = i < benign;
        if (!is_tensor && k >= 100) continue;
        std::int64_t t = t0 + static_cast<std::int64_t>(k) * (kDay / (is_tensor ? 300 : 100)) +
                         static_cast<std::int64_t>(i);
        Detector d;
        if (Feed(m, *cs[i], "client-" + std::to_string(i), Remote(i), t, &d) && !alarmed[i]) {
          alarmed[i] = true;
          ++by[static_cast<std::size_t>(d)];
          (is_tensor ? alarmed_t : alarmed_l)++;
        }
      }
    }
    std::printf(
        "\nfalse alarms per 10,000 benign clients per day (%zu tensor clients x 300 "
        "queries, %zu LLM clients x 100):\n",
        benign, benign);
    std::printf("  tensor: %zu clients alarmed = %.2f per 10k/day\n", alarmed_t,
                10000.0 * static_cast<double>(alarmed_t) / static_cast<double>(benign));
    std::printf("  llm:    %zu clients alarmed = %.2f per 10k/day\n", alarmed_l,
                10000.0 * static_cast<double>(alarmed_l) / static_cast<double>(benign));
    for (std::size_t d = 0; d < kDetectorCount; ++d)
      if (by[d])
        std::printf("    by %s: %d\n", std::string(DetectorName(static_cast<Detector>(d))).c_str(),
                    by[d]);
    MonitorStats s = m.stats();
    std::printf("  (%llu requests, %llu clients tracked, %llu evictions)\n",
                static_cast<unsigned long long>(s.requests),
                static_cast<unsigned long long>(s.clients),
                static_cast<unsigned long long>(s.evictions));
  }

  // 3. CPU per request: the filter's OnRequest against parsing the body.
  {
    std::printf("\nCPU per request (single thread, mean of the best of 10 rounds):\n");
    std::printf("%-34s %12s %16s %8s\n", "request", "filter us", "parse-body us", "ratio");
    auto measure = [&](const char* name, SimKind kind, bool preparsed) {
      // The deployed alert interval: a client flagged on every request
      // (these bodies repeat) is recorded once, as in the gateway.
      MonitorConfig mc = BenchConfig();
      mc.alert_interval_s = DefaultMonitorConfig().alert_interval_s;
      MonitorFilter f(mc, nullptr);
      auto c = sim.Client(kind, 77);
      const int n = 100000;
      std::vector<std::string> bodies;
      for (int i = 0; i < 256; ++i) bodies.push_back(c->Next());
      std::vector<json::value> parsed;
      for (auto& b : bodies) parsed.push_back(*ParseJson(b));
      // Ten rounds, the baseline and the filter in turn; the best round of
      // each is kept (the machine is shared: the best round is the one
      // least disturbed). Baseline: parse the body (what the gateway does
      // for OpenAI routes).
      std::size_t sink = 0;
      double parse_us = 1e9, filter_us = 1e9;
      auto start = std::chrono::system_clock::now();
      const int rounds = 10, per = n / rounds;
      for (int round = 0; round < rounds; ++round) {
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < per; ++i) {
          unsigned char arena[4096];
          json::monotonic_resource mr(arena, sizeof arena);
          auto v = ParseJson(bodies[i % 256], {}, "", &mr);
          sink += v ? v->as_object().size() : 0;
        }
        parse_us = std::min(parse_us, std::chrono::duration<double, std::micro>(
                                          std::chrono::steady_clock::now() - t0)
                                              .count() /
                                          per);
        t0 = std::chrono::steady_clock::now();
        for (int k = 0; k < per; ++k) {
          int i = round * per + k;
          FilterRequest r;
          std::string id = "bench-" + std::to_string(i % 1000);
          r.identity = id;
          r.remote = "10.0.0.1";
          r.protocol = c->tensor() ? "kserve-v2" : "openai";
          r.body = bodies[i % 256];
          r.json_body = preparsed ? &parsed[i % 256].as_object() : nullptr;
          r.time = start + std::chrono::milliseconds(i);
          sink += f.OnRequest(r).annotations.size();
        }
        filter_us = std::min(filter_us, std::chrono::duration<double, std::micro>(
                                            std::chrono::steady_clock::now() - t0)
                                                .count() /
                                            per);
      }
      std::printf("%-34s %12.2f %16.2f %7.2fx%s\n", name, filter_us, parse_us, filter_us / parse_us,
                  sink == 0 ? " " : "");
    };
    // MONITOR_BENCH_ONLY=kserve: the tensor path alone (for a profiler).
    const char* only = std::getenv("MONITOR_BENCH_ONLY");
    if (!only || std::strcmp(only, "kserve"))
      measure("chat (body parsed by the gateway)", SimKind::kBenignLlm, true);
    measure("kserve-v2 infer, 64 x FP32", SimKind::kBenignTensor, false);
    // The tensor reader alone: the single-pass scanner against the DOM
    // reader it replaced (core/json, then a walk), best of 10 rounds each.
    {
      auto c = sim.Client(SimKind::kBenignTensor, 78);
      std::vector<std::string> bodies;
      for (int i = 0; i < 256; ++i) bodies.push_back(c->Next());
      Projector p(1);
      double scan_us = 1e9, dom_us = 1e9;
      float sink = 0;
      for (int round = 0; round < 10; ++round) {
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < 5000; ++i) sink += SketchTensor(bodies[i % 256], p, 1 << 20).proj[0];
        auto t1 = std::chrono::steady_clock::now();
        for (int i = 0; i < 5000; ++i)
          sink += SketchTensorReference(bodies[i % 256], p, 1 << 20).proj[0];
        auto t2 = std::chrono::steady_clock::now();
        scan_us =
            std::min(scan_us, std::chrono::duration<double, std::micro>(t1 - t0).count() / 5000);
        dom_us =
            std::min(dom_us, std::chrono::duration<double, std::micro>(t2 - t1).count() / 5000);
      }
      std::printf("%-34s %12.2f %16.2f %7.2fx%s\n", "tensor reader: scanner vs DOM", scan_us,
                  dom_us, scan_us / dom_us, sink == 12345.f ? " " : "");
    }
  }

  // 4. Memory.
  {
    MonitorConfig c = DefaultMonitorConfig();
    Monitor m(c);
    std::printf(
        "\nmemory: %zu bytes per tracked client (record + index); %llu clients under "
        "the default 64 MiB cap\n",
        Monitor::BytesPerClient(), static_cast<unsigned long long>(m.stats().capacity));
  }
  return 0;
}
