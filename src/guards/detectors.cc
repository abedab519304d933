#include "guards/detectors.h"

#include <algorithm>
#include <cstring>

#include "core/encoding.h"

namespace rampart::guards {
namespace {

using State = MatchResult::State;

constexpr std::array<std::string_view, kDetectorCount> kNames = {
    "private_key", "aws_access_key", "aws_secret_key", "github_token", "jwt",
    "slack_token", "api_key",        "email",          "phone",        "payment_card",
    "iban",        "canary",         "national_id"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlpha(char c) { return IsUpper(c) || IsLower(c); }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsB64Url(char c) { return IsAlnum(c) || c == '_' || c == '-'; }
bool IsWord(char c) { return IsAlnum(c) || c == '_' || c == '-'; }
bool IsEmailLocal(char c) {
  return IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
char Lower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

MatchResult No() { return {}; }
MatchResult More() { return {State::kNeedMore, 0, 0}; }
MatchResult Hit(std::size_t b, std::size_t e) { return {State::kMatch, b, e}; }

// Compares `lit` at buf[pos] (case-insensitively if asked). kMatch: all of it
// is there; kNeedMore: what is there agrees but the buffer ends first.
State Literal(std::string_view buf, std::size_t pos, std::string_view lit, bool final,
              bool icase = false) {
  for (std::size_t k = 0; k < lit.size(); ++k) {
    if (pos + k >= buf.size()) return final ? State::kNo : State::kNeedMore;
    char c = buf[pos + k];
    if (icase ? Lower(c) != Lower(lit[k]) : c != lit[k]) return State::kNo;
  }
  return State::kMatch;
}

// Counts a run of bytes satisfying `pred` from pos, at most `max` + 1 of them.
template <class Pred>
std::size_t Run(std::string_view buf, std::size_t pos, std::size_t max, Pred pred) {
  std::size_t n = 0;
  while (pos + n < buf.size() && n <= max && pred(buf[pos + n])) ++n;
  return n;
}

// True if a run that stopped at `pos` stopped only because the buffer ended.
bool AtEnd(std::string_view buf, std::size_t pos) { return pos >= buf.size(); }

// ---- secrets ----

constexpr std::size_t kPemMax = 8192;

MatchResult PrivateKey(std::string_view b, std::size_t i, bool final) {
  State s = Literal(b, i, "-----BEGIN ", final);
  if (s != State::kMatch) return s == State::kNeedMore ? More() : No();
  std::size_t j = i + 11;
  std::size_t n = Run(b, j, 40, [](char c) { return IsUpper(c) || IsDigit(c) || c == ' '; });
  if (AtEnd(b, j + n)) return final ? No() : More();
  std::string_view label = b.substr(j, n);
  if (n > 40 || !label.ends_with("PRIVATE KEY")) return No();
  j += n;
  s = Literal(b, j, "-----", final);
  if (s != State::kMatch) return s == State::kNeedMore ? More() : No();
  j += 5;
  // The body, up to the END line. A JSON string's closing quote also ends
  // it, so a key inside a JSON body is redacted without breaking the JSON.
  for (std::size_t k = j; k < b.size() && k - i < kPemMax; ++k) {
    if (b[k] == '"') return Hit(i, k);
    if (b[k] == '-' && Literal(b, k, "-----END ", true) == State::kMatch) {
      std::size_t e = k + 9;
      std::size_t m = Run(b, e, 40, [](char c) { return IsUpper(c) || IsDigit(c) || c == ' '; });
      if (AtEnd(b, e + m)) return final ? Hit(i, b.size()) : More();
      e += m;
      State t = Literal(b, e, "-----", final);
      if (t == State::kNeedMore) return More();
      return Hit(i, t == State::kMatch ? e + 5 : e);
    }
  }
  if (b.size() - i < kPemMax && !final) return More();
  return Hit(i, std::min(b.size(), i + kPemMax));  // an unterminated block: what is there
}

MatchResult AwsAccessKey(std::string_view b, std::size_t i, char prev, bool final) {
  if (IsAlnum(prev)) return No();
  bool any = false;
  for (std::string_view p : {"AKIA", "ASIA", "ABIA", "ACCA"}) {
    State s = Literal(b, i, p, final);
    if (s == State::kNeedMore) return More();
    if (s == State::kMatch) any = true;
  }
  if (!any) return No();
  std::size_t n = Run(b, i + 4, 16, [](char c) { return IsUpper(c) || IsDigit(c); });
  if (AtEnd(b, i + 4 + n) && !final) return More();
  if (n != 16) return No();
  if (i + 20 < b.size() && IsAlnum(b[i + 20])) return No();
  return Hit(i, i + 20);
}

MatchResult AwsSecretKey(std::string_view b, std::size_t i, char prev, bool final) {
  if (IsAlnum(prev) || prev == '_') return No();
  std::size_t j = 0;
  bool need = false;
  for (std::string_view label :
       {"aws_secret_access_key", "aws_secret_key", "secret_access_key", "secretaccesskey"}) {
    State s = Literal(b, i, label, final, /*icase=*/true);
    if (s == State::kMatch) {
      j = i + label.size();
      break;
    }
    if (s == State::kNeedMore) need = true;
  }
  if (j == 0) return need ? More() : No();
  std::size_t sep = Run(b, j, 6, [](char c) {
    return c == ' ' || c == '"' || c == '\'' || c == ':' || c == '=' || c == '\\';
  });
  if (AtEnd(b, j + sep) && !final) return More();
  if (sep == 0 || sep > 6) return No();
  std::string_view seps = b.substr(j, sep);
  if (seps.find_first_of(":=") == std::string_view::npos) return No();
  j += sep;
  std::size_t n = Run(b, j, 40, [](char c) { return IsAlnum(c) || c == '/' || c == '+'; });
  if (AtEnd(b, j + n) && !final) return More();
  if (n != 40) return No();
  return Hit(j, j + 40);
}

MatchResult GithubToken(std::string_view b, std::size_t i, char prev, bool final) {
  if (IsAlnum(prev) || prev == '_') return No();
  State pat = Literal(b, i, "github_pat_", final);
  if (pat == State::kMatch) {
    std::size_t j = i + 11;
    std::size_t n = Run(b, j, 22, IsAlnum);
    if (AtEnd(b, j + n) && !final) return More();
    if (n != 22 || j + n >= b.size() || b[j + n] != '_') return No();
    j += 23;
    std::size_t m = Run(b, j, 59, IsAlnum);
    if (AtEnd(b, j + m) && !final) return More();
    if (m != 59) return No();
    return Hit(i, j + 59);
  }
  bool need = pat == State::kNeedMore;
  for (std::string_view p : {"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}) {
    State s = Literal(b, i, p, final);
    if (s == State::kNeedMore) need = true;
    if (s != State::kMatch) continue;
    std::size_t n = Run(b, i + 4, 36, IsAlnum);
    if (AtEnd(b, i + 4 + n) && !final) return More();
    if (n != 36) return No();
    if (i + 40 < b.size() && b[i + 40] == '_') return No();
    if (!GithubChecksumValid(b.substr(i, 40))) return No();
    return Hit(i, i + 40);
  }
  return need ? More() : No();
}

constexpr std::size_t kJwtMax = 8192;

bool JwtHeaderValid(std::string_view seg) {
  auto d = Base64UrlDecode(seg);
  if (!d) {
    // Unpadded base64url: retry with padding.
    std::string padded(seg);
    while (padded.size() % 4 != 0) padded.push_back('=');
    d = Base64UrlDecode(padded);
    if (!d) return false;
  }
  std::string_view h(reinterpret_cast<const char*>(d->data()), d->size());
  return h.starts_with("{") && h.find("\"alg\"") != std::string_view::npos;
}

MatchResult Jwt(std::string_view b, std::size_t i, char prev, bool final) {
  if (IsB64Url(prev) || prev == '.') return No();
  std::size_t j = i;
  std::size_t seg_begin[3], seg_len[3];
  for (int part = 0; part < 3; ++part) {
    if (part < 2) {
      State s = Literal(b, j, "eyJ", final);
      if (s != State::kMatch) return s == State::kNeedMore ? More() : No();
    }
    std::size_t n = Run(b, j, kJwtMax, IsB64Url);
    if (AtEnd(b, j + n) && !final) return b.size() - i < kJwtMax ? More() : No();
    seg_begin[part] = j;
    seg_len[part] = n;
    j += n;
    if (part < 2) {
      if (n < 10 || j >= b.size() || b[j] != '.') return No();
      ++j;
    }
  }
  if (seg_len[2] < 10) return No();
  if (!JwtHeaderValid(b.substr(seg_begin[0], seg_len[0]))) return No();
  return Hit(i, j);
}

MatchResult SlackToken(std::string_view b, std::size_t i, char prev, bool final) {
  if (IsAlnum(prev)) return No();
  State s = Literal(b, i, "xox", final);
  if (s != State::kMatch) return s == State::kNeedMore ? More() : No();
  if (i + 4 >= b.size()) return final ? No() : More();
  if (std::strchr("abposr", b[i + 3]) == nullptr || b[i + 3] == 0 || b[i + 4] != '-') return No();
  std::size_t n = Run(b, i + 5, 255, [](char c) { return IsAlnum(c) || c == '-'; });
  if (AtEnd(b, i + 5 + n) && !final) return More();
  if (n < 10 || n > 255) return No();
  return Hit(i, i + 5 + n);
}

MatchResult ApiKey(std::string_view b, std::size_t i, char prev, bool final) {
  if (IsWord(prev)) return No();
  State s = Literal(b, i, "sk-", final);
  if (s != State::kMatch) return s == State::kNeedMore ? More() : No();
  std::size_t n = Run(b, i + 3, 256, IsWord);
  if (AtEnd(b, i + 3 + n) && !final) return More();
  if (n < 20 || n > 256) return No();
  // A key is random: digits and letters. "sk-learn-compatible-estimator" is not.
  std::string_view v = b.substr(i + 3, n);
  bool digit = false, upper = false, lower = false;
  for (char c : v) {
    digit |= IsDigit(c);
    upper |= IsUpper(c);
    lower |= IsLower(c);
  }
  if (!digit || !(upper || lower)) return No();
  return Hit(i, i + 3 + n);
}

// ---- personal data ----

MatchResult Email(std::string_view b, std::size_t i, char prev, bool final) {
  if (IsEmailLocal(prev) || !IsEmailLocal(b[i])) return No();
  std::size_t n = Run(b, i, 64, IsEmailLocal);
  if (AtEnd(b, i + n)) return final ? No() : More();
  if (n > 64 || b[i + n] != '@' || b[i] == '.') return No();
  std::size_t j = i + n + 1;
  std::size_t end = 0;  // end of the last complete "label.tld"
  std::size_t labels = 0;
  while (true) {
    std::size_t m = Run(b, j, 63, [](char c) { return IsAlnum(c) || c == '-'; });
    if (AtEnd(b, j + m) && !final) return More();
    if (m == 0 || m > 63) break;
    bool alpha_tld = m >= 2;
    for (std::size_t k = 0; k < m && alpha_tld; ++k) alpha_tld = IsAlpha(b[j + k]);
    ++labels;
    if (labels >= 2 && alpha_tld) end = j + m;
    j += m;
    if (j - i > 254) break;
    if (j < b.size() && b[j] == '.') {
      if (j + 1 >= b.size() && !final) return More();
      ++j;
      continue;
    }
    break;
  }
  if (end == 0) return No();
  return Hit(i, end);
}

MatchResult Phone(std::string_view b, std::size_t i, char prev, bool final) {
  if (IsAlnum(prev) || prev == '+') return No();
  char c = b[i];
  if (c == '+') {
    // +CC then digits, single separators and parentheses: 8 to 15 digits (E.164).
    std::size_t j = i + 1, digits = 0, end = 0, seps = 0;
    while (j < b.size() && j - i < 32) {
      char d = b[j];
      if (IsDigit(d)) {
        if (digits == 0 && d == '0') return No();
        ++digits;
        end = j + 1;
        seps = 0;
      } else if (d == ' ' || d == '-' || d == '.' || d == '(' || d == ')') {
        if (digits == 0 && d != '(') return No();
        if (++seps > 2) break;
      } else {
        break;
      }
      ++j;
    }
    if (j >= b.size() && !final) return More();
    if (digits < 8 || digits > 15) return No();
    if (end < b.size() && IsAlnum(b[end])) return No();
    return Hit(i, end);
  }
  // North American shapes: (415) 555-0123, 415-555-0123, 415.555.0123.
  std::size_t j = i;
  auto digits = [&](std::size_t k) -> State {
    for (std::size_t q = 0; q < k; ++q, ++j) {
      if (j >= b.size()) return final ? State::kNo : State::kNeedMore;
      if (!IsDigit(b[j])) return State::kNo;
    }
    return State::kMatch;
  };
  auto one = [&](std::string_view allowed) -> State {
    if (j >= b.size()) return final ? State::kNo : State::kNeedMore;
    if (allowed.find(b[j]) == std::string_view::npos) return State::kNo;
    ++j;
    return State::kMatch;
  };
  State s;
  char sep = 0;
  if (c == '(') {
    ++j;
    if ((s = digits(3)) != State::kMatch) return s == State::kNeedMore ? More() : No();
    if ((s = one(")")) != State::kMatch) return s == State::kNeedMore ? More() : No();
    if (j < b.size() && b[j] == ' ') ++j;
    sep = '-';
  } else if (IsDigit(c)) {
    if ((s = digits(3)) != State::kMatch) return s == State::kNeedMore ? More() : No();
    if (j >= b.size()) return final ? No() : More();
    sep = b[j];
    if (sep != '-' && sep != '.') return No();
    ++j;
  } else {
    return No();
  }
  if ((s = digits(3)) != State::kMatch) return s == State::kNeedMore ? More() : No();
  std::string_view seps = c == '(' ? std::string_view("-. ") : std::string_view(&sep, 1);
  if ((s = one(seps)) != State::kMatch) return s == State::kNeedMore ? More() : No();
  if ((s = digits(4)) != State::kMatch) return s == State::kNeedMore ? More() : No();
  if (j >= b.size()) {
    if (!final) return More();
  } else if (IsAlnum(b[j])) {
    return No();
  }
  return Hit(i, j);
}

MatchResult PaymentCard(std::string_view b, std::size_t i, char prev, bool final) {
  if (IsAlnum(prev) || !IsDigit(b[i]) || b[i] < '2' || b[i] > '6') return No();
  std::string digits;
  std::size_t j = i, end = i;
  while (j < b.size()) {
    char c = b[j];
    if (IsDigit(c)) {
      digits.push_back(c);
      end = ++j;
      if (digits.size() > 19) return No();
    } else if ((c == ' ' || c == '-') && j + 1 < b.size() && IsDigit(b[j + 1]) && end == j) {
      ++j;
    } else if ((c == ' ' || c == '-') && j + 1 >= b.size() && !final) {
      return More();
    } else {
      break;
    }
  }
  if (j >= b.size() && !final) return More();
  if (end < b.size() && IsAlnum(b[end])) return No();
  if (digits.size() < 13 || !LuhnValid(digits)) return No();
  return Hit(i, end);
}

MatchResult Iban(std::string_view b, std::size_t i, char prev, bool final) {
  if (IsAlnum(prev)) return No();
  for (std::size_t k = 0; k < 4; ++k) {
    if (i + k >= b.size()) return final ? No() : More();
    if (k < 2 ? !IsUpper(b[i + k]) : !IsDigit(b[i + k])) return No();
  }
  // The rest: [A-Z0-9], optionally in groups separated by one space.
  std::string compact(b.substr(i, 4));
  std::size_t j = i + 4;
  // Candidate ends (in the buffer) and the compact length at each.
  std::size_t ends[40], lens[40], n_ends = 0;
  while (j < b.size() && compact.size() <= 34) {
    char c = b[j];
    if (IsUpper(c) || IsDigit(c)) {
      compact.push_back(c);
      ++j;
    } else if (c == ' ' && j + 1 < b.size() && (IsUpper(b[j + 1]) || IsDigit(b[j + 1]))) {
      if (n_ends < 40) ends[n_ends] = j, lens[n_ends++] = compact.size();
      ++j;
    } else if (c == ' ' && j + 1 >= b.size() && !final) {
      return More();
    } else {
      break;
    }
  }
  if (j >= b.size() && !final) return More();
  if (compact.size() <= 34 && !(j < b.size() && IsAlnum(b[j]))) {
    if (n_ends < 40) ends[n_ends] = j, lens[n_ends++] = compact.size();
  }
  // Longest valid candidate first ("DE.. 2024" must not swallow the year).
  for (std::size_t k = n_ends; k-- > 0;) {
    if (lens[k] < 15 || lens[k] > 34) continue;
    if (IbanValid(std::string_view(compact).substr(0, lens[k]))) return Hit(i, ends[k]);
  }
  return No();
}

// ---- national identity numbers ----

// Reads a fixed shape at b[i]: 'D' a digit, 'L' an upper-case letter, 's' an
// optional separator (one of `seps`, the same one throughout), then a word
// boundary. The compact characters (no separators) go to *compact.
MatchResult Shape(std::string_view b, std::size_t i, std::string_view shape, std::string_view seps,
                  bool final, std::string* compact) {
  compact->clear();
  std::size_t j = i;
  char sep = 0;
  for (char want : shape) {
    if (j >= b.size()) return final ? No() : More();
    char c = b[j];
    if (want == 's') {
      if (seps.find(c) != std::string_view::npos && c != 0 && (sep == 0 || sep == c)) {
        sep = c;
        ++j;
      } else if (sep != 0) {
        return No();  // separators are all or nothing after the first
      }
      continue;
    }
    if (want == 'D' ? !IsDigit(c) : !IsUpper(c)) return No();
    compact->push_back(c);
    ++j;
  }
  if (j >= b.size()) return final ? Hit(i, j) : More();
  if (IsAlnum(b[j]) || ((b[j] == '-' || b[j] == '/') && j + 1 < b.size() && IsDigit(b[j + 1])))
    return No();
  return Hit(i, j);
}

// The first match of several candidate readers; kNeedMore if none matched
// and one could not decide.
template <class... F>
MatchResult FirstOf(F&&... readers) {
  bool more = false;
  MatchResult hit;
  auto one = [&](auto&& r) {
    if (hit.state == State::kMatch) return;
    MatchResult m = r();
    if (m.state == State::kMatch) hit = m;
    more |= m.state == State::kNeedMore;
  };
  (one(readers), ...);
  if (hit.state == State::kMatch) return hit;
  return more ? More() : No();
}

MatchResult NationalId(std::string_view b, std::size_t i, char prev, bool final) {
  if (IsAlnum(prev)) return No();
  std::string compact;
  char c = b[i];
  if (IsDigit(c)) {
    return FirstOf(
        [&] {  // US SSN: 123-45-6789 or 123 45 6789 (a bare 9-digit run is too common)
          MatchResult m = Shape(b, i, "DDDsDDsDDDD", "- ", final, &compact);
          if (m.state == State::kMatch && (m.end - m.begin != 11 || !SsnValid(compact)))
            return No();
          return m;
        },
        [&] {  // Spanish DNI: 12345678Z, 12345678-Z
          MatchResult m = Shape(b, i, "DDDDDDDDsL", "-", final, &compact);
          return m.state == State::kMatch && !DniValid(compact) ? No() : m;
        });
  }
  return FirstOf(
      [&] {  // Spanish NIE: X1234567L
        if (c != 'X' && c != 'Y' && c != 'Z') return No();
        MatchResult m = Shape(b, i, "LDDDDDDDsL", "-", final, &compact);
        return m.state == State::kMatch && !DniValid(compact) ? No() : m;
      },
      [&] {  // UK NINO: AB123456C, AB 12 34 56 C
        if (!IsUpper(c)) return No();
        MatchResult m = Shape(b, i, "LLsDDsDDsDDsL", " ", final, &compact);
        return m.state == State::kMatch && !NinoValid(compact) ? No() : m;
      },
      [&] {  // Dutch BSN after its label: "BSN: 123456782", "burgerservicenummer 1234.56.782"
        std::size_t j = i;
        State s = Literal(b, j, "burgerservicenummer", final, true);
        if (s == State::kMatch) {
          j += 19;
        } else {
          State t = Literal(b, j, "bsn", final, true);
          if (t == State::kNeedMore || (s == State::kNeedMore && t != State::kMatch)) return More();
          if (t != State::kMatch) return No();
          j += 3;
        }
        // Up to 12 bytes of ":", "=", "#", ".", spaces, "nr", "nummer".
        std::size_t k = 0;
        while (j < b.size() && !IsDigit(b[j])) {
          if (++k > 12 || std::string_view(" :=#.-nrumeNRUME").find(b[j]) == std::string_view::npos)
            return No();
          ++j;
        }
        if (j >= b.size()) return final ? No() : More();
        std::size_t v = j;
        MatchResult m = Shape(b, v, "DDDDsDDsDDD", ". ", final, &compact);
        if (m.state != State::kMatch) {
          m = Shape(b, v, "DDDsDDDsDDD", ". ", final, &compact);
        }
        if (m.state == State::kMatch && !BsnValid(compact)) return No();
        return m;
      });
}

MatchResult Canary(std::string_view b, std::size_t i, bool final, std::string_view canary) {
  if (canary.empty()) return No();
  State s = Literal(b, i, canary, final);
  if (s == State::kNeedMore) return More();
  if (s == State::kNo) return No();
  return Hit(i, i + canary.size());
}

}  // namespace

std::string_view DetectorName(Detector d) { return kNames[static_cast<std::size_t>(d)]; }

std::optional<Detector> DetectorByName(std::string_view name) {
  for (std::size_t k = 0; k < kDetectorCount; ++k) {
    if (kNames[k] == name) return static_cast<Detector>(k);
  }
  return std::nullopt;
}

bool IsSecret(Detector d) {
  switch (d) {
    case Detector::kEmail:
    case Detector::kPhone:
    case Detector::kPaymentCard:
    case Detector::kIban:
    case Detector::kNationalId:
      return false;
    default:
      return true;
  }
}

MatchResult MatchAt(Detector d, std::string_view buf, std::size_t start, char prev, bool final,
                    std::string_view canary) {
  if (start >= buf.size()) return No();
  switch (d) {
    case Detector::kPrivateKey:
      return buf[start] == '-' ? PrivateKey(buf, start, final) : No();
    case Detector::kAwsAccessKey:
      return buf[start] == 'A' ? AwsAccessKey(buf, start, prev, final) : No();
    case Detector::kAwsSecretKey:
      return Lower(buf[start]) == 'a' || Lower(buf[start]) == 's'
                 ? AwsSecretKey(buf, start, prev, final)
                 : No();
    case Detector::kGithubToken:
      return buf[start] == 'g' ? GithubToken(buf, start, prev, final) : No();
    case Detector::kJwt:
      return buf[start] == 'e' ? Jwt(buf, start, prev, final) : No();
    case Detector::kSlackToken:
      return buf[start] == 'x' ? SlackToken(buf, start, prev, final) : No();
    case Detector::kApiKey:
      return buf[start] == 's' ? ApiKey(buf, start, prev, final) : No();
    case Detector::kEmail:
      return Email(buf, start, prev, final);
    case Detector::kPhone:
      return buf[start] == '+' || buf[start] == '(' || IsDigit(buf[start])
                 ? Phone(buf, start, prev, final)
                 : No();
    case Detector::kPaymentCard:
      return PaymentCard(buf, start, prev, final);
    case Detector::kIban:
      return IsUpper(buf[start]) ? Iban(buf, start, prev, final) : No();
    case Detector::kCanary:
      return !canary.empty() && buf[start] == canary[0] ? Canary(buf, start, final, canary) : No();
    case Detector::kNationalId:
      return IsAlnum(buf[start]) ? NationalId(buf, start, prev, final) : No();
  }
  return No();
}

bool MayStartWith(Detector d, char c, std::string_view canary) {
  switch (d) {
    case Detector::kPrivateKey:
      return c == '-';
    case Detector::kAwsAccessKey:
      return c == 'A';
    case Detector::kAwsSecretKey:
      return Lower(c) == 'a' || Lower(c) == 's';
    case Detector::kGithubToken:
      return c == 'g';
    case Detector::kJwt:
      return c == 'e';
    case Detector::kSlackToken:
      return c == 'x';
    case Detector::kApiKey:
      return c == 's';
    case Detector::kEmail:
      return IsEmailLocal(c);
    case Detector::kPhone:
      return c == '+' || c == '(' || IsDigit(c);
    case Detector::kPaymentCard:
      return c >= '2' && c <= '6';
    case Detector::kIban:
      return IsUpper(c);
    case Detector::kCanary:
      return !canary.empty() && c == canary[0];
    case Detector::kNationalId:
      return IsDigit(c) || IsUpper(c) || c == 'b';
  }
  return false;
}

bool SsnValid(std::string_view d) {
  if (d.size() != 9 || !std::all_of(d.begin(), d.end(), IsDigit)) return false;
  int area = std::stoi(std::string(d.substr(0, 3)));
  int group = std::stoi(std::string(d.substr(3, 2)));
  int serial = std::stoi(std::string(d.substr(5, 4)));
  // Never issued: area 000, 666, 900-999; group 00; serial 0000.
  return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
}

bool NinoValid(std::string_view n) {
  if (n.size() != 9 || !IsUpper(n[0]) || !IsUpper(n[1]) || !IsUpper(n[8])) return false;
  if (!std::all_of(n.begin() + 2, n.begin() + 8, IsDigit)) return false;
  if (std::string_view("DFIQUV").find(n[0]) != std::string_view::npos) return false;
  if (std::string_view("DFIOQUV").find(n[1]) != std::string_view::npos) return false;
  for (std::string_view bad : {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
    if (n.substr(0, 2) == bad) return false;
  return n[8] >= 'A' && n[8] <= 'D';
}

bool DniValid(std::string_view s) {
  if (s.size() != 9 || !IsUpper(s[8])) return false;
  std::string digits(s.substr(0, 8));
  if (digits[0] == 'X' || digits[0] == 'Y' || digits[0] == 'Z')
    digits[0] = static_cast<char>('0' + (digits[0] - 'X'));
  if (!std::all_of(digits.begin(), digits.end(), IsDigit)) return false;
  return "TRWAGMYFPDXBNJZSQVHLCKE"[std::stol(digits) % 23] == s[8];
}

bool BsnValid(std::string_view d) {
  if (d.size() != 9 || !std::all_of(d.begin(), d.end(), IsDigit)) return false;
  int sum = 0;
  for (int k = 0; k < 8; ++k) sum += (9 - k) * (d[k] - '0');
  sum -= d[8] - '0';
  return sum % 11 == 0 && d != "000000000";
}

bool LuhnValid(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool dbl = false;
  for (std::size_t k = digits.size(); k-- > 0;) {
    if (!IsDigit(digits[k])) return false;
    int v = digits[k] - '0';
    if (dbl) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

bool IbanValid(std::string_view s) {
  if (s.size() < 15 || s.size() > 34) return false;
  // Move the first four characters to the end; letters become 10..35.
  int rem = 0;
  for (std::size_t k = 0; k < s.size(); ++k) {
    char c = s[(k + 4) % s.size()];
    if (IsDigit(c)) {
      rem = (rem * 10 + (c - '0')) % 97;
    } else if (IsUpper(c)) {
      int v = c - 'A' + 10;
      rem = (rem * 100 + v) % 97;
    } else {
      return false;
    }
  }
  return rem == 1;
}

std::uint32_t Crc32(std::string_view data) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string Base62Pad6(std::uint32_t v) {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out(6, '0');
  for (int k = 5; k >= 0 && v > 0; --k) {
    out[static_cast<std::size_t>(k)] = kAlphabet[v % 62];
    v /= 62;
  }
  return out;
}

bool GithubChecksumValid(std::string_view token) {
  // <prefix>_ + 30 random base62 characters + 6 characters: the CRC32 of the
  // random part in base62, zero-padded.
  std::size_t us = token.find('_');
  if (us == std::string_view::npos || token.size() != us + 1 + 36) return false;
  std::string_view body = token.substr(us + 1, 30);
  return Base62Pad6(Crc32(body)) == token.substr(us + 31);
}

}  // namespace rampart::guards
