// The gateway's cost per request, piece by piece, on the request the
// HTTP/1.1 bench sends (bench/gateway/run.sh: POST /v1/chat/completions with
// an API key, per-model authorization, identity + model rate limits, an
// access record batched into the ledger). Each piece runs alone on one
// thread; their sum is the gateway's own CPU per request outside the
// kernel, the event loop and the coroutine machinery. The baseline, measured
// in the same run: copying the request's bytes once (what any proxy pays).
// docs/design/gateway-cost.md reads these figures.
//   build/bench/gateway/request_path_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>

#include "core/audit_json.h"
#include "core/clock.h"
#include "core/diagnostic.h"
#include "core/http/parse.h"
#include "core/json.h"
#include "estate/loader.h"
#include "gateway/audit.h"
#include "gateway/config.h"
#include "gateway/key_store.h"
#include "gateway/policy.h"
#include "gateway/rate_limit.h"
#include "gateway/usage.h"
#include "ledger/entry.h"

namespace {

using namespace rampart;
using namespace rampart::gateway;

constexpr char kEstate[] = R"(version: 1
name: bench
zones:
  - {name: dmz, kind: inference, cidrs: [10.0.0.0/24]}
services:
  - {name: gw, zone: dmz, kind: gateway, ports: [tcp/8443], identity: gateway-sa}
  - name: llm
    zone: dmz
    kind: inference
    inference: {protocol: openai, models: [bench-model]}
    upstream: http://127.0.0.1:9001
identities:
  - {name: gateway-sa, kind: workload}
  - {name: bench-client, kind: api-client, roles: [bench]}
gateway:
  access:
    - {name: bench, identities: [bench-client], models: [bench-model], routes: [chat, infer]}
  rate_limits:
    identities:
      bench-client: {requests_per_second: 1000000, burst: 1000000, max_concurrent: 100000,
                     tokens_per_minute: 1000000000000}
    models:
      bench-model: {max_concurrent: 100000}
)";

constexpr std::string_view kBody =
    R"({"model":"bench-model","messages":[{"role":"user","content":"hello"}],"max_tokens":1})";

struct Fixture {
  std::shared_ptr<const Policy> policy;
  std::string key;
  std::string head;
  std::unique_ptr<RateLimiter> limiter = MakeLocalRateLimiter(std::make_shared<SystemClock>());

  Fixture() {
    auto loaded = estate::LoadString(kEstate, "bench.yaml");
    if (!loaded) std::abort();
    Diagnostics d;
    auto config = LoadGatewayConfig(loaded->estate, "var", "127.0.0.1", &d);
    if (!config) std::abort();
    auto keys = std::make_shared<KeyStore>();
    key = keys->Create("bench-client", std::chrono::system_clock::now())->key;
    auto p = Policy::Create(loaded->estate, *config, keys, nullptr);
    if (!p) std::abort();
    policy = *p;
    head =
        "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
        "Content-Length: " +
        std::to_string(kBody.size()) +
        "\r\nContent-Type: application/json\r\n"
        "Authorization: Bearer " +
        key + "\r\n\r\n";
  }
};

Fixture& F() {
  static Fixture f;
  return f;
}

void BM_Baseline_CopyRequest(benchmark::State& state) {
  std::string request = F().head + std::string(kBody);
  std::string copy;
  for (auto _ : state) {
    copy.assign(request);
    benchmark::DoNotOptimize(copy.data());
  }
}
BENCHMARK(BM_Baseline_CopyRequest);

void BM_ParseHead(benchmark::State& state) {
  http::RequestLimits limits;
  http::RequestHead head;
  for (auto _ : state) {
    auto err = http::ParseRequestHeadInto(F().head, limits, &head);
    benchmark::DoNotOptimize(err);
  }
}
BENCHMARK(BM_ParseHead);

void BM_MatchRoute(benchmark::State& state) {
  for (auto _ : state) {
    auto m = F().policy->MatchRoute("POST", "/v1/chat/completions");
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_MatchRoute);

void BM_AuthenticateApiKey(benchmark::State& state) {
  std::string authorization = "Bearer " + F().key;
  Credentials c;
  c.authorization = authorization;
  for (auto _ : state) {
    auto p = F().policy->Authenticate(c, std::chrono::system_clock::now());
    if (!p) state.SkipWithError("unauthenticated");
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_AuthenticateApiKey);

// The request body as the server parses it: into a stack arena.
void ParseBody(benchmark::State& state, bool duplicate_check) {
  JsonLimits jl;
  jl.allow_duplicate_keys = !duplicate_check;
  for (auto _ : state) {
    unsigned char arena[4096];
    json::monotonic_resource mr(arena, sizeof arena);
    auto v = ParseJson(kBody, jl, "", &mr);
    if (!v) state.SkipWithError("parse");
    benchmark::DoNotOptimize(v);
  }
}
void BM_ParseBody(benchmark::State& state) { ParseBody(state, true); }
void BM_ParseBodyNoDuplicateCheck(benchmark::State& state) { ParseBody(state, false); }
BENCHMARK(BM_ParseBody);
BENCHMARK(BM_ParseBodyNoDuplicateCheck);

void BM_Authorize(benchmark::State& state) {
  std::string authorization = "Bearer " + F().key;
  Credentials c;
  c.authorization = authorization;
  auto p = F().policy->Authenticate(c, std::chrono::system_clock::now());
  auto m = F().policy->MatchRoute("POST", "/v1/chat/completions");
  for (auto _ : state) {
    auto t = F().policy->Authorize(*p, *m, "bench-model");
    if (!t) state.SkipWithError("forbidden");
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_Authorize);

void BM_EstimateTokens(benchmark::State& state) {
  auto v = ParseJson(kBody);
  for (auto _ : state) {
    benchmark::DoNotOptimize(EstimateTokens(v->get_object(), 1024));
  }
}
BENCHMARK(BM_EstimateTokens);

// LimitsFor + TryAdmit + Settle: the local limiter's whole part in a request.
void BM_RateLimits(benchmark::State& state) {
  std::string authorization = "Bearer " + F().key;
  Credentials c;
  c.authorization = authorization;
  auto p = F().policy->Authenticate(c, std::chrono::system_clock::now());
  for (auto _ : state) {
    auto keys = F().policy->LimitsFor(*p, "bench-model");
    auto a = *F().limiter->TryAdmit(keys, 300);
    if (!a || !a->first.allowed) state.SkipWithError("denied");
    benchmark::DoNotOptimize(F().limiter->Settle(a->second, 120));
  }
}
BENCHMARK(BM_RateLimits);

// What the in-process ledger sink does with an access.summary before the
// commit: AdoptCanonicalEntry (a top-level check) of the entry text the
// batcher wrote (AppendJson), or, for the same-run baseline, ParseEntry
// (parse, validate, canonicalise) as before; ParseEntryValue of an event's
// JSON for older producers (Append).

class LedgerShapedSink final : public AuditSink {
 public:
  // adopt: the top-level check LocalAuditSink does now (AdoptCanonicalEntry);
  // otherwise the full ParseEntry it did before, for the same-run ratio.
  explicit LedgerShapedSink(bool adopt) : adopt_(adopt) {}
  Status Append(AuditEvent event) override {
    ledger::EntryOptions o;
    o.submitter = "rampart-serve";
    auto e = ledger::ParseEntryValue(AuditEventToJson(event), o);
    if (!e) return e.error();
    std::lock_guard lock(mu_);
    records_ += event.fields["requests"].to_number<std::uint64_t>();
    cv_.notify_all();
    return OkStatus();
  }
  // What LocalAuditSink does with an entry text (the gateway's path).
  Status AppendJson(const std::string& entry) override {
    ledger::EntryOptions o;
    o.submitter = "rampart-serve";
    auto e = adopt_ ? ledger::AdoptCanonicalEntry(entry, o) : ledger::ParseEntry(entry, o);
    if (!e) return e.error();
    auto at = entry.find("\"requests\":");
    if (at == std::string::npos) return InvalidArgumentError("no requests count");
    std::lock_guard lock(mu_);
    records_ += std::strtoull(entry.c_str() + at + 11, nullptr, 10);
    cv_.notify_all();
    return OkStatus();
  }
  Status Flush(std::chrono::milliseconds) override { return OkStatus(); }
  void WaitFor(std::uint64_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return records_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t records_ = 0;
  bool adopt_;
};

// One access record from the I/O thread's Record() to canonical bytes in
// the ledger's hands (the batcher's thread included: wall time per record).
void BM_AuditRecord(benchmark::State& state) {
  auto sink = std::make_shared<LedgerShapedSink>(state.range(0) == 1);
  AuditBatcherOptions o;
  o.batch_size = 256;
  o.window = std::chrono::milliseconds(60'000);
  o.endpoint = "http://127.0.0.1:8080";
  AuditBatcher batcher(sink, o, nullptr);
  AccessRecord r;
  r.time = std::chrono::system_clock::now();
  r.request_id = "0123456789abcdef";
  r.remote = "127.0.0.1";
  r.method = "POST";
  r.path = "/v1/chat/completions";
  r.identity = "bench-client";
  r.model = "bench-model";
  r.route = "chat";
  r.status = 200;
  r.prompt_tokens = 5;
  r.completion_tokens = 1;
  r.duration_us = 180;
  std::uint64_t n = 0;
  std::clock_t c0 = std::clock();  // the process's CPU: the batcher's thread counts
  for (auto _ : state) {
    for (int i = 0; i < 256; ++i) batcher.Record(r);
    n += 256;
    sink->WaitFor(n);
  }
  std::clock_t c1 = std::clock();
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.counters["cpu_ns_per_record"] =
      static_cast<double>(c1 - c0) / CLOCKS_PER_SEC * 1e9 / static_cast<double>(n);
  state.counters["ns_per_record"] = benchmark::Counter(
      static_cast<double>(n), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
// Arg 0: the entry parsed, validated and canonicalised again (before);
// arg 1: adopted after a top-level check (LocalAuditSink now).
BENCHMARK(BM_AuditRecord)->Arg(0)->Arg(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
