#include "cli/metrics_listener.h"

#include <spdlog/spdlog.h>

#include <array>

#include "core/host_port.h"
#include "core/http/server.h"

namespace rampart::cli {

class MetricsListener::Impl : public http::Handler {
 public:
  explicit Impl(std::function<std::string()> render) : render_(std::move(render)) {}
  ~Impl() override {
    if (server_) server_->Stop(std::chrono::milliseconds(1000));
  }

  http::asio::awaitable<void> Handle(http::Exchange& x) override {
    std::string_view target = x.head().target;
    std::string_view path = target.substr(0, target.find('?'));
    std::string_view method = x.head().method;
    if (method != "GET" && method != "HEAD") {
      http::HttpError e = http::MakeHttpError(405, "method_not_allowed", "use GET");
      e.allow = "GET, HEAD";
      co_await x.RespondError(e);
      co_return;
    }
    if (path == "/metrics") {
      std::array<http::Field, 1> f{
          http::Field{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}};
      co_await x.Respond(200, f, render_());
      co_return;
    }
    if (path == "/healthz") {
      co_await x.Respond(200, {}, "ok\n");
      co_return;
    }
    co_await x.RespondError(
        http::MakeHttpError(404, "not_found", "this listener serves /metrics and /healthz"));
  }

  std::function<std::string()> render_;
  std::unique_ptr<http::Server> server_;
};

MetricsListener::MetricsListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MetricsListener::~MetricsListener() = default;

std::uint16_t MetricsListener::port() const { return impl_->server_->port(); }

Result<std::unique_ptr<MetricsListener>> MetricsListener::Start(
    const std::string& host_port, std::function<std::string()> render) {
  http::ServerOptions o;
  o.name = "metrics";
  if (!ParseHostPort(host_port, &o.host, &o.port))
    return InvalidArgumentError("metrics listener: '" + host_port +
                                "' is not HOST:PORT (e.g. 127.0.0.1:9464)");
  o.threads = 1;
  o.max_connections = 64;
  o.http2 = false;
  auto impl = std::make_unique<Impl>(std::move(render));
  RAMPART_ASSIGN_OR_RETURN(impl->server_, http::Server::Start(o, *impl));
  spdlog::info("metrics: node state at http://{}:{}/metrics", o.host, impl->server_->port());
  return std::unique_ptr<MetricsListener>(new MetricsListener(std::move(impl)));
}

}  // namespace rampart::cli
