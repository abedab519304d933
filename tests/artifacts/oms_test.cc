// OMS v1.0: the published test vectors give their labeled answers, bundles we
// sign verify and pass the OMS schemas, tampering is named file by file.
#include "artifacts/oms.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "artifacts/audit_events.h"
#include "artifacts/dataset_manifest.h"
#include "core/encoding.h"
#include "core/file.h"
#include "testing/testing.h"

namespace rampart::artifacts {
namespace {

namespace fs = std::filesystem;
using rampart::testing::TempDir;

// Debian's Python, with python3-jsonschema from scripts/install-deps.sh.
constexpr char kPython[] = "/usr/bin/python3";

// ../shared beside the repository (RAMPART_SHARED_DIR overrides, for worktrees).
fs::path VectorDir() {
  if (const char* d = std::getenv("RAMPART_SHARED_DIR"); d != nullptr && *d != '\0') {
    return fs::path(d) / "specs/oms";
  }
  return rampart::testing::SourceDir() / "../shared/specs/oms";
}

std::string Read(const fs::path& p) {
  auto r = ReadFile(p);
  return r ? *r : std::string();
}

class VectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RAMPART_NEEDS(fs::exists(VectorDir() / "test-vectors/v1.0"),
                  "the OMS test vectors of ../shared (looked for " << VectorDir() << ")");
    v_ = VectorDir() / "test-vectors/v1.0";
  }
  // The P-384 key that signed key.bundle.json is the leaf of certificate.bundle.json.
  OmsPublicKey VectorKey() {
    auto b = ParseBundle(Read(v_ / "valid/certificate.bundle.json"));
    EXPECT_TRUE(b);
    auto leaf = crypto::Certificate::FromDer(b->certificates[0]);
    EXPECT_TRUE(leaf);
    return *OmsPublicKey::FromCertificate(*leaf);
  }
  crypto::Certificate VectorIntermediate() {
    auto b = ParseBundle(Read(v_ / "valid/certificate.bundle.json"));
    return *crypto::Certificate::FromDer(b->certificates[1]);
  }
  // The model the vectors were made from: signme-1 "signme-1\n", signme-2 "signme-2".
  fs::path VectorModel(TempDir& t) {
    t.Write("model/signme-1", "signme-1\n");
    t.Write("model/signme-2", "signme-2");
    t.Write("model/ignore-me", "not signed");
    return t / "model";
  }
  fs::path v_;
};

TEST_F(VectorTest, ValidBundlesParse) {
  for (const char* name : {"key", "certificate", "sigstore"}) {
    SCOPED_TRACE(name);
    auto b = ParseBundle(Read(v_ / "valid" / (std::string(name) + ".bundle.json")));
    ASSERT_TRUE(b) << b.error().message();
    auto st = ParseStatement(b->payload);
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(st->resources.size(), 2u);
  }
}

TEST_F(VectorTest, InvalidBundlesAreRejectedWithTheReason) {
  struct Case {
    const char* file;
    const char* reason;
  };
  for (const Case& c : {Case{"invalid/empty.bundle.json", "empty"},
                        Case{"invalid/missing-envelope.bundle.json", "dsseEnvelope is missing"},
                        Case{"invalid/missing-tlog-entries.bundle.json", "requires tlogEntries"},
                        Case{"invalid/missing-verification-material.bundle.json",
                             "verificationMaterial is missing"}}) {
    SCOPED_TRACE(c.file);
    auto b = ParseBundle(Read(v_ / c.file));
    ASSERT_FALSE(b);
    EXPECT_NE(b.error().message().find(c.reason), std::string::npos) << b.error().message();
  }
  auto b = ParseBundle(Read(v_ / "invalid-payload/wrong-predicate.bundle.json"));
  ASSERT_TRUE(b);
  auto st = ParseStatement(b->payload);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("predicateType"), std::string::npos);
}

TEST_F(VectorTest, KeyBundleVerifiesAgainstItsModel) {
  TempDir t;
  auto model = VectorModel(t);
  Trust trust;
  trust.key = VectorKey();
  auto rep = VerifyModel(model, Read(v_ / "valid/key.bundle.json"), trust, {});
  ASSERT_TRUE(rep) << rep.error().message();
  EXPECT_TRUE(rep->ok());
  EXPECT_EQ(rep->checked, 2u);
  // A changed file is named.
  t.Write("model/signme-1", "tampered");
  rep = VerifyModel(model, Read(v_ / "valid/key.bundle.json"), trust, {});
  ASSERT_TRUE(rep);
  ASSERT_EQ(rep->changed.size(), 1u);
  EXPECT_EQ(rep->changed[0].name, "signme-1");
}

TEST_F(VectorTest, CertificateBundleVerifiesWithTrustedIntermediate) {
  TempDir t;
  auto model = VectorModel(t);
  Trust trust;
  trust.anchors = {VectorIntermediate()};
  auto rep = VerifyModel(model, Read(v_ / "valid/certificate.bundle.json"), trust, {});
  ASSERT_TRUE(rep) << rep.error().message();
  EXPECT_TRUE(rep->ok());
  // After the certificates expire (2035) the chain no longer verifies.
  trust.now = std::chrono::system_clock::now() + std::chrono::hours(24 * 365 * 20);
  EXPECT_FALSE(VerifyModel(model, Read(v_ / "valid/certificate.bundle.json"), trust, {}));
}

TEST_F(VectorTest, WrongKeyAndWrongPredicateFail) {
  TempDir t;
  auto model = VectorModel(t);
  Trust trust;
  trust.key = OmsPrivateKey::Generate("P-384")->public_key();
  auto rep = VerifyModel(model, Read(v_ / "valid/key.bundle.json"), trust, {});
  ASSERT_FALSE(rep);
  EXPECT_EQ(rep.error().code(), StatusCode::kUnauthenticated);
  trust.key = VectorKey();
  rep = VerifyModel(model, Read(v_ / "invalid-payload/wrong-predicate.bundle.json"), trust, {});
  ASSERT_FALSE(rep);
}

TEST_F(VectorTest, SigstoreBundlesAreRefusedNotTrusted) {
  TempDir t;
  auto model = VectorModel(t);
  Trust trust;
  trust.key = VectorKey();
  auto rep = VerifyModel(model, Read(v_ / "valid/sigstore.bundle.json"), trust, {});
  ASSERT_FALSE(rep);
  EXPECT_NE(rep.error().message().find("keyless"), std::string::npos);
}

TEST(PaeTest, MatchesDsseAndTheCompatForm) {
  EXPECT_EQ(Pae("application/vnd.in-toto+json", "{}"),
            "DSSEv1 28 application/vnd.in-toto+json 2 {}");
  EXPECT_EQ(PaeCompat("t", "{\"a\": 'b'}\n"), "DSSEV1 1 t 11 b'{\"a\": \\'b\\'}\\n'");
}

struct Signed {
  TempDir dir;
  fs::path model;
  OmsPrivateKey key = *OmsPrivateKey::Generate("P-256");
};

TEST(SignTest, SignedBundleVerifiesAndNamesEveryDifference) {
  Signed s;
  s.dir.Write("m/config.json", "{}");
  s.dir.Write("m/weights/part-1.bin", std::string(100000, 'a'));
  s.dir.Write("m/.git/HEAD", "ref");
  s.dir.Write("m/cache/x", "ignored");
  SignOptions so;
  so.hash.ignore_paths = {"cache"};
  Statement st;
  auto bundle = SignModel(s.dir / "m", Signer{s.key, {}}, so, &st);
  ASSERT_TRUE(bundle) << bundle.error().message();
  ASSERT_EQ(st.resources.size(), 2u);
  EXPECT_EQ(st.resources[0].name, "config.json");
  EXPECT_EQ(st.resources[1].name, "weights/part-1.bin");
  EXPECT_EQ(st.subject_name, "m");
  Trust trust;
  trust.key = s.key.public_key();
  auto rep = VerifyModel(s.dir / "m", *bundle, trust, {});
  ASSERT_TRUE(rep) << rep.error().message();
  EXPECT_TRUE(rep->ok());
  s.dir.Write("m/weights/part-1.bin", std::string(100000, 'b'));
  s.dir.Write("m/extra.txt", "new");
  fs::remove(s.dir / "m/config.json");
  rep = VerifyModel(s.dir / "m", *bundle, trust, {});
  ASSERT_TRUE(rep);
  EXPECT_EQ(rep->missing, std::vector<std::string>{"config.json"});
  EXPECT_EQ(rep->extra, std::vector<std::string>{"extra.txt"});
  ASSERT_EQ(rep->changed.size(), 1u);
  EXPECT_EQ(rep->changed[0].name, "weights/part-1.bin");
  VerifyOptions vo;
  vo.ignore_unsigned_files = true;
  rep = VerifyModel(s.dir / "m", *bundle, trust, vo);
  EXPECT_TRUE(rep->extra.empty());
}

TEST(SignTest, ShardsAreHashedByRangeAndVerified) {
  Signed s;
  std::string data(2'500'000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  s.dir.Write("m/w.bin", data);
  s.dir.Write("m/empty", "");
  SignOptions so;
  so.hash.shard_size = 1'000'000;
  so.hash.threads = 3;
  Statement st;
  auto bundle = SignModel(s.dir / "m", Signer{s.key, {}}, so, &st);
  ASSERT_TRUE(bundle);
  ASSERT_EQ(st.resources.size(), 3u);  // the empty file has no shard
  EXPECT_EQ(st.resources[0].name, "w.bin:0:1000000");
  EXPECT_EQ(st.resources[2].name, "w.bin:2000000:2500000");
  EXPECT_EQ(st.resources[2].digest,
            HexEncode(crypto::Sha256(std::string_view(data).substr(2'000'000))));
  Trust trust;
  trust.key = s.key.public_key();
  auto rep = VerifyModel(s.dir / "m", *bundle, trust, {});
  ASSERT_TRUE(rep) << rep.error().message();
  EXPECT_TRUE(rep->ok());
  s.dir.Write("m/w.bin", data + "x");
  rep = VerifyModel(s.dir / "m", *bundle, trust, {});
  ASSERT_TRUE(rep);
  EXPECT_FALSE(rep->ok());
}

TEST(SignTest, EveryRegistryCurveSignsAndVerifies) {
  TempDir t;
  t.Write("m/a", "a");
  for (const char* curve : {"P-256", "P-384", "P-521"}) {
    SCOPED_TRACE(curve);
    auto key = OmsPrivateKey::Generate(curve);
    ASSERT_TRUE(key) << key.error().message();
    auto bundle = SignModel(t / "m", Signer{*key, {}}, {}, nullptr);
    ASSERT_TRUE(bundle) << bundle.error().message();
    Trust trust;
    trust.key = key->public_key();
    auto rep = VerifyModel(t / "m", *bundle, trust, {});
    ASSERT_TRUE(rep) << rep.error().message();
    EXPECT_TRUE(rep->ok());
  }
  // Other key types are refused with a reason.
  auto r = rampart::testing::Run(
      {"openssl", "genpkey", "-algorithm", "ED25519", "-out", (t / "ed.pem").string()});
  ASSERT_EQ(r.exit_code, 0);
  auto ed = OmsPrivateKey::FromPem(*ReadFile(t / "ed.pem"));
  ASSERT_FALSE(ed);
  EXPECT_NE(ed.error().message().find("P-521"), std::string::npos);
}

TEST(SignTest, SingleFileModelsAcceptTheReferenceDotName) {
  Signed s;
  auto f = s.dir.Write("model.bin", "weights");
  auto bundle = SignModel(f, Signer{s.key, {}}, {}, nullptr);
  ASSERT_TRUE(bundle);
  Trust trust;
  trust.key = s.key.public_key();
  auto rep = VerifyModel(f, *bundle, trust, {});
  ASSERT_TRUE(rep) << rep.error().message();
  EXPECT_TRUE(rep->ok());
  EXPECT_EQ(rep->statement.resources[0].name, "model.bin");
}

TEST(SignTest, SymlinksAreRefusedUnlessAllowed) {
  Signed s;
  s.dir.Write("m/a", "a");
  fs::create_symlink("/etc/hostname", s.dir / "m/link");
  auto bundle = SignModel(s.dir / "m", Signer{s.key, {}}, {}, nullptr);
  ASSERT_FALSE(bundle);
  EXPECT_NE(bundle.error().message().find("symbolic link"), std::string::npos);
}

TEST(SignTest, BundlesPassTheOmsSchemas) {
  RAMPART_NEEDS(fs::exists(VectorDir() / "schemas/v1.0"),
                "the OMS schemas of ../shared (looked for " << VectorDir() << ")");
  Signed s;
  s.dir.Write("m/a", "a");
  s.dir.Write("m/b", std::string(3000, 'b'));
  for (bool shards : {false, true}) {
    SignOptions so;
    if (shards) so.hash.shard_size = 1000;
    auto bundle = SignModel(s.dir / "m", Signer{s.key, {}}, so, nullptr);
    ASSERT_TRUE(bundle);
    auto path = s.dir.Write(shards ? "shards.sig" : "files.sig", *bundle);
    auto r = rampart::testing::Run(
        {kPython, (rampart::testing::SourceDir() / "tests/artifacts/validate_oms.py").string(),
         (VectorDir() / "schemas/v1.0").string(), path.string()});
    RAMPART_NEEDS(r.exit_code != 3 && r.exit_code != 127,
                  "python3-jsonschema for " << kPython << " (scripts/install-deps.sh installs it)");
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  // The validator itself rejects the invalid vectors (so the check above can fail).
  auto r = rampart::testing::Run(
      {kPython, (rampart::testing::SourceDir() / "tests/artifacts/validate_oms.py").string(),
       (VectorDir() / "schemas/v1.0").string(),
       (VectorDir() / "test-vectors/v1.0/invalid/missing-envelope.bundle.json").string()});
  EXPECT_EQ(r.exit_code, 1);
}

TEST(SignTest, CertificateMethodRoundTrip) {
  TempDir t;
  // A CA and a leaf made with the openssl CLI.
  auto run = [&](std::vector<std::string> a) {
    auto r = rampart::testing::Run(a);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  std::string d = t.path().string();
  run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", d + "/ca.key", "-out", d + "/ca.pem", "-days", "30", "-subj", "/CN=test-ca"});
  run({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", d + "/leaf.key", "-out", d + "/leaf.csr", "-subj", "/CN=signer"});
  t.Write("ext.cnf", "keyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n");
  run({"openssl", "x509", "-req", "-in", d + "/leaf.csr", "-CA", d + "/ca.pem", "-CAkey",
       d + "/ca.key", "-CAcreateserial", "-out", d + "/leaf.pem", "-days", "10", "-extfile",
       d + "/ext.cnf"});
  auto key = OmsPrivateKey::FromPem(*ReadFile(t / "leaf.key"));
  ASSERT_TRUE(key) << key.error().message();
  auto leaf = crypto::Certificate::FromPem(*ReadFile(t / "leaf.pem"));
  auto ca = crypto::Certificate::FromPem(*ReadFile(t / "ca.pem"));
  t.Write("m/a", "a");
  auto bundle = SignModel(t / "m", Signer{*key, {*leaf, *ca}}, {}, nullptr);
  ASSERT_TRUE(bundle) << bundle.error().message();
  Trust trust;
  trust.anchors = {*ca};
  auto rep = VerifyModel(t / "m", *bundle, trust, {});
  ASSERT_TRUE(rep) << rep.error().message();
  EXPECT_TRUE(rep->ok());
  // A bundle from this CA does not verify against an unrelated CA.
  run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", d + "/other.key", "-out", d + "/other.pem", "-days", "30", "-subj", "/CN=other"});
  trust.anchors = {*crypto::Certificate::FromPem(*ReadFile(t / "other.pem"))};
  auto bad = VerifyModel(t / "m", *bundle, trust, {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), StatusCode::kUnauthenticated);
}

TEST(ManifestTest, DiffNamesAddedRemovedAndChangedFiles) {
  TempDir t;
  t.Write("d/a.csv", "1,2\n");
  t.Write("d/b.csv", "3,4\n");
  t.Write("d/sub/c.jsonl", "{}\n");
  FakeClock clock;
  auto m1 = BuildManifest(t / "d", {}, clock);
  ASSERT_TRUE(m1);
  EXPECT_EQ(m1->files.size(), 3u);
  auto parsed = ParseManifest(ManifestToJson(*m1), "m1.json");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->root_digest, m1->root_digest);
  t.Write("d/b.csv", "3,4,poisoned\n");
  fs::remove(t / "d/a.csv");
  t.Write("d/new.csv", "5\n");
  auto m2 = BuildManifest(t / "d", {}, clock);
  ManifestDiff d = DiffManifests(*parsed, *m2);
  ASSERT_EQ(d.added.size(), 1u);
  EXPECT_EQ(d.added[0].name, "new.csv");
  ASSERT_EQ(d.removed.size(), 1u);
  EXPECT_EQ(d.removed[0].name, "a.csv");
  ASSERT_EQ(d.changed.size(), 1u);
  EXPECT_EQ(d.changed[0].name, "b.csv");
  EXPECT_EQ(d.changed[0].new_size, 13u);
  EXPECT_EQ(d.unchanged, 1u);
  // A hand-edited manifest is caught by its root digest.
  std::string text = ManifestToJson(*m1);
  auto pos = text.find(m1->files[0].digest);
  text[pos] = text[pos] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(ParseManifest(text, "edited.json"));
}

}  // namespace
}  // namespace rampart::artifacts

namespace rampart::artifacts {
namespace {

// Records events in memory, as a ledger sink would receive them.
class RecordingSink final : public AuditSink {
 public:
  Status Append(AuditEvent e) override {
    events.push_back(std::move(e));
    return OkStatus();
  }
  Status Flush(std::chrono::milliseconds) override { return OkStatus(); }
  std::vector<AuditEvent> events;
};

TEST(AuditEventsTest, SigningAndManifestEventsNameTheRootDigest) {
  Signed s;
  s.dir.Write("m/a", "a");
  Statement st;
  ASSERT_TRUE(SignModel(s.dir / "m", Signer{s.key, {}}, {}, &st));
  FakeClock clock;
  RecordingSink sink;
  ASSERT_TRUE(sink.Append(ModelSignedEvent(st, "key", "m.sig", "abcd", "alice", clock)).ok());
  auto m = BuildManifest(s.dir / "m", {}, clock);
  ASSERT_TRUE(m);
  ASSERT_TRUE(sink.Append(DatasetManifestEvent(*m, "alice", clock)).ok());
  ASSERT_EQ(sink.events.size(), 2u);
  EXPECT_EQ(sink.events[0].type, "model.signed");
  EXPECT_EQ(sink.events[0].subjects[0].digest, "sha256:" + st.root_digest);
  EXPECT_EQ(sink.events[0].fields.at("method").as_string(), "key");
  EXPECT_EQ(sink.events[1].type, "dataset.manifest");
  EXPECT_EQ(sink.events[1].subjects[0].digest, "sha256:" + m->root_digest);
  // The same tree gives the same root digest whether signed or manifested.
  EXPECT_EQ(st.root_digest, m->root_digest);
  EXPECT_EQ(sink.events[1].time, clock.Now());
}

}  // namespace
}  // namespace rampart::artifacts
