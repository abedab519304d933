// The injection classifier: hashed word and character n-grams into a
// logistic regression, small enough to score a 1 KB prompt in microseconds
// on one core. Trained by `rampart guard train`; the model file is
// documented in docs/formats/guard-model.md.
//
// Text is normalised before features are taken (NormaliseForModel):
// FoldText (guards/normalize.h: NFKC-style compatibility folding, invisible
// controls dropped, homoglyphs folded), then ASCII lower-cased and runs of
// whitespace collapsed. Score also scores the payloads decoded from base64,
// hex and ROT13 runs (DecodedPayloads) and keeps the highest score. Long
// texts are scored in overlapping windows; the score is the highest
// window's, so an injection buried in a long document is not diluted.
//
// A second stage (since model format 3) judges what the text asks for: a
// small logistic regression over the n-gram model's logit and the counts of
// intent phrases (intent.h: lifting safety rules, a harmful goal, overriding
// instructions, a persona frame) and their conjunctions. It is trained on
// out-of-fold n-gram logits, so it learns how far to trust the n-gram score
// where the model had not seen the text, e.g. a role-play frame whose
// wording is a jailbreak's but which asks for nothing harmful.
//
// Thread-safety: a loaded Classifier is immutable; Score may be called from
// many threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "guards/intent.h"

namespace rampart::guards {

// The first line of a model file: "rampart-guard-model <version>". Version
// 3 added the second stage; version 2 files (n-grams only) still load.
inline constexpr std::string_view kModelMagicPrefix = "rampart-guard-model ";
// The version a file is written with: 5 when its veto second stage has a
// frame margin, 4 when it combines by veto without one (older readers must
// refuse a file rather than score it without what it needs), else 3.
inline constexpr int kModelVersion = 6;

struct ClassifierShape {
  std::uint32_t dim_bits = 18;  // 2^dim_bits weights
  int char_min = 1, char_max = 6;
  int word_max = 2;  // word unigrams and bigrams
  // Windows of 2 KB every 1 KB: an instruction planted in a long document
  // is not diluted by the rest of it (4 KB windows missed such documents).
  std::size_t window = 2048, stride = 1024;
};

std::string NormaliseForModel(std::string_view text);

// The hashed feature indices of a normalised text, each distinct index
// once, in order of first occurrence.
void Features(std::string_view normalised, const ClassifierShape& s,
              std::vector<std::uint32_t>* out);

namespace internal {
// Allows (true, the default) or forbids the vector path of the character
// n-grams (AVX-512, where the CPU has it); returns the previous setting.
// For tests: the scalar path gives the same indices.
bool SetVectorCharGrams(bool allowed);
}  // namespace internal

struct Example {
  std::string text;
  int label = 0;
  // Examples of one group (e.g. one template of generated data) fall in the
  // same fold when the second stage's out-of-fold scores are computed, so
  // a template's siblings do not vouch for it. "" = a group of its own.
  std::string group = {};
};

struct TrainOptions {
  ClassifierShape shape;
  int epochs = 6;
  double learning_rate = 0.5;
  double l2 = 1e-6;
  std::uint64_t seed = 1;
  // The second stage: out-of-fold n-gram logits over `folds` folds, then a
  // logistic regression (L2 `stage2_l2`) over Stage2Features. folds < 2 or
  // intent = false trains the n-gram model alone.
  bool intent = true;
  int folds = 4;
  double stage2_l2 = 1.0;
  // The Stage2Features the second stage may use (bit k = kStage2FeatureNames[k]);
  // the others keep weight 0. All by default.
  std::uint32_t stage2_features = (1u << kStage2Features) - 1;
  // Combine by veto (Stage2::veto): the second stage may lower the n-gram
  // model's verdict, never raise it.
  bool stage2_veto = false;
  // With the veto: Stage2::frame_margin (logits, >= 0).
  double frame_margin = 0;
  // With the frame margin: Stage2::scope_words (0 = off).
  int scope_words = 0;
};

// "ngram_logit,frame_only,..." -> a stage2_features mask; "all" = every
// feature. An unknown name is an error naming it.
Result<std::uint32_t> ParseStage2Features(std::string_view names);
// The mask back as names ("all" when every feature is in it).
std::string Stage2FeaturesToString(std::uint32_t mask);

// The second stage: a logistic regression over Stage2Features.
struct Stage2 {
  IntentLexicon lexicon;
  double bias = 0;
  Stage2Vector weights{};
  // Veto: a window's logit is min(second stage's logit, n-gram logit +
  // ngram_offset), so a text is flagged only when both the n-gram model
  // and the second stage flag it, each at its own threshold (Calibrate sets
  // ngram_offset = logit(stage-2 threshold) - logit(n-gram threshold)).
  // Otherwise the second stage's logit alone.
  bool veto = false;
  double ngram_offset = 0;
  // With the veto: a window that is a bare persona frame (Stage2Features'
  // frame_only: a persona phrase in its first kFrameWords words and no
  // safety_lift, harm or override phrase) is flagged only if its n-gram
  // logit clears the n-gram threshold by this margin too, i.e. its logit
  // is also at most z + ngram_offset - frame_margin. 0 = no margin. Only
  // removes flags.
  double frame_margin = 0;
  // With the frame margin: a window whose lift and override phrases are all
  // a fiction's (IntentLexicon::Count's lifts_scoped at this distance, in
  // words) and that has no harm phrase needs the same margin as a bare
  // frame: "no restrictions on creativity" in a story is not a lift of the
  // model's rules. 0 = off. Only removes flags.
  int scope_words = 0;
};

class Classifier {
 public:
  static Classifier Train(const std::vector<Example>& train, const TrainOptions& o);
  static Result<Classifier> Load(const std::filesystem::path& file);
  Status Save(const std::filesystem::path& file) const;

  // Probability of injection, 0..1.
  double Score(std::string_view text) const;
  // The same for the views ScoringViews(text) already computed.
  double ScoreViews(const std::vector<std::string>& views) const;

  double threshold() const { return threshold_; }
  void set_threshold(double t) { threshold_ = t; }
  // Sets the threshold at `max_fpr` on benign texts (ThresholdAtFpr of
  // their scores). With a veto second stage, the n-gram model and the second
  // stage each get their threshold at `max_fpr` there and ngram_offset is
  // set so that the model's threshold is both at once.
  void Calibrate(const std::vector<std::string_view>& benign, double max_fpr);
  // Free-form facts kept in the file (recipe, provenance, evaluation).
  json::object& meta() { return meta_; }
  const json::object& meta() const { return meta_; }
  const ClassifierShape& shape() const { return shape_; }
  // The second stage, if the model has one.
  const Stage2* stage2() const { return stage2_.has_value() ? &*stage2_ : nullptr; }
  // A copy without the second stage: the n-gram model alone, with the
  // same threshold (for comparisons).
  Classifier WithoutStage2() const {
    Classifier c = *this;
    c.stage2_.reset();
    return c;
  }
  // The n-gram model alone (bias + weighted sum) on a normalised text of at
  // most one window.
  double NgramLogit(std::string_view normalised) const;

 private:
  double ScoreNormalised(std::string_view normalised, std::vector<std::uint32_t>* scratch) const;
  double ScoreWindow(std::string_view normalised, std::vector<std::uint32_t>* scratch) const;
  double WindowLogit(std::string_view normalised, std::vector<std::uint32_t>* scratch) const;

  ClassifierShape shape_;
  std::vector<float> w_;
  float bias_ = 0;
  double threshold_ = 0.5;
  json::object meta_;
  std::optional<Stage2> stage2_;
};

// Grouped cross-validation of the whole recipe (n-grams and second stage):
// the examples fall in `folds` folds, a group's examples in one fold (by a
// hash of the group other than the one Train's out-of-fold scores use, so
// the two splits differ), ungrouped examples by position; fold f's model is
// trained with `o` on the other folds. Score example i with
// models[fold[i]]: its score comes from a model that saw neither it nor
// its group.
struct CrossValidation {
  std::vector<std::size_t> fold;   // per example
  std::vector<Classifier> models;  // per fold
};
CrossValidation CrossValidate(const std::vector<Example>& train, const TrainOptions& o, int folds);

// The lowest threshold whose false-positive rate on `benign_scores` is at
// most `max_fpr` (scores >= threshold are positives).
double ThresholdAtFpr(std::vector<double> benign_scores, double max_fpr);

}  // namespace rampart::guards
