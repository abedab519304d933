#include "gateway/rate_limit.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <boost/asio/awaitable.hpp>
#include <charconv>
#include <cmath>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rampart::gateway {
namespace internal {

std::string_view DimensionName(Dimension d) {
  switch (d) {
    case Dimension::kRequestsPerSecond:
      return "requests_per_second";
    case Dimension::kRequestsPerMinute:
      return "requests_per_minute";
    case Dimension::kConcurrency:
      return "concurrency";
    case Dimension::kTokensPerMinute:
      return "tokens_per_minute";
  }
  return "unknown";
}

namespace {
BucketParams MakeBucket(double per_window, double window_units, double capacity) {
  BucketParams b;
  if (!(per_window > 0) || !std::isfinite(per_window)) return b;
  b.interval = window_units / per_window;
  b.capacity = capacity;
  if (!(b.interval > 0) || !std::isfinite(b.interval)) return {};
  return b;
}
}  // namespace

BucketParams RequestsPerSecondBucket(const LimitSpec& s, double units_per_second) {
  double cap = s.burst > 0 ? s.burst : std::max(1.0, std::floor(s.requests_per_second));
  return MakeBucket(s.requests_per_second, units_per_second, cap);
}

BucketParams RequestsPerMinuteBucket(const LimitSpec& s, double units_per_second) {
  return MakeBucket(s.requests_per_minute, 60 * units_per_second,
                    std::max(1.0, std::floor(s.requests_per_minute)));
}

BucketParams TokensPerMinuteBucket(const LimitSpec& s, double units_per_second) {
  return MakeBucket(static_cast<double>(s.tokens_per_minute), 60 * units_per_second,
                    static_cast<double>(s.tokens_per_minute));
}

GcraStep Gcra(double tat, double now, const BucketParams& b, double cost) {
  GcraStep step;
  double base = std::max(tat, now);
  double need = std::min(cost, b.capacity);
  // Slack for floating-point error accumulated over many intervals, so the
  // last unit of a burst is not refused by a rounding residue.
  double slack = b.interval * 1e-6;
  double wait = base + need * b.interval - now - b.capacity * b.interval;
  if (wait > slack) {
    step.retry = wait;
    step.until_full = base - now;
    return step;
  }
  step.allowed = true;
  step.new_tat = base + cost * b.interval;
  double left = (b.capacity * b.interval - (step.new_tat - now)) / b.interval;
  step.remaining = std::clamp(std::floor(left + 1e-6), 0.0, b.capacity);
  step.until_full = step.new_tat - now;
  return step;
}

std::uint64_t LimitFor(Dimension d, const LimitSpec& s) {
  switch (d) {
    case Dimension::kRequestsPerSecond:
      return static_cast<std::uint64_t>(RequestsPerSecondBucket(s, 1).capacity);
    case Dimension::kRequestsPerMinute:
      return static_cast<std::uint64_t>(RequestsPerMinuteBucket(s, 1).capacity);
    case Dimension::kConcurrency:
      return s.max_concurrent;
    case Dimension::kTokensPerMinute:
      return s.tokens_per_minute;
  }
  return 0;
}

namespace {
void AppendNumber(std::uint64_t n, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), n);
  out->append(buf, end);
}
}  // namespace

void AppendPolicyFor(Dimension d, const LimitSpec& s, std::string* out) {
  std::uint64_t limit = LimitFor(d, s);
  switch (d) {
    case Dimension::kRequestsPerSecond: {
      // A bucket of `burst` that refills in burst/rps seconds.
      auto w =
          std::max<long long>(1, std::llround(static_cast<double>(limit) / s.requests_per_second));
      AppendNumber(limit, out);
      out->append(";w=");
      AppendNumber(static_cast<std::uint64_t>(w), out);
      return;
    }
    case Dimension::kRequestsPerMinute:
    case Dimension::kTokensPerMinute:
      AppendNumber(limit, out);
      out->append(";w=60");
      return;
    case Dimension::kConcurrency:
      AppendNumber(limit, out);
      out->append(";qu=\"concurrent-requests\"");
      return;
  }
}

std::string PolicyFor(Dimension d, const LimitSpec& s) {
  std::string out;
  AppendPolicyFor(d, s, &out);
  return out;
}

Decision Decide(const std::vector<DimensionOutcome>& outcomes) {
  Decision d;
  d.allowed = true;
  const DimensionOutcome* pick = nullptr;
  for (const auto& o : outcomes) {
    if (o.allowed) continue;
    d.allowed = false;
    if (pick == nullptr || o.retry_after > pick->retry_after) pick = &o;
  }
  if (d.allowed) {
    double best = 2;
    for (const auto& o : outcomes) {
      if (o.limit == 0) continue;
      double frac = static_cast<double>(o.remaining) / static_cast<double>(o.limit);
      if (frac < best) {
        best = frac;
        pick = &o;
      }
    }
  }
  if (pick == nullptr) return d;  // nothing limited
  if (!d.allowed) {
    d.reason = std::string(DimensionName(pick->dimension));
    d.retry_after = pick->retry_after;
  }
  d.limit = pick->limit;
  d.remaining = pick->remaining;
  d.reset = pick->reset;
  if (pick->spec != nullptr) {
    d.policy_dimension = pick->dimension;
    d.policy_spec = *pick->spec;
  }
  return d;
}

namespace {

using Keys = std::vector<std::pair<LimitKey, LimitSpec>>;

// Key vectors of settled reservations, kept with their elements so that a
// later Normalize assigns into strings that already have room. Bounded: a
// vector of many keys or long names is freed instead.
constexpr std::size_t kSpareKeys = 64;
constexpr std::size_t kSpareMaxKeys = 8;
constexpr std::size_t kSpareMaxName = 256;
struct SpareKeys {
  std::vector<Keys> spare;
  // A Reservation destroyed on this thread after its thread-locals (at
  // thread exit) frees its keys instead.
  static inline thread_local bool gone = false;
  ~SpareKeys() { gone = true; }
};
thread_local SpareKeys t_spare_keys;

}  // namespace

void GiveBackKeys(Keys& keys) {
  if (keys.capacity() == 0) return;  // moved from: nothing to keep
  if (keys.capacity() > kSpareMaxKeys || SpareKeys::gone ||
      t_spare_keys.spare.size() >= kSpareKeys) {
    Keys().swap(keys);
    return;
  }
  for (const auto& kv : keys) {
    if (kv.first.scope.capacity() > kSpareMaxName || kv.first.name.capacity() > kSpareMaxName) {
      Keys().swap(keys);
      return;
    }
  }
  t_spare_keys.spare.push_back(std::move(keys));
  keys.clear();
}

Keys Normalize(const Keys& keys) {
  Keys out;
  if (!SpareKeys::gone && !t_spare_keys.spare.empty()) {
    out.swap(t_spare_keys.spare.back());
    t_spare_keys.spare.pop_back();
  }
  // Assigned into the elements already there: their strings keep their room.
  std::size_t n = 0;
  for (const auto& kv : keys) {
    if (kv.second.empty()) continue;
    bool seen = std::any_of(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n),
                            [&](const auto& o) { return o.first == kv.first; });
    if (seen) continue;
    if (n == out.size()) {
      out.push_back(kv);
    } else {
      out[n] = kv;
    }
    ++n;
  }
  out.resize(n);
  return out;
}

}  // namespace internal

Reservation::~Reservation() { internal::GiveBackKeys(keys); }

void AppendPolicyText(const Decision& d, std::string* out) {
  if (d.policy_dimension) internal::AppendPolicyFor(*d.policy_dimension, d.policy_spec, out);
}

std::string PolicyText(const Decision& d) {
  std::string out;
  AppendPolicyText(d, &out);
  return out;
}

namespace {

using internal::BucketParams;
using internal::Dimension;
using internal::DimensionOutcome;

constexpr double kNanosPerSecond = 1e9;
constexpr std::size_t kShards = 16;
constexpr std::size_t kMinSweep = 1024;

std::chrono::milliseconds CeilMillis(double ns) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(ns / 1e6)));
}
std::chrono::seconds CeilSeconds(double ns) {
  return std::chrono::seconds(static_cast<std::int64_t>(std::ceil(std::max(0.0, ns) / 1e9)));
}

// GCRA state of one key, in steady-clock nanoseconds. A tat at or before now
// means a full bucket.
struct Bucket {
  double rps_tat = 0;
  double rpm_tat = 0;
  double tokens_tat = 0;
  std::uint32_t in_flight = 0;
  bool Idle(double now) const {
    return in_flight == 0 && rps_tat <= now && rpm_tat <= now && tokens_tat <= now;
  }
};

// A bucket's map key (scope, 0x1f, name) with its hash, computed once per
// call: the shard, the lock mask and the map lookup all use it.
struct KeyRef {
  std::string_view name;
  std::size_t hash = 0;
};
// The maps hash with std::hash<std::string_view> (what KeyRef::hash holds)
// and keep each node's hash (the call operator is not noexcept), so a lookup
// by KeyRef hashes nothing and a rehash hashes nothing either.
struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  std::size_t operator()(const KeyRef& k) const { return k.hash; }
};
struct KeyEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  bool operator()(const KeyRef& a, std::string_view b) const { return a.name == b; }
  bool operator()(std::string_view a, const KeyRef& b) const { return a == b.name; }
};

struct Shard {
  std::mutex mu;
  std::unordered_map<std::string, Bucket, KeyHash, KeyEq> buckets;
  std::size_t sweep_at = kMinSweep;
};

class LocalRateLimiter final : public RateLimiter {
 public:
  explicit LocalRateLimiter(std::shared_ptr<const Clock> clock) : clock_(std::move(clock)) {}

  std::optional<Admission> TryAdmit(const std::vector<std::pair<LimitKey, LimitSpec>>& keys,
                                    std::uint64_t estimated_tokens) override {
    return AdmitNow(keys, estimated_tokens);
  }

  // Unused by the gateway (TryAdmit always answers); for callers that only await.
  boost::asio::awaitable<Admission> Admit(const std::vector<std::pair<LimitKey, LimitSpec>>& keys,
                                          std::uint64_t estimated_tokens) override {
    co_return AdmitNow(keys, estimated_tokens);
  }

  Admission AdmitNow(const std::vector<std::pair<LimitKey, LimitSpec>>& keys,
                     std::uint64_t estimated_tokens) {
    Reservation r;
    r.keys = internal::Normalize(keys);
    r.reserved_tokens = estimated_tokens;
    if (r.keys.empty()) {
      Decision d;
      d.allowed = true;
      r.id = next_id_.fetch_add(1, std::memory_order_relaxed);
      return std::pair{std::move(d), std::move(r)};
    }

    // Per-thread scratch, reused: no allocation per decision once warm.
    Scratch& sc = ThreadScratch();
    std::span<const KeyRef> names = sc.Names(r.keys);
    Locks locks(this, names);
    const double now = Now();
    const double cost = static_cast<double>(estimated_tokens);

    std::vector<Scratch::Pending>& pending = sc.pending;
    std::vector<DimensionOutcome>& outcomes = sc.outcomes;
    pending.clear();
    outcomes.clear();
    for (std::size_t i = 0; i < r.keys.size(); ++i) {
      const LimitSpec& spec = r.keys[i].second;
      Bucket& b = FindOrAdd(names[i]);
      Bucket next = b;
      auto step = [&](Dimension dim, const BucketParams& p, double& tat, double c) {
        if (!p.enabled()) return;
        auto g = internal::Gcra(tat, now, p, c);
        DimensionOutcome o;
        o.dimension = dim;
        o.allowed = g.allowed;
        o.retry_after = g.allowed ? std::chrono::milliseconds(0) : CeilMillis(g.retry);
        o.limit = internal::LimitFor(dim, spec);
        o.remaining = static_cast<std::uint64_t>(g.remaining);
        o.reset = CeilSeconds(g.allowed ? g.until_full : g.retry);
        o.spec = &spec;
        outcomes.push_back(std::move(o));
        if (g.allowed) tat = g.new_tat;
      };
      step(Dimension::kRequestsPerSecond, internal::RequestsPerSecondBucket(spec, kNanosPerSecond),
           next.rps_tat, 1);
      step(Dimension::kRequestsPerMinute, internal::RequestsPerMinuteBucket(spec, kNanosPerSecond),
           next.rpm_tat, 1);
      step(Dimension::kTokensPerMinute, internal::TokensPerMinuteBucket(spec, kNanosPerSecond),
           next.tokens_tat, cost);
      if (spec.max_concurrent > 0) {
        DimensionOutcome o;
        o.dimension = Dimension::kConcurrency;
        o.allowed = b.in_flight < spec.max_concurrent;
        // No refill time exists for a slot; one second is a hint, not a promise.
        o.retry_after = o.allowed ? std::chrono::milliseconds(0) : std::chrono::seconds(1);
        o.limit = spec.max_concurrent;
        o.remaining = o.allowed ? spec.max_concurrent - b.in_flight - 1 : 0;
        o.spec = &spec;
        outcomes.push_back(std::move(o));
      }
      next.in_flight = b.in_flight + 1;
      pending.push_back({&b, next});
    }

    Decision d = internal::Decide(outcomes);
    // All or nothing: state changes only once every key has said yes.
    if (d.allowed) {
      for (auto& p : pending) *p.bucket = p.next;
      r.id = next_id_.fetch_add(1, std::memory_order_relaxed);
    } else {
      internal::GiveBackKeys(r.keys);
      r = Reservation{};
    }
    locks.ForEach([&](std::size_t s) { MaybeSweep(shards_[s], now); });
    return std::pair{std::move(d), std::move(r)};
  }

  Status Settle(const Reservation& r, std::uint64_t actual_tokens) override {
    if (r.keys.empty()) return OkStatus();
    std::span<const KeyRef> names = ThreadScratch().Names(r.keys);
    Locks locks(this, names);
    const double now = Now();
    // Positive: charge more than was reserved; negative: refund.
    const double delta =
        static_cast<double>(actual_tokens) - static_cast<double>(r.reserved_tokens);
    Status status;
    for (std::size_t i = 0; i < r.keys.size(); ++i) {
      auto& map = ShardOf(names[i]).buckets;
      auto it = map.find(names[i]);  // by KeyRef: no hashing
      if (it == map.end() || it->second.in_flight == 0) {
        status = InvalidArgumentError("reservation " + std::to_string(r.id) +
                                      " holds no slot for " + r.keys[i].first.scope + " '" +
                                      r.keys[i].first.name + "' (settled twice?)");
        continue;
      }
      Bucket& b = it->second;
      --b.in_flight;
      auto p = internal::TokensPerMinuteBucket(r.keys[i].second, kNanosPerSecond);
      if (!p.enabled() || delta == 0) continue;
      if (delta > 0) {
        b.tokens_tat = std::max(b.tokens_tat, now) + delta * p.interval;
      } else if (b.tokens_tat > now) {
        // A refund cannot fill the bucket beyond capacity.
        b.tokens_tat = std::max(b.tokens_tat + delta * p.interval, now);
      }
    }
    return status;
  }

 private:
  // Locks the shards of `names` in index order, so two requests that share
  // shards can never deadlock. A bit per shard: nothing allocated.
  class Locks {
   public:
    Locks(LocalRateLimiter* l, std::span<const KeyRef> names) : l_(l) {
      for (const KeyRef& n : names) mask_ |= 1u << (n.hash % kShards);
      ForEach([&](std::size_t s) { l_->shards_[s].mu.lock(); });
    }
    ~Locks() {
      ForEach([&](std::size_t s) { l_->shards_[s].mu.unlock(); });
    }
    Locks(const Locks&) = delete;
    Locks& operator=(const Locks&) = delete;
    template <class F>
    void ForEach(F f) const {  // in index order, the set bits only
      for (std::uint32_t m = mask_; m != 0; m &= m - 1) {
        f(static_cast<std::size_t>(std::countr_zero(m)));
      }
    }

   private:
    LocalRateLimiter* l_;
    std::uint32_t mask_ = 0;
  };
  static_assert(kShards <= 32);

  // What one decision needs, kept per thread so that its capacity is reused.
  struct Scratch {
    struct Pending {
      Bucket* bucket;
      Bucket next;
    };
    std::vector<std::string> names;
    std::vector<KeyRef> refs;
    std::vector<Pending> pending;
    std::vector<DimensionOutcome> outcomes;
    // The map key of each of `keys` (scope, 0x1f, name), in names' reused
    // strings, and its hash: one hash per key per call.
    std::span<const KeyRef> Names(const std::vector<std::pair<LimitKey, LimitSpec>>& keys) {
      if (names.size() < keys.size()) names.resize(keys.size());
      refs.clear();
      for (std::size_t i = 0; i < keys.size(); ++i) {
        std::string& s = names[i];
        const LimitKey& k = keys[i].first;
        s.assign(k.scope);
        s += '\x1f';  // cannot occur in a scope; keeps (scope, name) pairs distinct
        s += k.name;
        refs.push_back({s, KeyHash{}(s)});
      }
      return refs;
    }
  };
  static Scratch& ThreadScratch() {
    thread_local Scratch s;
    return s;
  }

  Shard& ShardOf(const KeyRef& k) { return shards_[k.hash % kShards]; }
  // The bucket of `k` (a new, full one if it has none). Its shard is locked.
  Bucket& FindOrAdd(const KeyRef& k) {
    auto& map = ShardOf(k).buckets;
    auto it = map.find(k);
    if (it == map.end()) it = map.emplace(std::string(k.name), Bucket{}).first;
    return it->second;
  }
  double Now() const {
    return static_cast<double>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(clock_->SteadyNow().time_since_epoch())
            .count());
  }
  // Amortised O(1): a sweep runs when a shard has doubled since the last one.
  static void MaybeSweep(Shard& s, double now) {
    if (s.buckets.size() < s.sweep_at) return;
    std::erase_if(s.buckets, [now](const auto& kv) { return kv.second.Idle(now); });
    s.sweep_at = std::max(kMinSweep, 2 * s.buckets.size());
  }

  std::shared_ptr<const Clock> clock_;
  std::atomic<std::uint64_t> next_id_{1};
  Shard shards_[kShards];

 public:
  // For tests: buckets held across shards after a forced sweep.
  std::size_t SweepAndCount() {
    const double now = Now();
    std::size_t n = 0;
    for (auto& s : shards_) {
      std::lock_guard lock(s.mu);
      std::erase_if(s.buckets, [now](const auto& kv) { return kv.second.Idle(now); });
      n += s.buckets.size();
    }
    return n;
  }
};

}  // namespace

std::size_t internal::SweepLocalBuckets(RateLimiter& local_limiter) {
  return dynamic_cast<LocalRateLimiter&>(local_limiter).SweepAndCount();
}

std::unique_ptr<RateLimiter> MakeLocalRateLimiter(std::shared_ptr<const Clock> clock) {
  return std::make_unique<LocalRateLimiter>(std::move(clock));
}

}  // namespace rampart::gateway
