// The output detectors: secrets and personal data, matched by hand-written
// scanners over bytes (no regex engine) so that each can say, at the end of
// a buffer, "I cannot decide yet" — the stream scanner (stream_scanner.h)
// holds back only such undecided tails, not a fixed window.
//
// Every detector is anchored at one start position, bounded in length, and
// validates what it can (Luhn for cards, mod-97 for IBANs, CRC32 for GitHub
// tokens, a JSON header for JWTs), so that near misses are not reported.
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rampart::guards {

enum class Detector : std::uint8_t {
  kPrivateKey,    // PEM "-----BEGIN ... PRIVATE KEY-----" block
  kAwsAccessKey,  // AKIA/ASIA/ABIA/ACCA + 16
  kAwsSecretKey,  // 40 characters after an aws_secret_access_key label
  kGithubToken,   // ghp_/gho_/ghu_/ghs_/ghr_ (CRC32-checked), github_pat_
  kJwt,           // three base64url parts whose header decodes to JSON with "alg"
  kSlackToken,    // xoxb-/xoxp-/xoxa-/xoxr-/xoxs-/xoxo-
  kApiKey,        // generic "sk-..." keys (OpenAI-style, Anthropic-style)
  kEmail,
  kPhone,        // +country numbers, North-American (xxx) xxx-xxxx shapes
  kPaymentCard,  // 13-19 digits, Luhn-valid, card-network prefix
  kIban,         // mod-97 valid
  kCanary,       // the deployment's canary token (guards/canary.h)
  kNationalId,   // US SSN, UK NINO, Spanish DNI/NIE, Dutch BSN (validity rules, checksums)
};
inline constexpr std::size_t kDetectorCount = 13;

// "private_key", "aws_access_key", ..., "canary": the names used in the
// config, metrics and the [REDACTED:<name>] marker.
std::string_view DetectorName(Detector d);
std::optional<Detector> DetectorByName(std::string_view name);
// Secret detectors vs personal-data detectors (the config's two groups).
bool IsSecret(Detector d);

struct MatchResult {
  enum class State { kNo, kMatch, kNeedMore };
  State state = State::kNo;
  std::size_t begin = 0;  // kMatch: [begin, end) in the buffer (begin >= start)
  std::size_t end = 0;
};

// Tries detector `d` at buf[start]. `prev` is the byte before buf[start]
// (buf[start-1], or the last byte before the buffer, or 0 at the very start).
// `final`: no more bytes will follow buf (the end of the buffer is the end
// of the text); otherwise reaching the end without a decision is kNeedMore.
// `canary` is used only by kCanary (empty: never matches).
MatchResult MatchAt(Detector d, std::string_view buf, std::size_t start, char prev, bool final,
                    std::string_view canary = {});

// False when no match of `d` can start with byte `c` (a conservative filter
// the scanner applies before MatchAt).
bool MayStartWith(Detector d, char c, std::string_view canary = {});

// The validators, exposed for tests and for `rampart guard check`.
bool LuhnValid(std::string_view digits);           // digits only
bool IbanValid(std::string_view iban_no_spaces);   // mod-97 == 1
bool GithubChecksumValid(std::string_view token);  // ghp_ + 30 + 6 base62 CRC32
std::uint32_t Crc32(std::string_view data);
// National identity numbers (digits/letters only, no separators).
bool SsnValid(std::string_view nine_digits);  // area 001-899 but 666, group 01-99, serial 0001-9999
bool NinoValid(std::string_view nino);        // 2 letters (allowed prefixes), 6 digits, A-D
bool DniValid(std::string_view dni);          // 8 digits + mod-23 letter; NIE: X/Y/Z + 7 + letter
bool BsnValid(std::string_view nine_digits);  // the "11-proof"
std::string Base62Pad6(std::uint32_t v);      // the checksum's encoding, for tests

}  // namespace rampart::guards
