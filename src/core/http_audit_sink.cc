#include "core/http_audit_sink.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "core/audit_json.h"

namespace rampart {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct Target {
  bool tls = false;
  std::string host;
  std::string port;
  std::string prefix;
};

Result<Target> ParseUrl(std::string_view url) {
  Target t;
  std::string_view rest;
  if (url.starts_with("https://")) {
    t.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return InvalidArgumentError("audit sink URL must start with http:// or https://, got '" +
                                std::string(url) + "'");
  }
  std::size_t slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  if (slash != std::string_view::npos) t.prefix = std::string(rest.substr(slash));
  while (!t.prefix.empty() && t.prefix.back() == '/') t.prefix.pop_back();
  std::size_t colon = hostport.rfind(':');
  if (colon == std::string_view::npos || hostport.empty()) {
    return InvalidArgumentError("audit sink URL needs host:port, got '" + std::string(url) + "'");
  }
  t.host = std::string(hostport.substr(0, colon));
  if (t.host.size() > 2 && t.host.front() == '[') t.host = t.host.substr(1, t.host.size() - 2);
  t.port = std::string(hostport.substr(colon + 1));
  if (t.host.empty() || t.port.empty()) {
    return InvalidArgumentError("audit sink URL needs host:port, got '" + std::string(url) + "'");
  }
  return t;
}

struct Reply {
  int status = 0;  // 0: no answer (network error)
  std::string body;
};

class Sink final : public HttpAuditSink {
 public:
  Sink(HttpAuditSinkOptions opts, Target t, std::optional<asio::ssl::context> ctx)
      : opts_(std::move(opts)), target_(std::move(t)), ssl_ctx_(std::move(ctx)) {
    sender_ = std::thread([this] { Run(); });
  }

  ~Sink() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    sender_.join();
    if (!buffer_.empty()) {
      spdlog::error("audit: {} events were not delivered to the ledger at {} before shutdown",
                    buffer_.size(), opts_.url);
    }
  }

  Status Append(AuditEvent event) override {
    return Buffer(boost::json::serialize(AuditEventToJson(event)));
  }

  // The entry text goes to the ledger as it is (the ledger validates it).
  Status AppendJson(const std::string& entry_json) override { return Buffer(entry_json); }

  Status Buffer(std::string json) {
    {
      std::lock_guard lock(mu_);
      if (buffer_.size() >= opts_.max_buffered_events) {
        return ResourceExhaustedError("audit sink: " + std::to_string(buffer_.size()) +
                                      " events are waiting for the ledger at " + opts_.url);
      }
      buffer_.push_back(std::move(json));
    }
    cv_.notify_all();
    return OkStatus();
  }

  Status Flush(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mu_);
    flush_requested_ = true;
    cv_.notify_all();
    bool ok =
        drained_cv_.wait_for(lock, timeout, [&] { return buffer_.empty() && in_flight_ == 0; });
    flush_requested_ = false;
    if (!ok) {
      return UnavailableError("audit sink: " + std::to_string(buffer_.size()) +
                              " events not yet acknowledged by the ledger at " + opts_.url);
    }
    return OkStatus();
  }

  int last_failure_status() const override {
    std::lock_guard lock(mu_);
    return last_failure_status_;
  }
  std::string last_failure() const override {
    std::lock_guard lock(mu_);
    return last_failure_;
  }

  std::uint64_t rejected() const override { return rejected_; }
  std::uint64_t delivered() const override { return delivered_; }

 private:
  void Run() {
    std::chrono::milliseconds backoff{100};
    for (;;) {
      std::vector<std::string> batch;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !buffer_.empty(); });
        if (buffer_.empty()) return;  // stopping
        if (!stopping_ && !flush_requested_ && buffer_.size() < opts_.max_batch) {
          cv_.wait_for(lock, opts_.batch_delay, [&] {
            return stopping_ || flush_requested_ || buffer_.size() >= opts_.max_batch;
          });
        }
        std::size_t n = std::min(buffer_.size(), opts_.max_batch);
        batch.assign(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(n));
        in_flight_ = n;
      }
      std::size_t done = SendBatch(batch);
      bool progress = done > 0;
      {
        std::lock_guard lock(mu_);
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(done));
        in_flight_ = 0;
        if (buffer_.empty()) drained_cv_.notify_all();
        if (stopping_ && !progress) return;  // the ledger is down and we are told to stop
      }
      if (progress) {
        backoff = std::chrono::milliseconds(100);
      } else {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, backoff, [&] { return stopping_; });
        backoff = std::min(backoff * 2, opts_.max_backoff);
      }
    }
  }

  // Sends `batch`; returns how many leading events are settled (acknowledged
  // or permanently rejected).
  std::size_t SendBatch(const std::vector<std::string>& batch) {
    Reply r = Post(Join(batch, 0, batch.size()));
    if (r.status == 201) {
      delivered_ += batch.size();
      return batch.size();
    }
    if ((r.status == 400 || r.status == 413) && batch.size() > 1) {
      // One bad event must not hold the others back: send one by one.
      std::size_t settled = 0;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        Reply one = Post(Join(batch, i, i + 1));
        if (one.status == 201) {
          ++delivered_;
        } else if (one.status == 400 || one.status == 413) {
          Reject(batch[i], one);
        } else {
          LogFailure(one);
          break;
        }
        ++settled;
      }
      return settled;
    }
    if (r.status == 400 || r.status == 413) {
      Reject(batch[0], r);
      return 1;
    }
    LogFailure(r);
    return 0;
  }

  void Reject(const std::string& event, const Reply& r) {
    ++rejected_;
    spdlog::error("audit: the ledger refused an event ({}): {}; event: {}", r.status, r.body,
                  event.substr(0, 200));
  }

  void LogFailure(const Reply& r) {
    {
      std::lock_guard lock(mu_);
      last_failure_status_ = r.status;
      last_failure_ = r.status == 0 ? "unreachable: " + r.body
                                    : "answered " + std::to_string(r.status) + ": " + r.body;
    }
    auto now = std::chrono::steady_clock::now();
    if (now - last_warning_ < std::chrono::seconds(10)) return;
    last_warning_ = now;
    if (r.status == 0) {
      spdlog::warn("audit: ledger at {} unreachable ({}); {} events buffered, retrying", opts_.url,
                   r.body, buffered());
    } else {
      spdlog::warn("audit: ledger at {} answered {}: {}; retrying", opts_.url, r.status, r.body);
    }
  }

  std::size_t buffered() {
    std::lock_guard lock(mu_);
    return buffer_.size();
  }

  static std::string Join(const std::vector<std::string>& b, std::size_t from, std::size_t to) {
    std::string s = "[";
    for (std::size_t i = from; i < to; ++i) {
      if (i > from) s += ",";
      s += b[i];
    }
    s += "]";
    return s;
  }

  Reply Post(std::string body) {
    Reply out;
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!connected_ && !Connect(&out.body)) return out;
      http::request<http::string_body> req(http::verb::post, target_.prefix + "/v1/entries", 11);
      req.set(http::field::host, target_.host);
      req.set(http::field::content_type, "application/json");
      if (!opts_.api_key.empty()) req.set(http::field::authorization, "Bearer " + opts_.api_key);
      req.keep_alive(true);
      req.body() = body;
      req.prepare_payload();
      bool keep = false;
      bool ok = tls_ ? Exchange(*tls_, req, &out, &keep) : Exchange(*plain_, req, &out, &keep);
      if (ok) {
        if (!keep) Disconnect();
        return out;
      }
      // A stale keep-alive connection: reconnect once.
      Disconnect();
    }
    return out;
  }

  bool Connect(std::string* err) {
    boost::system::error_code ec;
    tcp::resolver resolver(ioc_);
    auto eps = resolver.resolve(target_.host, target_.port, ec);
    if (ec) {
      *err = ec.message();
      return false;
    }
    tcp::socket sock(ioc_);
    asio::connect(sock, eps, ec);
    if (ec) {
      *err = ec.message();
      return false;
    }
    // Synchronous I/O is bounded by socket timeouts (Beast's deadlines only
    // apply to asynchronous operations).
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(opts_.request_timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((opts_.request_timeout.count() % 1000) * 1000);
    ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (ssl_ctx_) {
      tls_.emplace(std::move(sock), *ssl_ctx_);
      boost::system::error_code ip_ec;
      asio::ip::make_address(target_.host, ip_ec);
      if (ip_ec) SSL_set_tlsext_host_name(tls_->native_handle(), target_.host.c_str());
      tls_->set_verify_mode(asio::ssl::verify_peer);
      tls_->set_verify_callback(asio::ssl::host_name_verification(target_.host));
      tls_->handshake(asio::ssl::stream_base::client, ec);
      if (ec) {
        *err = "TLS handshake: " + ec.message();
        tls_.reset();
        return false;
      }
    } else {
      plain_.emplace(std::move(sock));
    }
    connected_ = true;
    return true;
  }

  void Disconnect() {
    tls_.reset();
    plain_.reset();
    connected_ = false;
  }

  template <class Stream>
  bool Exchange(Stream& s, http::request<http::string_body>& req, Reply* out, bool* keep) {
    boost::system::error_code ec;
    http::write(s, req, ec);
    if (ec) {
      out->body = ec.message();
      return false;
    }
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    http::read(s, buf, parser, ec);
    if (ec) {
      out->body = ec.message();
      return false;
    }
    out->status = static_cast<int>(parser.get().result_int());
    out->body = parser.get().body().substr(0, 500);
    *keep = parser.get().keep_alive();
    return true;
  }

  HttpAuditSinkOptions opts_;
  Target target_;
  asio::io_context ioc_;
  std::optional<asio::ssl::context> ssl_ctx_;  // set for https:// URLs
  // The connection; sender thread only.
  bool connected_ = false;
  std::optional<tcp::socket> plain_;
  std::optional<asio::ssl::stream<tcp::socket>> tls_;
  std::chrono::steady_clock::time_point last_warning_{};

  mutable std::mutex mu_;
  int last_failure_status_ = -1;
  std::string last_failure_;
  std::condition_variable cv_;
  std::condition_variable drained_cv_;
  std::deque<std::string> buffer_;
  std::size_t in_flight_ = 0;
  bool stopping_ = false;
  bool flush_requested_ = false;
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> delivered_{0};
  std::thread sender_;
};

}  // namespace

Result<std::shared_ptr<HttpAuditSink>> MakeHttpAuditSink(const HttpAuditSinkOptions& opts) {
  RAMPART_ASSIGN_OR_RETURN(Target t, ParseUrl(opts.url));
  if (opts.max_buffered_events == 0 || opts.max_batch == 0) {
    return InvalidArgumentError("audit sink limits must be positive");
  }
  std::optional<asio::ssl::context> ctx;
  if (t.tls) {
    ctx.emplace(asio::ssl::context::tls_client);
    boost::system::error_code ec;
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1,
                     ec);
    if (opts.ca_file.empty()) {
      ctx->set_default_verify_paths(ec);
    } else {
      ctx->load_verify_file(opts.ca_file, ec);
    }
    if (ec) return InvalidArgumentError("audit sink CA " + opts.ca_file + ": " + ec.message());
    if (!opts.client_cert_file.empty()) {
      ctx->use_certificate_chain_file(opts.client_cert_file, ec);
      if (ec) {
        return InvalidArgumentError("audit sink client certificate " + opts.client_cert_file +
                                    ": " + ec.message());
      }
      ctx->use_private_key_file(opts.client_key_file, asio::ssl::context::pem, ec);
      if (ec) {
        return InvalidArgumentError("audit sink client key " + opts.client_key_file + ": " +
                                    ec.message());
      }
    }
  }
  bool has_identity = !opts.api_key.empty() || !opts.client_cert_file.empty();
  if (!has_identity) {
    return InvalidArgumentError("audit sink needs an API key or a client certificate");
  }
  return std::shared_ptr<HttpAuditSink>(std::make_shared<Sink>(opts, std::move(t), std::move(ctx)));
}

}  // namespace rampart
