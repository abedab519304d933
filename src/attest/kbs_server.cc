// The key broker's HTTP routes: an http::Handler on the core HTTP server.
#include "attest/kbs_server.h"

#include <spdlog/spdlog.h>

#include <array>

#include "core/http/server.h"
#include "core/url.h"

namespace rampart::attest {
namespace {

constexpr std::string_view kCookie = "kbs-session-id";
constexpr std::string_view kResourcePrefix = "/kbs/v0/resource/";

// The value of `name` in a Cookie header ("a=b; kbs-session-id=...").
std::string_view CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    std::size_t semi = header.find(';');
    std::string_view part = header.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.starts_with(name) && part[name.size()] == '=') {
      return part.substr(name.size() + 1);
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return {};
}

}  // namespace

class KbsServer::Impl final : public http::Handler {
 public:
  Impl(KeyBroker& broker, KbsServerOptions opts) : broker_(broker), opts_(std::move(opts)) {}

  Status Start() {
    if (!opts_.tls.enabled()) {
      if (!opts_.allow_plain_http) {
        return InvalidArgumentError(
            "kbs: no TLS certificate configured (attest.tls.cert/key); plain HTTP needs "
            "--insecure-http and a loopback address");
      }
      if (!IsLoopbackHost(opts_.host)) {
        return InvalidArgumentError("kbs: plain HTTP is allowed only on a loopback address, not " +
                                    opts_.host + "; configure attest.tls");
      }
    }
    http::ServerOptions o;
    o.name = "kbs";
    o.host = opts_.host;
    o.port = opts_.port;
    o.threads = std::max(1, opts_.threads);
    o.tls = opts_.tls;
    o.request.max_body_bytes = broker_.config().limits.max_body_bytes;
    o.max_connections = 1024;
    o.header_read_timeout = std::chrono::seconds(10);
    o.body_read_timeout = std::chrono::seconds(30);
    o.idle_timeout = std::chrono::seconds(30);
    RAMPART_ASSIGN_OR_RETURN(server_, http::Server::Start(o, *this));
    spdlog::info("kbs: listening on {}://{}:{}", server_->tls() ? "https" : "http", opts_.host,
                 server_->port());
    return OkStatus();
  }
  void Stop() {
    if (server_) server_->Stop(std::chrono::milliseconds(2000));
  }
  std::uint16_t port() const { return server_ ? server_->port() : 0; }
  bool tls() const { return server_ && server_->tls(); }

  http::asio::awaitable<void> Handle(http::Exchange& x) override {
    std::string_view target = x.head().target;
    std::string_view path = target.substr(0, target.find('?'));
    std::string_view method = x.head().method;
    std::array<http::Field, 3> json_fields{http::Field{"Content-Type", "application/json"},
                                           http::Field{"Cache-Control", "no-store"},
                                           http::Field{"Server", "rampart-kbs"}};
    auto refuse = [&](const http::HttpError& e) { return x.RespondError(e); };
    if (path == "/healthz" && (method == "GET" || method == "HEAD")) {
      co_await x.Respond(200, {}, "ok\n");
      co_return;
    }
    if (path == "/kbs/v0/auth" || path == "/kbs/v0/attest") {
      if (method != "POST") {
        http::HttpError e = http::MakeHttpError(405, "method_not_allowed", "use POST");
        e.allow = "POST";
        co_await refuse(e);
        co_return;
      }
      std::string body;
      if (auto err = co_await x.ReadBody(&body)) {
        co_await refuse(*err);
        co_return;
      }
      if (path == "/kbs/v0/auth") {
        auto r = broker_.Auth(body);
        if (!r) {
          co_await refuse(r.error());
          co_return;
        }
        std::string cookie = std::string(kCookie) + "=" + r->session_id +
                             "; Path=/kbs; HttpOnly; SameSite=Strict" +
                             (x.conn().tls ? "; Secure" : "");
        std::array<http::Field, 4> f{json_fields[0], json_fields[1], json_fields[2],
                                     http::Field{"Set-Cookie", cookie}};
        co_await x.Respond(200, f, r->body);
        co_return;
      }
      auto r = broker_.Attest(CookieValue(x.head().Find("cookie"), kCookie), body);
      if (!r) {
        co_await refuse(r.error());
        co_return;
      }
      co_await x.Respond(200, json_fields, *r);
      co_return;
    }
    if (path.starts_with(kResourcePrefix)) {
      if (method != "GET") {
        http::HttpError e = http::MakeHttpError(405, "method_not_allowed", "use GET");
        e.allow = "GET";
        co_await refuse(e);
        co_return;
      }
      std::string_view auth = x.head().Find("authorization");
      std::string_view token;
      if (auth.size() > 7 && (auth.starts_with("Bearer ") || auth.starts_with("bearer ")))
        token = auth.substr(7);
      auto r = broker_.Resource(token, path.substr(kResourcePrefix.size()));
      if (!r) {
        std::array<http::Field, 1> www{http::Field{"WWW-Authenticate", "Bearer"}};
        co_await x.RespondError(r.error(), r.error().http_status == 401
                                               ? std::span<const http::Field>(www)
                                               : std::span<const http::Field>());
        co_return;
      }
      co_await x.Respond(200, json_fields, *r);
      co_return;
    }
    co_await refuse(http::MakeHttpError(404, "route_not_found", "no such route on the key broker"));
  }

 private:
  KeyBroker& broker_;
  KbsServerOptions opts_;
  std::unique_ptr<http::Server> server_;
};

KbsServer::KbsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KbsServer::~KbsServer() { Stop(); }

Result<std::unique_ptr<KbsServer>> KbsServer::Start(KeyBroker& broker, KbsServerOptions opts) {
  auto impl = std::make_unique<Impl>(broker, std::move(opts));
  RAMPART_RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<KbsServer>(new KbsServer(std::move(impl)));
}

std::uint16_t KbsServer::port() const { return impl_->port(); }
bool KbsServer::tls() const { return impl_->tls(); }
void KbsServer::Stop() {
  if (impl_) impl_->Stop();
}

}  // namespace rampart::attest
