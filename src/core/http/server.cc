// The HTTP/1.1 server on Boost.Asio/Beast coroutines: one coroutine per
// connection, the connection object is also the Exchange of its current
// request (no allocation per request beyond what the handler does), every
// read under a deadline, every response write as soon as its bytes exist.
#include "core/http/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <cstring>
#include <mutex>
#include <thread>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "core/http/deadline.h"
#include "core/http/noting_stream.h"
#include "core/http/read_drained.h"
#include "core/http/server_internal.h"
#include "core/http/write_now.h"
#include "core/json.h"
#include "core/str_append.h"

namespace rampart::http {
namespace {

namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Steady = std::chrono::steady_clock;
using boost::system::error_code;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

using internal::ConnState;
using internal::ServerCore;
using internal::Worker;

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

enum class HeadStatus { kOk, kClosed, kTimeout, kTooLarge };

}  // namespace

std::string_view ReasonPhrase(int status) {
  std::string_view r = beast::http::obsolete_reason(static_cast<beast::http::status>(status));
  return r.empty() ? "Unknown" : r;
}

std::string ErrorBody(std::string_view code, std::string_view message) {
  return ToJson(json::object{{"error", json::object{{"code", code}, {"message", message}}}}) + "\n";
}

asio::awaitable<bool> Exchange::Respond(int status, std::span<const Field> fields,
                                        std::string_view body) {
  Begin(status, fields, body.size());
  co_return co_await Write(body, true);
}

asio::awaitable<bool> Exchange::RespondError(const HttpError& e, std::span<const Field> extra) {
  std::string body = ErrorBody(e.code, e.message);
  std::array<Field, 16> f;
  std::size_t n = 0;
  f[n++] = {"Content-Type", "application/json"};
  f[n++] = {"Cache-Control", "no-store"};
  if (e.http_status == 401) f[n++] = {"WWW-Authenticate", "Bearer realm=\"rampart\""};
  if (e.http_status == 405 && !e.allow.empty()) f[n++] = {"Allow", e.allow};
  std::vector<Field> more;
  std::span<const Field> all;
  if (n + extra.size() <= f.size()) {
    for (const Field& x : extra) f[n++] = x;
    all = std::span<const Field>(f.data(), n);
  } else {
    more.assign(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(n));
    more.insert(more.end(), extra.begin(), extra.end());
    all = more;
  }
  co_return co_await Respond(e.http_status, all, body);
}

asio::awaitable<void> Handler::Refused(Exchange& x, const HttpError& e) {
  co_await x.RespondError(e);
}

// ---- workers ------------------------------------------------------------------------------

class Server::Impl {
 public:
  Impl(ServerOptions o, Handler& h)
      : handler_(h), stats_(o.stats != nullptr ? *o.stats : own_stats_) {
    core_.opts = std::move(o);
    core_.handler = &h;
    core_.stats = &stats_;
    threads_ =
        opts_.threads > 0 ? opts_.threads : static_cast<int>(std::thread::hardware_concurrency());
    threads_ = std::max(1, threads_);
  }
  ~Impl() { Stop(std::chrono::milliseconds(0)); }

  Status Start() {
    if (opts_.tls.enabled()) {
      if (opts_.tls.context_id == "rampart") opts_.tls.context_id = "rampart-" + opts_.name;
      if (opts_.http2 && opts_.tls.alpn.empty()) opts_.tls.alpn = {"h2", "http/1.1"};
      auto ctx = tls::MakeServerContext(opts_.tls, opts_.name);
      if (!ctx) return ctx.error();
      ssl_ = std::move(*ctx);
    }
    error_code ec;
    auto addr = asio::ip::make_address(opts_.host, ec);
    if (ec) {
      return InvalidArgumentError(opts_.name + " listen address '" + opts_.host +
                                  "' is not an IP address");
    }
    std::uint16_t port = opts_.port;
    for (int i = 0; i < threads_; ++i) {
      auto w = std::make_unique<Worker>();
      w->index = i;
      w->acceptor = std::make_unique<tcp::acceptor>(w->ioc);
      RAMPART_RETURN_IF_ERROR(Listen(*w->acceptor, tcp::endpoint(addr, port)));
      port = w->acceptor->local_endpoint(ec).port();
      workers_.push_back(std::move(w));
    }
    port_ = port;
    for (auto& w : workers_) {
      Worker* wp = w.get();
      asio::co_spawn(wp->ioc, AcceptLoop(*wp), asio::detached);
      asio::co_spawn(wp->ioc, Tick(*wp), asio::detached);
      wp->thread = std::thread([this, wp] {
        for (;;) {
          try {
            wp->ioc.run();
            return;
          } catch (const std::exception& e) {
            // A bug, never an input: log loudly and keep serving.
            spdlog::error("{}: worker {}: unexpected exception: {}", opts_.name, wp->index,
                          e.what());
          }
        }
      });
    }
    return OkStatus();
  }

  void Stop(std::chrono::milliseconds drain) {
    if (stopped_.exchange(true)) return;
    core_.draining = true;
    for (auto& w : workers_) {
      Worker* wp = w.get();
      asio::post(wp->ioc, [wp] {
        error_code ec;
        if (wp->acceptor) wp->acceptor->close(ec);
        for (ConnState* c : wp->conns) {
          if (c->drain) {
            c->drain();
          } else if (c->idle && c->lowest) {
            c->lowest->cancel();
          }
        }
      });
    }
    // Requests in flight finish and their connections close, for up to
    // `drain`. Waiting for the requests alone is not enough: an HTTP/2
    // handler returns once its answer is queued, before the connection's
    // writer has sent it, and stopping the io_context then would lose it.
    auto deadline = Steady::now() + drain;
    while ((stats_.requests_in_flight.load() > 0 || stats_.open_connections.load() > 0) &&
           Steady::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (drain.count() > 0 && stats_.requests_in_flight.load() > 0) {
      spdlog::warn("{}: {} request(s) still in flight after the drain period; closing", opts_.name,
                   stats_.requests_in_flight.load());
    }
    for (auto& w : workers_) w->ioc.stop();
    for (auto& w : workers_) {
      if (w->thread.joinable()) w->thread.join();
    }
    for (auto& w : workers_) w->acceptor.reset();
    // The workers (their io_contexts and suspended connections) live until
    // the server is destroyed: a handler may first destroy what it bound to
    // them (pooled upstream sockets).
  }

  std::uint16_t port() const { return port_; }
  bool tls() const { return ssl_ != nullptr; }
  int threads() const { return threads_; }
  const ServerStats& stats() const { return stats_; }
  bool draining() const { return core_.is_draining(); }

 private:
  Status Listen(tcp::acceptor& a, tcp::endpoint ep) {
    error_code ec;
    a.open(ep.protocol(), ec);
    if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) a.set_option(ReusePort(true), ec);
    if (!ec) a.bind(ep, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      std::string what = ep.address().to_string() + ":" + std::to_string(ep.port());
      if (ec == asio::error::address_in_use) {
        return UnavailableError(opts_.name + " cannot listen on " + what +
                                ": the port is in use by another process; stop it or " +
                                "configure another port");
      }
      return UnavailableError(opts_.name + " cannot listen on " + what + ": " + ec.message());
    }
    return OkStatus();
  }

  // Counts a new connection against the caps; false if it must be refused.
  bool Admit(Worker& w, const std::string& peer) {
    if (static_cast<std::size_t>(stats_.open_connections.load()) >= opts_.max_connections) {
      handler_.ConnectionRefused(w.index, "max_connections");
      return false;
    }
    if (opts_.max_connections_per_ip > 0) {
      std::lock_guard lock(per_ip_mu_);
      std::size_t& n = per_ip_[peer];
      if (n >= opts_.max_connections_per_ip) {
        if (n == 0) per_ip_.erase(peer);
        handler_.ConnectionRefused(w.index, "max_connections_per_ip");
        return false;
      }
      ++n;
    }
    ++stats_.open_connections;
    return true;
  }

  void Release(const std::string& peer) {
    --stats_.open_connections;
    if (opts_.max_connections_per_ip > 0) {
      std::lock_guard lock(per_ip_mu_);
      auto it = per_ip_.find(peer);
      if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
    }
  }

  asio::awaitable<void> AcceptLoop(Worker& w) {
    for (;;) {
      auto [ec, socket] = co_await w.acceptor->async_accept(kUse);
      if (ec) {
        if (!w.acceptor->is_open() || draining()) co_return;
        if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
          // Out of file descriptors: back off instead of spinning.
          asio::steady_timer t(w.ioc, std::chrono::milliseconds(50));
          co_await t.async_wait(kUse);
        }
        continue;
      }
      auto remote = socket.remote_endpoint(ec);
      std::string peer = ec ? "" : remote.address().to_string();
      if (!Admit(w, peer)) {
        error_code ignored;
        socket.close(ignored);
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(
          w.ioc, Connection(w, std::move(socket), peer), [this, peer](std::exception_ptr e) {
            Release(peer);
            if (e) {
              try {
                std::rethrow_exception(e);
              } catch (const std::exception& ex) {
                spdlog::error("{}: connection ended by an exception: {}", opts_.name, ex.what());
              }
            }
          });
    }
  }

  asio::awaitable<void> Connection(Worker& w, tcp::socket socket, std::string peer);

  // Every socket operation arms its deadline (Beast's tcp_stream); when that
  // deadline is the earliest of the worker's timers, Asio reprograms the
  // timerfd: one system call per read and per write. A timer that always
  // expires sooner than any deadline (at most kTick away, deadlines are
  // seconds) keeps the earliest fixed, so arming a deadline costs no system
  // call; the tick itself costs one wake-up per kTick.
  static constexpr std::chrono::milliseconds kTick{1000};
  asio::awaitable<void> Tick(Worker& w) {
    asio::steady_timer t(w.ioc);
    for (;;) {
      t.expires_after(kTick);
      auto [ec] = co_await t.async_wait(kUse);
      if (ec || stopped_) co_return;
    }
  }

  ServerCore core_;
  ServerOptions& opts_ = core_.opts;
  Handler& handler_;
  int threads_ = 1;
  std::shared_ptr<ssl::context> ssl_;
  ServerStats own_stats_;
  ServerStats& stats_;
  std::mutex per_ip_mu_;
  std::unordered_map<std::string, std::size_t> per_ip_;
  std::atomic<bool> stopped_{false};
  std::uint16_t port_ = 0;
  // Last: destroyed first (their coroutines refer to everything above).
  std::vector<std::unique_ptr<Worker>> workers_;
};

// ---- one HTTP/1.1 connection ---------------------------------------------------------------

template <class Stream>
class H1Connection final : public Exchange {
 public:
  H1Connection(ServerCore& core, Worker& w, Stream& stream, ConnectionInfo info,
               std::string_view initial = {})
      : core_(core),
        opts_(core.opts),
        w_(w),
        stream_(stream),
        lowest_(beast::get_lowest_layer(stream)),
        deadline_(lowest_.socket()),
        info_(std::move(info)) {
    conn_ = &info_;
    state_.lowest = &lowest_;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      // SendNow's writes must never block the worker.
      error_code ec;
      lowest_.socket().non_blocking(true, ec);
      send_now_ = !ec;
    }
    if (!initial.empty()) {
      auto b = buf_.prepare(initial.size());
      std::memcpy(b.data(), initial.data(), initial.size());
      buf_.commit(initial.size());
    }
  }

  bool draining() const override { return core_.is_draining(); }

  // Serves requests until the connection closes.
  asio::awaitable<void> Run() {
    w_.conns.insert(&state_);
    struct Unregister {
      Worker& w;
      ConnState* s;
      ~Unregister() { w.conns.erase(s); }
    } unregister{w_, &state_};

    bool first = true;
    bool linger = false;
    for (;;) {
      if (draining()) break;
      state_.idle = buf_.size() == 0;
      // The head is read here, not by a helper coroutine: a coroutine frame
      // per request is a malloc when Asio's frame cache has no block that fits.
      std::size_t head_len = 0;
      HeadStatus hs;
      std::optional<Steady::time_point> head_deadline;
      if (first || buf_.size() > 0) head_deadline = Steady::now() + opts_.header_read_timeout;
      for (;;) {
        if (auto found = FindHead(&head_len)) {
          hs = *found;
          break;
        }
        const std::size_t have = buf_.size();
        auto space =
            buf_.prepare(std::min<std::size_t>(8192, opts_.request.max_header_bytes + 4 - have));
        // Idle between requests, nothing of the next one received: the
        // deadline may end the connection (there is no 408 to send), and it
        // costs no timer operation per request.
        if (head_deadline) {
          deadline_.SetAt(*head_deadline);
        } else {
          deadline_.Set(opts_.idle_timeout);
        }
        auto [ec, n] = co_await io().async_read_some(space, kUse);
        NoteReadOn(io(), space.size(), n);
        deadline_.Clear();
        bool timed_out = ec && deadline_.expired();
        buf_.commit(n);
        if (n > 0) {
          state_.idle = false;
          if (!head_deadline) head_deadline = Steady::now() + opts_.header_read_timeout;
        }
        if (ec) {
          hs = timed_out && buf_.size() > 0 ? HeadStatus::kTimeout : HeadStatus::kClosed;
          break;
        }
      }
      first = false;
      state_.idle = false;
      if (hs == HeadStatus::kClosed) break;
      Reset();
      if (hs != HeadStatus::kOk) {
        HttpError e =
            hs == HeadStatus::kTimeout
                ? MakeHttpError(408, "header_timeout", "the request header did not arrive in time")
                : MakeHttpError(431, "header_too_large",
                                "request header is larger than " +
                                    std::to_string(opts_.request.max_header_bytes) + " bytes");
        linger = co_await Refuse(e);
        break;
      }
      // The head is copied out: the buffer moves as the body arrives.
      head_bytes_.assign(static_cast<const char*>(buf_.data().data()), head_len);
      buf_.consume(head_len);
      if (auto err = ParseRequestHeadInto(head_bytes_, opts_.request, &head_)) {
        head_ = RequestHead();
        linger = co_await Refuse(*err);
        break;
      }
      close_ = !head_.keep_alive;
      head_request_ = head_.method == "HEAD";
      ++core_.stats->requests_in_flight;
      co_await core_.handler->Handle(*this);
      --core_.stats->requests_in_flight;
      if (!begun_) {
        close_ = true;
        co_await RespondError(MakeHttpError(500, "internal", "the request was not answered"));
      } else if (!ended_) {
        close_ = true;  // a streamed body that did not end: only closing tells the client
      }
      if (!ok_) break;
      if (close_ || draining()) {
        linger = true;
        break;
      }
    }
    if (linger && ok_) co_await LingeringClose();
  }

  // ---- Exchange ----

  bool TryReadBody(std::string* body) override {
    if (body_read_ || head_.framing == BodyFraming::kNone) {
      body->clear();
      body_read_ = true;
      return true;
    }
    // The whole body came with the head (and no "100 Continue" is owed: the
    // client sent bytes after the head).
    if (head_.framing == BodyFraming::kContentLength && buf_.size() > 0 &&
        buf_.size() >= head_.content_length) {
      auto n = static_cast<std::size_t>(head_.content_length);
      body->assign(static_cast<const char*>(buf_.data().data()), n);
      buf_.consume(n);
      body_read_ = true;
      return true;
    }
    return false;
  }

  asio::awaitable<std::optional<HttpError>> ReadBody(std::string* body) override {
    if (TryReadBody(body)) co_return std::nullopt;
    body->clear();
    if (head_.expect_continue && buf_.size() == 0) {
      deadline_.Set(opts_.idle_timeout);
      auto [ec, n] = co_await asio::async_write(io(), asio::buffer(kContinue), kUse);
      deadline_.Clear();
      if (ec) {
        ok_ = false;
        close_ = true;
        co_return MakeHttpError(400, "incomplete_body", "the connection closed before the body");
      }
    }
    auto err = co_await ReadBodyBytes(body);
    if (err) {
      close_ = true;
    } else {
      body_read_ = true;
    }
    co_return err;
  }

  asio::awaitable<std::optional<HttpError>> ReadBodyPart(std::string* piece, bool* done) override {
    *done = true;
    co_return co_await ReadBody(piece);
  }

  void Begin(int status, std::span<const Field> fields,
             std::optional<std::uint64_t> content_length) override {
    begun_ = true;
    no_body_ = head_request_ || status / 100 == 1 || status == 204 || status == 304;
    chunked_ = !no_body_ && !content_length && head_.version_minor == 1;
    // A streamed body to an HTTP/1.0 client ends when the connection does;
    // an unread request body must not be read as the next request.
    if (!no_body_ && !content_length && !chunked_) close_ = true;
    if (head_.framing != BodyFraming::kNone && !body_read_) close_ = true;
    if (draining()) close_ = true;
    out_.clear();
    char digits[24];
    auto status_end = std::to_chars(digits, digits + sizeof digits, status).ptr;
    StrAppend(&out_, "HTTP/1.1 ", std::string_view(digits, status_end - digits), " ",
              ReasonPhrase(status), "\r\n");
    for (const Field& f : fields) StrAppend(&out_, f.name, ": ", f.value, "\r\n");
    if (content_length && (!no_body_ || head_request_)) {
      auto end = std::to_chars(digits, digits + sizeof digits, *content_length).ptr;
      StrAppend(&out_, "Content-Length: ", std::string_view(digits, end - digits), "\r\n");
    }
    if (chunked_) out_ += std::string_view("Transfer-Encoding: chunked\r\n");
    if (close_) out_ += std::string_view("Connection: close\r\n");
    out_ += "\r\n";
  }

  asio::awaitable<bool> Flush() override {
    if (!ok_ || out_.empty()) co_return ok_;
    co_return co_await SendOut();
  }

  asio::awaitable<bool> Write(std::string_view piece, bool last) override {
    if (!ok_ || ended_) co_return ok_;
    bytes_out_ += piece.size();
    std::array<asio::const_buffer, 3> bufs;
    std::size_t n = 0;
    if (no_body_ || piece.empty()) {
      if (last) {
        if (chunked_) out_ += "0\r\n\r\n";
        ended_ = true;
      }
      if (out_.empty()) co_return ok_;
      co_return co_await SendOut();
    }
    if (chunked_) {
      out_ += fmt::format("{:x}\r\n", piece.size());
      bufs[n++] = asio::buffer(out_);
      bufs[n++] = asio::buffer(piece);
      bufs[n++] = asio::buffer(last ? std::string_view("\r\n0\r\n\r\n") : std::string_view("\r\n"));
    } else {
      if (!out_.empty()) bufs[n++] = asio::buffer(out_);
      bufs[n++] = asio::buffer(piece);
    }
    if (last) ended_ = true;
    // Send's steps, inline: one coroutine frame less per response.
    std::span<asio::const_buffer> rest = SendNow(std::span<asio::const_buffer>(bufs.data(), n));
    if (!rest.empty()) {
      deadline_.Set(opts_.idle_timeout);
      auto [ec, sent] = co_await asio::async_write(io(), rest, kUse);
      deadline_.Clear();
      if (ec) ok_ = false;
    }
    out_.clear();
    co_return ok_;
  }

  asio::awaitable<bool> End() override {
    if (ended_) co_return ok_;
    ended_ = true;
    if (!ok_) co_return false;
    if (chunked_) out_ += "0\r\n\r\n";
    if (out_.empty()) co_return ok_;
    co_return co_await SendOut();
  }

  asio::awaitable<bool> EndWithTrailers(std::span<const Field> trailers) override {
    if (ended_ || !chunked_ || trailers.empty()) co_return co_await End();
    ended_ = true;
    if (!ok_) co_return false;
    out_ += "0\r\n";
    for (const Field& f : trailers) {
      out_ += f.name;
      out_ += ": ";
      out_ += f.value;
      out_ += "\r\n";
    }
    out_ += "\r\n";
    co_return co_await SendOut();
  }

 private:
  void Reset() {
    // The field vector keeps its capacity from one request to the next.
    head_.method = {};
    head_.target = {};
    head_.version_minor = 1;
    head_.headers.clear();
    head_.framing = BodyFraming::kNone;
    head_.content_length = 0;
    head_.keep_alive = true;
    head_.expect_continue = false;
    close_ = false;
    begun_ = false;
    ended_ = false;
    bytes_out_ = 0;
    body_read_ = false;
    head_request_ = false;
    no_body_ = false;
    chunked_ = false;
  }

  // The stream reads and writes go to: the socket itself for plain TCP
  // (beast::tcp_stream's per-operation layers and timers are not needed:
  // deadline_ bounds the operations), else the TLS stream.
  auto& io() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      return lowest_.socket();
    } else {
      return stream_;
    }
  }

  // Writes `bufs` (which may point into out_), then clears out_.
  asio::awaitable<bool> Send(std::span<asio::const_buffer> bufs) {
    std::span<asio::const_buffer> rest = SendNow(bufs);
    if (!rest.empty()) {
      deadline_.Set(opts_.idle_timeout);
      auto [ec, n] = co_await asio::async_write(io(), rest, kUse);
      deadline_.Clear();
      if (ec) ok_ = false;
    }
    out_.clear();
    co_return ok_;
  }
  asio::awaitable<bool> SendOut() {
    std::array<asio::const_buffer, 1> one{asio::buffer(out_)};
    co_return co_await Send(one);
  }

  // Sends what a plain socket takes at once (it is non-blocking): a response
  // that fits the socket's buffer, the rule, then needs no asynchronous write
  // (no operation, no frame, no posted completion). Returns what is left to
  // send: all of `bufs` for TLS or when the socket takes nothing now, none
  // when the send failed (ok_ is then false).
  std::span<asio::const_buffer> SendNow(std::span<asio::const_buffer> bufs) {
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
      return bufs;
    } else {
      if (!send_now_) return bufs;
      error_code ec;
      std::span<asio::const_buffer> rest = WriteNow(lowest_.socket(), bufs, &ec);
      if (ec) ok_ = false;
      return rest;
    }
  }

  // Answers a refusal before Handle; returns whether the connection may
  // linger (the answer went out).
  asio::awaitable<bool> Refuse(const HttpError& e) {
    close_ = true;
    co_await core_.handler->Refused(*this, e);
    if (!begun_) co_await RespondError(e);
    if (!ended_) co_await End();
    co_return ok_;
  }

  // One read_some that gives up at `deadline` by cancelling the read, not by
  // closing the socket (a slow client must still get its 408).
  template <class S, class Buffers>
  asio::awaitable<std::tuple<error_code, std::size_t, bool>> ReadSomeBy(
      S& s, Buffers buffers, Steady::time_point deadline) {
    deadline_.SetAt(deadline);
    auto [ec, n] = co_await s.async_read_some(buffers, kUse);
    NoteReadOn(s, asio::buffer_size(buffers), n);
    deadline_.Clear();
    co_return std::make_tuple(ec, n, ec && deadline_.expired());
  }

  // Stop sending, then read and discard what the client still sends for a
  // moment, so that closing does not reset the connection and destroy the
  // response in flight.
  asio::awaitable<void> LingeringClose() {
    error_code ec;
    lowest_.socket().shutdown(tcp::socket::shutdown_send, ec);
    auto deadline = Steady::now() + std::chrono::milliseconds(500);
    std::size_t drained = 0;
    char sink[4096];
    while (drained < 256 * 1024 && Steady::now() < deadline) {
      auto [rec, n, late] = co_await ReadSomeBy(lowest_, asio::buffer(sink), deadline);
      if (rec || late) break;
      drained += n;
    }
  }

  // Whether the buffer holds a whole head (kOk, its length in *head_len), a
  // head too large (kTooLarge), or nothing more will come (kClosed: draining
  // between requests); nullopt: read more. Empty lines before a request are
  // dropped (RFC 9112 section 2.2).
  std::optional<HeadStatus> FindHead(std::size_t* head_len) {
    const std::size_t max = opts_.request.max_header_bytes;
    std::string_view have(static_cast<const char*>(buf_.data().data()), buf_.size());
    std::size_t skip = 0;
    while (have.substr(skip, 2) == "\r\n") skip += 2;
    if (skip > 0) {
      buf_.consume(skip);
      have.remove_prefix(skip);
    }
    if (std::size_t end = FindHeadEnd(have); end != 0) {
      *head_len = end;
      return end > max ? HeadStatus::kTooLarge : HeadStatus::kOk;
    }
    if (have.size() > max) return HeadStatus::kTooLarge;
    if (draining() && have.empty()) return HeadStatus::kClosed;
    return std::nullopt;
  }

  asio::awaitable<std::optional<HttpError>> ReadBodyBytes(std::string* body) {
    Steady::time_point deadline = Steady::now() + opts_.body_read_timeout;
    std::optional<ChunkedDecoder> dec;
    if (head_.framing == BodyFraming::kChunked) dec.emplace(opts_.request);
    if (head_.framing == BodyFraming::kContentLength) body->reserve(head_.content_length);
    for (;;) {
      std::string_view have(static_cast<const char*>(buf_.data().data()), buf_.size());
      if (dec) {
        auto used = dec->Feed(have, body);
        if (!used) co_return used.error();
        buf_.consume(*used);
        if (dec->done()) co_return std::nullopt;
      } else {
        std::size_t take = static_cast<std::size_t>(
            std::min<std::uint64_t>(head_.content_length - body->size(), have.size()));
        body->append(have.data(), take);
        buf_.consume(take);
        if (body->size() == head_.content_length) co_return std::nullopt;
      }
      auto [ec, n, timed_out] = co_await ReadSomeBy(io(), buf_.prepare(64 * 1024), deadline);
      buf_.commit(n);
      if (ec) {
        if (timed_out) {
          co_return MakeHttpError(408, "body_timeout", "the request body did not arrive in time");
        }
        ok_ = false;
        co_return MakeHttpError(400, "incomplete_body",
                                "the connection closed before the body ended");
      }
    }
  }

  ServerCore& core_;
  const ServerOptions& opts_;
  Worker& w_;
  Stream& stream_;
  beast::tcp_stream& lowest_;
  SocketDeadline deadline_;  // idle reads and response writes
  ConnectionInfo info_;
  ConnState state_;
  beast::flat_buffer buf_;
  std::string head_bytes_;
  std::string out_;
  bool ok_ = true;         // the client is still there
  bool send_now_ = false;  // the socket is non-blocking: SendNow may write
  bool body_read_ = false;
  bool head_request_ = false;
  bool no_body_ = false;
  bool chunked_ = false;
};

// Reads the first bytes of a cleartext connection until they either are the
// HTTP/2 preface or cannot be; false when the client went away or was too slow.
asio::awaitable<bool> SniffPreface(beast::tcp_stream& stream, std::chrono::milliseconds timeout,
                                   std::string* initial) {
  stream.expires_after(timeout);
  char buf[4096];
  while (initial->size() < internal::kH2Preface.size() &&
         internal::kH2Preface.starts_with(*initial)) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(buf), kUse);
    if (ec) {
      stream.expires_never();
      co_return !initial->empty() && ec == beast::error::timeout ? true : false;
    }
    initial->append(buf, n);
  }
  stream.expires_never();
  co_return true;
}

asio::awaitable<void> Server::Impl::Connection(Worker& w, tcp::socket socket, std::string peer) {
  ConnectionInfo info;
  info.peer = std::move(peer);
  info.worker = w.index;
  error_code ec;
  if (!ssl_) {
    beast::tcp_stream stream(std::move(socket));
    std::string initial;
    if (opts_.http2) {
      // Registered while sniffing, so that a drain closes a silent client.
      ConnState sniffing;
      sniffing.lowest = &stream;
      w.conns.insert(&sniffing);
      bool go_on = co_await SniffPreface(stream, opts_.header_read_timeout, &initial);
      w.conns.erase(&sniffing);
      if (!go_on || draining()) co_return;
    }
    if (opts_.http2 && initial.starts_with(internal::kH2Preface)) {
      info.http2 = true;
      co_await internal::ServeHttp2(core_, w, stream, info, std::move(initial));
    } else {
      H1Connection<beast::tcp_stream> c(core_, w, stream, std::move(info), initial);
      co_await c.Run();
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    co_return;
  }
  // The TLS layer reads through NotingTcpStream: the short-read rule.
  beast::ssl_stream<NotingTcpStream> stream(std::move(socket), *ssl_);
  beast::get_lowest_layer(stream).expires_after(opts_.header_read_timeout);
  auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, kUse);
  if (hec) {
    handler_.ConnectionRefused(w.index, "tls_handshake");
    co_return;
  }
  beast::get_lowest_layer(stream).expires_never();
  info.tls = true;
  info.sans = tls::VerifiedPeerSans(stream.native_handle());
  if (opts_.http2 && tls::SelectedAlpn(stream.native_handle()) == "h2") {
    info.http2 = true;
    co_await internal::ServeHttp2(core_, w, stream, info, std::string());
  } else {
    H1Connection<beast::ssl_stream<NotingTcpStream>> c(core_, w, stream, std::move(info));
    co_await c.Run();
  }
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
  co_await stream.async_shutdown(kUse);
}

// ---- Server --------------------------------------------------------------------------------

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() {
  if (impl_) impl_->Stop(std::chrono::milliseconds(0));
}
std::uint16_t Server::port() const { return impl_->port(); }
bool Server::tls() const { return impl_->tls(); }
int Server::threads() const { return impl_->threads(); }
const ServerStats& Server::stats() const { return impl_->stats(); }
void Server::Stop(std::chrono::milliseconds drain) { impl_->Stop(drain); }

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, Handler& handler) {
  auto impl = std::make_unique<Impl>(std::move(options), handler);
  RAMPART_RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

}  // namespace rampart::http
