#include "gateway/policy.h"

#include <gtest/gtest.h>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/json.h"
#include "gateway/jwks.h"
#include "policy_fixture.h"

namespace rampart::gateway {
namespace {

using testing::LoadTestEstate;

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'750'000'000));

constexpr char kSection[] = R"(
gateway:
  admin_roles: [inference-admin]
  auth:
    mtls_dns: {frontend.t.ai: frontend}
    jwt: {issuers: [https://idp.t.ai], audiences: [rampart]}
  access:
    - {name: chat, roles: [chat-user], models: [chat-7b, embed-1], routes: [chat, embeddings, models]}
    - {name: vision, identities: [vision-app], models: [resnet50], routes: [infer, model_metadata, model_ready, health]}
    - {name: ops, roles: [inference-admin], models: ["*"], routes: ["*", repository]}
    - {name: idp, roles: [idp-chat], models: [chat-70b], routes: [chat]}
    - {name: no-repo, identities: [frontend], models: [yolo], routes: ["*"]}
  rate_limits:
    defaults:
      identity: {requests_per_second: 5}
    identities:
      admin: {max_concurrent: 2}
    roles:
      vision-user: {requests_per_minute: 60}
    models:
      chat-7b: {tokens_per_minute: 1000}
)";

class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    estate_ = LoadTestEstate(kSection);
    Diagnostics d;
    auto c = LoadGatewayConfig(estate_, "var", "127.0.0.1", &d);
    ASSERT_TRUE(c.has_value()) << d.ToString();
    config_ = *c;
    auto keys = std::make_shared<KeyStore>();
    frontend_key_ = keys->Create("frontend", kNow)->key;
    admin_key_ = keys->Create("admin", kNow)->key;
    vision_key_ = keys->Create("vision-app", kNow)->key;
    nobody_key_ = keys->Create("nobody", kNow)->key;
    ghost_key_ = keys->Create("ghost", kNow)->key;  // identity not in the estate
    auto revoked = keys->Create("frontend", kNow);
    revoked_key_ = revoked->key;
    ASSERT_TRUE(keys->Revoke(revoked->id, kNow).ok());
    keys_ = keys;
    MakePolicy(nullptr);
  }

  void MakePolicy(const JwtVerifier* jwt) {
    auto p = Policy::Create(estate_, config_, keys_, jwt);
    ASSERT_TRUE(p.has_value()) << p.error().message();
    policy_ = *p;
  }

  HttpResult<Principal> Auth(std::string authorization, std::string api_key = "",
                             std::vector<std::string> sans = {}) {
    sans_ = std::move(sans);
    Credentials c;
    c.authorization = authorization;
    c.api_key = api_key;
    c.peer_sans = sans_;
    return policy_->Authenticate(c, kNow);
  }

  Principal As(const std::string& key) {
    auto p = Auth("Bearer " + key);
    EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().message);
    return p ? *p : Principal{};
  }

  // Status of authorizing `method target` with `model` (200 = allowed).
  int Status(const Principal& p, std::string_view method, std::string_view target,
             std::string_view model = "") {
    auto m = policy_->MatchRoute(method, target);
    if (!m) return m.error().http_status;
    auto t = policy_->Authorize(p, *m, model);
    return t ? 200 : t.error().http_status;
  }

  estate::Estate estate_;
  GatewayConfig config_;
  std::shared_ptr<const KeyStore> keys_;
  std::shared_ptr<const Policy> policy_;
  std::vector<std::string> sans_;
  std::string frontend_key_, admin_key_, vision_key_, nobody_key_, ghost_key_, revoked_key_;
};

TEST_F(PolicyTest, ApiKeyAuthentication) {
  auto p = Auth("Bearer " + frontend_key_);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->identity, "frontend");
  EXPECT_EQ(p->roles, std::vector<std::string>{"chat-user"});
  EXPECT_EQ(p->method, AuthMethod::kApiKey);
  EXPECT_EQ(p->credential_id.size(), 16u);
  EXPECT_EQ(ToString(p->method), "api_key");
  // x-api-key works the same; the scheme is case-insensitive.
  EXPECT_EQ(Auth("", frontend_key_)->identity, "frontend");
  EXPECT_EQ(Auth("bearer  " + frontend_key_)->identity, "frontend");
}

TEST_F(PolicyTest, Unauthenticated401Matrix) {
  struct Case {
    std::string authorization, api_key;
    std::vector<std::string> sans;
    const char* reason;
  };
  std::string wrong = frontend_key_;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  const Case cases[] = {
      {"", "", {}, "missing credentials"},
      {"Bearer " + wrong, "", {}, "unknown API key"},
      {"Bearer " + revoked_key_, "", {}, "revoked API key"},
      {"Bearer " + ghost_key_, "", {}, "not in the estate"},
      {"Basic dXNlcjpwYXNz", "", {}, "Bearer"},
      {"Bearer", "", {}, "Bearer"},
      {"Bearer ", "", {}, "Bearer"},
      {"", "not-a-key", {}, "malformed API key"},
      {"Bearer " + frontend_key_, frontend_key_, {}, "not both"},
      // No JWT verifier configured: a bearer that is not an API key is refused.
      {"Bearer eyJhbGciOiJFUzI1NiJ9.e30.sig", "", {}, "bearer tokens are not accepted"},
      // A bad explicit credential is not rescued by a good certificate.
      {"Bearer " + wrong, "", {"spiffe://t.ai/ns/a/sa/client"}, "unknown API key"},
      {"", "", {"spiffe://t.ai/ns/other"}, "client certificate"},
      {"", "", {"unknown.t.ai"}, "client certificate"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.authorization + " | " + c.api_key);
    auto p = Auth(c.authorization, c.api_key, c.sans);
    ASSERT_FALSE(p.has_value());
    EXPECT_EQ(p.error().http_status, 401);
    EXPECT_EQ(p.error().code, "unauthenticated");
    EXPECT_NE(p.error().message.find(c.reason), std::string::npos) << p.error().message;
  }
  Credentials dup;
  dup.authorization = "Bearer " + frontend_key_;
  dup.duplicated = true;
  EXPECT_EQ(policy_->Authenticate(dup, kNow).error().http_status, 401);
}

TEST_F(PolicyTest, MtlsIdentities) {
  auto p = Auth("", "", {"spiffe://t.ai/ns/a/sa/client"});
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->identity, "mesh-client");
  EXPECT_EQ(p->method, AuthMethod::kMtls);
  EXPECT_EQ(p->credential_id, "spiffe://t.ai/ns/a/sa/client");
  // A DNS SAN maps through auth.mtls_dns; the first SAN that maps wins.
  auto d = Auth("", "", {"other.t.ai", "frontend.t.ai"});
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_EQ(d->identity, "frontend");
  // mTLS turned off: certificates are ignored.
  config_.auth.mtls = false;
  MakePolicy(nullptr);
  EXPECT_EQ(Auth("", "", {"spiffe://t.ai/ns/a/sa/client"}).error().message, "missing credentials");
}

TEST_F(PolicyTest, ApiKeysCanBeDisabled) {
  config_.auth.api_keys = false;
  MakePolicy(nullptr);
  EXPECT_EQ(Auth("Bearer " + frontend_key_).error().message, "API keys are not accepted");
}

TEST_F(PolicyTest, Authorization403Matrix) {
  Principal frontend = As(frontend_key_);
  Principal vision = As(vision_key_);
  Principal admin = As(admin_key_);
  Principal nobody = As(nobody_key_);
  Principal mesh = *Auth("", "", {"spiffe://t.ai/ns/a/sa/client"});

  // frontend: chat-user role -> chat-7b/embed-1 on chat/embeddings/models.
  EXPECT_EQ(Status(frontend, "POST", "/v1/chat/completions", "chat-7b"), 200);
  EXPECT_EQ(Status(frontend, "POST", "/v1/embeddings", "embed-1"), 200);
  EXPECT_EQ(Status(frontend, "GET", "/v1/models"), 200);
  EXPECT_EQ(Status(frontend, "POST", "/v1/completions", "chat-7b"), 403);  // route not granted
  EXPECT_EQ(Status(frontend, "POST", "/v1/chat/completions", "chat-70b"), 403);
  EXPECT_EQ(Status(frontend, "POST", "/v1/chat/completions", "no-such-model"), 403);
  EXPECT_EQ(Status(frontend, "POST", "/v1/chat/completions", ""), 400);  // model_required
  EXPECT_EQ(Status(frontend, "POST", "/v2/models/resnet50/infer"), 403);
  // frontend also has yolo on "*" routes, which excludes the repository.
  EXPECT_EQ(Status(frontend, "POST", "/v2/models/yolo/infer"), 200);
  EXPECT_EQ(Status(frontend, "POST", "/v2/repository/models/yolo/load"), 403);
  // mesh-client (mTLS) has the chat-user role too.
  EXPECT_EQ(Status(mesh, "POST", "/v1/chat/completions", "chat-7b"), 200);
  EXPECT_EQ(Status(mesh, "POST", "/v2/models/yolo/infer"), 403);

  // vision-app: by identity, resnet50 only.
  EXPECT_EQ(Status(vision, "POST", "/v2/models/resnet50/infer"), 200);
  EXPECT_EQ(Status(vision, "POST", "/v2/models/resnet50/versions/2/infer"), 200);
  EXPECT_EQ(Status(vision, "GET", "/v2/models/resnet50/ready"), 200);
  EXPECT_EQ(Status(vision, "GET", "/v2/health/ready"), 200);
  EXPECT_EQ(Status(vision, "GET", "/v2"), 403);  // server_metadata not granted
  EXPECT_EQ(Status(vision, "POST", "/v2/models/yolo/infer"), 403);
  EXPECT_EQ(Status(vision, "POST", "/v1/chat/completions", "chat-7b"), 403);
  EXPECT_EQ(Status(vision, "POST", "/v2/repository/index"), 403);

  // nobody: no rule names it: default deny everywhere.
  for (auto [m, t, model] : std::vector<std::tuple<const char*, const char*, const char*>>{
           {"POST", "/v1/chat/completions", "chat-7b"},
           {"GET", "/v1/models", ""},
           {"GET", "/v2/health/live", ""},
           {"POST", "/v2/models/resnet50/infer", ""}}) {
    EXPECT_EQ(Status(nobody, m, t, model), 403) << t;
  }

  // admin: everything, including model management.
  EXPECT_EQ(Status(admin, "POST", "/v2/repository/index"), 200);
  EXPECT_EQ(Status(admin, "POST", "/v2/repository/models/yolo/load"), 200);
  EXPECT_EQ(Status(admin, "POST", "/v2/repository/models/resnet50/unload"), 200);
  EXPECT_EQ(Status(admin, "POST", "/v1/completions", "chat-70b"), 200);
  // "*" grants a model no service serves: 404, still without an upstream.
  EXPECT_EQ(Status(admin, "POST", "/v1/completions", "gpt-9"), 404);
  EXPECT_EQ(Status(admin, "POST", "/v2/repository/models/new-model/load"), 404);
}

TEST_F(PolicyTest, RepositoryRoutesNeedAnAdminRoleEvenWhenARuleGrantsThem) {
  // A rule that grants the repository to a non-admin role is not enough.
  config_.access.push_back(AccessRule{"bad", {"vision-app"}, {}, {"*"}, {"repository"}, {}});
  MakePolicy(nullptr);
  Principal vision = As(vision_key_);
  auto m = policy_->MatchRoute("POST", "/v2/repository/models/yolo/load");
  ASSERT_TRUE(m.has_value());
  auto t = policy_->Authorize(vision, *m, "");
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().http_status, 403);
  EXPECT_NE(t.error().message.find("admin role"), std::string::npos);
}

TEST_F(PolicyTest, TargetsNameTheServingService) {
  Principal admin = As(admin_key_);
  auto target = [&](std::string_view method, std::string_view path, std::string_view model) {
    auto m = policy_->MatchRoute(method, path);
    EXPECT_TRUE(m.has_value());
    auto t = policy_->Authorize(admin, *m, model);
    EXPECT_TRUE(t.has_value()) << t.error().message;
    return t ? std::string(t->service_name) : std::string("?");
  };
  EXPECT_EQ(target("POST", "/v1/chat/completions", "chat-7b"), "chat");
  EXPECT_EQ(target("POST", "/v1/chat/completions", "chat-70b"), "big-chat");
  EXPECT_EQ(target("POST", "/v2/models/yolo/infer", ""), "vision");
  EXPECT_EQ(target("GET", "/v2/health/live", ""), "vision");
  // GET /v1/models is answered by the gateway itself.
  auto m = policy_->MatchRoute("GET", "/v1/models");
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->route->local);
  auto t = policy_->Authorize(admin, *m, "");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->service, -1);
}

TEST_F(PolicyTest, ModelListShowsOnlyPermittedModels) {
  auto list = ParseJson(policy_->ModelListJson(As(frontend_key_)));
  ASSERT_TRUE(list.has_value());
  const auto& data = list->as_object().at("data").as_array();
  std::vector<std::string> ids;
  for (const auto& m : data) ids.emplace_back(m.as_object().at("id").as_string());
  EXPECT_EQ(ids, (std::vector<std::string>{"chat-7b", "embed-1"}));
  auto all = ParseJson(policy_->ModelListJson(As(admin_key_)));
  EXPECT_EQ(all->as_object().at("data").as_array().size(), 3u);
  auto none = ParseJson(policy_->ModelListJson(As(nobody_key_)));
  EXPECT_EQ(none->as_object().at("data").as_array().size(), 0u);
  EXPECT_EQ(none->as_object().at("object").as_string(), "list");
}

TEST_F(PolicyTest, LimitsFor) {
  auto frontend = policy_->LimitsFor(As(frontend_key_), "chat-7b");
  ASSERT_EQ(frontend.size(), 2u);
  EXPECT_EQ(frontend[0].first, (LimitKey{"identity", "frontend"}));
  EXPECT_DOUBLE_EQ(frontend[0].second.requests_per_second, 5);  // the default
  EXPECT_EQ(frontend[1].first, (LimitKey{"model", "chat-7b"}));
  EXPECT_EQ(frontend[1].second.tokens_per_minute, 1000u);
  // Identity spec beats role spec beats default; a model without a spec and
  // an empty default model spec add no key.
  auto admin = policy_->LimitsFor(As(admin_key_), "chat-70b");
  ASSERT_EQ(admin.size(), 1u);
  EXPECT_EQ(admin[0].second.max_concurrent, 2u);
  auto vision = policy_->LimitsFor(As(vision_key_), "resnet50");
  ASSERT_EQ(vision.size(), 1u);
  EXPECT_EQ(vision[0].second.requests_per_minute, 60);
  EXPECT_EQ(policy_->LimitsFor(As(vision_key_), "").size(), 1u);
}

// The gateway reuses one Principal and one key list from request to request:
// nothing of an earlier request may survive into the next one.
TEST_F(PolicyTest, ReusedPrincipalAndKeysHoldOnlyTheLatestRequest) {
  auto auth = [&](const std::string& key, Principal* into) {
    std::string header = key.empty() ? "" : "Bearer " + key;
    Credentials c;
    c.authorization = header;
    return policy_->Authenticate(c, kNow, into);
  };
  Principal p;
  ASSERT_FALSE(auth(admin_key_, &p).has_value());
  EXPECT_EQ(p.identity, "admin");
  ASSERT_FALSE(p.roles.empty());
  ASSERT_FALSE(auth(frontend_key_, &p).has_value());
  EXPECT_EQ(p.identity, "frontend");
  EXPECT_EQ(p.roles, std::vector<std::string>{"chat-user"});
  EXPECT_EQ(p.credential_id, As(frontend_key_).credential_id);
  // A refusal leaves nothing of the last principal behind.
  auto refused = auth("", &p);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->http_status, 401);
  EXPECT_EQ(p.identity, "");
  EXPECT_TRUE(p.roles.empty());
  EXPECT_EQ(p.credential_id, "");

  std::vector<std::pair<LimitKey, LimitSpec>> keys;
  policy_->LimitsFor(As(frontend_key_), "chat-7b", &keys);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].first, (LimitKey{"identity", "frontend"}));
  EXPECT_EQ(keys[1].first, (LimitKey{"model", "chat-7b"}));
  EXPECT_EQ(keys[1].second.tokens_per_minute, 1000u);
  policy_->LimitsFor(As(admin_key_), "chat-70b", &keys);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].first, (LimitKey{"identity", "admin"}));
  EXPECT_EQ(keys[0].second.max_concurrent, 2u);
}

// JWT principals, with tokens signed here by an Ed25519 key.
class PolicyJwtTest : public PolicyTest {
 protected:
  void SetUp() override {
    PolicyTest::SetUp();
    auto key = crypto::PrivateKey::Generate(crypto::KeyType::kEd25519);
    ASSERT_TRUE(key.has_value());
    key_ = std::make_unique<crypto::PrivateKey>(std::move(*key));
    auto raw = key_->public_key().RawEd25519();
    ASSERT_TRUE(raw.has_value());
    std::string jwks =
        R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1","alg":"EdDSA","use":"sig","x":")" +
        Base64UrlEncode(*raw) + "\"}]}";
    auto set = ParseJwks(jwks);
    ASSERT_TRUE(set.has_value()) << set.error().message();
    verifier_ = std::make_unique<JwtVerifier>(config_.auth.jwt, *set);
    MakePolicy(verifier_.get());
  }

  std::string Token(const json::object& claims) {
    std::string header = Base64UrlEncode(std::string(R"({"alg":"EdDSA","kid":"k1","typ":"JWT"})"));
    std::string payload = Base64UrlEncode(ToJson(claims));
    std::string signing_input = header + "." + payload;
    auto sig = key_->Sign(crypto::AsBytes(signing_input), crypto::SignatureFormat::kRaw);
    EXPECT_TRUE(sig.has_value());
    return signing_input + "." + Base64UrlEncode(*sig);
  }

  json::object Claims(std::string sub) {
    return json::object{{"sub", sub},
                        {"iss", "https://idp.t.ai"},
                        {"aud", "rampart"},
                        {"iat", 1'750'000'000 - 10},
                        {"exp", 1'750'000'000 + 300}};
  }

  std::unique_ptr<crypto::PrivateKey> key_;
  std::unique_ptr<JwtVerifier> verifier_;
};

TEST_F(PolicyJwtTest, SubjectMapsToEstateIdentityPlusTokenRoles) {
  json::object c = Claims("vision-app");
  c["roles"] = json::array{"idp-chat"};
  auto p = Auth("Bearer " + Token(c));
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->identity, "vision-app");
  EXPECT_EQ(p->method, AuthMethod::kJwt);
  EXPECT_EQ(p->roles, (std::vector<std::string>{"vision-user", "idp-chat"}));
  EXPECT_EQ(Status(*p, "POST", "/v2/models/resnet50/infer"), 200);
  EXPECT_EQ(Status(*p, "POST", "/v1/chat/completions", "chat-70b"), 200);  // via idp-chat
  EXPECT_EQ(Status(*p, "POST", "/v1/chat/completions", "chat-7b"), 403);
}

TEST_F(PolicyJwtTest, UnknownSubjects) {
  json::object c = Claims("alice@t.ai");
  c["roles"] = json::array{"idp-chat"};
  std::string token = Token(c);
  auto refused = Auth("Bearer " + token);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().http_status, 401);
  config_.auth.jwt_allow_unknown_subjects = true;
  MakePolicy(verifier_.get());
  auto p = Auth("Bearer " + token);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->identity, "jwt:alice@t.ai");
  EXPECT_FALSE(p->estate_identity);
  EXPECT_EQ(Status(*p, "POST", "/v1/chat/completions", "chat-70b"), 200);
  // A "jwt:" identity never matches identity rules, even one named like it.
  EXPECT_EQ(Status(*p, "POST", "/v2/models/resnet50/infer"), 403);
}

TEST_F(PolicyJwtTest, BadTokensAre401) {
  json::object expired = Claims("frontend");
  expired["exp"] = 1'750'000'000 - 3600;
  json::object wrong_aud = Claims("frontend");
  wrong_aud["aud"] = "other";
  json::object wrong_iss = Claims("frontend");
  wrong_iss["iss"] = "https://evil";
  for (const json::object& c : {expired, wrong_aud, wrong_iss}) {
    auto p = Auth("Bearer " + Token(c));
    ASSERT_FALSE(p.has_value());
    EXPECT_EQ(p.error().http_status, 401);
    EXPECT_FALSE(p.error().message.empty());
  }
  std::string good = Token(Claims("frontend"));
  std::string forged = good;
  forged[forged.size() - 5] = forged[forged.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Auth("Bearer " + forged).error().http_status, 401);
  EXPECT_TRUE(Auth("Bearer " + good).has_value());
}

}  // namespace
}  // namespace rampart::gateway
