#include "core/crypto.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/encoding.h"

namespace rampart::crypto {
namespace {

using namespace std::literals;
using std::chrono::system_clock;

#define ASSERT_OK(expr)                                          \
  do {                                                           \
    ::rampart::Status _st = ::rampart::internal::ToStatus(expr); \
    ASSERT_TRUE(_st.ok()) << #expr << " -> " << _st.ToString();  \
  } while (0)
#define EXPECT_OK(expr)                                          \
  do {                                                           \
    ::rampart::Status _st = ::rampart::internal::ToStatus(expr); \
    EXPECT_TRUE(_st.ok()) << #expr << " -> " << _st.ToString();  \
  } while (0)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(RAMPART_CONCAT_(_result_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr)                            \
  auto tmp = (expr);                                                          \
  ASSERT_TRUE(tmp.has_value()) << #expr << " -> " << tmp.status().ToString(); \
  lhs = std::move(*tmp)

// Status codes by name, so failures print readably.
std::string_view Code(const Status& s) { return StatusCodeName(s.code()); }
template <typename T>
std::string_view Code(const Result<T>& r) {
  return StatusCodeName(r.status().code());
}

Bytes Hex(std::string_view hex) {
  auto r = HexDecode(hex);
  EXPECT_TRUE(r.has_value()) << "bad hex in test vector: " << hex;
  return r.has_value() ? *r : Bytes{};
}

std::string ToHex(ByteView b) { return HexEncode(b); }

Bytes Concat(ByteView a, ByteView b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// The DER inside a single-block PEM.
Bytes PemBody(std::string_view pem) {
  std::string b64;
  std::size_t start = pem.find('\n', pem.find("-----BEGIN ")) + 1;
  std::size_t end = pem.find("-----END ");
  for (char c : pem.substr(start, end - start)) {
    if (c != '\n') b64 += c;
  }
  auto r = Base64Decode(b64);
  EXPECT_TRUE(r.has_value());
  return r.has_value() ? *r : Bytes{};
}

// ---- Digests: FIPS 180-4 examples (NIST CSRC "Examples with intermediate values")

constexpr std::string_view k448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
constexpr std::string_view k896 =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopq"
    "rsmnopqrstnopqrstu";

struct DigestVector {
  HashAlgorithm algorithm;
  std::string_view message;
  std::string_view digest;
};

const DigestVector kDigestVectors[] = {
    {HashAlgorithm::kSha256, "abc",
     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {HashAlgorithm::kSha256, "",
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {HashAlgorithm::kSha256, k448,
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {HashAlgorithm::kSha256, k896,
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    {HashAlgorithm::kSha384, "abc",
     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c82"
     "5"
     "a7"},
    {HashAlgorithm::kSha384, "",
     "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b"
     "9"
     "5b"},
    {HashAlgorithm::kSha384, k448,
     "3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c84"
     "5"
     "2b"},
    {HashAlgorithm::kSha384, k896,
     "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746"
     "0"
     "39"},
    {HashAlgorithm::kSha512, "abc",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fee"
     "b"
     "bd454d4423643ce80e2a9ac94fa54ca49f"},
    {HashAlgorithm::kSha512, "",
     "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877ee"
     "c"
     "2f63b931bd47417a81a538327af927da3e"},
    {HashAlgorithm::kSha512, k448,
     "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789"
     "c"
     "a031ad85c7a71dd70354ec631238ca3445"},
    {HashAlgorithm::kSha512, k896,
     "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b54"
     "3"
     "3ac7d329eeb6dd26545e96e55b874be909"},
};

TEST(DigestTest, Fips180Examples) {
  for (const DigestVector& v : kDigestVectors) {
    SCOPED_TRACE(std::string(HashAlgorithmName(v.algorithm)) + "(\"" + std::string(v.message) +
                 "\")");
    Bytes one_shot = Digest(v.algorithm, AsBytes(v.message));
    EXPECT_EQ(ToHex(one_shot), v.digest);
    EXPECT_EQ(one_shot.size(), DigestSize(v.algorithm));

    Hasher whole(v.algorithm);
    whole.Update(v.message);
    EXPECT_EQ(ToHex(whole.Finish()), v.digest);

    Hasher bytewise(v.algorithm);
    for (char c : v.message) bytewise.Update(std::string_view(&c, 1));
    EXPECT_EQ(ToHex(bytewise.Finish()), v.digest);

    // Every two-piece split, which crosses each block boundary once.
    for (std::size_t cut = 0; cut <= v.message.size(); ++cut) {
      Hasher split(v.algorithm);
      split.Update(v.message.substr(0, cut));
      split.Update(ByteView{});
      split.Update(v.message.substr(cut));
      ASSERT_EQ(ToHex(split.Finish()), v.digest) << "cut at " << cut;
    }

    if (v.algorithm == HashAlgorithm::kSha256) {
      Sha256Digest d = Sha256(v.message);
      EXPECT_EQ(ToHex(d), v.digest);
      // The two-part form, at every cut (an empty part on either side too).
      for (std::size_t cut = 0; cut <= v.message.size(); ++cut) {
        ASSERT_EQ(ToHex(Sha256(AsBytes(v.message.substr(0, cut)), AsBytes(v.message.substr(cut)))),
                  v.digest)
            << "cut at " << cut;
      }
    }
  }
}

TEST(DigestTest, OneMillionA) {
  const std::pair<HashAlgorithm, std::string_view> kExpected[] = {
      {HashAlgorithm::kSha256, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
      {HashAlgorithm::kSha384,
       "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3"
       "d"
       "8985"},
      {HashAlgorithm::kSha512,
       "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce57"
       "7"
       "c31beb009c5c2c49aa2e4eadb217ad8cc09b"},
  };
  const std::string million(1'000'000, 'a');
  for (auto [algorithm, expected] : kExpected) {
    SCOPED_TRACE(HashAlgorithmName(algorithm));
    // 997 is prime: chunks straddle the 64- and 128-byte block boundaries.
    Hasher hasher(algorithm);
    std::string_view rest = million;
    while (!rest.empty()) {
      std::size_t n = std::min<std::size_t>(997, rest.size());
      hasher.Update(rest.substr(0, n));
      rest.remove_prefix(n);
    }
    EXPECT_EQ(ToHex(hasher.Finish()), expected);
    EXPECT_EQ(ToHex(Digest(algorithm, AsBytes(million))), expected);
    if (algorithm == HashAlgorithm::kSha256) {
      EXPECT_EQ(ToHex(Sha256(million)), expected);
    }
  }
}

TEST(DigestTest, NamesAndSizes) {
  EXPECT_EQ(HashAlgorithmName(HashAlgorithm::kSha256), "sha256");
  EXPECT_EQ(HashAlgorithmName(HashAlgorithm::kSha384), "sha384");
  EXPECT_EQ(HashAlgorithmName(HashAlgorithm::kSha512), "sha512");
  EXPECT_EQ(DigestSize(HashAlgorithm::kSha256), 32u);
  EXPECT_EQ(DigestSize(HashAlgorithm::kSha384), 48u);
  EXPECT_EQ(DigestSize(HashAlgorithm::kSha512), 64u);
}

TEST(DigestTest, HasherMovesMidStream) {
  Hasher a(HashAlgorithm::kSha256);
  a.Update("a");
  Hasher b(std::move(a));
  b.Update("b");
  Hasher c(HashAlgorithm::kSha512);
  c = std::move(b);
  c.Update("c");
  EXPECT_EQ(c.algorithm(), HashAlgorithm::kSha256);
  EXPECT_EQ(ToHex(c.Finish()), kDigestVectors[0].digest);
}

TEST(DigestDeathTest, FinishTwiceAborts) {
  EXPECT_DEATH(
      {
        Hasher h(HashAlgorithm::kSha256);
        (void)h.Finish();
        (void)h.Finish();
      },
      "Finish");
}

// ---- HMAC: RFC 4231 §4.2-4.8 (test case 5, truncated output, is not applicable)

struct HmacVector {
  int test_case;
  Bytes key;
  Bytes data;
  std::string_view sha256, sha384, sha512;
};

std::vector<HmacVector> Rfc4231Vectors() {
  Bytes key4;
  for (int i = 1; i <= 25; ++i) key4.push_back(static_cast<std::uint8_t>(i));
  auto str = [](std::string_view s) { return Bytes(s.begin(), s.end()); };
  return {
      {1, Bytes(20, 0x0b), str("Hi There"),
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
       "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2f"
       "a"
       "9cb6",
       "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea"
       "3"
       "f4e4be9d914eeb61f1702e696c203a126854"},
      {2, str("Jefe"), str("what do ya want for nothing?"),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
       "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab"
       "2"
       "1649",
       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f"
       "0"
       "e6fdcaeab1a34d4a6b4b636e070a38bce737"},
      {3, Bytes(20, 0xaa), Bytes(50, 0xdd),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
       "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a"
       "3"
       "4f27",
       "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e6"
       "7"
       "c807b946a337bee8942674278859e13292fb"},
      {4, key4, Bytes(50, 0xcd), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
       "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c67"
       "4"
       "cffb",
       "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc57"
       "8"
       "8063a5f19741120c4f2de2adebeb10a298dd"},
      {6, Bytes(131, 0xaa), str("Test Using Larger Than Block-Size Key - Hash Key First"),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
       "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f"
       "4"
       "4952",
       "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6"
       "a"
       "1e5295e64f73f63f0aec8b915a985d786598"},
      {7, Bytes(131, 0xaa),
       str("This is a test using a larger than block-size key and a larger than block-size data. "
           "The "
           "key needs to be hashed before being used by the HMAC algorithm."),
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
       "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c4"
       "6"
       "523e",
       "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e"
       "4"
       "de15134676fb6de0446065c97440fa8c6a58"},
  };
}

TEST(HmacTest, Rfc4231) {
  for (const HmacVector& v : Rfc4231Vectors()) {
    SCOPED_TRACE("RFC 4231 test case " + std::to_string(v.test_case));
    EXPECT_EQ(ToHex(Hmac(HashAlgorithm::kSha256, v.key, v.data)), v.sha256);
    EXPECT_EQ(ToHex(Hmac(HashAlgorithm::kSha384, v.key, v.data)), v.sha384);
    EXPECT_EQ(ToHex(Hmac(HashAlgorithm::kSha512, v.key, v.data)), v.sha512);
  }
}

TEST(HmacTest, EmptyKeyAndData) {
  // An empty key is legal HMAC; the result is HMAC with a block of zeros.
  Bytes zeros(64, 0);
  EXPECT_EQ(Hmac(HashAlgorithm::kSha256, ByteView{}, AsBytes("x")),
            Hmac(HashAlgorithm::kSha256, ByteView(zeros).first(1), AsBytes("x")));
  EXPECT_EQ(Hmac(HashAlgorithm::kSha256, AsBytes("k"), ByteView{}).size(), 32u);
}

// ---- Randomness and comparison ---------------------------------------------

TEST(ConstantTimeEqualTest, Compares) {
  EXPECT_TRUE(ConstantTimeEqual("", ""));
  EXPECT_TRUE(ConstantTimeEqual("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEqual("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEqual("Secret", "secret"));
  EXPECT_FALSE(ConstantTimeEqual("secret", "secret2"));
  EXPECT_FALSE(ConstantTimeEqual("", "x"));
  Bytes a = Hex("00ff00"), b = Hex("00ff01");
  EXPECT_TRUE(ConstantTimeEqual(ByteView(a), ByteView(a)));
  EXPECT_FALSE(ConstantTimeEqual(ByteView(a), ByteView(b)));
}

TEST(RandomBytesTest, LengthsAndDistinctness) {
  for (std::size_t n : {0u, 1u, 16u, 32u, 1000u}) {
    ASSERT_OK_AND_ASSIGN(Bytes r, RandomBytes(n));
    EXPECT_EQ(r.size(), n);
  }
  ASSERT_OK_AND_ASSIGN(Bytes a, RandomBytes(32));
  ASSERT_OK_AND_ASSIGN(Bytes b, RandomBytes(32));
  EXPECT_NE(a, b);
  std::array<std::uint8_t, 32> buf{};
  ASSERT_OK(RandomBytes(std::span<std::uint8_t>(buf)));
  EXPECT_NE(ToHex(buf), std::string(64, '0'));
}

// ---- AES-256-GCM: McGrew & Viega, "The Galois/Counter Mode of Operation",
// test cases 13-16 (the 256-bit-key cases).

struct GcmVector {
  int test_case;
  std::string_view key, nonce, plaintext, aad, ciphertext, tag;
};

constexpr std::string_view kGcmKey =
    "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
constexpr std::string_view kGcmNonce = "cafebabefacedbaddecaf888";
const GcmVector kGcmVectors[] = {
    {13, "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {14, "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "00000000000000000000000000000000", "",
     "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {15, kGcmKey, kGcmNonce,
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b"
     "5"
     "25b16aedf5aa0de657ba637b391aafd255",
     "",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828"
     "838"
     "c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {16, kGcmKey, kGcmNonce,
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b"
     "5"
     "25b16aedf5aa0de657ba637b39",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828"
     "838"
     "c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

TEST(AesGcmTest, McGrewViegaVectors) {
  for (const GcmVector& v : kGcmVectors) {
    SCOPED_TRACE("GCM test case " + std::to_string(v.test_case));
    Bytes key = Hex(v.key), nonce = Hex(v.nonce), plaintext = Hex(v.plaintext), aad = Hex(v.aad);
    ASSERT_OK_AND_ASSIGN(Bytes sealed, AesGcmSeal(key, nonce, plaintext, aad));
    EXPECT_EQ(ToHex(sealed), std::string(v.ciphertext) + std::string(v.tag));
    ASSERT_OK_AND_ASSIGN(Bytes opened, AesGcmOpen(key, nonce, sealed, aad));
    EXPECT_EQ(opened, plaintext);
  }
}

TEST(AesGcmTest, AnyAlterationIsCorruption) {
  const GcmVector& v = kGcmVectors[3];  // has plaintext and AAD
  Bytes key = Hex(v.key), nonce = Hex(v.nonce), aad = Hex(v.aad);
  ASSERT_OK_AND_ASSIGN(Bytes sealed, AesGcmSeal(key, nonce, Hex(v.plaintext), aad));
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    for (std::uint8_t bit : {0x01, 0x80}) {
      Bytes altered = sealed;
      altered[i] ^= bit;
      auto r = AesGcmOpen(key, nonce, altered, aad);
      ASSERT_EQ(Code(r), "Corruption") << "byte " << i << " of ciphertext||tag";
    }
  }
  for (std::size_t i = 0; i < aad.size(); ++i) {
    Bytes altered = aad;
    altered[i] ^= 0x01;
    ASSERT_EQ(Code(AesGcmOpen(key, nonce, sealed, altered)), "Corruption") << "aad byte " << i;
  }
  EXPECT_EQ(Code(AesGcmOpen(key, nonce, sealed)), "Corruption");  // AAD dropped
  EXPECT_EQ(Code(AesGcmOpen(key, nonce, sealed, Concat(aad, Hex("00")))), "Corruption");
  EXPECT_EQ(Code(AesGcmOpen(key, nonce, ByteView(sealed).first(sealed.size() - 1), aad)),
            "Corruption");
  EXPECT_EQ(Code(AesGcmOpen(key, nonce, Concat(sealed, Hex("00")), aad)), "Corruption");
  EXPECT_EQ(Code(AesGcmOpen(key, nonce, ByteView(sealed).first(15), aad)), "Corruption");
  EXPECT_EQ(Code(AesGcmOpen(key, nonce, ByteView{}, aad)), "Corruption");

  Bytes other_key = key, other_nonce = nonce;
  other_key[0] ^= 1;
  other_nonce[11] ^= 1;
  EXPECT_EQ(Code(AesGcmOpen(other_key, nonce, sealed, aad)), "Corruption");
  EXPECT_EQ(Code(AesGcmOpen(key, other_nonce, sealed, aad)), "Corruption");
  EXPECT_EQ(ERR_peek_error(), 0u) << "OpenSSL error queue left dirty";
}

TEST(AesGcmTest, WrongSizesAreInvalidArgument) {
  Bytes key(32, 1), nonce(12, 2), msg = {1, 2, 3};
  for (std::size_t bad_key : {0u, 16u, 24u, 31u, 33u}) {
    EXPECT_EQ(Code(AesGcmSeal(Bytes(bad_key, 1), nonce, msg)), "InvalidArgument") << bad_key;
    EXPECT_EQ(Code(AesGcmOpen(Bytes(bad_key, 1), nonce, Bytes(32, 0))), "InvalidArgument");
  }
  for (std::size_t bad_nonce : {0u, 8u, 11u, 13u, 16u}) {
    EXPECT_EQ(Code(AesGcmSeal(key, Bytes(bad_nonce, 2), msg)), "InvalidArgument") << bad_nonce;
    EXPECT_EQ(Code(AesGcmOpen(key, Bytes(bad_nonce, 2), Bytes(32, 0))), "InvalidArgument");
  }
}

TEST(AesGcmTest, RoundTripsLargerInput) {
  ASSERT_OK_AND_ASSIGN(Bytes key, RandomBytes(kAesGcmKeySize));
  ASSERT_OK_AND_ASSIGN(Bytes nonce, RandomBytes(kAesGcmNonceSize));
  ASSERT_OK_AND_ASSIGN(Bytes plaintext, RandomBytes(100'003));
  ASSERT_OK_AND_ASSIGN(Bytes sealed, AesGcmSeal(key, nonce, plaintext, AsBytes("context")));
  EXPECT_EQ(sealed.size(), plaintext.size() + kAesGcmTagSize);
  ASSERT_OK_AND_ASSIGN(Bytes opened, AesGcmOpen(key, nonce, sealed, AsBytes("context")));
  EXPECT_EQ(opened, plaintext);
}

// ---- Ed25519: RFC 8032 §7.1 -------------------------------------------------

struct Ed25519Vector {
  std::string_view name, seed, public_key, message, signature;
};

const Ed25519Vector kEd25519Vectors[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b"
     "4"
     "6bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11"
     "d"
     "8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc"
     "6"
     "594a7c15e9716ed28dc027beceea1ec40a"},
    {"TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fee"
     "b"
     "bd454d4423643ce80e2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e"
     "0"
     "303dca179c138ac17ad9bef1177331a704"},
};

TEST(Ed25519Test, Rfc8032Vectors) {
  for (const Ed25519Vector& v : kEd25519Vectors) {
    SCOPED_TRACE(v.name);
    Bytes message = Hex(v.message), expected_sig = Hex(v.signature);
    ASSERT_OK_AND_ASSIGN(PrivateKey priv, PrivateKey::FromRawEd25519Seed(Hex(v.seed)));
    EXPECT_EQ(priv.type(), KeyType::kEd25519);
    ASSERT_OK_AND_ASSIGN(Bytes raw_pub, priv.public_key().RawEd25519());
    EXPECT_EQ(ToHex(raw_pub), v.public_key);

    ASSERT_OK_AND_ASSIGN(Bytes sig, priv.Sign(message));
    EXPECT_EQ(ToHex(sig), v.signature);
    // Format and hash do not apply to PureEdDSA.
    ASSERT_OK_AND_ASSIGN(Bytes sig_raw,
                         priv.Sign(message, SignatureFormat::kRaw, HashAlgorithm::kSha512));
    EXPECT_EQ(sig_raw, expected_sig);

    ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromRawEd25519(Hex(v.public_key)));
    EXPECT_EQ(pub.type(), KeyType::kEd25519);
    EXPECT_OK(pub.Verify(message, expected_sig));
    EXPECT_OK(pub.Verify(message, expected_sig, SignatureFormat::kRaw, HashAlgorithm::kSha384));

    for (std::size_t i : {0u, 13u, 31u, 32u, 50u, 63u}) {
      Bytes bad = expected_sig;
      bad[i] ^= 0x01;
      EXPECT_EQ(Code(pub.Verify(message, bad)), "Unauthenticated") << "flipped sig byte " << i;
    }
    Bytes other_message = message.empty() ? Hex("00") : message;
    if (!message.empty()) other_message[0] ^= 0x01;
    EXPECT_EQ(Code(pub.Verify(other_message, expected_sig)), "Unauthenticated");
    EXPECT_EQ(Code(pub.Verify(message, ByteView(expected_sig).first(63))), "InvalidArgument");
    EXPECT_EQ(Code(pub.Verify(message, Concat(expected_sig, Hex("00")))), "InvalidArgument");
  }
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(Ed25519Test, RawKeySizesChecked) {
  EXPECT_EQ(Code(PrivateKey::FromRawEd25519Seed(Bytes(31, 1))), "InvalidArgument");
  EXPECT_EQ(Code(PublicKey::FromRawEd25519(Bytes(33, 1))), "InvalidArgument");
  ASSERT_OK_AND_ASSIGN(PrivateKey ec, PrivateKey::Generate(KeyType::kEcdsaP256));
  EXPECT_EQ(Code(ec.public_key().RawEd25519()), "InvalidArgument");
}

// ---- ECDSA: RFC 6979 §A.2.5 (P-256) and §A.2.6 (P-384), message "sample" --

struct EcdsaVector {
  KeyType curve;
  HashAlgorithm hash;
  std::string_view ux, uy, r, s;
  std::size_t der_size;  // both r and s have the top bit set: two 0x00 pads
};

const EcdsaVector kRfc6979[] = {
    {KeyType::kEcdsaP256, HashAlgorithm::kSha256,
     "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6",
     "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299",
     "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
     "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8", 2 + 2 * (2 + 33)},
    {KeyType::kEcdsaP384, HashAlgorithm::kSha384,
     "EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64DEF8F0EA9055866064A254515480"
     "BC13",
     "8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD253326"
     "4720",
     "94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FA"
     "BE46",
     "99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A3862"
     "8AC8",
     2 + 2 * (2 + 49)},
};

TEST(EcdsaTest, Rfc6979KnownGood) {
  for (const EcdsaVector& v : kRfc6979) {
    SCOPED_TRACE(KeyTypeName(v.curve));
    const std::size_t size = v.curve == KeyType::kEcdsaP256 ? 32 : 48;
    ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromEcPoint(v.curve, Hex(v.ux), Hex(v.uy)));
    EXPECT_EQ(pub.type(), v.curve);
    EXPECT_EQ(pub.default_hash(), v.hash);

    Bytes raw = Concat(Hex(v.r), Hex(v.s));
    ASSERT_OK_AND_ASSIGN(Bytes der, EcdsaRawToDer(raw));
    EXPECT_EQ(der.size(), v.der_size);
    EXPECT_EQ(der[0], 0x30);
    ASSERT_OK_AND_ASSIGN(Bytes back, EcdsaDerToRaw(der, size));
    EXPECT_EQ(back, raw);

    const ByteView sample = AsBytes("sample");
    EXPECT_OK(pub.Verify(sample, raw, SignatureFormat::kRaw));
    EXPECT_OK(pub.Verify(sample, der));  // DER is the default format
    EXPECT_OK(pub.Verify(sample, der, SignatureFormat::kDer, v.hash));

    EXPECT_EQ(Code(pub.Verify(AsBytes("samplf"), der)), "Unauthenticated");
    EXPECT_EQ(
        Code(pub.Verify(AsBytes("sample"), der, SignatureFormat::kDer, HashAlgorithm::kSha512)),
        "Unauthenticated");
    Bytes bad = raw;
    bad[size - 1] ^= 0x01;  // last byte of r
    EXPECT_EQ(Code(pub.Verify(sample, bad, SignatureFormat::kRaw)), "Unauthenticated");

    // Each encoding is accepted only in its own format.
    EXPECT_EQ(Code(pub.Verify(sample, raw, SignatureFormat::kDer)), "InvalidArgument");
    EXPECT_EQ(Code(pub.Verify(sample, der, SignatureFormat::kRaw)), "InvalidArgument");
    EXPECT_EQ(Code(pub.Verify(sample, ByteView(raw).first(raw.size() - 1), SignatureFormat::kRaw)),
              "InvalidArgument");
    EXPECT_EQ(Code(pub.Verify(sample, Concat(der, Hex("00")))), "InvalidArgument");
  }
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(EcdsaTest, RejectsNonCanonicalDer) {
  const EcdsaVector& v = kRfc6979[0];
  ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromEcPoint(v.curve, Hex(v.ux), Hex(v.uy)));
  ASSERT_OK_AND_ASSIGN(Bytes der, EcdsaRawToDer(Concat(Hex(v.r), Hex(v.s))));
  // The same SEQUENCE with a long-form length (0x81 0x44) is valid BER, not DER.
  Bytes long_form = {0x30, 0x81, der[1]};
  long_form.insert(long_form.end(), der.begin() + 2, der.end());
  EXPECT_EQ(Code(pub.Verify(AsBytes("sample"), long_form)), "InvalidArgument");
  EXPECT_EQ(Code(EcdsaDerToRaw(long_form, 32)), "InvalidArgument");
  // r with an extra, non-minimal 0x00 pad.
  Bytes padded = {0x30, static_cast<std::uint8_t>(der[1] + 1), 0x02, 0x22, 0x00};
  padded.insert(padded.end(), der.begin() + 4, der.end());
  EXPECT_EQ(Code(EcdsaDerToRaw(padded, 32)), "InvalidArgument");
  EXPECT_EQ(Code(EcdsaDerToRaw(Hex("3006020101020101"), 0)), "InvalidArgument");
  EXPECT_EQ(Code(EcdsaDerToRaw(ByteView{}, 32)), "InvalidArgument");
  EXPECT_EQ(Code(EcdsaDerToRaw(Hex("deadbeef"), 32)), "InvalidArgument");
  // A P-384-sized component does not fit P-256.
  EXPECT_EQ(Code(EcdsaDerToRaw(*EcdsaRawToDer(Bytes(96, 0x7f)), 32)), "InvalidArgument");
  EXPECT_EQ(Code(EcdsaRawToDer(Bytes(63, 1))), "InvalidArgument");
  EXPECT_EQ(Code(EcdsaRawToDer(ByteView{})), "InvalidArgument");
  // Small components come back left-padded.
  ASSERT_OK_AND_ASSIGN(Bytes raw, EcdsaDerToRaw(Hex("3006020101020102"), 32));
  EXPECT_EQ(raw.size(), 64u);
  EXPECT_EQ(raw[31], 1);
  EXPECT_EQ(raw[63], 2);
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(EcdsaTest, ZeroSignatureDoesNotVerify) {
  const EcdsaVector& v = kRfc6979[0];
  ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromEcPoint(v.curve, Hex(v.ux), Hex(v.uy)));
  Status s = pub.Verify(AsBytes("sample"), Bytes(64, 0), SignatureFormat::kRaw);
  EXPECT_FALSE(s.ok());
}

TEST(EcdsaTest, FromEcPointValidates) {
  const EcdsaVector& v = kRfc6979[0];
  Bytes x = Hex(v.ux), y = Hex(v.uy);
  Bytes off_curve = y;
  off_curve.back() ^= 0x01;
  EXPECT_EQ(Code(PublicKey::FromEcPoint(KeyType::kEcdsaP256, x, off_curve)), "InvalidArgument");
  EXPECT_EQ(Code(PublicKey::FromEcPoint(KeyType::kEcdsaP256, ByteView(x).subspan(1), y)),
            "InvalidArgument");
  EXPECT_EQ(Code(PublicKey::FromEcPoint(KeyType::kEcdsaP384, x, y)), "InvalidArgument");
  EXPECT_EQ(Code(PublicKey::FromEcPoint(KeyType::kEd25519, x, y)), "InvalidArgument");
  EXPECT_EQ(Code(PublicKey::FromEcPoint(KeyType::kEcdsaP256, Bytes(32, 0), Bytes(32, 0))),
            "InvalidArgument");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

// ---- Sign/verify round trips with generated keys ---------------------------

TEST(SignatureTest, GeneratedKeysRoundTrip) {
  for (KeyType type :
       {KeyType::kEd25519, KeyType::kEcdsaP256, KeyType::kEcdsaP384, KeyType::kRsa}) {
    SCOPED_TRACE(KeyTypeName(type));
    ASSERT_OK_AND_ASSIGN(PrivateKey priv, PrivateKey::Generate(type));
    EXPECT_EQ(priv.type(), type);
    PublicKey pub = priv.public_key();
    EXPECT_EQ(pub.type(), type);
    const ByteView message = AsBytes("model weights manifest v1");

    ASSERT_OK_AND_ASSIGN(Bytes der, priv.Sign(message, SignatureFormat::kDer));
    ASSERT_OK_AND_ASSIGN(Bytes raw, priv.Sign(message, SignatureFormat::kRaw));
    EXPECT_OK(pub.Verify(message, der, SignatureFormat::kDer));
    EXPECT_OK(pub.Verify(message, raw, SignatureFormat::kRaw));
    EXPECT_EQ(Code(pub.Verify(AsBytes("model weights manifest v2"), der)), "Unauthenticated");

    if (type == KeyType::kEcdsaP256 || type == KeyType::kEcdsaP384) {
      const std::size_t size = type == KeyType::kEcdsaP256 ? 32 : 48;
      EXPECT_EQ(raw.size(), 2 * size);
      ASSERT_OK_AND_ASSIGN(Bytes der_to_raw, EcdsaDerToRaw(der, size));
      ASSERT_OK_AND_ASSIGN(Bytes raw_to_der, EcdsaRawToDer(der_to_raw));
      EXPECT_EQ(raw_to_der, der);
      EXPECT_OK(pub.Verify(message, der_to_raw, SignatureFormat::kRaw));
      ASSERT_OK_AND_ASSIGN(Bytes raw_as_der, EcdsaRawToDer(raw));
      EXPECT_OK(pub.Verify(message, raw_as_der, SignatureFormat::kDer));
      Bytes tampered = raw;
      tampered[2 * size - 1] ^= 0x01;  // last byte of s
      EXPECT_EQ(Code(pub.Verify(message, tampered, SignatureFormat::kRaw)), "Unauthenticated");

      // A caller-named digest is honored on both sides.
      ASSERT_OK_AND_ASSIGN(Bytes sig512,
                           priv.Sign(message, SignatureFormat::kDer, HashAlgorithm::kSha512));
      EXPECT_OK(pub.Verify(message, sig512, SignatureFormat::kDer, HashAlgorithm::kSha512));
      EXPECT_EQ(Code(pub.Verify(message, sig512)), "Unauthenticated");
    } else {
      // Ed25519 and RSA (PKCS#1 v1.5) are deterministic with one encoding.
      EXPECT_EQ(der, raw);
      EXPECT_EQ(der.size(), type == KeyType::kEd25519 ? 64u : 256u);
      Bytes tampered = der;
      tampered[der.size() / 2] ^= 0x01;
      EXPECT_EQ(Code(pub.Verify(message, tampered)), "Unauthenticated");
    }

    // Another key of the same type does not verify.
    ASSERT_OK_AND_ASSIGN(PrivateKey other, PrivateKey::Generate(type));
    EXPECT_EQ(Code(other.public_key().Verify(message, der)), "Unauthenticated");
  }
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(SignatureTest, KeyTypeNames) {
  EXPECT_EQ(KeyTypeName(KeyType::kEd25519), "ed25519");
  EXPECT_EQ(KeyTypeName(KeyType::kEcdsaP256), "ecdsa-p256");
  EXPECT_EQ(KeyTypeName(KeyType::kEcdsaP384), "ecdsa-p384");
  EXPECT_EQ(KeyTypeName(KeyType::kRsa), "rsa");
}

// ---- RSA PKCS#1 v1.5 with SHA-256 (JWT RS256) ------------------------------
// Key generated with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`;
// the signature over "hello rampart" with `openssl dgst -sha256 -sign`.

constexpr std::string_view kRsaPrivatePem = R"(-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCgbiFjh4uSN/CL
7rYNJaB0reN8gpH+/hMCHTf4Oy9QcEe38UpRRkooT5EQMq+Bm+CPuAIY0j6hM6um
kpoKE4Cb/0GaGY4pywZDDhakx5wEOCw2oT/JmsHaVpgVQumyNJyjCkcOqCGfVrSp
BsJBGxNxC81oZzcdHAfcfDYJ44sWVqXMukMfjnVYOQQQGAbHCR07Ty4yyDC63EBB
izhOTRE0r/H6iydQwh0FLykPssLAGmROqeHejbVkQSC/NJj97bQa01Y9Wv5CwK/i
Im4fFlisrgaA7A2AREGdRw6BSvlZRe5E75amC3CQ6W9CkJ8UW37KcuijMQ7IwboJ
jsMEx3HrAgMBAAECggEAAWbE4uYxuW7EqqxEqdu8yZglRxaq6NPWXavcq830jVrV
vY0djZU0G6MKTN5sexDeBtNgLVBU3LqjUrqwHstp0bMKoyp6+/F6lgZe+0SFH+JP
vJBvCrdP3zTncjQZ74UXIzN5SG7+kDJFNL7K3p+6bT/hpPpV2GrAxNPO8woqUmEe
1XVsN/CpXZehTajd3VYfYktrCqcYQUfXwN/MnTDb0TW8xQj9/xRms27pXfV5CNgB
rcZpALTHSpjUTOIqOghcJiQes+9TbhEgSAmuSKRYg74kEA+Bv9vczAQgpkjw1H3B
JxjcGdIpCUzBFeIV53EmkNpT6TkFAUQaXzAb6el3wQKBgQDglFHysJhqEafRJgeo
cO7AkYpfY8dG2GE7YXtiM7ERsmsgUB3rPtveO5ygUTx1Zoadh+Ub5H1i10znt8Fh
y0Tb0lagIkPSmjHj+mHhwUF55tEnNdSgYNvVz4LjyB1U0OxorYqvDKNOfMTjfPCW
Zs/lR2WtD/ZT8aHvh7sEMnKXqwKBgQC24DOxh2KRT4Mo8nvmZ/7DUuJkzLTv+iLp
uZUYgwinnGdCc8GCsHbGzG27jgRHZS9g69fgh+lrpbetpKST5UMIzLoK0YUCWAss
3bU5uIwi7Ot98hNDX4aI7G48317HcQ86iNsXJCI3VjFXZIO7+jWEfmdw/QOgjb3N
D1zBRYdOwQKBgDQnvfBSutLHTuXvow+nSotGQZBtp7X4Qnx74x+nSZQGj4JtmMUt
T/qIdZN1ykipitHC4Z5crhHqVl3p+usvPcqfSqbdzkp2rOd5GopHS2F4DVLB2aN1
WxiInKkxrD4qVvzocLC+ip6Ls13xgh4rulRRBHfwoRBVqXnrV69d1+cJAoGAaxaF
DttRu/fMvWipZzXUuLpLem1pMvHOCgGzrkPlCImM6hvw4D/Hfght5Zt3I/u7r8zL
gF72MCQ9mABGo5hoFboU44rnkYTPHnnBysgnv7fu+rSL1TMWDA4vS5Qd4zpwiX1k
lnuBUdg2Uo+4mJYfSrPejQqMWjNGRtNNJJw7bMECgYBy9rkBka+scBk2+rno3SJ2
6RQyQlvsSxsVmr/vK6S8ANDLuux3F2QOSuReQxLeD6RMhPpUeRZEproYVUIOoPN9
a7DHj6LiczNzYCQZF3eQ/nDY51vy9FJAqRq47FkYcTGISqdd6L+YmvQHEmc4nohT
WTv+hcKkfyeJ2EIKAqeMtw==
-----END PRIVATE KEY-----
)";

constexpr std::string_view kRsaPublicPem = R"(-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAoG4hY4eLkjfwi+62DSWg
dK3jfIKR/v4TAh03+DsvUHBHt/FKUUZKKE+REDKvgZvgj7gCGNI+oTOrppKaChOA
m/9BmhmOKcsGQw4WpMecBDgsNqE/yZrB2laYFULpsjScowpHDqghn1a0qQbCQRsT
cQvNaGc3HRwH3Hw2CeOLFlalzLpDH451WDkEEBgGxwkdO08uMsgwutxAQYs4Tk0R
NK/x+osnUMIdBS8pD7LCwBpkTqnh3o21ZEEgvzSY/e20GtNWPVr+QsCv4iJuHxZY
rK4GgOwNgERBnUcOgUr5WUXuRO+WpgtwkOlvQpCfFFt+ynLoozEOyMG6CY7DBMdx
6wIDAQAB
-----END PUBLIC KEY-----
)";

constexpr std::string_view kRsaModulus =
    "A06E2163878B9237F08BEEB60D25A074ADE37C8291FEFE13021D37F83B2F507047B7F14A51464A284F911032AF819B"
    "E08FB80218D23EA133ABA6929A0A13809BFF419A198E29CB06430E16A4C79C04382C36A13FC99AC1DA56981542E9B2"
    "349CA30A470EA8219F56B4A906C2411B13710BCD6867371D1C07DC7C3609E38B1656A5CCBA431F8E75583904101806"
    "C7091D3B4F2E32C830BADC40418B384E4D1134AFF1FA8B2750C21D052F290FB2C2C01A644EA9E1DE8DB5644120BF34"
    "98FDEDB41AD3563D5AFE42C0AFE2226E1F1658ACAE0680EC0D8044419D470E814AF95945EE44EF96A60B7090E96F42"
    "909F145B7ECA72E8A3310EC8C1BA098EC304C771EB";

constexpr std::string_view kRsaSignature =
    "1e62b74d4fe91a380788169cc339e3bd917e4a74145c2be51f9731c0df0fd2a688ae636aaa435f2a988f1c59516416"
    "7f77c96b0e1e06961e3af3ec0d073a753797cbbdaf77f4948325c22047d717c43639a57de2de9510960fff2f11cb92"
    "4021daceaf55cc71059befa2fb4c622059d86994d1fe7580c5c6faac2df1b5ecb55f9f626faa766233005247c16aaf"
    "5c1b72cae026c66343cec83091ea0d2cdbc6041905868290ff836ce7b180af11d9122c79cc367612fe7fe22a4d690b"
    "433f4aba9a0bb4c42301212482417b964d0e933ab1bbeb0b38a1ef7ea47e0f58e910729726653e710ac279e0f280a0"
    "cb35634a26db694dd5f9fae335b359596a5722b035";

// A 1024-bit key: too short to trust.
constexpr std::string_view kRsa1024PublicPem = R"(-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDSaBA0vztslLv1DdAmFRFvyK2/
szqb6yd+q/MbKnUflM42HtQn/wsRHMWi1WCH3SzMrsQMj4CFzMEYUARhJKqNectL
VazWBWUkYCoR778D4fhCIC/x4wBx4DbW8L1KvbXcu4LoNDvOyLX5YQ0Urjdam+hr
IM8bwQttOj+f3WiWQQIDAQAB
-----END PUBLIC KEY-----
)";

TEST(RsaTest, Pkcs1v15Sha256MatchesOpenSslCli) {
  const ByteView message = AsBytes("hello rampart");
  const Bytes signature = Hex(kRsaSignature);

  ASSERT_OK_AND_ASSIGN(PublicKey from_pem, PublicKey::FromPem(kRsaPublicPem));
  ASSERT_OK_AND_ASSIGN(PublicKey from_jwk,
                       PublicKey::FromRsaComponents(Hex(kRsaModulus), Hex("010001")));
  for (const PublicKey* pub : {&from_pem, &from_jwk}) {
    EXPECT_EQ(pub->type(), KeyType::kRsa);
    EXPECT_EQ(pub->default_hash(), HashAlgorithm::kSha256);
    EXPECT_OK(pub->Verify(message, signature));
    EXPECT_OK(pub->Verify(message, signature, SignatureFormat::kRaw));
    EXPECT_EQ(Code(pub->Verify(AsBytes("hello rampart!"), signature)), "Unauthenticated");
    Bytes bad = signature;
    bad[100] ^= 0x04;
    EXPECT_EQ(Code(pub->Verify(message, bad)), "Unauthenticated");
    EXPECT_EQ(Code(pub->Verify(message, ByteView(signature).first(255))), "InvalidArgument");
  }
  EXPECT_EQ(*from_pem.ToDer(), *from_jwk.ToDer());

  // PKCS#1 v1.5 is deterministic: our signature is byte-for-byte the CLI's.
  ASSERT_OK_AND_ASSIGN(PrivateKey priv, PrivateKey::FromPem(kRsaPrivatePem));
  EXPECT_EQ(priv.type(), KeyType::kRsa);
  ASSERT_OK_AND_ASSIGN(Bytes ours, priv.Sign(message));
  EXPECT_EQ(ToHex(ours), kRsaSignature);
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(RsaTest, RejectsWeakOrMalformedKeys) {
  auto weak = PublicKey::FromPem(kRsa1024PublicPem);
  EXPECT_EQ(Code(weak), "InvalidArgument");
  EXPECT_NE(weak.status().message().find("2048"), std::string::npos) << weak.status().ToString();
  EXPECT_EQ(Code(PublicKey::FromRsaComponents(Hex(kRsaModulus), Hex("01"))), "InvalidArgument");
  EXPECT_EQ(Code(PublicKey::FromRsaComponents(Hex(kRsaModulus), Hex("010000"))), "InvalidArgument");
  EXPECT_EQ(Code(PublicKey::FromRsaComponents(ByteView{}, Hex("010001"))), "InvalidArgument");
  EXPECT_EQ(Code(PublicKey::FromRsaComponents(Hex("c5"), Hex("010001"))), "InvalidArgument");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

// ---- PEM / DER key encodings -----------------------------------------------

// `openssl ecparam -genkey -name prime256v1`: SEC 1 with the EC PARAMETERS
// block that command writes first.
constexpr std::string_view kSec1P256Pem = R"(-----BEGIN EC PARAMETERS-----
BggqhkjOPQMBBw==
-----END EC PARAMETERS-----
-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIBX1QopUwnlx5pnPnQR7pK7iIahLviK+lByuFy6+tD2QoAoGCCqGSM49
AwEHoUQDQgAEb+s6+NPu8uiJAcNxO1Smb4HOVpRVIvrH2uV0tAD7LyVekk+a7tA3
TUwVoU0h8H365Ta6znP3F3zFVY99DBv/Qg==
-----END EC PRIVATE KEY-----
)";
// `openssl ec -in sec1.pem -pubout`
constexpr std::string_view kSec1P256PublicPem = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEb+s6+NPu8uiJAcNxO1Smb4HOVpRV
IvrH2uV0tAD7LyVekk+a7tA3TUwVoU0h8H365Ta6znP3F3zFVY99DBv/Qg==
-----END PUBLIC KEY-----
)";
// `openssl ecparam -genkey -name secp384r1 -noout`
constexpr std::string_view kSec1P384Pem = R"(-----BEGIN EC PRIVATE KEY-----
MIGkAgEBBDB1AXCW9XPEXKLKJTpXI/4tg5YZD+zWJyKfmt+Ju5wII4gWpTfSm79/
/iRHE/+UI72gBwYFK4EEACKhZANiAARRlgLJS+taSPPteDiZCDgck3cbJmdDu1Il
O1pcdEBWJ5/rqGsOfaY0Q24HFttIvYQJ/9P4WFprkkGkgdPgxv91be6dhoy35oO7
DzudMec5fQarmYjXSiCcZBHp+b7w1Y0=
-----END EC PRIVATE KEY-----
)";
// `openssl genpkey -algorithm ed25519 -aes256 -pass pass:rampart`
constexpr std::string_view kEncryptedPkcs8Pem = R"(-----BEGIN ENCRYPTED PRIVATE KEY-----
MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAiWCX/IVf3UTAICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEENgDiUXiyHdyv0ZEX/HrfE4EQEbN
jJS+0MX21uJDnQpYbj3Im1OATNVrygK/gPkIy9SQ5+zzAsz9MULpR6d71Wu4jPeM
OpTrMgvIViP8zaKU6cE=
-----END ENCRYPTED PRIVATE KEY-----
)";
// `openssl ec -aes256 -passout pass:rampart`: legacy OpenSSL encryption.
constexpr std::string_view kEncryptedSec1Pem = R"(-----BEGIN EC PRIVATE KEY-----
Proc-Type: 4,ENCRYPTED
DEK-Info: AES-256-CBC,DA42FF8A3D1898550534C418F3B44761

BBRN6Gjuwx4rOvdFfZprd6JTiYdoojuke3OxbGcyoDCM4pQcBKSj9uTIxWiDDqp2
vzdUVSrNVUmK8QQDfh0GqS4Bn8N2jE5Mm86zj804YtPk0oHSMkZ+WeiL8MPvCViO
kdVKv5cTw1YLkX4Xj670cMOBFWKnF7fxlac7poO/6cM=
-----END EC PRIVATE KEY-----
)";
// Keys of types Rampart does not accept.
constexpr std::string_view kSecp256k1Pem = R"(-----BEGIN PRIVATE KEY-----
MIGEAgEAMBAGByqGSM49AgEGBSuBBAAKBG0wawIBAQQgoCticfQwOj8RnSyuci1c
wm5Zpe2jTQYIuLdveCZ+gI6hRANCAATvX7Rf5Z2330VG8GU++t3U5W/bvr6Lw/O+
a1BWYYHV+AShfVFxCewkWcRNN8Umaya2qWKKwqdhyT54dM9nGnmy
-----END PRIVATE KEY-----
)";
constexpr std::string_view kEd448Pem = R"(-----BEGIN PRIVATE KEY-----
MEcCAQAwBQYDK2VxBDsEORxgYd8W5rZj5z6q71kglmlgbvk7dDe4QzUiljr9bAo9
3kTDxxCBKF0JqyXn+g1JLPTWWSmyLQOVcA==
-----END PRIVATE KEY-----
)";

TEST(KeyEncodingTest, GeneratedKeysRoundTripThroughPemAndDer) {
  for (KeyType type :
       {KeyType::kEd25519, KeyType::kEcdsaP256, KeyType::kEcdsaP384, KeyType::kRsa}) {
    SCOPED_TRACE(KeyTypeName(type));
    ASSERT_OK_AND_ASSIGN(PrivateKey original, PrivateKey::Generate(type));
    ASSERT_OK_AND_ASSIGN(std::string pem, original.ToPem());
    EXPECT_TRUE(pem.starts_with("-----BEGIN PRIVATE KEY-----\n")) << pem;  // PKCS#8

    ASSERT_OK_AND_ASSIGN(PrivateKey loaded, PrivateKey::FromPem(pem));
    EXPECT_EQ(loaded.type(), type);
    ASSERT_OK_AND_ASSIGN(PrivateKey from_der, PrivateKey::FromDer(PemBody(pem)));
    EXPECT_EQ(from_der.type(), type);

    ASSERT_OK_AND_ASSIGN(std::string pub_pem, original.public_key().ToPem());
    EXPECT_TRUE(pub_pem.starts_with("-----BEGIN PUBLIC KEY-----\n")) << pub_pem;
    ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromPem(pub_pem));
    EXPECT_EQ(pub.type(), type);
    ASSERT_OK_AND_ASSIGN(Bytes spki, pub.ToDer());
    EXPECT_EQ(spki, PemBody(pub_pem));
    ASSERT_OK_AND_ASSIGN(PublicKey pub_der, PublicKey::FromDer(spki));
    EXPECT_EQ(*pub_der.ToDer(), spki);

    const ByteView message = AsBytes("dataset manifest");
    ASSERT_OK_AND_ASSIGN(Bytes sig1, loaded.Sign(message));
    ASSERT_OK_AND_ASSIGN(Bytes sig2, from_der.Sign(message));
    EXPECT_OK(pub.Verify(message, sig1));
    EXPECT_OK(pub_der.Verify(message, sig2));
    EXPECT_OK(original.public_key().Verify(message, sig1));

    if (type == KeyType::kEd25519) {
      ASSERT_OK_AND_ASSIGN(Bytes raw, pub.RawEd25519());
      ASSERT_OK_AND_ASSIGN(PublicKey from_raw, PublicKey::FromRawEd25519(raw));
      EXPECT_EQ(*from_raw.ToDer(), spki);
    }
  }
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(KeyEncodingTest, Sec1EcPrivateKeysLoad) {
  ASSERT_OK_AND_ASSIGN(PrivateKey p256, PrivateKey::FromPem(kSec1P256Pem));
  EXPECT_EQ(p256.type(), KeyType::kEcdsaP256);
  ASSERT_OK_AND_ASSIGN(std::string pub_pem, p256.public_key().ToPem());
  EXPECT_EQ(pub_pem, kSec1P256PublicPem);
  ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromPem(kSec1P256PublicPem));
  ASSERT_OK_AND_ASSIGN(Bytes sig, p256.Sign(AsBytes("x"), SignatureFormat::kRaw));
  EXPECT_OK(pub.Verify(AsBytes("x"), sig, SignatureFormat::kRaw));

  ASSERT_OK_AND_ASSIGN(PrivateKey p384, PrivateKey::FromPem(kSec1P384Pem));
  EXPECT_EQ(p384.type(), KeyType::kEcdsaP384);
  EXPECT_EQ(p384.public_key().default_hash(), HashAlgorithm::kSha384);
  // SEC 1 DER (the "EC PRIVATE KEY" body) loads too.
  ASSERT_OK_AND_ASSIGN(PrivateKey p384_der, PrivateKey::FromDer(PemBody(kSec1P384Pem)));
  EXPECT_EQ(*p384_der.public_key().ToDer(), *p384.public_key().ToDer());
  // Written back out as PKCS#8.
  ASSERT_OK_AND_ASSIGN(std::string pkcs8, p384.ToPem());
  EXPECT_TRUE(pkcs8.starts_with("-----BEGIN PRIVATE KEY-----\n"));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(KeyEncodingTest, EncryptedKeysAreRejectedSayingSo) {
  testing::internal::CaptureStderr();
  for (std::string_view pem : {kEncryptedPkcs8Pem, kEncryptedSec1Pem}) {
    auto r = PrivateKey::FromPem(pem);
    EXPECT_EQ(Code(r), "InvalidArgument");
    EXPECT_NE(r.status().message().find("encrypted"), std::string::npos) << r.status().ToString();
  }
  auto der = PrivateKey::FromDer(PemBody(kEncryptedPkcs8Pem));
  EXPECT_EQ(Code(der), "InvalidArgument");
  EXPECT_NE(der.status().message().find("encrypted"), std::string::npos) << der.status().ToString();
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(KeyEncodingTest, NotAKeyIsAClearInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(PrivateKey ed, PrivateKey::Generate(KeyType::kEd25519));
  ASSERT_OK_AND_ASSIGN(std::string private_pem, ed.ToPem());

  testing::internal::CaptureStderr();
  const std::string_view kNotPrivateKeys[] = {
      "",
      "hello, world\n",
      "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n",
      "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----\n",
      kSec1P256PublicPem,
      kRsaPublicPem,
  };
  for (std::string_view input : kNotPrivateKeys) {
    auto r = PrivateKey::FromPem(input);
    EXPECT_EQ(Code(r), "InvalidArgument") << input;
    EXPECT_FALSE(r.status().message().empty());
  }
  auto truncated = PrivateKey::FromPem(kNotPrivateKeys[3]);
  EXPECT_NE(truncated.status().message().find("malformed \"PRIVATE KEY\""), std::string::npos)
      << truncated.status().ToString();
  auto public_as_private = PrivateKey::FromPem(kSec1P256PublicPem);
  EXPECT_NE(public_as_private.status().message().find("PUBLIC KEY"), std::string::npos)
      << public_as_private.status().ToString();

  EXPECT_EQ(Code(PublicKey::FromPem(private_pem)), "InvalidArgument");
  EXPECT_EQ(Code(PublicKey::FromPem("garbage")), "InvalidArgument");
  EXPECT_EQ(Code(PublicKey::FromDer(AsBytes("garbage"))), "InvalidArgument");
  EXPECT_EQ(Code(PrivateKey::FromDer(AsBytes("garbage"))), "InvalidArgument");
  EXPECT_EQ(Code(PrivateKey::FromDer(ByteView{})), "InvalidArgument");
  // A public key is not a private key, in either encoding.
  for (std::string_view pub_pem : {kSec1P256PublicPem, kRsaPublicPem}) {
    EXPECT_EQ(Code(PrivateKey::FromDer(PemBody(pub_pem))), "InvalidArgument");
  }
  // Trailing bytes after a valid encoding.
  EXPECT_EQ(Code(PrivateKey::FromDer(Concat(PemBody(private_pem), Hex("00")))), "InvalidArgument");
  EXPECT_EQ(Code(PublicKey::FromDer(Concat(PemBody(kRsaPublicPem), Hex("00")))), "InvalidArgument");
  // Unsupported algorithms say which.
  auto k1 = PrivateKey::FromPem(kSecp256k1Pem);
  EXPECT_EQ(Code(k1), "InvalidArgument");
  EXPECT_NE(k1.status().message().find("secp256k1"), std::string::npos) << k1.status().ToString();
  auto ed448 = PrivateKey::FromPem(kEd448Pem);
  EXPECT_EQ(Code(ed448), "InvalidArgument");
  EXPECT_NE(ed448.status().message().find("ED448"), std::string::npos) << ed448.status().ToString();
  // A block label is echoed only when it is printable.
  auto injected = PrivateKey::FromPem("-----BEGIN X\nFAKE LOG LINE-----\n");
  EXPECT_EQ(Code(injected), "InvalidArgument");
  EXPECT_EQ(injected.status().message().find('\n'), std::string::npos);
  // Oversized input is refused before parsing.
  EXPECT_EQ(Code(PrivateKey::FromPem(std::string(5 << 20, 'A'))), "ResourceExhausted");

  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

// ---- X.509 -----------------------------------------------------------------

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

system_clock::time_point Date(int y, unsigned m, unsigned d) {
  return std::chrono::sys_days{std::chrono::year{y} / m / d};
}

struct CertSpec {
  std::string common_name;
  bool ca = false;
  system_clock::time_point not_before, not_after;
  std::vector<std::pair<int, std::string>> sans;  // GEN_URI / GEN_DNS / GEN_EMAIL
  long serial = 1;
};

bool AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, ctx, nid, value);
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

bool AddSans(X509* cert, const std::vector<std::pair<int, std::string>>& sans) {
  GENERAL_NAMES* names = sk_GENERAL_NAME_new_null();
  for (const auto& [type, value] : sans) {
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_IA5STRING* s = ASN1_IA5STRING_new();
    ASN1_STRING_set(s, value.data(), static_cast<int>(value.size()));
    GENERAL_NAME_set0_value(gn, type, s);
    sk_GENERAL_NAME_push(names, gn);
  }
  bool ok = X509_add1_ext_i2d(cert, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) == 1;
  GENERAL_NAMES_free(names);
  return ok;
}

// Issues a certificate for `subject_key`, signed by `issuer_key` under
// `issuer` (self-signed when `issuer` is null). Null on any failure.
X509Ptr IssueCert(const CertSpec& spec, EVP_PKEY* subject_key, X509* issuer, EVP_PKEY* issuer_key) {
  X509Ptr x(X509_new());
  X509_NAME* name = X509_get_subject_name(x.get());
  auto text = [](const std::string& s) {
    return reinterpret_cast<const unsigned char*>(s.c_str());
  };
  if (X509_set_version(x.get(), X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set(X509_get_serialNumber(x.get()), spec.serial) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(x.get()), system_clock::to_time_t(spec.not_before)) ==
          nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(x.get()), system_clock::to_time_t(spec.not_after)) ==
          nullptr ||
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, text("Rampart Test"), -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, text(spec.common_name), -1, -1, 0) !=
          1 ||
      X509_set_issuer_name(x.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name) !=
          1 ||
      X509_set_pubkey(x.get(), subject_key) != 1) {
    return nullptr;
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : x.get(), x.get(), nullptr, nullptr, 0);
  bool ok = AddExtension(x.get(), &ctx, NID_basic_constraints,
                         spec.ca ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
            AddExtension(x.get(), &ctx, NID_key_usage,
                         spec.ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") &&
            AddExtension(x.get(), &ctx, NID_subject_key_identifier, "hash") &&
            (issuer == nullptr ||
             AddExtension(x.get(), &ctx, NID_authority_key_identifier, "keyid:always")) &&
            (spec.sans.empty() || AddSans(x.get(), spec.sans));
  // Ed25519 signs without a separate digest.
  const EVP_MD* md = EVP_PKEY_is_a(issuer_key, "ED25519") ? nullptr
                     : EVP_PKEY_is_a(issuer_key, "EC") && EVP_PKEY_get_bits(issuer_key) == 384
                         ? EVP_sha384()
                         : EVP_sha256();
  if (!ok || X509_sign(x.get(), issuer_key, md) <= 0) return nullptr;
  return x;
}

Result<Certificate> Wrap(const X509Ptr& x) {
  if (x == nullptr) return InternalError("test certificate was not issued");
  unsigned char* der = nullptr;
  int len = i2d_X509(x.get(), &der);
  if (len <= 0) return InternalError("i2d_X509 failed");
  Bytes bytes(der, der + len);
  OPENSSL_free(der);
  return Certificate::FromDer(bytes);
}

constexpr std::string_view kSpiffeId = "spiffe://example.org/ns/a/sa/b";

// Root (P-384) → intermediate (P-256) → leaf (Ed25519, SPIFFE workload).
class X509Test : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(root_key_, PrivateKey::Generate(KeyType::kEcdsaP384));
    ASSERT_OK_AND_ASSIGN(intermediate_key_, PrivateKey::Generate(KeyType::kEcdsaP256));
    ASSERT_OK_AND_ASSIGN(leaf_key_, PrivateKey::Generate(KeyType::kEd25519));
    X509Ptr root = IssueCert({"Rampart Test Root", true, Date(2020, 1, 1), Date(2040, 1, 1), {}, 1},
                             root_key_->get(), nullptr, root_key_->get());
    X509Ptr intermediate =
        IssueCert({"Rampart Test Intermediate", true, Date(2021, 1, 1), Date(2035, 1, 1), {}, 2},
                  intermediate_key_->get(), root.get(), root_key_->get());
    X509Ptr leaf =
        IssueCert({"workload",
                   false,
                   Date(2024, 1, 1),
                   Date(2025, 1, 1),
                   {{GEN_URI, std::string(kSpiffeId)},
                    {GEN_DNS, "svc.example.org"},
                    {GEN_EMAIL, "ops@example.org"}},
                   3},
                  leaf_key_->public_key().get(), intermediate.get(), intermediate_key_->get());
    ASSERT_OK_AND_ASSIGN(root_, Wrap(root));
    ASSERT_OK_AND_ASSIGN(intermediate_, Wrap(intermediate));
    ASSERT_OK_AND_ASSIGN(Certificate leaf_from_der, Wrap(leaf));
    // The leaf goes through PEM so both decoders are exercised.
    ASSERT_OK_AND_ASSIGN(leaf_, Certificate::FromPem(leaf_from_der.ToPem()));
  }

  Status Verify(system_clock::time_point at) {
    return VerifyCertificateChain(*leaf_, {*intermediate_}, {*root_}, at);
  }

  std::optional<PrivateKey> root_key_, intermediate_key_, leaf_key_;
  std::optional<Certificate> root_, intermediate_, leaf_;
};

TEST_F(X509Test, ChainVerifiesInsideValidity) {
  EXPECT_OK(Verify(Date(2024, 6, 1)));
  EXPECT_OK(Verify(Date(2024, 1, 1) + std::chrono::seconds(1)));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(X509Test, ChainFailsOutsideValidity) {
  Status early = Verify(Date(2023, 12, 31));
  EXPECT_EQ(Code(early), "Unauthenticated");
  EXPECT_NE(early.message().find("not yet valid"), std::string::npos) << early.ToString();
  Status late = Verify(Date(2025, 1, 1) + std::chrono::hours(1));
  EXPECT_EQ(Code(late), "Unauthenticated");
  EXPECT_NE(late.message().find("expired"), std::string::npos) << late.ToString();
  // Only the intermediate expired.
  EXPECT_EQ(Code(VerifyCertificateChain(*intermediate_, {}, {*root_}, Date(2036, 1, 1))),
            "Unauthenticated");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(X509Test, ChainFailsWithWrongRootOrMissingIntermediate) {
  // A different key under the very same root name.
  ASSERT_OK_AND_ASSIGN(PrivateKey impostor_key, PrivateKey::Generate(KeyType::kEcdsaP384));
  X509Ptr impostor =
      IssueCert({"Rampart Test Root", true, Date(2020, 1, 1), Date(2040, 1, 1), {}, 1},
                impostor_key.get(), nullptr, impostor_key.get());
  ASSERT_OK_AND_ASSIGN(Certificate impostor_root, Wrap(impostor));
  const auto at = Date(2024, 6, 1);

  Status wrong_root = VerifyCertificateChain(*leaf_, {*intermediate_}, {impostor_root}, at);
  EXPECT_EQ(Code(wrong_root), "Unauthenticated") << wrong_root.ToString();
  Status missing = VerifyCertificateChain(*leaf_, {}, {*root_}, at);
  EXPECT_EQ(Code(missing), "Unauthenticated") << missing.ToString();
  EXPECT_NE(missing.message().find("issuer"), std::string::npos) << missing.ToString();
  // The intermediate is not a trust anchor.
  EXPECT_EQ(Code(VerifyCertificateChain(*leaf_, {}, {*intermediate_}, at)), "Unauthenticated");
  EXPECT_EQ(Code(VerifyCertificateChain(*leaf_, {*intermediate_}, {}, at)), "InvalidArgument");
  // The right root among several is found.
  EXPECT_OK(VerifyCertificateChain(*leaf_, {*intermediate_}, {impostor_root, *root_}, at));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(X509Test, Accessors) {
  EXPECT_EQ(leaf_->san_uris(), std::vector<std::string>{std::string(kSpiffeId)});
  EXPECT_EQ(leaf_->san_dns(), std::vector<std::string>{"svc.example.org"});
  EXPECT_EQ(leaf_->san_emails(), std::vector<std::string>{"ops@example.org"});
  EXPECT_EQ(leaf_->subject(), "CN=workload,O=Rampart Test");
  EXPECT_EQ(leaf_->issuer(), "CN=Rampart Test Intermediate,O=Rampart Test");
  EXPECT_EQ(root_->subject(), root_->issuer());
  EXPECT_TRUE(root_->san_uris().empty());
  EXPECT_EQ(leaf_->not_before(), Date(2024, 1, 1));
  EXPECT_EQ(leaf_->not_after(), Date(2025, 1, 1));

  ASSERT_OK_AND_ASSIGN(PublicKey pub, leaf_->public_key());
  EXPECT_EQ(pub.type(), KeyType::kEd25519);
  ASSERT_OK_AND_ASSIGN(Bytes sig, leaf_key_->Sign(AsBytes("svid")));
  EXPECT_OK(pub.Verify(AsBytes("svid"), sig));
  ASSERT_OK_AND_ASSIGN(PublicKey root_pub, root_->public_key());
  EXPECT_EQ(root_pub.type(), KeyType::kEcdsaP384);

  ASSERT_OK_AND_ASSIGN(Bytes der, leaf_->ToDer());
  ASSERT_OK_AND_ASSIGN(Certificate again, Certificate::FromDer(der));
  EXPECT_EQ(*again.ToDer(), der);
  EXPECT_EQ(Code(Certificate::FromDer(Concat(der, Hex("00")))), "InvalidArgument");
}

TEST_F(X509Test, ChainFromPem) {
  std::string bundle = leaf_->ToPem() + intermediate_->ToPem() + root_->ToPem();
  ASSERT_OK_AND_ASSIGN(std::vector<Certificate> chain, Certificate::ChainFromPem(bundle));
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_EQ(chain[0].subject(), leaf_->subject());
  EXPECT_EQ(chain[1].subject(), intermediate_->subject());
  EXPECT_EQ(chain[2].subject(), root_->subject());
  ASSERT_OK_AND_ASSIGN(Certificate first, Certificate::FromPem(bundle));
  EXPECT_EQ(*first.ToDer(), *leaf_->ToDer());
  EXPECT_OK(VerifyCertificateChain(chain[0], {chain[1]}, {chain[2]}, Date(2024, 6, 1)));

  testing::internal::CaptureStderr();
  const std::string damaged =
      leaf_->ToPem() + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  auto r = Certificate::ChainFromPem(damaged);
  EXPECT_EQ(Code(r), "InvalidArgument");
  EXPECT_NE(r.status().message().find("certificate 2"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(Code(Certificate::ChainFromPem("")), "InvalidArgument");
  auto key = Certificate::ChainFromPem(kSec1P256PublicPem);
  EXPECT_EQ(Code(key), "InvalidArgument");
  EXPECT_NE(key.status().message().find("PUBLIC KEY"), std::string::npos);
  EXPECT_EQ(Code(Certificate::FromPem("no pem here")), "InvalidArgument");
  EXPECT_EQ(Code(Certificate::FromDer(AsBytes("no der here"))), "InvalidArgument");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(X509Test, SanWithEmbeddedNulIsDropped) {
  X509Ptr x509_intermediate;
  {
    ASSERT_OK_AND_ASSIGN(Bytes der, intermediate_->ToDer());
    const unsigned char* p = der.data();
    x509_intermediate.reset(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  }
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::Generate(KeyType::kEcdsaP256));
  X509Ptr evil = IssueCert({"evil",
                            false,
                            Date(2024, 1, 1),
                            Date(2025, 1, 1),
                            {{GEN_DNS, std::string("evil.example\0.good.example"sv)},
                             {GEN_DNS, "ok.example"},
                             {GEN_URI, std::string("spiffe://example.org/\0admin"sv)}},
                            4},
                           key.get(), x509_intermediate.get(), intermediate_key_->get());
  ASSERT_OK_AND_ASSIGN(Certificate cert, Wrap(evil));
  EXPECT_EQ(cert.san_dns(), std::vector<std::string>{"ok.example"});
  EXPECT_TRUE(cert.san_uris().empty());
}

TEST(OpenSslErrorStringTest, ReportsAndClears) {
  EXPECT_EQ(OpenSslErrorString(), "");
  ERR_raise(ERR_LIB_EVP, ERR_R_PASSED_NULL_PARAMETER);
  std::string s = OpenSslErrorString();
  EXPECT_FALSE(s.empty());
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_EQ(OpenSslErrorString(), "");
}

}  // namespace
}  // namespace rampart::crypto
