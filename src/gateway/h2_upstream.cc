#include "gateway/h2_upstream.h"

#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <cstring>
#include <unordered_map>

#include "core/ascii.h"
#include "core/http/noting_stream.h"
#include "core/http/read_drained.h"
#include "core/tls.h"
#include "gateway/tcp_connect.h"

namespace rampart::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Steady = std::chrono::steady_clock;
using boost::system::error_code;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

}  // namespace

class H2Upstream::Impl {
 public:
  explicit Impl(const asio::any_io_executor& ex) : ex(ex), write_signal(ex) {}
  ~Impl() {
    if (session != nullptr) nghttp2_session_del(session);
  }

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  bool Init() {
    nghttp2_session_callbacks* cbs = nullptr;
    if (nghttp2_session_callbacks_new(&cbs) != 0) return false;
    nghttp2_session_callbacks_set_on_header_callback(cbs, OnHeader);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, OnFrameRecv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, OnDataChunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, OnStreamClose);
    nghttp2_option* opt = nullptr;
    nghttp2_option_new(&opt);
    // Response bytes are acknowledged when the gateway's client took them.
    nghttp2_option_set_no_auto_window_update(opt, 1);
    nghttp2_option_set_max_settings(opt, 32);
    nghttp2_option_set_max_continuations(opt, 8);
    int rv = nghttp2_session_client_new2(&session, cbs, this, opt);
    nghttp2_option_del(opt);
    nghttp2_session_callbacks_del(cbs);
    if (rv != 0) return false;
    nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                   {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 20},
                                   {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, 64 * 1024}};
    return nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, iv, std::size(iv)) == 0;
  }

  void Wake() { write_signal.cancel(); }

  void Fail() {
    dead = true;
    for (auto& [id, s] : streams) {
      if (!s->ended && !s->reset) s->reset = NGHTTP2_INTERNAL_ERROR;
      s->conn_ = nullptr;
      s->Notify();
    }
    streams.clear();
    Wake();
    error_code ignored;
    lowest().socket().cancel(ignored);
  }

  static H2UpstreamStream* StreamOf(Impl* c, std::int32_t id) {
    auto it = c->streams.find(id);
    return it == c->streams.end() ? nullptr : it->second.get();
  }

  static int OnHeader(nghttp2_session*, const nghttp2_frame* f, const std::uint8_t* name,
                      std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                      std::uint8_t, void* user) {
    auto* c = static_cast<Impl*>(user);
    H2UpstreamStream* s = StreamOf(c, f->hd.stream_id);
    if (s == nullptr) return 0;
    std::string_view n(reinterpret_cast<const char*>(name), namelen);
    std::string_view v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":status") {
      int st = 0;
      for (char ch : v) st = st * 10 + (ch - '0');
      if (st / 100 == 1) return 0;  // interim: the real head follows
      s->status = st;
      return 0;
    }
    if (s->headers_done_) {
      s->trailers.emplace_back(n, v);
    } else if (s->status != 0) {
      s->headers.emplace_back(n, v);
    }
    return 0;
  }

  static int OnFrameRecv(nghttp2_session*, const nghttp2_frame* f, void* user) {
    auto* c = static_cast<Impl*>(user);
    if (f->hd.type == NGHTTP2_GOAWAY) {
      c->goaway = true;
      return 0;
    }
    H2UpstreamStream* s = StreamOf(c, f->hd.stream_id);
    if (s == nullptr) return 0;
    if (f->hd.type == NGHTTP2_HEADERS && s->status != 0) {
      s->headers_done_ = true;
      s->Notify();
    }
    if ((f->hd.type == NGHTTP2_HEADERS || f->hd.type == NGHTTP2_DATA) &&
        (f->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
      s->ended = true;
      s->Notify();
    }
    return 0;
  }

  static int OnDataChunk(nghttp2_session*, std::uint8_t, std::int32_t id, const std::uint8_t* data,
                         std::size_t len, void* user) {
    auto* c = static_cast<Impl*>(user);
    H2UpstreamStream* s = StreamOf(c, id);
    if (s == nullptr) {
      nghttp2_session_consume(c->session, id, len);
      return 0;
    }
    s->in_.append(reinterpret_cast<const char*>(data), len);
    s->Notify();
    return 0;
  }

  static int OnStreamClose(nghttp2_session*, std::int32_t id, std::uint32_t code, void* user) {
    auto* c = static_cast<Impl*>(user);
    auto it = c->streams.find(id);
    if (it == c->streams.end()) return 0;
    if (code != NGHTTP2_NO_ERROR && !it->second->ended) it->second->reset = code;
    if (!it->second->ended && !it->second->reset) it->second->reset = code;
    // Response bytes the client has not taken yet are acknowledged now at
    // the connection level (the stream's own window is gone with it): else
    // each call that ends with its data unread would shrink the
    // connection's window for good, and the connection would stall.
    if (!it->second->in_.empty()) {
      nghttp2_session_consume_connection(c->session, it->second->in_.size());
      c->Wake();
    }
    it->second->conn_ = nullptr;
    it->second->Notify();
    c->streams.erase(it);
    return 0;
  }

  static ssize_t ReadBody(nghttp2_session*, std::int32_t, std::uint8_t* buf, std::size_t len,
                          std::uint32_t* flags, nghttp2_data_source* src, void*) {
    auto* s = static_cast<H2UpstreamStream*>(src->ptr);
    std::size_t n = std::min(len, s->out_.size() - s->out_off_);
    if (n > 0) {
      std::memcpy(buf, s->out_.data() + s->out_off_, n);
      s->out_off_ += n;
      if (s->out_off_ == s->out_.size()) {
        s->out_.clear();
        s->out_off_ = 0;
      }
    }
    if (s->out_.size() == s->out_off_ && s->out_end_) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      return static_cast<ssize_t>(n);
    }
    if (n == 0) return NGHTTP2_ERR_DEFERRED;
    return static_cast<ssize_t>(n);
  }

  template <class S>
  asio::awaitable<void> Reader(std::shared_ptr<H2Upstream> keep, S& s) {
    std::vector<char> buf(64 * 1024);
    for (;;) {
      auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), kUse);
      if (ec) break;
      http::NoteReadOn(s, buf.size(), n);
      ssize_t rv =
          nghttp2_session_mem_recv(session, reinterpret_cast<std::uint8_t*>(buf.data()), n);
      if (rv < 0) break;
      Wake();
      if (!nghttp2_session_want_read(session) && !nghttp2_session_want_write(session)) break;
    }
    Fail();
  }

  template <class S>
  asio::awaitable<void> Writer(std::shared_ptr<H2Upstream> keep, S& s) {
    std::string batch;
    while (!dead) {
      batch.clear();
      while (batch.size() < 256 * 1024) {
        const std::uint8_t* data = nullptr;
        ssize_t n = nghttp2_session_mem_send(session, &data);
        if (n <= 0) break;
        batch.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
      }
      if (!batch.empty()) {
        auto [ec, n] = co_await asio::async_write(s, asio::buffer(batch), kUse);
        if (ec) break;
        continue;
      }
      write_signal.expires_at(Steady::time_point::max());
      co_await write_signal.async_wait(kUse);
    }
    Fail();
  }

  asio::any_io_executor ex;
  std::optional<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<http::NotingTcpStream>> tls;  // reads by the short-read rule
  nghttp2_session* session = nullptr;
  std::unordered_map<std::int32_t, std::shared_ptr<H2UpstreamStream>> streams;
  asio::steady_timer write_signal;
  bool dead = false;
  bool goaway = false;
};

// ---- H2UpstreamStream -----------------------------------------------------------------------

void H2UpstreamStream::Send(std::string_view data, bool end) {
  if (conn_ == nullptr) return;
  out_.append(data);
  if (end) out_end_ = true;
  nghttp2_session_resume_data(conn_->impl_->session, id_);
  conn_->impl_->Wake();
}

asio::awaitable<void> H2UpstreamStream::Wait(Clock::time_point deadline) {
  signal_.expires_at(deadline);
  co_await signal_.async_wait(kUse);
}

asio::awaitable<bool> H2UpstreamStream::AwaitHeaders(Clock::time_point deadline) {
  while (!headers_done_ && !reset && !ended) {
    if (Clock::now() >= deadline) {
      timed_out = true;
      co_return false;
    }
    co_await Wait(deadline);
  }
  co_return headers_done_&& status != 0;
}

asio::awaitable<bool> H2UpstreamStream::Read(std::string* chunk, Clock::time_point deadline) {
  chunk->clear();
  while (in_.empty() && !ended && !reset) {
    if (Clock::now() >= deadline) {
      timed_out = true;
      co_return false;
    }
    co_await Wait(deadline);
  }
  if (!in_.empty()) {
    chunk->swap(in_);
    in_.clear();
    if (conn_ != nullptr) {
      nghttp2_session_consume(conn_->impl_->session, id_, chunk->size());
      conn_->impl_->Wake();
    }
    co_return true;
  }
  co_return false;
}

void H2UpstreamStream::Cancel() {
  if (conn_ == nullptr || ended) return;
  nghttp2_submit_rst_stream(conn_->impl_->session, NGHTTP2_FLAG_NONE, id_, NGHTTP2_CANCEL);
  conn_->impl_->Wake();
}

// ---- H2Upstream ---------------------------------------------------------------------------

H2Upstream::H2Upstream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
H2Upstream::~H2Upstream() {
  for (auto& [id, s] : impl_->streams) s->conn_ = nullptr;
}

bool H2Upstream::usable() const {
  if (impl_->dead || impl_->goaway) return false;
  std::uint32_t max =
      nghttp2_session_get_remote_settings(impl_->session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
  return impl_->streams.size() < max;
}

bool H2Upstream::finished() const {
  return impl_->dead || (impl_->goaway && impl_->streams.empty());
}

void H2Upstream::Close() {
  if (impl_->dead) return;
  nghttp2_session_terminate_session(impl_->session, NGHTTP2_NO_ERROR);
  impl_->Wake();
  impl_->Fail();
}

std::shared_ptr<H2UpstreamStream> H2Upstream::Open(const HeaderList& headers) {
  if (!usable()) return nullptr;
  auto s = std::make_shared<H2UpstreamStream>(impl_->ex);
  std::vector<nghttp2_nv> nva;
  nva.reserve(headers.size());
  for (const auto& [n, v] : headers) {
    nva.push_back(nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(n.data())),
                             reinterpret_cast<std::uint8_t*>(const_cast<char*>(v.data())), n.size(),
                             v.size(), NGHTTP2_NV_FLAG_NONE});
  }
  nghttp2_data_provider prd;
  prd.source.ptr = s.get();
  prd.read_callback = &Impl::ReadBody;
  std::int32_t id =
      nghttp2_submit_request(impl_->session, nullptr, nva.data(), nva.size(), &prd, nullptr);
  if (id < 0) return nullptr;
  s->conn_ = this;
  s->id_ = id;
  impl_->streams[id] = s;
  impl_->Wake();
  return s;
}

asio::awaitable<std::expected<std::shared_ptr<H2Upstream>, HttpError>> H2Upstream::Connect(
    const UpstreamConfig& u, std::shared_ptr<ssl::context> tls_ctx) {
  auto fail = [&](int status, std::string code, std::string msg) {
    spdlog::warn("gateway: gRPC upstream {} ({}:{}): {}", u.service, u.grpc_host, u.grpc_port, msg);
    return std::unexpected(MakeHttpError(status, std::move(code), std::move(msg)));
  };
  auto ex = co_await asio::this_coro::executor;
  auto impl = std::make_unique<Impl>(ex);
  impl->plain.emplace(ex);
  beast::tcp_stream& s = *impl->plain;
  s.expires_after(u.connect_timeout);
  auto [ec, unresolved] = co_await ConnectTcp(s, u.grpc_host, u.grpc_port);
  if (unresolved)
    co_return fail(502, "upstream_unavailable", "cannot resolve the gRPC upstream host");
  if (ec == beast::error::timeout) {
    co_return fail(504, "upstream_timeout", "gRPC upstream connect timed out");
  }
  if (ec)
    co_return fail(502, "upstream_unavailable", "gRPC upstream connect failed: " + ec.message());
  s.expires_never();
  s.socket().set_option(tcp::no_delay(true), ec);
  if (tls_ctx) {
    impl->tls = std::make_unique<beast::ssl_stream<http::NotingTcpStream>>(std::move(*impl->plain),
                                                                           *tls_ctx);
    impl->plain.reset();
    std::string name = u.server_name.empty() ? u.grpc_host : u.server_name;
    SSL_set_tlsext_host_name(impl->tls->native_handle(), name.c_str());
    impl->tls->set_verify_callback(ssl::host_name_verification(name));
    beast::get_lowest_layer(*impl->tls).expires_after(u.connect_timeout);
    auto [hec] = co_await impl->tls->async_handshake(ssl::stream_base::client, kUse);
    beast::get_lowest_layer(*impl->tls).expires_never();
    if (hec) {
      co_return fail(502, "upstream_unavailable",
                     "gRPC upstream TLS handshake failed: " + hec.message());
    }
    if (tls::SelectedAlpn(impl->tls->native_handle()) != "h2") {
      co_return fail(502, "upstream_unavailable", "the gRPC upstream did not agree to HTTP/2");
    }
  }
  if (!impl->Init()) co_return fail(502, "upstream_unavailable", "cannot start an HTTP/2 session");
  auto conn = std::shared_ptr<H2Upstream>(new H2Upstream(std::move(impl)));
  Impl* c = conn->impl_.get();
  if (c->tls) {
    asio::co_spawn(ex, c->Reader(conn, *c->tls), asio::detached);
    asio::co_spawn(ex, c->Writer(conn, *c->tls), asio::detached);
  } else {
    asio::co_spawn(ex, c->Reader(conn, *c->plain), asio::detached);
    asio::co_spawn(ex, c->Writer(conn, *c->plain), asio::detached);
  }
  co_return conn;
}

}  // namespace rampart::gateway
