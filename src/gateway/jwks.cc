#include "gateway/jwks.h"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "core/encoding.h"
#include "core/file.h"
#include "core/json.h"
#include "core/url.h"
#include "gateway/jwt.h"

namespace rampart::gateway {
namespace {

// A JWKS is a handful of keys; these bounds only stop a hostile or broken
// endpoint from making the refresher hold or parse megabytes.
constexpr std::size_t kMaxJwksBytes = 1u << 20;
constexpr std::size_t kMaxKeys = 100;
constexpr std::chrono::seconds kFetchTimeout{10};

// JWK members carry base64url without padding (RFC 7515 §2); anything else
// ('=', '+', '/', whitespace) is refused rather than repaired.
Result<crypto::Bytes> DecodeMember(const json::object& o, std::string_view name) {
  RAMPART_ASSIGN_OR_RETURN(std::string_view s, GetString(o, name));
  if (s.find('=') != std::string_view::npos) {
    return InvalidArgumentError("\"" + std::string(name) + "\" must be base64url without padding");
  }
  auto bytes = Base64UrlDecode(s);
  if (!bytes) return bytes.error().WithContext("\"" + std::string(name) + "\"");
  return std::move(*bytes);
}

Status RefuseMembers(const json::object& o, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    if (o.contains(n)) {
      return InvalidArgumentError("carries private key member \"" + std::string(n) +
                                  "\"; a JWKS must hold public keys only");
    }
  }
  return OkStatus();
}

Result<Jwk> ParseKey(const json::object& o) {
  RAMPART_ASSIGN_OR_RETURN(std::string_view kty, GetString(o, "kty"));
  RAMPART_ASSIGN_OR_RETURN(std::optional<std::string_view> kid, GetOptionalString(o, "kid"));
  RAMPART_ASSIGN_OR_RETURN(std::optional<std::string_view> use, GetOptionalString(o, "use"));
  if (use && *use != "sig") {
    return InvalidArgumentError("\"use\" is \"" + std::string(*use) +
                                "\"; only signature keys (\"sig\") belong in this set");
  }
  if (auto it = o.find("key_ops"); it != o.end()) {
    const json::array* ops = it->value().if_array();
    bool verify = false;
    if (ops != nullptr) {
      for (const json::value& v : *ops) {
        if (!v.is_string()) {
          ops = nullptr;
          break;
        }
        if (v.as_string() == "verify") verify = true;
      }
    }
    if (ops == nullptr) return InvalidArgumentError("\"key_ops\" must be an array of strings");
    if (!verify) return InvalidArgumentError("\"key_ops\" does not include \"verify\"");
  }

  std::string_view want_alg;
  std::optional<crypto::PublicKey> public_key;
  if (kty == "RSA") {
    RAMPART_RETURN_IF_ERROR(RefuseMembers(o, {"d", "p", "q", "dp", "dq", "qi", "oth"}));
    RAMPART_ASSIGN_OR_RETURN(crypto::Bytes n, DecodeMember(o, "n"));
    RAMPART_ASSIGN_OR_RETURN(crypto::Bytes e, DecodeMember(o, "e"));
    auto key = crypto::PublicKey::FromRsaComponents(n, e);
    if (!key) return key.error();
    public_key = std::move(*key);
    want_alg = "RS256";
  } else if (kty == "EC") {
    RAMPART_RETURN_IF_ERROR(RefuseMembers(o, {"d"}));
    RAMPART_ASSIGN_OR_RETURN(std::string_view crv, GetString(o, "crv"));
    if (crv != "P-256") {
      return InvalidArgumentError("EC curve \"" + std::string(crv) +
                                  "\" is not supported (P-256 only)");
    }
    RAMPART_ASSIGN_OR_RETURN(crypto::Bytes x, DecodeMember(o, "x"));
    RAMPART_ASSIGN_OR_RETURN(crypto::Bytes y, DecodeMember(o, "y"));
    auto key = crypto::PublicKey::FromEcPoint(crypto::KeyType::kEcdsaP256, x, y);
    if (!key) return key.error();
    public_key = std::move(*key);
    want_alg = "ES256";
  } else if (kty == "OKP") {
    RAMPART_RETURN_IF_ERROR(RefuseMembers(o, {"d"}));
    RAMPART_ASSIGN_OR_RETURN(std::string_view crv, GetString(o, "crv"));
    if (crv != "Ed25519") {
      return InvalidArgumentError("OKP curve \"" + std::string(crv) +
                                  "\" is not supported (Ed25519 only)");
    }
    RAMPART_ASSIGN_OR_RETURN(crypto::Bytes x, DecodeMember(o, "x"));
    if (x.size() != 32) {
      return InvalidArgumentError("Ed25519 \"x\" must be 32 bytes, got " +
                                  std::to_string(x.size()));
    }
    auto key = crypto::PublicKey::FromRawEd25519(x);
    if (!key) return key.error();
    public_key = std::move(*key);
    want_alg = "EdDSA";
  } else {
    return InvalidArgumentError("\"kty\" \"" + std::string(kty) +
                                "\" is not supported (RSA, EC or OKP)");
  }

  // The key's algorithm is fixed here, never taken from a token: a key is
  // used with exactly one JWS algorithm (RFC 8725 §3.1).
  RAMPART_ASSIGN_OR_RETURN(std::optional<std::string_view> alg, GetOptionalString(o, "alg"));
  if (alg && *alg != want_alg) {
    return InvalidArgumentError("\"alg\" \"" + std::string(*alg) + "\" does not fit a " +
                                std::string(kty) + " key (expected " + std::string(want_alg) + ")");
  }
  return Jwk{kid ? std::string(*kid) : std::string(), std::string(want_alg),
             std::move(*public_key)};
}

std::string KeyName(std::size_t index, const json::object& o) {
  std::string name = "JWKS key " + std::to_string(index);
  if (auto it = o.find("kid"); it != o.end() && it->value().is_string()) {
    name += " (kid \"" + std::string(it->value().as_string()) + "\")";
  }
  return name;
}

}  // namespace

const Jwk* JwkSet::Find(std::string_view kid) const {
  if (kid.empty()) return keys_.size() == 1 ? &keys_.front() : nullptr;
  for (const Jwk& k : keys_) {
    if (k.kid == kid) return &k;
  }
  return nullptr;
}

Result<std::shared_ptr<const JwkSet>> ParseJwks(std::string_view text) {
  JsonLimits limits;
  limits.max_bytes = kMaxJwksBytes;
  limits.max_depth = 8;
  auto doc = ParseJson(text, limits, "JWKS");
  if (!doc) return doc.error();
  const json::object* top = doc->if_object();
  if (top == nullptr) return InvalidArgumentError("JWKS must be a JSON object with \"keys\"");
  auto arr = GetArray(*top, "keys");
  if (!arr) return arr.error().WithContext("JWKS");
  if ((*arr)->empty()) return InvalidArgumentError("JWKS has no keys");
  if ((*arr)->size() > kMaxKeys) {
    return InvalidArgumentError("JWKS has " + std::to_string((*arr)->size()) + " keys; at most " +
                                std::to_string(kMaxKeys) + " are accepted");
  }
  std::vector<Jwk> keys;
  for (std::size_t i = 0; i < (*arr)->size(); ++i) {
    const json::object* o = (**arr)[i].if_object();
    if (o == nullptr) {
      return InvalidArgumentError("JWKS key " + std::to_string(i) + " is not a JSON object");
    }
    auto key = ParseKey(*o);
    if (!key) return key.error().WithContext(KeyName(i, *o));
    for (std::size_t j = 0; j < keys.size(); ++j) {
      if (keys[j].kid == key->kid) {
        return InvalidArgumentError(
            key->kid.empty() ? "JWKS keys " + std::to_string(j) + " and " + std::to_string(i) +
                                   " both lack a \"kid\""
                             : "JWKS keys " + std::to_string(j) + " and " + std::to_string(i) +
                                   " share kid \"" + key->kid + "\"");
      }
    }
    keys.push_back(std::move(*key));
  }
  return std::shared_ptr<const JwkSet>(std::make_shared<JwkSet>(std::move(keys)));
}

Result<std::shared_ptr<const JwkSet>> LoadJwksFile(const std::filesystem::path& path) {
  auto text = ReadFile(path, kMaxJwksBytes);
  if (!text) return text.error();
  auto set = ParseJwks(*text);
  if (!set) return set.error().WithContext(path.string());
  return set;
}

// ---- Refresher ---------------------------------------------------------------

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

struct Url {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;  // path and query, "/" at least
};

Result<Url> ParseUrl(std::string_view url) {
  Url u;
  std::string_view rest;
  if (url.starts_with("https://")) {
    u.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return InvalidArgumentError("JWKS URL must start with http:// or https://");
  }
  std::size_t slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (hostport.starts_with('[')) {  // [::1]:8080
    std::size_t close = hostport.find(']');
    if (close == std::string_view::npos) return InvalidArgumentError("JWKS URL: unclosed '['");
    u.host = std::string(hostport.substr(1, close - 1));
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) {
      return InvalidArgumentError("JWKS URL: junk after ']'");
    }
    u.port = after.empty() ? "" : std::string(after.substr(1));
  } else {
    std::size_t colon = hostport.rfind(':');
    u.host = std::string(hostport.substr(0, colon));
    u.port = colon == std::string_view::npos ? "" : std::string(hostport.substr(colon + 1));
  }
  if (u.port.empty()) u.port = u.tls ? "443" : "80";
  if (u.host.empty()) return InvalidArgumentError("JWKS URL has no host");
  return u;
}

template <class Stream>
asio::awaitable<Result<std::string>> Exchange(Stream& stream, const Url& u) {
  http::request<http::empty_body> req(http::verb::get, u.target, 11);
  req.set(http::field::host, u.host);
  req.set(http::field::accept, "application/jwk-set+json, application/json");
  req.set(http::field::user_agent, "rampart-gateway");
  req.keep_alive(false);
  auto [wec, wn] = co_await http::async_write(stream, req, kUse);
  if (wec) co_return UnavailableError("sending request: " + wec.message());
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxJwksBytes);
  auto [rec, rn] = co_await http::async_read(stream, buf, parser, kUse);
  if (rec) co_return UnavailableError("reading response: " + rec.message());
  if (parser.get().result() != http::status::ok) {
    co_return UnavailableError("HTTP status " + std::to_string(parser.get().result_int()));
  }
  co_return std::move(parser.get().body());
}

asio::awaitable<Result<std::string>> Get(Url u, asio::ssl::context* ssl) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  auto [ec, eps] = co_await resolver.async_resolve(u.host, u.port, kUse);
  if (ec) co_return UnavailableError("resolving " + u.host + ": " + ec.message());
  beast::tcp_stream tcp_stream(ex);
  tcp_stream.expires_after(kFetchTimeout);
  auto [cec, ep] = co_await tcp_stream.async_connect(eps, kUse);
  if (cec) co_return UnavailableError("connecting to " + u.host + ": " + cec.message());
  if (ssl == nullptr) co_return co_await Exchange(tcp_stream, u);

  beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp_stream), *ssl);
  boost::system::error_code ip_ec;
  asio::ip::make_address(u.host, ip_ec);
  if (ip_ec) SSL_set_tlsext_host_name(tls.native_handle(), u.host.c_str());
  tls.set_verify_mode(asio::ssl::verify_peer);
  tls.set_verify_callback(asio::ssl::host_name_verification(u.host));
  auto [hec] = co_await tls.async_handshake(asio::ssl::stream_base::client, kUse);
  if (hec) co_return UnavailableError("TLS handshake with " + u.host + ": " + hec.message());
  co_return co_await Exchange(tls, u);
}

// One GET with every step bounded by kFetchTimeout (tcp_stream deadlines) and
// the whole by run_for, so a hung server cannot stall the refresher.
Result<std::string> HttpGet(const Url& u, asio::ssl::context* ssl) {
  asio::io_context ioc;
  std::optional<Result<std::string>> out;
  asio::co_spawn(ioc, Get(u, ssl), [&](std::exception_ptr e, Result<std::string> r) {
    if (e) {
      out = UnavailableError("JWKS fetch failed");
    } else {
      out = std::move(r);
    }
  });
  ioc.run_for(3 * kFetchTimeout);
  if (!out) return UnavailableError("JWKS fetch timed out");
  return std::move(*out);
}

// Shared between the refresher thread and the verifier's unknown-kid hook,
// which may outlive the refresher (the verifier keeps the hook).
struct Signal {
  std::mutex mu;
  std::condition_variable cv;
  bool requested = false;
  bool stopping = false;
};

}  // namespace

class JwksRefresher::Impl {
 public:
  Impl(std::string source, JwtVerifier& verifier, std::chrono::seconds interval,
       std::chrono::seconds min_interval)
      : source_(std::move(source)),
        verifier_(verifier),
        interval_(std::max(interval, std::chrono::seconds(1))),
        min_interval_(std::max(min_interval, std::chrono::seconds(0))),
        signal_(std::make_shared<Signal>()) {}

  ~Impl() { Stop(); }

  Status Init() {
    bool plain_http = false;
    RAMPART_RETURN_IF_ERROR(CheckJwksSource(source_, &plain_http));
    if (plain_http) {
      spdlog::warn("jwks: fetching keys from {} over plain http (loopback only); use https://",
                   RedactUrl(source_));
    }
    if (source_.starts_with("http://") || source_.starts_with("https://")) {
      RAMPART_ASSIGN_OR_RETURN(url_, ParseUrl(source_));
      if (url_->tls) {
        ssl_.emplace(asio::ssl::context::tls_client);
        boost::system::error_code ec;
        ssl_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                              asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                              asio::ssl::context::no_tlsv1_1,
                          ec);
        // System roots; SSL_CERT_FILE/SSL_CERT_DIR point OpenSSL elsewhere.
        ssl_->set_default_verify_paths(ec);
        if (ec) return InvalidArgumentError("JWKS TLS roots: " + ec.message());
      }
    } else if (source_.starts_with("file://")) {
      path_ = source_.substr(7);
    } else {
      path_ = source_;
    }
    auto body = Fetch();
    if (!body) return body.error().WithContext("JWKS " + RedactUrl(source_));
    auto set = ParseJwks(*body);
    if (!set) return set.error().WithContext("JWKS " + RedactUrl(source_));
    last_body_ = std::move(*body);
    verifier_.SetKeys(*set);
    last_fetch_ = std::chrono::steady_clock::now();
    std::weak_ptr<Signal> weak = signal_;
    verifier_.SetUnknownKidHook([weak] {
      if (auto s = weak.lock()) Request(*s);
    });
    thread_ = std::thread([this] { Loop(); });
    return OkStatus();
  }

  static void Request(Signal& s) {
    {
      std::lock_guard lock(s.mu);
      s.requested = true;
    }
    s.cv.notify_all();
  }

  void RequestRefresh() { Request(*signal_); }

  void Stop() {
    {
      std::lock_guard lock(signal_->mu);
      signal_->stopping = true;
    }
    signal_->cv.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  Result<std::string> Fetch() {
    if (url_) return HttpGet(*url_, ssl_ ? &*ssl_ : nullptr);
    return ReadFile(path_, kMaxJwksBytes);
  }

  void Loop() {
    std::unique_lock lock(signal_->mu);
    while (!signal_->stopping) {
      auto periodic = last_fetch_ + interval_;
      auto early = last_fetch_ + min_interval_;
      auto now = std::chrono::steady_clock::now();
      bool due = now >= periodic || (signal_->requested && now >= early);
      if (!due) {
        signal_->cv.wait_until(lock, signal_->requested ? std::min(periodic, early) : periodic);
        continue;
      }
      signal_->requested = false;
      lock.unlock();
      RefreshOnce();
      lock.lock();
    }
  }

  void RefreshOnce() {
    last_fetch_ = std::chrono::steady_clock::now();
    auto body = Fetch();
    if (!body) {
      spdlog::warn("jwks: refreshing from {} failed: {}; keeping the current keys",
                   RedactUrl(source_), body.error().message());
      return;
    }
    if (*body == last_body_) return;
    auto set = ParseJwks(*body);
    if (!set) {
      spdlog::warn("jwks: {} serves an invalid set: {}; keeping the current keys",
                   RedactUrl(source_), set.error().message());
      return;
    }
    spdlog::info("jwks: loaded {} keys from {}", (*set)->size(), RedactUrl(source_));
    last_body_ = std::move(*body);
    verifier_.SetKeys(*set);
  }

  std::string source_;
  JwtVerifier& verifier_;
  std::chrono::seconds interval_;
  std::chrono::seconds min_interval_;
  std::optional<Url> url_;
  std::filesystem::path path_;
  std::optional<asio::ssl::context> ssl_;
  std::shared_ptr<Signal> signal_;
  // Refresher thread only (and Init before it starts).
  std::string last_body_;
  std::chrono::steady_clock::time_point last_fetch_;
  std::thread thread_;
};

JwksRefresher::JwksRefresher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JwksRefresher::~JwksRefresher() { Stop(); }

Result<std::unique_ptr<JwksRefresher>> JwksRefresher::Start(std::string source,
                                                            JwtVerifier& verifier,
                                                            std::chrono::seconds interval,
                                                            std::chrono::seconds min_interval) {
  auto impl = std::make_unique<Impl>(std::move(source), verifier, interval, min_interval);
  RAMPART_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<JwksRefresher>(new JwksRefresher(std::move(impl)));
}

void JwksRefresher::RequestRefresh() {
  if (impl_) impl_->RequestRefresh();
}

void JwksRefresher::Stop() {
  if (impl_) impl_->Stop();
}

Status CheckJwksSource(std::string_view source, bool* plain_http) {
  if (plain_http != nullptr) *plain_http = false;
  if (source.empty()) return InvalidArgumentError("JWKS source is empty");
  if (source.starts_with("https://")) return ParseUrl(source).status();
  if (source.starts_with("http://")) {
    RAMPART_ASSIGN_OR_RETURN(Url u, ParseUrl(source));
    if (!IsLoopbackHost(u.host)) {
      return InvalidArgumentError(
          "JWKS URL '" + RedactUrl(source) +
          "' is plain http to a host that is not loopback: anyone on the path could substitute "
          "the keys and mint accepted tokens; serve it over https:// or point auth.jwks at a "
          "file");
    }
    if (plain_http != nullptr) *plain_http = true;
    return OkStatus();
  }
  if (source.starts_with("file://")) return OkStatus();
  if (source.find("://") != std::string_view::npos) {
    return InvalidArgumentError("JWKS source '" + RedactUrl(source) +
                                "' must be an https:// URL, a file:// URL or a file path");
  }
  return OkStatus();
}

}  // namespace rampart::gateway
