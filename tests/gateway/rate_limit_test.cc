#include "gateway/rate_limit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "gateway/redis_rate_limit.h"

namespace rampart::gateway {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Keys = std::vector<std::pair<LimitKey, LimitSpec>>;

LimitSpec Rps(double rps, std::uint32_t burst = 0) {
  LimitSpec s;
  s.requests_per_second = rps;
  s.burst = burst;
  return s;
}
LimitSpec Rpm(double rpm) {
  LimitSpec s;
  s.requests_per_minute = rpm;
  return s;
}
LimitSpec Concurrent(std::uint32_t n) {
  LimitSpec s;
  s.max_concurrent = n;
  return s;
}
LimitSpec Tpm(std::uint64_t n) {
  LimitSpec s;
  s.tokens_per_minute = n;
  return s;
}
LimitKey Identity(std::string name) { return {"identity", std::move(name)}; }
LimitKey Model(std::string name) { return {"model", std::move(name)}; }

class RateLimitTest : public ::testing::Test {
 protected:
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::unique_ptr<RateLimiter> limiter_ = MakeLocalRateLimiter(clock_);

  std::pair<Decision, Reservation> Admit(const Keys& keys, std::uint64_t tokens = 0) {
    auto r = *limiter_->TryAdmit(keys, tokens);
    EXPECT_TRUE(r.has_value()) << r.status().ToString();
    return r.has_value() ? *r : std::pair<Decision, Reservation>{};
  }
  bool Allowed(const Keys& keys, std::uint64_t tokens = 0) {
    auto [d, r] = Admit(keys, tokens);
    if (d.allowed) {
      EXPECT_TRUE(limiter_->Settle(r, r.reserved_tokens).ok());
    }
    return d.allowed;
  }
};

TEST_F(RateLimitTest, BurstThenDenyWithRetryAfter) {
  Keys keys = {{Identity("a"), Rps(10, 5)}};
  for (int i = 0; i < 5; ++i) {
    auto [d, r] = Admit(keys);
    ASSERT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.limit, 5u);
    EXPECT_EQ(d.remaining, 4u - i);
    EXPECT_EQ(PolicyText(d), "5;w=1");
    ASSERT_TRUE(limiter_->Settle(r, 0).ok());
  }
  auto [d, r] = Admit(keys);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "requests_per_second");
  EXPECT_EQ(d.retry_after, milliseconds(100));  // one emission interval at 10/s
  EXPECT_EQ(d.remaining, 0u);
  EXPECT_EQ(d.reset, seconds(1));
  EXPECT_TRUE(r.keys.empty());

  clock_->Advance(milliseconds(99));
  auto [d2, r2] = Admit(keys);
  EXPECT_FALSE(d2.allowed);
  EXPECT_EQ(d2.retry_after, milliseconds(1));
  clock_->Advance(milliseconds(1));
  EXPECT_TRUE(Allowed(keys));
  EXPECT_FALSE(Allowed(keys));
}

TEST_F(RateLimitTest, RefillsAtTheConfiguredRate) {
  Keys keys = {{Identity("a"), Rps(10)}};  // burst defaults to the rate
  int admitted = 0;
  while (Allowed(keys)) ++admitted;
  EXPECT_EQ(admitted, 10);
  clock_->Advance(milliseconds(500));
  admitted = 0;
  while (Allowed(keys)) ++admitted;
  EXPECT_EQ(admitted, 5);
  clock_->Advance(seconds(60));  // a long idle refills only up to the burst
  admitted = 0;
  while (Allowed(keys)) ++admitted;
  EXPECT_EQ(admitted, 10);
}

TEST_F(RateLimitTest, PerMinuteWindow) {
  Keys keys = {{Identity("a"), Rpm(6)}};
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(Allowed(keys)) << i;
  auto [d, r] = Admit(keys);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "requests_per_minute");
  EXPECT_EQ(d.retry_after, seconds(10));
  EXPECT_EQ(PolicyText(d), "6;w=60");
  EXPECT_EQ(d.limit, 6u);
  clock_->Advance(seconds(10));
  EXPECT_TRUE(Allowed(keys));
  EXPECT_FALSE(Allowed(keys));
  clock_->Advance(seconds(60));
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(Allowed(keys)) << i;
  EXPECT_FALSE(Allowed(keys));
}

TEST_F(RateLimitTest, ConcurrencyReleasedOnSettle) {
  Keys keys = {{Model("llama"), Concurrent(2)}};
  auto [d1, r1] = Admit(keys);
  auto [d2, r2] = Admit(keys);
  ASSERT_TRUE(d1.allowed);
  ASSERT_TRUE(d2.allowed);
  EXPECT_EQ(d2.remaining, 0u);
  EXPECT_EQ(PolicyText(d2), "2;qu=\"concurrent-requests\"");
  auto [d3, r3] = Admit(keys);
  EXPECT_FALSE(d3.allowed);
  EXPECT_EQ(d3.reason, "concurrency");
  EXPECT_GT(d3.retry_after, milliseconds(0));
  clock_->Advance(seconds(3600));  // time alone frees no slot
  EXPECT_FALSE(Admit(keys).first.allowed);
  ASSERT_TRUE(limiter_->Settle(r1, 0).ok());
  auto [d4, r4] = Admit(keys);
  EXPECT_TRUE(d4.allowed);
  EXPECT_NE(r4.id, r2.id);
}

TEST_F(RateLimitTest, SettlingTwiceIsAnError) {
  Keys keys = {{Model("m"), Concurrent(5)}};
  auto [d, r] = Admit(keys);
  ASSERT_TRUE(d.allowed);
  EXPECT_TRUE(limiter_->Settle(r, 0).ok());
  Status again = limiter_->Settle(r, 0);
  EXPECT_EQ(again.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(again.message().find("settled twice"), std::string::npos);
}

TEST_F(RateLimitTest, TokenReservationDeniesThenRefundLetsNextIn) {
  Keys keys = {{Identity("a"), Tpm(1000)}};
  auto [d1, r1] = Admit(keys, 800);
  ASSERT_TRUE(d1.allowed);
  EXPECT_EQ(r1.reserved_tokens, 800u);
  EXPECT_EQ(d1.remaining, 200u);
  EXPECT_EQ(PolicyText(d1), "1000;w=60");

  auto [d2, r2] = Admit(keys, 300);
  EXPECT_FALSE(d2.allowed);
  EXPECT_EQ(d2.reason, "tokens_per_minute");
  EXPECT_EQ(d2.retry_after, seconds(6));  // 100 missing tokens at 1000/min

  // The response used 100 tokens: 700 come back at once.
  ASSERT_TRUE(limiter_->Settle(r1, 100).ok());
  auto [d3, r3] = Admit(keys, 300);
  EXPECT_TRUE(d3.allowed);
  EXPECT_EQ(d3.remaining, 600u);
}

TEST_F(RateLimitTest, UsageAboveTheEstimateIsADebtLaterRequestsWaitOut) {
  Keys keys = {{Identity("a"), Tpm(1000)}};
  auto [d1, r1] = Admit(keys, 100);
  ASSERT_TRUE(d1.allowed);
  ASSERT_TRUE(limiter_->Settle(r1, 1500).ok());  // 1500 used: the bucket is at -500
  auto [d2, r2] = Admit(keys, 1);
  EXPECT_FALSE(d2.allowed);
  EXPECT_EQ(d2.retry_after, milliseconds(30060));  // 501 tokens at 1000/min
  clock_->Advance(milliseconds(30060));
  EXPECT_TRUE(Admit(keys, 1).first.allowed);
}

TEST_F(RateLimitTest, RefundNeverFillsBeyondCapacity) {
  Keys keys = {{Identity("a"), Tpm(1000)}};
  auto [d1, r1] = Admit(keys, 500);
  ASSERT_TRUE(d1.allowed);
  clock_->Advance(seconds(60));  // full again while the request runs
  ASSERT_TRUE(limiter_->Settle(r1, 0).ok());
  EXPECT_TRUE(Admit(keys, 1000).first.allowed);
  EXPECT_FALSE(Admit(keys, 1).first.allowed);
}

TEST_F(RateLimitTest, EstimateAboveTheBudgetWaitsForAFullBucket) {
  Keys keys = {{Identity("a"), Tpm(100)}};
  ASSERT_TRUE(Admit(keys, 10).first.allowed);
  auto [d, r] = Admit(keys, 500);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, seconds(6));  // until the bucket is full, not forever
  clock_->Advance(seconds(6));
  EXPECT_TRUE(Admit(keys, 500).first.allowed);
  EXPECT_FALSE(Admit(keys, 0).first.allowed);  // in debt
}

TEST_F(RateLimitTest, AllOrNothingAcrossKeys) {
  LimitSpec identity = Rps(100, 100);
  identity.max_concurrent = 1;
  identity.tokens_per_minute = 1000;
  Keys both = {{Identity("a"), identity}, {Model("m"), Rps(1, 1)}};
  auto [d1, r1] = Admit(both, 10);
  ASSERT_TRUE(d1.allowed);
  ASSERT_TRUE(limiter_->Settle(r1, 10).ok());

  auto [d2, r2] = Admit(both, 10);  // the model key denies
  EXPECT_FALSE(d2.allowed);
  EXPECT_EQ(d2.reason, "requests_per_second");
  EXPECT_EQ(d2.limit, 1u);

  // Nothing was debited from the identity by the denied request: 99 of 100
  // requests, its one concurrency slot and 990 tokens are still there.
  Keys identity_only = {{Identity("a"), identity}};
  auto [d3, r3] = Admit(identity_only, 990);
  ASSERT_TRUE(d3.allowed) << d3.reason;
  auto [d4, r4] = Admit(identity_only, 0);
  EXPECT_FALSE(d4.allowed);
  EXPECT_EQ(d4.reason, "concurrency");
}

TEST_F(RateLimitTest, DenialReportsTheLongestWait) {
  Keys keys = {{Identity("a"), Rps(10, 1)}, {Model("m"), Rpm(1)}};
  ASSERT_TRUE(Allowed(keys));
  auto [d, r] = Admit(keys);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "requests_per_minute");
  EXPECT_EQ(d.retry_after, seconds(60));
}

TEST_F(RateLimitTest, AllowedReportsTheTightestPolicy) {
  Keys keys = {{Identity("a"), Rps(100, 100)}, {Model("m"), Rpm(10)}};
  auto [d, r] = Admit(keys);
  ASSERT_TRUE(d.allowed);
  EXPECT_EQ(d.reason, "");
  EXPECT_EQ(d.limit, 10u);
  EXPECT_EQ(d.remaining, 9u);
  EXPECT_EQ(PolicyText(d), "10;w=60");
  EXPECT_EQ(d.reset, seconds(6));  // one interval until the bucket is full again
}

TEST_F(RateLimitTest, UnlimitedKeysAreAdmittedWithoutState) {
  Keys keys = {{Identity("a"), LimitSpec{}}, {Model("m"), LimitSpec{}}};
  for (int i = 0; i < 1000; ++i) {
    auto [d, r] = Admit(keys, 1'000'000);
    ASSERT_TRUE(d.allowed);
    EXPECT_TRUE(r.keys.empty());
    EXPECT_EQ(d.limit, 0u);
    EXPECT_TRUE(PolicyText(d).empty());
  }
  EXPECT_EQ(internal::SweepLocalBuckets(*limiter_), 0u);
}

TEST_F(RateLimitTest, ScopesKeepNamesApart) {
  Keys id = {{Identity("x"), Rps(1, 1)}};
  Keys model = {{Model("x"), Rps(1, 1)}};
  EXPECT_TRUE(Allowed(id));
  EXPECT_TRUE(Allowed(model));
  EXPECT_FALSE(Allowed(id));
}

// A settled reservation's keys go back to the thread's spares and the next
// Normalize fills that storage: nothing of the old keys survives in it, and
// repeated and unlimited keys are still dropped.
TEST(NormalizeTest, ReusesTheStorageOfDestroyedReservationsWithoutLeftovers) {
  const std::string long_name(100, 'x');  // past the small-string buffer
  const std::pair<LimitKey, LimitSpec>* old_data = nullptr;
  {
    Reservation r;
    r.keys = internal::Normalize({{Identity("alice"), Rps(1)},
                                  {Model(long_name), Concurrent(2)},
                                  {Identity("carol"), Rpm(3)}});
    ASSERT_EQ(r.keys.size(), 3u);
    old_data = r.keys.data();
  }
  Keys next = internal::Normalize({{Identity("bob"), Rps(5)},
                                   {Identity("bob"), Rps(9)},
                                   {Model("m"), LimitSpec{}},
                                   {Model("small"), Tpm(7)}});
  EXPECT_EQ(next.data(), old_data);  // the spare was taken
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].first, Identity("bob"));
  EXPECT_EQ(next[0].second.requests_per_second, 5);
  EXPECT_EQ(next[1].first, Model("small"));
  EXPECT_EQ(next[1].second.tokens_per_minute, 7u);
  EXPECT_EQ(next[1].second.max_concurrent, 0u);  // nothing of the old spec

  // A vector of more keys than a spare may hold is freed, not kept.
  Keys many;
  for (int i = 0; i < 20; ++i) many.push_back({Identity("id" + std::to_string(i)), Rps(1)});
  {
    Reservation r;
    r.keys = internal::Normalize(many);
    ASSERT_EQ(r.keys.size(), 20u);
  }
  Keys after = internal::Normalize({{Identity("dave"), Rps(1)}});
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].first, Identity("dave"));
}

TEST_F(RateLimitTest, IdleBucketsAreEvicted) {
  std::vector<Reservation> held;
  for (int i = 0; i < 5000; ++i) {
    LimitSpec s = Rps(100, 100);
    s.max_concurrent = 10;
    auto [d, r] = Admit({{Identity("id-" + std::to_string(i)), s}});
    ASSERT_TRUE(d.allowed);
    if (i < 3) {
      held.push_back(r);
    } else {
      ASSERT_TRUE(limiter_->Settle(r, 0).ok());
    }
  }
  EXPECT_EQ(internal::SweepLocalBuckets(*limiter_), 5000u);  // none full yet
  clock_->Advance(seconds(2));
  // Full buckets are dropped; the three with a request in flight stay.
  EXPECT_EQ(internal::SweepLocalBuckets(*limiter_), 3u);
  for (auto& r : held) ASSERT_TRUE(limiter_->Settle(r, 0).ok());
  EXPECT_EQ(internal::SweepLocalBuckets(*limiter_), 0u);
}

TEST_F(RateLimitTest, ThreadsNeverExceedTheLimit) {
  // Time stands still, so exactly the bucket's contents may be admitted.
  LimitSpec s = Rpm(500);
  s.tokens_per_minute = 100'000;
  Keys keys = {{Identity("shared"), s}, {Model("m"), Rps(1000, 800)}};
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        auto r = *limiter_->TryAdmit(keys, 100);
        if (r && r->first.allowed) {
          ++admitted;
          (void)limiter_->Settle(r->second, 100);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 500);
}

TEST_F(RateLimitTest, ThreadsNeverExceedConcurrency) {
  Keys keys = {{Model("m"), Concurrent(3)}, {Identity("i"), Concurrent(100)}};
  std::atomic<int> in_flight{0}, max_seen{0}, admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 3000; ++i) {
        auto r = *limiter_->TryAdmit(keys, 0);
        if (!r || !r->first.allowed) continue;
        int now = ++in_flight;
        int prev = max_seen.load();
        while (now > prev && !max_seen.compare_exchange_weak(prev, now)) {
        }
        ++admitted;
        --in_flight;
        (void)limiter_->Settle(r->second, 0);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(max_seen.load(), 3);
  EXPECT_GT(admitted.load(), 0);
  EXPECT_EQ(internal::SweepLocalBuckets(*limiter_), 0u);  // every slot came back
}

TEST(RedisUrlTest, Parses) {
  auto u = internal::ParseRedisUrl("redis://127.0.0.1:56379");
  ASSERT_TRUE(u) << u.status().ToString();
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 56379);
  EXPECT_EQ(u->db, 0);
  EXPECT_TRUE(u->password.empty());

  u = internal::ParseRedisUrl("redis://app:p%40ss%3Aw@redis.internal/2");
  ASSERT_TRUE(u) << u.status().ToString();
  EXPECT_EQ(u->host, "redis.internal");
  EXPECT_EQ(u->port, 6379);
  EXPECT_EQ(u->user, "app");
  EXPECT_EQ(u->password, "p@ss:w");
  EXPECT_EQ(u->db, 2);

  u = internal::ParseRedisUrl("redis://:secret@[::1]:7000/0");
  ASSERT_TRUE(u) << u.status().ToString();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 7000);
  EXPECT_EQ(u->user, "");
  EXPECT_EQ(u->password, "secret");

  u = internal::ParseRedisUrl("redis://secret@host");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->password, "secret");
}

TEST(RedisUrlTest, RejectsMalformed) {
  for (const char* bad :
       {"", "http://h", "rediss://h:6380", "redis://", "redis://:6379", "redis://h:", "redis://h:0",
        "redis://h:70000", "redis://h:12ab", "redis://h/x", "redis://h/-1", "redis://[::1",
        "redis://[::1]x", "redis://h?db=1", "redis://u:%zz@h", "redis://u:%4@h"}) {
    auto u = internal::ParseRedisUrl(bad);
    EXPECT_FALSE(u.has_value()) << bad;
    if (!u) {
      EXPECT_EQ(u.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

}  // namespace
}  // namespace rampart::gateway
