// The ledger's HTTP API: an http::Handler on the core HTTP server
// (core/http/server.h), which owns listening, TLS and mTLS identities, the
// strict request parser, limits and draining. Appends are completed
// asynchronously by the ledger's committer (no I/O thread waits for an fsync).
#include "ledger/server.h"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <charconv>
#include <mutex>

#include "core/ascii.h"
#include "core/crypto.h"
#include "core/encoding.h"
#include "core/http/server.h"
#include "core/json.h"
#include "ledger/checkpoint.h"
#include "ledger/query.h"

namespace rampart::ledger {
namespace {

namespace asio = boost::asio;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

std::string B64(const Hash& h) {
  return Base64Encode(std::span<const std::uint8_t>(h.data(), h.size()));
}

json::array HashesJson(const std::vector<Hash>& hs) {
  json::array a;
  for (const Hash& h : hs) a.push_back(json::string(B64(h)));
  return a;
}

// A response the handler built; sent by Send.
struct Reply {
  int status = 200;
  std::string body;
  std::string_view content_type = "application/json";
  bool error = false;
  std::string error_code;  // with `error`: the refusal, sent as RespondError
};

Reply TextReply(int status, std::string body, std::string_view content_type) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = content_type;
  return r;
}

Reply JsonReply(int status, const json::value& v) {
  return TextReply(status, ToJson(v) + "\n", "application/json");
}

// A Status as the API's error (core/http/error.h shape). Internal details
// stay in the log; clients get the category.
http::HttpError ErrorOf(const Status& s) {
  int st = 500;
  std::string_view code = "internal";
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      st = 400, code = "invalid_argument";
      break;
    case StatusCode::kNotFound:
      st = 404, code = "not_found";
      break;
    case StatusCode::kUnauthenticated:
      st = 401, code = "unauthenticated";
      break;
    case StatusCode::kPermissionDenied:
      st = 403, code = "forbidden";
      break;
    case StatusCode::kResourceExhausted:
      st = 413, code = "too_large";
      break;
    case StatusCode::kUnavailable:
      st = 503, code = "unavailable";
      break;
    default:
      break;
  }
  if (st == 500) {
    spdlog::error("ledger api: {}", s.ToString());
    return http::MakeHttpError(500, "internal", "internal error");
  }
  return http::MakeHttpError(st, std::string(code), s.message());
}

std::string UrlDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexDigitValue(s[i + 1]) >= 0 &&
        HexDigitValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigitValue(s[i + 1]) * 16 + HexDigitValue(s[i + 2])));
      i += 2;
      continue;
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

class LedgerServer::Impl final : public http::Handler {
 public:
  Impl(Ledger& ledger, ServerOptions opts) : ledger_(ledger), opts_(std::move(opts)) {}
  ~Impl() override { Stop(); }

  Status Start() {
    RAMPART_RETURN_IF_ERROR(SetApiKeys(opts_.api_keys));
    http::ServerOptions o;
    o.name = "ledger";
    o.host = opts_.host;
    o.port = opts_.port;
    o.threads = std::max(1, opts_.threads);
    if (!opts_.tls_cert_file.empty()) {
      o.tls.cert_chain = opts_.tls_cert_file;
      o.tls.key = opts_.tls_key_file;
      o.tls.client_ca = opts_.client_ca_file;
      o.tls.context_id = "rampart-ledger";
    }
    o.request.max_body_bytes = opts_.max_body_bytes;
    o.header_read_timeout = opts_.read_timeout;
    o.body_read_timeout = opts_.read_timeout;
    o.idle_timeout = opts_.read_timeout;
    o.max_connections = opts_.max_connections;
    auto server = http::Server::Start(o, *this);
    if (!server && opts_.fallback_to_any_port && o.port != 0 &&
        server.error().code() == StatusCode::kUnavailable) {
      spdlog::warn("ledger: port {} is in use; listening on a free port instead", o.port);
      o.port = 0;
      server = http::Server::Start(o, *this);
    }
    if (!server) return server.error();
    server_ = std::move(*server);
    spdlog::info("ledger: listening on {}://{}:{}", server_->tls() ? "https" : "http", opts_.host,
                 server_->port());
    return OkStatus();
  }

  void Stop() {
    if (stopped_.exchange(true)) return;
    if (server_) server_->Stop(std::chrono::milliseconds(0));
    server_.reset();
  }

  std::uint16_t port() const { return server_ ? server_->port() : 0; }
  bool tls() const { return server_ && server_->tls(); }

  Status SetApiKeys(const std::vector<ApiKeyRecord>& keys) {
    RAMPART_ASSIGN_OR_RETURN(ApiKeySet set, MakeApiKeySet(keys));
    auto p = std::make_shared<const ApiKeySet>(std::move(set));
    std::lock_guard lock(keys_mu_);
    keys_ = std::move(p);
    return OkStatus();
  }

  // ---- http::Handler ----

  asio::awaitable<void> Handle(http::Exchange& x) override {
    Reply r;
    try {
      r = co_await Route(x);
    } catch (const std::exception& e) {
      // Boost.JSON throws on a few impossible paths; never let one escape
      // into Asio.
      r = Error(InternalError(e.what()));
    }
    if (r.error) {
      http::HttpError e = http::MakeHttpError(r.status, r.error_code, r.body);
      std::array<http::Field, 2> extra;
      std::size_t n = 0;
      if (r.status == 503) extra[n++] = {"Retry-After", "1"};
      co_await x.RespondError(e, std::span<const http::Field>(extra.data(), n));
      co_return;
    }
    std::array<http::Field, 3> f{http::Field{"Server", "rampart-ledger"},
                                 http::Field{"Content-Type", r.content_type},
                                 http::Field{"Cache-Control", "no-store"}};
    co_await x.Respond(r.status, f, r.body);
  }

 private:
  static Reply Error(const Status& s) { return Refusal(ErrorOf(s)); }
  static Reply Refusal(http::HttpError e) {
    Reply r;
    r.error = true;
    r.status = e.http_status;
    r.error_code = std::move(e.code);
    r.body = std::move(e.message);
    return r;
  }

  // The identity of an API key or client certificate.
  Result<std::string> Authenticate(const http::Exchange& x) const {
    for (const std::string& san : x.conn().sans) {
      auto it = opts_.mtls_identities.find(san);
      if (it != opts_.mtls_identities.end()) return it->second;
    }
    std::string_view v = x.head().Find("authorization");
    if (!v.empty()) {
      std::shared_ptr<const ApiKeySet> keys;
      {
        std::lock_guard lock(keys_mu_);
        keys = keys_;
      }
      if (v.size() > 7 && EqualsIgnoreCase(v.substr(0, 7), "bearer ") && keys) {
        auto who = keys->Authenticate(v.substr(7));
        if (!who) return who.error();
        return std::string(*who);
      }
    }
    return UnauthenticatedError(
        "this needs an API key (Authorization: Bearer rk_...) or a client certificate");
  }

  asio::awaitable<Reply> Route(http::Exchange& x) {
    std::string_view target = x.head().target;
    std::size_t q = target.find('?');
    std::string_view path = target.substr(0, q);
    auto query = ParseQuery(q == std::string_view::npos ? "" : target.substr(q + 1));
    std::string_view method = x.head().method;
    if (path == "/v1/entries") {
      if (method != "POST") {
        co_return Error(InvalidArgumentError("use POST to append to /v1/entries"));
      }
      co_return co_await Append(x, query);
    }
    if (method != "GET" && method != "HEAD") {
      co_return Error(InvalidArgumentError("method not allowed here"));
    }
    if (path == "/healthz") co_return TextReply(200, "ok\n", "text/plain");
    if (opts_.read_requires_auth) {
      auto who = Authenticate(x);
      if (!who) co_return Error(who.error());
    }
    co_return Read(path, query);
  }

  asio::awaitable<Reply> Append(http::Exchange& x,
                                const std::map<std::string, std::string>& query) {
    auto who = Authenticate(x);
    if (!who) co_return Error(who.error());
    std::string raw;
    if (auto err = co_await x.ReadBody(&raw)) co_return Refusal(*err);
    JsonLimits limits;
    limits.max_bytes = opts_.max_body_bytes;
    limits.max_depth = 34;
    auto body = ParseJson(raw, limits, "request body");
    if (!body) co_return Error(body.error());
    std::vector<json::value> items;
    if (body->is_array()) {
      items.assign(body->get_array().begin(), body->get_array().end());
    } else if (body->is_object() && body->get_object().contains("entries")) {
      const json::value& e = body->get_object().at("entries");
      if (!e.is_array() || body->get_object().size() != 1) {
        co_return Error(InvalidArgumentError("'entries' must be the only field, an array"));
      }
      items.assign(e.get_array().begin(), e.get_array().end());
    } else {
      items.push_back(std::move(*body));
    }
    if (items.empty()) co_return Error(InvalidArgumentError("no entries to append"));
    if (items.size() > opts_.max_batch_entries) {
      co_return Error(ResourceExhaustedError("a batch holds at most " +
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
        co_return Error(s);  // nothing of the batch is appended
      }
      parsed.push_back(std::move(*e));
    }
    auto r = co_await AsyncAppend(ledger_, std::move(parsed));
    if (!r) {
      Status s = r.error();
      if (s.code() == StatusCode::kResourceExhausted) s = UnavailableError(s.message());
      co_return Error(s);
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
          out["checkpoint"] = cp->note;
          for (std::size_t i = 0; i < r->entries.size(); ++i) {
            auto proof = InclusionProof(r->entries[i].index, cp->size, ledger_.nodes());
            if (!proof) co_return Error(proof.error());
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
    co_return JsonReply(201, out);
  }

  Reply Read(std::string_view path, const std::map<std::string, std::string>& query) {
    Store& store = ledger_.store();
    if (path.starts_with("/v1/entries/")) {
      auto idx = ParseU64(path.substr(12), "entry index");
      if (!idx) return Error(idx.error());
      auto rec = store.ReadEntry(*idx);
      if (!rec) return Error(rec.error());
      auto v = ParseJson(rec->data);
      if (!v) return Error(CorruptionError("stored entry is not JSON"));
      return JsonReply(
          200, json::object{
                   {"index", rec->index}, {"leaf_hash", B64(rec->leaf)}, {"entry", std::move(*v)}});
    }
    if (path == "/v1/checkpoint") {
      auto cp = store.LatestCheckpoint();
      if (!cp) return Error(cp.error());
      if (!*cp) return Error(NotFoundError("no checkpoint yet"));
      return TextReply(200, (*cp)->note, "text/plain; charset=utf-8");
    }
    if (path == "/v1/key") {
      return TextReply(200, ledger_.verifier().ToString() + "\n", "text/plain");
    }
    if (path == "/v1/proof/inclusion") {
      auto idx = ParseU64(Get(query, "index"), "index");
      if (!idx) return Error(idx.error());
      std::uint64_t size = 0;
      if (query.count("size") != 0) {
        auto s = ParseU64(Get(query, "size"), "size");
        if (!s) return Error(s.error());
        size = *s;
      } else {
        auto cp = store.LatestCheckpoint();
        if (!cp || !*cp) return Error(UnavailableError("no checkpoint yet"));
        size = (*cp)->size;
      }
      if (size > ledger_.size()) {
        return Error(InvalidArgumentError("size is beyond the tree (" +
                                          std::to_string(ledger_.size()) + ")"));
      }
      auto proof = InclusionProof(*idx, size, ledger_.nodes());
      if (!proof) return Error(proof.error());
      return JsonReply(
          200, json::object{{"index", *idx}, {"tree_size", size}, {"proof", HashesJson(*proof)}});
    }
    if (path == "/v1/proof/consistency") {
      auto from = ParseU64(Get(query, "from"), "from");
      auto to = ParseU64(Get(query, "to"), "to");
      if (!from) return Error(from.error());
      if (!to) return Error(to.error());
      if (*to > ledger_.size()) return Error(InvalidArgumentError("'to' is beyond the tree"));
      auto proof = ConsistencyProof(*from, *to, ledger_.nodes());
      if (!proof) return Error(proof.error());
      return JsonReply(200,
                       json::object{{"from", *from}, {"to", *to}, {"proof", HashesJson(*proof)}});
    }
    if (path == "/v1/find") {
      std::string digest = Get(query, "digest");
      if (!IsValidDigest(digest)) {
        return Error(InvalidArgumentError("digest must look like sha256:<64 hex>"));
      }
      auto found = FindEntries(store, digest);
      if (!found) return Error(found.error());
      json::array a;
      for (EntryView& v : *found)
        a.push_back(json::object{{"index", v.index}, {"entry", std::move(v.entry)}});
      return JsonReply(200, json::object{{"digest", digest}, {"entries", std::move(a)}});
    }
    return Error(NotFoundError("no such endpoint: " + std::string(path)));
  }

  static std::string Get(const std::map<std::string, std::string>& q, const std::string& k) {
    auto it = q.find(k);
    return it == q.end() ? "" : it->second;
  }

  Ledger& ledger_;
  ServerOptions opts_;
  std::atomic<bool> stopped_{false};
  mutable std::mutex keys_mu_;
  std::shared_ptr<const ApiKeySet> keys_;
  std::unique_ptr<http::Server> server_;  // last: stopped before the rest goes
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
