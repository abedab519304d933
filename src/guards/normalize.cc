#include "guards/normalize.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace rampart::guards {
namespace {

#include "guards/unicode_tables.inc"

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one code point at t[i]; invalid or truncated sequences give
// U+FFFD and consume one byte.
char32_t DecodeAt(std::string_view t, std::size_t* i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(t[k]); };
  unsigned char c = b(*i);
  if (c < 0x80) {
    ++*i;
    return c;
  }
  int n = c >= 0xF0 && c <= 0xF4 ? 3 : c >= 0xE0 ? (c <= 0xEF ? 2 : 0) : c >= 0xC2 ? 1 : 0;
  if (n == 0 || *i + static_cast<std::size_t>(n) >= t.size()) {
    ++*i;
    return kReplacement;
  }
  char32_t cp = c & (0x3F >> n);
  for (int k = 1; k <= n; ++k) {
    unsigned char d = b(*i + k);
    if ((d & 0xC0) != 0x80) {
      ++*i;
      return kReplacement;
    }
    cp = (cp << 6) | (d & 0x3F);
  }
  // Overlong forms, surrogates, beyond U+10FFFF.
  if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++*i;
    return kReplacement;
  }
  *i += static_cast<std::size_t>(n) + 1;
  return cp;
}

void Encode(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool Invisible(char32_t c) {
  return c == 0x00AD || c == 0x034F || c == 0x061C || c == 0x115F || c == 0x1160 || c == 0x180E ||
         (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2060 && c <= 0x206F) || c == 0x3164 || (c >= 0xFE00 && c <= 0xFE0F) ||
         c == 0xFEFF || c == 0xFFA0 || (c >= 0xE0000 && c <= 0xE001F) || c == 0xE007F ||
         (c >= 0xE0100 && c <= 0xE01EF);
}

bool Combining(char32_t c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
         (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
         (c >= 0xFE20 && c <= 0xFE2F);
}

bool AsciiLetter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

const CompatEntry* FindCompat(char32_t c) {
  auto it = std::lower_bound(std::begin(kCompat), std::end(kCompat), c,
                             [](const CompatEntry& e, char32_t v) { return e.cp < v; });
  return it != std::end(kCompat) && it->cp == c ? &*it : nullptr;
}

char FindHomoglyph(char32_t c) {
  auto it = std::lower_bound(std::begin(kHomoglyph), std::end(kHomoglyph), c,
                             [](const HomoglyphEntry& e, char32_t v) { return e.cp < v; });
  return it != std::end(kHomoglyph) && it->cp == c ? it->latin : 0;
}

// Letters of the scripts the homoglyphs come from (Greek, Cyrillic,
// Armenian, Cherokee, IPA), for the "mostly Latin" test.
bool LookalikeScript(char32_t c) {
  return (c >= 0x0370 && c <= 0x058F) || (c >= 0x13A0 && c <= 0x13FF);
}

bool WordChar(char32_t c) {
  return AsciiLetter(c) || (c >= '0' && c <= '9') ||
         (c >= 0xC0 && c != 0xD7 && c != 0xF7 && !(c >= 0x2000 && c <= 0x2BFF) &&
          !(c >= 0x3000 && c <= 0x303F));
}

// Code points below U+10000 that FoldText must look at (a compatibility
// mapping, an invisible control, a combining mark, a homoglyph or a letter
// of a look-alike script); any other code point is copied as it is.
const std::array<std::uint64_t, 1024>& SpecialBmp() {
  static const std::array<std::uint64_t, 1024> table = [] {
    std::array<std::uint64_t, 1024> bits{};
    auto set = [&](char32_t c) {
      if (c < 0x10000) bits[c >> 6] |= std::uint64_t{1} << (c & 63);
    };
    for (const CompatEntry& e : kCompat) set(e.cp);
    for (const HomoglyphEntry& e : kHomoglyph) set(e.cp);
    for (char32_t c = 0x80; c < 0x10000; ++c)
      if (Invisible(c) || Combining(c) || LookalikeScript(c)) set(c);
    return bits;
  }();
  return table;
}

// Look-alikes folded to Latin, word by word, in a valid UTF-8 text.
std::string FoldHomoglyphs(std::string_view t, bool mostly_latin) {
  std::vector<char32_t> cps;
  cps.reserve(t.size());
  for (std::size_t i = 0; i < t.size();) cps.push_back(DecodeAt(t, &i));
  for (std::size_t i = 0; i < cps.size();) {
    if (!WordChar(cps[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    bool has_latin = false, has_glyph = false;
    for (; j < cps.size() && WordChar(cps[j]); ++j) {
      has_latin |= AsciiLetter(cps[j]);
      has_glyph |= cps[j] >= 0x80 && FindHomoglyph(cps[j]) != 0;
    }
    if (has_glyph && (has_latin || mostly_latin)) {
      for (std::size_t k = i; k < j; ++k) {
        if (char l = cps[k] >= 0x80 ? FindHomoglyph(cps[k]) : 0) cps[k] = static_cast<char32_t>(l);
      }
    }
    i = j;
  }
  std::string out;
  out.reserve(t.size());
  for (char32_t c : cps) Encode(c, &out);
  return out;
}

}  // namespace

std::string FoldText(std::string_view t) {
  std::size_t first = 0;
  while (first < t.size() && static_cast<unsigned char>(t[first]) < 0x80) ++first;
  if (first == t.size()) return std::string(t);
  const auto& special = SpecialBmp();
  std::string out;
  out.reserve(t.size());
  std::size_t latin = 0, lookalike = 0;
  bool glyph = false;
  char32_t last = 0;  // the last code point written
  auto push = [&](char32_t c) {
    if (AsciiLetter(c)) ++latin;
    if (LookalikeScript(c)) ++lookalike;
    if (c >= 0x80 && !glyph) glyph = FindHomoglyph(c) != 0;
    Encode(c, &out);
    last = c;
  };
  for (std::size_t i = 0; i < t.size();) {
    auto b = static_cast<unsigned char>(t[i]);
    if (b < 0x80) {  // a run of ASCII: copied at once
      std::size_t j = i;
      for (; j < t.size() && static_cast<unsigned char>(t[j]) < 0x80; ++j)
        latin += AsciiLetter(static_cast<unsigned char>(t[j]));
      out.append(t.substr(i, j - i));
      last = static_cast<unsigned char>(t[j - 1]);
      i = j;
      continue;
    }
    const std::size_t start = i;
    char32_t c = DecodeAt(t, &i);
    if (c < 0x10000 && !((special[c >> 6] >> (c & 63)) & 1)) {  // nothing to fold
      if (c == kReplacement)
        Encode(c, &out);
      else
        out.append(t.substr(start, i - start));
      last = c;
      continue;
    }
    if (c >= 0xE0020 && c <= 0xE007E) {
      push(c - 0xE0000);
      continue;
    }
    if (Invisible(c)) continue;
    if (Combining(c)) {
      if (AsciiLetter(last)) continue;
      Encode(c, &out);
      last = c;
      continue;
    }
    if (const CompatEntry* e = FindCompat(c)) {
      for (std::size_t k = 0; k < e->len; ++k) {
        char32_t d = kCompatPool[e->offset + k];
        if (!Invisible(d)) push(d);
      }
      continue;
    }
    push(c);
  }
  if (!glyph) return out;
  return FoldHomoglyphs(out, latin > lookalike);
}

namespace {

constexpr std::array<std::int8_t, 256> kB64 = [] {
  std::array<std::int8_t, 256> v{};
  v.fill(-1);
  for (int c = 'A'; c <= 'Z'; ++c)
    v[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'A');
  for (int c = 'a'; c <= 'z'; ++c)
    v[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'a' + 26);
  for (int c = '0'; c <= '9'; ++c)
    v[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - '0' + 52);
  v['+'] = v['-'] = 62;
  v['/'] = v['_'] = 63;
  return v;
}();

int B64Value(unsigned char c) { return kB64[c]; }

int HexValue(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Mostly printable UTF-8 text: at least 85 % of the code points are
// printable (not C0/C1 controls other than whitespace, not U+FFFD), and
// some letters.
bool LooksLikeText(std::string_view s) {
  if (s.size() < 8) return false;
  std::size_t n = 0, bad = 0, letters = 0;
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = DecodeAt(s, &i);
    ++n;
    if (c == kReplacement || (c < 0x20 && c != '\n' && c != '\t' && c != '\r') ||
        (c >= 0x7F && c < 0xA0))
      ++bad;
    if (AsciiLetter(c) || c >= 0xC0) ++letters;
  }
  return bad * 100 <= n * 15 && letters * 3 >= n;
}

// The common English words counted to tell ROT13 text from plain text.
constexpr std::array<std::string_view, 24> kCommon = {
    "the",  "and", "you", "to",   "of",     "is",       "are",          "all",
    "your", "in",  "it",  "for",  "that",   "this",     "with",         "now",
    "not",  "be",  "a",   "what", "ignore", "previous", "instructions", "system"};

std::size_t CommonWords(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size();) {
    while (i < s.size() && !AsciiLetter(static_cast<unsigned char>(s[i]))) ++i;
    std::size_t j = i;
    while (j < s.size() && AsciiLetter(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i && j - i <= 12) {
      char buf[12];
      for (std::size_t k = i; k < j; ++k) buf[k - i] = static_cast<char>(s[k] | 0x20);
      std::string_view w(buf, j - i);
      n += std::find(kCommon.begin(), kCommon.end(), w) != kCommon.end();
    }
    i = j;
  }
  return n;
}

std::string Rot13(std::string_view s) {
  std::string r(s);
  for (char& c : r) {
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>('a' + (c - 'a' + 13) % 26);
    else if (c >= 'A' && c <= 'Z')
      c = static_cast<char>('A' + (c - 'A' + 13) % 26);
  }
  return r;
}

struct Budget {
  std::size_t bytes;
  std::vector<std::string>* out;
  bool Add(std::string s) {
    if (out->size() >= kMaxPayloads || s.size() > bytes) return false;
    bytes -= s.size();
    out->push_back(std::move(s));
    return true;
  }
};

// Whether a byte is a base64 character (kB64 >= 0), as 0 or 1.
constexpr std::array<std::uint8_t, 256> kIsB64 = [] {
  std::array<std::uint8_t, 256> v{};
  for (std::size_t c = 0; c < 256; ++c) v[c] = kB64[c] >= 0;
  return v;
}();

void Runs(std::string_view t, Budget* b, int depth) {
  // The maximal runs of base64 characters (hex digits are a subset), in
  // order; only runs of kMinEncodedRun or more are looked at, so the scan
  // keeps a run length without a branch per byte and stops at the end of
  // a long run. (A run's '=' padding is not a base64 character: skipping
  // it is the same as stepping over it.)
  const auto* p = reinterpret_cast<const unsigned char*>(t.data());
  std::size_t len = 0;
  for (std::size_t at = 0; at <= t.size(); ++at) {
    const std::size_t in = at < t.size() ? kIsB64[p[at]] : 0;
    if (in != 0 || len < kMinEncodedRun) [[likely]] {
      len = (len + 1) * in;
      continue;
    }
    if (b->out->size() >= kMaxPayloads) return;
    std::string_view run = t.substr(at - len, len);
    len = 0;
    const bool all_hex = std::all_of(run.begin(), run.end(), [](char ch) {
      return HexValue(static_cast<unsigned char>(ch)) >= 0;
    });
    std::string dec;
    if (all_hex && run.size() % 2 == 0) {
      for (std::size_t k = 0; k + 1 < run.size(); k += 2)
        dec.push_back(static_cast<char>(HexValue(static_cast<unsigned char>(run[k])) * 16 +
                                        HexValue(static_cast<unsigned char>(run[k + 1]))));
    }
    if (!LooksLikeText(dec)) {
      dec.clear();
      std::uint32_t acc = 0;
      int bits = 0;
      for (char ch : run) {
        acc = (acc << 6) | static_cast<std::uint32_t>(B64Value(static_cast<unsigned char>(ch)));
        bits += 6;
        if (bits >= 8) {
          bits -= 8;
          dec.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
      }
    }
    if (LooksLikeText(dec)) {
      std::string folded = FoldText(dec);
      std::string copy = folded;
      if (!b->Add(std::move(folded))) return;
      if (depth == 0) Runs(copy, b, 1);
    }
  }
}

}  // namespace

std::vector<std::string> DecodedPayloads(std::string_view text) {
  std::vector<std::string> out;
  Budget b{2 * text.size(), &out};
  Runs(text, &b, 0);
  // ROT13 of the whole text, when it reads more like English. A letter count
  // first: English text has more of "etoish" than of their ROT13 images
  // "rgbvfu", so the word test runs only on text that may be ROT13.
  // One signed count: +1 for each of "rgbvfu", -1 for each of "etoish",
  // either case.
  static constexpr std::array<std::int8_t, 256> kRot13Hint = [] {
    std::array<std::int8_t, 256> v{};
    for (char c : std::string_view("rgbvfu")) v[static_cast<unsigned char>(c)] = 1;
    for (char c : std::string_view("etoish")) v[static_cast<unsigned char>(c)] = -1;
    for (int c = 'A'; c <= 'Z'; ++c)
      v[static_cast<std::size_t>(c)] = v[static_cast<std::size_t>(c | 0x20)];
    return v;
  }();
  std::ptrdiff_t hint = 0;
  for (char ch : text) hint += kRot13Hint[static_cast<unsigned char>(ch)];
  if (hint <= 0) return out;
  std::size_t plain = CommonWords(text);
  std::string r = Rot13(text);
  std::size_t rotated = CommonWords(r);
  if (rotated >= 3 && rotated > 2 * plain) b.Add(std::move(r));
  return out;
}

std::vector<std::string> ScoringViews(std::string_view text) {
  std::vector<std::string> v;
  v.push_back(FoldText(text));
  for (std::string& p : DecodedPayloads(v.front())) v.push_back(std::move(p));
  return v;
}

}  // namespace rampart::guards
