// The Redis limiter against a real Redis server: start one with
//   eval "$(bash scripts/test-services.sh start)"
// Tests that need it skip when RAMPART_TEST_REDIS_URL is unset.
#include "gateway/redis_rate_limit.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <thread>

#include "testing/testing.h"

namespace rampart::gateway {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Keys = std::vector<std::pair<LimitKey, LimitSpec>>;

std::string RedisUrl() {
  const char* u = std::getenv("RAMPART_TEST_REDIS_URL");
  return u == nullptr ? "" : u;
}

#define REQUIRE_REDIS()                                                  \
  if (RedisUrl().empty()) {                                              \
    GTEST_SKIP() << "RAMPART_TEST_REDIS_URL is unset; start Redis with " \
                    "eval \"$(bash scripts/test-services.sh start)\"";   \
  }

// A raw connection for checks from outside the limiter.
struct Raw {
  redisContext* c = nullptr;
  explicit Raw(int db = 0) {
    auto url = internal::ParseRedisUrl(RedisUrl());
    c = redisConnect(url->host.c_str(), url->port);
    if (db != 0) freeReplyObject(redisCommand(c, "SELECT %d", db));
  }
  ~Raw() { redisFree(c); }
  long long Integer(const char* fmt, const std::string& arg) {
    auto* r = static_cast<redisReply*>(redisCommand(c, fmt, arg.c_str()));
    long long v = (r != nullptr && r->type == REDIS_REPLY_INTEGER) ? r->integer : -999;
    freeReplyObject(r);
    return v;
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
  static std::pair<Decision, Reservation> Admit(RateLimiter& l, const Keys& k,
                                                std::uint64_t tokens = 0) {
    auto r = l.Admit(k, tokens);
    EXPECT_TRUE(r.has_value()) << r.status().ToString();
    return r ? *r : std::pair<Decision, Reservation>{};
  }

  std::string prefix_;
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
    EXPECT_EQ(d.policy, "5;w=60");
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
  EXPECT_EQ(raw.Integer("ZCARD %s", prefix_ + "c:identity:a"), 0);
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
      // Until this thread has seen the per-minute budget run out a few times.
      int exhausted = 0;
      for (int i = 0; i < 3000 && exhausted < 5; ++i) {
        auto r = l->Admit(keys, 0);
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
  o.slot_ttl = seconds(1);
  auto crashed = Make(o);
  auto survivor = Make(o);
  ASSERT_TRUE(crashed && survivor);
  Keys keys = {{{"model", "m"}, Concurrent(1)}};
  ASSERT_TRUE(Admit(*crashed, keys).first.allowed);
  crashed.reset();  // never settles
  EXPECT_FALSE(Admit(*survivor, keys).first.allowed);
  std::this_thread::sleep_for(milliseconds(1100));
  EXPECT_TRUE(Admit(*survivor, keys).first.allowed);
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
  for (int i = 0; i < 3; ++i) {
    auto r = (*l)->Admit(keys, 10);
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(r->first.allowed);
    EXPECT_EQ(r->first.reason, "fail_open");
    EXPECT_TRUE(r->second.keys.empty());
    EXPECT_TRUE((*l)->Settle(r->second, 5).ok());
  }
}

}  // namespace
}  // namespace rampart::gateway
