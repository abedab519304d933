// The gateway proxy: an http::Handler on the core HTTP server
// (core/http/server.h), which owns listening, TLS, the strict parser, limits
// and draining. The request pipeline of server.h runs in Serve; upstream
// connections are Boost.Beast streams on the same worker's io_context, pooled
// per worker; a streamed response is written as soon as its bytes arrive.
#include "gateway/server.h"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <charconv>
#include <cstring>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "core/ascii.h"
#include "core/crypto.h"
#include "core/encoding.h"
#include "core/http/deadline.h"
#include "core/http/noting_stream.h"
#include "core/http/parse.h"
#include "core/http/read_drained.h"
#include "core/http/server.h"
#include "core/http/write_now.h"
#include "core/json.h"
#include "core/str_append.h"
#include "core/tls.h"
#include "gateway/audit.h"
#include "gateway/grpc.h"
#include "gateway/h2_upstream.h"
#include "gateway/tcp_connect.h"
#include "gateway/usage.h"

namespace rampart::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Steady = std::chrono::steady_clock;
using boost::system::error_code;
using http::BodyFraming;
using http::HeaderField;
using http::IsHopByHopField;
using http::RequestHead;
using http::RequestLimits;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);
// HTTP/2 connections per gRPC upstream per I/O thread, each carrying up to
// the upstream's SETTINGS_MAX_CONCURRENT_STREAMS calls.
constexpr std::size_t kMaxGrpcConnections = 8;

bool Named(const std::vector<std::string_view>& names, std::string_view n) {
  for (const auto& s : names) {
    if (EqualsIgnoreCase(s, n)) return true;
  }
  return false;
}

// Fields a client may not pass to the upstream: credentials for the gateway,
// and the ones the gateway sets itself.
bool IsGatewayOwnedField(std::string_view n) {
  static constexpr std::string_view kOwned[] = {"host",
                                                "content-length",
                                                "authorization",
                                                "x-api-key",
                                                "x-request-id",
                                                "x-forwarded-for",
                                                "x-forwarded-proto",
                                                "x-forwarded-host",
                                                "x-rampart-identity",
                                                "expect",
                                                "forwarded"};
  static constexpr std::uint64_t kLengths = LengthMask(kOwned);
  return EqualsAnyIgnoreCase(n, kOwned, kLengths);
}

// A pooled HTTP/1.1 upstream connection. Responses are read straight from
// the socket (or its TLS stream) into `in` and parsed there by core/http's
// strict response parser (parse.h); body pieces go to the client from `in`
// itself (a chunked body de-chunked where it lies), without a copy.
enum class HeadScan { kMore, kDone, kMalformed };

struct UpstreamConn {
  static constexpr std::size_t kInitialBytes = 16 * 1024;

  std::optional<tcp::socket> plain;
  std::unique_ptr<ssl::stream<http::NotingSocket>> tls;  // reads by the short-read rule
  // Received bytes not yet used: in[begin, end) of `cap`.
  std::unique_ptr<char[]> in;
  std::size_t cap = 0, begin = 0, end = 0;
  http::ResponseHead head;  // the response being read (its storage kept between requests)
  std::string req;          // the request head being sent (capacity kept between requests)
  bool write_now = false;   // plain and non-blocking: the request goes out with http::WriteNow
  std::string malformed;    // why ScanHead found the head malformed
  // Bounds each exchange by the upstream's response_timeout once connected
  // (and the TLS handshake by connect_timeout): no timer operation per read
  // or write. Last: destroyed before the socket it cancels.
  std::optional<http::SocketDeadline> deadline;

  tcp::socket& socket() { return tls ? tls->next_layer() : *plain; }
  // The next read into `room`, from the TLS stream or the socket: the
  // operation itself, not a coroutine (no frame of its own).
  asio::awaitable<std::tuple<error_code, std::size_t>> ReadSome(asio::mutable_buffer room) {
    return tls ? tls->async_read_some(room, kUse) : plain->async_read_some(room, kUse);
  }
  // After a read of `got` bytes into room for `asked`: on a plain socket, a
  // short read means the next one waits for readiness (http::NoteRead).
  void NoteRead(std::size_t asked, std::size_t got) {
    if (plain) http::NoteRead(*plain, asked, got);
  }
  // Scans the buffered bytes for a response head, reading past interim 1xx
  // responses (except 101): kDone with it parsed into `head` and its length
  // in *head_bytes, kMore (*scanned: how far the search got), or kMalformed
  // (why: `malformed`). Plain code, so that its errors are not kept in the
  // awaiting coroutine's frame.
  HeadScan ScanHead(std::size_t* scanned, bool head_request, const http::ResponseLimits& limits,
                    std::size_t* head_bytes) {
    for (;;) {
      auto found = http::FindResponseHeadEnd(buffered(), *scanned, limits);
      if (!found) {
        malformed = std::move(found.error().message);
        return HeadScan::kMalformed;
      }
      if (*found == 0) {
        *scanned = size();
        return HeadScan::kMore;
      }
      if (auto bad = http::ParseResponseHeadInto(buffered().substr(0, *found), head_request, limits,
                                                 &head)) {
        malformed = std::move(bad->message);
        return HeadScan::kMalformed;
      }
      if (head.status / 100 != 1 || head.status == 101) {
        *head_bytes = *found;
        return HeadScan::kDone;
      }
      Consume(*found);
      *scanned = 0;
    }
  }
  std::size_t size() const { return end - begin; }
  std::string_view buffered() const { return {in.get() + begin, end - begin}; }
  std::span<char> buffered_span() { return {in.get() + begin, end - begin}; }
  void Consume(std::size_t n) {
    begin += n;
    if (begin == end) begin = end = 0;
  }
  // Free room after the buffered bytes for the next read: they move to the
  // front, or the buffer doubles up to max(cap, `limit`) bytes. Empty only
  // when `limit` bytes are buffered.
  asio::mutable_buffer Room(std::size_t limit) {
    if (end == cap && begin > 0) {
      std::memmove(in.get(), in.get() + begin, end - begin);
      end -= begin;
      begin = 0;
    }
    if (end == cap && cap < limit) {
      std::size_t grown = std::min(limit, std::max(cap * 2, kInitialBytes));
      auto bigger = std::make_unique<char[]>(grown);
      std::memcpy(bigger.get(), in.get() + begin, end - begin);
      end -= begin;
      begin = 0;
      in = std::move(bigger);
      cap = grown;
    }
    return asio::buffer(in.get() + end, cap - end);
  }
};

// The upstream's operations are awaited in two coroutines, Forward and the
// SendAndReadHead it awaits: one would hold a frame larger than the 1,020
// bytes Asio recycles. A frame per request is malloc'd either way under
// load (docs/design/gateway-cost.md, "coroutine frames"); more helpers would
// add more.

void AppendUpstreamKey(const UpstreamConfig& u, std::string* out) {
  *out += u.scheme;
  *out += "://";
  *out += u.host;
  *out += ':';
  *out += std::to_string(u.port);
  *out += '|';
  *out += u.server_name;
  *out += '|';
  *out += u.ca_file.native();
  *out += '|';
  *out += u.client_cert.native();
}

std::string UpstreamKey(const UpstreamConfig& u) {
  std::string k;
  AppendUpstreamKey(u, &k);
  return k;
}

// The request JSON's arena (see Serve): blocks kept per worker and reused,
// so that a request's JSON costs no malloc unless it outgrows its block.
constexpr std::size_t kJsonArenaBytes = 4096;

// What one request has learnt so far; becomes the access record.
struct Call {
  AccessRecord rec;
  Steady::time_point t0;
  // The time spent awaiting the upstream (Forward): from just before the
  // request is written to the last read of its response head, then each
  // read of the body. The gateway's own time is the duration less this.
  Steady::duration upstream{};
  // Set once the request goes to an upstream whose time is not measured
  // (gRPC): its own time is then unknown and not observed.
  bool upstream_untimed = false;
  // What the filters see (core/gateway_filter.h), set as the request is read.
  std::span<const std::string> roles;
  std::string_view protocol;
  std::string_view body;
  const json::object* json_body = nullptr;
  // Rate-limit fields of the response (RateLimit-*), rendered once.
  std::string rl_limit, rl_remaining, rl_reset, rl_policy;
  bool rate_limit_fields = false;
  // Reject mode: the room this request's audit record will take.
  AuditBatcher::Slot audit_slot;
  // The request's own buffers. A Call is reused from one request to the
  // next (CallLease), so these and the record's strings keep their capacity:
  // a request id or path past the small-string buffer, the body, the
  // principal's roles, the limit keys would each be a malloc per request.
  Principal principal;
  std::string body_bytes;  // the request body as read
  std::string model;
  std::vector<std::pair<LimitKey, LimitSpec>> limit_keys;
  // A refusal decided by plain code (Refuses), answered by RefuseCall: the
  // error waits here, not in the coroutine's frame. GCC keeps every named
  // local of a coroutine, and every temporary of a co_await expression, in
  // its frame, and a frame over the 1,020 bytes Asio recycles is a malloc and
  // a free per request.
  HttpError refusal;
  std::string refusal_retry;  // the Retry-After value, or ""
  // The response body's state (Forward), here rather than in its frame.
  struct Streaming {
    std::optional<UsageScanner> usage;                     // OpenAI routes: the usage object
    std::optional<http::ChunkedDecoder> chunks;            // a chunked upstream body
    std::vector<std::unique_ptr<ResponseFilter>> filters;  // the filters reading the body
    std::string filtered;                                  // what they let through of a piece
  } streaming;
};

// What a worker keeps for later requests is bounded: at most kKeepCalls
// free Calls (more requests than that in flight at once allocate their own),
// each keeping a body buffer of at most kKeepBodyBytes.
constexpr std::size_t kKeepCalls = 256;
constexpr std::size_t kKeepBodyBytes = 16 * 1024;

// The number of members of the aggregate T (as T{...} takes them): lets a
// static_assert catch a member added to a struct that Recycle resets member
// by member.
struct AnyMember {
  template <typename T>
  operator T() const;  // declared only: used in unevaluated operands
};
template <typename T, typename... M>
constexpr std::size_t MemberCount() {
  if constexpr (requires { T{M{}..., AnyMember{}}; }) {
    return MemberCount<T, M..., AnyMember>();
  } else {
    return sizeof...(M);
  }
}

// Makes `c` what a new Call is, member by member, keeping the capacity of
// its strings and vectors (a request id or path past the small-string
// buffer, the roles, the limit keys would each be a malloc per request).
// Building a new Call and moving it in cost ~1,400 instructions a request.
void Recycle(Call& c) {
  static_assert(MemberCount<Call>() == 21 && MemberCount<Call::Streaming>() == 4 &&
                    MemberCount<AccessRecord>() == 18 && MemberCount<Principal>() == 5,
                "a member was added: reset it here");
  AccessRecord& r = c.rec;
  r.time = {};
  r.request_id.clear();
  r.remote.clear();
  r.method.clear();
  r.path.clear();
  r.identity.clear();
  r.model.clear();
  r.route.clear();
  r.status = 0;
  r.error_code.clear();
  r.denied = false;
  r.prompt_tokens = r.completion_tokens = r.bytes_in = r.bytes_out = r.duration_us = 0;
  r.prompt_digest.clear();
  r.filter_notes.clear();
  c.t0 = {};
  c.upstream = {};
  c.upstream_untimed = false;
  c.roles = {};
  c.protocol = {};
  c.body = {};
  c.json_body = nullptr;
  c.rl_limit.clear();
  c.rl_remaining.clear();
  c.rl_reset.clear();
  c.rl_policy.clear();
  c.rate_limit_fields = false;
  c.audit_slot = AuditBatcher::Slot();  // releases the slot, as destroying the Call did
  Principal& p = c.principal;
  p.identity.clear();
  p.roles.clear();
  p.method = Principal().method;
  p.credential_id.clear();
  p.estate_identity = Principal().estate_identity;
  if (c.body_bytes.capacity() <= kKeepBodyBytes) {
    c.body_bytes.clear();
  } else {
    std::string().swap(c.body_bytes);
  }
  c.model.clear();
  c.limit_keys.clear();
  c.refusal = HttpError();  // set on refusals only: no capacity worth keeping
  c.refusal_retry.clear();
  c.streaming.usage.reset();
  c.streaming.chunks.reset();
  c.streaming.filters.clear();
  c.streaming.filtered.clear();
}

// The gateway's state of one I/O thread: touched only from that thread.
struct WorkerState {
  using Pool = std::vector<std::unique_ptr<UpstreamConn>>;
  // Idle upstream connections by UpstreamKey. Nodes never move: a request
  // holds a Pool* across its awaits.
  std::unordered_map<std::string, Pool> idle;
  std::string key;  // scratch for a pool lookup (used between awaits only)
  std::vector<std::unique_ptr<unsigned char[]>> json_arenas;  // free kJsonArenaBytes blocks
  std::vector<std::string_view> conn_named;  // scratch: names a Connection field lists
  // gRPC upstream connections by service: new calls go to the first that can
  // take a stream; one past its stream limit or told GOAWAY finishes its
  // calls and is dropped once idle.
  std::unordered_map<std::string, std::vector<std::shared_ptr<H2Upstream>>> h2;
  std::uint64_t policy_gen = ~0ull;
  std::shared_ptr<const Policy> policy;
  std::mt19937_64 rng{std::random_device{}()};
  std::vector<http::Field> fields;           // a response's fields, reused
  std::vector<std::unique_ptr<Call>> calls;  // free Calls (see Call)
};

// A Call from the worker's free list for one request, recycled after it.
struct CallLease {
  explicit CallLease(WorkerState& ws) : w(ws) {
    if (w.calls.empty()) {
      call = std::make_unique<Call>();
    } else {
      call = std::move(w.calls.back());
      w.calls.pop_back();
    }
  }
  ~CallLease() {
    if (w.calls.size() >= kKeepCalls) return;
    Recycle(*call);
    w.calls.push_back(std::move(call));
  }
  CallLease(const CallLease&) = delete;
  CallLease& operator=(const CallLease&) = delete;
  Call& operator*() { return *call; }
  WorkerState& w;
  std::unique_ptr<Call> call;
};

// A kJsonArenaBytes block from the worker's free list, for one request.
struct ArenaLease {
  explicit ArenaLease(WorkerState& ws) : w(ws) {
    if (w.json_arenas.empty()) {
      block = std::make_unique<unsigned char[]>(kJsonArenaBytes);
    } else {
      block = std::move(w.json_arenas.back());
      w.json_arenas.pop_back();
    }
  }
  ~ArenaLease() { w.json_arenas.push_back(std::move(block)); }
  ArenaLease(const ArenaLease&) = delete;
  ArenaLease& operator=(const ArenaLease&) = delete;
  WorkerState& w;
  std::unique_ptr<unsigned char[]> block;
};

}  // namespace

class GatewayServer::Impl final : public http::Handler {
 public:
  Impl(std::shared_ptr<const Policy> policy, ServerDeps deps)
      : deps_(std::move(deps)), policy_(std::move(policy)) {
    const GatewayConfig& c = policy_->config();
    cfg_ = c;
    threads_ = c.threads > 0 ? c.threads : static_cast<int>(std::thread::hardware_concurrency());
    threads_ = std::max(1, threads_);
    metrics_ = std::make_unique<Metrics>(threads_);
    limits_.max_header_bytes = c.protection.max_header_bytes;
    limits_.max_body_bytes = c.protection.max_body_bytes;
    workers_.resize(static_cast<std::size_t>(threads_));
    if (c.protection.requests_per_second_per_ip > 0) {
      ip_limiter_ = MakeLocalRateLimiter(std::make_shared<SystemClock>());
      ip_spec_.requests_per_second = c.protection.requests_per_second_per_ip;
      ip_spec_.burst = c.protection.burst_per_ip;
    }
  }

  ~Impl() override { Stop(std::chrono::milliseconds(0)); }

  Status Start() {
    if (!deps_.limiter) return InvalidArgumentError("gateway server needs a rate limiter");
    http::ServerOptions o;
    o.name = "gateway";
    o.host = cfg_.listener.host.empty() ? "127.0.0.1" : cfg_.listener.host;
    o.port = cfg_.listener.port;
    o.threads = threads_;
    if (cfg_.listener.tls()) {
      o.tls.cert_chain = cfg_.listener.tls_cert;
      o.tls.key = cfg_.listener.tls_key;
      o.tls.client_ca = cfg_.listener.client_ca;
      o.tls.require_client_cert = cfg_.listener.require_client_cert;
      o.tls.context_id = "rampart-gateway";
    }
    o.request = limits_;
    o.header_read_timeout = cfg_.protection.header_read_timeout;
    o.body_read_timeout = cfg_.protection.body_read_timeout;
    o.idle_timeout = cfg_.protection.idle_timeout;
    o.max_connections = cfg_.protection.max_connections;
    o.max_connections_per_ip = cfg_.protection.max_connections_per_ip;
    o.stats = metrics_.get();
    auto server = http::Server::Start(std::move(o), *this);
    if (!server) return server.error();
    server_ = std::move(*server);
    port_ = server_->port();
    if (cfg_.admin.enabled) {
      http::ServerOptions a;
      a.name = "gateway admin";
      a.host = cfg_.admin.host;
      a.port = cfg_.admin.port;
      a.threads = 1;
      a.request.max_header_bytes = 8 * 1024;
      a.request.max_body_bytes = 0;
      a.max_connections = 64;
      admin_handler_ = std::make_unique<AdminHandler>(*this);
      auto admin = http::Server::Start(std::move(a), *admin_handler_);
      if (!admin) {
        server_->Stop(std::chrono::milliseconds(0));
        return admin.error();
      }
      admin_ = std::move(*admin);
      admin_port_ = admin_->port();
    }
    if (cfg_.access_log.mode != AccessLogMode::kOff) {
      access_log_ = AccessLog::Open(
          cfg_.access_log.mode == AccessLogMode::kStdout ? "-" : cfg_.access_log.file.string());
      if (!access_log_) return InvalidArgumentError("cannot open the gateway access log");
    }
    std::string scheme = cfg_.listener.tls() ? "https" : "http";
    std::string host = cfg_.listener.host.empty() ? "127.0.0.1" : cfg_.listener.host;
    if (deps_.audit && cfg_.audit.enabled) {
      AuditBatcherOptions ao;
      ao.batch_size = cfg_.audit.batch_size;
      ao.window = cfg_.audit.window;
      ao.actor = deps_.actor;
      ao.endpoint = scheme + "://" + host + ":" + std::to_string(port_);
      ao.max_pending = cfg_.audit.max_pending;
      ao.reject_on_failure = cfg_.audit.on_failure == AuditFailureMode::kReject;
      ao.retry_max_attempts = cfg_.audit.retry_max_attempts;
      ao.retry_max_delay = cfg_.audit.retry_max_delay;
      audit_ = std::make_unique<AuditBatcher>(deps_.audit, ao, metrics_.get());
    }
    spdlog::info(
        "gateway: listening on {}://{}:{} ({} threads{}){}", scheme, host, port_, threads_,
        server_->tls() && cfg_.listener.client_ca.empty() ? "" : (server_->tls() ? ", mTLS" : ""),
        admin_port_ ? fmt::format("; admin on http://{}:{}/metrics", cfg_.admin.host, admin_port_)
                    : "");
    return OkStatus();
  }

  void SetPolicy(std::shared_ptr<const Policy> p) {
    std::lock_guard lock(policy_mu_);
    policy_ = std::move(p);
    policy_gen_.fetch_add(1, std::memory_order_release);
  }

  void Stop(std::chrono::milliseconds drain) {
    if (stopped_.exchange(true)) return;
    draining_ = true;
    if (admin_) admin_->Stop(std::chrono::milliseconds(0));
    if (server_) {
      server_->Stop(drain);
      // Pooled upstream sockets belong to the server's io_contexts: gone first.
      for (WorkerState& w : workers_) {
        w.idle.clear();
        for (auto& [k, pool] : w.h2) {
          for (auto& c : pool) c->Close();
        }
        w.h2.clear();
      }
      server_.reset();
    }
    admin_.reset();
    if (audit_) audit_->Stop();
    spdlog::info("gateway: stopped");
  }

  std::uint16_t port() const { return port_; }
  std::uint16_t admin_port() const { return admin_port_; }
  const Metrics& metrics() const { return *metrics_; }

  // ---- http::Handler ----------------------------------------------------------------------

  asio::awaitable<void> Refused(http::Exchange& ex, const HttpError& e) override {
    WorkerState& w = workers_[static_cast<std::size_t>(ex.conn().worker)];
    CallLease lease(w);
    Call& x = *lease;
    StartCall(w, ex, x);
    co_await Refuse(ex, x, e);
  }

  void ConnectionRefused(int worker, std::string_view reason) override {
    metrics_->RecordRejection(worker, reason);
  }

 private:
  // A fresh (recycled) Call for the request `ex` starts.
  static void StartCall(WorkerState& w, const http::Exchange& ex, Call& x) {
    x.t0 = Steady::now();
    x.rec.time = std::chrono::system_clock::now();
    // 16 lower-case hex digits of a 64-bit random number.
    static constexpr char kHex[] = "0123456789abcdef";
    char id[16];
    std::uint64_t r = w.rng();
    for (int i = 15; i >= 0; --i, r >>= 4) id[i] = kHex[r & 15];
    x.rec.request_id.assign(id, sizeof id);
    x.rec.remote = ex.conn().peer;
    x.rec.route = "unmatched";
  }

  std::shared_ptr<const Policy> CurrentPolicy(WorkerState& w) {
    std::uint64_t g = policy_gen_.load(std::memory_order_acquire);
    if (g != w.policy_gen) {
      std::lock_guard lock(policy_mu_);
      w.policy = policy_;
      w.policy_gen = g;
    }
    return w.policy;
  }

  // The gateway's own fields on every response it sends.
  static void AddOwnFields(const Call& x, std::vector<http::Field>* f) {
    f->push_back({"X-Request-Id", x.rec.request_id});
    if (x.rate_limit_fields) {
      f->push_back({"RateLimit-Limit", x.rl_limit});
      f->push_back({"RateLimit-Remaining", x.rl_remaining});
      f->push_back({"RateLimit-Reset", x.rl_reset});
      if (!x.rl_policy.empty()) f->push_back({"RateLimit-Policy", x.rl_policy});
    }
  }

  // Answers with a JSON error.
  asio::awaitable<void> Refuse(http::Exchange& ex, Call& x, const HttpError& e,
                               std::string_view retry_after = {}) {
    x.rec.status = e.http_status;
    x.rec.error_code = e.code;
    x.rec.denied = true;
    std::array<http::Field, 8> f;
    std::size_t n = 0;
    f[n++] = {"X-Request-Id", x.rec.request_id};
    if (!retry_after.empty()) f[n++] = {"Retry-After", retry_after};
    if (x.rate_limit_fields) {
      f[n++] = {"RateLimit-Limit", x.rl_limit};
      f[n++] = {"RateLimit-Remaining", x.rl_remaining};
      f[n++] = {"RateLimit-Reset", x.rl_reset};
      if (!x.rl_policy.empty()) f[n++] = {"RateLimit-Policy", x.rl_policy};
    }
    co_await ex.RespondError(e, std::span<const http::Field>(f.data(), n));
    x.rec.bytes_out = ex.bytes_out();
    metrics_->RecordRejection(ex.conn().worker, e.code);
    Finish(ex.conn().worker, x);
  }

  FilterRequest FilterView(const Call& x) const {
    FilterRequest r;
    r.request_id = x.rec.request_id;
    r.identity = x.rec.identity;
    r.roles = x.roles;
    r.remote = x.rec.remote;
    r.route = x.rec.route;
    r.protocol = x.protocol;
    r.model = x.rec.model;
    r.method = x.rec.method;
    r.path = x.rec.path;
    r.body = x.body;
    r.json_body = x.json_body;
    r.time = x.rec.time;
    return r;
  }

  void Finish(int worker, Call& x) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - x.t0);
    x.rec.duration_us = static_cast<std::uint64_t>(us.count());
    if (!deps_.filters.empty()) {
      FilterRequest fr = FilterView(x);
      FilterOutcome o;
      o.status = x.rec.status;
      o.denied = x.rec.denied;
      o.prompt_tokens = x.rec.prompt_tokens;
      o.completion_tokens = x.rec.completion_tokens;
      o.bytes_out = x.rec.bytes_out;
      o.duration = us;
      for (const auto& f : deps_.filters) f->OnComplete(fr, o);
    }
    std::optional<std::chrono::microseconds> own;
    if (!x.upstream_untimed) {
      own = std::max(std::chrono::microseconds(0),
                     us - std::chrono::duration_cast<std::chrono::microseconds>(x.upstream));
    }
    metrics_->RecordRequest(worker, x.rec.route, x.rec.model.empty() ? "-" : x.rec.model,
                            x.rec.status, us, own);
    if (access_log_) access_log_->Write(x.rec);
    if (audit_) audit_->Record(x.rec, &x.audit_slot);
  }

  // The pipeline of server.h, after the core server parsed the head. One
  // coroutine for the whole pipeline (a second one, a Serve awaited by
  // Handle, was one more frame per request); what needs no await is in
  // plain functions, and refusals wait in the Call (Refuses), so that the
  // frame stays within what Asio recycles.
  asio::awaitable<void> Handle(http::Exchange& ex) override {
    WorkerState& w = workers_[static_cast<std::size_t>(ex.conn().worker)];
    CallLease lease(w);
    Call& x = *lease;
    StartCall(w, ex, x);
    const RequestHead& head = ex.head();
    x.rec.method.assign(head.method);
    x.rec.path.assign(head.target.substr(0, head.target.find('?')));

    const bool grpc = ex.conn().http2 && head.target.starts_with(kGrpcServicePrefix);
    if (RefusedOnArrival(ex, x)) {
      if (grpc) {
        x.protocol = "grpc";
        co_return co_await GrpcRefuse(ex, x, x.refusal, x.refusal_retry);
      }
      co_return co_await RefuseCall(ex, x);
    }
    std::shared_ptr<const Policy> policy = CurrentPolicy(w);
    if (grpc) co_return co_await ServeGrpc(w, ex, x, policy);
    RouteMatch match;
    if (!RouteAndAuthenticate(ex, x, *policy, &match)) co_return co_await RefuseCall(ex, x);
    const Principal& principal = x.principal;

    // The body, bounded in size and time (a body that came with the head
    // is taken without awaiting: no coroutine frame).
    std::string& body = x.body_bytes;
    if (!ex.TryReadBody(&body)) {
      if (!co_await ReadBodyOrRefuse(ex, x, &body)) co_return co_await RefuseCall(ex, x);
    }
    x.rec.bytes_in = body.size();
    x.body = body;

    // The request's JSON lives for this request only: its members come from
    // an arena (a stack buffer, then heap blocks for large bodies) that is
    // released at once, not member by member.
    ArenaLease arena(w);
    json::monotonic_resource json_mr(arena.block.get(), kJsonArenaBytes);
    std::optional<json::object> request_json;
    Target target;
    std::string replaced_body;
    if (!Admit(x, *policy, match, &json_mr, &request_json, &target, &replaced_body)) {
      co_return co_await RefuseCall(ex, x);
    }
    const std::string& forward_body = replaced_body.empty() ? body : replaced_body;

    if (match.route->local) {
      std::string list = policy->ModelListJson(principal);
      x.rec.status = 200;
      x.rec.denied = false;
      w.fields.clear();
      w.fields.push_back({"Content-Type", "application/json"});
      AddOwnFields(x, &w.fields);
      co_await ex.Respond(200, w.fields, list);
      x.rec.bytes_out = ex.bytes_out();
      Finish(ex.conn().worker, x);
      co_return;
    }

    // Rate limits, with the token estimate reserved up front.
    std::uint64_t estimate =
        request_json
            ? EstimateTokens(*request_json, policy->config().rate_limits.default_max_tokens)
            : 0;
    std::optional<Reservation> reservation;
    switch (TryLimits(ex.conn().worker, x, *policy, principal, x.model, estimate, &reservation)) {
      case LimitStep::kGo:
        break;
      case LimitStep::kRefused:
        co_return co_await RefuseCall(ex, x);
      case LimitStep::kAwait:
        if (!co_await AwaitReservation(ex.conn().worker, x, estimate, &reservation)) {
          co_return co_await RefuseCall(ex, x);
        }
        break;
    }

    const UpstreamConfig* up = UpstreamOf(x, *policy, target);
    if (up == nullptr) {
      if (reservation) (void)deps_.limiter->Settle(*reservation, 0);
      co_return co_await RefuseCall(ex, x);
    }
    x.rec.denied = false;
    bool usage_route = match.route->family == ProtocolFamily::kOpenAi &&
                       match.route->model_source == ModelSource::kBody;
    std::optional<Usage> usage;
    co_await Forward(w, ex, match, *up, principal, forward_body, usage_route, x, &usage);
    if (reservation) {
      std::uint64_t actual =
          usage ? usage->total_tokens
                : (x.rec.status > 0 && x.rec.status < 500 ? reservation->reserved_tokens : 0);
      if (Status s = deps_.limiter->Settle(*reservation, actual); !s.ok()) {
        spdlog::warn("gateway: rate limiter settle failed: {}", s.message());
      }
    }
  }

  // Keeps a refusal in the Call for RefuseCall (see Call::refusal); true.
  static bool Refuses(Call& x, HttpError e, std::string retry_after = {}) {
    x.refusal = std::move(e);
    x.refusal_retry = std::move(retry_after);
    return true;
  }
  static bool Refuses(Call& x, std::optional<HttpError>&& e) {
    return e && Refuses(x, std::move(*e));
  }
  static bool Refuses(Call& x, std::optional<std::pair<HttpError, std::string>>&& r) {
    return r && Refuses(x, std::move(r->first), std::move(r->second));
  }
  // ReadBody; false: refused (Refuses). The awaiting frame holds a bool,
  // not the error.
  asio::awaitable<bool> ReadBodyOrRefuse(http::Exchange& ex, Call& x, std::string* body) {
    co_return !Refuses(x, co_await ex.ReadBody(body));
  }
  // Answers with the Call's refusal (Refuses).
  asio::awaitable<void> RefuseCall(http::Exchange& ex, Call& x) {
    return Refuse(ex, x, x.refusal, x.refusal_retry);
  }

  // What is refused before the route is known (gRPC included): a request
  // whose audit record has no room (reject mode: a request is served only
  // when its record is sure to be kept), a client address over its limits.
  bool RefusedOnArrival(const http::Exchange& ex, Call& x) {
    if (audit_ && audit_->reject_on_failure()) {
      x.audit_slot = audit_->Reserve();
      if (!x.audit_slot) {
        return Refuses(x,
                       MakeHttpError(503, "audit_unavailable",
                                     "the audit trail cannot record this request now; try again "
                                     "later"),
                       "1");
      }
    }
    return ip_limiter_ && Refuses(x, CheckClientAddress(ex.conn().worker, ex.conn().peer));
  }

  // The route of the request (into *match) and who sent it (x.principal);
  // false: refused (Refuses).
  bool RouteAndAuthenticate(http::Exchange& ex, Call& x, const Policy& policy, RouteMatch* match) {
    const RequestHead& head = ex.head();
    auto m = policy.MatchRoute(head.method, head.target);
    if (!m) return !Refuses(x, std::move(m.error()));
    *match = std::move(*m);
    x.rec.route.assign(RouteName(match->route->kind));
    if (Refuses(x, policy.Authenticate(CredentialsOf(ex), std::chrono::system_clock::now(),
                                       &x.principal))) {
      return false;
    }
    x.rec.identity = x.principal.identity;
    x.roles = x.principal.roles;
    x.protocol = match->route->family == ProtocolFamily::kOpenAi ? "openai" : "kserve-v2";
    return true;
  }

  // What the body decides: the model (from the JSON body on OpenAI routes,
  // into *request_json, or the path on v2), whether the principal may use
  // it (*target), the prompt digest, and the filters (guards, monitor; a
  // filter may replace the body to forward, into *replaced). False:
  // refused (Refuses).
  bool Admit(Call& x, const Policy& policy, const RouteMatch& match, json::monotonic_resource* mr,
             std::optional<json::object>* request_json, Target* target, std::string* replaced) {
    const std::string& body = x.body_bytes;
    std::string& model = x.model;
    if (match.route->model_source == ModelSource::kBody) {
      JsonLimits jl;
      jl.max_bytes = limits_.max_body_bytes;
      auto v = ParseJson(body, jl, "", mr);
      if (!v || !v->is_object()) {
        return !Refuses(x, MakeHttpError(400, "invalid_json",
                                         v ? std::string("the request body must be a JSON object")
                                           : v.error().message()));
      }
      request_json->emplace(std::move(v->get_object()));
      x.json_body = &**request_json;
      if (auto it = (*request_json)->find("model");
          it != (*request_json)->end() && it->value().is_string())
        model.assign(it->value().get_string());
    } else if (match.route->model_source == ModelSource::kPath) {
      model = match.model;
    }
    auto t = policy.Authorize(x.principal, match, model);
    if (!t) return !Refuses(x, std::move(t.error()));
    *target = *t;
    x.rec.model = model;
    if (policy.config().audit.prompt_digest && !body.empty()) {
      auto d = crypto::Sha256(body);
      x.rec.prompt_digest =
          "sha256:" + HexEncode(std::span<const std::uint8_t>(d.data(), d.size()));
    }
    return !Refuses(x, RunFilters(x, replaced));
  }

  // The upstream of an authorized target; null: refused (Refuses).
  static const UpstreamConfig* UpstreamOf(Call& x, const Policy& policy, const Target& target) {
    auto it = policy.config().upstreams.find(target.service_name);
    if (it != policy.config().upstreams.end() && !it->second.url.empty()) return &it->second;
    Refuses(x, MakeHttpError(502, "no_upstream",
                             "no upstream is configured for service '" +
                                 std::string(target.service_name) + "'"));
    return nullptr;
  }

  // Runs the filters in order: the refusal of the first that blocks or
  // throttles (with its Retry-After), or nullopt. A filter may replace the
  // body to forward (*replaced, and x.body then points at it).
  std::optional<std::pair<HttpError, std::string>> RunFilters(Call& x, std::string* replaced) {
    if (deps_.filters.empty()) return std::nullopt;
    FilterRequest fr = FilterView(x);
    for (const auto& f : deps_.filters) {
      FilterDecision d = f->OnRequest(fr);
      for (std::string& n : d.annotations) {
        if (!x.rec.filter_notes.empty()) x.rec.filter_notes += "; ";
        x.rec.filter_notes += n;
      }
      if (d.action == FilterDecision::Action::kBlock ||
          d.action == FilterDecision::Action::kThrottle) {
        bool block = d.action == FilterDecision::Action::kBlock;
        HttpError e =
            MakeHttpError(d.http_status > 0 ? d.http_status : (block ? 403 : 429),
                          d.code.empty() ? std::string(f->name()) : d.code,
                          d.message.empty() ? "refused by " + std::string(f->name()) : d.message);
        std::string retry;
        if (!block) {
          retry = std::to_string(std::max<std::int64_t>(1, (d.retry_after.count() + 999) / 1000));
        }
        return std::make_pair(std::move(e), std::move(retry));
      }
      if (!d.replacement_body.empty()) {
        *replaced = std::move(d.replacement_body);
        x.body = *replaced;
        fr.body = *replaced;
      }
    }
    return std::nullopt;
  }

  // What the rate limits say: the reservation to settle (none when no limit
  // applies), or the refusal with its Retry-After.
  using LimitOutcome = std::expected<std::optional<Reservation>, std::pair<HttpError, std::string>>;

  // The rate limits of this principal and model (into x.limit_keys), when
  // the limiter decides without I/O (the local one always does); nullopt:
  // TryLimits says kAwait. A plain call: a coroutine here would be a frame
  // allocation per request.
  std::optional<LimitOutcome> TryCheckLimits(int worker, Call& x, const Policy& policy,
                                             const Principal& p, std::string_view model,
                                             std::uint64_t estimate) {
    policy.LimitsFor(p, model, &x.limit_keys);
    if (x.limit_keys.empty()) return LimitOutcome(std::optional<Reservation>());
    std::optional<Admission> decided = deps_.limiter->TryAdmit(x.limit_keys, estimate);
    if (!decided) return std::nullopt;
    return Decided(worker, x, *decided);
  }

  // The rate limits, for HTTP and gRPC alike: kGo with the reservation
  // (none when no limit applies) in *r, kRefused (Refuses), or kAwait: the
  // limiter asks its server; co_await AwaitReservation.
  enum class LimitStep { kGo, kRefused, kAwait };
  LimitStep TryLimits(int worker, Call& x, const Policy& policy, const Principal& p,
                      std::string_view model, std::uint64_t estimate,
                      std::optional<Reservation>* r) {
    std::optional<LimitOutcome> now = TryCheckLimits(worker, x, policy, p, model, estimate);
    if (!now) return LimitStep::kAwait;
    return TakeLimits(std::move(*now), x, r) ? LimitStep::kGo : LimitStep::kRefused;
  }
  // The reservation of an outcome into *r; false: refused (Refuses).
  static bool TakeLimits(LimitOutcome&& o, Call& x, std::optional<Reservation>* r) {
    if (!o) return !Refuses(x, std::move(o.error().first), std::move(o.error().second));
    *r = std::move(*o);
    return true;
  }

  // The limiter's decision on x.limit_keys, awaited (Redis), its
  // reservation into *r; false: refused (Refuses).
  asio::awaitable<bool> AwaitReservation(int worker, Call& x, std::uint64_t estimate,
                                         std::optional<Reservation>* r) {
    Admission admitted = co_await deps_.limiter->Admit(x.limit_keys, estimate);
    co_return TakeLimits(Decided(worker, x, admitted), x, r);
  }

  LimitOutcome Decided(int worker, Call& x, Admission& admitted) {
    if (!admitted) {
      metrics_->RecordRateLimit(worker, "error");
      spdlog::warn("gateway: rate limiter cannot decide: {}", admitted.error().message());
      return std::unexpected(std::make_pair(
          MakeHttpError(503, "rate_limiter_unavailable", "rate limits cannot be checked right now"),
          std::string("1")));
    }
    const Decision& d = admitted->first;
    SetRateLimitFields(d, &x);
    if (!d.allowed) {
      metrics_->RecordRateLimit(worker, d.reason);
      auto secs = std::max<std::int64_t>(1, (d.retry_after.count() + 999) / 1000);
      return std::unexpected(std::make_pair(
          MakeHttpError(429, "rate_limited", "rate limit exceeded (" + d.reason + ")"),
          std::to_string(secs)));
    }
    metrics_->RecordRateLimit(worker, "allowed");
    return std::optional<Reservation>(std::move(admitted->second));
  }

  // The per-client-address request rate (limits.requests_per_second_per_ip),
  // checked before authentication so that a flood of unauthenticated
  // requests is refused as cheaply as any other: 429 with its Retry-After.
  std::optional<std::pair<HttpError, std::string>> CheckClientAddress(int worker,
                                                                      const std::string& peer) {
    std::vector<std::pair<LimitKey, LimitSpec>> keys;
    keys.push_back({LimitKey{"ip", peer}, ip_spec_});
    std::optional<Admission> d = ip_limiter_->TryAdmit(keys, 0);
    if (!d || !*d) return std::nullopt;  // the local limiter always decides
    if ((*d)->first.allowed) {
      (void)ip_limiter_->Settle((*d)->second, 0);
      return std::nullopt;
    }
    metrics_->RecordRateLimit(worker, "requests_per_second_per_ip");
    auto secs = std::max<std::int64_t>(1, ((*d)->first.retry_after.count() + 999) / 1000);
    return std::make_pair(MakeHttpError(429, "rate_limited",
                                        "too many requests from this address (limits."
                                        "requests_per_second_per_ip)"),
                          std::to_string(secs));
  }

  void Settle(std::optional<Reservation>& reservation, std::uint64_t actual) {
    if (!reservation) return;
    if (Status s = deps_.limiter->Settle(*reservation, actual); !s.ok()) {
      spdlog::warn("gateway: rate limiter settle failed: {}", s.message());
    }
    reservation.reset();
  }

  // ---- gRPC (inference.GRPCInferenceService over HTTP/2) -------------------------------

  // Answers a refusal the gRPC way: HTTP 200 with the status in a
  // trailers-only response (grpc-status, grpc-message; grpc-retry-pushback-ms
  // with a Retry-After). The access record keeps the HTTP-equivalent status.
  asio::awaitable<void> GrpcRefuse(http::Exchange& ex, Call& x, const HttpError& e,
                                   std::string_view retry_after = {}) {
    x.rec.status = e.http_status;
    x.rec.error_code = e.code;
    x.rec.denied = true;
    GrpcCode gc =
        e.code == "unknown_method" ? GrpcCode::kUnimplemented : GrpcCodeFor(e.http_status);
    std::string code = std::to_string(static_cast<int>(gc));
    std::string message = GrpcPercentEncode(e.message);
    std::string pushback;
    std::array<http::Field, 6> f;
    std::size_t n = 0;
    f[n++] = {"content-type", "application/grpc"};
    f[n++] = {"grpc-status", code};
    f[n++] = {"grpc-message", message};
    f[n++] = {"x-request-id", x.rec.request_id};
    if (!retry_after.empty()) {
      pushback = std::to_string(std::atoll(std::string(retry_after).c_str()) * 1000);
      f[n++] = {"grpc-retry-pushback-ms", pushback};
    }
    ex.Begin(200, std::span<const http::Field>(f.data(), n), std::nullopt);
    co_await ex.End();
    metrics_->RecordRejection(ex.conn().worker, e.code);
    Finish(ex.conn().worker, x);
  }

  // The upstream HTTP/2 connection for a service's gRPC port on this worker.
  asio::awaitable<std::expected<std::shared_ptr<H2Upstream>, HttpError>> GrpcUpstream(
      WorkerState& w, const UpstreamConfig& u) {
    auto& pool = w.h2[u.service];
    std::erase_if(pool, [](const std::shared_ptr<H2Upstream>& c) { return c->finished(); });
    for (const auto& c : pool) {
      if (c->usable()) co_return c;
    }
    if (pool.size() >= kMaxGrpcConnections) {
      co_return std::unexpected(MakeHttpError(
          503, "upstream_busy",
          "every connection to the gRPC upstream carries as many calls as it accepts"));
    }
    std::shared_ptr<ssl::context> ctx;
    if (u.grpc_tls) {
      tls::ClientOptions o;
      o.ca_file = u.ca_file;
      o.client_cert = u.client_cert;
      o.client_key = u.client_key;
      o.alpn = {"h2"};
      auto c = tls::MakeClientContext(o, "gRPC upstream " + u.service);
      if (!c)
        co_return std::unexpected(MakeHttpError(502, "upstream_unavailable", c.error().message()));
      ctx = *c;
    }
    auto conn = co_await H2Upstream::Connect(u, ctx);
    if (!conn) co_return std::unexpected(conn.error());
    pool.push_back(*conn);
    co_return *conn;
  }

  // The request headers for the upstream: the client's gRPC metadata without
  // credentials, hop-by-hop or gateway-owned fields, plus the gateway's own.
  static HeaderList GrpcUpstreamHeaders(const http::Exchange& ex, const UpstreamConfig& u,
                                        const Principal& p, const Call& x) {
    HeaderList h;
    h.emplace_back(":method", "POST");
    h.emplace_back(":scheme", u.grpc_tls ? "https" : "http");
    h.emplace_back(":authority", u.grpc_host + ":" + std::to_string(u.grpc_port));
    h.emplace_back(":path", std::string(ex.head().target));
    for (const HeaderField& f : ex.head().headers) {
      if (IsHopByHopField(f.name) || IsGatewayOwnedField(f.name)) continue;
      std::string n(f.name);
      for (char& c : n) c = AsciiLower(c);
      if (n == "te") continue;
      h.emplace_back(std::move(n), std::string(f.value));
    }
    h.emplace_back("te", "trailers");
    h.emplace_back("x-request-id", x.rec.request_id);
    if (!x.rec.remote.empty()) h.emplace_back("x-forwarded-for", x.rec.remote);
    h.emplace_back("x-rampart-identity", p.identity);
    return h;
  }

  // A gRPC call: routed, authenticated, authorized (by the model named in
  // each request message), filtered and rate-limited like its REST twin,
  // then relayed to the service's gRPC upstream over HTTP/2 with its
  // response, trailers and status passed through.
  asio::awaitable<void> ServeGrpc(WorkerState& w, http::Exchange& ex, Call& x,
                                  std::shared_ptr<const Policy> policy) {
    const RequestHead& head = ex.head();
    x.protocol = "grpc";
    const GrpcMethod* m = FindGrpcMethod(head.target);
    if (m == nullptr) {
      co_return co_await GrpcRefuse(
          ex, x, MakeHttpError(404, "unknown_method", "no such method of GRPCInferenceService"));
    }
    x.rec.route = std::string(RouteName(m->route));
    if (head.method != "POST" || !head.Find("content-type").starts_with("application/grpc")) {
      HttpError e = MakeHttpError(415, "not_grpc", "gRPC calls are POST with application/grpc");
      co_return co_await Refuse(ex, x, e);
    }
    auto principal = policy->Authenticate(CredentialsOf(ex), std::chrono::system_clock::now());
    if (!principal) co_return co_await GrpcRefuse(ex, x, principal.error());
    x.rec.identity = principal->identity;
    x.roles = principal->roles;

    GrpcFrameReader frames(limits_.max_body_bytes);
    std::vector<std::string> messages;
    std::string body;
    bool done = false;
    if (!m->streaming) {
      if (auto err = co_await ex.ReadBody(&body)) co_return co_await GrpcRefuse(ex, x, *err);
      done = true;
    } else {
      // A stream: the first message decides the route and the upstream;
      // every later one is checked as it arrives.
      while (messages.empty() && !done) {
        if (auto err = co_await ex.ReadBodyPart(&body, &done)) {
          co_return co_await GrpcRefuse(ex, x, *err);
        }
        auto fed = frames.Feed(body, &messages);
        if (!fed) co_return co_await GrpcRefuse(ex, x, fed.error());
      }
    }
    if (!m->streaming) {
      auto fed = frames.Feed(body, &messages);
      if (!fed) co_return co_await GrpcRefuse(ex, x, fed.error());
    }
    if (done && frames.mid_message()) {
      co_return co_await GrpcRefuse(
          ex, x, MakeHttpError(400, "invalid_argument", "a gRPC message's length prefix lies"));
    }
    if (messages.empty() || (!m->streaming && messages.size() != 1)) {
      co_return co_await GrpcRefuse(
          ex, x,
          MakeHttpError(400, "invalid_argument", "a unary call carries exactly one message"));
    }
    x.rec.bytes_in = body.size();
    // The first message names the model that routes the call; every other
    // message (of this first batch, and of a stream as they arrive) is
    // authorized on its own and must go to the same service.
    std::string model;
    if (m->model_field != 0) {
      auto name = ProtoStringField(messages.front(), m->model_field);
      if (!name) co_return co_await GrpcRefuse(ex, x, name.error());
      model = std::string(*name);
    }
    RouteMatch rm;
    rm.route = &InfoOf(m->route);
    rm.model = model;
    rm.path = head.target;
    if (m->model_field == 0) rm.service = policy->routes().FirstService(ProtocolFamily::kV2);
    auto target = policy->Authorize(*principal, rm, model);
    if (!target) co_return co_await GrpcRefuse(ex, x, target.error());
    // Checks one more message of the call: its model allowed, same service.
    auto check_message = [&](std::string_view msg) -> std::optional<HttpError> {
      auto name = ProtoStringField(msg, m->model_field);
      if (!name) return name.error();
      if (*name == model) return std::nullopt;
      RouteMatch again = rm;
      again.model = std::string(*name);
      auto ok = policy->Authorize(*principal, again, *name);
      if (!ok) return ok.error();
      if (ok->service != target->service) {
        return MakeHttpError(403, "forbidden", "a stream's messages must stay on one service");
      }
      return std::nullopt;
    };
    for (std::size_t i = 1; i < messages.size(); ++i) {
      if (auto e = check_message(messages[i])) co_return co_await GrpcRefuse(ex, x, *e);
    }
    x.rec.model = model;
    x.body = body;
    std::string replaced;  // filters may not rewrite gRPC bodies: they are not JSON
    if (auto refusal = RunFilters(x, &replaced)) {
      co_return co_await GrpcRefuse(ex, x, refusal->first, refusal->second);
    }
    std::optional<Reservation> reservation;
    LimitStep limits = TryLimits(ex.conn().worker, x, *policy, *principal, model, 0, &reservation);
    if (limits == LimitStep::kAwait) {
      limits = co_await AwaitReservation(ex.conn().worker, x, 0, &reservation)
                   ? LimitStep::kGo
                   : LimitStep::kRefused;
    }
    if (limits == LimitStep::kRefused) {
      co_return co_await GrpcRefuse(ex, x, x.refusal, x.refusal_retry);
    }
    auto up_it = policy->config().upstreams.find(target->service_name);
    if (up_it == policy->config().upstreams.end() || up_it->second.grpc_url.empty()) {
      Settle(reservation, 0);
      co_return co_await GrpcRefuse(ex, x,
                                    MakeHttpError(503, "no_upstream",
                                                  "no gRPC upstream is configured for service '" +
                                                      std::string(target->service_name) + "'"));
    }
    const UpstreamConfig& up = up_it->second;
    x.upstream_untimed = true;  // the gRPC path does not time its upstream
    auto conn = co_await GrpcUpstream(w, up);
    if (!conn) {
      Settle(reservation, 0);
      metrics_->RecordUpstreamError(ex.conn().worker, up.service, "connect");
      co_return co_await GrpcRefuse(ex, x, conn.error());
    }
    auto stream = (*conn)->Open(GrpcUpstreamHeaders(ex, up, *principal, x));
    if (!stream) {
      Settle(reservation, 0);
      co_return co_await GrpcRefuse(
          ex, x, MakeHttpError(503, "upstream_unavailable", "the gRPC upstream refused a stream"));
    }
    x.rec.denied = false;
    // Only complete, checked messages go upstream, framed anew.
    auto framed = [](const std::vector<std::string>& msgs) {
      std::string out;
      for (const std::string& msg : msgs) {
        auto n = static_cast<std::uint32_t>(msg.size());
        out.push_back('\0');
        for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(n >> shift));
        out += msg;
      }
      return out;
    };
    stream->Send(framed(messages), done);

    // A streaming call: relay later messages, each checked, while the
    // response flows back. A message for a model this principal may not use
    // ends the call with PERMISSION_DENIED.
    std::optional<HttpError> stream_refusal;
    bool pump_done = done;
    asio::steady_timer pump_exit(co_await asio::this_coro::executor,
                                 std::chrono::steady_clock::time_point::max());
    if (!done) {
      auto pump = [&]() -> asio::awaitable<void> {
        std::string piece;
        bool end = false;
        while (!end) {
          if (auto err = co_await ex.ReadBodyPart(&piece, &end)) {
            stream_refusal = *err;
            break;
          }
          std::vector<std::string> more;
          auto fed = frames.Feed(piece, &more);
          if (!fed) {
            stream_refusal = fed.error();
            break;
          }
          for (const std::string& msg : more) {
            if (auto e = check_message(msg)) {
              stream_refusal = std::move(*e);
              break;
            }
          }
          if (stream_refusal) break;
          x.rec.bytes_in += piece.size();
          if (end && frames.mid_message()) {
            stream_refusal =
                MakeHttpError(400, "invalid_argument", "a gRPC message's length prefix lies");
            break;
          }
          stream->Send(framed(more), end);
        }
        if (stream_refusal) stream->Cancel();
        pump_done = true;
        pump_exit.cancel();
      };
      asio::co_spawn(co_await asio::this_coro::executor, pump(), asio::detached);
    }

    auto deadline = std::chrono::steady_clock::now() + up.response_timeout;
    bool got_head = co_await stream->AwaitHeaders(deadline);
    if (!got_head) {
      if (!stream_refusal) stream->Cancel();
      HttpError e =
          stream_refusal ? *stream_refusal
          : stream->timed_out
              ? MakeHttpError(504, "upstream_timeout", "the gRPC upstream did not answer")
              : MakeHttpError(502, "upstream_unavailable", "the gRPC upstream reset the call");
      if (!stream_refusal) metrics_->RecordUpstreamError(ex.conn().worker, up.service, "reset");
      co_await GrpcRefuse(ex, x, e);
    } else {
      x.rec.status = stream->status;
      w.fields.clear();
      for (const auto& [n, v] : stream->headers) {
        if (n == "content-length" || n == "x-request-id") continue;
        w.fields.push_back({n, v});
      }
      w.fields.push_back({"x-request-id", x.rec.request_id});
      ex.Begin(stream->status, w.fields, std::nullopt);
      bool client_ok = co_await ex.Flush();
      std::string chunk;
      while (
          client_ok && !stream_refusal &&
          co_await stream->Read(&chunk, std::chrono::steady_clock::now() + up.response_timeout)) {
        client_ok = co_await ex.Write(chunk, false);
      }
      x.rec.bytes_out = ex.bytes_out();
      if (stream_refusal) {
        std::string code =
            std::to_string(static_cast<int>(GrpcCodeFor(stream_refusal->http_status)));
        std::string message = GrpcPercentEncode(stream_refusal->message);
        std::array<http::Field, 2> t{http::Field{"grpc-status", code},
                                     http::Field{"grpc-message", message}};
        x.rec.error_code = stream_refusal->code;
        co_await ex.EndWithTrailers(t);
      } else if (stream->ended) {
        std::vector<http::Field> t;
        for (const auto& [n, v] : stream->trailers) t.push_back({n, v});
        co_await ex.EndWithTrailers(t);
      } else {
        // The upstream failed mid-response: the client must see an error, not a clean end.
        x.rec.error_code = "upstream_reset_mid_body";
        std::array<http::Field, 2> t{http::Field{"grpc-status", "14"},
                                     http::Field{"grpc-message", "upstream failed"}};
        co_await ex.EndWithTrailers(t);
      }
      Finish(ex.conn().worker, x);
    }
    if (!pump_done) {
      stream->Cancel();
      co_await pump_exit.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    Settle(reservation, 0);
  }

  static Credentials CredentialsOf(const http::Exchange& ex) {
    Credentials cred;
    int auth_fields = 0, key_fields = 0;
    for (const HeaderField& f : ex.head().headers) {
      if (EqualsIgnoreCase(f.name, "authorization")) {
        cred.authorization = f.value;
        ++auth_fields;
      } else if (EqualsIgnoreCase(f.name, "x-api-key")) {
        cred.api_key = f.value;
        ++key_fields;
      }
    }
    cred.duplicated = auth_fields > 1 || key_fields > 1;
    cred.peer_sans = ex.conn().sans;
    return cred;
  }

  static void SetRateLimitFields(const Decision& d, Call* x) {
    if (d.limit == 0 && !d.policy_dimension) return;
    x->rate_limit_fields = true;
    x->rl_limit = std::to_string(d.limit);
    x->rl_remaining = std::to_string(d.remaining);
    x->rl_reset = std::to_string(d.reset.count());
    x->rl_policy.clear();  // keeps its capacity: the Call is reused
    AppendPolicyText(d, &x->rl_policy);
  }

  // ---- upstream -------------------------------------------------------------------------

  std::shared_ptr<ssl::context> UpstreamTls(const UpstreamConfig& u, Status* err) {
    std::string key = UpstreamKey(u);
    std::lock_guard lock(tls_mu_);
    auto it = upstream_tls_.find(key);
    if (it != upstream_tls_.end()) return it->second;
    tls::ClientOptions o;
    o.ca_file = u.ca_file;
    o.client_cert = u.client_cert;
    o.client_key = u.client_key;
    auto ctx = tls::MakeClientContext(o, "upstream " + u.service);
    if (!ctx) {
      *err = ctx.error();
      return nullptr;
    }
    upstream_tls_[key] = *ctx;
    return *ctx;
  }

  // A connected (and TLS-established) upstream connection, or the HttpError to answer.
  asio::awaitable<std::expected<std::unique_ptr<UpstreamConn>, HttpError>> Connect(
      int worker, const UpstreamConfig& u) {
    auto fail = [&](int status, std::string code, std::string kind, std::string msg) {
      metrics_->RecordUpstreamError(worker, u.service, kind);
      spdlog::warn("gateway: upstream {} ({}:{}): {}", u.service, u.host, u.port, msg);
      return std::unexpected(MakeHttpError(status, std::move(code), std::move(msg)));
    };
    auto executor = co_await asio::this_coro::executor;
    auto conn = std::make_unique<UpstreamConn>();
    {
      // Connected through a tcp_stream for its expiry (ConnectTcp is shared
      // with the gRPC client), then read and written as a plain socket.
      beast::tcp_stream s(executor);
      s.expires_after(u.connect_timeout);
      auto [ec, unresolved] = co_await ConnectTcp(s, u.host, u.port);
      if (unresolved)
        co_return fail(502, "upstream_unavailable", "connect", "cannot resolve upstream host");
      if (ec == beast::error::timeout) {
        co_return fail(504, "upstream_timeout", "timeout", "upstream connect timed out");
      }
      if (ec)
        co_return fail(502, "upstream_unavailable", "connect",
                       "upstream connect failed: " + ec.message());
      s.expires_never();
      conn->plain.emplace(s.release_socket());
    }
    error_code ignored;
    conn->plain->set_option(tcp::no_delay(true), ignored);
    if (u.scheme != "https") {
      // Forward's request write goes out with http::WriteNow, which must not block.
      conn->plain->non_blocking(true, ignored);
      conn->write_now = !ignored;
    }
    if (u.scheme == "https") {
      Status err;
      auto ctx = UpstreamTls(u, &err);
      if (!ctx) co_return fail(502, "upstream_unavailable", "tls", err.message());
      conn->tls = std::make_unique<ssl::stream<http::NotingSocket>>(std::move(*conn->plain), *ctx);
      conn->plain.reset();
      std::string name = u.server_name.empty() ? u.host : u.server_name;
      SSL_set_tlsext_host_name(conn->tls->native_handle(), name.c_str());
      conn->tls->set_verify_callback(ssl::host_name_verification(name));
      conn->deadline.emplace(conn->socket());
      conn->deadline->Set(u.connect_timeout);
      auto [hec] = co_await conn->tls->async_handshake(ssl::stream_base::client, kUse);
      if (hec && conn->deadline->expired()) {
        co_return fail(504, "upstream_timeout", "timeout", "upstream TLS handshake timed out");
      }
      if (hec)
        co_return fail(502, "upstream_unavailable", "tls",
                       "upstream TLS handshake failed: " + hec.message());
      conn->deadline->Clear();
    } else {
      conn->deadline.emplace(conn->socket());
    }
    co_return std::move(conn);
  }

  // The request head for the upstream, into *out (its capacity is reused:
  // it is the pooled connection's).
  static void BuildUpstreamRequest(WorkerState& w, const RequestHead& h, const RouteMatch& m,
                                   const UpstreamConfig& u, const Principal& p,
                                   std::size_t body_size, const Call& x, bool tls_client,
                                   std::string* req) {
    std::vector<std::string_view>& conn_named = w.conn_named;
    conn_named.clear();
    for (const HeaderField& f : h.headers) {
      if (EqualsIgnoreCase(f.name, "connection")) {
        ForEachListItem(f.value, [&](std::string_view t) { conn_named.push_back(t); });
      }
    }
    std::string& out = *req;
    out.clear();
    out.reserve(512 + h.headers.size() * 48);
    StrAppend(&out, h.method, " ", u.base_path, m.path);
    if (!m.query.empty()) StrAppend(&out, "?", m.query);
    StrAppend(&out, " HTTP/1.1\r\nHost: ", u.host);
    if (!((u.scheme == "http" && u.port == 80) || (u.scheme == "https" && u.port == 443))) {
      char port[8];
      auto end = std::to_chars(port, port + sizeof port, u.port).ptr;
      StrAppend(&out, ":", std::string_view(port, end - port));
    }
    out += std::string_view("\r\n");
    for (const HeaderField& f : h.headers) {
      if (IsHopByHopField(f.name) || IsGatewayOwnedField(f.name) || Named(conn_named, f.name))
        continue;
      StrAppend(&out, f.name, ": ", f.value, "\r\n");
    }
    StrAppend(&out, "X-Request-Id: ", x.rec.request_id, "\r\n");
    if (!x.rec.remote.empty()) StrAppend(&out, "X-Forwarded-For: ", x.rec.remote, "\r\n");
    StrAppend(&out, tls_client ? "X-Forwarded-Proto: https\r\n" : "X-Forwarded-Proto: http\r\n",
              "X-Rampart-Identity: ", p.identity, "\r\n");
    if (body_size > 0 || h.method == "POST" || h.method == "PUT" || h.method == "PATCH") {
      char digits[24];
      auto r = std::to_chars(digits, digits + sizeof digits, body_size);
      StrAppend(&out, "Content-Length: ", std::string_view(digits, r.ptr - digits), "\r\n");
    }
    out += std::string_view("\r\n");
  }

  // Runs one piece of a response body through the response filters in
  // order; *out gets what the client should receive. False: a filter ended
  // the response (*out holds its final bytes).
  static bool FilterPiece(std::vector<std::unique_ptr<ResponseFilter>>& rfs, std::string_view in,
                          bool last, std::string* out, Call* x) {
    std::string next;
    std::string cur(in);
    for (auto& rf : rfs) {
      next.clear();
      bool go_on = rf->Feed(cur, &next);
      if (go_on && last) rf->Finish(&next);
      cur.swap(next);
      if (!go_on) {
        if (!x->rec.filter_notes.empty()) x->rec.filter_notes += "; ";
        x->rec.filter_notes += "response ended: " + std::string(rf->blocked_reason());
        *out = std::move(cur);
        return false;
      }
    }
    *out = std::move(cur);
    return true;
  }

  // Connect, into *conn; false: refused (Refuses). The awaiting frame
  // (SendAndReadHead's) holds a bool, not the error.
  asio::awaitable<bool> ConnectOrRefuse(int worker, const UpstreamConfig& u, Call& x,
                                        std::unique_ptr<UpstreamConn>* conn) {
    auto c = co_await Connect(worker, u);
    if (!c) co_return !Refuses(x, std::move(c.error()));
    *conn = std::move(*c);
    co_return true;
  }

  // The refusal for an upstream that failed before its head was read: it
  // timed out, sent a malformed head (why: *malformed), or closed.
  void UpstreamFailed(Call& x, const UpstreamConfig& u, int worker, bool timed_out,
                      const std::string* malformed) {
    std::string_view kind = timed_out ? "timeout" : malformed ? "bad_response" : "reset";
    metrics_->RecordUpstreamError(worker, u.service, kind);
    if (timed_out) {
      Refuses(x, MakeHttpError(504, "upstream_timeout", "the upstream did not answer in time"));
      return;
    }
    if (malformed) {
      spdlog::warn("gateway: upstream {} ({}:{}): {}", u.service, u.host, u.port, *malformed);
    }
    Refuses(x, MakeHttpError(502, "bad_upstream_response",
                             malformed ? "the upstream sent a malformed response"
                                       : "the upstream closed the connection"));
  }

  // The filters that want to see (and may rewrite) the response body.
  void OpenResponseFilters(const Call& x, int status, std::string_view content_type,
                           std::vector<std::unique_ptr<ResponseFilter>>* rfs) const {
    FilterRequest fr = FilterView(x);
    for (const auto& f : deps_.filters) {
      if (auto rf = f->OnResponse(fr, status, content_type)) rfs->push_back(std::move(rf));
    }
  }

  // Sends the request to the upstream (on a pooled connection from `pool`,
  // or a new one) and reads the response head: its length into
  // *head_bytes, the connection into *conn_out. False: refused (Refuses).
  // Its own coroutine, so that Forward's frame and this one each stay
  // within what Asio recycles.
  asio::awaitable<bool> SendAndReadHead(http::Exchange& ex, const RouteMatch& m,
                                        const UpstreamConfig& u, const Principal& p,
                                        const std::string& body, Call& x, WorkerState::Pool& pool,
                                        const http::ResponseLimits& limits,
                                        std::unique_ptr<UpstreamConn>* conn_out,
                                        std::size_t* head_bytes) {
    const RequestHead& h = ex.head();
    const int worker = ex.conn().worker;
    const bool head_request = h.method == "HEAD";
    std::unique_ptr<UpstreamConn>& conn = *conn_out;
    // A pooled connection the upstream closed while idle fails on first use;
    // then (and only then) the request is sent once more on a new connection.
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool reused = false;
      if (!pool.empty()) {
        conn = std::move(pool.back());
        pool.pop_back();
        reused = true;
      } else {
        if (!co_await ConnectOrRefuse(worker, u, x, &conn)) co_return false;
      }
      BuildUpstreamRequest(workers_[static_cast<std::size_t>(worker)], h, m, u, p, body.size(), x,
                           ex.conn().tls, &conn->req);
      conn->deadline->Set(u.response_timeout);
      // One gather write: head and body leave in one sendmsg.
      std::array<asio::const_buffer, 2> bufs{asio::buffer(conn->req), asio::buffer(body)};
      error_code ec;
      // The upstream's time runs from here to the last read of the head.
      const Steady::time_point sent = Steady::now();
      Steady::time_point last_read = sent;
      if (conn->tls) {
        std::tie(ec, std::ignore) = co_await asio::async_write(*conn->tls, bufs, kUse);
      } else {
        // What the socket takes at once (the rule: a request head and a
        // small body) needs no asynchronous write, nor its operation.
        std::span<asio::const_buffer> rest(bufs);
        if (conn->write_now) rest = http::WriteNow(*conn->plain, rest, &ec);
        if (!ec && !rest.empty()) {
          std::tie(ec, std::ignore) = co_await asio::async_write(*conn->plain, rest, kUse);
        }
      }
      // The head; interim 1xx responses (except 101) are read past, not forwarded.
      bool received = false, timed_out = false, malformed = false;
      std::size_t scanned = 0;
      while (!ec) {
        HeadScan scan = conn->ScanHead(&scanned, head_request, limits, head_bytes);
        if (scan == HeadScan::kMalformed) malformed = true;
        if (scan != HeadScan::kMore) break;
        if (conn->deadline->expired()) {
          timed_out = true;
          break;
        }
        std::size_t n = 0;
        const asio::mutable_buffer room = conn->Room(limits.max_header_bytes);
        std::tie(ec, n) = co_await conn->ReadSome(room);
        conn->NoteRead(room.size(), n);
        last_read = Steady::now();
        conn->end += n;
        received = received || n > 0;
      }
      x.upstream += last_read - sent;
      if (!ec && !malformed && !timed_out) co_return true;
      timed_out = timed_out || (ec && conn->deadline->expired());
      bool stale = reused && attempt == 0 && !received && !timed_out &&
                   (ec == asio::error::eof || ec == asio::error::connection_reset ||
                    ec == asio::error::broken_pipe);
      if (stale) continue;
      UpstreamFailed(x, u, worker, timed_out, malformed ? &conn->malformed : nullptr);
      co_return false;
    }
    co_return false;  // not reached: the second attempt returns
  }

  // Forwards and streams the response to the client.
  asio::awaitable<void> Forward(WorkerState& w, http::Exchange& ex, const RouteMatch& m,
                                const UpstreamConfig& u, const Principal& p,
                                const std::string& body, bool usage_route, Call& x,
                                std::optional<Usage>* usage) {
    const int worker = ex.conn().worker;
    w.key.clear();
    AppendUpstreamKey(u, &w.key);
    auto pool_it = w.idle.find(w.key);
    if (pool_it == w.idle.end()) pool_it = w.idle.emplace(w.key, WorkerState::Pool()).first;
    WorkerState::Pool* pool_of_key = &pool_it->second;
    std::unique_ptr<UpstreamConn> conn;
    const http::ResponseLimits limits;  // a head of up to 64 KiB
    std::size_t head_bytes = 0;
    if (!co_await SendAndReadHead(ex, m, u, p, body, x, *pool_of_key, limits, &conn, &head_bytes)) {
      co_return co_await RefuseCall(ex, x);
    }
    const http::ResponseHead& res = conn->head;
    int status = res.status;
    if (status == 101) {
      metrics_->RecordUpstreamError(worker, u.service, "bad_response");
      Refuses(x, MakeHttpError(502, "bad_upstream_response", "protocol upgrades are not proxied"));
      co_return co_await RefuseCall(ex, x);
    }
    x.rec.status = status;

    // The response head for the client: the upstream's end-to-end fields.
    std::vector<std::string_view>& conn_named = w.conn_named;
    conn_named.clear();
    for (const HeaderField& f : res.headers) {
      if (EqualsIgnoreCase(f.name, "connection")) {
        ForEachListItem(f.value, [&](std::string_view t) { conn_named.push_back(t); });
      }
    }
    std::string_view content_type = res.Find("content-type");
    w.fields.clear();
    for (const HeaderField& f : res.headers) {
      if (IsHopByHopField(f.name) || Named(conn_named, f.name) ||
          EqualsIgnoreCase(f.name, "content-length") || EqualsIgnoreCase(f.name, "x-request-id")) {
        continue;
      }
      w.fields.push_back({f.name, f.value});
    }
    AddOwnFields(x, &w.fields);
    // The filters that want to see (and may rewrite) the body.
    Call::Streaming& st = x.streaming;
    std::vector<std::unique_ptr<ResponseFilter>>& rfs = st.filters;
    if (!deps_.filters.empty()) OpenResponseFilters(x, status, content_type, &rfs);
    std::optional<std::uint64_t> length;
    if (res.content_length && rfs.empty()) length = res.content_length;
    ex.Begin(status, w.fields, length);
    std::optional<UsageScanner>& scanner = st.usage;
    if (usage_route && status / 100 == 2) {
      scanner.emplace(content_type.starts_with("text/event-stream"));
    }
    // The head's bytes (and the views into them above) are done with.
    conn->Consume(head_bytes);

    // Stream the body: each piece goes to the client as soon as it arrives,
    // from the connection's buffer.
    const http::ResponseFraming framing = res.framing;
    const bool keep_alive = res.keep_alive;
    std::uint64_t remaining =
        framing == http::ResponseFraming::kContentLength ? *res.content_length : 0;
    std::optional<http::ChunkedDecoder>& chunks = st.chunks;
    if (framing == http::ResponseFraming::kChunked) chunks.emplace(limits);
    bool done = framing == http::ResponseFraming::kNone;
    bool upstream_ok = true, client_ok = true, stopped_by_filter = false;
    std::string& filtered = st.filtered;
    // Send the head at once when no body bytes are waiting (a stream whose
    // first event is slow still shows its status).
    if (!done && conn->size() == 0) client_ok = co_await ex.Flush();
    while (client_ok && !done) {
      if (conn->size() == 0) {
        conn->deadline->Set(u.response_timeout);
        const Steady::time_point asked = Steady::now();
        const asio::mutable_buffer room = conn->Room(0);
        auto [ec, n] = co_await conn->ReadSome(room);
        conn->NoteRead(room.size(), n);
        x.upstream += Steady::now() - asked;
        conn->end += n;
        if (ec == asio::error::eof && framing == http::ResponseFraming::kUntilClose) {
          done = true;  // a close-delimited body ends here
        } else if (ec) {
          upstream_ok = false;
          metrics_->RecordUpstreamError(worker, u.service,
                                        conn->deadline->expired() ? "timeout" : "reset");
          break;
        }
      }
      std::string_view piece;
      bool malformed = false;
      if (framing == http::ResponseFraming::kChunked) {
        // On a malformed chunk, what was decoded before it still goes out.
        std::size_t produced = 0;
        auto used = chunks->FeedInPlace(conn->buffered_span(), &produced);
        piece = conn->buffered().substr(0, produced);
        malformed = !used;
        conn->Consume(used ? *used : conn->size());
        done = used && chunks->done();
      } else {
        std::size_t n = conn->size();
        if (framing == http::ResponseFraming::kContentLength) {
          n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, n));
          remaining -= n;
          done = remaining == 0;
        }
        piece = conn->buffered().substr(0, n);
        conn->Consume(n);
      }
      if (scanner && !piece.empty()) scanner->Feed(piece);
      bool last = done;
      if (!rfs.empty()) {
        bool go_on = FilterPiece(rfs, piece, last, &filtered, &x);
        if (!go_on) {
          stopped_by_filter = true;
          last = true;
        }
        piece = filtered;
      }
      if (!piece.empty() || last) client_ok = co_await ex.Write(piece, last);
      if (stopped_by_filter) break;
      if (malformed) {
        upstream_ok = false;
        metrics_->RecordUpstreamError(worker, u.service, "bad_response");
        break;
      }
    }
    if (client_ok && upstream_ok && !ex.ended()) {
      if (!rfs.empty() && !stopped_by_filter) {
        // A body that ended without a last piece: what the filters held back.
        FilterPiece(rfs, "", true, &filtered, &x);
        client_ok = co_await ex.Write(filtered, true);
      } else {
        client_ok = co_await ex.End();
      }
    }
    x.rec.bytes_out = ex.bytes_out();
    if (scanner) *usage = scanner->Finish();
    if (*usage) {
      x.rec.prompt_tokens = (*usage)->prompt_tokens;
      x.rec.completion_tokens = (*usage)->completion_tokens;
    }
    if (!upstream_ok) {
      // The status already went out; the client sees a truncated body (the
      // server closes the connection: the response did not end).
      x.rec.error_code = "upstream_reset_mid_body";
    }
    if (stopped_by_filter) x.rec.error_code = "blocked_by_filter";
    // Reused only when this response was read whole and nothing follows it.
    if (upstream_ok && !stopped_by_filter && done && keep_alive && conn->size() == 0) {
      auto& pool = *pool_of_key;
      if (pool.size() < u.pool_size) {
        conn->deadline->Clear();
        pool.push_back(std::move(conn));
      }
    }
    Finish(worker, x);
  }

  // ---- admin listener -----------------------------------------------------------------------

  class AdminHandler final : public http::Handler {
   public:
    explicit AdminHandler(Impl& gw) : gw_(gw) {}
    asio::awaitable<void> Handle(http::Exchange& x) override {
      std::string_view target = x.head().target;
      std::string_view path = target.substr(0, target.find('?'));
      if (x.head().method != "GET" && x.head().method != "HEAD") {
        HttpError e = MakeHttpError(405, "method_not_allowed", "the admin listener serves GET");
        e.allow = "GET, HEAD";
        co_await x.RespondError(e);
        co_return;
      }
      if (path == "/metrics") {
        std::string body = gw_.metrics_->Render();
        for (const auto& f : gw_.deps_.filters) f->RenderMetrics(&body);
        std::array<http::Field, 1> f{
            http::Field{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}};
        co_return (void) co_await x.Respond(200, f, body);
      }
      if (path == "/healthz") {
        bool draining = gw_.draining_;
        std::array<http::Field, 1> f{http::Field{"Content-Type", "application/json"}};
        co_return (void) co_await x.Respond(
            draining ? 503 : 200, f,
            draining ? "{\"status\":\"draining\"}\n" : "{\"status\":\"ok\"}\n");
      }
      co_await x.RespondError(
          MakeHttpError(404, "not_found", "the admin listener serves /metrics and /healthz"));
    }

   private:
    Impl& gw_;
  };

  ServerDeps deps_;
  GatewayConfig cfg_;
  int threads_ = 1;
  RequestLimits limits_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<RateLimiter> ip_limiter_;  // limits.requests_per_second_per_ip; null: off
  LimitSpec ip_spec_;
  std::unique_ptr<AccessLog> access_log_;
  std::unique_ptr<AuditBatcher> audit_;
  std::mutex tls_mu_;
  std::unordered_map<std::string, std::shared_ptr<ssl::context>> upstream_tls_;
  std::mutex policy_mu_;
  std::shared_ptr<const Policy> policy_;
  std::atomic<std::uint64_t> policy_gen_{0};
  std::atomic<bool> draining_{false};
  std::atomic<bool> stopped_{false};
  std::uint16_t port_ = 0;
  std::uint16_t admin_port_ = 0;
  std::vector<WorkerState> workers_;
  std::unique_ptr<AdminHandler> admin_handler_;
  // Last: destroyed first (their connections refer to everything above).
  std::unique_ptr<http::Server> admin_;
  std::unique_ptr<http::Server> server_;
};

GatewayServer::GatewayServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GatewayServer::~GatewayServer() {
  if (impl_) impl_->Stop(std::chrono::milliseconds(0));
}
std::uint16_t GatewayServer::port() const { return impl_->port(); }
std::uint16_t GatewayServer::admin_port() const { return impl_->admin_port(); }
const Metrics& GatewayServer::metrics() const { return impl_->metrics(); }
void GatewayServer::SetPolicy(std::shared_ptr<const Policy> policy) {
  impl_->SetPolicy(std::move(policy));
}
void GatewayServer::Stop(std::chrono::milliseconds drain) { impl_->Stop(drain); }

Result<std::unique_ptr<GatewayServer>> GatewayServer::Start(std::shared_ptr<const Policy> policy,
                                                            ServerDeps deps) {
  if (!policy) return InvalidArgumentError("gateway server needs a policy");
  auto impl = std::make_unique<Impl>(std::move(policy), std::move(deps));
  RAMPART_RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<GatewayServer>(new GatewayServer(std::move(impl)));
}

}  // namespace rampart::gateway
