#include "gateway/redis_rate_limit.h"

#include <hiredis/hiredis.h>
#include <openssl/evp.h>

#include <atomic>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <random>

namespace rampart::gateway {
namespace internal {

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return InvalidArgumentError("redis URL: truncated %-escape");
    int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return InvalidArgumentError("redis URL: bad %-escape");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

Result<int> ParseNumber(std::string_view s, int max, std::string_view what) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < 0 || v > max) {
    return InvalidArgumentError("redis URL: bad " + std::string(what) + " '" + std::string(s) +
                                "'");
  }
  return v;
}
}  // namespace

Result<RedisUrl> ParseRedisUrl(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.starts_with("rediss://")) {
    return InvalidArgumentError("redis URL: TLS (rediss://) is not supported; use redis://");
  }
  if (!url.starts_with(kScheme)) {
    return InvalidArgumentError("redis URL must start with redis://, got '" + std::string(url) +
                                "'");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return InvalidArgumentError("redis URL: query and fragment are not supported");
  }
  RedisUrl out;
  std::string_view authority = rest.substr(0, rest.find('/'));
  std::string_view path =
      rest.size() > authority.size() ? rest.substr(authority.size() + 1) : std::string_view();
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    std::size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      // "redis://secret@host": a lone userinfo is the password, as redis-cli reads it.
      RAMPART_ASSIGN_OR_RETURN(out.password, PercentDecode(userinfo));
    } else {
      RAMPART_ASSIGN_OR_RETURN(out.user, PercentDecode(userinfo.substr(0, colon)));
      RAMPART_ASSIGN_OR_RETURN(out.password, PercentDecode(userinfo.substr(colon + 1)));
    }
  }
  std::string_view port;
  if (authority.starts_with('[')) {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgumentError("redis URL: unclosed '['");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return InvalidArgumentError("redis URL: junk after ']'");
      port = after.substr(1);
      if (port.empty()) return InvalidArgumentError("redis URL: empty port");
    }
  } else {
    std::size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return InvalidArgumentError("redis URL: empty port");
    }
  }
  if (out.host.empty()) return InvalidArgumentError("redis URL: missing host");
  if (!port.empty()) {
    RAMPART_ASSIGN_OR_RETURN(out.port, ParseNumber(port, 65535, "port"));
    if (out.port == 0) return InvalidArgumentError("redis URL: port 0");
  }
  if (!path.empty()) {
    RAMPART_ASSIGN_OR_RETURN(out.db, ParseNumber(path, 1 << 20, "database"));
  }
  return out;
}

}  // namespace internal

namespace {

using internal::Dimension;
using internal::DimensionOutcome;

constexpr double kMicrosPerSecond = 1e6;

// Admit. KEYS: per limit key, its bucket hash and its slot ZSET.
// ARGV: key count, token estimate, reservation id, slot ttl (us), then per
// key 7 numbers: rps interval, rps capacity, rpm interval, rpm capacity,
// max concurrent, tokens interval, tokens capacity (interval 0 = off).
// Returns {allowed, then per dimension checked: key index, dimension, ok,
// retry (us), remaining, until full (us)}. Writes happen only if every
// dimension of every key allows (all or nothing; a script runs atomically).
// Times are Redis server time in microseconds. Numbers are written with
// %.17g because Lua's default number formatting keeps only 14 digits.
constexpr std::string_view kAdmitScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local id = ARGV[3]
local ttl = tonumber(ARGV[4])
local function fmt(x) return string.format('%.17g', x) end
local out = {1}
local writes = {}
local allowed = 1
local fields = {'r', 'm', 't'}
for i = 0, n - 1 do
  local a = 5 + 7 * i
  local w = {hk = KEYS[2 * i + 1], zk = KEYS[2 * i + 2], set = {}, slot = false}
  local tats = redis.call('HMGET', w.hk, 'r', 'm', 't')
  local life = 0
  for f = 1, 3 do
    local old = tonumber(tats[f]) or 0
    if old - now > life then life = old - now end
  end
  local dims = {{0, a, 1, 1}, {1, a + 2, 2, 1}, {3, a + 5, 3, cost}}
  for _, d in ipairs(dims) do
    local iv = tonumber(ARGV[d[2]])
    if iv > 0 then
      local cap = tonumber(ARGV[d[2] + 1])
      local tat = tonumber(tats[d[3]]) or 0
      local base = math.max(tat, now)
      local need = math.min(d[4], cap)
      local wait = base + need * iv - now - cap * iv
      if wait > iv * 1e-6 then
        allowed = 0
        out[#out + 1] = i; out[#out + 1] = d[1]; out[#out + 1] = 0
        out[#out + 1] = math.ceil(wait); out[#out + 1] = 0; out[#out + 1] = math.ceil(base - now)
      else
        local nt = base + d[4] * iv
        local left = math.floor((cap * iv - (nt - now)) / iv + 1e-6)
        if left < 0 then left = 0 end
        if left > cap then left = cap end
        if nt - now > life then life = nt - now end
        w.set[#w.set + 1] = fields[d[3]]; w.set[#w.set + 1] = fmt(nt)
        out[#out + 1] = i; out[#out + 1] = d[1]; out[#out + 1] = 1
        out[#out + 1] = 0; out[#out + 1] = left; out[#out + 1] = math.ceil(nt - now)
      end
    end
  end
  w.life = life
  local maxc = tonumber(ARGV[a + 4])
  if maxc > 0 then
    redis.call('ZREMRANGEBYSCORE', w.zk, '-inf', fmt(now))
    local used = redis.call('ZCARD', w.zk)
    out[#out + 1] = i; out[#out + 1] = 2
    if used < maxc then
      w.slot = true
      out[#out + 1] = 1; out[#out + 1] = 0; out[#out + 1] = maxc - used - 1; out[#out + 1] = 0
    else
      allowed = 0
      out[#out + 1] = 0; out[#out + 1] = 1000000; out[#out + 1] = 0; out[#out + 1] = 0
    end
  end
  writes[#writes + 1] = w
end
if allowed == 1 then
  for _, w in ipairs(writes) do
    if #w.set > 0 then
      redis.call('HSET', w.hk, unpack(w.set))
      redis.call('PEXPIRE', w.hk, math.ceil(w.life / 1000) + 1000)
    end
    if w.slot then
      redis.call('ZADD', w.zk, fmt(now + ttl), id)
      redis.call('PEXPIRE', w.zk, math.ceil(ttl / 1000) + 1000)
    end
  end
end
out[1] = allowed
return out
)lua";

// Settle. KEYS as for Admit. ARGV: key count, reservation id, token delta
// (actual - reserved; negative = refund), then per key the tokens interval
// and capacity. Returns how many slots were released.
constexpr std::string_view kSettleScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = tonumber(ARGV[1])
local id = ARGV[2]
local delta = tonumber(ARGV[3])
local released = 0
for i = 0, n - 1 do
  local hk = KEYS[2 * i + 1]
  released = released + redis.call('ZREM', KEYS[2 * i + 2], id)
  local iv = tonumber(ARGV[4 + 2 * i])
  if iv > 0 and delta ~= 0 then
    local tat = tonumber(redis.call('HGET', hk, 't')) or 0
    local changed = true
    if delta > 0 then
      tat = math.max(tat, now) + delta * iv
    elseif tat > now then
      tat = math.max(tat + delta * iv, now)
    else
      changed = false
    end
    if changed then
      redis.call('HSET', hk, 't', string.format('%.17g', tat))
      local want = math.ceil((tat - now) / 1000) + 1000
      if redis.call('PTTL', hk) < want then redis.call('PEXPIRE', hk, want) end
    end
  end
end
return released
)lua";

std::string Sha1Hex(std::string_view s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), md, &len, EVP_sha1(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

std::string Num(double v) {
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

struct ReplyDeleter {
  void operator()(redisReply* r) const {
    if (r != nullptr) freeReplyObject(r);
  }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
  void operator()(redisContext* c) const {
    if (c != nullptr) redisFree(c);
  }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

timeval ToTimeval(std::chrono::milliseconds d) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

// A bounded set of synchronous connections. A connection that saw an I/O
// error is dropped (hiredis cannot reuse it) and replaced on demand.
class Pool {
 public:
  Pool(internal::RedisUrl url, std::chrono::milliseconds timeout, std::size_t size)
      : url_(std::move(url)), timeout_(timeout), size_(std::max<std::size_t>(size, 1)) {}

  Result<Context> Acquire() {
    std::unique_lock lock(mu_);
    auto deadline = std::chrono::steady_clock::now() + timeout_;
    while (idle_.empty() && open_ >= size_) {
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
          open_ >= size_) {
        return UnavailableError("redis: no free connection within " +
                                std::to_string(timeout_.count()) + " ms");
      }
    }
    if (!idle_.empty()) {
      Context c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    ++open_;
    lock.unlock();
    auto c = Connect();
    if (!c) {
      lock.lock();
      --open_;
      cv_.notify_one();
    }
    return c;
  }

  void Release(Context c, bool broken) {
    std::lock_guard lock(mu_);
    if (broken || c == nullptr || c->err != 0) {
      --open_;  // c is freed on return
    } else {
      idle_.push_back(std::move(c));
    }
    cv_.notify_one();
  }

  Result<Context> Connect() {
    timeval tv = ToTimeval(timeout_);
    Context c(redisConnectWithTimeout(url_.host.c_str(), url_.port, tv));
    std::string where = url_.host + ":" + std::to_string(url_.port);
    if (c == nullptr) return UnavailableError("redis " + where + ": cannot allocate a context");
    if (c->err != 0) return UnavailableError("redis " + where + ": " + c->errstr);
    redisSetTimeout(c.get(), tv);
    if (!url_.password.empty()) {
      Reply r(static_cast<redisReply*>(
          url_.user.empty()
              ? redisCommand(c.get(), "AUTH %b", url_.password.data(), url_.password.size())
              : redisCommand(c.get(), "AUTH %b %b", url_.user.data(), url_.user.size(),
                             url_.password.data(), url_.password.size())));
      if (r == nullptr) return UnavailableError("redis " + where + ": " + c->errstr);
      if (r->type == REDIS_REPLY_ERROR) {
        return UnauthenticatedError("redis " + where +
                                    ": AUTH failed: " + std::string(r->str, r->len));
      }
    }
    if (url_.db != 0) {
      Reply r(static_cast<redisReply*>(redisCommand(c.get(), "SELECT %d", url_.db)));
      if (r == nullptr) return UnavailableError("redis " + where + ": " + c->errstr);
      if (r->type == REDIS_REPLY_ERROR) {
        return InvalidArgumentError("redis " + where + ": SELECT " + std::to_string(url_.db) +
                                    ": " + std::string(r->str, r->len));
      }
    }
    return c;
  }

 private:
  const internal::RedisUrl url_;
  const std::chrono::milliseconds timeout_;
  const std::size_t size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Context> idle_;
  std::size_t open_ = 0;
};

struct Script {
  std::string_view text;
  std::string sha;
};

class RedisRateLimiter final : public RateLimiter {
 public:
  RedisRateLimiter(RedisLimiterOptions o, internal::RedisUrl url)
      : options_(std::move(o)), pool_(std::move(url), options_.timeout, options_.connections) {
    std::random_device rd;
    id_base_ = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }

  Pool& pool() { return pool_; }

  Result<std::pair<Decision, Reservation>> Admit(
      const std::vector<std::pair<LimitKey, LimitSpec>>& keys,
      std::uint64_t estimated_tokens) override {
    Reservation r;
    r.keys = internal::Normalize(keys);
    r.reserved_tokens = estimated_tokens;
    r.id = id_base_ + counter_.fetch_add(1, std::memory_order_relaxed);
    if (r.id == 0) r.id = 1;
    if (r.keys.empty()) {
      Decision d;
      d.allowed = true;
      return std::pair{std::move(d), std::move(r)};
    }
    std::vector<std::string> args = {std::to_string(r.keys.size()),
                                     std::to_string(estimated_tokens), std::to_string(r.id),
                                     std::to_string(options_.slot_ttl.count() * 1'000'000LL)};
    for (const auto& [key, spec] : r.keys) {
      auto rps = internal::RequestsPerSecondBucket(spec, kMicrosPerSecond);
      auto rpm = internal::RequestsPerMinuteBucket(spec, kMicrosPerSecond);
      auto tok = internal::TokensPerMinuteBucket(spec, kMicrosPerSecond);
      for (double v : {rps.interval, rps.capacity, rpm.interval, rpm.capacity,
                       static_cast<double>(spec.max_concurrent), tok.interval, tok.capacity}) {
        args.push_back(Num(v));
      }
    }
    auto reply = Eval(admit_, KeysOf(r.keys), args);
    if (!reply) {
      if (!options_.fail_open) return reply.status();
      Decision d;
      d.allowed = true;
      d.reason = "fail_open";
      r.keys.clear();  // nothing was reserved, so Settle must not refund
      return std::pair{std::move(d), std::move(r)};
    }
    const redisReply* a = reply->get();
    auto bad = [] { return InternalError("redis: unexpected reply from the admit script"); };
    if (a->type != REDIS_REPLY_ARRAY || a->elements < 1 || (a->elements - 1) % 6 != 0) {
      return bad();
    }
    for (std::size_t i = 0; i < a->elements; ++i) {
      if (a->element[i]->type != REDIS_REPLY_INTEGER) return bad();
    }
    auto at = [&](std::size_t i) { return a->element[i]->integer; };
    std::vector<DimensionOutcome> outcomes;
    for (std::size_t i = 1; i + 6 <= a->elements; i += 6) {
      long long key = at(i), dim = at(i + 1);
      if (key < 0 || static_cast<std::size_t>(key) >= r.keys.size() || dim < 0 || dim > 3) {
        return bad();
      }
      const LimitSpec& spec = r.keys[key].second;
      DimensionOutcome o;
      o.dimension = static_cast<Dimension>(dim);
      o.allowed = at(i + 2) == 1;
      o.retry_after = std::chrono::milliseconds((std::max(0LL, at(i + 3)) + 999) / 1000);
      o.limit = internal::LimitFor(o.dimension, spec);
      o.remaining = static_cast<std::uint64_t>(std::max(0LL, at(i + 4)));
      long long reset_us = o.allowed ? at(i + 5) : std::max(at(i + 5), at(i + 3));
      o.reset = std::chrono::seconds((std::max(0LL, reset_us) + 999'999) / 1'000'000);
      o.spec = &spec;
      outcomes.push_back(std::move(o));
    }
    Decision d = internal::Decide(outcomes);
    if (d.allowed != (at(0) == 1)) return bad();
    if (!d.allowed) r = Reservation{};
    return std::pair{std::move(d), std::move(r)};
  }

  Status Settle(const Reservation& r, std::uint64_t actual_tokens) override {
    if (r.keys.empty()) return OkStatus();
    double delta = static_cast<double>(actual_tokens) - static_cast<double>(r.reserved_tokens);
    std::vector<std::string> args = {std::to_string(r.keys.size()), std::to_string(r.id),
                                     Num(delta)};
    for (const auto& [key, spec] : r.keys) {
      auto tok = internal::TokensPerMinuteBucket(spec, kMicrosPerSecond);
      args.push_back(Num(tok.interval));
      args.push_back(Num(tok.capacity));
    }
    auto reply = Eval(settle_, KeysOf(r.keys), args);
    return reply.status();
  }

 private:
  std::vector<std::string> KeysOf(const std::vector<std::pair<LimitKey, LimitSpec>>& keys) const {
    std::vector<std::string> out;
    out.reserve(2 * keys.size());
    for (const auto& [key, spec] : keys) {
      std::string suffix = key.scope + ":" + key.name;
      out.push_back(options_.key_prefix + "b:" + suffix);
      out.push_back(options_.key_prefix + "c:" + suffix);
    }
    return out;
  }

  // EVALSHA, and on NOSCRIPT (a restarted or flushed server) SCRIPT LOAD
  // and one retry.
  Result<Reply> Eval(const Script& script, const std::vector<std::string>& keys,
                     const std::vector<std::string>& args) {
    RAMPART_ASSIGN_OR_RETURN(Context c, pool_.Acquire());
    std::string numkeys = std::to_string(keys.size());
    std::vector<const char*> argv = {"EVALSHA", script.sha.data(), numkeys.data()};
    std::vector<std::size_t> lens = {7, script.sha.size(), numkeys.size()};
    for (const auto* v : {&keys, &args}) {
      for (const auto& s : *v) {
        argv.push_back(s.data());
        lens.push_back(s.size());
      }
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
      Reply reply(static_cast<redisReply*>(
          redisCommandArgv(c.get(), static_cast<int>(argv.size()), argv.data(), lens.data())));
      if (reply == nullptr) {
        std::string err = c->errstr;
        pool_.Release(std::move(c), true);
        return UnavailableError("redis: " + err);
      }
      if (reply->type == REDIS_REPLY_ERROR) {
        std::string err(reply->str, reply->len);
        if (attempt == 0 && err.starts_with("NOSCRIPT")) {
          Reply load(static_cast<redisReply*>(
              redisCommand(c.get(), "SCRIPT LOAD %b", script.text.data(), script.text.size())));
          if (load == nullptr) {
            std::string lerr = c->errstr;
            pool_.Release(std::move(c), true);
            return UnavailableError("redis: SCRIPT LOAD: " + lerr);
          }
          if (load->type == REDIS_REPLY_ERROR) {
            pool_.Release(std::move(c), false);
            return InternalError("redis: SCRIPT LOAD: " + std::string(load->str, load->len));
          }
          continue;
        }
        pool_.Release(std::move(c), false);
        return UnavailableError("redis: " + err);
      }
      pool_.Release(std::move(c), false);
      return reply;
    }
    pool_.Release(std::move(c), false);
    return InternalError("redis: script still missing after SCRIPT LOAD");
  }

  RedisLimiterOptions options_;
  Pool pool_;
  Script admit_{kAdmitScript, Sha1Hex(kAdmitScript)};
  Script settle_{kSettleScript, Sha1Hex(kSettleScript)};
  std::uint64_t id_base_ = 0;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace

Result<std::unique_ptr<RateLimiter>> MakeRedisRateLimiter(RedisLimiterOptions options) {
  RAMPART_ASSIGN_OR_RETURN(internal::RedisUrl url, internal::ParseRedisUrl(options.url));
  if (options.timeout <= std::chrono::milliseconds(0)) {
    return InvalidArgumentError("redis limiter: timeout must be positive");
  }
  if (options.slot_ttl <= std::chrono::seconds(0)) {
    return InvalidArgumentError("redis limiter: slot_ttl must be positive");
  }
  bool fail_open = options.fail_open;
  auto limiter = std::make_unique<RedisRateLimiter>(std::move(options), std::move(url));
  // A probe connection, closed again: the pool opens its own on demand.
  auto c = limiter->pool().Connect();
  if (!c && (!fail_open || c.error().code() != StatusCode::kUnavailable)) {
    // Wrong credentials or database are configuration errors even when
    // failing open; an unreachable server is tolerated only when failing open.
    return c.status();
  }
  return std::unique_ptr<RateLimiter>(std::move(limiter));
}

}  // namespace rampart::gateway
