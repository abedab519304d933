// Rate-limit and usage-accounting costs on the gateway's request path, each
// next to a baseline measured in the same run:
//   - local Admit+Settle (TryAdmit, the gateway's path) for an identity and a
//     model key (all four dimensions), 1 and 2 threads, vs one mutex-guarded
//     hash-map lookup;
//   - the asynchronous Redis limiter's Admit+Settle awaited on an io_context,
//     one decision at a time and with 16/64 in flight on one thread, vs what
//     the old blocking limiter did per request (EVALSHA admit + EVALSHA
//     settle on one synchronous hiredis connection, the same scripts) and vs a
//     PING round trip, when RAMPART_TEST_REDIS_URL names a server. "Time" is
//     the wall clock per iteration; "CPU" is what the benchmark's thread spent
//     — for the async limiter, the I/O thread's cost of a decision, since it
//     no longer sits blocked while Redis answers;
//   - UsageScanner over a 200-chunk SSE completion vs memchr over its bytes.
#include <benchmark/benchmark.h>
#include <hiredis/hiredis.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
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
    auto r = *Local().TryAdmit(keys[i++ % keys.size()], 300);
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

std::unique_ptr<RateLimiter> MakeBenchRedisLimiter(benchmark::State& state) {
  if (RedisUrl() == nullptr) {
    state.SkipWithError("RAMPART_TEST_REDIS_URL unset");
    return nullptr;
  }
  RedisLimiterOptions o;
  o.url = RedisUrl();
  o.key_prefix = "rampart:bench:";
  o.timeout = std::chrono::milliseconds(1000);
  auto limiter = MakeRedisRateLimiter(o);
  if (!limiter) {
    state.SkipWithError(limiter.status().ToString().c_str());
    return nullptr;
  }
  return std::move(*limiter);
}

// state.range(0) decisions in flight on one io_context (one gateway thread);
// each iteration is one Admit + Settle of every one of them.
void BM_RedisAsyncAdmitSettle(benchmark::State& state) {
  auto limiter = MakeBenchRedisLimiter(state);
  if (!limiter) return;
  namespace asio = boost::asio;
  asio::io_context ioc(1);
  const int in_flight = static_cast<int>(state.range(0));
  int i = 0;
  bool failed = false;
  for (auto _ : state) {
    int done = 0;
    for (int k = 0; k < in_flight; ++k) {
      asio::co_spawn(
          ioc,
          [&, keys = KeysFor(i++)]() -> asio::awaitable<void> {
            Admission r = co_await limiter->Admit(keys, 300);
            if (!r || !r->first.allowed) {
              failed = true;
            } else {
              (void)limiter->Settle(r->second, 120);
            }
            ++done;
          },
          asio::detached);
    }
    while (done < in_flight) ioc.run_one();
    if (failed) {
      state.SkipWithError("denied or failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * in_flight);
}
BENCHMARK(BM_RedisAsyncAdmitSettle)->Arg(1)->Arg(16)->Arg(64)->UseRealTime();

// The old limiter's path, for comparison: a blocking EVALSHA admit and a
// blocking EVALSHA settle per request (it also took a pool mutex).
void BM_BaselineRedisBlockingAdmitSettle(benchmark::State& state) {
  if (RedisUrl() == nullptr) {
    state.SkipWithError("RAMPART_TEST_REDIS_URL unset");
    return;
  }
  auto url = gateway::internal::ParseRedisUrl(RedisUrl());
  redisContext* c = redisConnect(url->host.c_str(), url->port);
  for (std::string_view script :
       {gateway::internal::AdmitScript(), gateway::internal::SettleScript()}) {
    freeReplyObject(redisCommand(c, "SCRIPT LOAD %b", script.data(), script.size()));
  }
  auto run = [&](const std::vector<std::string>& argv) {
    std::vector<const char*> p;
    std::vector<std::size_t> len;
    for (const auto& a : argv) {
      p.push_back(a.data());
      len.push_back(a.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(p.size()), p.data(), len.data()));
    bool ok = reply != nullptr && reply->type != REDIS_REPLY_ERROR;
    freeReplyObject(reply);
    return ok;
  };
  std::uint64_t id = 1;
  int i = 0;
  for (auto _ : state) {
    Reservation r;
    r.id = id++;
    r.keys = gateway::internal::Normalize(KeysFor(i++));
    r.reserved_tokens = 300;
    if (!run(
            gateway::internal::AdmitCommand("rampart:bench-sync:", r, std::chrono::seconds(300))) ||
        !run(gateway::internal::SettleCommand("rampart:bench-sync:", r, 120,
                                              std::chrono::seconds(0)))) {
      state.SkipWithError("redis error");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  redisFree(c);
}
BENCHMARK(BM_BaselineRedisBlockingAdmitSettle)->UseRealTime();

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
