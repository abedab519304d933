// Rate limits for the gateway: token buckets per identity and per model for
// requests per second/minute, concurrent requests in flight, and LLM tokens
// per minute with reservation (reserve an estimate at admission, settle with
// the response's usage, refund or debit the difference).
//
// Admit checks every key atomically (all or nothing). No call blocks the
// calling thread: a limiter that decides in memory answers TryAdmit at once;
// one that asks a server (Redis) is awaited on the caller's io_context.
// Thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace rampart::gateway {

struct LimitSpec {  // a field of 0 = unlimited
  double requests_per_second = 0;
  std::uint32_t burst = 0;  // 0 => max(1, requests_per_second)
  double requests_per_minute = 0;
  std::uint32_t max_concurrent = 0;
  std::uint64_t tokens_per_minute = 0;
  bool empty() const {
    return requests_per_second == 0 && requests_per_minute == 0 && max_concurrent == 0 &&
           tokens_per_minute == 0;
  }
};

struct LimitKey {
  std::string scope;  // "identity" | "model"
  std::string name;
  bool operator==(const LimitKey&) const = default;
};

namespace internal {
enum class Dimension { kRequestsPerSecond, kRequestsPerMinute, kConcurrency, kTokensPerMinute };
}  // namespace internal

struct Decision {
  bool allowed = false;
  std::string
      reason;  // "requests_per_second", "requests_per_minute", "concurrency", "tokens_per_minute"
  std::chrono::milliseconds retry_after{0};
  // RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) for the tightest policy.
  std::uint64_t limit = 0;
  std::uint64_t remaining = 0;
  std::chrono::seconds reset{0};
  // What the RateLimit-Policy value describes (PolicyText renders it, e.g.
  // "100;w=60"): the reported dimension and its key's spec; none when
  // nothing is limited. Kept as data, not text, so that a decision costs no
  // string (the concurrency policy is past the small-string buffer).
  std::optional<internal::Dimension> policy_dimension;
  LimitSpec policy_spec;
};

// The RateLimit-Policy value of `d`, "" when it has none; or appended to *out.
std::string PolicyText(const Decision& d);
void AppendPolicyText(const Decision& d, std::string* out);

// An admitted request's hold on its limits; settled exactly once.
struct Reservation {
  Reservation() = default;
  Reservation(const Reservation&) = default;
  Reservation(Reservation&&) noexcept = default;
  Reservation& operator=(const Reservation&) = default;
  Reservation& operator=(Reservation&&) noexcept = default;
  // Gives the keys' storage to the thread's spares, which Normalize takes:
  // once warm, a reservation per request allocates nothing.
  ~Reservation();

  std::uint64_t id = 0;
  std::vector<std::pair<LimitKey, LimitSpec>> keys;
  std::uint64_t reserved_tokens = 0;
  // The limiter's own handle on where the reservation was made (the Redis
  // limiter: the connection of the io_context that admitted it), so Settle
  // needs no I/O context of its own. Opaque to callers; null for the local
  // limiter.
  std::weak_ptr<void> origin;
};

// A decision and, when allowed, the reservation to settle. An error (not a
// deny) means the limiter could not decide (Unavailable: server down, or no
// answer within the limiter's deadline).
using Admission = Result<std::pair<Decision, Reservation>>;

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // The decision when it can be made without waiting for I/O, else nullopt
  // (then co_await Admit). The local limiter always answers here, so the
  // gateway's hot path creates no coroutine frame for it. On allow the
  // reservation holds one concurrency slot per key and the reserved tokens.
  virtual std::optional<Admission> TryAdmit(const std::vector<std::pair<LimitKey, LimitSpec>>& keys,
                                            std::uint64_t estimated_tokens) = 0;
  // The decision, awaited on the calling coroutine's executor, which must be
  // an io_context's; the thread is never blocked. Completes within the
  // limiter's deadline. REQUIRES: `keys` outlives the co_await.
  virtual boost::asio::awaitable<Admission> Admit(
      const std::vector<std::pair<LimitKey, LimitSpec>>& keys, std::uint64_t estimated_tokens) = 0;
  // Releases concurrency and charges `actual_tokens` instead of the estimate.
  // Without usage from the upstream, pass r.reserved_tokens. Never blocks: a
  // limiter backed by a server queues the settlement (it reaches the server
  // before any later decision made on the same io_context) and returns OK;
  // what goes wrong after that is the limiter's to log and retry.
  virtual Status Settle(const Reservation& r, std::uint64_t actual_tokens) = 0;
};

// The in-process limiter. Algorithm: GCRA (a token bucket kept as one
// "theoretical arrival time" per dimension) for requests/s (capacity = burst),
// requests/min (capacity = the per-minute count, refilled continuously) and
// tokens/min (capacity = the per-minute count; the estimate is debited at
// Admit and corrected at Settle, so the bucket may go negative: an
// under-estimate becomes a debt that later requests wait out). Concurrency is
// a counter per key. A request whose estimate exceeds the whole per-minute
// budget is admitted once the bucket is full (it then goes into debt) rather
// than refused forever. Buckets that are full and have nothing in flight are
// indistinguishable from new ones and are evicted, so memory tracks only the
// keys that are actually limited right now.
std::unique_ptr<RateLimiter> MakeLocalRateLimiter(std::shared_ptr<const Clock> clock);

// Shared by the local and the Redis limiter: how a LimitSpec maps to buckets
// and how per-dimension outcomes become one Decision.
namespace internal {

std::string_view DimensionName(Dimension d);  // the Decision::reason strings

// A GCRA bucket's parameters: one unit refills every `interval` time units;
// at most `capacity` units are stored.
struct BucketParams {
  double interval = 0;  // in the caller's time unit (ns locally, us in Redis)
  double capacity = 0;
  bool enabled() const { return interval > 0; }
};
BucketParams RequestsPerSecondBucket(const LimitSpec& s, double units_per_second);
BucketParams RequestsPerMinuteBucket(const LimitSpec& s, double units_per_second);
BucketParams TokensPerMinuteBucket(const LimitSpec& s, double units_per_second);

// One GCRA step at `now` for `cost` units against `tat` (theoretical arrival
// time). A cost above capacity waits for a full bucket, then debits in full.
struct GcraStep {
  bool allowed = false;
  double new_tat = 0;    // valid when allowed
  double retry = 0;      // time units until it would be allowed (when denied)
  double remaining = 0;  // units left after this step (0 when denied)
  double until_full = 0;
};
GcraStep Gcra(double tat, double now, const BucketParams& b, double cost);

// The outcome of one dimension of one key.
struct DimensionOutcome {
  Dimension dimension{};
  bool allowed = true;
  std::chrono::milliseconds retry_after{0};
  std::uint64_t limit = 0;
  std::uint64_t remaining = 0;
  std::chrono::seconds reset{0};
  const LimitSpec* spec = nullptr;  // the policy string is made only for the one reported
};
// Policy value ("10;w=1", "600;w=60") and limit of one dimension of a spec.
std::string PolicyFor(Dimension d, const LimitSpec& s);
void AppendPolicyFor(Dimension d, const LimitSpec& s, std::string* out);
std::uint64_t LimitFor(Dimension d, const LimitSpec& s);
// Denied if any outcome is: reason and retry_after from the denial with the
// longest wait. RateLimit fields from that denial, or when allowed from the
// tightest policy (least remaining as a fraction of its limit).
Decision Decide(const std::vector<DimensionOutcome>& outcomes);
// Drops keys with an empty spec and repeated keys (the first spec wins).
// The result's storage, and its keys' strings, come from the thread's spares
// when it has some (see ~Reservation).
std::vector<std::pair<LimitKey, LimitSpec>> Normalize(
    const std::vector<std::pair<LimitKey, LimitSpec>>& keys);
// Keeps `keys`' storage (at most kSpareKeys vectors per thread, each of at
// most 8 keys of short names) for a later Normalize; leaves it empty.
void GiveBackKeys(std::vector<std::pair<LimitKey, LimitSpec>>& keys);

// Evicts the idle buckets of a limiter made by MakeLocalRateLimiter and
// returns how many buckets remain (for tests of the memory bound).
std::size_t SweepLocalBuckets(RateLimiter& local_limiter);

}  // namespace internal

}  // namespace rampart::gateway
