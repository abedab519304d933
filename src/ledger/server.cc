// The HTTP API on Boost.Beast: one coroutine per connection, every read under
// a deadline, bodies under a limit, appends completed asynchronously by the
// ledger's committer (no I/O thread waits for an fsync).
#include "ledger/server.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <mutex>
#include <optional>
#include <thread>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/json.h"
#include "ledger/checkpoint.h"
#include "ledger/query.h"

namespace rampart::ledger {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

std::string B64(const Hash& h) {
  return Base64Encode(std::span<const std::uint8_t>(h.data(), h.size()));
}

json::array HashesJson(const std::vector<Hash>& hs) {
  json::array a;
  for (const Hash& h : hs) a.push_back(json::string(B64(h)));
  return a;
}

Response MakeResponse(const Request& req, http::status st, std::string body,
                      std::string_view content_type) {
  Response res(st, req.version());
  res.set(http::field::server, "rampart-ledger");
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  return res;
}

Response JsonResponse(const Request& req, http::status st, const json::value& v) {
  return MakeResponse(req, st, ToJson(v) + "\n", "application/json");
}

Response ErrorResponse(const Request& req, const Status& s) {
  http::status st = http::status::internal_server_error;
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      st = http::status::bad_request;
      break;
    case StatusCode::kNotFound:
      st = http::status::not_found;
      break;
    case StatusCode::kUnauthenticated:
      st = http::status::unauthorized;
      break;
    case StatusCode::kPermissionDenied:
      st = http::status::forbidden;
      break;
    case StatusCode::kResourceExhausted:
      st = http::status::payload_too_large;
      break;
    case StatusCode::kUnavailable:
      st = http::status::service_unavailable;
      break;
    default:
      break;
  }
  // Internal details stay in the log; clients get the category.
  std::string msg = st == http::status::internal_server_error ? "internal error" : s.message();
  if (st == http::status::internal_server_error) spdlog::error("ledger api: {}", s.ToString());
  Response res = JsonResponse(req, st, json::object{{"error", msg}});
  if (st == http::status::unauthorized) res.set(http::field::www_authenticate, "Bearer");
  if (st == http::status::service_unavailable) res.set(http::field::retry_after, "1");
  return res;
}

std::string UrlDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      auto hex = HexDecode(s.substr(i + 1, 2));
      if (hex && hex->size() == 1) {
        out.push_back(static_cast<char>((*hex)[0]));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i] == '+' ? ' ' : s[i]);
  }
  return out;
}

std::map<std::string, std::string> ParseQuery(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    std::size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    std::size_t eq = part.find('=');
    out[UrlDecode(part.substr(0, eq))] =
        eq == std::string_view::npos ? "" : UrlDecode(part.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

Result<std::uint64_t> ParseU64(std::string_view s, std::string_view what) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    return InvalidArgumentError(std::string(what) + " must be a non-negative integer");
  }
  return v;
}

// Completes on the caller's executor once the ledger has made the batch durable.
asio::awaitable<Result<AppendBatchResult>> AsyncAppend(Ledger& ledger,
                                                       std::vector<ParsedEntry> entries) {
  auto ex = co_await asio::this_coro::executor;
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable),
                                          void(Result<AppendBatchResult>)>(
      [&ledger, ex](auto handler, std::vector<ParsedEntry> batch) {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        ledger.AppendAsync(std::move(batch), [h, ex](Result<AppendBatchResult> r) {
          asio::post(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
        });
      },
      asio::use_awaitable, std::move(entries));
}

}  // namespace

class LedgerServer::Impl {
 public:
  Impl(Ledger& ledger, ServerOptions opts)
      : ledger_(ledger), opts_(std::move(opts)), acceptor_(ioc_) {}

  Status Start() {
    RAMPART_RETURN_IF_ERROR(SetApiKeys(opts_.api_keys));
    if (!opts_.tls_cert_file.empty()) RAMPART_RETURN_IF_ERROR(SetUpTls());
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(opts_.host, ec);
    if (ec)
      return InvalidArgumentError("ledger listen address '" + opts_.host +
                                  "' is not an IP address");
    RAMPART_RETURN_IF_ERROR(Listen(tcp::endpoint(addr, opts_.port)));
    port_ = acceptor_.local_endpoint(ec).port();
    asio::co_spawn(ioc_, AcceptLoop(), asio::detached);
    for (int i = 0; i < std::max(1, opts_.threads); ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
    }
    spdlog::info("ledger: listening on {}://{}:{}", ssl_ ? "https" : "http", opts_.host, port_);
    return OkStatus();
  }

  void Stop() {
    if (stopped_.exchange(true)) return;
    asio::post(ioc_, [this] {
      boost::system::error_code ec;
      acceptor_.close(ec);
    });
    ioc_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  std::uint16_t port() const { return port_; }

  Status SetApiKeys(std::vector<ApiKeyRecord> keys) {
    for (const ApiKeyRecord& k : keys) RAMPART_RETURN_IF_ERROR(CheckApiKeyRecord(k));
    auto p = std::make_shared<const std::vector<ApiKeyRecord>>(std::move(keys));
    std::lock_guard lock(keys_mu_);
    keys_ = std::move(p);
    return OkStatus();
  }
  bool tls() const { return ssl_.has_value(); }

 private:
  Status Listen(tcp::endpoint ep) {
    boost::system::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (ec == asio::error::address_in_use && opts_.fallback_to_any_port && ep.port() != 0) {
      spdlog::warn("ledger: port {} is in use; listening on a free port instead", ep.port());
      acceptor_.close(ec);
      return Listen(tcp::endpoint(ep.address(), 0));
    }
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return UnavailableError("ledger cannot listen on " + opts_.host + ":" +
                              std::to_string(ep.port()) + ": " + ec.message());
    }
    return OkStatus();
  }

  Status SetUpTls() {
    ssl_.emplace(asio::ssl::context::tls_server);
    boost::system::error_code ec;
    ssl_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                          asio::ssl::context::no_tlsv1_1,
                      ec);
    ssl_->use_certificate_chain_file(opts_.tls_cert_file, ec);
    if (ec)
      return InvalidArgumentError("ledger TLS certificate " + opts_.tls_cert_file + ": " +
                                  ec.message());
    ssl_->use_private_key_file(opts_.tls_key_file, asio::ssl::context::pem, ec);
    if (ec)
      return InvalidArgumentError("ledger TLS key " + opts_.tls_key_file + ": " + ec.message());
    if (!opts_.client_ca_file.empty()) {
      ssl_->load_verify_file(opts_.client_ca_file, ec);
      if (ec)
        return InvalidArgumentError("ledger client CA " + opts_.client_ca_file + ": " +
                                    ec.message());
      // Certificates are optional (API keys also authenticate) but verified when sent.
      ssl_->set_verify_mode(asio::ssl::verify_peer, ec);
    }
    return OkStatus();
  }

  asio::awaitable<void> AcceptLoop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kUse);
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
        continue;
      }
      if (connections_.load() >= opts_.max_connections) {
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      ++connections_;
      asio::co_spawn(acceptor_.get_executor(), Connection(std::move(socket)),
                     [this](std::exception_ptr) { --connections_; });
    }
  }

  asio::awaitable<void> Connection(tcp::socket socket) {
    if (!ssl_) {
      beast::tcp_stream stream(std::move(socket));
      co_await Serve(stream, "");
      boost::system::error_code ec;
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *ssl_);
    beast::get_lowest_layer(stream).expires_after(opts_.read_timeout);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kUse);
    if (ec) co_return;
    std::string identity = PeerIdentity(stream.native_handle());
    co_await Serve(stream, identity);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
    co_await stream.async_shutdown(kUse);
  }

  std::string PeerIdentity(SSL* ssl) const {
    X509* cert = SSL_get1_peer_certificate(ssl);
    if (cert == nullptr) return "";
    std::string out;
    if (SSL_get_verify_result(ssl) == X509_V_OK) {
      unsigned char* der = nullptr;
      int len = i2d_X509(cert, &der);
      if (len > 0) {
        auto c = crypto::Certificate::FromDer(crypto::ByteView(der, static_cast<std::size_t>(len)));
        if (c) {
          for (const std::string& uri : c->san_uris()) {
            auto it = opts_.mtls_identities.find(uri);
            if (it != opts_.mtls_identities.end()) {
              out = it->second;
              break;
            }
          }
        }
      }
      OPENSSL_free(der);
    }
    X509_free(cert);
    return out;
  }

  template <class Stream>
  asio::awaitable<void> Serve(Stream& stream, const std::string& tls_identity) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(opts_.max_body_bytes);
      parser.header_limit(16 * 1024);
      beast::get_lowest_layer(stream).expires_after(opts_.read_timeout);
      auto [ec, n] = co_await http::async_read(stream, buffer, parser, kUse);
      if (ec) {
        if (ec == http::error::body_limit) {
          Request dummy;
          Response res = ErrorResponse(
              dummy, ResourceExhaustedError("request body is over the limit of " +
                                            std::to_string(opts_.max_body_bytes) + " bytes"));
          res.keep_alive(false);
          res.prepare_payload();
          co_await http::async_write(stream, res, kUse);
        } else if (ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
                   ec != http::error::end_of_stream && ec != http::error::partial_message) {
          Request dummy;
          Response res = ErrorResponse(dummy, InvalidArgumentError("malformed HTTP request"));
          res.keep_alive(false);
          res.prepare_payload();
          co_await http::async_write(stream, res, kUse);
        }
        co_return;
      }
      Request req = parser.release();
      Response res = co_await Handle(req, tls_identity);
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      beast::get_lowest_layer(stream).expires_after(opts_.read_timeout);
      auto [wec, wn] = co_await http::async_write(stream, res, kUse);
      if (wec || !res.keep_alive()) co_return;
    }
  }

  Result<std::string> Authenticate(const Request& req, const std::string& tls_identity) const {
    if (!tls_identity.empty()) return tls_identity;
    auto it = req.find(http::field::authorization);
    if (it != req.end()) {
      std::string_view v = it->value();
      std::shared_ptr<const std::vector<ApiKeyRecord>> keys;
      {
        std::lock_guard lock(keys_mu_);
        keys = keys_;
      }
      if (v.starts_with("Bearer ") && keys) return AuthenticateApiKey(*keys, v.substr(7));
    }
    return UnauthenticatedError(
        "this needs an API key (Authorization: Bearer rk_...) or a client certificate");
  }

  asio::awaitable<Response> Handle(const Request& req, const std::string& tls_identity) {
    std::string_view target = req.target();
    std::size_t q = target.find('?');
    std::string_view path = target.substr(0, q);
    auto query = ParseQuery(q == std::string_view::npos ? "" : target.substr(q + 1));
    try {
      if (path == "/v1/entries") {
        if (req.method() != http::verb::post) {
          co_return ErrorResponse(req, InvalidArgumentError("use POST to append to /v1/entries"));
        }
        co_return co_await Append(req, tls_identity, query);
      }
      if (req.method() != http::verb::get && req.method() != http::verb::head) {
        co_return ErrorResponse(req, InvalidArgumentError("method not allowed here"));
      }
      if (path == "/healthz") co_return MakeResponse(req, http::status::ok, "ok\n", "text/plain");
      if (opts_.read_requires_auth) {
        auto who = Authenticate(req, tls_identity);
        if (!who) co_return ErrorResponse(req, who.error());
      }
      co_return Read(req, path, query);
    } catch (const std::exception& e) {
      // Boost.JSON and Beast throw on a few impossible paths; never let one
      // escape into Asio.
      co_return ErrorResponse(req, InternalError(e.what()));
    }
  }

  asio::awaitable<Response> Append(const Request& req, const std::string& tls_identity,
                                   const std::map<std::string, std::string>& query) {
    auto who = Authenticate(req, tls_identity);
    if (!who) co_return ErrorResponse(req, who.error());
    JsonLimits limits;
    limits.max_bytes = opts_.max_body_bytes;
    limits.max_depth = 34;
    auto body = ParseJson(req.body(), limits, "request body");
    if (!body) co_return ErrorResponse(req, body.error());
    std::vector<json::value> items;
    if (body->is_array()) {
      items.assign(body->get_array().begin(), body->get_array().end());
    } else if (body->is_object() && body->get_object().contains("entries")) {
      const json::value& e = body->get_object().at("entries");
      if (!e.is_array() || body->get_object().size() != 1) {
        co_return ErrorResponse(req,
                                InvalidArgumentError("'entries' must be the only field, an array"));
      }
      items.assign(e.get_array().begin(), e.get_array().end());
    } else {
      items.push_back(std::move(*body));
    }
    if (items.empty()) co_return ErrorResponse(req, InvalidArgumentError("no entries to append"));
    if (items.size() > opts_.max_batch_entries) {
      co_return ErrorResponse(
          req, ResourceExhaustedError("a batch holds at most " +
                                      std::to_string(opts_.max_batch_entries) + " entries"));
    }
    EntryOptions eo;
    eo.max_bytes = opts_.max_entry_bytes;
    eo.submitter = *who;
    std::vector<ParsedEntry> parsed;
    parsed.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto e = ParseEntryValue(std::move(items[i]), eo);
      if (!e) {
        Status s =
            items.size() == 1 ? e.error() : e.error().WithContext("entry " + std::to_string(i));
        co_return ErrorResponse(req, s);  // nothing of the batch is appended
      }
      parsed.push_back(std::move(*e));
    }
    auto r = co_await AsyncAppend(ledger_, std::move(parsed));
    if (!r) {
      Status s = r.error();
      if (s.code() == StatusCode::kResourceExhausted) s = UnavailableError(s.message());
      co_return ErrorResponse(req, s);
    }
    json::object out;
    out["tree_size"] = r->tree_size;
    json::array entries;
    for (const AppendResult& a : r->entries) {
      entries.push_back(json::object{{"index", a.index}, {"leaf_hash", B64(a.leaf)}});
    }
    auto wait = query.find("wait");
    if (wait != query.end() && wait->second == "checkpoint") {
      // Wait (without holding a thread) for the checkpoint that covers the batch.
      asio::steady_timer timer(co_await asio::this_coro::executor);
      auto deadline = std::chrono::steady_clock::now() + opts_.checkpoint_wait;
      for (;;) {
        auto cp = ledger_.WaitForCheckpoint(r->tree_size, std::chrono::milliseconds(0));
        if (cp) {
          auto parsed_cp = ParseNote(cp->note);
          out["checkpoint"] = cp->note;
          for (std::size_t i = 0; i < r->entries.size(); ++i) {
            auto proof = InclusionProof(r->entries[i].index, cp->size, ledger_.nodes());
            if (!proof) co_return ErrorResponse(req, proof.error());
            entries[i].as_object()["proof"] = HashesJson(*proof);
            entries[i].as_object()["proof_tree_size"] = cp->size;
          }
          break;
        }
        if (std::chrono::steady_clock::now() >= deadline) break;
        timer.expires_after(std::chrono::milliseconds(10));
        co_await timer.async_wait(kUse);
      }
    }
    out["entries"] = std::move(entries);
    co_return JsonResponse(req, http::status::created, out);
  }

  Response Read(const Request& req, std::string_view path,
                const std::map<std::string, std::string>& query) {
    Store& store = ledger_.store();
    if (path.starts_with("/v1/entries/")) {
      auto idx = ParseU64(path.substr(12), "entry index");
      if (!idx) return ErrorResponse(req, idx.error());
      auto rec = store.ReadEntry(*idx);
      if (!rec) return ErrorResponse(req, rec.error());
      auto v = ParseJson(rec->data);
      if (!v) return ErrorResponse(req, CorruptionError("stored entry is not JSON"));
      return JsonResponse(
          req, http::status::ok,
          json::object{
              {"index", rec->index}, {"leaf_hash", B64(rec->leaf)}, {"entry", std::move(*v)}});
    }
    if (path == "/v1/checkpoint") {
      auto cp = store.LatestCheckpoint();
      if (!cp) return ErrorResponse(req, cp.error());
      if (!*cp) return ErrorResponse(req, NotFoundError("no checkpoint yet"));
      return MakeResponse(req, http::status::ok, (*cp)->note, "text/plain; charset=utf-8");
    }
    if (path == "/v1/key") {
      return MakeResponse(req, http::status::ok, ledger_.verifier().ToString() + "\n",
                          "text/plain");
    }
    if (path == "/v1/proof/inclusion") {
      auto idx = ParseU64(Get(query, "index"), "index");
      if (!idx) return ErrorResponse(req, idx.error());
      std::uint64_t size = 0;
      if (query.count("size") != 0) {
        auto s = ParseU64(Get(query, "size"), "size");
        if (!s) return ErrorResponse(req, s.error());
        size = *s;
      } else {
        auto cp = store.LatestCheckpoint();
        if (!cp || !*cp) return ErrorResponse(req, UnavailableError("no checkpoint yet"));
        size = (*cp)->size;
      }
      if (size > ledger_.size()) {
        return ErrorResponse(req, InvalidArgumentError("size is beyond the tree (" +
                                                       std::to_string(ledger_.size()) + ")"));
      }
      auto proof = InclusionProof(*idx, size, ledger_.nodes());
      if (!proof) return ErrorResponse(req, proof.error());
      return JsonResponse(
          req, http::status::ok,
          json::object{{"index", *idx}, {"tree_size", size}, {"proof", HashesJson(*proof)}});
    }
    if (path == "/v1/proof/consistency") {
      auto from = ParseU64(Get(query, "from"), "from");
      auto to = ParseU64(Get(query, "to"), "to");
      if (!from) return ErrorResponse(req, from.error());
      if (!to) return ErrorResponse(req, to.error());
      if (*to > ledger_.size())
        return ErrorResponse(req, InvalidArgumentError("'to' is beyond the tree"));
      auto proof = ConsistencyProof(*from, *to, ledger_.nodes());
      if (!proof) return ErrorResponse(req, proof.error());
      return JsonResponse(
          req, http::status::ok,
          json::object{{"from", *from}, {"to", *to}, {"proof", HashesJson(*proof)}});
    }
    if (path == "/v1/find") {
      std::string digest = Get(query, "digest");
      if (!IsValidDigest(digest)) {
        return ErrorResponse(req, InvalidArgumentError("digest must look like sha256:<64 hex>"));
      }
      auto found = FindEntries(store, digest);
      if (!found) return ErrorResponse(req, found.error());
      json::array a;
      for (EntryView& v : *found)
        a.push_back(json::object{{"index", v.index}, {"entry", std::move(v.entry)}});
      return JsonResponse(req, http::status::ok,
                          json::object{{"digest", digest}, {"entries", std::move(a)}});
    }
    return ErrorResponse(req, NotFoundError("no such endpoint: " + std::string(path)));
  }

  static std::string Get(const std::map<std::string, std::string>& q, const std::string& k) {
    auto it = q.find(k);
    return it == q.end() ? "" : it->second;
  }

  Ledger& ledger_;
  ServerOptions opts_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::optional<asio::ssl::context> ssl_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> connections_{0};
  std::atomic<bool> stopped_{false};
  std::uint16_t port_ = 0;
  mutable std::mutex keys_mu_;
  std::shared_ptr<const std::vector<ApiKeyRecord>> keys_;
};

LedgerServer::LedgerServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LedgerServer::~LedgerServer() { Stop(); }
std::uint16_t LedgerServer::port() const { return impl_->port(); }
bool LedgerServer::tls() const { return impl_->tls(); }
Status LedgerServer::SetApiKeys(std::vector<ApiKeyRecord> keys) {
  return impl_->SetApiKeys(std::move(keys));
}
void LedgerServer::Stop() {
  if (impl_) impl_->Stop();
}

Result<std::unique_ptr<LedgerServer>> LedgerServer::Start(Ledger& ledger, ServerOptions opts) {
  auto impl = std::make_unique<Impl>(ledger, std::move(opts));
  RAMPART_RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<LedgerServer>(new LedgerServer(std::move(impl)));
}

}  // namespace rampart::ledger
