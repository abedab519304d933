// Rate-limit and usage-accounting costs on the gateway's request path, each
// next to a baseline measured in the same run:
//   - local Admit+Settle for an identity and a model key (all four
//     dimensions), 1 and 2 threads, vs one mutex-guarded hash-map lookup;
//   - Redis Admit+Settle (two EVALSHAs) vs a PING round trip, when
//     RAMPART_TEST_REDIS_URL names a server;
//   - UsageScanner over a 200-chunk SSE completion vs memchr over its bytes.
#include <benchmark/benchmark.h>
#include <hiredis/hiredis.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "gateway/rate_limit.h"
#include "gateway/redis_rate_limit.h"
#include "gateway/usage.h"

namespace {

using namespace rampart;
using namespace rampart::gateway;

constexpr int kIdentities = 1000;

LimitSpec BusySpec() {
  LimitSpec s;
  s.requests_per_second = 1e9;  // never the reason to deny: we measure the check
  s.burst = 1'000'000'000;
  s.requests_per_minute = 1e12;
  s.max_concurrent = 1'000'000;
  s.tokens_per_minute = 1'000'000'000'000ULL;
  return s;
}

std::vector<std::pair<LimitKey, LimitSpec>> KeysFor(int i) {
  return {{{"identity", "client-" + std::to_string(i % kIdentities)}, BusySpec()},
          {{"model", "llama-" + std::to_string(i % 8)}, BusySpec()}};
}

RateLimiter& Local() {
  static auto limiter = MakeLocalRateLimiter(std::make_shared<SystemClock>());
  return *limiter;
}

void BM_LocalAdmitSettle(benchmark::State& state) {
  std::vector<std::vector<std::pair<LimitKey, LimitSpec>>> keys;
  for (int i = 0; i < 64; ++i) keys.push_back(KeysFor(i * 7 + state.thread_index()));
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = Local().Admit(keys[i++ % keys.size()], 300);
    if (!r || !r->first.allowed) state.SkipWithError("denied");
    benchmark::DoNotOptimize(Local().Settle(r->second, 120));
  }
}
BENCHMARK(BM_LocalAdmitSettle)->Threads(1)->Threads(2)->UseRealTime();

void BM_BaselineMutexMapLookup(benchmark::State& state) {
  static std::mutex mu;
  static std::unordered_map<std::string, int> map = [] {
    std::unordered_map<std::string, int> m;
    for (int i = 0; i < kIdentities; ++i) m["client-" + std::to_string(i)] = i;
    return m;
  }();
  std::vector<std::string> names;
  for (int i = 0; i < 64; ++i) names.push_back("client-" + std::to_string(i * 7));
  std::size_t i = 0;
  for (auto _ : state) {
    std::lock_guard lock(mu);
    benchmark::DoNotOptimize(map.find(names[i++ % names.size()]));
  }
}
BENCHMARK(BM_BaselineMutexMapLookup)->Threads(1)->Threads(2)->UseRealTime();

const char* RedisUrl() { return std::getenv("RAMPART_TEST_REDIS_URL"); }

void BM_RedisAdmitSettle(benchmark::State& state) {
  if (RedisUrl() == nullptr) {
    state.SkipWithError("RAMPART_TEST_REDIS_URL unset");
    return;
  }
  RedisLimiterOptions o;
  o.url = RedisUrl();
  o.key_prefix = "rampart:bench:";
  o.timeout = std::chrono::milliseconds(1000);
  auto limiter = MakeRedisRateLimiter(o);
  if (!limiter) {
    state.SkipWithError(limiter.status().ToString().c_str());
    return;
  }
  int i = 0;
  for (auto _ : state) {
    auto r = (*limiter)->Admit(KeysFor(i++), 300);
    if (!r || !r->first.allowed) {
      state.SkipWithError("denied or failed");
      break;
    }
    benchmark::DoNotOptimize((*limiter)->Settle(r->second, 120));
  }
}
BENCHMARK(BM_RedisAdmitSettle)->UseRealTime();

void BM_BaselineRedisPing(benchmark::State& state) {
  if (RedisUrl() == nullptr) {
    state.SkipWithError("RAMPART_TEST_REDIS_URL unset");
    return;
  }
  auto url = gateway::internal::ParseRedisUrl(RedisUrl());
  redisContext* c = redisConnect(url->host.c_str(), url->port);
  for (auto _ : state) freeReplyObject(redisCommand(c, "PING"));
  redisFree(c);
}
BENCHMARK(BM_BaselineRedisPing)->UseRealTime();

std::string SseCompletion() {
  std::string s;
  for (int i = 0; i < 200; ++i) {
    s += "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{"
         "\"index\":0,\"delta\":{\"content\":\"token \"}}],\"usage\":null}\n\n";
  }
  s += "data: {\"id\":\"chatcmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":50,"
       "\"completion_tokens\":200,\"total_tokens\":250}}\n\ndata: [DONE]\n\n";
  return s;
}

void BM_UsageScannerSse(benchmark::State& state) {
  static const std::string body = SseCompletion();
  for (auto _ : state) {
    UsageScanner s(true);
    for (std::size_t i = 0; i < body.size(); i += 1460)
      s.Feed(std::string_view(body).substr(i, 1460));
    auto u = s.Finish();
    if (!u) state.SkipWithError("no usage");
    benchmark::DoNotOptimize(u);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_UsageScannerSse);

void BM_BaselineMemchrSse(benchmark::State& state) {
  static const std::string body = SseCompletion();
  for (auto _ : state) {
    std::size_t lines = 0;
    const char* p = body.data();
    const char* end = p + body.size();
    while ((p = static_cast<const char*>(std::memchr(p, '\n', end - p))) != nullptr) {
      ++lines;
      ++p;
    }
    benchmark::DoNotOptimize(lines);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_BaselineMemchrSse);

}  // namespace

BENCHMARK_MAIN();
