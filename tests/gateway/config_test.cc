#include "gateway/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "estate/loader.h"
#include "gateway/jwks.h"
#include "policy_fixture.h"

namespace rampart::gateway {
namespace {

using testing::LoadTestEstate;

std::string Codes(const Diagnostics& d) {
  std::string s;
  for (const auto& i : d.items()) s += i.code + "@" + std::to_string(i.location.line) + " ";
  return s;
}

TEST(GatewayConfigTest, DefaultsWithoutSection) {
  estate::Estate e = LoadTestEstate();
  Diagnostics d;
  auto c = LoadGatewayConfig(e, "var", "0.0.0.0", &d);
  ASSERT_TRUE(c.has_value()) << d.ToString();
  EXPECT_EQ(d.items().size(), 0u);
  EXPECT_EQ(c->listener.host, "0.0.0.0");
  EXPECT_EQ(c->listener.port, 8443);  // the estate's gateway service port
  EXPECT_FALSE(c->listener.tls());
  EXPECT_EQ(c->admin.host, "127.0.0.1");
  EXPECT_EQ(c->admin.port, 9464);
  EXPECT_EQ(c->threads, 0);
  EXPECT_EQ(c->protection.max_header_bytes, 16u * 1024);
  EXPECT_EQ(c->protection.max_body_bytes, 8u * 1024 * 1024);
  EXPECT_EQ(c->protection.header_read_timeout, std::chrono::seconds(10));
  EXPECT_EQ(c->protection.idle_timeout, std::chrono::seconds(60));
  EXPECT_EQ(c->auth.keys_file, std::filesystem::path("var") / "gateway-keys.json");
  EXPECT_TRUE(c->access.empty());  // default deny
  EXPECT_EQ(c->rate_limits.backend, RateLimitBackend::kLocal);
  EXPECT_EQ(c->rate_limits.default_max_tokens, 256u);
  ASSERT_EQ(c->upstreams.size(), 3u);
  const UpstreamConfig& chat = c->upstreams.at("chat");
  EXPECT_EQ(chat.scheme, "http");
  EXPECT_EQ(chat.host, "127.0.0.1");
  EXPECT_EQ(chat.port, 9001);
  EXPECT_EQ(chat.base_path, "");
  const UpstreamConfig& big = c->upstreams.at("big-chat");
  EXPECT_EQ(big.scheme, "https");
  EXPECT_EQ(big.port, 8443);
  EXPECT_EQ(big.base_path, "/base");
  EXPECT_FALSE(c->standin);
}

TEST(GatewayConfigTest, NoGatewayServiceMeans8080) {
  auto r = estate::LoadString(R"(version: 1
name: t
zones: [{name: z, kind: inference}]
services:
  - {name: m, zone: z, kind: inference, inference: {protocol: kserve-v2, models: [a]}}
)",
                              "e.yaml");
  ASSERT_TRUE(r.has_value());
  Diagnostics d;
  auto c = LoadGatewayConfig(r->estate, "var", "127.0.0.1", &d);
  ASSERT_TRUE(c.has_value()) << d.ToString();
  EXPECT_EQ(c->listener.port, 8080);
  EXPECT_TRUE(c->upstreams.at("m").url.empty());  // no upstream: the stand-in may apply
}

TEST(GatewayConfigTest, FullSection) {
  estate::Estate e = LoadTestEstate(R"(
gateway:
  listen: "[::1]:9443"
  tls: {cert: c.pem, key: k.pem, client_ca: ca.pem, require_client_cert: true}
  admin: {listen: 127.0.0.1:9999}
  threads: 4
  upstreams:
    chat: {url: "https://chat.internal:8443", ca_file: up-ca.pem, connect_timeout_ms: 500,
           response_timeout_ms: 30000, pool_size: 8, server_name: chat.internal}
  limits:
    max_header_bytes: 8192
    max_body_bytes: 1048576
    header_read_timeout_ms: 5000
    idle_timeout_ms: 30000
    max_connections: 100
  rate_limits:
    backend: redis
    redis: {url: "redis://127.0.0.1:6379", timeout_ms: 20, fail_open: true}
    default_max_tokens: 512
    defaults:
      identity: {requests_per_second: 0.5, burst: 2}
      model: {tokens_per_minute: 100000}
    identities:
      frontend: {requests_per_second: 50, burst: 100, max_concurrent: 16}
    roles:
      vision-user: {requests_per_minute: 600}
    models:
      chat-70b: {tokens_per_minute: 20000, max_concurrent: 4}
  auth:
    api_keys: true
    keys_file: /etc/rampart/keys.json
    jwks: https://idp.t.ai/.well-known/jwks.json
    jwks_refresh_s: 60
    jwt: {issuers: [https://idp.t.ai], audiences: [rampart], max_clock_skew_s: 30,
          algorithms: [ES256], roles_claim: groups, allow_unknown_subjects: true}
    mtls_dns: {client.t.ai: frontend}
  admin_roles: [inference-admin]
  access:
    - {name: chat, roles: [chat-user], models: [chat-7b, embed-1], routes: [chat, embeddings, models]}
    - {identities: [vision-app], models: [resnet50]}
    - {roles: [inference-admin], models: ["*"], routes: ["*", repository]}
  audit: {enabled: true, batch_size: 64, window_ms: 500, prompt_digest: true}
  access_log: /var/log/rampart-gw.log
  standin: true
)");
  Diagnostics d;
  auto c = LoadGatewayConfig(e, "var", "0.0.0.0", &d);
  ASSERT_TRUE(c.has_value()) << d.ToString();
  EXPECT_EQ(d.items().size(), 0u) << d.ToString();
  EXPECT_EQ(c->listener.host, "::1");
  EXPECT_EQ(c->listener.port, 9443);
  EXPECT_TRUE(c->listener.port_explicit);
  EXPECT_TRUE(c->listener.tls());
  EXPECT_TRUE(c->listener.require_client_cert);
  EXPECT_EQ(c->admin.port, 9999);
  EXPECT_EQ(c->threads, 4);
  const UpstreamConfig& chat = c->upstreams.at("chat");
  EXPECT_EQ(chat.host, "chat.internal");
  EXPECT_EQ(chat.port, 8443);
  EXPECT_EQ(chat.ca_file, "up-ca.pem");
  EXPECT_EQ(chat.connect_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(chat.pool_size, 8u);
  EXPECT_EQ(c->protection.max_connections, 100u);
  EXPECT_EQ(c->rate_limits.backend, RateLimitBackend::kRedis);
  EXPECT_TRUE(c->rate_limits.fail_open);
  EXPECT_EQ(c->rate_limits.default_max_tokens, 512u);
  EXPECT_DOUBLE_EQ(c->rate_limits.default_identity.requests_per_second, 0.5);
  EXPECT_EQ(c->rate_limits.identities.at("frontend").max_concurrent, 16u);
  EXPECT_EQ(c->rate_limits.roles.at("vision-user").requests_per_minute, 600);
  EXPECT_EQ(c->rate_limits.models.at("chat-70b").tokens_per_minute, 20000u);
  EXPECT_EQ(c->auth.jwks, "https://idp.t.ai/.well-known/jwks.json");
  EXPECT_EQ(c->auth.jwt.algorithms, std::vector<std::string>{"ES256"});
  EXPECT_EQ(c->auth.jwt.roles_claim, "groups");
  EXPECT_EQ(c->auth.jwt.max_clock_skew, std::chrono::seconds(30));
  EXPECT_TRUE(c->auth.jwt_allow_unknown_subjects);
  EXPECT_FALSE(c->auth.jwt.allow_any_issuer);
  EXPECT_FALSE(c->auth.jwt.allow_any_audience);
  EXPECT_FALSE(c->auth.jwt.scope_roles);  // scope is not a source of roles by default
  EXPECT_EQ(c->auth.mtls_dns.at("client.t.ai"), "frontend");
  ASSERT_EQ(c->access.size(), 3u);
  EXPECT_EQ(c->access[0].name, "chat");
  EXPECT_EQ(c->access[1].routes, std::vector<std::string>{"*"});  // default
  EXPECT_EQ(c->access[1].where.line, 67);
  EXPECT_EQ(c->audit.batch_size, 64u);
  EXPECT_TRUE(c->audit.prompt_digest);
  EXPECT_EQ(c->access_log.mode, AccessLogMode::kFile);
  EXPECT_TRUE(c->standin);
}

std::string Messages(const Diagnostics& d) {
  std::string s;
  for (const auto& i : d.items()) s += i.ToString() + "\n";
  return s;
}

// Fail closed: JWT auth without issuers and audiences would accept a token the
// identity provider minted for any other application.
TEST(GatewayConfigTest, JwtWithoutIssuersOrAudiencesIsRefused) {
  for (const char* auth : {
           "{jwks: https://idp.t.ai/jwks.json}",
           "{jwks: https://idp.t.ai/jwks.json, jwt: {issuers: [https://idp.t.ai]}}",
           "{jwks: https://idp.t.ai/jwks.json, jwt: {audiences: [rampart]}}",
       }) {
    estate::Estate e = LoadTestEstate(std::string("\ngateway:\n  auth: ") + auth + "\n");
    Diagnostics d;
    auto c = LoadGatewayConfig(e, "var", "0.0.0.0", &d);
    ASSERT_FALSE(c.has_value()) << auth;
    std::string codes = Codes(d);
    std::string all = Messages(d);
    EXPECT_NE(codes.find("gateway.jwt-trust@30"), std::string::npos) << codes;
    EXPECT_NE(all.find("estate.yaml:30"), std::string::npos) << all;
    const bool has_issuers = std::string(auth).find("issuers") != std::string::npos;
    const bool has_audiences = std::string(auth).find("audiences") != std::string::npos;
    EXPECT_EQ(all.find("auth.jwt.issuers is empty") != std::string::npos, !has_issuers) << all;
    EXPECT_EQ(all.find("auth.jwt.audiences is empty") != std::string::npos, !has_audiences) << all;
    // The message says what to do.
    if (!has_issuers) EXPECT_NE(all.find("allow_any_issuer: true"), std::string::npos) << all;
    if (!has_audiences) EXPECT_NE(all.find("allow_any_audience: true"), std::string::npos) << all;
  }
}

TEST(GatewayConfigTest, JwtTrustOptOutsAreExplicitAndWarned) {
  estate::Estate e = LoadTestEstate(R"(
gateway:
  auth:
    jwks: https://idp.t.ai/jwks.json
    jwt: {allow_any_issuer: true, allow_any_audience: true, scope_roles: true}
)");
  Diagnostics d;
  auto c = LoadGatewayConfig(e, "var", "0.0.0.0", &d);
  ASSERT_TRUE(c.has_value()) << d.ToString();
  EXPECT_TRUE(c->auth.jwt.allow_any_issuer);
  EXPECT_TRUE(c->auth.jwt.allow_any_audience);
  EXPECT_TRUE(c->auth.jwt.scope_roles);
  EXPECT_EQ(d.error_count(), 0u);
  EXPECT_EQ(Codes(d), "gateway.jwt-trust-opt-out@32 gateway.jwt-trust-opt-out@32 ");

  // A list and its opt-out together are contradictory.
  estate::Estate both = LoadTestEstate(R"(
gateway:
  auth:
    jwks: https://idp.t.ai/jwks.json
    jwt: {issuers: [https://idp.t.ai], allow_any_issuer: true, audiences: [rampart]}
)");
  Diagnostics d2;
  ASSERT_FALSE(LoadGatewayConfig(both, "var", "0.0.0.0", &d2).has_value());
  EXPECT_NE(Messages(d2).find("issuers and auth.jwt.allow_any_issuer are both set"),
            std::string::npos)
      << Messages(d2);

  // Without auth.jwks, JWT auth is off and nothing is required.
  estate::Estate off = LoadTestEstate("\ngateway:\n  auth: {api_keys: true}\n");
  Diagnostics d3;
  EXPECT_TRUE(LoadGatewayConfig(off, "var", "0.0.0.0", &d3).has_value()) << d3.ToString();
}

TEST(GatewayConfigTest, JwksOnlyOverHttpsOrFromAFile) {
  struct Case {
    const char* jwks;
    const char* code;  // "" = accepted without a diagnostic
  };
  for (const Case& k : {
           Case{"https://idp.t.ai/jwks.json", ""},
           Case{"/etc/rampart/jwks.json", ""},
           Case{"file:///etc/rampart/jwks.json", ""},
           Case{"http://127.0.0.1:8080/jwks.json", "gateway.jwks-plain-http"},
           Case{"http://127.9.9.9/jwks.json", "gateway.jwks-plain-http"},
           Case{"http://localhost:8080/jwks.json", "gateway.jwks-plain-http"},
           Case{"http://[::1]:8080/jwks.json", "gateway.jwks-plain-http"},
           Case{"http://idp.t.ai/jwks.json", "gateway.jwks-url"},
           Case{"http://10.0.0.5/jwks.json", "gateway.jwks-url"},
           Case{"http://localhost.t.ai/jwks.json", "gateway.jwks-url"},
           Case{"ftp://idp.t.ai/jwks.json", "gateway.jwks-url"},
       }) {
    estate::Estate e = LoadTestEstate(std::string(R"(
gateway:
  auth:
    jwks: ")") + k.jwks + R"("
    jwt: {issuers: [https://idp.t.ai], audiences: [rampart]}
)");
    Diagnostics d;
    auto c = LoadGatewayConfig(e, "var", "0.0.0.0", &d);
    const std::string code = k.code;
    EXPECT_EQ(c.has_value(), code != "gateway.jwks-url") << k.jwks << "\n" << d.ToString();
    EXPECT_EQ(Codes(d), code.empty() ? "" : code + "@31 ") << k.jwks;
  }
  bool plain_http = true;
  EXPECT_TRUE(CheckJwksSource("https://idp.t.ai/jwks.json", &plain_http).ok());
  EXPECT_FALSE(plain_http);
  EXPECT_TRUE(CheckJwksSource("http://127.0.0.1:1/k", &plain_http).ok());
  EXPECT_TRUE(plain_http);
  Status s = CheckJwksSource("http://idp.t.ai/k");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("https://"), std::string::npos) << s.message();
}

TEST(GatewayConfigTest, DiagnosticsCarryFileLineAndHints) {
  estate::Estate e = LoadTestEstate(R"(
gateway:
  listen: nope
  upstreams:
    chatt: {url: "http://x:1"}
    vision: {url: "ftp://x"}
  rate_limits:
    identities: {frontnd: {requests_per_second: 1}}
    models: {chat-7B: {tokens_per_minute: 1}}
    defaults: {identity: {requests_per_second: -1}}
  access:
    - {identities: [frontent], models: [chat-8b], routes: [chats]}
    - {models: [chat-7b]}
  auth: {jwt: {algorithms: [HS256]}, mtls_dns: {a.b: ghost}}
  tls: {cert: c.pem}
  colour: blue
)");
  Diagnostics d;
  auto c = LoadGatewayConfig(e, "var", "0.0.0.0", &d);
  ASSERT_FALSE(c.has_value());
  std::string codes = Codes(d);
  std::string all = d.ToString();
  // The base estate is 27 lines; "gateway:" is line 29.
  EXPECT_NE(codes.find("gateway.listen@30"), std::string::npos) << codes;
  EXPECT_NE(codes.find("gateway.unknown-service@32"), std::string::npos) << codes;
  EXPECT_NE(codes.find("gateway.upstream-url@33"), std::string::npos) << codes;
  EXPECT_NE(codes.find("gateway.unknown-identity@35"), std::string::npos) << codes;
  EXPECT_NE(codes.find("gateway.unknown-model@36"), std::string::npos) << codes;
  EXPECT_NE(codes.find("gateway.range@37"), std::string::npos) << codes;
  EXPECT_NE(codes.find("gateway.unknown-identity@39"), std::string::npos) << codes;
  EXPECT_NE(codes.find("gateway.unknown-model@39"), std::string::npos) << codes;
  EXPECT_NE(codes.find("gateway.unknown-route@39"), std::string::npos) << codes;
  EXPECT_NE(codes.find("gateway.access-rule@40"), std::string::npos) << codes;
  EXPECT_NE(codes.find("gateway.jwt-algorithm@41"), std::string::npos) << codes;
  EXPECT_NE(codes.find("gateway.unknown-identity@41"), std::string::npos) << codes;
  EXPECT_NE(codes.find("gateway.unknown-field@43"), std::string::npos) << codes;  // colour
  EXPECT_NE(codes.find("gateway.missing@42"), std::string::npos) << codes;        // tls.key
  // "did you mean" hints for typos.
  EXPECT_NE(all.find("did you mean 'frontend'"), std::string::npos) << all;
  EXPECT_NE(all.find("did you mean 'chat'"), std::string::npos) << all;
  EXPECT_NE(all.find("did you mean 'chat-7b'"), std::string::npos) << all;
  EXPECT_NE(all.find("estate.yaml:"), std::string::npos) << all;
  // The error names the count.
  EXPECT_NE(c.error().message().find("error(s)"), std::string::npos);
}

TEST(GatewayConfigTest, UnknownRoleIsOnlyAWarning) {
  estate::Estate e = LoadTestEstate(R"(
gateway:
  access:
    - {roles: [idp-group], models: [chat-7b]}
)");
  Diagnostics d;
  auto c = LoadGatewayConfig(e, "var", "0.0.0.0", &d);
  ASSERT_TRUE(c.has_value()) << d.ToString();
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_EQ(d.items()[0].severity, Severity::kWarning);
  EXPECT_EQ(d.items()[0].code, "gateway.unknown-role");
}

TEST(GatewayConfigTest, RedisBackendNeedsUrl) {
  estate::Estate e = LoadTestEstate("\ngateway:\n  rate_limits: {backend: redis}\n");
  Diagnostics d;
  EXPECT_FALSE(LoadGatewayConfig(e, "var", "0.0.0.0", &d).has_value());
  EXPECT_NE(Codes(d).find("gateway.redis-url"), std::string::npos);
}

TEST(GatewayConfigTest, RedisDeadlineSlotTtlAndPendingBound) {
  estate::Estate e = LoadTestEstate(R"(
gateway:
  rate_limits:
    backend: redis
    redis: {url: "redis://127.0.0.1:6379", timeout_ms: 80, slot_ttl_s: 120, max_pending: 64}
)");
  Diagnostics d;
  auto c = LoadGatewayConfig(e, "var", "0.0.0.0", &d);
  ASSERT_TRUE(c.has_value()) << d.ToString();
  EXPECT_EQ(d.items().size(), 0u) << d.ToString();
  EXPECT_EQ(c->rate_limits.redis_timeout, std::chrono::milliseconds(80));
  EXPECT_EQ(c->rate_limits.redis_slot_ttl, std::chrono::seconds(120));
  EXPECT_EQ(c->rate_limits.redis_max_pending, 64u);

  // Defaults; the pool size of older configs is a warning, not an error.
  e = LoadTestEstate(R"(
gateway:
  rate_limits: {backend: redis, redis: {url: "redis://127.0.0.1:6379", connections: 4}}
)");
  Diagnostics d2;
  c = LoadGatewayConfig(e, "var", "0.0.0.0", &d2);
  ASSERT_TRUE(c.has_value()) << d2.ToString();
  EXPECT_EQ(c->rate_limits.redis_timeout, std::chrono::milliseconds(50));
  EXPECT_EQ(c->rate_limits.redis_slot_ttl, std::chrono::seconds(300));
  EXPECT_EQ(c->rate_limits.redis_max_pending, 1024u);
  ASSERT_EQ(d2.items().size(), 1u) << d2.ToString();
  EXPECT_EQ(d2.items()[0].severity, Severity::kWarning);
  EXPECT_EQ(d2.items()[0].code, "gateway.redis-connections");

  // A slot that never expires is refused.
  e = LoadTestEstate(R"(
gateway:
  rate_limits: {backend: redis, redis: {url: "redis://127.0.0.1:6379", slot_ttl_s: 0}}
)");
  Diagnostics d3;
  EXPECT_FALSE(LoadGatewayConfig(e, "var", "0.0.0.0", &d3).has_value());
  EXPECT_NE(d3.ToString().find("slot_ttl_s"), std::string::npos) << d3.ToString();
}

TEST(GatewayConfigTest, UpstreamUrls) {
  UpstreamConfig u;
  ASSERT_TRUE(ParseUpstreamUrl("http://[::1]:8000/v", &u).ok());
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 8000);
  EXPECT_EQ(u.base_path, "/v");
  ASSERT_TRUE(ParseUpstreamUrl("https://h", &u).ok());
  EXPECT_EQ(u.port, 443);
  EXPECT_FALSE(ParseUpstreamUrl("http://", &u).ok());
  EXPECT_FALSE(ParseUpstreamUrl("http://h:0", &u).ok());
  EXPECT_FALSE(ParseUpstreamUrl("http://h:99999", &u).ok());
  EXPECT_FALSE(ParseUpstreamUrl("http://user@h", &u).ok());
  EXPECT_FALSE(ParseUpstreamUrl("http://h/?q", &u).ok());
  EXPECT_FALSE(ParseUpstreamUrl("h:80", &u).ok());
}

// The example in docs/formats/gateway-config.md must load without a
// diagnostic against the example estate it is written for.
TEST(GatewayConfigTest, FormatDocExampleValidates) {
  std::ifstream in("docs/formats/gateway-config.md");
  ASSERT_TRUE(in) << "run from the source tree";
  std::stringstream ss;
  ss << in.rdbuf();
  std::string doc = ss.str();
  auto start = doc.find("```yaml\ngateway:");
  ASSERT_NE(start, std::string::npos);
  start += 8;
  auto end = doc.find("```", start);
  std::string section = doc.substr(start, end - start);
  // The example is written for examples/estate.yaml: replace its section.
  std::ifstream ein("examples/estate.yaml");
  ASSERT_TRUE(ein);
  std::stringstream es;
  es << ein.rdbuf();
  std::string estate_text = es.str();
  auto g = estate_text.find("\ngateway:");
  ASSERT_NE(g, std::string::npos) << "examples/estate.yaml has a gateway: section";
  auto g_end = estate_text.find("\n# ", g + 1);
  std::string without = estate_text.substr(0, g + 1) +
                        (g_end == std::string::npos ? "" : estate_text.substr(g_end + 1));
  auto r = estate::LoadString(without + "\n" + section, "gateway-config.md");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ASSERT_FALSE(r->diagnostics.has_errors()) << r->diagnostics.ToString();
  Diagnostics d;
  auto c = LoadGatewayConfig(r->estate, "var", "0.0.0.0", &d);
  ASSERT_TRUE(c.has_value()) << d.ToString();
  EXPECT_EQ(d.items().size(), 0u) << d.ToString();
  EXPECT_FALSE(c->access.empty());
}

TEST(GatewayConfigTest, ExampleEstateSectionValidates) {
  std::vector<std::filesystem::path> files = {"examples/estate.yaml"};
  auto r = estate::LoadFiles(files);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ASSERT_FALSE(r->diagnostics.has_errors()) << r->diagnostics.ToString();
  ASSERT_NE(r->estate.FindSection("gateway"), nullptr);
  Diagnostics d;
  auto c = LoadGatewayConfig(r->estate, "var", "0.0.0.0", &d);
  ASSERT_TRUE(c.has_value()) << d.ToString();
  EXPECT_EQ(d.items().size(), 0u) << d.ToString();
}

}  // namespace
}  // namespace rampart::gateway
