// What a prompt asks for, as counts of lexicon phrases in four categories,
// for the injection classifier's second stage (classifier.h).
//
// A role-play frame ("you are Nova", "stay in character") is not an attack
// by itself; a jailbreak is one because of what it asks: that the model's
// rules, ethics or filters be lifted (safety_lift), a harmful goal (harm),
// or that its instructions be overridden or revealed (override). The second
// stage weighs the n-gram model's score together with these counts, so a
// persona frame asking for nothing of the kind can be told apart from one
// that does, whatever its wording.
//
// Lexicon text format (the default is src/guards/intent_lexicon.inc; a
// trained model carries its own copy, docs/formats/guard-model.md):
//   [category]     starts a category: safety_lift, harm, override, persona,
//                  fiction_scope, model_scope
//   phrase         one a line; words separated by spaces, where
//                    word   matches that word
//                    word*  matches a word starting with it (2+ characters)
//                    _      matches 0 to 3 other words (not first or last)
//   # comment      and blank lines are ignored
// Words of a text are runs of ASCII letters and digits and non-ASCII bytes
// of the normalised (lower-cased) text; an apostrophe (' or U+2019) inside a
// word is dropped, so "don't" is the word "dont".
//
// Thread-safety: a parsed lexicon is immutable; Count may be called from
// many threads at once.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace rampart::guards {

// fiction_scope and model_scope say whose rules a lift applies to (a
// story's or a game's, or the model's); they are not second-stage inputs.
enum IntentCategory : int {
  kSafetyLift = 0,
  kHarm = 1,
  kOverride = 2,
  kPersona = 3,
  kFictionScope = 4,
  kModelScope = 5
};
inline constexpr int kIntentCategories = 6;
inline constexpr std::array<std::string_view, kIntentCategories> kIntentCategoryNames = {
    "safety_lift", "harm", "override", "persona", "fiction_scope", "model_scope"};

// Per category, the number of distinct phrases found.
using IntentCounts = std::array<int, kIntentCategories>;

class IntentLexicon {
 public:
  // Parses the text format above; an error names origin:line.
  static Result<IntentLexicon> Parse(std::string_view text, std::string_view origin);
  // The built-in lexicon (intent_lexicon.inc).
  static const IntentLexicon& Default();
  static std::string_view DefaultText();

  // Counts the phrases of each category in a normalised text
  // (NormaliseForModel's output: ASCII lower-cased). With first_persona,
  // also the index of the first word where a persona phrase starts (-1 if
  // none): a frame sets the scene at the start of a prompt.
  //
  // With scope_words > 0 and lifts_scoped: *lifts_scoped is set when the
  // text has a safety_lift or override phrase, every occurrence of one
  // starts within scope_words words of the start of a fiction_scope phrase
  // ("no restrictions on creativity", "in this story you may break the
  // rules"), and no model_scope phrase occurs anywhere ("your guidelines",
  // "system prompt", "ChatGPT"): the lifts are the fiction's, not the
  // model's. The fiction_scope and model_scope counts are filled only then
  // (a scope asked for, and a lift or override phrase found); otherwise 0.
  IntentCounts Count(std::string_view normalised, int* first_persona = nullptr, int scope_words = 0,
                     bool* lifts_scoped = nullptr) const;

  // {"safety_lift": ["no restriction*", ...], ...}: what a model file keeps.
  json::object ToJson() const;
  static Result<IntentLexicon> FromJson(const json::object& o);

  std::size_t size() const { return main_.phrases.size() + scope_.phrases.size(); }

 private:
  struct Word {
    std::string text;  // "" for a gap
    bool prefix = false;
    bool gap = false;
  };
  struct Phrase {
    std::vector<Word> words;
    int category = 0;
    std::string source;  // as written
  };

  // A phrase that may start at a word: its first word kept inline (in
  // heads), so that the words that cannot start it are passed over without
  // reading the phrase. Within a bucket, the phrases with the same first
  // word are adjacent, the first of them holding their number (`run`), so
  // that word is compared once for all of them ("no _ ...": 11 phrases).
  struct Candidate {
    std::uint32_t id;       // into phrases
    std::uint32_t head;     // offset of the first word in heads
    std::uint16_t size;     // of the first word
    bool prefix = false;    // the first word is a prefix
    std::uint16_t run = 1;  // candidates from this one on with this first word
  };
  // Phrases by a hash of the first two bytes of their first word
  // (kBuckets buckets; a collision only costs a failed match): bucket b's
  // are candidates[bucket_start[b] .. bucket_start[b + 1]), one array
  // rather than a vector per bucket, so a lookup touches two cache lines.
  static constexpr std::size_t kBuckets = 1024;
  struct Index {
    std::vector<Phrase> phrases;
    std::string heads;
    std::vector<Candidate> candidates;
    std::vector<std::uint32_t> bucket_start = std::vector<std::uint32_t>(kBuckets + 1, 0);
    // Per bucket, the word sizes that may start one of its phrases: bit s
    // (s < 63) for a word of s bytes, bit 63 for 63 bytes or more. Most
    // words start no phrase, and this one test (a branch taken the same way
    // nearly always) turns them away.
    std::vector<std::uint64_t> head_sizes = std::vector<std::uint64_t>(kBuckets, 0);
  };
  Status Add(std::string_view line, int category);
  // The four second-stage categories, scanned for every text; the two
  // scope categories, scanned only when a scope is asked for and the text
  // has a lift or override phrase (most texts have none).
  Index main_, scope_;
};

// The second stage's inputs for one window: the n-gram model's logit, the
// intent counts and the window's length. Names (kStage2FeatureNames) are
// kept in the model file; a file whose names differ is refused.
inline constexpr int kStage2Features = 10;
inline constexpr std::array<std::string_view, kStage2Features> kStage2FeatureNames = {
    "ngram_logit",             // the n-gram model's bias + weighted sum, clipped to [-12, 12]
    "log1p_safety_lift",       // log(1 + count)
    "log1p_harm",              //
    "log1p_override",          //
    "log1p_persona",           //
    "frame_only",              // a persona phrase in the first kFrameWords words, none of
                               // safety_lift, harm, override
    "frame_only_x_logit",      // frame_only * ngram_logit
    "frame_and_lift_or_harm",  // persona > 0 and (safety_lift > 0 or harm > 0)
    "lift_and_harm",           // safety_lift > 0 and harm > 0
    "log1p_kb",                // log(1 + bytes / 1024)
};
using Stage2Vector = std::array<double, kStage2Features>;
inline constexpr int kFrameOnly = 5;  // kStage2FeatureNames[kFrameOnly] == "frame_only"
static_assert(kStage2FeatureNames[kFrameOnly] == "frame_only");
inline constexpr int kFrameWords = 40;
Stage2Vector Stage2Features(double ngram_logit, const IntentCounts& c, int first_persona,
                            std::size_t bytes);

}  // namespace rampart::guards
