#include "core/clock.h"

#include <gtest/gtest.h>

namespace rampart {
namespace {

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  FakeClock c;
  auto t0 = c.Now();
  auto s0 = c.SteadyNow();
  EXPECT_EQ(c.Now(), t0);
  c.Advance(std::chrono::seconds(5));
  EXPECT_EQ(c.Now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(c.SteadyNow() - s0, std::chrono::seconds(5));
}

TEST(ClockTest, Rfc3339RoundTrip) {
  Clock::SystemTime t;
  ASSERT_TRUE(ParseRfc3339("2026-11-26T15:00:00Z", &t));
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(),
            1795705200);
  EXPECT_EQ(FormatRfc3339(t), "2026-11-26T15:00:00Z");
  ASSERT_TRUE(ParseRfc3339("2026-11-26T16:30:00.250+01:30", &t));
  EXPECT_EQ(FormatRfc3339(t, 3), "2026-11-26T15:00:00.250Z");
  ASSERT_TRUE(ParseRfc3339("1970-01-01T00:00:00Z", &t));
  EXPECT_EQ(t.time_since_epoch().count(), 0);
  EXPECT_FALSE(ParseRfc3339("2026-11-26 15:00", &t));
  EXPECT_FALSE(ParseRfc3339("2026-13-26T15:00:00Z", &t));
  EXPECT_FALSE(ParseRfc3339("2026-11-26T15:00:00Zjunk", &t));
  // Beyond what int64 nanoseconds hold: refused, never overflowed.
  EXPECT_FALSE(ParseRfc3339("9999-12-31T23:59:59Z", &t));
  EXPECT_FALSE(ParseRfc3339("0001-01-01T00:00:00Z", &t));
  EXPECT_TRUE(ParseRfc3339("2261-12-31T23:59:59Z", &t));
}

}  // namespace
}  // namespace rampart
