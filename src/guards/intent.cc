#include "guards/intent.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <span>

namespace rampart::guards {
namespace {

constexpr std::string_view kDefaultLexicon =
#include "guards/intent_lexicon.inc"
    ;

constexpr int kMaxGap = 3;

constexpr bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

// Per byte: the byte lower-cased when it is a word byte (IsWordByte), else 0.
constexpr std::array<unsigned char, 256> kWordFold = [] {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const auto u = static_cast<unsigned char>(c);
    if (IsWordByte(u)) t[u] = u >= 'A' && u <= 'Z' ? static_cast<unsigned char>(u - 'A' + 'a') : u;
  }
  return t;
}();

std::size_t Bucket(std::string_view w, std::size_t buckets) {
  const auto a = static_cast<unsigned char>(w[0]);
  const auto b = w.size() > 1 ? static_cast<unsigned char>(w[1]) : 0u;
  return ((a * 0x9E37u) ^ (b * 0x85EBu)) % buckets;
}

// n bytes at a and at b equal (the words compared are short: inline
// rather than a call to memcmp).
bool SameBytes(const char* a, const char* b, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k)
    if (a[k] != b[k]) return false;
  return true;
}

struct Scratch {
  std::string buf;
  // The words are words[0 .. count); the vector is grown, never shrunk.
  std::vector<std::string_view> words;
  std::size_t count = 0;
  std::vector<std::uint8_t> seen;
  // With scope tracking: where lift/override and fiction_scope phrases start.
  std::vector<int> lifts, scopes;
};

// The words of a text, apostrophes inside words dropped, into sc->buf;
// views into it in sc->words (buf is sized once, so the views stay valid).
void Words(std::string_view t, Scratch* sc) {
  sc->buf.resize(t.size());
  // At most one word per two bytes, and one more.
  if (sc->words.size() < t.size() / 2 + 1) sc->words.resize(t.size() / 2 + 1);
  std::string_view* out = sc->words.data();
  std::size_t count = 0;
  char* const base = sc->buf.data();
  char* w = base;
  // Without a branch per word boundary (a text has hundreds, each one a
  // mispredicted branch): every byte's folded value is written at w, which
  // moves on only for word bytes; a word's start is kept while in it, and
  // the view is written at every byte but counted only where a word ends.
  std::size_t start = 0;
  bool in_word = false;
  const auto* p = reinterpret_cast<const unsigned char*>(t.data());
  const std::size_t n = t.size();
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char c = p[i];
    // (bytes tested together, not a branch on in_word: see above)
    if ((static_cast<unsigned>(in_word) &
         (static_cast<unsigned>(c == '\'') | static_cast<unsigned>(c == 0xE2))) != 0) [[unlikely]] {
      // an apostrophe inside a word
      if (c == '\'') continue;  // is dropped
      if (i + 2 < n && p[i + 1] == 0x80 && p[i + 2] == 0x99) {
        i += 2;  // U+2019 RIGHT SINGLE QUOTATION MARK
        continue;
      }
    }
    const unsigned char l = kWordFold[c];
    const bool word = l != 0;
    const auto at = static_cast<std::size_t>(w - base);
    // start = in_word ? start : at, as a mask (compilers make a branch of the
    // conditional).
    const std::size_t keep = std::size_t{0} - static_cast<std::size_t>(in_word);
    start = (start & keep) | (at & ~keep);
    out[count] = std::string_view(base + start, at - start);
    count += in_word && !word;
    *w = static_cast<char>(l);
    w += word;
    in_word = word;
  }
  if (in_word)
    out[count++] = std::string_view(base + start, static_cast<std::size_t>(w - base) - start);
  sc->count = count;
}

}  // namespace

std::string_view IntentLexicon::DefaultText() { return kDefaultLexicon; }

const IntentLexicon& IntentLexicon::Default() {
  static const IntentLexicon lex = [] {
    auto l = Parse(kDefaultLexicon, "intent_lexicon.inc");
    if (!l) std::abort();  // the built-in text is checked by a unit test
    return *std::move(l);
  }();
  return lex;
}

Status IntentLexicon::Add(std::string_view line, int category) {
  Phrase p;
  p.category = category;
  p.source = std::string(line);
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    if (i >= line.size()) break;
    std::size_t j = line.find(' ', i);
    if (j == std::string_view::npos) j = line.size();
    std::string_view w = line.substr(i, j - i);
    i = j;
    Word word;
    if (w == "_") {
      word.gap = true;
    } else {
      if (w.back() == '*') {
        word.prefix = true;
        w.remove_suffix(1);
        if (w.size() < 2) return InvalidArgumentError("a prefix needs 2 or more characters");
      }
      for (char c : w) {
        const auto u = static_cast<unsigned char>(c);
        if (!IsWordByte(u) || (c >= 'A' && c <= 'Z'))
          return InvalidArgumentError(std::string("'") + c +
                                      "' in a word: words are lower-case letters, digits, "
                                      "non-ASCII bytes");
      }
      word.text = std::string(w);
    }
    p.words.push_back(std::move(word));
  }
  if (p.words.empty()) return InvalidArgumentError("empty phrase");
  if (p.words.front().gap || p.words.back().gap)
    return InvalidArgumentError("a phrase cannot start or end with _");
  for (std::size_t k = 1; k < p.words.size(); ++k)
    if (p.words[k].gap && p.words[k - 1].gap) return InvalidArgumentError("two _ in a row");
  Index& x = category == kFictionScope || category == kModelScope ? scope_ : main_;
  const Word& head = p.words.front();
  if (head.text.size() > 0xFFFF) return InvalidArgumentError("a word longer than 65535 bytes");
  const std::size_t b = Bucket(head.text, kBuckets);
  // After the phrases with the same first word, if the bucket has some.
  std::size_t at = x.bucket_start[b + 1];
  for (std::size_t k = x.bucket_start[b]; k < x.bucket_start[b + 1]; k += x.candidates[k].run) {
    const Candidate& c = x.candidates[k];
    if (c.prefix == head.prefix && c.size == head.text.size() &&
        std::string_view(x.heads).substr(c.head, c.size) == head.text) {
      if (c.run == 0xFFFF) return InvalidArgumentError("too many phrases with one first word");
      at = k + c.run;
      ++x.candidates[k].run;
      break;
    }
  }
  x.candidates.insert(
      x.candidates.begin() + static_cast<std::ptrdiff_t>(at),
      {static_cast<std::uint32_t>(x.phrases.size()), static_cast<std::uint32_t>(x.heads.size()),
       static_cast<std::uint16_t>(head.text.size()), head.prefix});
  for (std::size_t k = b + 1; k <= kBuckets; ++k) ++x.bucket_start[k];
  const std::size_t bit = std::min<std::size_t>(head.text.size(), 63);
  x.head_sizes[b] |= head.prefix ? ~std::uint64_t{0} << bit : std::uint64_t{1} << bit;
  x.heads += head.text;
  x.phrases.push_back(std::move(p));
  return OkStatus();
}

Result<IntentLexicon> IntentLexicon::Parse(std::string_view text, std::string_view origin) {
  IntentLexicon lex;
  int category = -1;
  std::size_t line_no = 0;
  for (std::size_t pos = 0; pos <= text.size();) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t'))
      line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    auto where = [&] { return std::string(origin) + ":" + std::to_string(line_no) + ": "; };
    if (line.front() == '[') {
      if (line.back() != ']') return InvalidArgumentError(where() + "expected [category]");
      std::string_view name = line.substr(1, line.size() - 2);
      auto it = std::find(kIntentCategoryNames.begin(), kIntentCategoryNames.end(), name);
      if (it == kIntentCategoryNames.end())
        return InvalidArgumentError(where() + "unknown category '" + std::string(name) +
                                    "' (safety_lift, harm, override, persona, "
                                    "fiction_scope, model_scope)");
      category = static_cast<int>(it - kIntentCategoryNames.begin());
      continue;
    }
    if (category < 0) return InvalidArgumentError(where() + "a phrase before any [category] line");
    Status s = lex.Add(line, category);
    if (!s.ok()) return InvalidArgumentError(where() + s.message());
  }
  return lex;
}

IntentCounts IntentLexicon::Count(std::string_view normalised, int* first_persona, int scope_words,
                                  bool* lifts_scoped) const {
  thread_local Scratch scratch;
  Scratch& sc = scratch;
  Words(normalised, &sc);
  const std::span<const std::string_view> words(sc.words.data(), sc.count);
  IntentCounts counts{};
  if (first_persona) *first_persona = -1;
  const bool track = scope_words > 0 && lifts_scoped != nullptr;
  if (lifts_scoped) *lifts_scoped = false;
  sc.lifts.clear();
  sc.scopes.clear();
  auto word_matches = [](const Word& w, std::string_view t) {
    return (w.prefix ? t.size() >= w.text.size() : t.size() == w.text.size()) &&
           SameBytes(t.data(), w.text.data(), w.text.size());
  };
  // Does phrase p match words[at...] from its word k on?
  auto match = [&](auto&& self, const Phrase& p, std::size_t k, std::size_t at) -> bool {
    if (k == p.words.size()) return true;
    const Word& w = p.words[k];
    if (w.gap) {
      for (int g = 0; g <= kMaxGap && at + static_cast<std::size_t>(g) <= words.size(); ++g)
        if (self(self, p, k + 1, at + static_cast<std::size_t>(g))) return true;
      return false;
    }
    return at < words.size() && word_matches(w, words[at]) && self(self, p, k + 1, at + 1);
  };
  // Every occurrence of these counts for the scope, not only the first.
  auto positional = [](int cat) {
    return cat == kSafetyLift || cat == kOverride || cat == kFictionScope;
  };
  auto scan = [&](const Index& x) {
    std::vector<std::uint8_t>& seen = sc.seen;
    seen.assign(x.phrases.size(), 0);
    const char* heads = x.heads.data();
    for (std::size_t i = 0; i < words.size(); ++i) {
      const std::string_view word = words[i];
      const std::size_t b = Bucket(word, kBuckets);
      if (((x.head_sizes[b] >> std::min<std::size_t>(word.size(), 63)) & 1) == 0) continue;
      const Candidate* const end = x.candidates.data() + x.bucket_start[b + 1];
      for (const Candidate* cp = x.candidates.data() + x.bucket_start[b]; cp != end;
           cp += cp->run) {
        const Candidate& c = *cp;
        // The first word, from heads: word_matches(p.words[0], word), once
        // for the run of phrases that start with it.
        if (c.prefix ? word.size() < c.size : word.size() != c.size) continue;
        if (!SameBytes(word.data(), heads + c.head, c.size)) continue;
        for (const Candidate* q = cp; q != cp + c.run; ++q) {
          const std::uint32_t id = q->id;
          if (seen[id] && !(track && positional(x.phrases[id].category))) continue;
          const Phrase& p = x.phrases[id];
          if (match(match, p, 1, i + 1)) {
            if (track && positional(p.category))
              (p.category == kFictionScope ? sc.scopes : sc.lifts).push_back(static_cast<int>(i));
            if (seen[id]) continue;
            seen[id] = 1;
            ++counts[static_cast<std::size_t>(p.category)];
            if (p.category == kPersona && first_persona && *first_persona < 0)
              *first_persona = static_cast<int>(i);
          }
        }
      }
    }
  };
  scan(main_);
  if (!track || sc.lifts.empty()) return counts;
  scan(scope_);
  if (counts[kModelScope] != 0) return counts;
  // Every lift near a fiction scope (both lists are in text order).
  bool all = true;
  for (int l : sc.lifts) {
    bool near = false;
    for (int s : sc.scopes)
      if (std::abs(s - l) <= scope_words) {
        near = true;
        break;
      }
    if (!near) {
      all = false;
      break;
    }
  }
  *lifts_scoped = all;
  return counts;
}

json::object IntentLexicon::ToJson() const {
  json::object o;
  // The scope categories only when they have phrases, so that a lexicon
  // without them reads in builds that do not know them.
  for (int c = 0; c < kIntentCategories; ++c)
    if (c < kFictionScope || !scope_.phrases.empty())
      o[kIntentCategoryNames[static_cast<std::size_t>(c)]] = json::array{};
  for (const Index* x : {&main_, &scope_})
    for (const Phrase& p : x->phrases)
      o[kIntentCategoryNames[static_cast<std::size_t>(p.category)]].as_array().push_back(
          json::value(p.source));
  return o;
}

Result<IntentLexicon> IntentLexicon::FromJson(const json::object& o) {
  IntentLexicon lex;
  for (const auto& [name, list] : o) {
    auto it =
        std::find(kIntentCategoryNames.begin(), kIntentCategoryNames.end(), std::string_view(name));
    if (it == kIntentCategoryNames.end())
      return InvalidArgumentError("intent lexicon: unknown category '" + std::string(name) + "'");
    if (!list.is_array())
      return InvalidArgumentError("intent lexicon: " + std::string(name) + " is not an array");
    for (const auto& v : list.as_array()) {
      if (!v.is_string())
        return InvalidArgumentError("intent lexicon: " + std::string(name) + " holds a non-string");
      std::string_view s(v.as_string().data(), v.as_string().size());
      Status st = lex.Add(s, static_cast<int>(it - kIntentCategoryNames.begin()));
      if (!st.ok())
        return InvalidArgumentError("intent lexicon: " + std::string(name) + " phrase '" +
                                    std::string(s) + "': " + st.message());
    }
  }
  return lex;
}

Stage2Vector Stage2Features(double z, const IntentCounts& c, int first_persona, std::size_t bytes) {
  const double logit = std::clamp(z, -12.0, 12.0);
  const bool lift = c[kSafetyLift] > 0, harm = c[kHarm] > 0, over = c[kOverride] > 0,
             frame = c[kPersona] > 0;
  const bool framed = first_persona >= 0 && first_persona < kFrameWords;
  const double frame_only = framed && !lift && !harm && !over ? 1.0 : 0.0;
  return {logit,
          std::log1p(c[kSafetyLift]),
          std::log1p(c[kHarm]),
          std::log1p(c[kOverride]),
          std::log1p(c[kPersona]),
          frame_only,
          frame_only * logit,
          frame && (lift || harm) ? 1.0 : 0.0,
          lift && harm ? 1.0 : 0.0,
          std::log1p(static_cast<double>(bytes) / 1024.0)};
}

}  // namespace rampart::guards
