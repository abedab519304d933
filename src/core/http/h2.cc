// HTTP/2 connections of the core HTTP server (RFC 9113) on nghttp2: nghttp2
// does framing, HPACK and flow control over bytes we hand it; the I/O, the
// limits and the defences are ours. Every stream is an Exchange served by
// the same Handler as HTTP/1.1 requests, in a coroutine of its own on the
// connection's worker thread (no locks: one connection, one thread).
//
// Defences (docs/design/http.md): SETTINGS_MAX_CONCURRENT_STREAMS, a header
// list size limit (the request head limit of HTTP/1.1) checked while HPACK
// decodes, at most 8 CONTINUATION frames per header block, a bounded HPACK
// table, rapid reset (CVE-2023-44487): streams whose handlers still run count
// against the concurrency limit even after the client reset them, and
// resets beyond a rate end the connection with GOAWAY ENHANCE_YOUR_CALM;
// idle connections close after idle_timeout; a draining server sends GOAWAY
// and finishes the streams it accepted.
#include <nghttp2/nghttp2.h>
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <deque>
#include <unordered_map>

#include "core/ascii.h"
#include "core/http/noting_stream.h"
#include "core/http/read_drained.h"
#include "core/http/server_internal.h"

namespace rampart::http::internal {
namespace {

using tcp = asio::ip::tcp;
using Steady = std::chrono::steady_clock;
using boost::system::error_code;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

constexpr std::size_t kStreamOutHighWater = 256 * 1024;  // a Write waits above this
constexpr std::size_t kMaxWriteBatch = 256 * 1024;       // bytes per socket write
constexpr std::uint32_t kMaxHeaderListBytes = 64 * 1024;

class H2Conn;

// One request stream; also the Exchange its handler sees. Shared by the
// connection (until the stream closes) and the handler (until it returns).
class H2Stream final : public Exchange {
 public:
  H2Stream(H2Conn& conn, std::int32_t id, const asio::any_io_executor& ex);

  bool draining() const override;
  asio::awaitable<std::optional<HttpError>> ReadBody(std::string* body) override;
  asio::awaitable<std::optional<HttpError>> ReadBodyPart(std::string* piece, bool* done) override;
  void Begin(int status, std::span<const Field> fields,
             std::optional<std::uint64_t> content_length) override;
  asio::awaitable<bool> Flush() override;
  asio::awaitable<bool> Write(std::string_view piece, bool last) override;
  asio::awaitable<bool> End() override;
  asio::awaitable<bool> EndWithTrailers(std::span<const Field> trailers) override;

  // Wakes whoever waits on this stream (body arrived, output drained, closed).
  void Notify() { signal_.cancel(); }

  // ---- state the connection fills ----
  std::int32_t id;
  std::string head_store;  // the request head's names and values, back to back
  std::vector<std::pair<std::uint32_t, std::uint32_t>> name_at, value_at;  // offsets, lengths
  std::uint32_t name_len_total = 0;
  std::string method_s, path_s, scheme_s, authority_s;
  std::optional<HttpError> head_error;
  std::string body;
  bool body_done = false;
  std::optional<HttpError> body_error;
  bool closed = false;      // nghttp2 closed the stream (reset or finished)
  bool dispatched = false;  // a handler runs (or ran) for it

  // ---- output, read by the data provider ----
  std::string out;
  std::size_t out_off = 0;
  bool eof = false;
  std::vector<std::pair<std::string, std::string>> trailers;
  bool submitted = false;
  bool no_body = false;

  void BuildHead();

 private:
  friend class H2Conn;
  asio::awaitable<void> Wait(Steady::time_point deadline);
  bool Submit();

  H2Conn& c_;
  asio::steady_timer signal_;
  std::vector<std::pair<std::string, std::string>> pending_fields_;  // the response head
  int status_ = 0;
  std::optional<std::uint64_t> length_;
};

class H2Conn {
 public:
  H2Conn(ServerCore& core, Worker& w, const ConnectionInfo& info, beast::tcp_stream& lowest,
         const asio::any_io_executor& ex)
      : core_(core), w_(w), info_(info), lowest_(lowest), ex_(ex), write_signal_(ex) {
    state_.lowest = &lowest_;
    state_.idle = false;
    state_.drain = [this] { Drain(); };
  }
  ~H2Conn() {
    if (session_ != nullptr) nghttp2_session_del(session_);
  }

  const ServerCore& core() const { return core_; }
  const ConnectionInfo& info() const { return info_; }
  nghttp2_session* session() { return session_; }
  void WakeWriter() { write_signal_.cancel(); }

  template <class Stream>
  asio::awaitable<void> Run(Stream& stream, std::string initial);

  // ---- nghttp2 callbacks ----
  static int OnBeginHeaders(nghttp2_session*, const nghttp2_frame* f, void* user);
  static int OnHeader(nghttp2_session*, const nghttp2_frame* f, const std::uint8_t* name,
                      std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                      std::uint8_t flags, void* user);
  static int OnFrameRecv(nghttp2_session*, const nghttp2_frame* f, void* user);
  static int OnDataChunk(nghttp2_session*, std::uint8_t flags, std::int32_t id,
                         const std::uint8_t* data, std::size_t len, void* user);
  static int OnStreamClose(nghttp2_session*, std::int32_t id, std::uint32_t code, void* user);
  static ssize_t ReadData(nghttp2_session*, std::int32_t id, std::uint8_t* buf, std::size_t len,
                          std::uint32_t* flags, nghttp2_data_source* src, void* user);

 private:
  bool Init();
  void Drain();
  void Dispatch(const std::shared_ptr<H2Stream>& s);
  asio::awaitable<void> RunStream(std::shared_ptr<H2Stream> s);
  template <class Stream>
  asio::awaitable<void> Writer(Stream& stream);
  void Fatal(std::uint32_t code) {
    nghttp2_session_terminate_session(session_, code);
    fatal_ = true;
    WakeWriter();
  }

  ServerCore& core_;
  Worker& w_;
  ConnectionInfo info_;
  beast::tcp_stream& lowest_;
  asio::any_io_executor ex_;
  ConnState state_;
  nghttp2_session* session_ = nullptr;
  std::unordered_map<std::int32_t, std::shared_ptr<H2Stream>> streams_;
  int handlers_ = 0;  // handler coroutines running, including those of reset streams
  asio::steady_timer write_signal_;
  bool writer_done_ = false;
  bool reading_done_ = false;
  bool fatal_ = false;
  bool goaway_sent_ = false;
  // Rapid reset: client resets of streams, in a sliding second.
  Steady::time_point reset_window_start_ = Steady::now();
  int resets_in_window_ = 0;
};

// ---- H2Stream -----------------------------------------------------------------------------

H2Stream::H2Stream(H2Conn& conn, std::int32_t sid, const asio::any_io_executor& ex)
    : id(sid), c_(conn), signal_(ex) {
  conn_ = &conn.info();
}

bool H2Stream::draining() const { return c_.core().is_draining(); }

void H2Stream::BuildHead() {
  head_ = RequestHead();
  head_.method = method_s;
  head_.target = path_s;
  head_.version_minor = 1;
  head_.keep_alive = true;
  for (std::size_t i = 0; i < name_at.size(); ++i) {
    head_.headers.push_back(
        {std::string_view(head_store).substr(name_at[i].first, name_at[i].second),
         std::string_view(head_store).substr(value_at[i].first, value_at[i].second)});
  }
  std::string_view cl = head_.Find("content-length");
  if (body_done && body.empty()) {
    head_.framing = BodyFraming::kNone;
  } else if (!cl.empty()) {
    head_.framing = BodyFraming::kContentLength;
    std::uint64_t n = 0;
    for (char c : cl) n = n * 10 + static_cast<std::uint64_t>(c - '0');
    head_.content_length = n;
  } else {
    head_.framing = BodyFraming::kChunked;  // a DATA stream of unknown length
  }
}

asio::awaitable<void> H2Stream::Wait(Steady::time_point deadline) {
  signal_.expires_at(deadline);
  co_await signal_.async_wait(kUse);
}

asio::awaitable<std::optional<HttpError>> H2Stream::ReadBody(std::string* out) {
  auto deadline = Steady::now() + c_.core().opts.body_read_timeout;
  while (!body_done && !body_error && !closed) {
    if (Steady::now() >= deadline) {
      co_return MakeHttpError(408, "body_timeout", "the request body did not arrive in time");
    }
    co_await Wait(deadline);
  }
  if (body_error) co_return *body_error;
  if (!body_done) {
    co_return MakeHttpError(400, "incomplete_body", "the stream closed before the body ended");
  }
  *out = std::move(body);
  body.clear();
  co_return std::nullopt;
}

asio::awaitable<std::optional<HttpError>> H2Stream::ReadBodyPart(std::string* piece, bool* done) {
  piece->clear();
  *done = false;
  auto deadline = Steady::now() + c_.core().opts.body_read_timeout;
  while (body.empty() && !body_done && !body_error && !closed && !ended_) {
    if (Steady::now() >= deadline) {
      co_return MakeHttpError(408, "body_timeout", "the request stream stalled");
    }
    co_await Wait(deadline);
  }
  if (body_error) co_return *body_error;
  piece->swap(body);
  body.clear();
  *done = body_done || closed || ended_;
  if (closed && !body_done && piece->empty()) {
    co_return MakeHttpError(400, "incomplete_body", "the stream closed before the body ended");
  }
  co_return std::nullopt;
}

void H2Stream::Begin(int status, std::span<const Field> fields,
                     std::optional<std::uint64_t> content_length) {
  begun_ = true;
  status_ = status;
  length_ = content_length;
  no_body = head_.method == "HEAD" || status / 100 == 1 || status == 204 || status == 304;
  pending_fields_.clear();
  for (const Field& f : fields) {
    std::string n(f.name);
    for (char& c : n) c = AsciiLower(c);
    // Connection-specific fields are forbidden in HTTP/2 (RFC 9113 8.2.2).
    if (n == "connection" || n == "keep-alive" || n == "proxy-connection" ||
        n == "transfer-encoding" || n == "upgrade" || n == "content-length") {
      continue;
    }
    pending_fields_.emplace_back(std::move(n), std::string(f.value));
  }
  if (content_length && (!no_body || head_.method == "HEAD")) {
    pending_fields_.emplace_back("content-length", std::to_string(*content_length));
  }
}

// Submits the response head (once); false when the stream is gone.
bool H2Stream::Submit() {
  if (submitted) return !closed;
  submitted = true;
  if (closed) return false;
  std::string st = std::to_string(status_);
  std::vector<nghttp2_nv> nva;
  nva.reserve(pending_fields_.size() + 1);
  auto nv = [](std::string_view n, std::string_view v) {
    return nghttp2_nv{const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(n.data())),
                      const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(v.data())),
                      n.size(), v.size(), NGHTTP2_NV_FLAG_NONE};
  };
  nva.push_back(nv(":status", st));
  for (const auto& [n, v] : pending_fields_) nva.push_back(nv(n, v));
  nghttp2_data_provider prd;
  prd.source.ptr = this;
  prd.read_callback = &H2Conn::ReadData;
  // A response that is complete and empty goes out as HEADERS with END_STREAM.
  bool headers_only = eof && trailers.empty() && out.size() == out_off;
  int rv = nghttp2_submit_response(c_.session(), id, nva.data(), nva.size(),
                                   headers_only ? nullptr : &prd);
  if (rv != 0) {
    closed = true;
    return false;
  }
  c_.WakeWriter();
  return true;
}

asio::awaitable<bool> H2Stream::Flush() {
  if (!begun_) co_return !closed;
  co_return Submit();
}

asio::awaitable<bool> H2Stream::Write(std::string_view piece, bool last) {
  if (ended_ || closed) co_return !closed;
  bytes_out_ += piece.size();
  if (!no_body) out.append(piece);
  if (last) {
    eof = true;
    ended_ = true;
    Notify();
  }
  if (!Submit()) co_return false;
  nghttp2_session_resume_data(c_.session(), id);
  c_.WakeWriter();
  // Back-pressure: wait while the peer's window holds our bytes.
  while (!closed && out.size() - out_off > kStreamOutHighWater) {
    co_await Wait(Steady::now() + c_.core().opts.idle_timeout);
    if (!closed && out.size() - out_off > kStreamOutHighWater &&
        signal_.expiry() <= Steady::now()) {
      // No progress for idle_timeout: the client stopped reading.
      nghttp2_submit_rst_stream(c_.session(), NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
      c_.WakeWriter();
      co_return false;
    }
  }
  co_return !closed;
}

asio::awaitable<bool> H2Stream::End() { co_return co_await EndWithTrailers({}); }

asio::awaitable<bool> H2Stream::EndWithTrailers(std::span<const Field> t) {
  if (ended_) co_return !closed;
  ended_ = true;
  eof = true;
  for (const Field& f : t) {
    std::string n(f.name);
    for (char& c : n) c = AsciiLower(c);
    trailers.emplace_back(std::move(n), std::string(f.value));
  }
  Notify();  // a ReadBodyPart waiting for the request stream stops
  if (!Submit()) co_return false;
  nghttp2_session_resume_data(c_.session(), id);
  c_.WakeWriter();
  co_return !closed;
}

// ---- H2Conn callbacks ---------------------------------------------------------------------

int H2Conn::OnBeginHeaders(nghttp2_session*, const nghttp2_frame* f, void* user) {
  auto* c = static_cast<H2Conn*>(user);
  if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  std::int32_t id = f->hd.stream_id;
  // Handlers of streams the client already reset still count: a client
  // cannot get more work running than the concurrency limit by resetting.
  if (c->goaway_sent_ || c->core_.is_draining() ||
      c->handlers_ >= static_cast<int>(c->core_.opts.h2_max_concurrent_streams)) {
    nghttp2_submit_rst_stream(c->session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_REFUSED_STREAM);
    return 0;
  }
  auto s = std::make_shared<H2Stream>(*c, id, c->ex_);
  c->streams_[id] = s;
  nghttp2_session_set_stream_user_data(c->session_, id, s.get());
  return 0;
}

int H2Conn::OnHeader(nghttp2_session*, const nghttp2_frame* f, const std::uint8_t* name,
                     std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                     std::uint8_t, void* user) {
  auto* c = static_cast<H2Conn*>(user);
  auto it = c->streams_.find(f->hd.stream_id);
  if (it == c->streams_.end()) return 0;
  H2Stream& s = *it->second;
  std::string_view n(reinterpret_cast<const char*>(name), namelen);
  std::string_view v(reinterpret_cast<const char*>(value), valuelen);
  if (s.dispatched) return 0;  // trailers of the request: validated by nghttp2, dropped
  // RFC 7541 counts 32 bytes of overhead per field.
  s.name_len_total += static_cast<std::uint32_t>(namelen + valuelen + 32);
  if (s.name_len_total > c->core_.opts.request.max_header_bytes) {
    if (!s.head_error) {
      s.head_error =
          MakeHttpError(431, "header_too_large",
                        "request header is larger than " +
                            std::to_string(c->core_.opts.request.max_header_bytes) + " bytes");
    }
    return 0;
  }
  if (!n.empty() && n.front() == ':') {
    if (n == ":method") {
      s.method_s.assign(v);
    } else if (n == ":path") {
      s.path_s.assign(v);
    } else if (n == ":scheme") {
      s.scheme_s.assign(v);
    } else if (n == ":authority") {
      s.authority_s.assign(v);
    }
    return 0;
  }
  if (s.name_at.size() >= c->core_.opts.request.max_headers) {
    if (!s.head_error) {
      s.head_error = MakeHttpError(431, "too_many_headers", "too many header fields");
    }
    return 0;
  }
  s.name_at.emplace_back(static_cast<std::uint32_t>(s.head_store.size()),
                         static_cast<std::uint32_t>(namelen));
  s.head_store.append(n);
  s.value_at.emplace_back(static_cast<std::uint32_t>(s.head_store.size()),
                          static_cast<std::uint32_t>(valuelen));
  s.head_store.append(v);
  return 0;
}

int H2Conn::OnFrameRecv(nghttp2_session*, const nghttp2_frame* f, void* user) {
  auto* c = static_cast<H2Conn*>(user);
  if (f->hd.type == NGHTTP2_RST_STREAM) {
    auto now = Steady::now();
    if (now - c->reset_window_start_ > std::chrono::seconds(1)) {
      c->reset_window_start_ = now;
      c->resets_in_window_ = 0;
    }
    if (++c->resets_in_window_ > static_cast<int>(c->core_.opts.h2_max_resets_per_second)) {
      spdlog::warn("{}: {} reset streams faster than {}/s; closing the connection (rapid reset)",
                   c->core_.opts.name, c->info_.peer, c->core_.opts.h2_max_resets_per_second);
      c->Fatal(NGHTTP2_ENHANCE_YOUR_CALM);
    }
    return 0;
  }
  auto it = c->streams_.find(f->hd.stream_id);
  if (it == c->streams_.end()) return 0;
  std::shared_ptr<H2Stream> s = it->second;
  bool end_stream = (f->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  if (f->hd.type == NGHTTP2_HEADERS && !s->dispatched) {
    if (end_stream) s->body_done = true;
    c->Dispatch(s);
  } else if (end_stream && (f->hd.type == NGHTTP2_DATA || f->hd.type == NGHTTP2_HEADERS)) {
    s->body_done = true;
    s->Notify();
  }
  return 0;
}

int H2Conn::OnDataChunk(nghttp2_session*, std::uint8_t, std::int32_t id, const std::uint8_t* data,
                        std::size_t len, void* user) {
  auto* c = static_cast<H2Conn*>(user);
  auto it = c->streams_.find(id);
  if (it == c->streams_.end()) return 0;
  H2Stream& s = *it->second;
  if (s.body_error) return 0;
  if (s.body.size() + len > c->core_.opts.request.max_body_bytes) {
    s.body_error =
        MakeHttpError(413, "body_too_large",
                      "request body is larger than " +
                          std::to_string(c->core_.opts.request.max_body_bytes) + " bytes");
    s.body.clear();
    s.body.shrink_to_fit();
    s.Notify();
    return 0;
  }
  s.body.append(reinterpret_cast<const char*>(data), len);
  return 0;
}

int H2Conn::OnStreamClose(nghttp2_session*, std::int32_t id, std::uint32_t, void* user) {
  auto* c = static_cast<H2Conn*>(user);
  auto it = c->streams_.find(id);
  if (it == c->streams_.end()) return 0;
  it->second->closed = true;
  it->second->Notify();
  c->streams_.erase(it);
  return 0;
}

ssize_t H2Conn::ReadData(nghttp2_session* session, std::int32_t id, std::uint8_t* buf,
                         std::size_t len, std::uint32_t* flags, nghttp2_data_source* src, void*) {
  auto* s = static_cast<H2Stream*>(src->ptr);
  std::size_t avail = s->out.size() - s->out_off;
  std::size_t n = std::min(avail, len);
  if (n > 0) {
    std::memcpy(buf, s->out.data() + s->out_off, n);
    s->out_off += n;
    if (s->out_off == s->out.size()) {
      s->out.clear();
      s->out_off = 0;
    }
    s->Notify();  // room for the next Write
  }
  if (s->out.size() == s->out_off && s->eof) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (!s->trailers.empty()) {
      std::vector<nghttp2_nv> nva;
      for (const auto& [name, value] : s->trailers) {
        nva.push_back(nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                                 reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())),
                                 name.size(), value.size(), NGHTTP2_NV_FLAG_NONE});
      }
      if (nghttp2_submit_trailer(session, id, nva.data(), nva.size()) == 0) {
        *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
      }
    }
    return static_cast<ssize_t>(n);
  }
  if (n == 0) return NGHTTP2_ERR_DEFERRED;
  return static_cast<ssize_t>(n);
}

// ---- H2Conn -------------------------------------------------------------------------------

bool H2Conn::Init() {
  nghttp2_session_callbacks* cbs = nullptr;
  if (nghttp2_session_callbacks_new(&cbs) != 0) return false;
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, OnBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(cbs, OnHeader);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, OnFrameRecv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, OnDataChunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, OnStreamClose);
  nghttp2_option* opt = nullptr;
  nghttp2_option_new(&opt);
  nghttp2_option_set_max_settings(opt, 32);
  nghttp2_option_set_max_outbound_ack(opt, 1000);
  nghttp2_option_set_max_continuations(opt, 8);
  nghttp2_option_set_max_deflate_dynamic_table_size(opt, 4096);
  nghttp2_option_set_stream_reset_rate_limit(opt, 1000, 100);
  int rv = nghttp2_session_server_new2(&session_, cbs, this, opt);
  nghttp2_option_del(opt);
  nghttp2_session_callbacks_del(cbs);
  if (rv != 0) return false;
  const ServerOptions& o = core_.opts;
  nghttp2_settings_entry iv[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, o.h2_max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, o.h2_stream_window},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
       static_cast<std::uint32_t>(
           std::min<std::size_t>(o.request.max_header_bytes, kMaxHeaderListBytes))},
      {NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, 4096},
  };
  if (nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, iv, std::size(iv)) != 0) return false;
  // A larger connection window than the 64 KiB default: bodies of 1 MiB
  // (embeddings, tensors) arrive without a round trip per 64 KiB.
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, 8 << 20);
  return true;
}

void H2Conn::Drain() {
  if (goaway_sent_ || session_ == nullptr) return;
  goaway_sent_ = true;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                        nullptr, 0);
  WakeWriter();
  if (handlers_ == 0) lowest_.cancel();  // nothing to finish: stop reading now
}

void H2Conn::Dispatch(const std::shared_ptr<H2Stream>& s) {
  s->dispatched = true;
  ++handlers_;
  asio::co_spawn(ex_, RunStream(s), asio::detached);
}

asio::awaitable<void> H2Conn::RunStream(std::shared_ptr<H2Stream> s) {
  struct Done {
    H2Conn& c;
    ~Done() {
      if (--c.handlers_ == 0 && (c.goaway_sent_ || c.reading_done_)) {
        c.lowest_.cancel();
        c.WakeWriter();
      }
    }
  } done{*this};
  if (!s->head_error) {
    s->BuildHead();
    if (s->method_s.empty() || s->path_s.empty()) {
      s->head_error = MakeHttpError(400, "bad_request", "a request needs :method and :path");
    } else if (auto e = ValidateTarget(s->path_s, core_.opts.request)) {
      s->head_error = std::move(*e);
    }
  }
  if (s->head_error) {
    HttpError e = *s->head_error;
    co_await core_.handler->Refused(*s, e);
    if (!s->begun()) co_await s->RespondError(e);
    if (!s->ended()) co_await s->End();
  } else {
    ++core_.stats->requests_in_flight;
    co_await core_.handler->Handle(*s);
    --core_.stats->requests_in_flight;
    if (!s->begun()) {
      co_await s->RespondError(MakeHttpError(500, "internal", "the request was not answered"));
    } else if (!s->ended() && !s->closed) {
      // A streamed answer that did not end: the client must see it cut off.
      nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_INTERNAL_ERROR);
      WakeWriter();
    }
  }
  // A request body still arriving after the answer is dropped as it comes
  // (the stream is gone from streams_ once closed; until then it is bounded
  // by max_body_bytes).
}

template <class Stream>
asio::awaitable<void> H2Conn::Writer(Stream& stream) {
  std::string batch;
  for (;;) {
    batch.clear();
    while (batch.size() < kMaxWriteBatch) {
      const std::uint8_t* data = nullptr;
      ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) {
        fatal_ = true;
        break;
      }
      if (n == 0) break;
      batch.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
    if (!batch.empty()) {
      lowest_.expires_after(core_.opts.idle_timeout);
      auto [ec, n] = co_await asio::async_write(stream, asio::buffer(batch), kUse);
      lowest_.expires_never();
      if (ec) break;
      continue;
    }
    if (fatal_ || (reading_done_ && handlers_ == 0) ||
        (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_))) {
      break;
    }
    write_signal_.expires_at(Steady::time_point::max());
    co_await write_signal_.async_wait(kUse);
  }
  writer_done_ = true;
  error_code ignored;
  lowest_.socket().cancel(ignored);  // the reader stops too
}

template <class Stream>
asio::awaitable<void> H2Conn::Run(Stream& stream, std::string initial) {
  if (!Init()) co_return;
  w_.conns.insert(&state_);
  struct Unregister {
    Worker& w;
    ConnState* s;
    ~Unregister() { w.conns.erase(s); }
  } unregister{w_, &state_};
  if (core_.is_draining()) Drain();

  // The writer runs beside the reader; this coroutine waits for both.
  bool writer_finished = false;
  asio::steady_timer writer_exit(ex_, Steady::time_point::max());
  asio::co_spawn(ex_, Writer(stream), [&](std::exception_ptr) {
    writer_finished = true;
    writer_exit.cancel();
  });

  std::vector<char> buf(64 * 1024);
  std::string_view pending = initial;
  for (;;) {
    if (!pending.empty()) {
      ssize_t rv = nghttp2_session_mem_recv(
          session_, reinterpret_cast<const std::uint8_t*>(pending.data()), pending.size());
      if (rv < 0) {
        fatal_ = true;
        break;
      }
      pending = {};
      WakeWriter();
    }
    if (fatal_ || writer_done_ || !nghttp2_session_want_read(session_)) break;
    if (goaway_sent_ && handlers_ == 0) break;
    // An idle connection (no stream open) closes after idle_timeout; one
    // whose only streams are heads that never complete, after
    // header_read_timeout (slowloris). Handlers time their own reads.
    if (handlers_ == 0) {
      lowest_.expires_after(streams_.empty() ? core_.opts.idle_timeout
                                             : core_.opts.header_read_timeout);
    } else {
      lowest_.expires_never();
    }
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(buf), kUse);
    NoteReadOn(stream, buf.size(), n);
    lowest_.expires_never();
    if (ec) break;
    pending = std::string_view(buf.data(), n);
  }
  reading_done_ = true;
  // The connection is gone or done: streams still open can neither receive
  // nor send; their handlers see that and return.
  for (auto& [id, s] : streams_) {
    s->closed = true;
    s->Notify();
  }
  WakeWriter();
  if (!writer_finished) co_await writer_exit.async_wait(kUse);
  // Handlers may still be suspended (e.g. on their upstream): they hold the
  // streams, and the streams this connection; wait for them to return.
  while (handlers_ > 0) {
    asio::steady_timer t(ex_, std::chrono::milliseconds(20));
    co_await t.async_wait(kUse);
  }
}

}  // namespace

template <class Stream>
asio::awaitable<void> ServeHttp2(ServerCore& core, Worker& w, Stream& stream,
                                 const ConnectionInfo& info, std::string initial) {
  auto ex = co_await asio::this_coro::executor;
  H2Conn c(core, w, info, beast::get_lowest_layer(stream), ex);
  co_await c.Run(stream, std::move(initial));
}

template asio::awaitable<void> ServeHttp2<beast::tcp_stream>(ServerCore&, Worker&,
                                                             beast::tcp_stream&,
                                                             const ConnectionInfo&, std::string);
template asio::awaitable<void> ServeHttp2<beast::ssl_stream<NotingTcpStream>>(
    ServerCore&, Worker&, beast::ssl_stream<NotingTcpStream>&, const ConnectionInfo&, std::string);

}  // namespace rampart::http::internal
