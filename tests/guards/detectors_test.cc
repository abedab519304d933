// The detectors one by one: true positives, near misses, and every way a
// match can be cut across stream pieces.
#include "guards/detectors.h"

#include <gtest/gtest.h>

#include <string>

#include "guards/output_guard.h"
#include "guards/stream_scanner.h"

namespace rampart::guards {
namespace {

ScanOptions AllOn(std::string canary = "") {
  ScanOptions o;
  o.enabled.set();
  o.canary = std::move(canary);
  return o;
}

// The matches of a whole text, as "detector:text" strings.
std::vector<std::string> Matches(std::string_view text, const ScanOptions& o = AllOn()) {
  std::string storage;
  std::vector<std::string> out;
  for (const auto& s : ScanText(text, o, &storage)) {
    if (s.match) out.push_back(std::string(DetectorName(*s.match)) + ":" + std::string(s.text));
  }
  return out;
}

// A GitHub token with a correct checksum for `body` (30 base62 characters).
std::string GithubToken(std::string prefix, const std::string& body) {
  return prefix + body + Base62Pad6(Crc32(body));
}

std::string Jwt() {
  // {"alg":"HS256","typ":"JWT"} . {"sub":"1234567890"} . signature
  return "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
         "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
}

TEST(Validators, LuhnAndMod97) {
  EXPECT_TRUE(LuhnValid("4111111111111111"));
  EXPECT_FALSE(LuhnValid("4111111111111112"));
  EXPECT_TRUE(LuhnValid("79927398713"));
  EXPECT_TRUE(IbanValid("GB82WEST12345698765432"));
  EXPECT_FALSE(IbanValid("GB83WEST12345698765432"));
  EXPECT_TRUE(IbanValid("DE89370400440532013000"));
  EXPECT_FALSE(IbanValid("DE89370400440532013001"));
  // CRC-32 (IEEE) check value.
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(Base62Pad6(0), "000000");
  EXPECT_EQ(Base62Pad6(61), "00000z");
  EXPECT_EQ(Base62Pad6(62), "000010");
}

TEST(Detectors, FindEachSecretKind) {
  std::string gh = GithubToken("ghp_", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1");
  std::string text =
      "key AKIAIOSFODNN7EXAMPLE and aws_secret_access_key = "
      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, token " +
      gh + " jwt " + Jwt() +
      " slack xoxb-123456789012-abcdefABCDEF openai sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8t done";
  auto m = Matches(text);
  ASSERT_EQ(m.size(), 6u) << ::testing::PrintToString(m);
  EXPECT_EQ(m[0], "aws_access_key:AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(m[1], "aws_secret_key:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  EXPECT_EQ(m[2], "github_token:" + gh);
  EXPECT_EQ(m[3], "jwt:" + Jwt());
  EXPECT_EQ(m[4], "slack_token:xoxb-123456789012-abcdefABCDEF");
  EXPECT_EQ(m[5], "api_key:sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8t");
}

TEST(Detectors, PemPrivateKeyBlockIsOneMatch) {
  std::string pem =
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq\nq9Xz0+/abc=\n"
      "-----END RSA PRIVATE KEY-----";
  auto m = Matches("here: " + pem + "\nbye");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], "private_key:" + pem);
  // A public key or a certificate is not a secret.
  EXPECT_TRUE(Matches("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----").empty());
}

TEST(Detectors, SecretNearMisses) {
  // A GitHub-shaped token whose checksum is wrong.
  std::string gh = GithubToken("ghp_", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1");
  std::string bad = gh;
  bad.back() = bad.back() == 'a' ? 'b' : 'a';
  EXPECT_TRUE(Matches("token " + bad).empty());
  // Too short, embedded in a word, or not random.
  EXPECT_TRUE(Matches("AKIAIOSFODNN7EXAMPL").empty());
  EXPECT_TRUE(Matches("XAKIAIOSFODNN7EXAMPLE").empty());
  EXPECT_TRUE(Matches("use sk-learn-compatible-estimators-here").empty());
  // Three dotted parts whose header is not JSON.
  EXPECT_TRUE(Matches("eyJub3RqcypupXXXXXX.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmno").empty());
  EXPECT_TRUE(Matches("aws_secret_access_key = tooShort").empty());
}

TEST(Detectors, PersonalData) {
  auto m = Matches(
      "Mail jane.doe+ai@mail.example.co.uk, call +44 20 7946 0958 or (415) 555-0123; card "
      "4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32 since 2024.");
  ASSERT_EQ(m.size(), 5u) << ::testing::PrintToString(m);
  EXPECT_EQ(m[0], "email:jane.doe+ai@mail.example.co.uk");
  EXPECT_EQ(m[1], "phone:+44 20 7946 0958");
  EXPECT_EQ(m[2], "phone:(415) 555-0123");
  EXPECT_EQ(m[3], "payment_card:4111 1111 1111 1111");
  EXPECT_EQ(m[4], "iban:GB82 WEST 1234 5698 7654 32");
}

TEST(Detectors, PersonalDataNearMisses) {
  // 16 digits that fail Luhn; an IBAN with a wrong check; no TLD; a version.
  EXPECT_TRUE(Matches("order 4111 1111 1111 1112 shipped").empty());
  EXPECT_TRUE(Matches("order 4111111111111112 shipped").empty());
  EXPECT_TRUE(Matches("IBAN GB83 WEST 1234 5698 7654 32").empty());
  EXPECT_TRUE(Matches("GB83WEST12345698765432").empty());
  EXPECT_TRUE(Matches("user@localhost").empty());
  EXPECT_TRUE(Matches("version 1.2.3 and 2024-01-15").empty());
  // A Luhn-valid run inside a longer number is not a card.
  EXPECT_TRUE(Matches("id 41111111111111110000").empty());
}

TEST(Validators, NationalIds) {
  EXPECT_TRUE(SsnValid("123456789"));
  EXPECT_FALSE(SsnValid("000456789"));  // area 000
  EXPECT_FALSE(SsnValid("666456789"));  // area 666
  EXPECT_FALSE(SsnValid("901456789"));  // area 900-999
  EXPECT_FALSE(SsnValid("123006789"));  // group 00
  EXPECT_FALSE(SsnValid("123450000"));  // serial 0000
  EXPECT_TRUE(NinoValid("AB123456C"));
  EXPECT_FALSE(NinoValid("DA123456C"));  // D never first
  EXPECT_FALSE(NinoValid("AO123456C"));  // O never second
  EXPECT_FALSE(NinoValid("GB123456C"));  // a reserved prefix
  EXPECT_FALSE(NinoValid("AB123456E"));  // suffix A-D only
  EXPECT_TRUE(DniValid("12345678Z"));
  EXPECT_FALSE(DniValid("12345678A"));
  EXPECT_TRUE(DniValid("X1234567L"));
  EXPECT_FALSE(DniValid("X1234567M"));
  EXPECT_TRUE(BsnValid("123456782"));
  EXPECT_TRUE(BsnValid("111222333"));
  EXPECT_FALSE(BsnValid("123456789"));
  EXPECT_FALSE(BsnValid("000000000"));
}

TEST(Detectors, NationalIds) {
  auto m = Matches(
      "SSN 123-45-6789, NINO AB 12 34 56 C and CE123456B, DNI 12345678-Z, NIE X1234567L, "
      "BSN: 1234.56.782 and burgerservicenummer 111222333.");
  ASSERT_EQ(m.size(), 7u) << ::testing::PrintToString(m);
  EXPECT_EQ(m[0], "national_id:123-45-6789");
  EXPECT_EQ(m[1], "national_id:AB 12 34 56 C");
  EXPECT_EQ(m[2], "national_id:CE123456B");
  EXPECT_EQ(m[3], "national_id:12345678-Z");
  EXPECT_EQ(m[4], "national_id:X1234567L");
  EXPECT_EQ(m[5], "national_id:1234.56.782");
  EXPECT_EQ(m[6], "national_id:111222333");
}

TEST(Detectors, NationalIdNearMisses) {
  // Never-issued SSNs; mixed separators; a bare 9-digit number; inside a
  // longer number; a date-like run.
  EXPECT_TRUE(Matches("ssn 666-12-3456 or 900-12-3456 or 123-00-4567 or 123-45-0000").empty());
  EXPECT_TRUE(Matches("ref 123-45 6789").empty());
  EXPECT_TRUE(Matches("order 123456789 shipped").empty());
  EXPECT_TRUE(Matches("part 9123-45-6789 and 123-45-67890").empty());
  // NINO with a forbidden prefix or suffix; a DNI with the wrong letter; a
  // BSN failing the 11-proof, and a valid one without its label.
  EXPECT_TRUE(Matches("NINO GB 12 34 56 C, DQ123456A, AB123456F").empty());
  EXPECT_TRUE(Matches("DNI 12345678A, NIE X1234567M").empty());
  EXPECT_TRUE(Matches("BSN 123456789").empty());
  EXPECT_TRUE(Matches("invoice 123456782").empty());
}

TEST(Detectors, CanaryOnlyWhenConfigured) {
  EXPECT_TRUE(Matches("leak rmp-canary-0123456789abcdef").empty());
  auto m = Matches("leak rmp-canary-0123456789abcdef now", AllOn("rmp-canary-0123456789abcdef"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], "canary:rmp-canary-0123456789abcdef");
}

// Feeds `text` to a scanner in the given pieces and returns the redacted output.
std::string Redact(const std::vector<std::string_view>& pieces, const ScanOptions& o,
                   std::size_t* max_held = nullptr) {
  OutputPolicy p;
  p.actions.fill(Action::kRedact);
  p.canary = o.canary;
  StreamScanner s(o);
  std::string out;
  std::vector<Segment> segs;
  for (auto piece : pieces) {
    segs.clear();
    s.Push(piece, &segs);
    EXPECT_FALSE(ApplySegments(segs, p, nullptr, &out));
    if (max_held) *max_held = std::max(*max_held, s.held());
  }
  segs.clear();
  s.Finish(&segs);
  EXPECT_FALSE(ApplySegments(segs, p, nullptr, &out));
  return out;
}

TEST(StreamScanner, EveryMatchIsFoundAcrossEveryBoundary) {
  std::string gh = GithubToken("gho_", "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0");
  std::string text = "a AKIAIOSFODNN7EXAMPLE b " + gh + " c " + Jwt() +
                     " d jane@example.org e 4111-1111-1111-1111 f DE89 3704 0044 0532 0130 00 "
                     "g +1 415 555 0123 h rmp-canary-feedc0de i 123-45-6789 j BSN 111222333 k "
                     "AB 12 34 56 C l -----BEGIN PRIVATE KEY-----\n"
                     "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY----- end";
  ScanOptions o = AllOn("rmp-canary-feedc0de");
  std::string whole = Redact({text}, o);
  for (auto d : {"aws_access_key", "github_token", "jwt", "email", "payment_card", "iban", "phone",
                 "canary", "private_key", "national_id"}) {
    EXPECT_NE(whole.find("[REDACTED:" + std::string(d) + "]"), std::string::npos) << d << whole;
  }
  // Two pieces, cut at every byte.
  for (std::size_t k = 0; k <= text.size(); ++k) {
    std::string_view t = text;
    ASSERT_EQ(Redact({t.substr(0, k), t.substr(k)}, o), whole) << "cut at " << k;
  }
  // Three pieces, every pair of cuts (a match may span a whole middle piece).
  for (std::size_t a = 0; a <= text.size(); a += 3) {
    for (std::size_t b = a; b <= text.size(); b += 5) {
      std::string_view t = text;
      ASSERT_EQ(Redact({t.substr(0, a), t.substr(a, b - a), t.substr(b)}, o), whole)
          << a << "," << b;
    }
  }
  // One byte at a time.
  std::vector<std::string_view> bytes;
  for (std::size_t k = 0; k < text.size(); ++k)
    bytes.push_back(std::string_view(text).substr(k, 1));
  EXPECT_EQ(Redact(bytes, o), whole);
}

TEST(StreamScanner, HoldsBackOnlyUndecidedBytesWithinTheBound) {
  ScanOptions o = AllOn();
  o.max_hold_back = 256;
  // Prose: only the word being written is held.
  std::string prose;
  for (int k = 0; k < 200; ++k) prose += "the quick brown fox jumps over the lazy dog. ";
  std::vector<std::string_view> bytes;
  for (std::size_t k = 0; k < prose.size(); ++k)
    bytes.push_back(std::string_view(prose).substr(k, 1));
  std::size_t held = 0;
  EXPECT_EQ(Redact(bytes, o, &held), prose);
  EXPECT_LE(held, 8u);
  // An unterminated PEM block: never more than the bound (plus one piece).
  std::string pem = "-----BEGIN PRIVATE KEY-----\n" + std::string(5000, 'A');
  bytes.clear();
  for (std::size_t k = 0; k < pem.size(); k += 7)
    bytes.push_back(std::string_view(pem).substr(k, 7));
  held = 0;
  std::string out = Redact(bytes, o, &held);
  EXPECT_LE(held, 256u + 7u);
  EXPECT_TRUE(out.starts_with("[REDACTED:private_key]")) << out.substr(0, 80);
}

}  // namespace
}  // namespace rampart::guards
