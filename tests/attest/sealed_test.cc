#include "attest/sealed.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/file.h"
#include "testing/testing.h"

namespace rampart::attest {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string Bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::string Slurp(const fs::path& p) { return *ReadFile(p, 1u << 30); }

void Spit(const fs::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << s;
}

class SealedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = dir_.path() / "model";
    fs::create_directories(model_ / "sub");
    Spit(model_ / "config.json", "{\"layers\": 2}\n");
    Spit(model_ / "weights.bin", Bytes(3 * 4096 + 17, 1));  // four chunks at 4 KiB
    Spit(model_ / "sub" / "tok.bin", Bytes(8192, 2));       // exactly two chunks
    Spit(model_ / "empty", "");
    fs::create_directories(model_ / ".git");
    Spit(model_ / ".git" / "HEAD", "ref");
    kek_ = *RandomKey();
    SealOptions o;
    o.resource = "models/tiny/key";
    o.chunk_size = 4096;
    auto s = Seal(model_, sealed(), kek_, o);
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    summary_ = *s;
    auto m = ReadSealedManifest(sealed());
    ASSERT_TRUE(m.has_value()) << m.error().ToString();
    manifest_ = *m;
    dk_ = *UnwrapDataKey(manifest_, kek_);
  }
  fs::path sealed() const { return dir_.path() / "sealed"; }
  fs::path out() const { return dir_.path() / "out"; }
  const SealedFile& File(std::string_view path) const {
    for (const auto& f : manifest_.files)
      if (f.path == path) return f;
    ADD_FAILURE() << "no " << path;
    return manifest_.files[0];
  }
  // Unseals and expects a refusal whose message contains `why`, with no output.
  void ExpectRefused(std::string_view why, const Key* key = nullptr) {
    auto r = Unseal(sealed(), out(), key ? *key : dk_);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message().find(why), std::string::npos) << r.error().ToString();
    EXPECT_FALSE(fs::exists(out()));
    for (const auto& e : fs::directory_iterator(dir_.path()))
      EXPECT_EQ(e.path().filename().string().find(".out.tmp"), std::string::npos) << e.path();
  }

  TempDir dir_;
  fs::path model_;
  Key kek_{}, dk_{};
  SealSummary summary_;
  SealedManifest manifest_;
};

TEST_F(SealedTest, RoundTripKeepsBytesAndOmsDigests) {
  EXPECT_EQ(summary_.files, 4u);
  ASSERT_EQ(manifest_.files.size(), 4u);
  // Sorted by byte order, .git skipped, the OMS per-file digest is the plaintext SHA-256.
  EXPECT_EQ(manifest_.files[0].path, "config.json");
  EXPECT_EQ(manifest_.files[1].path, "empty");
  EXPECT_EQ(manifest_.files[2].path, "sub/tok.bin");
  EXPECT_EQ(manifest_.files[3].path, "weights.bin");
  EXPECT_EQ(File("weights.bin").sha256, HexEncode(crypto::Sha256(Slurp(model_ / "weights.bin"))));
  crypto::Hasher root(crypto::HashAlgorithm::kSha256);
  for (const auto& f : manifest_.files) root.Update(*HexDecode(f.sha256));
  EXPECT_EQ(manifest_.root_digest, "sha256:" + HexEncode(root.Finish()));
  // No plaintext in the blobs.
  EXPECT_EQ(Slurp(sealed() / File("config.json").blob).find("layers"), std::string::npos);

  auto r = Unseal(sealed(), out(), dk_);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->root_digest, manifest_.root_digest);
  for (const char* p : {"config.json", "weights.bin", "sub/tok.bin", "empty"})
    EXPECT_EQ(Slurp(out() / p), Slurp(model_ / p)) << p;
  EXPECT_FALSE(fs::exists(out() / ".git"));
}

TEST_F(SealedTest, WrongKekIsRefusedByItsId) {
  Key other = *RandomKey();
  auto r = UnwrapDataKey(manifest_, other);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("key-encryption key"), std::string::npos);
}

TEST_F(SealedTest, WrongDataKeyFailsTheManifestMac) {
  Key other = *RandomKey();
  ExpectRefused("manifest MAC", &other);
}

TEST_F(SealedTest, FlippedByteIsRefused) {
  fs::path b = sealed() / File("weights.bin").blob;
  std::string s = Slurp(b);
  s[5000] ^= 1;
  Spit(b, s);
  ExpectRefused("weights.bin) chunk 1: authentication failed");
}

TEST_F(SealedTest, FlippedTagIsRefused) {
  fs::path b = sealed() / File("config.json").blob;
  std::string s = Slurp(b);
  s.back() ^= 0x80;
  Spit(b, s);
  ExpectRefused("config.json) chunk 0: authentication failed");
}

TEST_F(SealedTest, TruncationIsRefused) {
  fs::path b = sealed() / File("weights.bin").blob;
  std::string s = Slurp(b);
  Spit(b, s.substr(0, s.size() - (17 + 16)));  // the last chunk dropped
  ExpectRefused("truncated or extended");
}

TEST_F(SealedTest, ExtensionIsRefused) {
  fs::path b = sealed() / File("config.json").blob;
  Spit(b, Slurp(b) + "x");
  ExpectRefused("truncated or extended");
}

TEST_F(SealedTest, SwappedChunksAreRefused) {
  fs::path b = sealed() / File("sub/tok.bin").blob;  // two full chunks of 4096+16
  std::string s = Slurp(b);
  ASSERT_EQ(s.size(), 2u * (4096 + 16));
  Spit(b, s.substr(4112) + s.substr(0, 4112));
  ExpectRefused("tok.bin) chunk 0: authentication failed");
}

TEST_F(SealedTest, ChunkFromAnotherFileIsRefused) {
  // weights.bin chunk 0 and tok.bin chunk 0 have the same length.
  fs::path w = sealed() / File("weights.bin").blob, t = sealed() / File("sub/tok.bin").blob;
  std::string ws = Slurp(w), ts = Slurp(t);
  Spit(t, ws.substr(0, 4112) + ts.substr(4112));
  ExpectRefused("tok.bin) chunk 0: authentication failed");
}

TEST_F(SealedTest, SwappedFilesAreRefused) {
  // Swap two blobs and their manifest sizes cannot follow (the MAC): the
  // lengths differ, or the path binding fails.
  fs::path a = sealed() / File("sub/tok.bin").blob, b = sealed() / File("weights.bin").blob;
  std::string as = Slurp(a), bs = Slurp(b);
  Spit(a, bs);
  Spit(b, as);
  ExpectRefused("truncated or extended");
}

TEST_F(SealedTest, SameSizeFileSwapFailsThePathBinding) {
  // Two sealings of one model under one data key never happen, so build the
  // swap inside one seal: a model with two files of equal size.
  TempDir d;
  fs::create_directories(d.path() / "m");
  Spit(d.path() / "m" / "a", Bytes(100, 3));
  Spit(d.path() / "m" / "b", Bytes(100, 4));
  SealOptions o;
  o.resource = "r/t/g";
  ASSERT_TRUE(Seal(d.path() / "m", d.path() / "s", kek_, o).has_value());
  auto m = *ReadSealedManifest(d.path() / "s");
  Key dk = *UnwrapDataKey(m, kek_);
  std::string a = Slurp(d.path() / "s" / "blobs/000000"),
              b = Slurp(d.path() / "s" / "blobs/000001");
  Spit(d.path() / "s" / "blobs/000000", b);
  Spit(d.path() / "s" / "blobs/000001", a);
  auto r = Unseal(d.path() / "s", d.path() / "o", dk);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("blobs/000000 (a) chunk 0: authentication failed"),
            std::string::npos)
      << r.error().ToString();
  EXPECT_FALSE(fs::exists(d.path() / "o"));
}

TEST_F(SealedTest, ExtraAndMissingFilesAreRefused) {
  Spit(sealed() / "blobs" / "000099", "x");
  ExpectRefused("unexpected blob 'blobs/000099'");
  fs::remove(sealed() / "blobs" / "000099");
  Spit(sealed() / "README", "x");
  ExpectRefused("unexpected entry 'README'");
  fs::remove(sealed() / "README");
  fs::remove(sealed() / File("config.json").blob);
  ExpectRefused("missing or not a regular file");
}

TEST_F(SealedTest, EditedManifestFailsTheMac) {
  SealedManifest m = manifest_;
  m.files[0].size += 1;
  ASSERT_TRUE(WriteFileAtomic(sealed() / kManifestName, SerializeSealedManifest(m)).ok());
  ExpectRefused("manifest MAC");
  m = manifest_;
  m.resource = "models/other/key";
  ASSERT_TRUE(WriteFileAtomic(sealed() / kManifestName, SerializeSealedManifest(m)).ok());
  ExpectRefused("manifest MAC");
}

TEST_F(SealedTest, ExistingOutputIsRefused) {
  fs::create_directories(out());
  auto r = Unseal(sealed(), out(), dk_);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("exists"), std::string::npos);
}

TEST(SealedManifest, ParserRefusesBadInput) {
  auto bad = [](std::string_view text, std::string_view why) {
    auto r = ParseSealedManifest(text);
    ASSERT_FALSE(r.has_value()) << text;
    EXPECT_NE(r.error().message().find(why), std::string::npos) << r.error().ToString();
  };
  bad("[]", "must be a JSON object");
  bad("{\"format\":\"x\"}", "format 'x'");
  bad("{\"format\":\"rampart-sealed-v1\",\"zzz\":1}", "unknown member 'zzz'");
  bad("{\"format\":\"rampart-sealed-v1\",\"resource\":\"a/../b\"}", "'..'");
}

TEST(ResourcePath, Rules) {
  EXPECT_TRUE(CheckResourcePath("models/llama-3.1/key_v2").ok());
  EXPECT_FALSE(CheckResourcePath("models/../key").ok());
  EXPECT_FALSE(CheckResourcePath("models/./key").ok());
  EXPECT_FALSE(CheckResourcePath("models//key").ok());
  EXPECT_FALSE(CheckResourcePath("models/a b/key").ok());
  EXPECT_FALSE(CheckResourcePath("models/%2e%2e/key").ok());
  EXPECT_FALSE(CheckResourcePath("a/b").ok());
  EXPECT_FALSE(CheckResourcePath("a/b/c/d").ok());
}

TEST(KeyFiles, KindsAreNotConfused) {
  Key k = *RandomKey();
  std::string text = FormatKeyFile(KeyKind::kKek, k);
  auto back = ParseKeyFile(text, KeyKind::kKek, "kek");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, k);
  auto wrong = ParseKeyFile(text, KeyKind::kDataKey, "kek");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_NE(wrong.error().message().find("key-encryption key"), std::string::npos);
  EXPECT_FALSE(ParseKeyFile("rampart-kek-v1 AAAA", KeyKind::kKek, "x").has_value());
}

TEST(AesKw, Rfc3394Vector) {
  // RFC 3394 §4.6: 256-bit KEK, 256-bit key data.
  auto kek_b = *HexDecode("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
  auto data = *HexDecode("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F");
  Key kek;
  std::copy(kek_b.begin(), kek_b.end(), kek.begin());
  auto w = AesKwWrap(kek, data);
  EXPECT_EQ(HexEncode(w),
            "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21");
  EXPECT_EQ(*AesKwUnwrap(kek, w), data);
  w[3] ^= 1;
  EXPECT_FALSE(AesKwUnwrap(kek, w).has_value());
}

}  // namespace
}  // namespace rampart::attest
