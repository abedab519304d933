#include "attest/broker.h"

#include <gtest/gtest.h>

#include <fstream>
#include <mutex>

#include "attest/jwe.h"
#include "attest/sample.h"
#include "attest/sealed.h"
#include "core/encoding.h"
#include "core/json.h"
#include "testing/testing.h"

namespace rampart::attest {
namespace {

namespace fs = std::filesystem;

class RecordingSink final : public AuditSink {
 public:
  Status Append(AuditEvent e) override {
    std::lock_guard lock(mu);
    events.push_back(std::move(e));
    return OkStatus();
  }
  Status Flush(std::chrono::milliseconds) override { return OkStatus(); }
  std::mutex mu;
  std::vector<AuditEvent> events;
};

const std::string kMrtd = std::string(96, 'a');

class BrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.path() / "model");
    std::ofstream(dir_.path() / "model" / "w.bin") << "weights";
    kek_ = *RandomKey();
    SealOptions so;
    so.resource = "models/tiny/key";
    auto s = Seal(dir_.path() / "model", dir_.path() / "sealed", kek_, so);
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    auto m = *ReadSealedManifest(dir_.path() / "sealed");
    dk_ = *UnwrapDataKey(m, kek_);
    root_ = m.root_digest;
    sample_key_ = *crypto::PrivateKey::Generate(crypto::KeyType::kEd25519);
  }

  void MakeBroker(ResourcePolicy p) {
    BrokerConfig c;
    c.limits.max_sessions = 4;
    p.id = "tiny-prod";
    c.policies[p.id] = p;
    BrokerResource r;
    r.path = "models/tiny/key";
    r.policy = p.id;
    r.model_digest = root_;
    r.secret.assign(dk_.begin(), dk_.end());
    c.resources[r.path] = r;
    VerifierSet v;
    v[TeeType::kSample] = std::make_shared<SampleVerifier>(sample_key_.public_key());
    sink_ = std::make_shared<RecordingSink>();
    broker_ = std::make_unique<KeyBroker>(std::move(c), std::move(v), sink_, &clock_);
  }

  static ResourcePolicy SamplePolicy() {
    ResourcePolicy p;
    p.tee = {TeeType::kSample};
    p.measurements["mrtd"] = {kMrtd};
    return p;
  }

  struct Attempt {
    std::string session;
    std::string nonce;
    crypto::PrivateKey tee_key = *crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP256);
    std::string body;
  };

  Attempt Begin(SampleStatement st = {}, bool bind = true) {
    Attempt a;
    auto r = broker_->Auth(R"({"version":"0.1.0","tee":"sample","extra-params":""})");
    EXPECT_TRUE(r.has_value());
    a.session = r->session_id;
    a.nonce = std::string(*GetString(ParseJson(r->body)->get_object(), "nonce"));
    std::string thumb = *JwkThumbprint(a.tee_key.public_key());
    st.report_data = ReportDataFor(bind ? a.nonce : "another-nonce", thumb);
    if (st.measurements.empty()) st.measurements["mrtd"] = kMrtd;
    std::string ev = *MakeSampleEvidence(st, sample_key_);
    json::object body{{"tee-pubkey", *JwkOf(a.tee_key.public_key())},
                      {"tee-evidence", *ParseJson(ev)}};
    a.body = ToJson(body);
    return a;
  }

  std::string Token(const Attempt& a) {
    auto t = broker_->Attest(a.session, a.body);
    EXPECT_TRUE(t.has_value()) << (t ? "" : t.error().message);
    if (!t) return "";
    return std::string(*GetString(ParseJson(*t)->get_object(), "token"));
  }

  const AuditEvent& LastEvent() {
    EXPECT_FALSE(sink_->events.empty());
    return sink_->events.back();
  }

  testing::TempDir dir_;
  Key kek_{}, dk_{};
  std::string root_;
  crypto::PrivateKey sample_key_ = *crypto::PrivateKey::Generate(crypto::KeyType::kEd25519);
  FakeClock clock_;
  std::shared_ptr<RecordingSink> sink_;
  std::unique_ptr<KeyBroker> broker_;
};

TEST_F(BrokerTest, ReleasesTheDataKeyWrappedToTheTeeKey) {
  MakeBroker(SamplePolicy());
  Attempt a = Begin();
  std::string token = Token(a);
  auto r = broker_->Resource(token, "models/tiny/key");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->find(HexEncode(std::span<const std::uint8_t>(dk_))), std::string::npos);
  auto pt = JweDecrypt(a.tee_key, *ParseJson(*r));
  ASSERT_TRUE(pt.has_value()) << pt.error().ToString();
  EXPECT_EQ(*pt, std::vector<std::uint8_t>(dk_.begin(), dk_.end()));
  // Another key cannot open it.
  auto other = *crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP256);
  EXPECT_FALSE(JweDecrypt(other, *ParseJson(*r)).has_value());

  const AuditEvent& e = LastEvent();
  EXPECT_EQ(e.type, "key.released");
  EXPECT_EQ(e.fields.at("key_id").as_string(), "models/tiny/key");
  EXPECT_EQ(e.fields.at("policy").as_string(), "tiny-prod");
  EXPECT_EQ(e.fields.at("tee").as_string(), "sample");
  EXPECT_EQ(e.fields.at("measurements").as_object().at("mrtd").as_string(), kMrtd);
  ASSERT_EQ(e.subjects.size(), 1u);
  EXPECT_EQ(e.subjects[0].digest, root_);
}

TEST_F(BrokerTest, SampleRefusedUnlessThePolicyListsIt) {
  ResourcePolicy p = SamplePolicy();
  p.tee = {TeeType::kTdx, TeeType::kSnp};
  MakeBroker(p);
  std::string token = Token(Begin());
  auto r = broker_->Resource(token, "models/tiny/key");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().http_status, 403);
  EXPECT_NE(r.error().message.find("tee type sample is not allowed by policy tiny-prod"),
            std::string::npos)
      << r.error().message;
  EXPECT_EQ(LastEvent().type, "key.refused");
  EXPECT_EQ(LastEvent().fields.at("reason").as_string(), r.error().message);
}

TEST_F(BrokerTest, MeasurementMismatchIsRefused) {
  MakeBroker(SamplePolicy());
  SampleStatement st;
  st.measurements["mrtd"] = std::string(96, 'b');
  auto r = broker_->Resource(Token(Begin(st)), "models/tiny/key");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("measurement mrtd does not match policy tiny-prod"),
            std::string::npos);
  EXPECT_EQ(LastEvent().type, "key.refused");
}

TEST_F(BrokerTest, DebugTcbAndGpuRulesAreEnforced) {
  ResourcePolicy p = SamplePolicy();
  MakeBroker(p);
  SampleStatement dbg;
  dbg.debug = true;
  auto r = broker_->Resource(Token(Begin(dbg)), "models/tiny/key");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("debuggable"), std::string::npos);
  SampleStatement old;
  old.tcb_status = "OutOfDate";
  r = broker_->Resource(Token(Begin(old)), "models/tiny/key");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("TCB status OutOfDate is below"), std::string::npos);
  p.require_gpu = true;
  MakeBroker(p);
  r = broker_->Resource(Token(Begin()), "models/tiny/key");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("requires composite evidence"), std::string::npos);
}

TEST_F(BrokerTest, ReplayedNonceIsRefused) {
  MakeBroker(SamplePolicy());
  Attempt a = Begin();
  ASSERT_FALSE(Token(a).empty());
  auto again = broker_->Attest(a.session, a.body);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, "nonce_used");
  EXPECT_EQ(LastEvent().type, "key.refused");
}

TEST_F(BrokerTest, EvidenceNotBindingTheNonceIsRefused) {
  MakeBroker(SamplePolicy());
  Attempt a = Begin({}, /*bind=*/false);
  auto t = broker_->Attest(a.session, a.body);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().http_status, 403);
  EXPECT_NE(t.error().message.find("report data does not bind"), std::string::npos);
}

TEST_F(BrokerTest, EvidenceSignedByAnotherKeyIsRefused) {
  MakeBroker(SamplePolicy());
  sample_key_ = *crypto::PrivateKey::Generate(crypto::KeyType::kEd25519);
  auto t = broker_->Attest(Begin().session, Begin().body);
  ASSERT_FALSE(t.has_value());
  Attempt a = Begin();
  t = broker_->Attest(a.session, a.body);
  ASSERT_FALSE(t.has_value());
  EXPECT_NE(t.error().message.find("signature does not verify"), std::string::npos);
}

TEST_F(BrokerTest, BadPathsTokensAndSessions) {
  MakeBroker(SamplePolicy());
  std::string token = Token(Begin());
  for (std::string_view bad :
       {"models/../key", "models/tiny/key/x", "models/ti ny/key", "..", "models/tiny/%2e%2e"}) {
    auto r = broker_->Resource(token, bad);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "bad_resource_path") << bad;
  }
  auto r = broker_->Resource(token, "models/other/key");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().http_status, 404);
  r = broker_->Resource(token.substr(0, token.size() - 2) + "AA", "models/tiny/key");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "bad_token");
  clock_.Advance(std::chrono::seconds(301));
  r = broker_->Resource(token, "models/tiny/key");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "token_expired");
  auto t = broker_->Attest("nosuchsession", "{}");
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code, "no_session");
  // max_sessions = 4: the fifth open session is refused until some expire.
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(broker_->Auth(R"({"tee":"sample"})").has_value());
  auto full = broker_->Auth(R"({"tee":"sample"})");
  ASSERT_FALSE(full.has_value());
  EXPECT_EQ(full.error().http_status, 503);
  clock_.Advance(std::chrono::seconds(301));
  EXPECT_TRUE(broker_->Auth(R"({"tee":"sample"})").has_value());
}

TEST_F(BrokerTest, P384TeeKeyIsReleasedToo) {
  MakeBroker(SamplePolicy());
  Attempt a;
  a.tee_key = *crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP384);
  auto r = broker_->Auth(R"({"version":"0.1.0","tee":"sample","extra-params":""})");
  ASSERT_TRUE(r.has_value());
  a.session = r->session_id;
  a.nonce = std::string(*GetString(ParseJson(r->body)->get_object(), "nonce"));
  auto jwk = JwkOf(a.tee_key.public_key());
  ASSERT_TRUE(jwk.has_value()) << jwk.error().message();
  EXPECT_EQ(jwk->at("crv").as_string(), "P-384");
  SampleStatement st;
  st.report_data = ReportDataFor(a.nonce, *JwkThumbprint(a.tee_key.public_key()));
  st.measurements["mrtd"] = kMrtd;
  a.body = ToJson(json::object{{"tee-pubkey", *jwk},
                               {"tee-evidence", *ParseJson(*MakeSampleEvidence(st, sample_key_))}});
  std::string token = Token(a);
  auto res = broker_->Resource(token, "models/tiny/key");
  ASSERT_TRUE(res.has_value()) << res.error().message;
  auto jwe = ParseJson(*res);
  auto hdr = ParseJson(
      crypto::AsString(*Base64UrlDecode(std::string(*GetString(jwe->get_object(), "protected")))));
  EXPECT_EQ(hdr->at("epk").at("crv").as_string(), "P-384");
  auto pt = JweDecrypt(a.tee_key, *jwe);
  ASSERT_TRUE(pt.has_value()) << pt.error().ToString();
  EXPECT_EQ(*pt, std::vector<std::uint8_t>(dk_.begin(), dk_.end()));
  // A P-256 key cannot open it (another curve), nor another P-384 key.
  auto p256 = *crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP256);
  auto d = JweDecrypt(p256, *jwe);
  ASSERT_FALSE(d.has_value());
  EXPECT_NE(d.error().message().find("epk is not on the recipient key's curve"), std::string::npos);
  auto other = *crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP384);
  EXPECT_FALSE(JweDecrypt(other, *jwe).has_value());
}

TEST(Jwe, JwkShapesAreChecked) {
  auto k384 = *crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP384);
  json::object jwk = *JwkOf(k384.public_key());
  EXPECT_TRUE(PublicKeyFromJwk(json::value(jwk)).has_value());
  json::object wrong = jwk;
  wrong["crv"] = "P-256";  // 48-byte coordinates named P-256
  auto r = PublicKeyFromJwk(json::value(wrong));
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("x and y must be 32 bytes for P-256"), std::string::npos)
      << r.error().message();
  wrong["crv"] = "P-521";
  r = PublicKeyFromJwk(json::value(wrong));
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("crv must be"), std::string::npos);
  wrong = jwk;
  std::string y(wrong["y"].as_string());
  y[5] = y[5] == 'A' ? 'B' : 'A';  // off the curve
  wrong["y"] = y;
  r = PublicKeyFromJwk(json::value(wrong));
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("not a point on P-384"), std::string::npos)
      << r.error().message();
  auto ed = *crypto::PrivateKey::Generate(crypto::KeyType::kEd25519);
  EXPECT_FALSE(JwkOf(ed.public_key()).has_value());
}

TEST(Jwe, RoundTripAndTamper) {
  auto k = *crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP256);
  std::vector<std::uint8_t> msg = {1, 2, 3, 4};
  auto j = JweEncrypt(k.public_key(), "kid", msg);
  ASSERT_TRUE(j.has_value());
  EXPECT_EQ(*JweDecrypt(k, json::value(*j)), msg);
  json::object bad = *j;
  std::string ct(bad["ciphertext"].as_string());
  ct[0] = ct[0] == 'A' ? 'B' : 'A';
  bad["ciphertext"] = ct;
  EXPECT_FALSE(JweDecrypt(k, json::value(bad)).has_value());
}

}  // namespace
}  // namespace rampart::attest
