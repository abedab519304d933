// The gateway proxy on Boost.Asio/Beast coroutines. One session coroutine per
// client connection; the request pipeline of server.h runs inside it, every
// read under a deadline, every write of a streamed response as soon as its
// bytes arrive from the upstream.
#include "gateway/server.h"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/json.h"
#include "gateway/audit.h"
#include "gateway/http_parse.h"
#include "gateway/usage.h"

namespace rampart::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Steady = std::chrono::steady_clock;
using boost::system::error_code;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

std::string ErrorBody(std::string_view code, std::string_view message) {
  return ToJson(json::object{{"error", json::object{{"code", code}, {"message", message}}}}) + "\n";
}

std::string_view Reason(int status) {
  std::string_view r = http::obsolete_reason(static_cast<http::status>(status));
  return r.empty() ? "Unknown" : r;
}

// Tokens of a Connection field: the extra hop-by-hop fields it names.
std::vector<std::string> ConnectionTokens(std::string_view v) {
  std::vector<std::string> out;
  while (!v.empty()) {
    std::size_t comma = v.find(',');
    std::string_view t = v.substr(0, comma);
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    if (!t.empty()) out.emplace_back(t);
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return out;
}

bool Named(const std::vector<std::string>& names, std::string_view n) {
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
  for (std::string_view o : kOwned) {
    if (EqualsIgnoreCase(n, o)) return true;
  }
  return false;
}

struct UpstreamConn {
  std::optional<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buf;
  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

// The upstream operations are awaited inline in Forward, not through helper
// coroutines: each helper call would allocate a coroutine frame per request.

std::string UpstreamKey(const UpstreamConfig& u) {
  return u.scheme + "://" + u.host + ":" + std::to_string(u.port) + "|" + u.server_name + "|" +
         u.ca_file.string() + "|" + u.client_cert.string();
}

// Per-connection state the drain logic can reach.
struct ConnState {
  beast::tcp_stream* lowest = nullptr;
  bool idle = true;  // waiting for a request head, nothing of it received
};

// What one request has learnt so far; becomes the access record.
struct Exchange {
  AccessRecord rec;
  Steady::time_point t0;
  bool close = false;         // close the client connection after the response
  std::string extra_headers;  // "Name: value\r\n" lines added to the response
};

enum class HeadStatus { kOk, kClosed, kTimeout, kTooLarge };

}  // namespace

struct Worker {
  int index = 0;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<tcp::acceptor> admin;
  std::unordered_map<std::string, std::vector<std::unique_ptr<UpstreamConn>>> idle;
  std::uint64_t policy_gen = ~0ull;
  std::shared_ptr<const Policy> policy;
  std::mt19937_64 rng{std::random_device{}()};
  std::unordered_set<ConnState*> conns;
  std::thread thread;
  // Declared last: destroyed first, while the members above that suspended
  // coroutine frames refer to are still alive.
  asio::io_context ioc{1};
};

class GatewayServer::Impl {
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
  }

  ~Impl() { Stop(std::chrono::milliseconds(0)); }

  Status Start() {
    if (!deps_.limiter) return InvalidArgumentError("gateway server needs a rate limiter");
    if (cfg_.listener.tls()) RAMPART_RETURN_IF_ERROR(SetUpTls());
    error_code ec;
    auto addr =
        asio::ip::make_address(cfg_.listener.host.empty() ? "127.0.0.1" : cfg_.listener.host, ec);
    if (ec) {
      return InvalidArgumentError("gateway listen address '" + cfg_.listener.host +
                                  "' is not an IP address");
    }
    std::uint16_t port = cfg_.listener.port;
    for (int i = 0; i < threads_; ++i) {
      auto w = std::make_unique<Worker>();
      w->index = i;
      w->acceptor = std::make_unique<tcp::acceptor>(w->ioc);
      RAMPART_RETURN_IF_ERROR(Listen(*w->acceptor, tcp::endpoint(addr, port), true));
      port = w->acceptor->local_endpoint(ec).port();
      workers_.push_back(std::move(w));
    }
    port_ = port;
    if (cfg_.admin.enabled) {
      Worker& w0 = *workers_[0];
      auto admin_addr = asio::ip::make_address(cfg_.admin.host, ec);
      if (ec) return InvalidArgumentError("gateway admin address '" + cfg_.admin.host + "'");
      w0.admin = std::make_unique<tcp::acceptor>(w0.ioc);
      RAMPART_RETURN_IF_ERROR(Listen(*w0.admin, tcp::endpoint(admin_addr, cfg_.admin.port), false));
      admin_port_ = w0.admin->local_endpoint(ec).port();
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
      audit_ = std::make_unique<AuditBatcher>(deps_.audit, ao, metrics_.get());
    }
    for (auto& w : workers_) {
      Worker* wp = w.get();
      asio::co_spawn(wp->ioc, AcceptLoop(*wp), asio::detached);
      if (wp->admin) asio::co_spawn(wp->ioc, AdminLoop(*wp), asio::detached);
      wp->thread = std::thread([wp] {
        for (;;) {
          try {
            wp->ioc.run();
            return;
          } catch (const std::exception& e) {
            // A bug, never an input: log loudly and keep serving.
            spdlog::error("gateway: worker {}: unexpected exception: {}", wp->index, e.what());
          }
        }
      });
    }
    spdlog::info("gateway: listening on {}://{}:{} ({} threads{}){}", scheme, host, port_, threads_,
                 ssl_ && cfg_.listener.client_ca.empty() ? "" : (ssl_ ? ", mTLS" : ""),
                 admin_port_
                     ? fmt::format("; admin on http://{}:{}/metrics", cfg_.admin.host, admin_port_)
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
    for (auto& w : workers_) {
      Worker* wp = w.get();
      asio::post(wp->ioc, [wp] {
        error_code ec;
        if (wp->acceptor) wp->acceptor->close(ec);
        for (ConnState* c : wp->conns) {
          if (c->idle && c->lowest) c->lowest->cancel();
        }
      });
    }
    auto deadline = Steady::now() + drain;
    while (metrics_ && metrics_->requests_in_flight.load() > 0 && Steady::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (metrics_ && metrics_->requests_in_flight.load() > 0) {
      spdlog::warn("gateway: {} request(s) still in flight after the drain period; closing",
                   metrics_->requests_in_flight.load());
    }
    for (auto& w : workers_) w->ioc.stop();
    for (auto& w : workers_) {
      if (w->thread.joinable()) w->thread.join();
    }
    for (auto& w : workers_) {
      w->idle.clear();
      w->acceptor.reset();
      w->admin.reset();
    }
    workers_.clear();  // destroys suspended sessions while the rest is alive
    if (audit_) audit_->Stop();
    spdlog::info("gateway: stopped");
  }

  std::uint16_t port() const { return port_; }
  std::uint16_t admin_port() const { return admin_port_; }
  const Metrics& metrics() const { return *metrics_; }

 private:
  Status Listen(tcp::acceptor& a, tcp::endpoint ep, bool reuse_port) {
    error_code ec;
    a.open(ep.protocol(), ec);
    if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && reuse_port) a.set_option(ReusePort(true), ec);
    if (!ec) a.bind(ep, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return UnavailableError("gateway cannot listen on " + ep.address().to_string() + ":" +
                              std::to_string(ep.port()) + ": " + ec.message());
    }
    return OkStatus();
  }

  Status SetUpTls() {
    ssl_.emplace(ssl::context::tls_server);
    error_code ec;
    ssl_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1,
                      ec);
    ssl_->use_certificate_chain_file(cfg_.listener.tls_cert.string(), ec);
    if (ec) {
      return InvalidArgumentError("gateway TLS certificate " + cfg_.listener.tls_cert.string() +
                                  ": " + ec.message());
    }
    ssl_->use_private_key_file(cfg_.listener.tls_key.string(), ssl::context::pem, ec);
    if (ec) {
      return InvalidArgumentError("gateway TLS key " + cfg_.listener.tls_key.string() + ": " +
                                  ec.message());
    }
    if (!cfg_.listener.client_ca.empty()) {
      ssl_->load_verify_file(cfg_.listener.client_ca.string(), ec);
      if (ec) {
        return InvalidArgumentError("gateway client CA " + cfg_.listener.client_ca.string() + ": " +
                                    ec.message());
      }
      // Verified when sent; required only when configured (keys and tokens
      // also authenticate).
      int mode = ssl::verify_peer;
      if (cfg_.listener.require_client_cert) mode |= ssl::verify_fail_if_no_peer_cert;
      ssl_->set_verify_mode(mode, ec);
      // With peer verification on, OpenSSL aborts every session resumption
      // (a reconnecting client) unless a session id context is set; the CA
      // path keeps sessions verified against another CA from resuming.
      std::string sid = "rampart-gateway|" + cfg_.listener.client_ca.string();
      sid.resize(std::min<std::size_t>(sid.size(), SSL_MAX_SID_CTX_LENGTH));
      SSL_CTX_set_session_id_context(ssl_->native_handle(),
                                     reinterpret_cast<const unsigned char*>(sid.data()),
                                     static_cast<unsigned>(sid.size()));
    }
    return OkStatus();
  }

  std::shared_ptr<const Policy> CurrentPolicy(Worker& w) {
    std::uint64_t g = policy_gen_.load(std::memory_order_acquire);
    if (g != w.policy_gen) {
      std::lock_guard lock(policy_mu_);
      w.policy = policy_;
      w.policy_gen = g;
    }
    return w.policy;
  }

  // ---- accepting --------------------------------------------------------------------

  asio::awaitable<void> AcceptLoop(Worker& w) {
    for (;;) {
      auto [ec, socket] = co_await w.acceptor->async_accept(kUse);
      if (ec) {
        if (!w.acceptor->is_open() || draining_) co_return;
        if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
          // Out of file descriptors: back off instead of spinning.
          asio::steady_timer t(w.ioc, std::chrono::milliseconds(50));
          co_await t.async_wait(kUse);
        }
        continue;
      }
      if (static_cast<std::size_t>(metrics_->open_connections.load()) >=
          cfg_.protection.max_connections) {
        metrics_->RecordRejection(w.index, "max_connections");
        error_code ignored;
        socket.close(ignored);
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      ++metrics_->open_connections;
      asio::co_spawn(w.ioc, Connection(w, std::move(socket)), [this](std::exception_ptr e) {
        --metrics_->open_connections;
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            spdlog::error("gateway: connection ended by an exception: {}", ex.what());
          }
        }
      });
    }
  }

  asio::awaitable<void> Connection(Worker& w, tcp::socket socket) {
    error_code ec;
    auto remote = socket.remote_endpoint(ec);
    std::string peer = ec ? "" : remote.address().to_string();
    if (!ssl_) {
      beast::tcp_stream stream(std::move(socket));
      co_await Serve(w, stream, peer, {});
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *ssl_);
    beast::get_lowest_layer(stream).expires_after(cfg_.protection.header_read_timeout);
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, kUse);
    if (hec) {
      metrics_->RecordRejection(w.index, "tls_handshake");
      co_return;
    }
    std::vector<std::string> sans = PeerSans(stream.native_handle());
    co_await Serve(w, stream, peer, sans);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(kUse);
  }

  // SAN URIs and DNS names of a client certificate that verified.
  static std::vector<std::string> PeerSans(SSL* s) {
    std::vector<std::string> out;
    X509* cert = SSL_get1_peer_certificate(s);
    if (cert == nullptr) return out;
    if (SSL_get_verify_result(s) == X509_V_OK) {
      unsigned char* der = nullptr;
      int len = i2d_X509(cert, &der);
      if (len > 0) {
        auto c = crypto::Certificate::FromDer(crypto::ByteView(der, static_cast<std::size_t>(len)));
        if (c) {
          for (auto& u : c->san_uris()) out.push_back(std::move(u));
          for (auto& d : c->san_dns()) out.push_back(std::move(d));
        }
      }
      OPENSSL_free(der);
    }
    X509_free(cert);
    return out;
  }

  // ---- one client connection ------------------------------------------------------------

  template <class Stream>
  asio::awaitable<void> Serve(Worker& w, Stream& stream, const std::string& peer,
                              std::vector<std::string> sans) {
    beast::tcp_stream& lowest = beast::get_lowest_layer(stream);
    ConnState state;
    state.lowest = &lowest;
    w.conns.insert(&state);
    struct Unregister {
      Worker& w;
      ConnState* s;
      ~Unregister() { w.conns.erase(s); }
    } unregister{w, &state};

    beast::flat_buffer buf;
    bool first = true;
    std::string head_bytes;
    for (;;) {
      if (draining_) co_return;
      state.idle = buf.size() == 0;
      std::size_t head_len = 0;
      HeadStatus hs = co_await ReadHead(stream, buf, state, first, &head_len);
      first = false;
      state.idle = false;
      if (hs == HeadStatus::kClosed) co_return;
      Exchange x;
      x.t0 = Steady::now();
      x.rec.time = std::chrono::system_clock::now();
      x.rec.request_id = fmt::format("{:016x}", w.rng());
      x.rec.remote = peer;
      x.rec.route = "unmatched";
      if (hs == HeadStatus::kTimeout) {
        HttpError e =
            MakeHttpError(408, "header_timeout", "the request header did not arrive in time");
        co_await Refuse(w, stream, x, e);
        co_return;
      }
      if (hs == HeadStatus::kTooLarge) {
        HttpError e = MakeHttpError(
            431, "header_too_large",
            "request header is larger than " + std::to_string(limits_.max_header_bytes) + " bytes");
        co_await Refuse(w, stream, x, e);
        co_return;
      }
      // The head is copied out: the buffer moves as the body arrives.
      const char* data = static_cast<const char*>(buf.data().data());
      head_bytes.assign(data, head_len);
      buf.consume(head_len);
      ++metrics_->requests_in_flight;
      bool keep = co_await Handle(w, stream, buf, head_bytes, sans, x);
      --metrics_->requests_in_flight;
      if (!keep || draining_) co_return;
    }
  }

  // One read_some that gives up at `deadline` by cancelling the read, not
  // by closing the socket (beast::tcp_stream's own timeout closes it, and a
  // slow client must still get its 408).
  template <class Stream, class Buffers>
  asio::awaitable<std::tuple<error_code, std::size_t, bool>> ReadSomeBy(
      Stream& stream, Buffers buffers, Steady::time_point deadline) {
    beast::tcp_stream& lowest = beast::get_lowest_layer(stream);
    lowest.expires_never();
    asio::steady_timer timer(lowest.get_executor(), deadline);
    auto timed_out = std::make_shared<bool>(false);
    timer.async_wait([timed_out, &lowest](error_code ec) {
      if (ec) return;  // cancelled: the read finished first (or the frame is gone)
      *timed_out = true;
      error_code ignored;
      lowest.socket().cancel(ignored);
    });
    auto [ec, n] = co_await stream.async_read_some(buffers, kUse);
    timer.cancel();
    co_return std::make_tuple(ec, n, *timed_out);
  }

  // After an error that closes the connection: stop sending, then read and
  // discard what the client is still sending for a moment, so that closing
  // does not reset the connection and destroy the response in flight.
  template <class Stream>
  asio::awaitable<void> LingeringClose(Stream& stream) {
    beast::tcp_stream& lowest = beast::get_lowest_layer(stream);
    error_code ec;
    lowest.socket().shutdown(tcp::socket::shutdown_send, ec);
    auto deadline = Steady::now() + std::chrono::milliseconds(500);
    std::size_t drained = 0;
    char sink[4096];
    while (drained < 256 * 1024 && Steady::now() < deadline) {
      auto [rec, n, late] = co_await ReadSomeBy(lowest, asio::buffer(sink), deadline);
      if (rec || late) break;
      drained += n;
    }
  }

  template <class Stream>
  asio::awaitable<HeadStatus> ReadHead(Stream& stream, beast::flat_buffer& buf, ConnState& state,
                                       bool first, std::size_t* head_len) {
    beast::tcp_stream& lowest = beast::get_lowest_layer(stream);
    std::optional<Steady::time_point> head_deadline;
    if (first || buf.size() > 0)
      head_deadline = Steady::now() + cfg_.protection.header_read_timeout;
    for (;;) {
      std::string_view have(static_cast<const char*>(buf.data().data()), buf.size());
      // Empty lines before a request are ignored (RFC 9112 section 2.2).
      std::size_t skip = 0;
      while (have.substr(skip, 2) == "\r\n") skip += 2;
      if (skip > 0) {
        buf.consume(skip);
        have.remove_prefix(skip);
      }
      if (std::size_t end = FindHeadEnd(have); end != 0) {
        *head_len = end;
        co_return end > limits_.max_header_bytes ? HeadStatus::kTooLarge : HeadStatus::kOk;
      }
      if (have.size() > limits_.max_header_bytes) co_return HeadStatus::kTooLarge;
      if (draining_ && have.empty()) co_return HeadStatus::kClosed;
      auto space =
          buf.prepare(std::min<std::size_t>(8192, limits_.max_header_bytes + 4 - have.size()));
      error_code ec;
      std::size_t n = 0;
      bool timed_out = false;
      if (!head_deadline) {
        // Idle between requests, nothing of the next one received: the
        // stream's own timeout may close the connection (there is no 408 to
        // send), and it costs no timer and no coroutine frame per request.
        lowest.expires_after(cfg_.protection.idle_timeout);
        std::tie(ec, n) = co_await stream.async_read_some(space, kUse);
        lowest.expires_never();
        timed_out = ec == beast::error::timeout;
      } else {
        std::tie(ec, n, timed_out) = co_await ReadSomeBy(stream, space, *head_deadline);
      }
      buf.commit(n);
      if (n > 0) {
        state.idle = false;
        if (!head_deadline) head_deadline = Steady::now() + cfg_.protection.header_read_timeout;
      }
      if (ec) {
        bool partial = buf.size() > 0;
        if (timed_out && partial) co_return HeadStatus::kTimeout;
        co_return HeadStatus::kClosed;
      }
    }
  }

  // Answers with a JSON error. Returns whether the connection may stay open.
  template <class Stream>
  asio::awaitable<bool> Refuse(Worker& w, Stream& stream, Exchange& x, const HttpError& e,
                               bool close = true, std::string extra = {}) {
    x.close = x.close || close;
    x.rec.status = e.http_status;
    x.rec.error_code = e.code;
    x.rec.denied = true;
    std::string body = ErrorBody(e.code, e.message);
    std::string out = fmt::format(
        "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n"
        "X-Request-Id: {}\r\nCache-Control: no-store\r\n",
        e.http_status, Reason(e.http_status), body.size(), x.rec.request_id);
    if (e.http_status == 401) out += "WWW-Authenticate: Bearer realm=\"rampart\"\r\n";
    if (e.http_status == 405 && !e.allow.empty()) out += "Allow: " + e.allow + "\r\n";
    out += extra;
    out += x.extra_headers;
    if (x.close) out += "Connection: close\r\n";
    out += "\r\n";
    out += body;
    x.rec.bytes_out = body.size();
    beast::get_lowest_layer(stream).expires_after(cfg_.protection.idle_timeout);
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(out), kUse);
    metrics_->RecordRejection(w.index, e.code);
    Finish(w, x);
    if (!ec && x.close) co_await LingeringClose(stream);
    co_return !ec && !x.close;
  }

  void Finish(Worker& w, Exchange& x) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - x.t0);
    x.rec.duration_us = static_cast<std::uint64_t>(us.count());
    metrics_->RecordRequest(w.index, x.rec.route, x.rec.model.empty() ? "-" : x.rec.model,
                            x.rec.status, us);
    if (access_log_) access_log_->Write(x.rec);
    if (audit_) audit_->Record(x.rec);
  }

  // The pipeline. Returns whether the connection may serve another request.
  template <class Stream>
  asio::awaitable<bool> Handle(Worker& w, Stream& stream, beast::flat_buffer& buf,
                               const std::string& head_bytes, const std::vector<std::string>& sans,
                               Exchange& x) {
    auto head = ParseRequestHead(head_bytes, limits_);
    if (!head) co_return co_await Refuse(w, stream, x, head.error());
    x.rec.method = std::string(head->method);
    x.rec.path = std::string(head->target.substr(0, head->target.find('?')));
    bool has_body = head->framing != BodyFraming::kNone;
    // A refusal before the body is read closes the connection: the unread
    // body must not be taken for the next request.
    bool close_if_refused = has_body || !head->keep_alive;
    x.close = !head->keep_alive;

    std::shared_ptr<const Policy> policy = CurrentPolicy(w);
    auto match = policy->MatchRoute(head->method, head->target);
    if (!match) co_return co_await Refuse(w, stream, x, match.error(), close_if_refused);
    x.rec.route = std::string(RouteName(match->route->kind));

    Credentials cred;
    int auth_fields = 0, key_fields = 0;
    for (const HeaderField& f : head->headers) {
      if (EqualsIgnoreCase(f.name, "authorization")) {
        cred.authorization = f.value;
        ++auth_fields;
      } else if (EqualsIgnoreCase(f.name, "x-api-key")) {
        cred.api_key = f.value;
        ++key_fields;
      }
    }
    cred.duplicated = auth_fields > 1 || key_fields > 1;
    cred.peer_sans = sans;
    auto principal = policy->Authenticate(cred, std::chrono::system_clock::now());
    if (!principal) co_return co_await Refuse(w, stream, x, principal.error(), close_if_refused);
    x.rec.identity = principal->identity;

    // The body, bounded in size and time.
    std::string body;
    if (has_body) {
      if (head->expect_continue && buf.size() == 0) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [ec, n] = co_await asio::async_write(stream, asio::buffer(kContinue), kUse);
        if (ec) co_return false;
      }
      auto err = co_await ReadBody(stream, buf, *head, &body);
      if (err) co_return co_await Refuse(w, stream, x, *err, true);
    }
    x.rec.bytes_in = body.size();

    // The model: from the JSON body (OpenAI routes) or the path (v2).
    // The request's JSON lives for this request only: its members come from
    // an arena (a stack buffer, then heap blocks for large bodies) that is
    // released at once, not member by member.
    unsigned char json_arena[4096];
    json::monotonic_resource json_mr(json_arena, sizeof json_arena);
    std::optional<json::object> request_json;
    std::string model;
    if (match->route->model_source == ModelSource::kBody) {
      JsonLimits jl;
      jl.max_bytes = limits_.max_body_bytes;
      auto v = ParseJson(body, jl, "", &json_mr);
      if (!v || !v->is_object()) {
        std::string why =
            v ? std::string("the request body must be a JSON object") : v.error().message();
        HttpError e = MakeHttpError(400, "invalid_json", std::move(why));
        co_return co_await Refuse(w, stream, x, e, false);
      }
      request_json = std::move(v->get_object());
      if (auto it = request_json->find("model");
          it != request_json->end() && it->value().is_string())
        model = std::string(it->value().get_string());
    } else if (match->route->model_source == ModelSource::kPath) {
      model = match->model;
    }
    auto target = policy->Authorize(*principal, *match, model);
    if (!target) co_return co_await Refuse(w, stream, x, target.error(), false);
    x.rec.model = model;
    if (policy->config().audit.prompt_digest && !body.empty()) {
      auto d = crypto::Sha256(body);
      x.rec.prompt_digest =
          "sha256:" + HexEncode(std::span<const std::uint8_t>(d.data(), d.size()));
    }

    if (match->route->local) {
      std::string list = policy->ModelListJson(*principal);
      co_return co_await SendLocal(w, stream, x, list);
    }

    // Rate limits, with the token estimate reserved up front.
    auto keys = policy->LimitsFor(*principal, model);
    std::optional<Reservation> reservation;
    if (!keys.empty()) {
      std::uint64_t estimate =
          request_json
              ? EstimateTokens(*request_json, policy->config().rate_limits.default_max_tokens)
              : 0;
      // The local limiter answers at once; Redis is awaited without blocking the thread.
      std::optional<Admission> decided = deps_.limiter->TryAdmit(keys, estimate);
      if (!decided) decided = co_await deps_.limiter->Admit(keys, estimate);
      Admission& admitted = *decided;
      if (!admitted) {
        metrics_->RecordRateLimit(w.index, "error");
        spdlog::warn("gateway: rate limiter cannot decide: {}", admitted.error().message());
        HttpError e = MakeHttpError(503, "rate_limiter_unavailable",
                                    "rate limits cannot be checked right now");
        std::string extra = "Retry-After: 1\r\n";
        co_return co_await Refuse(w, stream, x, e, false, std::move(extra));
      }
      const Decision& d = admitted->first;
      x.extra_headers = RateLimitHeaders(d);
      if (!d.allowed) {
        metrics_->RecordRateLimit(w.index, d.reason);
        auto secs = std::max<std::int64_t>(1, (d.retry_after.count() + 999) / 1000);
        HttpError e = MakeHttpError(429, "rate_limited", "rate limit exceeded (" + d.reason + ")");
        std::string extra = "Retry-After: " + std::to_string(secs) + "\r\n";
        co_return co_await Refuse(w, stream, x, e, false, std::move(extra));
      }
      metrics_->RecordRateLimit(w.index, "allowed");
      reservation = std::move(admitted->second);
    }

    auto up_it = policy->config().upstreams.find(target->service_name);
    if (up_it == policy->config().upstreams.end() || up_it->second.url.empty()) {
      if (reservation) (void)deps_.limiter->Settle(*reservation, 0);
      HttpError e = MakeHttpError(
          502, "no_upstream",
          "no upstream is configured for service '" + std::string(target->service_name) + "'");
      co_return co_await Refuse(w, stream, x, e, false);
    }
    const UpstreamConfig& up = up_it->second;
    x.rec.denied = false;
    bool usage_route = match->route->family == ProtocolFamily::kOpenAi &&
                       match->route->model_source == ModelSource::kBody;
    std::optional<Usage> usage;
    bool keep =
        co_await Forward(w, stream, *head, *match, up, *principal, body, usage_route, x, &usage);
    if (reservation) {
      std::uint64_t actual =
          usage ? usage->total_tokens
                : (x.rec.status > 0 && x.rec.status < 500 ? reservation->reserved_tokens : 0);
      if (Status s = deps_.limiter->Settle(*reservation, actual); !s.ok()) {
        spdlog::warn("gateway: rate limiter settle failed: {}", s.message());
      }
    }
    co_return keep;
  }

  static std::string RateLimitHeaders(const Decision& d) {
    if (d.limit == 0 && d.policy.empty()) return "";
    std::string s =
        fmt::format("RateLimit-Limit: {}\r\nRateLimit-Remaining: {}\r\nRateLimit-Reset: {}\r\n",
                    d.limit, d.remaining, d.reset.count());
    if (!d.policy.empty()) s += "RateLimit-Policy: " + d.policy + "\r\n";
    return s;
  }

  template <class Stream>
  asio::awaitable<bool> SendLocal(Worker& w, Stream& stream, Exchange& x, const std::string& body) {
    x.rec.status = 200;
    x.rec.denied = false;
    std::string out = fmt::format(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n"
        "X-Request-Id: {}\r\n{}{}\r\n",
        body.size(), x.rec.request_id, x.extra_headers, x.close ? "Connection: close\r\n" : "");
    out += body;
    x.rec.bytes_out = body.size();
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(out), kUse);
    Finish(w, x);
    co_return !ec && !x.close;
  }

  template <class Stream>
  asio::awaitable<std::optional<HttpError>> ReadBody(Stream& stream, beast::flat_buffer& buf,
                                                     const RequestHead& head, std::string* body) {
    Steady::time_point deadline = Steady::now() + cfg_.protection.body_read_timeout;
    std::optional<ChunkedDecoder> dec;
    if (head.framing == BodyFraming::kChunked) dec.emplace(limits_);
    if (head.framing == BodyFraming::kContentLength) body->reserve(head.content_length);
    for (;;) {
      std::string_view have(static_cast<const char*>(buf.data().data()), buf.size());
      if (dec) {
        auto used = dec->Feed(have, body);
        if (!used) co_return used.error();
        buf.consume(*used);
        if (dec->done()) co_return std::nullopt;
      } else {
        std::size_t take = static_cast<std::size_t>(
            std::min<std::uint64_t>(head.content_length - body->size(), have.size()));
        body->append(have.data(), take);
        buf.consume(take);
        if (body->size() == head.content_length) co_return std::nullopt;
      }
      auto [ec, n, timed_out] = co_await ReadSomeBy(stream, buf.prepare(64 * 1024), deadline);
      buf.commit(n);
      if (ec) {
        if (timed_out) {
          co_return MakeHttpError(408, "body_timeout", "the request body did not arrive in time");
        }
        co_return MakeHttpError(400, "incomplete_body",
                                "the connection closed before the body ended");
      }
    }
  }

  // ---- upstream -------------------------------------------------------------------------

  std::shared_ptr<ssl::context> UpstreamTls(const UpstreamConfig& u, Status* err) {
    std::string key = UpstreamKey(u);
    std::lock_guard lock(tls_mu_);
    auto it = upstream_tls_.find(key);
    if (it != upstream_tls_.end()) return it->second;
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    error_code ec;
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                     ec);
    if (u.ca_file.empty()) {
      ctx->set_default_verify_paths(ec);
    } else {
      ctx->load_verify_file(u.ca_file.string(), ec);
    }
    if (!ec && !u.client_cert.empty()) {
      ctx->use_certificate_chain_file(u.client_cert.string(), ec);
      if (!ec) ctx->use_private_key_file(u.client_key.string(), ssl::context::pem, ec);
    }
    if (ec) {
      *err = InvalidArgumentError("upstream TLS for " + u.service + ": " + ec.message());
      return nullptr;
    }
    ctx->set_verify_mode(ssl::verify_peer);
    upstream_tls_[key] = ctx;
    return ctx;
  }

  // A connected (and TLS-established) upstream connection, or the HttpError to answer.
  asio::awaitable<std::expected<std::unique_ptr<UpstreamConn>, HttpError>> Connect(
      Worker& w, const UpstreamConfig& u) {
    auto fail = [&](int status, std::string code, std::string kind, std::string msg) {
      metrics_->RecordUpstreamError(w.index, u.service, kind);
      spdlog::warn("gateway: upstream {} ({}:{}): {}", u.service, u.host, u.port, msg);
      return std::unexpected(MakeHttpError(status, std::move(code), std::move(msg)));
    };
    auto conn = std::make_unique<UpstreamConn>();
    conn->plain.emplace(w.ioc);
    beast::tcp_stream& s = *conn->plain;
    s.expires_after(u.connect_timeout);
    error_code ec;
    auto addr = asio::ip::make_address(u.host, ec);
    if (!ec) {
      auto [cec] = co_await s.async_connect(tcp::endpoint(addr, u.port), kUse);
      ec = cec;
    } else {
      tcp::resolver resolver(w.ioc);
      auto [rec, results] = co_await resolver.async_resolve(u.host, std::to_string(u.port), kUse);
      if (rec)
        co_return fail(502, "upstream_unavailable", "connect", "cannot resolve upstream host");
      auto [cec, ep] = co_await s.async_connect(results, kUse);
      ec = cec;
    }
    if (ec == beast::error::timeout) {
      co_return fail(504, "upstream_timeout", "timeout", "upstream connect timed out");
    }
    if (ec)
      co_return fail(502, "upstream_unavailable", "connect",
                     "upstream connect failed: " + ec.message());
    s.socket().set_option(tcp::no_delay(true), ec);
    if (u.scheme == "https") {
      Status err;
      auto ctx = UpstreamTls(u, &err);
      if (!ctx) co_return fail(502, "upstream_unavailable", "tls", err.message());
      conn->tls =
          std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*conn->plain), *ctx);
      conn->plain.reset();
      std::string name = u.server_name.empty() ? u.host : u.server_name;
      SSL_set_tlsext_host_name(conn->tls->native_handle(), name.c_str());
      conn->tls->set_verify_callback(ssl::host_name_verification(name));
      beast::get_lowest_layer(*conn->tls).expires_after(u.connect_timeout);
      auto [hec] = co_await conn->tls->async_handshake(ssl::stream_base::client, kUse);
      if (hec == beast::error::timeout) {
        co_return fail(504, "upstream_timeout", "timeout", "upstream TLS handshake timed out");
      }
      if (hec)
        co_return fail(502, "upstream_unavailable", "tls",
                       "upstream TLS handshake failed: " + hec.message());
    }
    co_return std::move(conn);
  }

  std::string BuildUpstreamRequest(const RequestHead& h, const RouteMatch& m,
                                   const UpstreamConfig& u, const Principal& p,
                                   std::size_t body_size, const Exchange& x, bool tls_client) {
    std::vector<std::string> conn_named;
    for (const HeaderField& f : h.headers) {
      if (EqualsIgnoreCase(f.name, "connection")) {
        auto t = ConnectionTokens(f.value);
        conn_named.insert(conn_named.end(), t.begin(), t.end());
      }
    }
    std::string out;
    out.reserve(512 + h.headers.size() * 48);
    out += h.method;
    out += ' ';
    out += u.base_path;
    out += m.path;
    if (!m.query.empty()) {
      out += '?';
      out += m.query;
    }
    out += " HTTP/1.1\r\nHost: ";
    out += u.host;
    if (!((u.scheme == "http" && u.port == 80) || (u.scheme == "https" && u.port == 443))) {
      out += ':';
      out += std::to_string(u.port);
    }
    out += "\r\n";
    std::string forwarded_for;
    for (const HeaderField& f : h.headers) {
      if (IsHopByHopField(f.name) || IsGatewayOwnedField(f.name) || Named(conn_named, f.name))
        continue;
      out += f.name;
      out += ": ";
      out += f.value;
      out += "\r\n";
    }
    out += "X-Request-Id: " + x.rec.request_id + "\r\n";
    if (!x.rec.remote.empty()) out += "X-Forwarded-For: " + x.rec.remote + "\r\n";
    out += tls_client ? "X-Forwarded-Proto: https\r\n" : "X-Forwarded-Proto: http\r\n";
    out += "X-Rampart-Identity: " + p.identity + "\r\n";
    if (body_size > 0 || h.method == "POST" || h.method == "PUT" || h.method == "PATCH") {
      out += "Content-Length: " + std::to_string(body_size) + "\r\n";
    }
    out += "\r\n";
    return out;
  }

  // Forwards and streams the response. Returns whether the client connection stays open.
  template <class Stream>
  asio::awaitable<bool> Forward(Worker& w, Stream& down, const RequestHead& h, const RouteMatch& m,
                                const UpstreamConfig& u, const Principal& p,
                                const std::string& body, bool usage_route, Exchange& x,
                                std::optional<Usage>* usage) {
    std::string key = UpstreamKey(u);
    std::string req = BuildUpstreamRequest(h, m, u, p, body.size(), x, ssl_.has_value());
    std::unique_ptr<UpstreamConn> conn;
    std::optional<http::response_parser<http::buffer_body>> parser;
    bool head_request = h.method == "HEAD";
    // A pooled connection the upstream closed while idle fails on first use;
    // then (and only then) the request is sent once more on a new connection.
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool reused = false;
      auto& pool = w.idle[key];
      if (!pool.empty()) {
        conn = std::move(pool.back());
        pool.pop_back();
        reused = true;
      } else {
        auto c = co_await Connect(w, u);
        if (!c) co_return co_await Refuse(w, down, x, c.error(), false);
        conn = std::move(*c);
      }
      conn->lowest().expires_after(u.response_timeout);
      // One gather write: head and body leave in one sendmsg.
      std::array<asio::const_buffer, 2> bufs{asio::buffer(req), asio::buffer(body)};
      error_code ec;
      if (conn->tls) {
        std::tie(ec, std::ignore) = co_await asio::async_write(*conn->tls, bufs, kUse);
      } else {
        std::tie(ec, std::ignore) = co_await asio::async_write(*conn->plain, bufs, kUse);
      }
      if (!ec) {
        // Interim 1xx responses (except 101) are read past, not forwarded.
        do {
          parser.emplace();
          parser->header_limit(64 * 1024);
          parser->body_limit(boost::none);
          if (head_request) parser->skip(true);
          if (conn->tls) {
            std::tie(ec, std::ignore) =
                co_await http::async_read_header(*conn->tls, conn->buf, *parser, kUse);
          } else {
            std::tie(ec, std::ignore) =
                co_await http::async_read_header(*conn->plain, conn->buf, *parser, kUse);
          }
        } while (!ec && parser->get().result_int() / 100 == 1 && parser->get().result_int() != 101);
      }
      if (!ec) break;
      bool stale = reused && attempt == 0 && conn->buf.size() == 0 &&
                   (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
                    ec == asio::error::eof || ec == asio::error::broken_pipe);
      if (stale) continue;
      std::string kind =
          ec == beast::error::timeout ? "timeout"
          : (ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
             ec != http::error::end_of_stream && ec != http::error::partial_message)
              ? "bad_response"
              : "reset";
      metrics_->RecordUpstreamError(w.index, u.service, kind);
      if (kind == "timeout") {
        HttpError e = MakeHttpError(504, "upstream_timeout", "the upstream did not answer in time");
        co_return co_await Refuse(w, down, x, e, false);
      }
      HttpError e = MakeHttpError(502, "bad_upstream_response",
                                  kind == "bad_response" ? "the upstream sent a malformed response"
                                                         : "the upstream closed the connection");
      co_return co_await Refuse(w, down, x, e, false);
    }
    auto& res = parser->get();
    int status = res.result_int();
    if (status == 101) {
      metrics_->RecordUpstreamError(w.index, u.service, "bad_response");
      HttpError e =
          MakeHttpError(502, "bad_upstream_response", "protocol upgrades are not proxied");
      co_return co_await Refuse(w, down, x, e, false);
    }
    x.rec.status = status;

    // The response head for the client.
    std::vector<std::string> conn_named;
    std::string content_type;
    for (const auto& f : res) {
      if (f.name() == http::field::connection) {
        auto t = ConnectionTokens(f.value());
        conn_named.insert(conn_named.end(), t.begin(), t.end());
      }
      if (f.name() == http::field::content_type) content_type = std::string(f.value());
    }
    bool no_body = head_request || status == 204 || status == 304;
    bool known_length = !no_body && parser->content_length().has_value();
    bool chunked_out = !no_body && !known_length && h.version_minor == 1;
    bool close_delimited = !no_body && !known_length && !chunked_out;
    bool client_close = x.close || close_delimited || draining_;
    std::string out;
    out.reserve(1024);
    out += fmt::format("HTTP/1.1 {} {}\r\n", status, Reason(status));
    for (const auto& f : res) {
      std::string_view n = f.name_string();
      if (IsHopByHopField(n) || Named(conn_named, n) || EqualsIgnoreCase(n, "content-length") ||
          EqualsIgnoreCase(n, "x-request-id")) {
        continue;
      }
      out += n;
      out += ": ";
      out += f.value();
      out += "\r\n";
    }
    if (known_length) out += fmt::format("Content-Length: {}\r\n", *parser->content_length());
    if (head_request && parser->content_length()) {
      out += fmt::format("Content-Length: {}\r\n", *parser->content_length());
    }
    if (chunked_out) out += "Transfer-Encoding: chunked\r\n";
    out += "X-Request-Id: " + x.rec.request_id + "\r\n";
    out += x.extra_headers;
    if (client_close) out += "Connection: close\r\n";
    out += "\r\n";

    std::optional<UsageScanner> scanner;
    if (usage_route && status / 100 == 2) {
      scanner.emplace(content_type.starts_with("text/event-stream"));
    }
    // Stream the body: each piece goes to the client as soon as it arrives.
    bool upstream_ok = true, client_ok = true;
    char chunk[16 * 1024];
    std::uint64_t sent = 0;
    // Send the head at once when no body bytes are waiting (a stream whose
    // first event is slow still shows its status).
    if (!parser->is_done() && conn->buf.size() == 0) {
      auto [ec, n] = co_await asio::async_write(down, asio::buffer(out), kUse);
      out.clear();
      if (ec) client_ok = false;
    }
    while (client_ok && !parser->is_done()) {
      res.body().data = chunk;
      res.body().size = sizeof chunk;
      conn->lowest().expires_after(u.response_timeout);
      error_code ec;
      if (conn->tls) {
        std::tie(ec, std::ignore) =
            co_await http::async_read_some(*conn->tls, conn->buf, *parser, kUse);
      } else {
        std::tie(ec, std::ignore) =
            co_await http::async_read_some(*conn->plain, conn->buf, *parser, kUse);
      }
      if (ec == http::error::need_buffer) ec = {};
      std::size_t got = sizeof chunk - res.body().size;
      if (ec) {
        upstream_ok = false;
        metrics_->RecordUpstreamError(w.index, u.service,
                                      ec == beast::error::timeout ? "timeout" : "reset");
      }
      if (got > 0) {
        std::string_view piece(chunk, got);
        if (scanner) scanner->Feed(piece);
        sent += got;
        if (chunked_out) {
          out += fmt::format("{:x}\r\n", got);
          out += piece;
          out += "\r\n";
        } else {
          out += piece;
        }
      }
      if (!upstream_ok) break;
      if (parser->is_done() && chunked_out) out += "0\r\n\r\n";
      if (!out.empty()) {
        beast::get_lowest_layer(down).expires_after(cfg_.protection.idle_timeout);
        auto [wec, n] = co_await asio::async_write(down, asio::buffer(out), kUse);
        out.clear();
        if (wec) client_ok = false;
      }
    }
    if (client_ok && upstream_ok && !out.empty()) {
      // A response without a body (or completed with the header).
      if (chunked_out) out += "0\r\n\r\n";
      auto [wec, n] = co_await asio::async_write(down, asio::buffer(out), kUse);
      if (wec) client_ok = false;
    }
    x.rec.bytes_out = sent;
    if (scanner) *usage = scanner->Finish();
    if (*usage) {
      x.rec.prompt_tokens = (*usage)->prompt_tokens;
      x.rec.completion_tokens = (*usage)->completion_tokens;
    }
    if (!upstream_ok) {
      // The status already went out; the client sees a truncated body.
      x.rec.error_code = "upstream_reset_mid_body";
      client_ok = false;
    }
    if (upstream_ok && parser->is_done() && parser->keep_alive() && conn->buf.size() == 0) {
      auto& pool = w.idle[key];
      if (pool.size() < u.pool_size) pool.push_back(std::move(conn));
    }
    Finish(w, x);
    co_return client_ok && !client_close;
  }

  // ---- admin listener -----------------------------------------------------------------------

  asio::awaitable<void> AdminLoop(Worker& w) {
    for (;;) {
      auto [ec, socket] = co_await w.admin->async_accept(kUse);
      if (ec) {
        if (!w.admin->is_open()) co_return;
        continue;
      }
      asio::co_spawn(w.ioc, Admin(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> Admin(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buf;
    for (;;) {
      http::request_parser<http::empty_body> parser;
      parser.header_limit(8 * 1024);
      stream.expires_after(std::chrono::seconds(10));
      auto [ec, n] = co_await http::async_read(stream, buf, parser, kUse);
      if (ec) co_return;
      auto req = parser.release();
      http::response<http::string_body> res;
      res.version(11);
      res.set(http::field::server, "rampart-gateway-admin");
      std::string_view target = req.target();
      std::string_view path = target.substr(0, target.find('?'));
      if (path == "/metrics") {
        res.result(http::status::ok);
        res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        res.body() = metrics_->Render();
      } else if (path == "/healthz") {
        res.result(draining_ ? http::status::service_unavailable : http::status::ok);
        res.set(http::field::content_type, "application/json");
        res.body() = draining_ ? "{\"status\":\"draining\"}\n" : "{\"status\":\"ok\"}\n";
      } else {
        res.result(http::status::not_found);
        res.set(http::field::content_type, "application/json");
        res.body() = ErrorBody("not_found", "the admin listener serves /metrics and /healthz");
      }
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(stream, res, kUse);
      if (wec || !req.keep_alive()) co_return;
    }
  }

  ServerDeps deps_;
  GatewayConfig cfg_;
  int threads_ = 1;
  RequestLimits limits_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<AccessLog> access_log_;
  std::unique_ptr<AuditBatcher> audit_;
  std::optional<ssl::context> ssl_;
  std::mutex tls_mu_;
  std::unordered_map<std::string, std::shared_ptr<ssl::context>> upstream_tls_;
  std::mutex policy_mu_;
  std::shared_ptr<const Policy> policy_;
  std::atomic<std::uint64_t> policy_gen_{0};
  std::atomic<bool> draining_{false};
  std::atomic<bool> stopped_{false};
  std::uint16_t port_ = 0;
  std::uint16_t admin_port_ = 0;
  // Last: destroyed first (their coroutines refer to everything above).
  std::vector<std::unique_ptr<Worker>> workers_;
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
