#include "gateway/redis_rate_limit.h"

#include <hiredis/hiredis.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <cmath>
#include <deque>
#include <functional>
#include <map>
#include <random>
#include <unordered_map>

#include "core/ascii.h"
#include "core/url.h"
#include "gateway/redis_connection.h"

namespace rampart::gateway {
namespace internal {

namespace {
Result<std::string> PercentDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return InvalidArgumentError("redis URL: truncated %-escape");
    int hi = HexDigitValue(s[i + 1]), lo = HexDigitValue(s[i + 2]);
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
    return InvalidArgumentError("redis URL must start with redis://, got '" + RedactUrl(url) + "'");
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

namespace asio = boost::asio;
using internal::Dimension;
using internal::DimensionOutcome;
using Steady = std::chrono::steady_clock;
using Keys = std::vector<std::pair<LimitKey, LimitSpec>>;

constexpr double kMicrosPerSecond = 1e6;

// Admit. KEYS: the reservation key, then per limit key its bucket hash and
// its slot ZSET. ARGV: key count, token estimate, reservation id, slot ttl
// (us), hold (1: the reservation holds a slot or tokens), then per key 7
// numbers: rps interval, rps capacity, rpm interval, rpm capacity, max
// concurrent, tokens interval, tokens capacity (interval 0 = off).
// Returns {allowed, then per dimension checked: key index, dimension, ok,
// retry (us), remaining, until full (us)}, or {-1} when the reservation was
// released before this ran (its deadline passed; nothing is written).
// Writes happen only if every dimension of every key allows (all or
// nothing; a script runs atomically). Times are Redis server time in
// microseconds. Numbers are written with %.17g because Lua's default number
// formatting keeps only 14 digits.
constexpr std::string_view kAdmitScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local id = ARGV[3]
local ttl = tonumber(ARGV[4])
local hold = ARGV[5] == '1'
if hold and redis.call('EXISTS', KEYS[1]) == 1 then return {-1} end
local function fmt(x) return string.format('%.17g', x) end
local out = {1}
local writes = {}
local allowed = 1
local fields = {'r', 'm', 't'}
for i = 0, n - 1 do
  local a = 6 + 7 * i
  local w = {hk = KEYS[2 * i + 2], zk = KEYS[2 * i + 3], set = {}, slot = false}
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
  if hold then redis.call('SET', KEYS[1], 'held', 'PX', math.ceil(ttl / 1000) + 1000) end
end
out[1] = allowed
return out
)lua";

// Settle, and release after a missed deadline. KEYS as for Admit. ARGV: key
// count, reservation id, token delta (actual - reserved; negative =
// refund), tombstone (ms; 0 for a settlement), then per key the tokens
// interval and capacity. Acts only on a reservation still "held", and
// deletes that mark: running it twice changes nothing the second time.
// When the admit has not run yet, a release marks the id "released" so the
// admit reserves nothing when it arrives. Returns how many slots were
// released, or -1 when nothing was held.
constexpr std::string_view kSettleScript = R"lua(
local state = redis.call('GET', KEYS[1])
if state ~= 'held' then
  local tomb = tonumber(ARGV[4])
  if not state and tomb > 0 then redis.call('SET', KEYS[1], 'released', 'PX', tomb) end
  return -1
end
redis.call('DEL', KEYS[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = tonumber(ARGV[1])
local id = ARGV[2]
local delta = tonumber(ARGV[3])
local released = 0
for i = 0, n - 1 do
  local hk = KEYS[2 * i + 2]
  released = released + redis.call('ZREM', KEYS[2 * i + 3], id)
  local iv = tonumber(ARGV[5 + 2 * i])
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

const std::string& AdmitSha() {
  static const std::string sha = Sha1Hex(kAdmitScript);
  return sha;
}
const std::string& SettleSha() {
  static const std::string sha = Sha1Hex(kSettleScript);
  return sha;
}

std::string Num(double v) {
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

// EVALSHA <sha> <numkeys> <reservation key> (<bucket hash> <slot zset>)...
std::vector<std::string> ScriptCommand(const std::string& sha, std::string_view prefix,
                                       const Reservation& r, std::size_t extra_args) {
  std::vector<std::string> argv;
  argv.reserve(3 + 1 + 2 * r.keys.size() + extra_args);
  argv.push_back("EVALSHA");
  argv.push_back(sha);
  argv.push_back(std::to_string(1 + 2 * r.keys.size()));
  std::string key(prefix);
  key += "r:";
  key += std::to_string(r.id);
  argv.push_back(std::move(key));
  for (const auto& [k, spec] : r.keys) {
    std::string suffix = k.scope + ":" + k.name;
    argv.push_back(std::string(prefix) + "b:" + suffix);
    argv.push_back(std::string(prefix) + "c:" + suffix);
  }
  return argv;
}

bool IsNoScript(const redisReply* reply) {
  return reply->type == REDIS_REPLY_ERROR &&
         std::string_view(reply->str, reply->len).starts_with("NOSCRIPT");
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

// The startup check, on the caller's thread (never an I/O thread): connect,
// AUTH, SELECT and load both scripts, blocking for at most `timeout` per step.
Status Probe(const internal::RedisUrl& url, std::chrono::milliseconds timeout) {
  timeval tv = ToTimeval(timeout);
  Context c(redisConnectWithTimeout(url.host.c_str(), url.port, tv));
  std::string where = url.host + ":" + std::to_string(url.port);
  if (c == nullptr) return UnavailableError("redis " + where + ": cannot allocate a context");
  if (c->err != 0) return UnavailableError("redis " + where + ": " + c->errstr);
  redisSetTimeout(c.get(), tv);
  if (!url.password.empty()) {
    Reply r(static_cast<redisReply*>(
        url.user.empty()
            ? redisCommand(c.get(), "AUTH %b", url.password.data(), url.password.size())
            : redisCommand(c.get(), "AUTH %b %b", url.user.data(), url.user.size(),
                           url.password.data(), url.password.size())));
    if (r == nullptr) return UnavailableError("redis " + where + ": " + c->errstr);
    if (r->type == REDIS_REPLY_ERROR) {
      return UnauthenticatedError("redis " + where +
                                  ": AUTH failed: " + std::string(r->str, r->len));
    }
  }
  if (url.db != 0) {
    Reply r(static_cast<redisReply*>(redisCommand(c.get(), "SELECT %d", url.db)));
    if (r == nullptr) return UnavailableError("redis " + where + ": " + c->errstr);
    if (r->type == REDIS_REPLY_ERROR) {
      return InvalidArgumentError("redis " + where + ": SELECT " + std::to_string(url.db) + ": " +
                                  std::string(r->str, r->len));
    }
  }
  for (std::string_view script : {kAdmitScript, kSettleScript}) {
    Reply r(static_cast<redisReply*>(
        redisCommand(c.get(), "SCRIPT LOAD %b", script.data(), script.size())));
    if (r == nullptr) return UnavailableError("redis " + where + ": " + c->errstr);
    if (r->type == REDIS_REPLY_ERROR) {
      return InternalError("redis " + where + ": SCRIPT LOAD: " + std::string(r->str, r->len));
    }
  }
  return OkStatus();
}

// What every io_context's connection of one limiter shares. Immutable but
// for the id counter.
struct Shared {
  RedisLimiterOptions options;
  internal::RedisUrl url;
  std::uint64_t id_base = 0;
  std::atomic<std::uint64_t> counter{0};

  std::uint64_t NextId() {
    std::uint64_t id = id_base + counter.fetch_add(1, std::memory_order_relaxed);
    return id == 0 ? 1 : id;
  }
};

// The completion of one awaited Admit and the executor of its coroutine.
struct Handler {
  asio::any_io_executor ex;
  std::move_only_function<void(Admission)> fn;
};

// Completes an Admit on its coroutine's executor, never inline: the caller
// may be inside a hiredis callback.
void Complete(Handler h, Admission a) {
  asio::any_io_executor ex = h.ex;
  asio::post(ex, [fn = std::move(h.fn), a = std::move(a)]() mutable { fn(std::move(a)); });
}

// One limiter's state on one io_context: its connection, the decisions
// waiting for Redis (with their deadlines) and the settlements owed to it.
// Used only on the io_context's thread.
class Session final : public internal::RedisConnection::Listener,
                      public std::enable_shared_from_this<Session> {
 public:
  Session(asio::io_context& ioc, std::shared_ptr<Shared> shared)
      : ioc_(ioc), shared_(std::move(shared)) {
    timer_.emplace(ioc_);
  }
  ~Session() { Close(); }

  void Start() {
    const auto& o = shared_->options;
    conn_ = internal::RedisConnection::Make(
        ioc_, shared_->url, std::max<std::chrono::milliseconds>(o.timeout, std::chrono::seconds(1)),
        {{"SCRIPT", "LOAD", std::string(kAdmitScript)},
         {"SCRIPT", "LOAD", std::string(kSettleScript)}},
        this);
  }

  asio::io_context& ioc() { return ioc_; }

  // Settlements queued but not yet written are lost here (their slots
  // expire after slot_ttl); those in hiredis' buffer get `timeout` to go out.
  void Close() {
    if (closing_) return;
    closing_ = true;
    if (conn_) {
      conn_->Close(shared_->options.timeout);
      conn_.reset();
    }
    timer_.reset();
    std::size_t unsent = 0;
    for (const auto& [tag, o] : owed_) unsent += !o.in_flight;
    if (unsent > 0) {
      spdlog::warn(
          "redis limiter: {} settlement(s) not delivered at shutdown; their slots "
          "expire after {} s",
          unsent, shared_->options.slot_ttl.count());
    }
    owed_.clear();
    waiters_.clear();  // their coroutines are destroyed with the io_context
  }

  void Admit(Handler h, Reservation r) {
    const auto& o = shared_->options;
    if (closing_) return Fail(std::move(h), "redis limiter: shutting down");
    if (waiters_.size() >= o.max_pending) {
      return Fail(std::move(h), "redis " + conn_->where() + ": " + std::to_string(waiters_.size()) +
                                    " decisions already wait for an answer");
    }
    Waiter w;
    w.hold = internal::HoldsAnything(r.keys);
    w.argv = internal::AdmitCommand(o.key_prefix, r, o.slot_ttl);
    std::uint64_t tag = next_tag_++;
    if (Status s = conn_->Send(w.argv, tag); !s.ok()) return Fail(std::move(h), s.message());
    w.handler = std::move(h);
    w.r = std::move(r);
    waiters_.emplace(tag, std::move(w));
    deadlines_.emplace_back(Steady::now() + o.timeout, tag);
    ArmTimer();
  }

  // A settlement or release: sent now if the connection is up, else when it
  // is back; retried after a loss (the script applies it once).
  void Owe(std::vector<std::string> argv) {
    if (closing_) return;
    if (owed_.size() >= shared_->options.max_pending) {
      // The oldest gives way; its slots expire after slot_ttl.
      owed_.erase(owed_.begin());
      if (dropped_++ % 1000 == 0) {
        spdlog::warn(
            "redis limiter: {} settlement(s) dropped so far (more than {} waiting for "
            "Redis); their slots expire after {} s",
            dropped_, shared_->options.max_pending, shared_->options.slot_ttl.count());
      }
    }
    std::uint64_t tag = next_tag_++;
    Owed& o = owed_[tag];
    o.argv = std::move(argv);
    o.in_flight = conn_->Send(o.argv, tag).ok();
  }

  void OnReply(std::uint64_t tag, const redisReply* reply) override {
    if (closing_) return;
    if (auto it = waiters_.find(tag); it != waiters_.end()) return OnAdmitReply(it, reply);
    if (auto it = owed_.find(tag); it != owed_.end()) return OnOwedReply(it, reply);
    // Else the late answer to a decision past its deadline: its release is owed already.
  }

  void OnUp() override {
    if (closing_) return;
    for (auto& [tag, o] : owed_) {
      if (!o.in_flight) o.in_flight = conn_->Send(o.argv, tag).ok();
    }
  }

 private:
  struct Waiter {
    Handler handler;
    Reservation r;
    std::vector<std::string> argv;
    bool hold = false;
  };
  struct Owed {
    std::vector<std::string> argv;
    bool in_flight = false;
  };
  using Waiters = std::unordered_map<std::uint64_t, Waiter>;

  void Fail(Handler h, std::string why) {
    if (shared_->options.fail_open) {
      Decision d;
      d.allowed = true;
      d.reason = "fail_open";
      Complete(std::move(h), std::pair{std::move(d), Reservation{}});
    } else {
      Complete(std::move(h), UnavailableError(std::move(why)));
    }
  }

  std::vector<std::string> Release(const Reservation& r) const {
    return internal::SettleCommand(shared_->options.key_prefix, r, 0, shared_->options.slot_ttl);
  }

  void OnAdmitReply(Waiters::iterator it, const redisReply* reply) {
    Waiter& w = it->second;
    if (reply != nullptr && IsNoScript(reply) && w.argv[0] == "EVALSHA") {
      // A flushed or restarted server: send the script itself (which also
      // caches it). It had not run, so nothing needs releasing if this fails.
      w.argv[0] = "EVAL";
      w.argv[1] = std::string(kAdmitScript);
      Status s = conn_->Send(w.argv, it->first);
      if (s.ok()) return;
      Handler h = std::move(w.handler);
      waiters_.erase(it);
      return Fail(std::move(h), s.message());
    }
    Waiter done = std::move(w);
    waiters_.erase(it);
    if (reply == nullptr) {
      // Lost with the connection: the script may have run.
      if (done.hold) Owe(Release(done.r));
      return Fail(std::move(done.handler),
                  "redis " + conn_->where() + ": connection lost before the decision");
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      return Fail(std::move(done.handler),
                  "redis " + conn_->where() + ": " + std::string(reply->str, reply->len));
    }
    Admission a = internal::ParseAdmitReply(reply, std::move(done.r));
    if (!a) return Fail(std::move(done.handler), a.error().message());
    if (a->first.allowed) a->second.origin = weak_from_this();
    Complete(std::move(done.handler), std::move(a));
  }

  void OnOwedReply(std::map<std::uint64_t, Owed>::iterator it, const redisReply* reply) {
    Owed& o = it->second;
    if (reply == nullptr) {
      o.in_flight = false;  // sent again once the connection is back
      return;
    }
    if (IsNoScript(reply) && o.argv[0] == "EVALSHA") {
      o.argv[0] = "EVAL";
      o.argv[1] = std::string(kSettleScript);
      o.in_flight = conn_->Send(o.argv, it->first).ok();
      return;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      spdlog::warn("redis {}: settlement refused: {}", conn_->where(),
                   std::string_view(reply->str, reply->len));
    }
    owed_.erase(it);
  }

  // One timer for all waiting decisions: they share one timeout, so their
  // deadlines come in the order they were sent.
  void ArmTimer() {
    while (!deadlines_.empty() && !waiters_.contains(deadlines_.front().second)) {
      deadlines_.pop_front();
    }
    if (deadlines_.empty() || timer_armed_ || !timer_) return;
    timer_armed_ = true;
    timer_->expires_at(deadlines_.front().first);
    timer_->async_wait([weak = weak_from_this()](const boost::system::error_code&) {
      auto self = weak.lock();
      if (!self || self->closing_) return;
      self->timer_armed_ = false;
      self->Expire();
    });
  }

  void Expire() {
    auto now = Steady::now();
    while (!deadlines_.empty() && deadlines_.front().first <= now) {
      std::uint64_t tag = deadlines_.front().second;
      deadlines_.pop_front();
      auto it = waiters_.find(tag);
      if (it == waiters_.end()) continue;
      Waiter w = std::move(it->second);
      waiters_.erase(it);
      // The admit may still run: the release follows it on this connection
      // (or, after a reconnect, finds it "held" or leaves "released").
      if (w.hold) Owe(Release(w.r));
      Fail(std::move(w.handler), "redis " + conn_->where() + ": no decision within " +
                                     std::to_string(shared_->options.timeout.count()) + " ms");
    }
    ArmTimer();
  }

  asio::io_context& ioc_;
  std::shared_ptr<Shared> shared_;
  std::shared_ptr<internal::RedisConnection> conn_;
  std::optional<asio::steady_timer> timer_;
  bool timer_armed_ = false;
  bool closing_ = false;
  std::uint64_t next_tag_ = 1;
  Waiters waiters_;
  std::deque<std::pair<Steady::time_point, std::uint64_t>> deadlines_;
  std::map<std::uint64_t, Owed> owed_;  // by tag: the order they were owed
  std::uint64_t dropped_ = 0;
};

// The sessions of one io_context, destroyed with it.
class SessionService final : public asio::execution_context::service {
 public:
  static inline asio::execution_context::id id;
  explicit SessionService(asio::execution_context& ctx) : asio::execution_context::service(ctx) {}

  std::shared_ptr<Session> Get(asio::io_context& ioc, const std::shared_ptr<Shared>& shared) {
    std::shared_ptr<Session>& s = sessions_[shared.get()];
    if (!s) {
      s = std::make_shared<Session>(ioc, shared);
      s->Start();
    }
    return s;
  }

 private:
  void shutdown() override {
    for (auto& [key, s] : sessions_) s->Close();
    sessions_.clear();
  }
  std::unordered_map<const Shared*, std::shared_ptr<Session>> sessions_;
};

class RedisRateLimiter final : public RateLimiter {
 public:
  explicit RedisRateLimiter(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

  std::optional<Admission> TryAdmit(const Keys& keys, std::uint64_t estimated_tokens) override {
    for (const auto& [k, spec] : keys) {
      if (!spec.empty()) return std::nullopt;  // Redis decides
    }
    Decision d;
    d.allowed = true;
    Reservation r;
    r.id = shared_->NextId();
    r.reserved_tokens = estimated_tokens;
    return std::pair{std::move(d), std::move(r)};
  }

  asio::awaitable<Admission> Admit(const Keys& keys, std::uint64_t estimated_tokens) override {
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(Admission)>(
        [shared = shared_](auto handler, const Keys* keys, std::uint64_t estimate) {
          asio::any_io_executor ex = asio::get_associated_executor(handler);
          Start(shared, Handler{std::move(ex), std::move(handler)}, *keys, estimate);
        },
        asio::use_awaitable, &keys, estimated_tokens);
  }

  Status Settle(const Reservation& r, std::uint64_t actual_tokens) override {
    if (r.keys.empty() || !internal::HoldsAnything(r.keys)) return OkStatus();
    auto session = std::static_pointer_cast<Session>(r.origin.lock());
    if (!session) {
      return UnavailableError("redis limiter: reservation " + std::to_string(r.id) +
                              " came from an io_context that is gone; its slots expire after " +
                              std::to_string(shared_->options.slot_ttl.count()) + " s");
    }
    auto argv =
        internal::SettleCommand(shared_->options.key_prefix, r, actual_tokens, kNoTombstone);
    if (session->ioc().get_executor().running_in_this_thread()) {
      session->Owe(std::move(argv));
    } else {
      asio::post(session->ioc(),
                 [weak = std::weak_ptr<Session>(session), argv = std::move(argv)]() mutable {
                   if (auto s = weak.lock()) s->Owe(std::move(argv));
                 });
    }
    return OkStatus();
  }

 private:
  static constexpr std::chrono::milliseconds kNoTombstone{0};

  static void Start(const std::shared_ptr<Shared>& shared, Handler h, const Keys& keys,
                    std::uint64_t estimate) {
    const auto* io = h.ex.target<asio::io_context::executor_type>();
    if (io == nullptr) {
      return Complete(std::move(h), InternalError("redis limiter: Admit must be awaited on an "
                                                  "io_context's own executor"));
    }
    asio::io_context* ioc = &io->context();
    Reservation r;
    r.keys = internal::Normalize(keys);
    r.reserved_tokens = estimate;
    r.id = shared->NextId();
    if (r.keys.empty()) {
      Decision d;
      d.allowed = true;
      return Complete(std::move(h), std::pair{std::move(d), std::move(r)});
    }
    asio::use_service<SessionService>(*ioc).Get(*ioc, shared)->Admit(std::move(h), std::move(r));
  }

  std::shared_ptr<Shared> shared_;
};

}  // namespace

namespace internal {

std::string_view AdmitScript() { return kAdmitScript; }
std::string_view SettleScript() { return kSettleScript; }

bool HoldsAnything(const std::vector<std::pair<LimitKey, LimitSpec>>& keys) {
  for (const auto& [k, spec] : keys) {
    if (spec.max_concurrent > 0 || spec.tokens_per_minute > 0) return true;
  }
  return false;
}

std::vector<std::string> AdmitCommand(std::string_view key_prefix, const Reservation& r,
                                      std::chrono::seconds slot_ttl) {
  std::vector<std::string> argv = ScriptCommand(AdmitSha(), key_prefix, r, 5 + 7 * r.keys.size());
  argv.push_back(std::to_string(r.keys.size()));
  argv.push_back(std::to_string(r.reserved_tokens));
  argv.push_back(std::to_string(r.id));
  argv.push_back(std::to_string(slot_ttl.count() * 1'000'000LL));
  argv.push_back(HoldsAnything(r.keys) ? "1" : "0");
  for (const auto& [key, spec] : r.keys) {
    auto rps = RequestsPerSecondBucket(spec, kMicrosPerSecond);
    auto rpm = RequestsPerMinuteBucket(spec, kMicrosPerSecond);
    auto tok = TokensPerMinuteBucket(spec, kMicrosPerSecond);
    for (double v : {rps.interval, rps.capacity, rpm.interval, rpm.capacity,
                     static_cast<double>(spec.max_concurrent), tok.interval, tok.capacity}) {
      argv.push_back(Num(v));
    }
  }
  return argv;
}

std::vector<std::string> SettleCommand(std::string_view key_prefix, const Reservation& r,
                                       std::uint64_t actual_tokens,
                                       std::chrono::milliseconds tombstone) {
  std::vector<std::string> argv = ScriptCommand(SettleSha(), key_prefix, r, 4 + 2 * r.keys.size());
  double delta = static_cast<double>(actual_tokens) - static_cast<double>(r.reserved_tokens);
  argv.push_back(std::to_string(r.keys.size()));
  argv.push_back(std::to_string(r.id));
  argv.push_back(Num(delta));
  argv.push_back(std::to_string(tombstone.count()));
  for (const auto& [key, spec] : r.keys) {
    auto tok = TokensPerMinuteBucket(spec, kMicrosPerSecond);
    argv.push_back(Num(tok.interval));
    argv.push_back(Num(tok.capacity));
  }
  return argv;
}

Admission ParseAdmitReply(const redisReply* a, Reservation r) {
  auto bad = [] { return InternalError("redis: unexpected reply from the admit script"); };
  if (a == nullptr || a->type != REDIS_REPLY_ARRAY || a->elements < 1 ||
      (a->elements - 1) % 6 != 0) {
    return bad();
  }
  for (std::size_t i = 0; i < a->elements; ++i) {
    if (a->element[i]->type != REDIS_REPLY_INTEGER) return bad();
  }
  auto at = [&](std::size_t i) { return a->element[i]->integer; };
  if (a->elements == 1 && at(0) == -1) {
    return UnavailableError("redis: reservation " + std::to_string(r.id) +
                            " was released before its decision ran");
  }
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
    o.limit = LimitFor(o.dimension, spec);
    o.remaining = static_cast<std::uint64_t>(std::max(0LL, at(i + 4)));
    long long reset_us = o.allowed ? at(i + 5) : std::max(at(i + 5), at(i + 3));
    o.reset = std::chrono::seconds((std::max(0LL, reset_us) + 999'999) / 1'000'000);
    o.spec = &spec;
    outcomes.push_back(std::move(o));
  }
  Decision d = Decide(outcomes);
  if (d.allowed != (at(0) == 1)) return bad();
  if (!d.allowed) r = Reservation{};
  return std::pair{std::move(d), std::move(r)};
}

}  // namespace internal

Result<std::unique_ptr<RateLimiter>> MakeRedisRateLimiter(RedisLimiterOptions options) {
  RAMPART_ASSIGN_OR_RETURN(internal::RedisUrl url, internal::ParseRedisUrl(options.url));
  if (options.timeout <= std::chrono::milliseconds(0)) {
    return InvalidArgumentError("redis limiter: timeout must be positive");
  }
  if (options.slot_ttl <= std::chrono::seconds(0)) {
    return InvalidArgumentError("redis limiter: slot_ttl must be positive");
  }
  if (options.max_pending == 0) {
    return InvalidArgumentError("redis limiter: max_pending must be positive");
  }
  Status probe =
      Probe(url, std::max<std::chrono::milliseconds>(options.timeout, std::chrono::seconds(1)));
  if (!probe.ok() && (!options.fail_open || probe.code() != StatusCode::kUnavailable)) {
    // Wrong credentials or database are configuration errors even when
    // failing open; an unreachable server is tolerated only when failing open.
    return probe;
  }
  auto shared = std::make_shared<Shared>();
  shared->options = std::move(options);
  shared->url = std::move(url);
  std::random_device rd;
  shared->id_base = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  return std::unique_ptr<RateLimiter>(std::make_unique<RedisRateLimiter>(std::move(shared)));
}

}  // namespace rampart::gateway
