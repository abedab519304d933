#include "attest/tpm/quote.h"

#include <gtest/gtest.h>

#include "synthetic.h"

namespace rampart::attest::tpm {
namespace {

using synthetic::MarshalAttest;
using synthetic::QuoteSpec;
using synthetic::SignAttest;

PcrValues SomePcrs() {
  PcrValues v;
  for (int i = 0; i < 11; ++i) v[kAlgSha256][i] = Bytes(32, static_cast<std::uint8_t>(i));
  return v;
}

QuoteSpec Spec(const PcrValues& pcrs) {
  QuoteSpec q;
  q.nonce = Bytes{1, 2, 3, 4, 5, 6, 7, 8};
  q.pcrs = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  Bytes concat;
  for (int p : q.pcrs) synthetic::Append(&concat, pcrs.at(kAlgSha256).at(p));
  q.pcr_digest = TpmDigest(kAlgSha256, concat);
  return q;
}

void RoundTrip(crypto::KeyType type, bool pss) {
  auto key = crypto::PrivateKey::Generate(type);
  ASSERT_TRUE(key.has_value());
  PcrValues pcrs = SomePcrs();
  QuoteSpec q = Spec(pcrs);
  Bytes attest = MarshalAttest(q);
  Bytes sig = SignAttest(*key, attest, pss);
  auto quote = VerifyQuote(attest, sig, key->public_key(), q.nonce);
  ASSERT_TRUE(quote.has_value()) << quote.error().ToString();
  EXPECT_EQ(quote->extra_data, q.nonce);
  ASSERT_EQ(quote->pcr_select.size(), 1u);
  EXPECT_EQ(quote->pcr_select[0].pcrs.size(), 11u);
  EXPECT_TRUE(CheckPcrDigest(*quote, pcrs).ok());

  // A PCR that differs from what the TPM quoted.
  pcrs[kAlgSha256][10][0] ^= 1;
  Status s = CheckPcrDigest(*quote, pcrs);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(s.message().starts_with("quote.pcr_digest:")) << s.message();
  pcrs[kAlgSha256].erase(3);
  s = CheckPcrDigest(*quote, pcrs);
  EXPECT_NE(s.message().find("no value for quoted PCR sha256:3"), std::string::npos) << s.message();

  // Another nonce: a replayed quote.
  auto replay = VerifyQuote(attest, sig, key->public_key(), Bytes{9, 9, 9});
  ASSERT_FALSE(replay.has_value());
  EXPECT_TRUE(replay.error().message().starts_with("quote.nonce:")) << replay.error().message();

  // One flipped bit in the quote body.
  Bytes bad = attest;
  bad[bad.size() - 1] ^= 0x01;
  auto tampered = VerifyQuote(bad, sig, key->public_key(), q.nonce);
  ASSERT_FALSE(tampered.has_value());
  EXPECT_TRUE(tampered.error().message().starts_with("quote.signature:"))
      << tampered.error().message();

  // Another key of the same type.
  auto other = crypto::PrivateKey::Generate(type);
  ASSERT_TRUE(other.has_value());
  auto wrong_ak = VerifyQuote(attest, sig, other->public_key(), q.nonce);
  ASSERT_FALSE(wrong_ak.has_value());
  EXPECT_TRUE(wrong_ak.error().message().starts_with("quote.signature:"));
}

TEST(TpmQuote, RsassaRoundTripAndTampering) { RoundTrip(crypto::KeyType::kRsa, false); }
TEST(TpmQuote, RsaPssRoundTripAndTampering) { RoundTrip(crypto::KeyType::kRsa, true); }
TEST(TpmQuote, EcdsaP256RoundTripAndTampering) { RoundTrip(crypto::KeyType::kEcdsaP256, false); }

TEST(TpmQuote, SignatureSchemeMustMatchTheKey) {
  auto rsa = crypto::PrivateKey::Generate(crypto::KeyType::kRsa);
  auto ec = crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP256);
  ASSERT_TRUE(rsa && ec);
  QuoteSpec q = Spec(SomePcrs());
  Bytes attest = MarshalAttest(q);
  auto r = VerifyQuote(attest, SignAttest(*ec, attest), rsa->public_key(), q.nonce);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("a ecdsa signature but the AK is rsa"), std::string::npos)
      << r.error().message();
}

TEST(TpmQuote, WrongMagicTypeAndSelectionAreRefusedByName) {
  auto key = crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP256);
  ASSERT_TRUE(key.has_value());
  QuoteSpec q = Spec(SomePcrs());
  q.magic = 0x12345678;
  Bytes a = MarshalAttest(q);
  auto r = VerifyQuote(a, SignAttest(*key, a), key->public_key(), q.nonce);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(),
            "quote.parse: TPMS_ATTEST.magic at offset 0: 0x12345678, expected 0xff544347 "
            "(TPM_GENERATED_VALUE)");
  q.magic = kGeneratedValue;
  q.type = 0x8014;  // TPM_ST_ATTEST_CERTIFY
  a = MarshalAttest(q);
  r = VerifyQuote(a, SignAttest(*key, a), key->public_key(), q.nonce);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("TPMS_ATTEST.type at offset 4: 0x8014"), std::string::npos);
  q.type = kStAttestQuote;
  q.bank = 0x0099;
  a = MarshalAttest(q);
  r = VerifyQuote(a, SignAttest(*key, a), key->public_key(), q.nonce);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("pcrSelect.hash"), std::string::npos) << r.error().message();
}

TEST(TpmQuote, TruncationAtEveryLengthIsARefusal) {
  QuoteSpec q = Spec(SomePcrs());
  Bytes a = MarshalAttest(q);
  for (std::size_t n = 0; n < a.size(); ++n) {
    auto r = ParseAttest(ByteView(a.data(), n));
    ASSERT_FALSE(r.has_value()) << n;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  }
  Bytes longer = a;
  longer.push_back(0);
  auto r = ParseAttest(longer);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("1 trailing bytes"), std::string::npos);
}

TEST(TpmWire, PublicAreaOfAnRsaKeyGivesItsKeyAndName) {
  // A TPM2B_PUBLIC as tpm2_createak writes it for an RSA AK: restricted
  // signing key, RSASSA/SHA-256, 2048 bits.
  auto key = crypto::PrivateKey::Generate(crypto::KeyType::kRsa);
  ASSERT_TRUE(key.has_value());
  auto der = key->public_key().ToDer();
  ASSERT_TRUE(der.has_value());
  // The modulus: the 256 bytes before the exponent in the SPKI DER
  // (02 03 01 00 01 at the end).
  Bytes n(der->end() - 5 - 256, der->end() - 5);
  Bytes t;
  synthetic::Be16(&t, kAlgRsa);
  synthetic::Be16(&t, kAlgSha256);
  synthetic::Be32(&t, kAttrFixedTpm | kAttrFixedParent | kAttrSensitiveDataOrigin |
                          kAttrRestricted | kAttrSign);
  synthetic::Tpm2b(&t, {});
  synthetic::Be16(&t, kAlgNull);
  synthetic::Be16(&t, kAlgRsassa);
  synthetic::Be16(&t, kAlgSha256);
  synthetic::Be16(&t, 2048);
  synthetic::Be32(&t, 0);
  synthetic::Tpm2b(&t, n);
  Bytes sized;
  synthetic::Tpm2b(&sized, t);
  auto p = ParsePublic(sized);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->scheme, kAlgRsassa);
  auto k = p->Key();
  ASSERT_TRUE(k.has_value()) << k.error().ToString();
  EXPECT_EQ(k->ToDer().value(), *der);
  Bytes name = p->Name();
  ASSERT_EQ(name.size(), 34u);
  EXPECT_EQ(Bytes(name.begin() + 2, name.end()), TpmDigest(kAlgSha256, t));
  // A modulus that disagrees with keyBits.
  t[t.size() - 257] = 0xff;  // the modulus size low byte: 0x01ff
  Bytes bad;
  synthetic::Tpm2b(&bad, t);
  EXPECT_FALSE(ParsePublic(bad).has_value());
}

}  // namespace
}  // namespace rampart::attest::tpm
