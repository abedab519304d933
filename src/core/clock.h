// An injectable clock. Code that reads the time takes a `const Clock&` so
// tests can move time by hand (FakeClock) instead of sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

namespace rampart {

class Clock {
 public:
  using SystemTime = std::chrono::system_clock::time_point;
  using SteadyTime = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  // Wall-clock time, for timestamps that leave the process.
  virtual SystemTime Now() const = 0;
  // Monotonic time, for durations, deadlines and rate limits.
  virtual SteadyTime SteadyNow() const = 0;

  // The process-wide real clock.
  static const Clock& Real();
};

class SystemClock final : public Clock {
 public:
  SystemTime Now() const override { return std::chrono::system_clock::now(); }
  SteadyTime SteadyNow() const override { return std::chrono::steady_clock::now(); }
};

// A clock that moves only when told. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(SystemTime start = SystemTime(std::chrono::seconds(1'700'000'000)))
      : wall_ns_(start.time_since_epoch().count()) {}

  SystemTime Now() const override { return SystemTime(SystemTime::duration(wall_ns_.load())); }
  SteadyTime SteadyNow() const override {
    return SteadyTime(std::chrono::nanoseconds(steady_ns_.load()));
  }
  void Advance(std::chrono::nanoseconds d) {
    wall_ns_ += std::chrono::duration_cast<SystemTime::duration>(d).count();
    steady_ns_ += d.count();
  }
  void SetNow(SystemTime t) { wall_ns_ = t.time_since_epoch().count(); }

 private:
  std::atomic<SystemTime::rep> wall_ns_;
  std::atomic<std::int64_t> steady_ns_{1'000'000'000};
};

// RFC 3339 UTC with the given number of fractional-second digits (0, 3, 6, 9):
// "2026-11-26T15:00:00Z", "2026-11-26T15:00:00.123Z".
std::string FormatRfc3339(Clock::SystemTime t, int fraction_digits = 0);
// Parses RFC 3339 (any offset, optional fraction) to UTC. Years outside
// 1678..2261 (what system_clock's int64 nanoseconds can hold) are refused.
bool ParseRfc3339(std::string_view s, Clock::SystemTime* out);

}  // namespace rampart
