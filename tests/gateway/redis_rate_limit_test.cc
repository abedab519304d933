// The Redis limiter against a real Redis server. Most tests use the shared
// one: start it with
//   eval "$(bash scripts/test-services.sh start)"
// Tests that pause, kill or slow Redis start their own (RedisServer).
#include "gateway/redis_rate_limit.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdlib>
#include <functional>
#include <random>
#include <thread>

#include "testing/redis_server.h"
#include "testing/testing.h"

namespace rampart::gateway {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Keys = std::vector<std::pair<LimitKey, LimitSpec>>;
using Steady = std::chrono::steady_clock;

std::string RedisUrl() {
  const char* u = std::getenv("RAMPART_TEST_REDIS_URL");
  return u == nullptr ? "" : u;
}

#define REQUIRE_REDIS()                                     \
  RAMPART_NEEDS(!RedisUrl().empty(),                        \
                "RAMPART_TEST_REDIS_URL (start Redis with " \
                "eval \"$(bash scripts/test-services.sh start)\")")

// Awaits Admit the way the gateway does, on `ioc`, from a plain thread.
Admission AwaitAdmit(asio::io_context& ioc, RateLimiter& l, const Keys& keys,
                     std::uint64_t tokens = 0) {
  std::optional<Admission> out;
  asio::co_spawn(ioc, l.Admit(keys, tokens),
                 [&](std::exception_ptr, Admission a) { out = std::move(a); });
  while (!out) {
    if (ioc.run_one() == 0) ioc.restart();
  }
  return std::move(*out);
}

// Runs `ioc` until `done` holds (true) or 5 s pass (false).
bool Eventually(asio::io_context& ioc, const std::function<bool()>& done) {
  auto deadline = Steady::now() + seconds(5);
  while (Steady::now() < deadline) {
    if (done()) return true;
    ioc.restart();
    ioc.run_for(milliseconds(10));
  }
  return done();
}

// A raw connection for checks from outside the limiter.
struct Raw {
  redisContext* c = nullptr;
  explicit Raw(int db = 0, std::string url = RedisUrl()) {
    auto u = internal::ParseRedisUrl(url);
    c = redisConnect(u->host.c_str(), u->port);
    if (db != 0) freeReplyObject(redisCommand(c, "SELECT %d", db));
  }
  ~Raw() { redisFree(c); }
  long long Integer(const char* fmt, const std::string& arg) {
    auto* r = static_cast<redisReply*>(redisCommand(c, fmt, arg.c_str()));
    long long v = (r != nullptr && r->type == REDIS_REPLY_INTEGER) ? r->integer : -999;
    freeReplyObject(r);
    return v;
  }
  // How many keys match `pattern`.
  std::size_t Count(const std::string& pattern) {
    auto* r = static_cast<redisReply*>(redisCommand(c, "KEYS %s", pattern.c_str()));
    std::size_t n = (r != nullptr && r->type == REDIS_REPLY_ARRAY) ? r->elements : 999;
    freeReplyObject(r);
    return n;
  }
  // EVAL of a limiter command (EVALSHA argv) with the script's text.
  redisReply* Eval(std::vector<std::string> argv, std::string_view script) {
    argv[0] = "EVAL";
    argv[1] = std::string(script);
    std::vector<const char*> p;
    std::vector<std::size_t> len;
    for (const auto& a : argv) {
      p.push_back(a.data());
      len.push_back(a.size());
    }
    return static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(p.size()), p.data(), len.data()));
  }
  void Command(const char* cmd) { freeReplyObject(redisCommand(c, cmd)); }
};

class RedisLimiterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::random_device rd;
    prefix_ = "rampart:test:" + std::string(info->name()) + ":" + std::to_string(getpid()) + ":" +
              std::to_string(rd()) + ":";
  }

  RedisLimiterOptions Options() const {
    RedisLimiterOptions o;
    o.url = RedisUrl();
    o.key_prefix = prefix_;
    o.timeout = milliseconds(2000);  // generous: the test machine is shared
    return o;
  }
  std::unique_ptr<RateLimiter> Make(RedisLimiterOptions o) {
    auto l = MakeRedisRateLimiter(std::move(o));
    EXPECT_TRUE(l.has_value()) << l.status().ToString();
    return l ? std::move(*l) : nullptr;
  }
  std::pair<Decision, Reservation> Admit(RateLimiter& l, const Keys& k, std::uint64_t tokens = 0) {
    auto r = AwaitAdmit(ioc_, l, k, tokens);
    EXPECT_TRUE(r.has_value()) << r.status().ToString();
    return r ? *r : std::pair<Decision, Reservation>{};
  }

  std::string prefix_;
  asio::io_context ioc_{1};
};

LimitSpec Rpm(double n) {
  LimitSpec s;
  s.requests_per_minute = n;
  return s;
}
LimitSpec Concurrent(std::uint32_t n) {
  LimitSpec s;
  s.max_concurrent = n;
  return s;
}

TEST_F(RedisLimiterTest, PerMinuteLimitWithRetryAfter) {
  REQUIRE_REDIS();
  auto l = Make(Options());
  ASSERT_TRUE(l);
  Keys keys = {{{"identity", "a"}, Rpm(5)}};
  for (int i = 0; i < 5; ++i) {
    auto [d, r] = Admit(*l, keys);
    ASSERT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.limit, 5u);
    EXPECT_EQ(d.remaining, 4u - i);
    EXPECT_EQ(PolicyText(d), "5;w=60");
    ASSERT_TRUE(l->Settle(r, 0).ok());
  }
  auto [d, r] = Admit(*l, keys);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "requests_per_minute");
  // One interval is 12 s; a little of it has passed since the first request.
  EXPECT_GT(d.retry_after, seconds(10));
  EXPECT_LE(d.retry_after, seconds(12));
  EXPECT_TRUE(r.keys.empty());

  // The bucket hash expires once it would be full again: no idle keys linger.
  Raw raw;
  long long ttl = raw.Integer("PTTL %s", prefix_ + "b:identity:a");
  EXPECT_GT(ttl, 50'000);
  EXPECT_LE(ttl, 61'000);
}

TEST_F(RedisLimiterTest, BurstPerSecond) {
  REQUIRE_REDIS();
  auto l = Make(Options());
  ASSERT_TRUE(l);
  LimitSpec s;
  s.requests_per_second = 0.5;  // one every 2 s, so the test's own time does not refill
  s.burst = 3;
  Keys keys = {{{"model", "m"}, s}};
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Admit(*l, keys).first.allowed) << i;
  auto [d, r] = Admit(*l, keys);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "requests_per_second");
  EXPECT_GT(d.retry_after, milliseconds(1500));
  EXPECT_LE(d.retry_after, milliseconds(2000));
}

TEST_F(RedisLimiterTest, ConcurrencyReleasedOnSettle) {
  REQUIRE_REDIS();
  auto l = Make(Options());
  ASSERT_TRUE(l);
  Keys keys = {{{"model", "m"}, Concurrent(2)}};
  auto [d1, r1] = Admit(*l, keys);
  auto [d2, r2] = Admit(*l, keys);
  ASSERT_TRUE(d1.allowed && d2.allowed);
  EXPECT_NE(r1.id, r2.id);
  auto [d3, r3] = Admit(*l, keys);
  EXPECT_FALSE(d3.allowed);
  EXPECT_EQ(d3.reason, "concurrency");
  ASSERT_TRUE(l->Settle(r1, 0).ok());
  EXPECT_TRUE(Admit(*l, keys).first.allowed);
  EXPECT_FALSE(Admit(*l, keys).first.allowed);
}

TEST_F(RedisLimiterTest, TokenReservationDeniesThenRefundLetsNextIn) {
  REQUIRE_REDIS();
  auto l = Make(Options());
  ASSERT_TRUE(l);
  LimitSpec s;
  s.tokens_per_minute = 1000;
  Keys keys = {{{"identity", "a"}, s}};
  auto [d1, r1] = Admit(*l, keys, 800);
  ASSERT_TRUE(d1.allowed);
  EXPECT_EQ(d1.remaining, 200u);
  auto [d2, r2] = Admit(*l, keys, 300);
  EXPECT_FALSE(d2.allowed);
  EXPECT_EQ(d2.reason, "tokens_per_minute");
  EXPECT_GT(d2.retry_after, seconds(5));
  EXPECT_LE(d2.retry_after, seconds(6));
  ASSERT_TRUE(l->Settle(r1, 100).ok());  // 700 come back
  auto [d3, r3] = Admit(*l, keys, 300);
  EXPECT_TRUE(d3.allowed);
  // An under-estimate becomes a debt: 300 reserved, 2000 used.
  ASSERT_TRUE(l->Settle(r3, 2000).ok());
  auto [d4, r4] = Admit(*l, keys, 0);
  EXPECT_FALSE(d4.allowed);
  EXPECT_GT(d4.retry_after, seconds(40));
}

TEST_F(RedisLimiterTest, AllOrNothingAcrossKeys) {
  REQUIRE_REDIS();
  auto l = Make(Options());
  ASSERT_TRUE(l);
  LimitSpec identity = Rpm(100);
  identity.max_concurrent = 1;
  Keys both = {{{"identity", "a"}, identity}, {{"model", "m"}, Rpm(1)}};
  auto [d1, r1] = Admit(*l, both);
  ASSERT_TRUE(d1.allowed);
  ASSERT_TRUE(l->Settle(r1, 0).ok());
  auto [d2, r2] = Admit(*l, both);
  EXPECT_FALSE(d2.allowed);
  EXPECT_EQ(d2.reason, "requests_per_minute");
  EXPECT_EQ(d2.limit, 1u);
  // The denied request took neither a request nor the slot from the identity.
  Keys identity_only = {{{"identity", "a"}, identity}};
  auto [d3, r3] = Admit(*l, identity_only);
  ASSERT_TRUE(d3.allowed);
  EXPECT_EQ(d3.remaining, 0u);  // the tightest policy: its one slot is now taken
  EXPECT_EQ(d3.reason, "");
  auto [d4, r4] = Admit(*l, identity_only);
  EXPECT_FALSE(d4.allowed);
  EXPECT_EQ(d4.reason, "concurrency");
  ASSERT_TRUE(l->Settle(r3, 0).ok());
  Raw raw;
  EXPECT_TRUE(
      Eventually(ioc_, [&] { return raw.Integer("ZCARD %s", prefix_ + "c:identity:a") == 0; }));
  // Settled reservations leave nothing behind.
  EXPECT_EQ(raw.Count(prefix_ + "r:*"), 0u);
}

TEST_F(RedisLimiterTest, TwoReplicasShareOneLimit) {
  REQUIRE_REDIS();
  auto a = Make(Options());
  auto b = Make(Options());
  ASSERT_TRUE(a && b);
  constexpr int kLimit = 60;  // per minute: one more each second the test runs
  LimitSpec s = Rpm(kLimit);
  s.max_concurrent = 4;
  Keys keys = {{{"identity", "shared"}, s}, {{"model", "m"}, Concurrent(3)}};
  std::atomic<int> admitted{0}, in_flight{0}, max_in_flight{0}, errors{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    RateLimiter* l = (t % 2 == 0) ? a.get() : b.get();
    threads.emplace_back([&, l] {
      asio::io_context ioc(1);  // each thread is an I/O thread with its own connection
      // Until this thread has seen the per-minute budget run out a few times.
      int exhausted = 0;
      for (int i = 0; i < 3000 && exhausted < 5; ++i) {
        auto r = AwaitAdmit(ioc, *l, keys, 0);
        if (!r) {
          ++errors;
          continue;
        }
        if (!r->first.allowed) {
          exhausted += r->first.reason == "requests_per_minute";
          continue;
        }
        int now = ++in_flight;
        int prev = max_in_flight.load();
        while (now > prev && !max_in_flight.compare_exchange_weak(prev, now)) {
        }
        ++admitted;
        std::this_thread::sleep_for(milliseconds(1));
        --in_flight;
        if (!l->Settle(r->second, 0).ok()) ++errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(errors.load(), 0);
  // Documented bound: the limit plus what refills while the test runs.
  int bound = kLimit + static_cast<int>(std::ceil(elapsed * kLimit / 60.0));
  EXPECT_LE(admitted.load(), bound) << "elapsed " << elapsed << " s";
  EXPECT_GE(admitted.load(), kLimit);  // the whole budget was used
  EXPECT_LE(max_in_flight.load(), 3);
}

TEST_F(RedisLimiterTest, SlotsOfACrashedReplicaExpire) {
  REQUIRE_REDIS();
  RedisLimiterOptions o = Options();
  o.slot_ttl = seconds(3);  // the refusal below must come within it, on a loaded machine too
  auto crashed = Make(o);
  auto survivor = Make(o);
  ASSERT_TRUE(crashed && survivor);
  Keys keys = {{{"model", "m"}, Concurrent(1)}};
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(Admit(*crashed, keys).first.allowed);
  crashed.reset();  // never settles
  EXPECT_FALSE(Admit(*survivor, keys).first.allowed);
  // The slot expires: admitted again once the TTL has passed, not before.
  bool admitted = false;
  while (!admitted && std::chrono::steady_clock::now() - t0 < seconds(30)) {
    admitted = Admit(*survivor, keys).first.allowed;
    if (!admitted) std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_TRUE(admitted);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(2900));
}

TEST_F(RedisLimiterTest, ReloadsTheScriptAfterFlush) {
  REQUIRE_REDIS();
  auto l = Make(Options());
  ASSERT_TRUE(l);
  Keys keys = {{{"identity", "a"}, Rpm(2)}};
  ASSERT_TRUE(Admit(*l, keys).first.allowed);
  Raw raw;
  raw.Command("SCRIPT FLUSH");
  ASSERT_TRUE(Admit(*l, keys).first.allowed);
  EXPECT_FALSE(Admit(*l, keys).first.allowed);
}

TEST_F(RedisLimiterTest, SelectsTheDatabaseFromTheUrl) {
  REQUIRE_REDIS();
  RedisLimiterOptions o = Options();
  o.url = RedisUrl() + "/3";
  auto l = Make(o);
  ASSERT_TRUE(l);
  ASSERT_TRUE(Admit(*l, {{{"identity", "a"}, Rpm(2)}}).first.allowed);
  EXPECT_EQ(Raw(3).Integer("EXISTS %s", prefix_ + "b:identity:a"), 1);
  EXPECT_EQ(Raw(0).Integer("EXISTS %s", prefix_ + "b:identity:a"), 0);
}

TEST_F(RedisLimiterTest, WrongPasswordIsRefused) {
  REQUIRE_REDIS();
  auto url = internal::ParseRedisUrl(RedisUrl());
  ASSERT_TRUE(url);
  RedisLimiterOptions o = Options();
  o.url = "redis://:not-the-password@" + url->host + ":" + std::to_string(url->port);
  o.fail_open = true;  // a wrong password is a configuration error even so
  auto l = MakeRedisRateLimiter(o);
  ASSERT_FALSE(l.has_value());
  EXPECT_NE(l.status().message().find("AUTH"), std::string::npos) << l.status().ToString();
}

// ---- the scripts: a settlement applies once, a release beats a late admit ----

using ReplyPtr = std::unique_ptr<redisReply, void (*)(void*)>;
ReplyPtr Own(redisReply* r) { return ReplyPtr(r, freeReplyObject); }

TEST_F(RedisLimiterTest, SettlementAppliesOnceAndAReleaseBeatsALateAdmit) {
  REQUIRE_REDIS();
  Raw raw;
  LimitSpec s = Concurrent(1);
  s.tokens_per_minute = 1000;
  auto reservation = [&](std::uint64_t id, std::uint64_t tokens) {
    Reservation r;
    r.id = id;
    r.keys = {{{"identity", "a"}, s}};
    r.reserved_tokens = tokens;
    return r;
  };
  auto admit = [&](const Reservation& r) {
    return Own(raw.Eval(internal::AdmitCommand(prefix_, r, seconds(300)), internal::AdmitScript()));
  };
  auto settle = [&](const Reservation& r, std::uint64_t used, milliseconds tombstone) {
    ReplyPtr x = Own(
        raw.Eval(internal::SettleCommand(prefix_, r, used, tombstone), internal::SettleScript()));
    return (x && x->type == REDIS_REPLY_INTEGER) ? x->integer : -999;
  };
  const std::string slots = prefix_ + "c:identity:a";

  Reservation r1 = reservation(41, 800);
  ReplyPtr a1 = admit(r1);
  ASSERT_TRUE(a1 && a1->type == REDIS_REPLY_ARRAY) << (a1 ? a1->str : "no reply");
  ASSERT_TRUE(internal::ParseAdmitReply(a1.get(), r1)->first.allowed);
  EXPECT_EQ(raw.Integer("ZCARD %s", slots), 1);
  EXPECT_EQ(raw.Integer("EXISTS %s", prefix_ + "r:41"), 1);
  // 100 of the 800 reserved were used: the slot and 700 tokens come back,
  // once. The same settlement again (a retry after a lost connection) is -1.
  EXPECT_EQ(settle(r1, 100, milliseconds(0)), 1);
  EXPECT_EQ(settle(r1, 100, milliseconds(0)), -1);
  EXPECT_EQ(raw.Integer("ZCARD %s", slots), 0);
  EXPECT_EQ(raw.Integer("EXISTS %s", prefix_ + "r:41"), 0);
  // 900 tokens are left, not 1000 (a second refund would have filled the bucket).
  Reservation r2 = reservation(42, 950);
  auto d2 = internal::ParseAdmitReply(admit(r2).get(), r2);
  ASSERT_TRUE(d2.has_value()) << d2.status().ToString();
  EXPECT_FALSE(d2->first.allowed);
  EXPECT_EQ(d2->first.reason, "tokens_per_minute");

  // A decision past its deadline is released before its admit ran (Redis
  // runs the release first, say on a new connection): the release leaves
  // "released", and the admit, arriving late, reserves nothing.
  Reservation late = reservation(43, 100);
  EXPECT_EQ(settle(late, 0, seconds(300)), -1);
  ReplyPtr a3 = admit(late);
  auto d3 = internal::ParseAdmitReply(a3.get(), late);
  ASSERT_FALSE(d3.has_value());
  EXPECT_EQ(d3.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(raw.Integer("ZCARD %s", slots), 0);
  EXPECT_EQ(settle(late, 0, seconds(300)), -1);  // a second release is harmless
  EXPECT_EQ(raw.Integer("ZCARD %s", slots), 0);
  // The tombstone expires with the slots it stood in for.
  long long ttl = raw.Integer("PTTL %s", prefix_ + "r:43");
  EXPECT_GT(ttl, 290'000);
  EXPECT_LE(ttl, 300'000);
}

// ---- faults: a private Redis that is paused, slowed, killed ------------------------------------

class RedisFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RAMPART_NEEDS(testing::RedisServer::Available(), "redis-server (apt-get install redis-server)");
    ASSERT_TRUE(server_.Start());
  }
  RedisLimiterOptions Options(milliseconds timeout) const {
    RedisLimiterOptions o;
    o.url = server_.url();
    o.key_prefix = "rl:";
    o.timeout = timeout;
    return o;
  }
  std::unique_ptr<RateLimiter> Make(RedisLimiterOptions o) {
    auto l = MakeRedisRateLimiter(std::move(o));
    EXPECT_TRUE(l.has_value()) << l.status().ToString();
    return l ? std::move(*l) : nullptr;
  }
  // Reservations marked "held" (tombstones of releases say "released").
  std::size_t Held() {
    auto raw = server_.Connect();
    auto keys = raw->Command({"KEYS", "rl:r:*"});
    std::size_t n = 0;
    for (std::size_t i = 0; keys && i < keys->elements; ++i) {
      auto v = raw->Command({"GET", std::string(keys->element[i]->str, keys->element[i]->len)});
      n += v && v->type == REDIS_REPLY_STRING && std::string_view(v->str, v->len) == "held";
    }
    return n;
  }
  long long Slots(const std::string& key) { return server_.Connect()->Integer({"ZCARD", key}); }
  // Whether no reservation holds anything: no slot, no "held" mark.
  bool NothingHeld(const std::string& slots) { return Slots(slots) == 0 && Held() == 0; }

  testing::RedisServer server_;
  asio::io_context ioc_{1};  // destroyed before the server
};

LimitSpec SlotAndTokens() {
  LimitSpec s = Concurrent(1);
  s.tokens_per_minute = 1000;
  return s;
}

TEST_F(RedisFaultTest, AnAnswerPastTheDeadlineIsRefusedAndReleased) {
  auto l = Make(Options(milliseconds(150)));
  ASSERT_TRUE(l);
  Keys keys = {{{"identity", "a"}, SlotAndTokens()}};
  auto warm = AwaitAdmit(ioc_, *l, keys, 10);
  ASSERT_TRUE(warm.has_value() && warm->first.allowed) << warm.status().ToString();
  ASSERT_TRUE(l->Settle(warm->second, 10).ok());
  ASSERT_TRUE(Eventually(ioc_, [&] { return NothingHeld("rl:c:identity:a"); }));

  // Redis answers only after a second: the decision is refused at its deadline.
  auto sleeper = server_.Connect();
  sleeper->SendOnly({"DEBUG", "SLEEP", "1"});
  std::this_thread::sleep_for(milliseconds(100));  // Redis is asleep now
  auto t0 = Steady::now();
  auto slow = AwaitAdmit(ioc_, *l, keys, 800);
  auto took = Steady::now() - t0;
  ASSERT_FALSE(slow.has_value());
  EXPECT_EQ(slow.error().code(), StatusCode::kUnavailable);
  EXPECT_NE(slow.error().message().find("no decision within 150 ms"), std::string::npos)
      << slow.error().message();
  EXPECT_GE(took, milliseconds(140));
  EXPECT_LT(took, milliseconds(800));  // long before Redis woke

  // Redis wakes and runs the admit (a slot, 800 tokens), then the release:
  // nothing stays held, and the 800 tokens are back.
  EXPECT_TRUE(Eventually(ioc_, [&] { return NothingHeld("rl:c:identity:a"); }));
  auto next = AwaitAdmit(ioc_, *l, keys, 950);
  ASSERT_TRUE(next.has_value()) << next.status().ToString();
  EXPECT_TRUE(next->first.allowed) << next->first.reason;
}

TEST_F(RedisFaultTest, APausedRedisLeavesTheThreadFreeAndLeaksNoSlot) {
  RedisLimiterOptions o = Options(milliseconds(300));
  o.max_pending = 2;
  auto l = Make(o);
  ASSERT_TRUE(l);
  Keys keys = {{{"identity", "a"}, SlotAndTokens()}};
  ASSERT_TRUE(AwaitAdmit(ioc_, *l, keys, 10).has_value());  // connected (and holding the slot)
  auto local = MakeLocalRateLimiter(std::make_shared<SystemClock>());

  auto pause = server_.Connect()->Command({"CLIENT", "PAUSE", "1000", "ALL"});
  ASSERT_TRUE(pause && pause->type == REDIS_REPLY_STATUS);
  // Two decisions wait on Redis; meanwhile the same thread keeps working
  // (a 10 ms ticker, local-limiter decisions).
  std::vector<std::optional<Admission>> waiting(3);
  auto t0 = Steady::now();
  std::vector<Steady::duration> took(3);
  for (int i = 0; i < 3; ++i) {
    asio::co_spawn(ioc_, l->Admit(keys, 10), [&, i](std::exception_ptr, Admission a) {
      waiting[i] = std::move(a);
      took[i] = Steady::now() - t0;
    });
  }
  int ticks = 0, local_decisions = 0;
  asio::steady_timer ticker(ioc_);
  std::function<void()> tick = [&] {
    ticker.expires_after(milliseconds(10));
    ticker.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      ++ticks;
      auto d = local->TryAdmit({{{"identity", "other"}, Rpm(1e6)}}, 0);
      local_decisions += d && (*d)->first.allowed;
      if (!waiting[0] || !waiting[1]) tick();
    });
  };
  tick();
  while (!waiting[0] || !waiting[1] || !waiting[2]) ioc_.run_one();
  // The third found two already waiting (max_pending 2): refused at once.
  ASSERT_FALSE(waiting[2]->has_value());
  EXPECT_NE(waiting[2]->error().message().find("already wait"), std::string::npos)
      << waiting[2]->error().message();
  EXPECT_LT(took[2], milliseconds(100));
  for (int i = 0; i < 2; ++i) {
    ASSERT_FALSE(waiting[i]->has_value()) << i;
    EXPECT_EQ(waiting[i]->error().code(), StatusCode::kUnavailable);
    EXPECT_GE(took[i], milliseconds(290));
    EXPECT_LT(took[i], milliseconds(900));  // before the pause ended
  }
  EXPECT_GE(ticks, 10);
  EXPECT_EQ(local_decisions, ticks);
  // After the pause: the waiting admits ran (one was denied: the warm-up
  // holds the slot) and were released. Only the warm-up's slot is held.
  EXPECT_TRUE(Eventually(ioc_, [&] { return Slots("rl:c:identity:a") == 1 && Held() == 1; }));
}

TEST_F(RedisFaultTest, AKilledRedisFailsFastAndTheLimiterReconnects) {
  auto l = Make(Options(milliseconds(300)));
  ASSERT_TRUE(l);
  Keys keys = {{{"identity", "a"}, Rpm(1000)}};
  ASSERT_TRUE(AwaitAdmit(ioc_, *l, keys).has_value());
  server_.Kill();
  // The lost connection is noticed; later decisions fail without waiting
  // out the deadline (the connection waits to retry).
  auto first = AwaitAdmit(ioc_, *l, keys);
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(first.error().code(), StatusCode::kUnavailable);
  auto t0 = Steady::now();
  auto second = AwaitAdmit(ioc_, *l, keys);
  ASSERT_FALSE(second.has_value());
  EXPECT_LT(Steady::now() - t0, milliseconds(250)) << second.error().message();

  ASSERT_TRUE(server_.Start());  // same port, empty: no scripts loaded
  bool resumed = false;
  auto deadline = Steady::now() + seconds(5);
  while (!resumed && Steady::now() < deadline) {
    auto a = AwaitAdmit(ioc_, *l, keys);
    resumed = a.has_value() && a->first.allowed;
    if (!resumed) {
      ioc_.restart();
      ioc_.run_for(milliseconds(50));
    }
  }
  EXPECT_TRUE(resumed);
}

TEST_F(RedisFaultTest, ASettlementSurvivesALostConnection) {
  auto l = Make(Options(milliseconds(1000)));
  ASSERT_TRUE(l);
  Keys keys = {{{"model", "m"}, Concurrent(1)}};
  auto a = AwaitAdmit(ioc_, *l, keys);
  ASSERT_TRUE(a.has_value() && a->first.allowed);
  EXPECT_EQ(server_.Connect()->Integer({"CLIENT", "KILL", "TYPE", "normal"}), 1);
  // Sent on a dead connection or held while it is down: either way it is
  // sent again once the limiter has reconnected.
  ASSERT_TRUE(l->Settle(a->second, 0).ok());
  EXPECT_TRUE(Eventually(ioc_, [&] { return NothingHeld("rl:c:model:m"); }));
  auto again = AwaitAdmit(ioc_, *l, keys);
  ASSERT_TRUE(again.has_value()) << again.status().ToString();
  EXPECT_TRUE(again->first.allowed);
}

// No server at all: these need no Redis.
TEST(RedisLimiterDownTest, FailClosedRefusesToStart) {
  RedisLimiterOptions o;
  o.url = "redis://127.0.0.1:" + std::to_string(testing::FreePort());
  auto l = MakeRedisRateLimiter(o);
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.status().code(), StatusCode::kUnavailable);
}

TEST(RedisLimiterDownTest, FailOpenAdmitsAndReservesNothing) {
  RedisLimiterOptions o;
  o.url = "redis://127.0.0.1:" + std::to_string(testing::FreePort());
  o.fail_open = true;
  auto l = MakeRedisRateLimiter(o);
  ASSERT_TRUE(l.has_value()) << l.status().ToString();
  Keys keys = {{{"identity", "a"}, Rpm(1)}};
  asio::io_context ioc(1);
  for (int i = 0; i < 3; ++i) {
    auto r = AwaitAdmit(ioc, **l, keys, 10);
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(r->first.allowed);
    EXPECT_EQ(r->first.reason, "fail_open");
    EXPECT_TRUE(r->second.keys.empty());
    EXPECT_TRUE((*l)->Settle(r->second, 5).ok());
  }
}

}  // namespace
}  // namespace rampart::gateway
