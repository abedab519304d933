#include "gateway/config.h"

#include <charconv>
#include <cmath>
#include <set>

#include "core/host_port.h"
#include "core/url.h"
#include "core/yaml.h"
#include "gateway/jwks.h"
#include "gateway/routes.h"

namespace rampart::gateway {
namespace {

constexpr std::string_view kCode = "gateway";

std::vector<std::string> IdentityNames(const estate::Estate& e) {
  std::vector<std::string> v;
  for (const auto& i : e.identities) v.push_back(i.name);
  return v;
}

std::vector<std::string> RoleNames(const estate::Estate& e) {
  std::set<std::string> s;
  for (const auto& i : e.identities) s.insert(i.roles.begin(), i.roles.end());
  return {s.begin(), s.end()};
}

std::vector<std::string> ModelNames(const estate::Estate& e, bool* catch_all) {
  std::vector<std::string> v;
  *catch_all = false;
  for (const auto& s : e.services) {
    if (!s.inference) continue;
    if (s.inference->models.empty()) *catch_all = true;
    v.insert(v.end(), s.inference->models.begin(), s.inference->models.end());
  }
  return v;
}

bool Contains(const std::vector<std::string>& v, std::string_view x) {
  for (const auto& s : v)
    if (s == x) return true;
  return false;
}

// A non-negative number (requests per second may be fractional).
std::optional<double> Number(YamlFields& f, std::string_view key, Diagnostics* diags) {
  YAML::Node n = f.Node(key);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!n.IsScalar()) {
    diags->Error(f.Where(key), "gateway.type", std::string(key) + " must be a number");
    return std::nullopt;
  }
  const std::string& s = n.Scalar();
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v) || v < 0 || v > 1e9) {
    diags->Error(f.Where(key), "gateway.range",
                 std::string(key) + " must be a number between 0 and 1e9, got '" + s + "'");
    return std::nullopt;
  }
  return v;
}

LimitSpec ReadLimitSpec(const YAML::Node& node, const std::string& file, Diagnostics* diags,
                        const std::string& what) {
  LimitSpec spec;
  YamlFields f(node, file, diags, what, std::string(kCode));
  if (!f.ok()) return spec;
  if (auto v = Number(f, "requests_per_second", diags)) spec.requests_per_second = *v;
  if (auto v = Number(f, "requests_per_minute", diags)) spec.requests_per_minute = *v;
  if (auto v = f.Int("burst", false, 0, 1'000'000)) spec.burst = static_cast<std::uint32_t>(*v);
  if (auto v = f.Int("max_concurrent", false, 0, 1'000'000))
    spec.max_concurrent = static_cast<std::uint32_t>(*v);
  if (auto v = f.Int("tokens_per_minute", false, 0, INT64_MAX))
    spec.tokens_per_minute = static_cast<std::uint64_t>(*v);
  f.CheckUnknown();
  return spec;
}

// A mapping name -> LimitSpec; `check` validates each name.
template <typename Check>
void ReadLimitMap(const YAML::Node& node, const SourceLocation& where, const std::string& file,
                  Diagnostics* diags, const std::string& what,
                  std::map<std::string, LimitSpec, std::less<>>* out, Check check) {
  if (!node.IsMap()) {
    diags->Error(where, "gateway.type", what + " must be a mapping of name -> limits");
    return;
  }
  for (const auto& kv : node) {
    std::string name = kv.first.Scalar();
    check(name, LocationOf(kv.first, file));
    (*out)[name] = ReadLimitSpec(kv.second, file, diags, what + "." + name);
  }
}

void ReadRateLimits(const YAML::Node& node, const std::string& file, const estate::Estate& e,
                    Diagnostics* diags, RateLimitConfig* rl) {
  YamlFields f(node, file, diags, "gateway.rate_limits", std::string(kCode));
  if (!f.ok()) return;
  if (auto v = f.Enum("backend", {"local", "redis"}))
    rl->backend = *v == "redis" ? RateLimitBackend::kRedis : RateLimitBackend::kLocal;
  if (YAML::Node r = f.Node("redis")) {
    YamlFields rf(r, file, diags, "gateway.rate_limits.redis", std::string(kCode));
    if (rf.ok()) {
      if (auto v = rf.String("url")) {
        if (!v->starts_with("redis://") && !v->starts_with("rediss://")) {
          diags->Error(
              rf.Where("url"), "gateway.redis-url",
              "redis url must start with redis:// or rediss://, got '" + RedactUrl(*v) + "'");
        }
        rl->redis_url = *v;
      }
      if (auto v = rf.String("key_prefix")) rl->redis_key_prefix = *v;
      if (auto v = rf.Int("timeout_ms", false, 1, 60'000))
        rl->redis_timeout = std::chrono::milliseconds(*v);
      if (auto v = rf.Int("max_pending", false, 1, 1'000'000)) rl->redis_max_pending = *v;
      if (auto v = rf.Int("slot_ttl_s", false, 1, 86'400))
        rl->redis_slot_ttl = std::chrono::seconds(*v);
      if (rf.Int("connections", false, 1, 1024)) {
        diags->Warning(rf.Where("connections"), "gateway.redis-connections",
                       "rate_limits.redis.connections is ignored: each gateway thread keeps one "
                       "asynchronous connection to Redis; remove the key");
      }
      if (auto v = rf.Bool("fail_open")) rl->fail_open = *v;
      rf.CheckUnknown();
    }
  }
  if (auto v = f.Int("default_max_tokens", false, 1, 10'000'000)) rl->default_max_tokens = *v;
  if (YAML::Node d = f.Node("defaults")) {
    YamlFields df(d, file, diags, "gateway.rate_limits.defaults", std::string(kCode));
    if (df.ok()) {
      if (YAML::Node n = df.Node("identity"))
        rl->default_identity = ReadLimitSpec(n, file, diags, "defaults.identity");
      if (YAML::Node n = df.Node("model"))
        rl->default_model = ReadLimitSpec(n, file, diags, "defaults.model");
      df.CheckUnknown();
    }
  }
  if (YAML::Node n = f.Node("identities")) {
    auto names = IdentityNames(e);
    ReadLimitMap(n, f.Where("identities"), file, diags, "rate_limits.identities", &rl->identities,
                 [&](const std::string& name, const SourceLocation& at) {
                   if (!Contains(names, name))
                     diags->Error(at, "gateway.unknown-identity",
                                  "rate limit for unknown identity '" + name + "'",
                                  DidYouMean(name, names));
                 });
  }
  if (YAML::Node n = f.Node("roles")) {
    auto roles = RoleNames(e);
    ReadLimitMap(n, f.Where("roles"), file, diags, "rate_limits.roles", &rl->roles,
                 [&](const std::string& name, const SourceLocation& at) {
                   // JWT roles need not be estate roles, so only a warning.
                   if (!Contains(roles, name))
                     diags->Warning(at, "gateway.unknown-role",
                                    "no estate identity has role '" + name + "'",
                                    DidYouMean(name, roles));
                 });
  }
  if (YAML::Node n = f.Node("models")) {
    bool catch_all = false;
    auto models = ModelNames(e, &catch_all);
    ReadLimitMap(n, f.Where("models"), file, diags, "rate_limits.models", &rl->models,
                 [&](const std::string& name, const SourceLocation& at) {
                   if (!Contains(models, name))
                     diags->Error(at, "gateway.unknown-model",
                                  "rate limit for model '" + name +
                                      "' that no estate inference service lists",
                                  DidYouMean(name, models));
                 });
  }
  f.CheckUnknown();
  if (rl->backend == RateLimitBackend::kRedis && rl->redis_url.empty()) {
    diags->Error(f.Where("backend"), "gateway.redis-url",
                 "rate_limits backend redis needs redis: {url: redis://HOST:PORT}");
  }
}

// JWT auth fails closed (docs/design/threat-model.md, "Defaults that fail
// closed"): the token's issuer and audience are checked unless the
// configuration opts out by name, and the keys come over an authenticated
// channel. Opt-outs are warnings, so they are logged at every start.
void CheckJwtTrust(const AuthConfig& a, const SourceLocation& jwks_at, const SourceLocation& jwt_at,
                   Diagnostics* diags) {
  bool plain_http = false;
  if (Status s = CheckJwksSource(a.jwks, &plain_http); !s.ok()) {
    diags->Error(jwks_at, "gateway.jwks-url", "auth.jwks: " + s.message());
  } else if (plain_http) {
    diags->Warning(jwks_at, "gateway.jwks-plain-http",
                   "auth.jwks fetches the keys over plain http from a loopback host",
                   "serve the JWKS over https:// or from a file outside development");
  }
  struct Check {
    const std::vector<std::string>& list;
    bool allow_any;
    const char* key;
    const char* opt_out;
    const char* claim;
  };
  for (const Check& c :
       {Check{a.jwt.issuers, a.jwt.allow_any_issuer, "issuers", "allow_any_issuer", "iss"},
        Check{a.jwt.audiences, a.jwt.allow_any_audience, "audiences", "allow_any_audience",
              "aud"}}) {
    const std::string key = std::string("auth.jwt.") + c.key;
    const std::string opt_out = std::string("auth.jwt.") + c.opt_out;
    if (c.list.empty() && !c.allow_any) {
      diags->Error(jwt_at, "gateway.jwt-trust",
                   "JWT auth is on (auth.jwks) but " + key +
                       " is empty: a token the identity provider issued for another "
                       "application would be accepted",
                   "list the accepted \"" + std::string(c.claim) + "\" values in " + key +
                       ", or set " + opt_out + ": true to accept any (logged as a warning)");
    } else if (!c.list.empty() && c.allow_any) {
      diags->Error(jwt_at, "gateway.jwt-trust", key + " and " + opt_out + " are both set",
                   "keep " + key + " and remove " + opt_out);
    } else if (c.allow_any) {
      diags->Warning(jwt_at, "gateway.jwt-trust-opt-out",
                     opt_out + ": true: tokens are accepted whatever their \"" +
                         std::string(c.claim) + "\" claim",
                     "list the accepted values in " + key + " instead");
    }
  }
}

void ReadAuth(const YAML::Node& node, const std::string& file, const estate::Estate& e,
              Diagnostics* diags, AuthConfig* a) {
  YamlFields f(node, file, diags, "gateway.auth", std::string(kCode));
  if (!f.ok()) return;
  if (auto v = f.Bool("api_keys")) a->api_keys = *v;
  if (auto v = f.String("keys_file")) a->keys_file = *v;
  if (auto v = f.String("jwks")) a->jwks = *v;
  if (auto v = f.Int("jwks_refresh_s", false, 10, 86'400))
    a->jwks_refresh = std::chrono::seconds(*v);
  if (auto v = f.Bool("mtls")) a->mtls = *v;
  // Where a JWT problem is reported: the jwt: key if present, else jwks:.
  SourceLocation jwt_at = f.Where("jwks");
  if (YAML::Node j = f.Node("jwt")) {
    jwt_at = f.Where("jwt");
    YamlFields jf(j, file, diags, "gateway.auth.jwt", std::string(kCode));
    if (jf.ok()) {
      if (auto v = jf.StringList("issuers")) a->jwt.issuers = *v;
      if (auto v = jf.StringList("audiences")) a->jwt.audiences = *v;
      if (auto v = jf.Bool("allow_any_issuer")) a->jwt.allow_any_issuer = *v;
      if (auto v = jf.Bool("allow_any_audience")) a->jwt.allow_any_audience = *v;
      if (auto v = jf.Bool("scope_roles")) a->jwt.scope_roles = *v;
      if (auto v = jf.Int("max_clock_skew_s", false, 0, 600))
        a->jwt.max_clock_skew = std::chrono::seconds(*v);
      if (auto v = jf.StringList("algorithms")) {
        static const std::vector<std::string> kAllowed = {"RS256", "ES256", "EdDSA"};
        for (const auto& alg : *v) {
          if (!Contains(kAllowed, alg)) {
            diags->Error(jf.Where("algorithms"), "gateway.jwt-algorithm",
                         "JWT algorithm '" + alg + "' is not supported",
                         "use RS256, ES256 or EdDSA (never none or HS*)");
          }
        }
        a->jwt.algorithms = *v;
      }
      if (auto v = jf.String("roles_claim")) a->jwt.roles_claim = *v;
      if (auto v = jf.Bool("allow_unknown_subjects")) a->jwt_allow_unknown_subjects = *v;
      jf.CheckUnknown();
    }
  }
  if (!a->jwks.empty()) CheckJwtTrust(*a, f.Where("jwks"), jwt_at, diags);
  if (YAML::Node m = f.Node("mtls_dns")) {
    if (!m.IsMap()) {
      diags->Error(f.Where("mtls_dns"), "gateway.type",
                   "mtls_dns must be a mapping of DNS name -> identity");
    } else {
      auto names = IdentityNames(e);
      for (const auto& kv : m) {
        std::string dns = kv.first.Scalar();
        std::string id = kv.second.IsScalar() ? kv.second.Scalar() : "";
        if (!Contains(names, id)) {
          diags->Error(LocationOf(kv.second, file), "gateway.unknown-identity",
                       "mtls_dns maps '" + dns + "' to unknown identity '" + id + "'",
                       DidYouMean(id, names));
          continue;
        }
        a->mtls_dns[dns] = id;
      }
    }
  }
  f.CheckUnknown();
}

void ReadAccessRules(const YAML::Node& node, const SourceLocation& where, const std::string& file,
                     const estate::Estate& e, Diagnostics* diags, std::vector<AccessRule>* out) {
  if (!node.IsSequence()) {
    diags->Error(where, "gateway.type", "access must be a list of rules");
    return;
  }
  auto ids = IdentityNames(e);
  auto roles = RoleNames(e);
  bool catch_all = false;
  auto models = ModelNames(e, &catch_all);
  const auto& routes = RouteNames();
  for (const YAML::Node& n : node) {
    YamlFields f(n, file, diags, "access rule", std::string(kCode));
    if (!f.ok()) continue;
    AccessRule r;
    r.where = f.Where();
    if (auto v = f.String("name")) r.name = *v;
    if (auto v = f.StringList("identities")) r.identities = *v;
    if (auto v = f.StringList("roles")) r.roles = *v;
    r.models = f.StringList("models").value_or(std::vector<std::string>{"*"});
    r.routes = f.StringList("routes").value_or(std::vector<std::string>{"*"});
    f.CheckUnknown();
    if (r.identities.empty() && r.roles.empty()) {
      diags->Error(r.where, "gateway.access-rule",
                   "access rule" + (r.name.empty() ? "" : " '" + r.name + "'") +
                       " names no identities and no roles",
                   "add identities: [...] or roles: [...]");
    }
    for (const auto& i : r.identities) {
      if (i != "*" && !Contains(ids, i))
        diags->Error(f.Where("identities"), "gateway.unknown-identity",
                     "access rule names unknown identity '" + i + "'", DidYouMean(i, ids));
    }
    for (const auto& ro : r.roles) {
      if (ro != "*" && !Contains(roles, ro))
        diags->Warning(f.Where("roles"), "gateway.unknown-role",
                       "no estate identity has role '" + ro + "' (only JWT roles can match)",
                       DidYouMean(ro, roles));
    }
    for (const auto& m : r.models) {
      if (m == "*" || Contains(models, m)) continue;
      if (catch_all) {
        diags->Warning(f.Where("models"), "gateway.unknown-model",
                       "model '" + m + "' is not listed by any inference service",
                       DidYouMean(m, models));
      } else {
        diags->Error(f.Where("models"), "gateway.unknown-model",
                     "access rule names model '" + m + "' that no estate inference service lists",
                     DidYouMean(m, models));
      }
    }
    for (const auto& rt : r.routes) {
      if (rt != "*" && !Contains(routes, rt))
        diags->Error(f.Where("routes"), "gateway.unknown-route",
                     "access rule names unknown route '" + rt + "'", DidYouMean(rt, routes));
    }
    out->push_back(std::move(r));
  }
}

void ReadUpstreams(const YAML::Node& node, const SourceLocation& where, const std::string& file,
                   const estate::Estate& e, Diagnostics* diags, GatewayConfig* c) {
  if (!node.IsMap()) {
    diags->Error(where, "gateway.type", "upstreams must be a mapping of service -> settings");
    return;
  }
  std::vector<std::string> names;
  for (const auto& [n, u] : c->upstreams) names.push_back(n);
  for (const auto& kv : node) {
    std::string name = kv.first.Scalar();
    auto it = c->upstreams.find(name);
    if (it == c->upstreams.end()) {
      diags->Error(LocationOf(kv.first, file), "gateway.unknown-service",
                   "upstream for '" + name + "', which is not an estate inference service",
                   DidYouMean(name, names));
      continue;
    }
    UpstreamConfig& u = it->second;
    YamlFields f(kv.second, file, diags, "upstream " + name, std::string(kCode));
    if (!f.ok()) continue;
    if (auto v = f.String("url")) {
      UpstreamConfig parsed = u;
      if (Status s = ParseUpstreamUrl(*v, &parsed); !s.ok()) {
        diags->Error(f.Where("url"), "gateway.upstream-url", s.message());
      } else {
        u = parsed;
      }
    }
    if (auto v = f.String("grpc_url")) {
      if (Status s = ParseGrpcUpstreamUrl(*v, &u); !s.ok()) {
        diags->Error(f.Where("grpc_url"), "gateway.upstream-url", s.message());
      }
    }
    if (auto v = f.String("ca_file")) u.ca_file = *v;
    if (auto v = f.String("client_cert")) u.client_cert = *v;
    if (auto v = f.String("client_key")) u.client_key = *v;
    if (auto v = f.String("server_name")) u.server_name = *v;
    if (auto v = f.Int("connect_timeout_ms", false, 1, 600'000))
      u.connect_timeout = std::chrono::milliseconds(*v);
    if (auto v = f.Int("response_timeout_ms", false, 1, 3'600'000))
      u.response_timeout = std::chrono::milliseconds(*v);
    if (auto v = f.Int("pool_size", false, 0, 100'000)) u.pool_size = *v;
    f.CheckUnknown();
    if (u.client_cert.empty() != u.client_key.empty()) {
      diags->Error(f.Where(), "gateway.upstream-tls",
                   "upstream '" + name + "' needs both client_cert and client_key, or neither");
    }
  }
}

}  // namespace

Status ParseUpstreamUrl(std::string_view url, UpstreamConfig* u) {
  std::string_view rest;
  std::string scheme;
  if (url.starts_with("http://")) {
    scheme = "http";
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    scheme = "https";
    rest = url.substr(8);
  } else {
    return InvalidArgumentError("upstream url must start with http:// or https://, got '" +
                                std::string(url) + "'");
  }
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  while (path.ends_with('/')) path.remove_suffix(1);
  if (authority.find('@') != std::string_view::npos || url.find_first_of("?#") != url.npos) {
    return InvalidArgumentError("upstream url must be scheme://host[:port][/path], got '" +
                                std::string(url) + "'");
  }
  std::string host;
  std::uint16_t port = scheme == "https" ? 443 : 80;
  bool bracketed = authority.starts_with('[');
  std::size_t close = bracketed ? authority.find(']') : std::string_view::npos;
  std::size_t colon = bracketed
                          ? (close == std::string_view::npos ? close : authority.find(':', close))
                          : authority.rfind(':');
  if (colon != std::string_view::npos) {
    if (!ParseHostPort(authority, &host, &port) || port == 0) {
      return InvalidArgumentError("upstream url has a bad port: '" + std::string(url) + "'");
    }
  } else {
    std::string_view h = authority;
    if (bracketed) {
      if (!h.ends_with(']'))
        return InvalidArgumentError("bad IPv6 host in '" + std::string(url) + "'");
      h = h.substr(1, h.size() - 2);
    }
    host = std::string(h);
  }
  if (host.empty() || host.find_first_of(" \t/\\") != std::string::npos) {
    return InvalidArgumentError("upstream url has no host: '" + std::string(url) + "'");
  }
  u->url = std::string(url);
  u->scheme = scheme;
  u->host = host;
  u->port = port;
  u->base_path = std::string(path);
  return OkStatus();
}

Status ParseGrpcUpstreamUrl(std::string_view url, UpstreamConfig* u) {
  bool tls = url.starts_with("https://");
  if (!tls && !url.starts_with("h2c://")) {
    return InvalidArgumentError("gRPC upstream url must start with h2c:// or https://, got '" +
                                std::string(url) + "'");
  }
  // The host and port rules are those of the HTTP upstream url.
  UpstreamConfig tmp;
  std::string as_http = (tls ? "https://" : "http://") + std::string(url.substr(tls ? 8 : 6));
  RAMPART_RETURN_IF_ERROR(ParseUpstreamUrl(as_http, &tmp));
  if (!tmp.base_path.empty()) {
    return InvalidArgumentError("a gRPC upstream url has no path: '" + std::string(url) + "'");
  }
  u->grpc_url = std::string(url);
  u->grpc_host = tmp.host;
  u->grpc_port = tmp.port;
  u->grpc_tls = tls;
  return OkStatus();
}

GatewayConfig DefaultGatewayConfig(const estate::Estate& e, const std::filesystem::path& var_dir,
                                   const std::string& bind_host) {
  GatewayConfig c;
  c.var_dir = var_dir;
  c.listener.host = bind_host;
  for (const auto& s : e.services) {
    if (s.kind == estate::ServiceKind::kGateway && !s.ports.empty()) {
      c.listener.port = s.ports[0].first;
      break;
    }
  }
  c.auth.keys_file = var_dir / "gateway-keys.json";
  // An estate that declares regulated data fails closed on audit by default:
  // it must not serve requests it cannot account for.
  for (const auto& a : e.assets) {
    if (a.classification == estate::Classification::kRegulated) {
      c.audit.on_failure = AuditFailureMode::kReject;
      break;
    }
  }
  for (const auto& s : e.services) {
    if (!s.inference) continue;
    UpstreamConfig u;
    u.service = s.name;
    // The estate loader does not validate URLs; a bad one is reported on load.
    if (!s.upstream.empty()) (void)ParseUpstreamUrl(s.upstream, &u);
    c.upstreams.emplace(s.name, std::move(u));
  }
  return c;
}

Result<GatewayConfig> LoadGatewayConfig(const estate::Estate& e,
                                        const std::filesystem::path& var_dir,
                                        const std::string& bind_host, Diagnostics* diags) {
  GatewayConfig c = DefaultGatewayConfig(e, var_dir, bind_host);
  std::size_t errors_before = diags->error_count();
  for (const auto& s : e.services) {
    if (s.inference && !s.upstream.empty() && c.upstreams[s.name].url.empty()) {
      UpstreamConfig tmp;
      Status st = ParseUpstreamUrl(s.upstream, &tmp);
      diags->Error(s.where, "gateway.upstream-url", "service '" + s.name + "': " + st.message());
    }
  }
  const estate::Section* sec = e.FindSection("gateway");
  if (sec != nullptr && sec->node.IsDefined() && !sec->node.IsNull()) {
    const std::string& file = sec->file;
    YamlFields f(sec->node, file, diags, "gateway", std::string(kCode));
    if (f.ok()) {
      if (auto v = f.String("listen")) {
        if (!ParseHostPort(*v, &c.listener.host, &c.listener.port)) {
          diags->Error(f.Where("listen"), "gateway.listen",
                       "listen must be HOST:PORT, got '" + *v + "'");
        } else {
          c.listener.port_explicit = true;
        }
      }
      if (YAML::Node t = f.Node("tls")) {
        YamlFields tf(t, file, diags, "gateway.tls", std::string(kCode));
        if (tf.ok()) {
          if (auto v = tf.String("cert", true)) c.listener.tls_cert = *v;
          if (auto v = tf.String("key", true)) c.listener.tls_key = *v;
          if (auto v = tf.String("client_ca")) c.listener.client_ca = *v;
          if (auto v = tf.Bool("require_client_cert")) c.listener.require_client_cert = *v;
          tf.CheckUnknown();
          if (c.listener.require_client_cert && c.listener.client_ca.empty()) {
            diags->Error(tf.Where("require_client_cert"), "gateway.tls",
                         "require_client_cert needs client_ca");
          }
        }
      }
      if (YAML::Node a = f.Node("admin")) {
        YamlFields af(a, file, diags, "gateway.admin", std::string(kCode));
        if (af.ok()) {
          if (auto v = af.Bool("enabled")) c.admin.enabled = *v;
          if (auto v = af.String("listen")) {
            if (!ParseHostPort(*v, &c.admin.host, &c.admin.port))
              diags->Error(af.Where("listen"), "gateway.listen",
                           "admin listen must be HOST:PORT, got '" + *v + "'");
          }
          af.CheckUnknown();
        }
      }
      if (auto v = f.Int("threads", false, 0, 256)) c.threads = static_cast<int>(*v);
      if (YAML::Node u = f.Node("upstreams"))
        ReadUpstreams(u, f.Where("upstreams"), file, e, diags, &c);
      if (YAML::Node l = f.Node("limits")) {
        YamlFields lf(l, file, diags, "gateway.limits", std::string(kCode));
        if (lf.ok()) {
          auto& p = c.protection;
          if (auto v = lf.Int("max_header_bytes", false, 1024, 1 << 20)) p.max_header_bytes = *v;
          if (auto v = lf.Int("max_body_bytes", false, 0, 1LL << 30)) p.max_body_bytes = *v;
          if (auto v = lf.Int("header_read_timeout_ms", false, 100, 600'000))
            p.header_read_timeout = std::chrono::milliseconds(*v);
          if (auto v = lf.Int("body_read_timeout_ms", false, 100, 3'600'000))
            p.body_read_timeout = std::chrono::milliseconds(*v);
          if (auto v = lf.Int("idle_timeout_ms", false, 100, 3'600'000))
            p.idle_timeout = std::chrono::milliseconds(*v);
          if (auto v = lf.Int("max_connections", false, 1, 1'000'000)) p.max_connections = *v;
          if (auto v = lf.Int("max_connections_per_ip", false, 0, 1'000'000))
            p.max_connections_per_ip = *v;
          if (auto v = lf.Int("requests_per_second_per_ip", false, 0, 10'000'000))
            p.requests_per_second_per_ip = static_cast<double>(*v);
          if (auto v = lf.Int("burst_per_ip", false, 0, 10'000'000))
            p.burst_per_ip = static_cast<std::uint32_t>(*v);
          lf.CheckUnknown();
        }
      }
      if (YAML::Node r = f.Node("rate_limits")) ReadRateLimits(r, file, e, diags, &c.rate_limits);
      if (YAML::Node a = f.Node("auth")) ReadAuth(a, file, e, diags, &c.auth);
      if (YAML::Node a = f.Node("access"))
        ReadAccessRules(a, f.Where("access"), file, e, diags, &c.access);
      if (auto v = f.StringList("admin_roles")) {
        auto roles = RoleNames(e);
        for (const auto& r : *v) {
          if (!Contains(roles, r))
            diags->Warning(f.Where("admin_roles"), "gateway.unknown-role",
                           "no estate identity has admin role '" + r + "'", DidYouMean(r, roles));
        }
        c.admin_roles = *v;
      }
      if (YAML::Node a = f.Node("audit")) {
        YamlFields af(a, file, diags, "gateway.audit", std::string(kCode));
        if (af.ok()) {
          if (auto v = af.Bool("enabled")) c.audit.enabled = *v;
          if (auto v = af.Int("batch_size", false, 1, 100'000)) c.audit.batch_size = *v;
          if (auto v = af.Int("window_ms", false, 10, 600'000))
            c.audit.window = std::chrono::milliseconds(*v);
          if (auto v = af.Bool("prompt_digest")) c.audit.prompt_digest = *v;
          if (auto v = af.Enum("on_failure", {"reject", "drop"})) {
            c.audit.on_failure =
                *v == "reject" ? AuditFailureMode::kReject : AuditFailureMode::kDrop;
          }
          if (auto v = af.Int("max_pending", false, 1, 10'000'000)) c.audit.max_pending = *v;
          if (auto v = af.Int("retry_max_attempts", false, 1, 1000))
            c.audit.retry_max_attempts = static_cast<int>(*v);
          if (auto v = af.Int("retry_max_delay_ms", false, 10, 600'000))
            c.audit.retry_max_delay = std::chrono::milliseconds(*v);
          af.CheckUnknown();
        }
      }
      if (auto v = f.String("access_log")) {
        if (*v == "off") {
          c.access_log.mode = AccessLogMode::kOff;
        } else if (*v == "stdout" || *v == "-") {
          c.access_log.mode = AccessLogMode::kStdout;
        } else {
          c.access_log.mode = AccessLogMode::kFile;
          c.access_log.file = *v;
        }
      }
      if (auto v = f.Bool("standin")) c.standin = *v;
      // Read by the guards pillar (guards/config.h), which the CLI wires in.
      (void)f.Node("guards");
      // Read by the monitor pillar (monitor/config.h), which the CLI wires in.
      (void)f.Node("monitor");
      f.CheckUnknown();
    }
  }
  if (diags->error_count() > errors_before) {
    return InvalidArgumentError("gateway configuration has " +
                                std::to_string(diags->error_count() - errors_before) +
                                " error(s):\n" + diags->ToString());
  }
  return c;
}

}  // namespace rampart::gateway
