// `rampart gateway ...`: the gateway as a service of `rampart serve`, alone
// (`gateway serve`), the stand-in upstream (`gateway standin`) and the API
// keys (`gateway keys`, gateway_keys_cmd.cc).
//
// Startup of the gateway service, in order:
//   1. read the estate's `gateway:` section (LoadGatewayConfig);
//   2. with `standin: true` (the tour), every inference service is sent to an
//      in-process stand-in upstream (gateway/standin.h), with a warning naming
//      each. No upstream is probed: the tour never touches the network beyond
//      loopback, and a real upstream that is briefly down is never silently
//      replaced by fixed answers. The choice is made once, at start;
//   3. load the key store, start the JWKS refresher (if any), build the Policy;
//   4. make the rate limiter (local, or Redis shared by replicas);
//   5. start the server; audit records go to ctx.audit (the in-process ledger)
//      when `rampart serve` runs one, or to --ledger for `gateway serve`.
// SIGHUP re-reads the estate, the key store, access rules, limits and
// upstream URLs and swaps the Policy; connections stay open. It also rebuilds
// the guards (config, rule packs, classifier model) and swaps them in
// (guards/swappable_filter.h); a bad guards config refuses the whole reload.
// SIGTERM drains.
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "cli/cli.h"
#include "cli/serve.h"
#include "core/http_audit_sink.h"
#include "estate/loader.h"
#include "gateway/config.h"
#include "gateway/jwks.h"
#include "gateway/jwt.h"
#include "gateway/key_store.h"
#include "gateway/policy.h"
#include "gateway/rate_limit.h"
#include "gateway/redis_rate_limit.h"
#include "gateway/server.h"
#include "gateway/standin.h"
#include "guards/canary.h"
#include "guards/classifier.h"
#include "guards/config.h"
#include "guards/guard_filter.h"
#include "guards/swappable_filter.h"
#include "monitor/config.h"
#include "monitor/monitor_filter.h"

namespace rampart::cli {
namespace {

namespace fs = std::filesystem;
using namespace rampart::gateway;

Status ParseListen(const std::string& s, std::string* host, std::uint16_t* port) {
  std::size_t colon = s.rfind(':');
  if (colon == std::string::npos)
    return InvalidArgumentError("expected HOST:PORT, got '" + s + "'");
  int p = std::atoi(s.c_str() + colon + 1);
  if (p < 0 || p > 65535) return InvalidArgumentError("bad port in '" + s + "'");
  *host = s.substr(0, colon);
  *port = static_cast<std::uint16_t>(p);
  return OkStatus();
}

struct GatewayOverrides {
  std::string listen;        // HOST:PORT
  std::string admin_listen;  // HOST:PORT
  int threads = -1;
};

class GatewayService final : public Service {
 public:
  GatewayService(ServeContext* ctx, GatewayOverrides o) : ctx_(ctx), overrides_(std::move(o)) {}
  ~GatewayService() override { Stop(); }

  std::string_view name() const override { return "gateway"; }

  Status Start() override {
    RAMPART_ASSIGN_OR_RETURN(GatewayConfig cfg, ReadConfig(*ctx_->estate));
    if (cfg.standin) RAMPART_RETURN_IF_ERROR(StartStandinFor(*ctx_->estate, &cfg));
    ApplyStandin(&cfg);
    if (!cfg.auth.jwks.empty()) {
      verifier_ = std::make_unique<JwtVerifier>(cfg.auth.jwt, nullptr);
      RAMPART_ASSIGN_OR_RETURN(
          jwks_, JwksRefresher::Start(cfg.auth.jwks, *verifier_, cfg.auth.jwks_refresh));
    }
    RAMPART_ASSIGN_OR_RETURN(auto policy, MakePolicy(*ctx_->estate, cfg));
    if (cfg.rate_limits.backend == RateLimitBackend::kRedis) {
      RedisLimiterOptions ro;
      ro.url = cfg.rate_limits.redis_url;
      ro.key_prefix = cfg.rate_limits.redis_key_prefix;
      ro.timeout = cfg.rate_limits.redis_timeout;
      ro.max_pending = cfg.rate_limits.redis_max_pending;
      ro.slot_ttl = cfg.rate_limits.redis_slot_ttl;
      ro.fail_open = cfg.rate_limits.fail_open;
      RAMPART_ASSIGN_OR_RETURN(auto l, MakeRedisRateLimiter(ro));
      limiter_ = std::move(l);
    } else {
      limiter_ = MakeLocalRateLimiter(std::make_shared<SystemClock>());
    }
    ServerDeps deps;
    deps.limiter = limiter_;
    deps.audit = ctx_->audit;
    RAMPART_ASSIGN_OR_RETURN(auto guards, MakeGuards(*ctx_->estate, cfg.var_dir));
    if (guards) {
      guards_ = std::make_shared<guards::SwappableFilter>(std::move(guards));
      deps.filters.push_back(guards_);
    }
    RAMPART_ASSIGN_OR_RETURN(auto monitor, MakeMonitor(*ctx_->estate));
    if (monitor) deps.filters.push_back(std::move(monitor));
    for (const auto& s : ctx_->estate->services) {
      if (s.kind == estate::ServiceKind::kGateway && !s.identity.empty()) {
        deps.actor = s.identity;
        break;
      }
    }
    RAMPART_ASSIGN_OR_RETURN(server_, GatewayServer::Start(policy, deps));
    if (!ctx_->audit) spdlog::info("gateway: no ledger configured; audit records are not kept");
    return OkStatus();
  }

  Status Reload() override {
    if (!server_) return OkStatus();
    auto e = estate::LoadValid(ctx_->estate_files);
    if (!e) return e.error();
    RAMPART_ASSIGN_OR_RETURN(GatewayConfig cfg, ReadConfig(*e));
    ApplyStandin(&cfg);
    RAMPART_ASSIGN_OR_RETURN(auto policy, MakePolicy(*e, cfg));
    // The guards (config, rule packs, model) are rebuilt before anything is
    // swapped: a bad one refuses the whole reload and the old ones keep running.
    std::shared_ptr<GatewayFilter> new_guards;
    if (guards_) {
      auto g = MakeGuards(*e, cfg.var_dir);
      if (!g) return g.error().WithContext("guards");
      new_guards = std::move(*g);
    }
    server_->SetPolicy(policy);
    if (guards_) {
      bool on = new_guards != nullptr;
      guards_->Set(std::move(new_guards));
      spdlog::info("gateway: guards reloaded ({})", on ? "on" : "off");
    } else if (Diagnostics gd; [&] {
                 auto g = guards::LoadGuardsConfig(*e, &gd);
                 return g && g->enabled;
               }()) {
      spdlog::warn("gateway: turning the guards on needs a restart");
    }
    spdlog::info(
        "gateway: reloaded: {} access rule(s), {} API key(s); listener, TLS and limits of "
        "the process itself need a restart",
        cfg.access.size(), keys_count_);
    return OkStatus();
  }

  void Stop() override {
    if (server_) server_->Stop(std::chrono::seconds(10));
    server_.reset();
    if (jwks_) jwks_->Stop();
    jwks_.reset();
    if (standin_) standin_->Stop();
    standin_.reset();
  }

  std::uint16_t port() const { return server_ ? server_->port() : 0; }

 private:
  Result<GatewayConfig> ReadConfig(const estate::Estate& e) {
    Diagnostics d;
    auto cfg = LoadGatewayConfig(e, ctx_->var_dir, ctx_->bind_host, &d);
    for (const auto& item : d.items()) {
      if (item.severity != Severity::kError) spdlog::warn("gateway config: {}", item.ToString());
    }
    if (!cfg) return InvalidArgumentError(d.has_errors() ? d.ToString() : cfg.error().message());
    if (!overrides_.listen.empty()) {
      RAMPART_RETURN_IF_ERROR(
          ParseListen(overrides_.listen, &cfg->listener.host, &cfg->listener.port));
      cfg->listener.port_explicit = true;
    }
    if (!overrides_.admin_listen.empty()) {
      RAMPART_RETURN_IF_ERROR(
          ParseListen(overrides_.admin_listen, &cfg->admin.host, &cfg->admin.port));
      cfg->admin.enabled = true;
    }
    if (overrides_.threads >= 0) cfg->threads = overrides_.threads;
    return cfg;
  }

  // Step 2 of the startup (see the file comment).
  Status StartStandinFor(const estate::Estate& e, GatewayConfig* cfg) {
    std::vector<std::string> models;
    for (auto& [name, up] : cfg->upstreams) {
      standin_services_.insert(name);
    }
    if (standin_services_.empty()) return OkStatus();
    for (const auto& s : e.services) {
      if (s.inference && standin_services_.count(s.name)) {
        models.insert(models.end(), s.inference->models.begin(), s.inference->models.end());
      }
    }
    StandinOptions so;
    so.host = "127.0.0.1";
    so.port = 0;
    if (!models.empty()) so.models = models;
    RAMPART_ASSIGN_OR_RETURN(standin_, StandinServer::Start(so));
    for (const auto& n : standin_services_) {
      spdlog::warn(
          "gateway: service '{}': requests go to the {} on 127.0.0.1:{} "
          "(standin: true — for the tour, never in production)",
          n, kStandinBanner, standin_->port());
    }
    return OkStatus();
  }

  void ApplyStandin(GatewayConfig* cfg) {
    if (!standin_) return;
    for (const auto& n : standin_services_) {
      auto it = cfg->upstreams.find(n);
      if (it == cfg->upstreams.end()) continue;
      UpstreamConfig u = it->second;
      (void)ParseUpstreamUrl("http://127.0.0.1:" + std::to_string(standin_->port()), &u);
      u.url = "http://127.0.0.1:" + std::to_string(standin_->port());
      it->second = u;
    }
  }

  Result<std::shared_ptr<const Policy>> MakePolicy(const estate::Estate& e,
                                                   const GatewayConfig& cfg) {
    std::shared_ptr<const KeyStore> keys;
    keys_count_ = 0;
    if (cfg.auth.api_keys) {
      RAMPART_ASSIGN_OR_RETURN(KeyStore ks, KeyStore::Load(cfg.auth.keys_file));
      keys_count_ = ks.size();
      keys = std::make_shared<const KeyStore>(std::move(ks));
    }
    return Policy::Create(e, cfg, keys, verifier_.get());
  }

  // The guards filter (guards/guard_filter.h) when the estate has a
  // `gateway.guards:` section; null otherwise. Built once, at start.
  Result<std::shared_ptr<GatewayFilter>> MakeGuards(const estate::Estate& e,
                                                    const fs::path& var_dir) {
    Diagnostics d;
    auto gc = guards::LoadGuardsConfig(e, &d);
    if (!gc) return InvalidArgumentError(d.has_errors() ? d.ToString() : gc.error().message());
    if (!gc->enabled) return std::shared_ptr<GatewayFilter>();
    std::string canary;
    if (gc->canary) {
      RAMPART_ASSIGN_OR_RETURN(canary, guards::LoadOrCreateCanary(var_dir, gc->canary_token));
    }
    std::shared_ptr<const guards::RuleSet> rules;
    if (gc->rules.enabled) {
      Diagnostics rd;
      auto r = guards::LoadRules(gc->rules, &rd);
      if (!r) return InvalidArgumentError(rd.has_errors() ? rd.ToString() : r.error().message());
      rules = *r;
    }
    std::shared_ptr<const guards::Classifier> model;
    if (!gc->classifier.model.empty()) {
      RAMPART_ASSIGN_OR_RETURN(guards::Classifier m,
                               guards::Classifier::Load(gc->classifier.model));
      model = std::make_shared<const guards::Classifier>(std::move(m));
    }
    spdlog::info("gateway: guards on: {} rule(s), classifier {}, canary {}",
                 rules ? rules->size() : 0, model ? gc->classifier.model.string() : "off",
                 canary.empty() ? "off" : "on");
    return std::shared_ptr<GatewayFilter>(
        std::make_shared<guards::GuardFilter>(*gc, canary, rules, model, ctx_->audit));
  }

  // The monitor filter (monitor/monitor_filter.h) when the estate has a
  // `gateway.monitor:` section; null otherwise. Built once, at start.
  Result<std::shared_ptr<GatewayFilter>> MakeMonitor(const estate::Estate& e) {
    Diagnostics d;
    auto mc = monitor::LoadMonitorConfig(e, &d);
    if (!mc) return InvalidArgumentError(d.has_errors() ? d.ToString() : mc.error().message());
    if (!mc->enabled) return std::shared_ptr<GatewayFilter>();
    spdlog::info("gateway: monitor on: {} MiB for per-client state ({} bytes a client)",
                 mc->memory_bytes >> 20, monitor::Monitor::BytesPerClient());
    return std::shared_ptr<GatewayFilter>(
        std::make_shared<monitor::MonitorFilter>(*mc, ctx_->audit));
  }

  ServeContext* ctx_;
  GatewayOverrides overrides_;
  std::unique_ptr<JwtVerifier> verifier_;
  std::unique_ptr<JwksRefresher> jwks_;
  std::unique_ptr<StandinServer> standin_;
  std::set<std::string> standin_services_;
  std::shared_ptr<RateLimiter> limiter_;
  std::unique_ptr<GatewayServer> server_;
  std::size_t keys_count_ = 0;
  std::shared_ptr<guards::SwappableFilter> guards_;  // null: no guards at start
};

struct ServeArgs {
  std::vector<std::string> estate;
  std::string var_dir = "var";
  std::string bind = "127.0.0.1";
  GatewayOverrides o;
  std::string ledger_url;
  std::string ledger_key;
  std::string ledger_ca;
};

// `rampart gateway serve`: the gateway alone (scale-out), until SIGTERM/SIGINT.
int ServeAlone(const ServeArgs& a) {
  sigset_t signals = BlockServiceSignals();
  std::vector<fs::path> files(a.estate.begin(), a.estate.end());
  auto est = estate::LoadValid(files);
  if (!est) return ReportError(est.error());
  ServeContext ctx;
  ctx.estate = &*est;
  ctx.estate_files = files;
  ctx.var_dir = a.var_dir;
  ctx.bind_host = a.bind;
  if (!a.ledger_url.empty()) {
    HttpAuditSinkOptions ho;
    ho.url = a.ledger_url;
    ho.api_key = a.ledger_key;
    ho.ca_file = a.ledger_ca;
    // Reject mode: the sink's own buffer is part of the audit bound, so that
    // an unreachable ledger is noticed after about gateway.audit.max_pending
    // records rather than after the sink's default 10000 entries.
    Diagnostics diags;
    if (auto c = LoadGatewayConfig(*est, a.var_dir, a.bind, &diags);
        c && c->audit.on_failure == AuditFailureMode::kReject) {
      ho.max_buffered_events = std::clamp<std::size_t>(
          c->audit.max_pending / std::max<std::size_t>(c->audit.batch_size, 1), 1,
          ho.max_buffered_events);
    }
    auto sink = MakeHttpAuditSink(ho);
    if (!sink) return ReportError(sink.error());
    ctx.audit = *sink;
  }
  GatewayService svc(&ctx, a.o);
  if (Status s = svc.Start(); !s.ok()) return ReportError(s.WithContext("cannot start gateway"));
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP: reloading");
      if (Status s = svc.Reload(); !s.ok()) {
        spdlog::error("gateway: reload failed, keeping the previous configuration: {}",
                      s.message());
      }
      continue;
    }
    spdlog::info("{}: draining", sig == SIGINT ? "SIGINT" : "SIGTERM");
    break;
  }
  svc.Stop();
  if (ctx.audit) (void)ctx.audit->Flush(std::chrono::seconds(5));
  return kExitOk;
}

struct StandinArgs {
  std::string host = "127.0.0.1";
  int port = 8000;
  int threads = 1;
  int token_delay_ms = 20;
  std::vector<std::string> models;
};

int RunStandin(const StandinArgs& a) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  StandinOptions so;
  so.host = a.host;
  so.port = static_cast<std::uint16_t>(a.port);
  so.threads = a.threads;
  so.token_delay = std::chrono::milliseconds(a.token_delay_ms);
  if (!a.models.empty()) so.models = a.models;
  auto s = StandinServer::Start(so);
  if (!s) return ReportError(s.error());
  int sig = 0;
  while (sigwait(&signals, &sig) != 0) {
  }
  (*s)->Stop();
  return kExitOk;
}

}  // namespace

void RegisterGatewayCommands(CLI::App& app, CommandContext& ctx) {
  auto* gateway =
      app.add_subcommand("gateway", "Zero-trust gateway in front of inference endpoints");
  gateway->require_subcommand(1);

  static ServeArgs serve_args;
  auto* serve = gateway->add_subcommand("serve", "Run the gateway alone (SIGHUP reloads)");
  serve->add_option("-e,--estate", serve_args.estate, "Estate file or directory; repeatable")
      ->required();
  serve->add_option("--var-dir", serve_args.var_dir, "Directory for state (default ./var)");
  serve->add_option("--bind", serve_args.bind, "Default listen address (default 127.0.0.1)");
  serve->add_option("--listen", serve_args.o.listen, "HOST:PORT, overrides the estate");
  serve->add_option("--admin-listen", serve_args.o.admin_listen,
                    "HOST:PORT of /metrics and /healthz, overrides the estate");
  serve->add_option("--threads", serve_args.o.threads, "I/O threads (0 = one per core)");
  serve->add_option("--ledger", serve_args.ledger_url,
                    "Send audit records to this ledger (http(s)://host:port)");
  serve->add_option("--ledger-key", serve_args.ledger_key, "API key for --ledger");
  serve->add_option("--ledger-ca", serve_args.ledger_ca, "CA bundle for an https --ledger");
  serve->callback([&ctx] { ctx.exit_code = ServeAlone(serve_args); });

  static StandinArgs standin_args;
  auto* standin = gateway->add_subcommand("standin",
                                          "Run the stand-in OpenAI-compatible upstream (NOT a "
                                          "model: fixed answers for tours and tests)");
  standin->add_option("--host", standin_args.host, "Listen address (default 127.0.0.1)");
  standin->add_option("--port", standin_args.port, "Listen port (default 8000; 0 = any)");
  standin->add_option("--threads", standin_args.threads, "I/O threads (default 1)");
  standin->add_option("--token-delay-ms", standin_args.token_delay_ms,
                      "Delay between streamed events (default 20)");
  standin->add_option("--model", standin_args.models, "Model name to list; repeatable");
  standin->callback([&ctx] { ctx.exit_code = RunStandin(standin_args); });

  RegisterGatewayKeysCommands(*gateway, ctx);
}

Result<std::unique_ptr<Service>> MakeGatewayService(ServeContext& ctx) {
  if (ctx.estate == nullptr) return std::unique_ptr<Service>();
  bool has_gateway = false;
  for (const auto& s : ctx.estate->services) has_gateway |= s.kind == estate::ServiceKind::kGateway;
  if (!has_gateway && ctx.estate->FindSection("gateway") == nullptr) {
    return std::unique_ptr<Service>();
  }
  return std::unique_ptr<Service>(std::make_unique<GatewayService>(&ctx, GatewayOverrides{}));
}

}  // namespace rampart::cli
