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
// Thread-safety: a loaded Classifier is immutable; Score may be called from
// many threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace rampart::guards {

inline constexpr std::string_view kModelMagic = "rampart-guard-model 2";

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

struct Example {
  std::string text;
  int label = 0;
};

struct TrainOptions {
  ClassifierShape shape;
  int epochs = 6;
  double learning_rate = 0.5;
  double l2 = 1e-6;
  std::uint64_t seed = 1;
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
  // Free-form facts kept in the file (recipe, provenance, evaluation).
  json::object& meta() { return meta_; }
  const json::object& meta() const { return meta_; }
  const ClassifierShape& shape() const { return shape_; }

 private:
  double ScoreNormalised(std::string_view normalised, std::vector<std::uint32_t>* scratch) const;
  double ScoreWindow(std::string_view normalised, std::vector<std::uint32_t>* scratch) const;

  ClassifierShape shape_;
  std::vector<float> w_;
  float bias_ = 0;
  double threshold_ = 0.5;
  json::object meta_;
};

// The lowest threshold whose false-positive rate on `benign_scores` is at
// most `max_fpr` (scores >= threshold are positives).
double ThresholdAtFpr(std::vector<double> benign_scores, double max_fpr);

}  // namespace rampart::guards
