// JWT verification, JWKS parsing and JWKS refresh (file and a real HTTP
// server on 127.0.0.1). Keys are generated and tokens signed here.
#include "gateway/jwt.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/json.h"
#include "gateway/jwks.h"
#include "testing/testing.h"

namespace rampart::gateway {
namespace {

using crypto::KeyType;
using crypto::PrivateKey;
using std::chrono::seconds;
using Clock = std::chrono::system_clock;

// A fixed "now" keeps the time checks exact.
const Clock::time_point kNow = Clock::time_point(seconds(1'800'000'000));
std::int64_t NowS() { return 1'800'000'000; }

struct TestKey {
  PrivateKey priv;
  std::string kid;
  std::string alg;
};

TestKey MakeKey(KeyType t, std::string kid) {
  auto k = PrivateKey::Generate(t);
  EXPECT_TRUE(k.has_value()) << k.error().ToString();
  std::string alg = t == KeyType::kRsa ? "RS256" : t == KeyType::kEcdsaP256 ? "ES256" : "EdDSA";
  return {std::move(*k), std::move(kid), alg};
}

std::string B64(std::span<const std::uint8_t> b) { return Base64UrlEncode(b); }
std::string B64(std::string_view s) { return Base64UrlEncode(s); }

std::string BnParam(EVP_PKEY* k, const char* name) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(k, name, &bn), 1);
  std::vector<std::uint8_t> out(static_cast<std::size_t>(BN_num_bytes(bn)));
  BN_bn2bin(bn, out.data());
  BN_free(bn);
  return B64(out);
}

json::object JwkOf(const TestKey& k, bool with_alg = true) {
  json::object o;
  EVP_PKEY* p = k.priv.get();
  switch (k.priv.type()) {
    case KeyType::kRsa:
      o["kty"] = "RSA";
      o["n"] = BnParam(p, OSSL_PKEY_PARAM_RSA_N);
      o["e"] = BnParam(p, OSSL_PKEY_PARAM_RSA_E);
      break;
    case KeyType::kEcdsaP256: {
      std::uint8_t pt[65];
      std::size_t len = 0;
      EXPECT_EQ(EVP_PKEY_get_octet_string_param(p, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt, &len),
                1);
      EXPECT_EQ(len, 65u);
      o["kty"] = "EC";
      o["crv"] = "P-256";
      o["x"] = B64(std::span<const std::uint8_t>(pt + 1, 32));
      o["y"] = B64(std::span<const std::uint8_t>(pt + 33, 32));
      break;
    }
    default:
      o["kty"] = "OKP";
      o["crv"] = "Ed25519";
      o["x"] = B64(*k.priv.public_key().RawEd25519());
  }
  if (!k.kid.empty()) o["kid"] = k.kid;
  o["use"] = "sig";
  if (with_alg) o["alg"] = k.alg;
  return o;
}

std::string JwksOf(std::initializer_list<const TestKey*> keys) {
  json::array a;
  for (const TestKey* k : keys) a.push_back(JwkOf(*k));
  json::object o;
  o["keys"] = std::move(a);
  return ToJson(o);
}

std::shared_ptr<const JwkSet> SetOf(std::initializer_list<const TestKey*> keys) {
  auto s = ParseJwks(JwksOf(keys));
  EXPECT_TRUE(s.has_value()) << s.error().ToString();
  return *s;
}

// Signs header.payload as given (raw JSON texts, so tests can send anything).
std::string SignRaw(const TestKey& k, std::string_view header, std::string_view payload) {
  std::string input = B64(header) + "." + B64(payload);
  auto sig = k.priv.Sign(crypto::AsBytes(input), crypto::SignatureFormat::kRaw,
                         crypto::HashAlgorithm::kSha256);
  EXPECT_TRUE(sig.has_value()) << sig.error().ToString();
  return input + "." + B64(*sig);
}

json::object Claims() {
  json::object c;
  c["iss"] = "https://idp.example";
  c["aud"] = "rampart";
  c["sub"] = "chat-frontend";
  c["exp"] = NowS() + 600;
  c["iat"] = NowS() - 10;
  c["roles"] = json::array{"inference", "reader"};
  return c;
}

std::string Sign(const TestKey& k, const json::object& claims, json::object header = {}) {
  if (!header.contains("alg")) header["alg"] = k.alg;
  if (!header.contains("kid") && !k.kid.empty()) header["kid"] = k.kid;
  return SignRaw(k, ToJson(header), ToJson(claims));
}

JwtPolicy Policy() {
  JwtPolicy p;
  p.issuers = {"https://idp.example"};
  p.audiences = {"rampart"};
  return p;
}

void ExpectRejected(const Result<JwtPrincipal>& r, std::string_view reason) {
  ASSERT_FALSE(r.has_value()) << "accepted, wanted: " << reason;
  EXPECT_EQ(r.error().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(r.error().message(), reason);
}

class JwtTest : public ::testing::Test {
 protected:
  JwtTest()
      : rsa_(MakeKey(KeyType::kRsa, "rsa-1")),
        ec_(MakeKey(KeyType::kEcdsaP256, "ec-1")),
        ed_(MakeKey(KeyType::kEd25519, "ed-1")),
        verifier_(Policy(), SetOf({&rsa_, &ec_, &ed_})) {}

  Result<JwtPrincipal> V(std::string_view t, Clock::time_point now = kNow) {
    return verifier_.Verify(t, now);
  }

  TestKey rsa_, ec_, ed_;
  JwtVerifier verifier_;
};

// ---- Acceptance per algorithm -------------------------------------------------

TEST_F(JwtTest, AcceptsEachAlgorithm) {
  for (const TestKey* k : {&rsa_, &ec_, &ed_}) {
    auto p = V(Sign(*k, Claims()));
    ASSERT_TRUE(p.has_value()) << k->alg << ": " << p.error().ToString();
    EXPECT_EQ(p->subject, "chat-frontend");
    EXPECT_EQ(p->issuer, "https://idp.example");
    EXPECT_EQ(p->roles, (std::vector<std::string>{"inference", "reader"}));
    EXPECT_EQ(p->expires, kNow + seconds(600));
  }
}

// Fail closed: OAuth scopes are often consented by the user, so "scope" never
// grants roles (such as the admin role of the repository routes) unless the
// policy asks for it.
TEST_F(JwtTest, ScopeIsNotARoleSourceByDefault) {
  auto c = Claims();
  c["scope"] = "models:read  inference admin";
  auto p = V(Sign(ed_, c));
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->roles, (std::vector<std::string>{"inference", "reader"}));
  // Nor is a malformed scope an error when it is not read.
  c["scope"] = json::array{"admin"};
  p = V(Sign(ed_, c));
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->roles, (std::vector<std::string>{"inference", "reader"}));
}

TEST_F(JwtTest, RolesFromClaimAndScope) {
  JwtPolicy with_scope = Policy();
  with_scope.scope_roles = true;
  JwtVerifier sv(with_scope, SetOf({&ed_}));
  auto c = Claims();
  c["scope"] = "models:read  inference admin";
  auto p = sv.Verify(Sign(ed_, c), kNow);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->roles, (std::vector<std::string>{"inference", "reader", "models:read", "admin"}));

  JwtPolicy pol = Policy();
  pol.roles_claim = "groups";
  pol.scope_roles = true;
  JwtVerifier v(pol, SetOf({&ed_}));
  c["groups"] = json::array{"ops"};
  p = v.Verify(Sign(ed_, c), kNow);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->roles, (std::vector<std::string>{"ops", "models:read", "inference", "admin"}));

  // Naming "scope" as the roles claim is asking for it too.
  JwtPolicy scope_claim = Policy();
  scope_claim.roles_claim = "scope";
  JwtVerifier scv(scope_claim, SetOf({&ed_}));
  p = scv.Verify(Sign(ed_, c), kNow);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->roles, (std::vector<std::string>{"models:read", "inference", "admin"}));

  c = Claims();
  c["roles"] = "inference";  // must be an array
  ExpectRejected(V(Sign(ed_, c)), "invalid roles claim");
  c["roles"] = json::array{"a", 1};
  ExpectRejected(V(Sign(ed_, c)), "invalid roles claim");
  c = Claims();
  c["scope"] = json::array{"a"};
  ExpectRejected(sv.Verify(Sign(ed_, c), kNow), "invalid \"scope\" claim");
}

TEST_F(JwtTest, TypHeader) {
  for (const char* typ : {"JWT", "jwt", "at+jwt", "application/at+JWT"}) {
    json::object h;
    h["typ"] = typ;
    EXPECT_TRUE(V(Sign(ec_, Claims(), h)).has_value()) << typ;
  }
  json::object h;
  h["typ"] = "dpop+jwt";
  ExpectRejected(V(Sign(ec_, Claims(), h)), "token type not accepted");
}

// ---- Time claims ----------------------------------------------------------------

TEST_F(JwtTest, ExpiryWithSkewEdges) {
  auto c = Claims();
  c["exp"] = NowS() - 100;
  ExpectRejected(V(Sign(rsa_, c)), "token expired");
  // Policy skew is 60 s: valid until exp + 60 s, exclusive.
  c["exp"] = NowS() - 59;
  EXPECT_TRUE(V(Sign(rsa_, c)).has_value());
  c["exp"] = NowS() - 60;
  ExpectRejected(V(Sign(rsa_, c)), "token expired");
  // Fractional NumericDate.
  c["exp"] = static_cast<double>(NowS() - 60) + 0.5;
  EXPECT_TRUE(V(Sign(rsa_, c)).has_value());
  EXPECT_FALSE(V(Sign(rsa_, c), kNow + std::chrono::milliseconds(500)).has_value());
}

TEST_F(JwtTest, ZeroSkewAndSkewCap) {
  JwtPolicy pol = Policy();
  pol.max_clock_skew = seconds(0);
  JwtVerifier strict(pol, SetOf({&ed_}));
  auto c = Claims();
  c["exp"] = NowS();
  ExpectRejected(strict.Verify(Sign(ed_, c), kNow), "token expired");
  EXPECT_TRUE(strict.Verify(Sign(ed_, c), kNow - seconds(1)).has_value());

  // An absurd skew is capped at one hour.
  pol.max_clock_skew = seconds(86400);
  JwtVerifier lax(pol, SetOf({&ed_}));
  c["exp"] = NowS() - 3599;
  EXPECT_TRUE(lax.Verify(Sign(ed_, c), kNow).has_value());
  c["exp"] = NowS() - 3601;
  ExpectRejected(lax.Verify(Sign(ed_, c), kNow), "token expired");
}

TEST_F(JwtTest, MissingOrInvalidExp) {
  auto c = Claims();
  c.erase("exp");
  ExpectRejected(V(Sign(ec_, c)), "token has no expiry");
  c["exp"] = "1800000600";
  ExpectRejected(V(Sign(ec_, c)), "invalid \"exp\" claim");
  c["exp"] = -5;
  ExpectRejected(V(Sign(ec_, c)), "invalid \"exp\" claim");
  c["exp"] = 1e300;
  ExpectRejected(V(Sign(ec_, c)), "invalid \"exp\" claim");
  // Beyond what system_clock holds (year 2262): refused, not overflowed.
  c["exp"] = 21'700'000'000LL;
  ExpectRejected(V(Sign(ec_, c)), "invalid \"exp\" claim");
  c["exp"] = 9'000'000'000LL;  // year 2255: fine
  EXPECT_TRUE(V(Sign(ec_, c)).has_value());
}

TEST_F(JwtTest, NotBeforeAndIssuedAt) {
  auto c = Claims();
  c["nbf"] = NowS() + 120;
  ExpectRejected(V(Sign(ed_, c)), "token not yet valid");
  c["nbf"] = NowS() + 60;  // within skew
  EXPECT_TRUE(V(Sign(ed_, c)).has_value());
  c["nbf"] = NowS() + 61;
  ExpectRejected(V(Sign(ed_, c)), "token not yet valid");
  c = Claims();
  c["iat"] = NowS() + 3600;
  ExpectRejected(V(Sign(ed_, c)), "token issued in the future");
  c["iat"] = true;
  ExpectRejected(V(Sign(ed_, c)), "invalid \"iat\" claim");
}

// ---- Issuer, audience, subject -----------------------------------------------------

TEST_F(JwtTest, IssuerAndAudience) {
  auto c = Claims();
  c["iss"] = "https://evil.example";
  ExpectRejected(V(Sign(ec_, c)), "issuer not accepted");
  c.erase("iss");
  ExpectRejected(V(Sign(ec_, c)), "issuer not accepted");
  c["iss"] = 7;
  ExpectRejected(V(Sign(ec_, c)), "invalid \"iss\" claim");

  c = Claims();
  c["aud"] = "other";
  ExpectRejected(V(Sign(ec_, c)), "audience not accepted");
  c["aud"] = json::array{"other", "rampart"};
  EXPECT_TRUE(V(Sign(ec_, c)).has_value());
  c["aud"] = json::array{"other"};
  ExpectRejected(V(Sign(ec_, c)), "audience not accepted");
  c["aud"] = json::array{"rampart", 3};
  ExpectRejected(V(Sign(ec_, c)), "invalid \"aud\" claim");
  c.erase("aud");
  ExpectRejected(V(Sign(ec_, c)), "audience not accepted");

  // Fail closed: an empty policy accepts no issuer and no audience...
  c["aud"] = "rampart";
  c["iss"] = "https://whoever";
  JwtVerifier none(JwtPolicy{}, SetOf({&ec_}));
  ExpectRejected(none.Verify(Sign(ec_, c), kNow), "issuer not accepted");
  JwtPolicy any_issuer;
  any_issuer.allow_any_issuer = true;
  ExpectRejected(JwtVerifier(any_issuer, SetOf({&ec_})).Verify(Sign(ec_, c), kNow),
                 "audience not accepted");
  // ...unless it opts out of both checks by name.
  JwtPolicy any;
  any.allow_any_issuer = true;
  any.allow_any_audience = true;
  auto p = JwtVerifier(any, SetOf({&ec_})).Verify(Sign(ec_, c), kNow);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->issuer, "https://whoever");
  // A listed issuer or audience is checked even with the opt-out set.
  any.issuers = {"https://idp.example"};
  any.audiences = {"other-app"};
  ExpectRejected(JwtVerifier(any, SetOf({&ec_})).Verify(Sign(ec_, c), kNow), "issuer not accepted");
  c["iss"] = "https://idp.example";
  ExpectRejected(JwtVerifier(any, SetOf({&ec_})).Verify(Sign(ec_, c), kNow),
                 "audience not accepted");
}

TEST_F(JwtTest, SubjectRequired) {
  auto c = Claims();
  c.erase("sub");
  ExpectRejected(V(Sign(ed_, c)), "token has no subject");
  c["sub"] = "";
  ExpectRejected(V(Sign(ed_, c)), "token has no subject");
}

// ---- Forgery and algorithm confusion ------------------------------------------------

TEST_F(JwtTest, ForgedSignatures) {
  for (const TestKey* k : {&rsa_, &ec_, &ed_}) {
    std::string t = Sign(*k, Claims());
    // Swap the payload for one granting more, keeping the signature.
    auto c = Claims();
    c["roles"] = json::array{"admin"};
    std::size_t d1 = t.find('.'), d2 = t.rfind('.');
    std::string forged = t.substr(0, d1 + 1) + B64(ToJson(c)) + t.substr(d2);
    ExpectRejected(V(forged), "bad signature");
    // Flip one signature bit (in a full 6-bit character, not the tail).
    std::string flipped = t;
    char& ch = flipped[d2 + 5];
    ch = ch == 'A' ? 'B' : 'A';
    ExpectRejected(V(flipped), "bad signature");
    // A signature of the wrong length.
    ExpectRejected(V(t.substr(0, d2 + 1) + "AAAA"), "bad signature");
  }
  // Signed by a key that is not in the set but claims its kid.
  TestKey impostor = MakeKey(KeyType::kEd25519, "ed-1");
  ExpectRejected(V(Sign(impostor, Claims())), "bad signature");
}

TEST_F(JwtTest, AlgNoneAndHmacRefused) {
  std::string payload = B64(ToJson(Claims()));
  ExpectRejected(V(B64(R"({"alg":"none"})") + "." + payload + "."), "algorithm not allowed");
  ExpectRejected(V(B64(R"({"alg":"none","kid":"ed-1"})") + "." + payload + ".AAAA"),
                 "algorithm not allowed");
  ExpectRejected(V(B64(R"({"alg":"None","kid":"ed-1"})") + "." + payload + ".AAAA"),
                 "algorithm not allowed");
  // HS256 keyed with the public key's bytes: the classic confusion forgery.
  for (const TestKey* k : {&rsa_, &ec_, &ed_}) {
    auto pem = k->priv.public_key().ToPem();
    ASSERT_TRUE(pem.has_value());
    std::string input = B64(R"({"alg":"HS256","kid":")" + k->kid + "\"}") + "." + payload;
    auto mac =
        crypto::Hmac(crypto::HashAlgorithm::kSha256, crypto::AsBytes(*pem), crypto::AsBytes(input));
    ExpectRejected(V(input + "." + B64(mac)), "algorithm not allowed");
  }
  // Even if a policy lists them.
  JwtPolicy pol = Policy();
  pol.algorithms = {"HS256", "none", "RS256"};
  JwtVerifier v(pol, SetOf({&rsa_}));
  ExpectRejected(v.Verify(B64(R"({"alg":"HS256"})") + "." + payload + ".AAAA", kNow),
                 "algorithm not allowed");
  EXPECT_TRUE(v.Verify(Sign(rsa_, Claims()), kNow).has_value());
}

TEST_F(JwtTest, AlgorithmMustMatchKey) {
  // RS256 header naming the EC key (signed with the EC key, any way it likes).
  json::object h;
  h["alg"] = "RS256";
  h["kid"] = "ec-1";
  ExpectRejected(V(Sign(ec_, Claims(), h)), "algorithm does not match key");
  h["alg"] = "ES256";
  h["kid"] = "ed-1";
  ExpectRejected(V(Sign(ed_, Claims(), h)), "algorithm does not match key");
  h["alg"] = "EdDSA";
  h["kid"] = "rsa-1";
  ExpectRejected(V(Sign(rsa_, Claims(), h)), "algorithm does not match key");
  // A JWKS that infers alg (no "alg" member) still binds each key to one alg.
  json::object set;
  set["keys"] = json::array{JwkOf(ec_, /*with_alg=*/false)};
  auto keys = ParseJwks(ToJson(set));
  ASSERT_TRUE(keys.has_value()) << keys.error().ToString();
  JwtVerifier v(Policy(), *keys);
  EXPECT_TRUE(v.Verify(Sign(ec_, Claims()), kNow).has_value());
  h["alg"] = "RS256";
  h["kid"] = "ec-1";
  ExpectRejected(v.Verify(Sign(ec_, Claims(), h), kNow), "algorithm does not match key");
}

TEST_F(JwtTest, PolicyRestrictsAlgorithms) {
  JwtPolicy pol = Policy();
  pol.algorithms = {"EdDSA"};
  JwtVerifier v(pol, SetOf({&rsa_, &ed_}));
  EXPECT_TRUE(v.Verify(Sign(ed_, Claims()), kNow).has_value());
  ExpectRejected(v.Verify(Sign(rsa_, Claims()), kNow), "algorithm not allowed");
  ExpectRejected(V(Sign(ed_, Claims(), json::object{{"alg", "RS512"}})), "algorithm not allowed");
}

TEST_F(JwtTest, CritHeaderRefused) {
  json::object h;
  h["crit"] = json::array{"exp"};
  ExpectRejected(V(Sign(ec_, Claims(), h)), "unsupported critical header");
}

// ---- Keys and kid ------------------------------------------------------------------

TEST_F(JwtTest, UnknownKidCallsHook) {
  int calls = 0;
  verifier_.SetUnknownKidHook([&] { ++calls; });
  TestKey other = MakeKey(KeyType::kEd25519, "ed-2");
  ExpectRejected(V(Sign(other, Claims())), "unknown kid");
  EXPECT_EQ(calls, 1);
  // No kid with several keys: nothing to look up, nothing to refresh.
  json::object h;
  h["kid"] = nullptr;
  ExpectRejected(V(SignRaw(ed_, R"({"alg":"EdDSA"})", ToJson(Claims()))), "token has no kid");
  EXPECT_EQ(calls, 1);
  ExpectRejected(V(SignRaw(ed_, R"({"alg":"EdDSA","kid":7})", ToJson(Claims()))),
                 "malformed token: \"kid\" is not a string");

  // Rotation: the new key is accepted once the set holds it.
  verifier_.SetKeys(SetOf({&ed_, &other}));
  EXPECT_TRUE(V(Sign(other, Claims())).has_value());
  ExpectRejected(V(Sign(rsa_, Claims())), "unknown kid");
  EXPECT_EQ(calls, 2);
}

TEST_F(JwtTest, OneKeySetWithoutKid) {
  TestKey k = MakeKey(KeyType::kEd25519, "");
  JwtVerifier v(Policy(), SetOf({&k}));
  EXPECT_TRUE(v.Verify(Sign(k, Claims()), kNow).has_value());
  JwtVerifier none(Policy(), nullptr);
  ExpectRejected(none.Verify(Sign(k, Claims()), kNow), "token has no kid");
}

// ---- Malformed input ----------------------------------------------------------------

TEST_F(JwtTest, MalformedTokens) {
  std::string good = Sign(ed_, Claims());
  std::size_t d1 = good.find('.'), d2 = good.rfind('.');
  const std::string parts = "malformed token: expected three dot-separated parts";
  ExpectRejected(V(""), parts);
  ExpectRejected(V("abc"), parts);
  ExpectRejected(V(good.substr(0, d2)), parts);
  ExpectRejected(V(good + ".x"), parts);
  ExpectRejected(V(good + "."), parts);
  ExpectRejected(V("=" + good), "malformed token: header is not base64url");
  ExpectRejected(V(good.substr(0, d1) + "=" + good.substr(d1)),
                 "malformed token: header is not base64url");
  ExpectRejected(V(good + "="), "malformed token: signature is not base64url");
  ExpectRejected(V(good.substr(0, d2 + 1) + "+" + good.substr(d2 + 2)),
                 "malformed token: signature is not base64url");
  ExpectRejected(V(" " + good), "malformed token: header is not base64url");
  ExpectRejected(V(".."), "malformed token: header is not base64url");
  // Header decodes but is not a JSON object / has no alg / repeats a member.
  const std::string rest = good.substr(d1);
  ExpectRejected(V(B64("not json") + rest), "malformed token: header is not a JSON object");
  ExpectRejected(V(B64(R"(["alg"])") + rest), "malformed token: header is not a JSON object");
  ExpectRejected(V(B64(R"({"kid":"ed-1"})") + rest), "malformed token: header has no \"alg\"");
  ExpectRejected(V(B64(R"({"alg":"EdDSA","alg":"none"})") + rest),
                 "malformed token: header is not a JSON object");
  // Properly signed, but the claims are not a JSON object (or repeat a member).
  ExpectRejected(V(SignRaw(ed_, R"({"alg":"EdDSA","kid":"ed-1"})", "[1]")),
                 "malformed token: claims are not a JSON object");
  ExpectRejected(V(SignRaw(ed_, R"({"alg":"EdDSA","kid":"ed-1"})",
                           R"({"sub":"a","sub":"admin","exp":1900000000})")),
                 "malformed token: claims are not a JSON object");
  // Non-canonical base64url: a final character with non-zero unused bits.
  std::string sig = good.substr(d2 + 1);
  ASSERT_EQ(sig.size(), 86u);  // 64 bytes -> 85.33 chars: 4 spare bits in the last
  std::string tail = good;
  tail.back() = tail.back() == 'A' ? 'B' : static_cast<char>(tail.back() + 1);
  ExpectRejected(V(tail), "malformed token: signature is not base64url");
}

TEST_F(JwtTest, OversizeTokenRefusedBeforeParsing) {
  auto c = Claims();
  c["pad"] = std::string(12100, 'x');
  std::string big = Sign(ed_, c);
  ASSERT_GT(big.size(), 16384u);
  ExpectRejected(V(big), "token too large");
  c["pad"] = std::string(11000, 'x');
  std::string fits = Sign(ed_, c);
  ASSERT_LE(fits.size(), 16384u);
  EXPECT_TRUE(V(fits).has_value());
}

// RFC 8037 Appendix A.4: an Ed25519 JWS over the payload "Example of Ed25519
// signing". The signature must verify; the payload is not a claims set, so the
// verifier gets exactly as far as the claims.
TEST(JwtRfcVectorTest, Rfc8037Ed25519Signature) {
  auto keys = ParseJwks(
      R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})");
  ASSERT_TRUE(keys.has_value()) << keys.error().ToString();
  JwtVerifier v(JwtPolicy{}, *keys);
  const std::string jws =
      "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
      "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
  ExpectRejected(v.Verify(jws, kNow), "malformed token: claims are not a JSON object");
  std::string altered = jws;
  altered[40] = altered[40] == 'A' ? 'B' : 'A';  // inside the payload
  ExpectRejected(v.Verify(altered, kNow), "bad signature");
  // The same key with its private part (RFC 8037 A.1) never belongs in a JWKS.
  auto priv = ParseJwks(
      R"({"keys":[{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})");
  ASSERT_FALSE(priv.has_value());
  EXPECT_NE(priv.error().message().find("private key member \"d\""), std::string::npos)
      << priv.error().message();
}

// ---- JWKS parsing --------------------------------------------------------------------

std::string JwksError(const json::value& keys) {
  json::object o;
  o["keys"] = keys;
  auto r = ParseJwks(ToJson(o));
  EXPECT_FALSE(r.has_value()) << ToJson(o);
  return r.has_value() ? "" : r.error().message();
}

bool Has(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

TEST(JwksTest, ParsesEachKeyTypeAndInfersAlg) {
  TestKey rsa = MakeKey(KeyType::kRsa, "r"), ec = MakeKey(KeyType::kEcdsaP256, "e"),
          ed = MakeKey(KeyType::kEd25519, "d");
  json::object set;
  set["keys"] = json::array{JwkOf(rsa, false), JwkOf(ec, false), JwkOf(ed, false)};
  auto keys = ParseJwks(ToJson(set));
  ASSERT_TRUE(keys.has_value()) << keys.error().ToString();
  ASSERT_EQ((*keys)->size(), 3u);
  EXPECT_EQ((*keys)->Find("r")->alg, "RS256");
  EXPECT_EQ((*keys)->Find("r")->key.type(), KeyType::kRsa);
  EXPECT_EQ((*keys)->Find("e")->alg, "ES256");
  EXPECT_EQ((*keys)->Find("d")->alg, "EdDSA");
  EXPECT_EQ((*keys)->Find("x"), nullptr);
  EXPECT_EQ((*keys)->Find(""), nullptr);  // several keys: no default
}

TEST(JwksTest, RefusesBadKeysNamingThem) {
  TestKey rsa = MakeKey(KeyType::kRsa, "r"), ec = MakeKey(KeyType::kEcdsaP256, "e"),
          ed = MakeKey(KeyType::kEd25519, "d");
  json::object good = JwkOf(ed);

  json::object k = JwkOf(ec);
  k["kty"] = "oct";
  std::string e = JwksError(json::array{good, k});
  EXPECT_TRUE(Has(e, "JWKS key 1 (kid \"e\")")) << e;
  EXPECT_TRUE(Has(e, "\"kty\" \"oct\" is not supported")) << e;

  k = JwkOf(rsa);
  k["use"] = "enc";
  e = JwksError(json::array{k});
  EXPECT_TRUE(Has(e, "JWKS key 0 (kid \"r\")") && Has(e, "\"use\" is \"enc\"")) << e;

  k = JwkOf(rsa);
  k["key_ops"] = json::array{"encrypt"};
  e = JwksError(json::array{k});
  EXPECT_TRUE(Has(e, "does not include \"verify\"")) << e;

  k = JwkOf(rsa);
  k["alg"] = "RS512";
  e = JwksError(json::array{k});
  EXPECT_TRUE(Has(e, "\"alg\" \"RS512\" does not fit a RSA key")) << e;

  k = JwkOf(ec);
  k["alg"] = "RS256";
  e = JwksError(json::array{k});
  EXPECT_TRUE(Has(e, "does not fit a EC key")) << e;

  k = JwkOf(ec);
  k["crv"] = "P-384";
  e = JwksError(json::array{k});
  EXPECT_TRUE(Has(e, "EC curve \"P-384\" is not supported")) << e;

  k = JwkOf(ec);
  k["x"] = B64(std::string(31, 'a'));
  e = JwksError(json::array{k});
  EXPECT_TRUE(Has(e, "JWKS key 0 (kid \"e\")")) << e;

  k = JwkOf(ec);
  std::string x(k["x"].as_string());
  k["y"] = x;  // a point that is not on the curve (with overwhelming probability)
  e = JwksError(json::array{k});
  EXPECT_TRUE(Has(e, "JWKS key 0")) << e;

  k = JwkOf(ed);
  k["crv"] = "X25519";
  e = JwksError(json::array{k});
  EXPECT_TRUE(Has(e, "OKP curve \"X25519\" is not supported")) << e;

  k = JwkOf(ed);
  k["x"] = B64(std::string(33, 'a'));
  e = JwksError(json::array{k});
  EXPECT_TRUE(Has(e, "Ed25519 \"x\" must be 32 bytes, got 33")) << e;

  k = JwkOf(rsa);
  k["n"] = std::string(k["n"].as_string()) + "=";
  e = JwksError(json::array{k});
  EXPECT_TRUE(Has(e, "\"n\" must be base64url without padding")) << e;

  k = JwkOf(rsa);
  k["e"] = "AQ+B";
  e = JwksError(json::array{k});
  EXPECT_TRUE(Has(e, "\"e\"")) << e;

  k = JwkOf(rsa);
  k["d"] = "AQAB";
  e = JwksError(json::array{k});
  EXPECT_TRUE(Has(e, "private key member \"d\"")) << e;

  k = JwkOf(rsa);
  k.erase("n");
  e = JwksError(json::array{k});
  EXPECT_TRUE(Has(e, "JWKS key 0 (kid \"r\")") && Has(e, "n")) << e;

  k = JwkOf(ed);
  k.erase("kty");
  e = JwksError(json::array{good, good});
  EXPECT_TRUE(Has(e, "JWKS keys 0 and 1 share kid \"d\"")) << e;
  json::object a = JwkOf(ed), b = JwkOf(ec);
  a.erase("kid");
  b.erase("kid");
  e = JwksError(json::array{a, b});
  EXPECT_TRUE(Has(e, "both lack a \"kid\"")) << e;

  e = JwksError(json::array{good, "key"});
  EXPECT_TRUE(Has(e, "JWKS key 1 is not a JSON object")) << e;
  e = JwksError(json::array{});
  EXPECT_TRUE(Has(e, "JWKS has no keys")) << e;
}

TEST(JwksTest, RefusesShortRsaKeys) {
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(1024));
  ASSERT_NE(raw, nullptr);
  json::object k;
  k["kty"] = "RSA";
  k["kid"] = "short";
  k["n"] = BnParam(raw, OSSL_PKEY_PARAM_RSA_N);
  k["e"] = BnParam(raw, OSSL_PKEY_PARAM_RSA_E);
  EVP_PKEY_free(raw);
  std::string e = JwksError(json::array{k});
  EXPECT_TRUE(Has(e, "JWKS key 0 (kid \"short\")") && Has(e, "1024 bits")) << e;
}

TEST(JwksTest, RefusesMalformedDocuments) {
  for (const char* text :
       {"", "[]", "{}", R"({"keys":{}})", R"({"keys":[],"keys":[]})", "{\"keys\":[", "null"}) {
    EXPECT_FALSE(ParseJwks(text).has_value()) << text;
  }
  auto r = ParseJwks(std::string(2u << 20, ' '));
  EXPECT_FALSE(r.has_value());
}

TEST(JwksTest, LoadFile) {
  testing::TempDir dir;
  TestKey ed = MakeKey(KeyType::kEd25519, "d");
  auto p = dir.Write("jwks.json", JwksOf({&ed}));
  auto keys = LoadJwksFile(p);
  ASSERT_TRUE(keys.has_value()) << keys.error().ToString();
  EXPECT_NE((*keys)->Find("d"), nullptr);
  auto bad = LoadJwksFile(dir.Write("bad.json", R"({"keys":[{"kty":"EC"}]})"));
  ASSERT_FALSE(bad.has_value());
  EXPECT_TRUE(Has(bad.error().message(), "bad.json")) << bad.error().message();
  EXPECT_FALSE(LoadJwksFile(dir / "missing.json").has_value());
}

// ---- Refresher ------------------------------------------------------------------------

// Polls until `f` is true or ~10 s pass.
template <class F>
bool Eventually(F f) {
  for (int i = 0; i < 200; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return f();
}

// A tiny HTTP/1.1 server on 127.0.0.1 serving one body (or a status) per
// connection, on its own thread.
class TinyHttpServer {
 public:
  TinyHttpServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~TinyHttpServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  void Set(int status, std::string body) {
    std::lock_guard lock(mu_);
    status_ = status;
    body_ = std::move(body);
  }
  int requests() const { return requests_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/jwks.json"; }
  std::string last_request() {
    std::lock_guard lock(mu_);
    return last_request_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      std::string req;
      char buf[4096];
      while (req.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        req.append(buf, static_cast<std::size_t>(n));
      }
      std::string resp;
      {
        std::lock_guard lock(mu_);
        last_request_ = req;
        resp = "HTTP/1.1 " + std::to_string(status_) +
               " X\r\nContent-Type: application/json\r\nContent-Length: " +
               std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n" + body_;
      }
      ++requests_;
      ::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::mutex mu_;
  int status_ = 200;
  std::string body_;
  std::string last_request_;
  std::thread thread_;
};

class JwksRefresherTest : public ::testing::Test {
 protected:
  JwksRefresherTest()
      : old_(MakeKey(KeyType::kEcdsaP256, "2026-01")),
        new_(MakeKey(KeyType::kRsa, "2026-02")),
        verifier_(Policy(), nullptr) {}
  bool Accepts(const TestKey& k) { return verifier_.Verify(Sign(k, Claims()), kNow).has_value(); }

  TestKey old_, new_;
  JwtVerifier verifier_;
};

TEST_F(JwksRefresherTest, UrlKidRotationThroughUnknownKid) {
  TinyHttpServer server;
  server.Set(200, JwksOf({&old_}));
  auto r = JwksRefresher::Start(server.url(), verifier_, seconds(300), seconds(0));
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(server.requests(), 1);
  EXPECT_TRUE(server.last_request().starts_with("GET /jwks.json HTTP/1.1\r\n"))
      << server.last_request();
  EXPECT_TRUE(Accepts(old_));
  EXPECT_FALSE(Accepts(new_));  // unknown kid: asks for an early refresh

  // The issuer rotates: the next fetch sees the new key and drops the old.
  server.Set(200, JwksOf({&new_}));
  EXPECT_TRUE(Eventually([&] { return Accepts(new_); }));
  EXPECT_FALSE(Accepts(old_));
  EXPECT_GE(server.requests(), 2);
}

TEST_F(JwksRefresherTest, KeepsKeysWhenFetchOrParseFails) {
  TinyHttpServer server;
  server.Set(200, JwksOf({&old_}));
  auto r = JwksRefresher::Start(server.url(), verifier_, seconds(300), seconds(0));
  ASSERT_TRUE(r.has_value()) << r.error().ToString();

  server.Set(500, "oops");
  (*r)->RequestRefresh();
  ASSERT_TRUE(Eventually([&] { return server.requests() >= 2; }));
  server.Set(200, R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})");
  (*r)->RequestRefresh();
  ASSERT_TRUE(Eventually([&] { return server.requests() >= 3; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the refresh finish
  EXPECT_TRUE(Accepts(old_));

  server.Set(200, JwksOf({&old_, &new_}));
  (*r)->RequestRefresh();
  EXPECT_TRUE(Eventually([&] { return Accepts(new_); }));
  EXPECT_TRUE(Accepts(old_));
}

TEST_F(JwksRefresherTest, EarlyRefreshIsRateLimited) {
  TinyHttpServer server;
  server.Set(200, JwksOf({&old_}));
  auto r = JwksRefresher::Start(server.url(), verifier_, seconds(300), seconds(60));
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  // A flood of tokens with unknown kids must not turn into a flood of fetches.
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(Accepts(new_));
  (*r)->RequestRefresh();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(server.requests(), 1);
}

TEST_F(JwksRefresherTest, PeriodicRefreshFromFile) {
  testing::TempDir dir;
  auto path = dir.Write("jwks.json", JwksOf({&old_}));
  auto r = JwksRefresher::Start(path.string(), verifier_, seconds(1), seconds(0));
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_TRUE(Accepts(old_));
  verifier_.SetUnknownKidHook(nullptr);  // only the timer may refresh now
  dir.Write("jwks.json", JwksOf({&new_}));
  EXPECT_TRUE(Eventually([&] { return Accepts(new_); }));
  // A broken file keeps the last good keys.
  dir.Write("jwks.json", "{");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_TRUE(Accepts(new_));
}

TEST_F(JwksRefresherTest, StartFailsWithoutKeysAndHookOutlivesRefresher) {
  testing::TempDir dir;
  auto missing = JwksRefresher::Start((dir / "none.json").string(), verifier_);
  ASSERT_FALSE(missing.has_value());
  EXPECT_TRUE(Has(missing.error().message(), "none.json")) << missing.error().message();
  auto refused = JwksRefresher::Start(
      "http://127.0.0.1:" + std::to_string(testing::FreePort()) + "/jwks", verifier_);
  EXPECT_FALSE(refused.has_value());
  EXPECT_FALSE(JwksRefresher::Start("ftp://idp.example/jwks", verifier_).has_value());
  // Plain http to anything but loopback is refused before any fetch: whoever
  // is on the path could substitute the keys.
  for (const char* url : {"http://idp.example/jwks", "http://10.0.0.1/jwks"}) {
    auto plain = JwksRefresher::Start(url, verifier_);
    ASSERT_FALSE(plain.has_value()) << url;
    EXPECT_EQ(plain.error().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_TRUE(Has(plain.error().message(), "not loopback")) << plain.error().message();
  }
  auto bad = dir.Write("bad.json", R"({"keys":[{"kty":"RSA","use":"enc"}]})");
  EXPECT_FALSE(JwksRefresher::Start(bad.string(), verifier_).has_value());

  auto good = dir.Write("good.json", JwksOf({&old_}));
  {
    auto r = JwksRefresher::Start("file://" + good.string(), verifier_);
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
    (*r)->Stop();
    (*r)->Stop();  // idempotent
  }
  // The refresher is gone; its hook in the verifier must be harmless.
  EXPECT_TRUE(Accepts(old_));
  EXPECT_FALSE(Accepts(new_));
}

}  // namespace
}  // namespace rampart::gateway
