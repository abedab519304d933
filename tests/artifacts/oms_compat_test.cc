// OMS bundles in the shapes model_signing 0.2.x, 0.3.x and 1.x wrote
// (tests/artifacts/oms_compat/README.md) verify, and every kind of tampering
// fails with a reason that names it.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "artifacts/oms.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/json.h"
#include "testing/testing.h"

namespace rampart::artifacts {
namespace {

namespace fs = std::filesystem;
using rampart::testing::TempDir;

fs::path Dir() { return rampart::testing::SourceDir() / "tests/artifacts/oms_compat"; }

std::string Read(const fs::path& p) {
  auto r = ReadFile(p);
  EXPECT_TRUE(r) << p;
  return r ? *r : std::string();
}

OmsPublicKey Key(const std::string& name) {
  auto k = OmsPublicKey::FromPem(Read(Dir() / "keys" / name));
  EXPECT_TRUE(k) << name;
  return *k;
}

crypto::Certificate Cert(const std::string& name) {
  auto c = crypto::Certificate::FromPem(Read(Dir() / "keys" / name));
  EXPECT_TRUE(c) << name;
  return *c;
}

bool Contains(const std::vector<std::string>& v, std::string_view needle) {
  for (const auto& s : v) {
    if (s.find(needle) != std::string::npos) return true;
  }
  return false;
}

#define EXPECT_HAS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

// One fixture: which bundle, what it signs, what verifies it.
struct Shape {
  const char* bundle;
  bool single_file;  // model.bin, else model/
  const char* key;   // public key file, or nullptr: certificate method
  SigningMethod method;
  const char* predicate;
  std::size_t checked;
  const char* note;  // a compatibility note the report must carry, or ""
};

const Shape kShapes[] = {
    {"v0.2-key.sig", false, "p256-key-pub.pem", SigningMethod::kKey, "Digests/v0.1", 5,
     "model_signing 0.2's PAE encoding (DSSEV1"},
    {"v0.2-key-p384.sig", false, "signing-key-pub.pem", SigningMethod::kKey, "Digests/v0.1", 5,
     "with SHA-256 (0.2 hashed"},
    {"v0.2-certificate.sig", false, nullptr, SigningMethod::kCertificate, "Digests/v0.1", 5,
     "with SHA-256 (0.2 hashed"},
    {"v0.3-key.sig", true, "signing-key-pub.pem", SigningMethod::kKey, "signature/v1.0", 1,
     "resource \".\" read as the single file model.bin"},
    {"v0.3-key-shards.sig", false, "signing-key-pub.pem", SigningMethod::kKey, "signature/v1.0", 10,
     "shard_size written as a float (16.0)"},
    {"v0.3-certificate.sig", false, nullptr, SigningMethod::kCertificate, "signature/v1.0", 5,
     "no serialization.ignore_paths"},
    {"v1.0-key.sig", false, "signing-key-pub.pem", SigningMethod::kKey, "signature/v1.0", 5, ""},
    {"v1.0-certificate.sig", false, nullptr, SigningMethod::kCertificate, "signature/v1.0", 5, ""},
};

Trust TrustFor(const Shape& s) {
  Trust t;
  if (s.key != nullptr) {
    t.key = Key(s.key);
  } else {
    t.anchors = {Cert("root-ca.pem")};
  }
  return t;
}

std::string BundleText(const Shape& s) { return Read(Dir() / "bundles" / s.bundle); }

// A private copy of the signed model, to tamper with.
struct ModelCopy {
  TempDir dir;
  fs::path model;
  explicit ModelCopy(const Shape& s) {
    const char* name = s.single_file ? "model.bin" : "model";
    model = dir / name;
    fs::copy(Dir() / name, model, fs::copy_options::recursive);
  }
};

// Rewrites one field of a bundle's JSON.
std::string Edit(std::string_view bundle, const std::function<void(json::object&)>& f) {
  auto doc = ParseJson(bundle);
  EXPECT_TRUE(doc);
  f(doc->as_object());
  return ToJson(*doc);
}

std::string Payload(std::string_view bundle) {
  auto doc = ParseJson(bundle);
  auto raw = Base64Decode(
      std::string_view(doc->as_object().at("dsseEnvelope").as_object().at("payload").as_string()));
  EXPECT_TRUE(raw);
  return std::string(raw->begin(), raw->end());
}

std::string WithPayload(std::string_view bundle, std::string_view payload) {
  return Edit(bundle, [&](json::object& o) {
    o["dsseEnvelope"].as_object()["payload"] = Base64Encode(payload);
  });
}

std::string Sig(std::string_view bundle) {
  auto doc = ParseJson(bundle);
  return std::string(doc->as_object()
                         .at("dsseEnvelope")
                         .as_object()
                         .at("signatures")
                         .as_array()[0]
                         .as_object()
                         .at("sig")
                         .as_string());
}

std::string WithSig(std::string_view bundle, std::string_view sig) {
  return Edit(bundle, [&](json::object& o) {
    o["dsseEnvelope"].as_object()["signatures"].as_array()[0].as_object()["sig"] = sig;
  });
}

TEST(OmsCompatTest, EveryReleaseShapeVerifies) {
  for (const Shape& s : kShapes) {
    SCOPED_TRACE(s.bundle);
    std::string text = BundleText(s);
    auto parsed = ParseBundle(text);
    ASSERT_TRUE(parsed) << parsed.error().message();
    EXPECT_EQ(parsed->method, s.method);
    fs::path model = Dir() / (s.single_file ? "model.bin" : "model");
    auto rep = VerifyModel(model, text, TrustFor(s), {});
    ASSERT_TRUE(rep) << rep.error().message();
    EXPECT_TRUE(rep->ok());
    EXPECT_TRUE(rep->missing.empty() && rep->extra.empty() && rep->changed.empty());
    EXPECT_EQ(rep->checked, s.checked);
    EXPECT_EQ(rep->method, s.method);
    EXPECT_HAS(rep->statement.predicate_type, s.predicate);
    if (*s.note != '\0') {
      EXPECT_TRUE(Contains(rep->notes, s.note)) << s.note;
    }
  }
}

TEST(OmsCompatTest, OlderStatementsDescribeTheSameFilesAsV1) {
  // A 0.2 statement signs no root digest; the one Rampart computes over its
  // files equals the root digest 0.3 and 1.x sign for the same model.
  auto st02 = ParseStatement(Payload(BundleText(kShapes[2])));
  auto st03 = ParseStatement(Payload(BundleText(kShapes[5])));
  auto st10 = ParseStatement(Payload(BundleText(kShapes[6])));
  ASSERT_TRUE(st02 && st03 && st10);
  EXPECT_EQ(st02->root_digest, st10->root_digest);
  EXPECT_EQ(st03->root_digest, st10->root_digest);
  EXPECT_TRUE(st02->subject_name.empty());
  ASSERT_EQ(st02->resources.size(), st10->resources.size());
  for (std::size_t i = 0; i < st02->resources.size(); ++i) {
    EXPECT_EQ(st02->resources[i].name, st10->resources[i].name);
    EXPECT_EQ(st02->resources[i].digest, st10->resources[i].digest);
  }
  EXPECT_FALSE(st02->serialization.ignore_paths.has_value());
  EXPECT_FALSE(st03->serialization.ignore_paths.has_value());
  EXPECT_TRUE(st10->serialization.ignore_paths.has_value());
}

TEST(OmsCompatTest, TheV02SignatureCoversAPythonBytesLiteral) {
  // The quote and the accented letters of docs/l'été.md reach the 0.2 PAE as
  // \' and \xNN escapes, and the fixture verifies only through that encoding.
  std::string payload = Payload(BundleText(kShapes[0]));
  ASSERT_NE(payload.find("l'\xc3\xa9t\xc3\xa9.md"), std::string::npos);
  std::string pae = PaeCompat(kInTotoPayloadType, payload);
  EXPECT_TRUE(pae.starts_with("DSSEV1 28 application/vnd.in-toto+json " +
                              std::to_string(payload.size()) + " b'{\\n"));
  EXPECT_NE(pae.find("l\\'\\xc3\\xa9t\\xc3\\xa9.md"), std::string::npos);
  auto parsed = ParseBundle(BundleText(kShapes[0]));
  ASSERT_TRUE(parsed);
  OmsPublicKey key = Key("p256-key-pub.pem");
  EXPECT_TRUE(key.Verify(pae, parsed->signatures[0]).ok());
  EXPECT_FALSE(key.Verify(Pae(kInTotoPayloadType, payload), parsed->signatures[0]).ok());
}

TEST(OmsCompatTest, TamperedFilesAreNamed) {
  for (const Shape& s : kShapes) {
    SCOPED_TRACE(s.bundle);
    ModelCopy m(s);
    std::string victim = s.single_file ? "model.bin" : "weights/part-1.bin";
    fs::path file = s.single_file ? m.model : m.model / victim;
    std::string bytes = Read(file);
    bytes[20] = static_cast<char>(bytes[20] ^ 0x01);
    m.dir.Write(fs::relative(file, m.dir.path()).string(), bytes);
    auto rep = VerifyModel(m.model, BundleText(s), TrustFor(s), {});
    ASSERT_TRUE(rep) << rep.error().message();
    EXPECT_FALSE(rep->ok());
    ASSERT_EQ(rep->changed.size(), 1u);
    EXPECT_TRUE(rep->changed[0].name.starts_with(victim)) << rep->changed[0].name;
    if (s.single_file) continue;
    // A removed file is missing, an added one is extra.
    fs::remove(m.model / "config.json");
    m.dir.Write("model/weights/part-2.bin", "new weights");
    rep = VerifyModel(m.model, BundleText(s), TrustFor(s), {});
    ASSERT_TRUE(rep) << rep.error().message();
    EXPECT_EQ(rep->missing, std::vector<std::string>{"config.json"});
    EXPECT_EQ(rep->extra, std::vector<std::string>{"weights/part-2.bin"});
  }
}

TEST(OmsCompatTest, TamperedStatementsFailTheSignature) {
  for (const Shape& s : kShapes) {
    SCOPED_TRACE(s.bundle);
    std::string text = BundleText(s);
    std::string payload = Payload(text);
    // Point a resource (or a 0.2 subject) at other bytes: flip a digest digit.
    auto st = ParseStatement(payload);
    ASSERT_TRUE(st);
    std::string digest = st->resources.back().digest;
    std::size_t at = payload.find(digest);
    ASSERT_NE(at, std::string::npos);
    payload[at] = payload[at] == '0' ? '1' : '0';
    auto rep = VerifyModel(Dir() / (s.single_file ? "model.bin" : "model"),
                           WithPayload(text, payload), TrustFor(s), {});
    ASSERT_FALSE(rep);
    EXPECT_EQ(rep.error().code(), StatusCode::kUnauthenticated);
    EXPECT_HAS(rep.error().message(), "the DSSE signature does not verify");
    EXPECT_HAS(rep.error().message(), "tried the DSSE v1 PAE");
  }
}

TEST(OmsCompatTest, WrongKeysAreRefusedWithTheReason) {
  Trust other;
  other.key = Key("other-key-pub.pem");
  for (const Shape& s : kShapes) {
    if (s.key == nullptr) continue;
    SCOPED_TRACE(s.bundle);
    auto rep =
        VerifyModel(Dir() / (s.single_file ? "model.bin" : "model"), BundleText(s), other, {});
    ASSERT_FALSE(rep);
    EXPECT_EQ(rep.error().code(), StatusCode::kUnauthenticated);
    EXPECT_HAS(rep.error().message(), std::string(s.bundle).starts_with("v1.0")
                                          ? "does not match the bundle's key hint"
                                          : "does not match the key in the bundle");
  }
  // With the key named in the bundle swapped for the wrong one too, the key
  // check passes and the signature fails, naming every encoding tried.
  const Shape& s = kShapes[0];
  std::string edited = Edit(BundleText(s), [](json::object& o) {
    o["verificationMaterial"].as_object()["publicKey"].as_object()["rawBytes"] =
        Base64Encode(Read(Dir() / "keys/other-key-pub.pem"));
  });
  auto rep = VerifyModel(Dir() / "model", edited, other, {});
  ASSERT_FALSE(rep);
  EXPECT_HAS(rep.error().message(),
             "tried the DSSE v1 PAE with SHA-384, model_signing 0.2's PAE "
             "with SHA-384 and model_signing 0.2's PAE with SHA-256");
  // A certificate bundle needs a chain, a key bundle a key.
  rep = VerifyModel(Dir() / "model", BundleText(kShapes[2]), other, {});
  ASSERT_FALSE(rep);
  EXPECT_HAS(rep.error().message(), "--cert-chain");
}

TEST(OmsCompatTest, WrongChainsAreRefused) {
  for (const Shape& s : kShapes) {
    if (s.key != nullptr) continue;
    SCOPED_TRACE(s.bundle);
    std::string text = BundleText(s);
    Trust other;
    other.anchors = {Cert("other-ca.pem")};
    auto rep = VerifyModel(Dir() / "model", text, other, {});
    ASSERT_FALSE(rep);
    EXPECT_EQ(rep.error().code(), StatusCode::kUnauthenticated);
    EXPECT_HAS(rep.error().message(), "certificate chain does not verify");
    // Without the intermediate the leaf cannot reach the root.
    std::string no_intermediate = Edit(text, [](json::object& o) {
      o["verificationMaterial"]
          .as_object()["x509CertificateChain"]
          .as_object()["certificates"]
          .as_array()
          .pop_back();
    });
    rep = VerifyModel(Dir() / "model", no_intermediate, TrustFor(s), {});
    ASSERT_FALSE(rep);
    EXPECT_HAS(rep.error().message(), "unable to get local issuer certificate");
    // The intermediate presented as the signer: it chains, but it is a CA
    // certificate that cannot sign, and its key did not make the signature.
    std::string ca_as_leaf = Edit(text, [](json::object& o) {
      auto& certs =
          o["verificationMaterial"].as_object()["x509CertificateChain"].as_object()["certificates"];
      certs.as_array().erase(certs.as_array().begin());
    });
    rep = VerifyModel(Dir() / "model", ca_as_leaf, TrustFor(s), {});
    ASSERT_FALSE(rep);
    EXPECT_EQ(rep.error().code(), StatusCode::kUnauthenticated);
  }
}

TEST(OmsCompatTest, SwappedSignaturesFail) {
  // Each bundle's signature moved into every other bundle made by the same
  // key over another statement. (Bundles of one statement may share
  // signatures: DSSE signs the payload, not the verification material.)
  std::vector<const Shape*> p384;
  for (const Shape& s : kShapes) {
    if (s.key == nullptr || std::string_view(s.key) == "signing-key-pub.pem") p384.push_back(&s);
  }
  ASSERT_EQ(p384.size(), 7u);
  for (const Shape* from : p384) {
    for (const Shape* to : p384) {
      if (from == to) continue;
      SCOPED_TRACE(std::string(from->bundle) + " -> " + to->bundle);
      std::string text = WithSig(BundleText(*to), Sig(BundleText(*from)));
      auto rep =
          VerifyModel(Dir() / (to->single_file ? "model.bin" : "model"), text, TrustFor(*to), {});
      if (Payload(BundleText(*from)) == Payload(BundleText(*to))) {
        EXPECT_TRUE(rep) << rep.error().message();
        continue;
      }
      ASSERT_FALSE(rep);
      EXPECT_EQ(rep.error().code(), StatusCode::kUnauthenticated);
      EXPECT_HAS(rep.error().message(), "the DSSE signature does not verify");
    }
  }
}

TEST(OmsCompatTest, TruncatedBundlesFailToParse) {
  for (const Shape& s : kShapes) {
    SCOPED_TRACE(s.bundle);
    std::string text = BundleText(s);
    for (std::size_t n : {std::size_t{1}, text.size() / 3, text.size() / 2, text.size() - 3}) {
      auto rep = VerifyModel(Dir() / "model", text.substr(0, n), TrustFor(s), {});
      ASSERT_FALSE(rep);
      EXPECT_EQ(rep.error().code(), StatusCode::kInvalidArgument);
      EXPECT_HAS(rep.error().message(), "invalid OMS bundle: not JSON");
      EXPECT_HAS(rep.error().message(), "line 1, column");
    }
    // A truncated base64 payload is caught too.
    std::string payload = Payload(text);
    std::string cut = Edit(text, [&](json::object& o) {
      o["dsseEnvelope"].as_object()["payload"] =
          Base64Encode(payload).substr(0, Base64Encode(payload).size() - 5);
    });
    auto rep = VerifyModel(Dir() / "model", cut, TrustFor(s), {});
    ASSERT_FALSE(rep);
    EXPECT_HAS(rep.error().message(), "dsseEnvelope.payload is not base64");
  }
}

TEST(OmsCompatTest, TheStandardPaeIsNeverRelaxedToSha256) {
  auto rep = VerifyModel(Dir() / "model", Read(Dir() / "negative/v1.0-p384-sha256.sig"),
                         TrustFor(kShapes[6]), {});
  ASSERT_FALSE(rep);
  EXPECT_EQ(rep.error().code(), StatusCode::kUnauthenticated);
  EXPECT_HAS(rep.error().message(), "the DSSE signature does not verify");
}

TEST(OmsCompatTest, SigstoreMediaTypesAndKeylessShapes) {
  const Shape& cert = kShapes[2];
  for (const char* media : {"application/vnd.dev.sigstore.bundle+json;version=0.1",
                            "application/vnd.dev.sigstore.bundle+json;version=0.2",
                            "application/vnd.dev.sigstore.bundle+json;version=0.3"}) {
    SCOPED_TRACE(media);
    std::string text = Edit(BundleText(cert), [&](json::object& o) { o["mediaType"] = media; });
    auto rep = VerifyModel(Dir() / "model", text, TrustFor(cert), {});
    ASSERT_TRUE(rep) << rep.error().message();
    EXPECT_TRUE(rep->ok());
    EXPECT_EQ(Contains(rep->notes, "media type v0."),
              std::string_view(media).ends_with("0.1") || std::string_view(media).ends_with("0.2"));
    // Before v0.3 a chain with transparency-log entries is keyless signing.
    std::string keyless = Edit(text, [](json::object& o) {
      o["verificationMaterial"].as_object()["tlogEntries"] =
          json::array{json::object{{"logIndex", "1"}}};
    });
    auto b = ParseBundle(keyless);
    ASSERT_TRUE(b) << b.error().message();
    bool pre03 = !std::string_view(media).ends_with("0.3");
    EXPECT_EQ(b->method, pre03 ? SigningMethod::kSigstore : SigningMethod::kCertificate);
    rep = VerifyModel(Dir() / "model", keyless, TrustFor(cert), {});
    EXPECT_EQ(rep.has_value(), !pre03);
    if (pre03) {
      EXPECT_HAS(rep.error().message(), "keyless");
    }
  }
  auto b = ParseBundle(Edit(BundleText(cert), [](json::object& o) {
    o["mediaType"] = "application/vnd.dev.sigstore.bundle+json;version=0.4";
  }));
  ASSERT_FALSE(b);
  EXPECT_HAS(b.error().message(), "is not a Sigstore bundle (v0.1, v0.2 or v0.3)");
  b = ParseBundle(Edit(BundleText(cert), [](json::object& o) {
    o.erase("dsseEnvelope");
    o["messageSignature"] =
        json::object{{"messageDigest", json::object{{"algorithm", "SHA2_256"}}}};
  }));
  ASSERT_FALSE(b);
  EXPECT_HAS(b.error().message(), "messageSignature");
}

// Statement shapes, one requirement at a time.
std::string V1Statement(std::string_view resources, std::string_view serialization,
                        std::string_view root) {
  return std::string(R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"m",)") +
         R"("digest":{"sha256":")" + std::string(root) +
         R"("}}],"predicateType":"https://model_signing/signature/v1.0","predicate":{)" +
         R"("serialization":)" + std::string(serialization) + R"(,"resources":)" +
         std::string(resources) + "}}";
}

std::string Root(std::initializer_list<std::string> digests) {
  return *RootDigest(std::vector<std::string>(digests));
}

TEST(OmsCompatTest, OlderV1PredicateShapes) {
  const std::string d(64, 'a'), e(64, 'b');
  const std::string files = R"({"method":"files","hash_type":"sha256","allow_symlinks":false})";
  // An empty model: model_signing writes no resources and SHA-256("") as root.
  auto st = ParseStatement(V1Statement("[]", files, Root({})));
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->root_digest, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_TRUE(Contains(st->notes, "lists no resources"));
  // Names are read as POSIX paths.
  std::string two = R"([{"name":"./w//a.bin","digest":")" + d +
                    R"(","algorithm":"sha256"},{"name":"b/","digest":")" + e +
                    R"(","algorithm":"sha256"}])";
  st = ParseStatement(V1Statement(two, files, Root({d, e})));
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->resources[0].name, "w/a.bin");
  EXPECT_EQ(st->resources[1].name, "b");
  EXPECT_TRUE(Contains(st->notes, "'./w//a.bin' read as 'w/a.bin'"));
  // ... and may not leave the model, or name a file twice.
  for (const char* name : {"../secret", "/etc/passwd", "a/../../b"}) {
    SCOPED_TRACE(name);
    std::string r =
        std::string(R"([{"name":")") + name + R"(","digest":")" + d + R"(","algorithm":"sha256"}])";
    st = ParseStatement(V1Statement(r, files, Root({d})));
    ASSERT_FALSE(st);
    EXPECT_HAS(st.error().message(), "model directory");
  }
  std::string dup = R"([{"name":"a","digest":")" + d + R"(","algorithm":"sha256"},)" +
                    R"({"name":"./a","digest":")" + d + R"(","algorithm":"sha256"}])";
  st = ParseStatement(V1Statement(dup, files, Root({d, d})));
  ASSERT_FALSE(st);
  EXPECT_HAS(st.error().message(), "'a' is listed twice");
  // A digest of the wrong length for its algorithm.
  std::string short_digest = R"([{"name":"a","digest":"abcd","algorithm":"sha256"}])";
  st = ParseStatement(V1Statement(short_digest, files, Root({"abcd"})));
  ASSERT_FALSE(st);
  EXPECT_HAS(st.error().message(), "digest has 4 hex digits; sha256 has 64");
  // shard_size: integers, and integral floats (0.3 wrote 1000000000.0).
  std::string shard =
      R"([{"name":".:0:5","digest":")" + d + R"(","algorithm":"sha256-sharded-1000000000"}])";
  for (const char* size : {"1000000000", "1000000000.0", "1e9"}) {
    SCOPED_TRACE(size);
    std::string ser = std::string(R"({"method":"shards","hash_type":"sha256",)") +
                      R"("allow_symlinks":true,"shard_size":)" + size + "}";
    st = ParseStatement(V1Statement(shard, ser, Root({d})));
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(st->serialization.shard_size, 1000000000u);
    EXPECT_EQ(st->resources[0].name, ".:0:5");
  }
  for (const char* size : {"0", "-16", "16.5", "0.0", "1e300", "\"16\""}) {
    SCOPED_TRACE(size);
    std::string ser = std::string(R"({"method":"shards","hash_type":"sha256",)") +
                      R"("allow_symlinks":true,"shard_size":)" + size + "}";
    st = ParseStatement(V1Statement(shard, ser, Root({d})));
    ASSERT_FALSE(st);
    EXPECT_HAS(st.error().message(), "shard_size must be a positive integer");
  }
}

std::string V01Statement(std::string_view subjects) {
  return std::string(R"({"_type":"https://in-toto.io/Statement/v1","subject":)") +
         std::string(subjects) +
         R"(,"predicateType":"https://model_signing/Digests/v0.1","predicate":{"unused":"x"}})";
}

TEST(OmsCompatTest, DigestsV01StatementShapes) {
  const std::string d(64, 'c');
  auto subject = [&](std::string name, std::string extra) {
    return R"({"name":")" + name + R"(","digest":{"sha256":")" + d + R"("})" + extra + "}";
  };
  // Annotations are optional; file-sha256 and sha256 are the algorithms.
  auto st = ParseStatement(
      V01Statement("[" + subject("a", "") + "," +
                   subject("b", R"(,"annotations":{"actual_hash_algorithm":"sha256"})") + "]"));
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->predicate_type, kDigestsV01PredicateType);
  EXPECT_EQ(st->serialization.method, "files");
  EXPECT_EQ(st->serialization.hash_type, "sha256");
  EXPECT_FALSE(st->serialization.allow_symlinks);
  EXPECT_EQ(st->root_digest, Root({d, d}));
  struct Bad {
    std::string statement;
    const char* reason;
  };
  for (const Bad& b : {
           Bad{V01Statement("[]"), "subject must list the signed files"},
           Bad{V01Statement("[" +
                            subject("a", R"(,"annotations":{"actual_hash_algorithm":)"
                                         R"("file-blake2b"})") +
                            "]"),
               "other than file-sha256"},
           Bad{V01Statement("[" + subject("a", "") + "," + subject("./a", "") + "]"),
               "'a' is listed twice"},
           Bad{V01Statement("[" + subject("../a", "") + "]"), "climbs out of the model"},
           Bad{V01Statement(R"([{"name":"a","digest":{"sha512":")" + std::string(128, 'd') +
                            R"("}}])"),
               "needs digest.sha256"},
           Bad{V01Statement("[" + subject("a", R"(,"uri":"x")") + "]"),
               "unexpected subject field 'uri'"},
           Bad{std::string(R"({"_type":"https://in-toto.io/Statement/v1","subject":[)") +
                   subject("a", "") + R"(],"predicateType":"https://model_signing/Digests/v0.1"})",
               "predicate is missing"},
           // The 0.2 library's other payloads: model_signing itself refuses them.
           Bad{std::string(R"({"_type":"https://in-toto.io/Statement/v1","subject":[)") +
                   subject(".", "") +
                   R"(],"predicateType":"https://model_signing/DigestOfDigests/v0.1",)"
                   R"("predicate":{"files":[]}})",
               "no longer verifies"},
       }) {
    SCOPED_TRACE(b.statement);
    st = ParseStatement(b.statement);
    ASSERT_FALSE(st);
    EXPECT_HAS(st.error().message(), b.reason);
  }
}

TEST(OmsCompatTest, RawBytesKeysAreComparedAsKeys) {
  // 0.2/0.3 bundles carry the key as PEM; DER names the same key.
  const Shape& s = kShapes[3];
  auto der = Key("signing-key-pub.pem").Der();
  ASSERT_TRUE(der);
  std::string text = Edit(BundleText(s), [&](json::object& o) {
    o["verificationMaterial"].as_object()["publicKey"].as_object()["rawBytes"] = Base64Encode(*der);
  });
  auto rep = VerifyModel(Dir() / "model.bin", text, TrustFor(s), {});
  ASSERT_TRUE(rep) << rep.error().message();
  EXPECT_TRUE(rep->ok());
  text = Edit(BundleText(s), [&](json::object& o) {
    o["verificationMaterial"].as_object()["publicKey"].as_object()["rawBytes"] =
        Base64Encode(std::string("not a key"));
  });
  rep = VerifyModel(Dir() / "model.bin", text, TrustFor(s), {});
  ASSERT_FALSE(rep);
  EXPECT_HAS(rep.error().message(), "publicKey.rawBytes is not a usable public key");
}

}  // namespace
}  // namespace rampart::artifacts
