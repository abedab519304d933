#include "guards/classifier.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/file.h"
#include "guards/normalize.h"

namespace rampart::guards {
namespace {

constexpr std::uint64_t kFnvOffset = 1469598103934665603ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;
constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ull;

std::uint64_t Fnv(std::string_view s, std::uint64_t h = kFnvOffset) {
  for (unsigned char c : s) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

// The feature index of a hash and its kind (n for character n-grams, 101
// and 102 for word unigrams and bigrams): splitmix64 of the two.
std::uint64_t Mix(std::uint64_t h, std::uint64_t tag) {
  std::uint64_t z = h ^ (tag * kGolden);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double Sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// Per byte: ' ' for ASCII whitespace (space, \t, \n, \r, \f, \v), the
// lower case of A-Z, else the byte itself.
constexpr std::array<char, 256> kLowerOrSpace = [] {
  std::array<char, 256> v{};
  for (int c = 0; c < 256; ++c) {
    const bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    v[static_cast<std::size_t>(c)] = static_cast<char>(ws                     ? ' '
                                                       : c >= 'A' && c <= 'Z' ? c - 'A' + 'a'
                                                                              : c);
  }
  return v;
}();

// ASCII lower case, whitespace runs collapsed, of a folded text. Without
// a branch per byte (each whitespace run would be a mispredicted branch or
// two): every byte is written, and the write position moves on unless the
// byte is whitespace after whitespace (or at the start).
void LowerCollapseInto(std::string_view t, std::string* o) {
  std::string& out = *o;
  out.resize(t.size());
  char* w = out.data();
  char* const begin = w;
  bool space = true;
  for (char c : t) {
    const char l = kLowerOrSpace[static_cast<unsigned char>(c)];
    const bool ws = l == ' ';
    *w = l;
    w += !(ws && space);
    space = ws;
  }
  if (w != begin && w[-1] == ' ') --w;
  out.resize(static_cast<std::size_t>(w - begin));
}

std::string LowerCollapse(std::string_view t) {
  std::string out;
  LowerCollapseInto(t, &out);
  return out;
}

}  // namespace

std::string NormaliseForModel(std::string_view t) { return LowerCollapse(FoldText(t)); }

namespace {

// Whether RawIndices may use the vector path where the CPU has it (tests
// turn it off to check the scalar path on long texts too).
std::atomic<bool> g_vector_char_grams{true};

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RAMPART_CHAR_GRAMS_AVX512 1
// The character n-grams of RawIndices' "every length fits" positions,
// eight start positions at a time with AVX-512 (64-bit lane multiplies);
// the same indices in the same order as the scalar loop. Returns the
// number of positions done (a multiple of 8; the scalar loop does the
// rest). Chosen at run time on CPUs that have AVX-512F and DQ. (GCC 12's
// AVX-512 headers warn of their own _mm512_undefined values, GCC bug
// 105593; the warning is silenced here only.)
#if !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
__attribute__((target("avx512f,avx512dq"))) std::size_t CharGramsAvx512(
    const unsigned char* p, std::size_t full, std::size_t nmin, std::size_t nmax,
    std::uint64_t mask, std::uint32_t** out) {
  std::uint32_t* o = *out;
  const std::size_t kinds = nmax - nmin + 1;
  if (kinds > 8) return 0;
  const __m512i prime = _mm512_set1_epi64(static_cast<long long>(kFnvPrime));
  const __m512i m1 = _mm512_set1_epi64(static_cast<long long>(0xBF58476D1CE4E5B9ull));
  const __m512i m2 = _mm512_set1_epi64(static_cast<long long>(0x94D049BB133111EBull));
  const __m512i vmask = _mm512_set1_epi64(static_cast<long long>(mask));
  // The kinds x 8 indices of 8 positions, kind-major in `lanes` (two kinds
  // a register), are written position-major: for kinds == 6, three
  // registers out, each two permutes.
  __m512i lanes[4];
  const bool six = kinds == 6;
  __m512i pick_ab[3], pick_c[3];
  __mmask16 from_c[3] = {0, 0, 0};
  if (six) {
    alignas(64) std::int32_t ab[3][16], c[3][16];
    for (int j = 0; j < 3; ++j)
      for (int e = 0; e < 16; ++e) {
        const int g = 16 * j + e, l = g / 6, k = g % 6;
        const int at = (k % 2) * 8 + l;  // within register k / 2
        ab[j][e] = k < 4 ? (k / 2) * 16 + at : 0;
        c[j][e] = at;
        if (k >= 4) from_c[j] = static_cast<__mmask16>(from_c[j] | (1u << e));
      }
    for (int j = 0; j < 3; ++j) {
      pick_ab[j] = _mm512_load_si512(ab[j]);
      pick_c[j] = _mm512_load_si512(c[j]);
    }
  }
  alignas(64) std::uint32_t spill[8][8];
  std::size_t i = 0;
  for (; i + 8 <= full; i += 8) {
    __m512i h = _mm512_set1_epi64(static_cast<long long>(kFnvOffset));
    for (std::size_t n = 1; n <= nmax; ++n) {
      const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + i + n - 1));
      h = _mm512_mullo_epi64(_mm512_xor_si512(h, _mm512_cvtepu8_epi64(bytes)), prime);
      if (n < nmin) continue;
      __m512i z = _mm512_xor_si512(h, _mm512_set1_epi64(static_cast<long long>(n * kGolden)));
      z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), m1);
      z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), m2);
      z = _mm512_and_si512(_mm512_xor_si512(z, _mm512_srli_epi64(z, 31)), vmask);
      const __m256i v = _mm512_cvtepi64_epi32(z);
      const std::size_t k = n - nmin;
      if (six)
        lanes[k / 2] =
            k % 2 == 0 ? _mm512_castsi256_si512(v) : _mm512_inserti64x4(lanes[k / 2], v, 1);
      else
        _mm256_store_si256(reinterpret_cast<__m256i*>(spill[k]), v);
    }
    if (six) {
      for (int j = 0; j < 3; ++j) {
        const __m512i t = _mm512_permutex2var_epi32(lanes[0], pick_ab[j], lanes[1]);
        _mm512_storeu_si512(o + 16 * j,
                            _mm512_mask_permutexvar_epi32(t, from_c[j], pick_c[j], lanes[2]));
      }
      o += 48;
    } else {
      for (std::size_t l = 0; l < 8; ++l)
        for (std::size_t k = 0; k < kinds; ++k) *o++ = spill[k][l];
    }
  }
  *out = o;
  return i;
}
#if !defined(__clang__)
#pragma GCC diagnostic pop
#endif

bool HaveAvx512() {
  static const bool have = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  return have && g_vector_char_grams.load(std::memory_order_relaxed);
}
#endif

// Every hashed index of a normalised text, duplicates included, in the
// first (returned) elements of *out; *out is grown, never shrunk, so a
// scratch vector is not zero-filled again on every call.
std::size_t RawIndices(std::string_view t, const ClassifierShape& s,
                       std::vector<std::uint32_t>* out) {
  const std::uint64_t mask = (std::uint64_t{1} << s.dim_bits) - 1;
  // Character n-grams of " " + t + " ": one FNV-1a pass per start position
  // gives every length from char_min to char_max.
  thread_local std::string padded;
  padded.assign(1, ' ');
  padded.append(t);
  padded.push_back(' ');
  const auto* p = reinterpret_cast<const unsigned char*>(padded.data());
  const std::size_t len = padded.size();
  const std::size_t nmax = static_cast<std::size_t>(s.char_max);
  const std::size_t nmin = static_cast<std::size_t>(s.char_min);
  const std::size_t need = len * (nmax - nmin + 1) + t.size() + 2;
  if (out->size() < need) out->resize(need);
  std::uint32_t* o = out->data();
  const std::size_t full = len >= nmax ? len - nmax + 1 : 0;
  std::size_t done = 0;
#ifdef RAMPART_CHAR_GRAMS_AVX512
  if (HaveAvx512()) done = CharGramsAvx512(p, full, nmin, nmax, mask, &o);
#endif
  for (std::size_t i = done; i < full; ++i) {  // every length fits
    std::uint64_t h = kFnvOffset;
    for (std::size_t n = 1; n <= nmax; ++n) {
      h = (h ^ p[i + n - 1]) * kFnvPrime;
      if (n >= nmin) *o++ = static_cast<std::uint32_t>(Mix(h, n) & mask);
    }
  }
  for (std::size_t i = full; i < len; ++i) {
    std::uint64_t h = kFnvOffset;
    for (std::size_t n = 1; n <= nmax && i + n <= len; ++n) {
      h = (h ^ p[i + n - 1]) * kFnvPrime;
      if (n >= nmin) *o++ = static_cast<std::uint32_t>(Mix(h, n) & mask);
    }
  }
  // Word n-grams (words: runs of non-space bytes).
  std::uint64_t prev = 0;
  bool have_prev = false;
  for (std::size_t i = 0; i < t.size();) {
    std::size_t j = t.find(' ', i);
    if (j == std::string_view::npos) j = t.size();
    if (j > i) {
      std::uint64_t w = Fnv(t.substr(i, j - i));
      *o++ = static_cast<std::uint32_t>(Mix(w, 101) & mask);
      if (have_prev && s.word_max >= 2) {
        *o++ = static_cast<std::uint32_t>(Mix(prev * kGolden ^ w, 102) & mask);
      }
      prev = w;
      have_prev = true;
    }
    i = j + 1;
  }
  return static_cast<std::size_t>(o - out->data());
}

// Presence, not counts: a phrase repeated does not weigh more. Duplicates
// are dropped with a per-thread generation stamp per weight (sorting the
// indices cost several times the rest of the scoring); one byte per stamp
// keeps the array small enough to stay in cache next to the weights.
struct Stamps {
  std::vector<std::uint8_t> stamp;
  std::uint8_t generation = 0;
  // Starts a new set over 2^bits indices.
  std::uint8_t Next(std::size_t size) {
    if (stamp.size() != size) {
      stamp.assign(size, 0);
      generation = 0;
    }
    if (++generation == 0) {
      std::fill(stamp.begin(), stamp.end(), 0);
      generation = 1;
    }
    return generation;
  }
};

Stamps& ThreadStamps() {
  thread_local Stamps s;
  return s;
}

}  // namespace

void Features(std::string_view t, const ClassifierShape& s, std::vector<std::uint32_t>* out) {
  const std::size_t n = RawIndices(t, s, out);
  Stamps& st = ThreadStamps();
  const std::uint8_t gen = st.Next(std::size_t{1} << s.dim_bits);
  std::uint8_t* stamp = st.stamp.data();
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t k = (*out)[i];
    if (stamp[k] == gen) continue;
    stamp[k] = gen;
    (*out)[kept++] = k;
  }
  out->resize(kept);
}

namespace {

// AdaGrad on the logistic loss over the examples `use` (features scaled to
// unit L2 norm), into *w and *bias.
void FitNgrams(const std::vector<std::vector<std::uint32_t>>& feats,
               const std::vector<Example>& train, const std::vector<std::size_t>& use,
               const TrainOptions& o, std::vector<float>* weights, float* bias_out) {
  std::vector<float>& w = *weights;
  w.assign(std::size_t{1} << o.shape.dim_bits, 0.0f);
  float bias = 0;
  std::vector<std::size_t> order = use;
  std::mt19937_64 rng(o.seed);
  std::vector<float> g2(w.size(), 0.0f);
  double bias_g2 = 0;
  for (int e = 0; e < o.epochs; ++e) {
    std::shuffle(order.begin(), order.end(), rng);
    for (std::size_t i : order) {
      const auto& f = feats[i];
      if (f.empty()) continue;
      double v = 1.0 / std::sqrt(static_cast<double>(f.size()));
      double z = bias;
      for (auto k : f) z += w[k] * v;
      double g = Sigmoid(z) - train[i].label;
      for (auto k : f) {
        double gk = g * v + o.l2 * w[k];
        g2[k] += static_cast<float>(gk * gk);
        w[k] -= static_cast<float>(o.learning_rate * gk / (std::sqrt(g2[k]) + 1e-8));
      }
      bias_g2 += g * g;
      bias -= static_cast<float>(o.learning_rate * g / (std::sqrt(bias_g2) + 1e-8));
    }
  }
  *bias_out = bias;
}

double Logit(const std::vector<float>& w, float bias, const std::vector<std::uint32_t>& f) {
  if (f.empty()) return bias;
  double z = 0;
  for (auto k : f) z += w[k];
  return bias + z / std::sqrt(static_cast<double>(f.size()));
}

// Logistic regression by Newton's method (IRLS) with an L2 penalty on the
// weights (not the bias): few features, many examples, exact and
// deterministic.
void FitStage2(const std::vector<Stage2Vector>& x, const std::vector<int>& y, double l2,
               std::uint32_t mask, double* bias, Stage2Vector* weights) {
  constexpr int d = kStage2Features + 1;  // [bias, weights...]
  std::array<double, d> theta{};
  for (int iter = 0; iter < 50; ++iter) {
    std::array<double, d> g{};
    std::array<std::array<double, d>, d> h{};
    for (std::size_t i = 0; i < x.size(); ++i) {
      std::array<double, d> xi;
      xi[0] = 1;
      for (int k = 0; k < kStage2Features; ++k) xi[k + 1] = (mask >> k) & 1u ? x[i][k] : 0.0;
      double z = 0;
      for (int k = 0; k < d; ++k) z += theta[k] * xi[k];
      const double p = Sigmoid(z);
      const double r = std::max(p * (1 - p), 1e-9);
      for (int a = 0; a < d; ++a) {
        g[a] += (p - y[i]) * xi[a];
        for (int b = 0; b < d; ++b) h[a][b] += r * xi[a] * xi[b];
      }
    }
    for (int a = 1; a < d; ++a) {
      g[a] += l2 * theta[a];
      h[a][a] += l2 + ((mask >> (a - 1)) & 1u ? 0.0 : 1.0);  // a left-out feature stays at 0
    }
    h[0][0] += 1e-9;
    // Solve h * step = g (Gaussian elimination with partial pivoting).
    std::array<double, d> step = g;
    for (int c = 0; c < d; ++c) {
      int piv = c;
      for (int r = c + 1; r < d; ++r)
        if (std::abs(h[r][c]) > std::abs(h[piv][c])) piv = r;
      std::swap(h[c], h[piv]);
      std::swap(step[c], step[piv]);
      for (int r = c + 1; r < d; ++r) {
        const double f = h[r][c] / h[c][c];
        for (int k = c; k < d; ++k) h[r][k] -= f * h[c][k];
        step[r] -= f * step[c];
      }
    }
    for (int c = d - 1; c >= 0; --c) {
      for (int k = c + 1; k < d; ++k) step[c] -= h[c][k] * step[k];
      step[c] /= h[c][c];
    }
    double moved = 0;
    for (int k = 0; k < d; ++k) {
      theta[k] -= step[k];
      moved = std::max(moved, std::abs(step[k]));
    }
    if (moved < 1e-9) break;
  }
  // Kept at float precision, as the n-gram weights are: the model file's
  // JSON then gives back exactly the same values.
  *bias = static_cast<float>(theta[0]);
  for (int k = 0; k < kStage2Features; ++k) (*weights)[k] = static_cast<float>(theta[k + 1]);
}

}  // namespace

Classifier Classifier::Train(const std::vector<Example>& train, const TrainOptions& o) {
  Classifier c;
  c.shape_ = o.shape;
  // Features once; each example's text is scored by its first window when
  // training (the data's texts are mostly shorter than a window).
  std::vector<std::vector<std::uint32_t>> feats(train.size());
  std::vector<IntentCounts> counts(train.size());
  std::vector<int> first_persona(train.size(), -1);
  std::vector<std::size_t> bytes(train.size());
  const bool stage2 = o.intent && o.folds >= 2;
  const IntentLexicon& lex = IntentLexicon::Default();
  for (std::size_t i = 0; i < train.size(); ++i) {
    std::string n = NormaliseForModel(train[i].text);
    if (n.size() > o.shape.window) n.resize(o.shape.window);
    Features(n, o.shape, &feats[i]);
    if (stage2) {
      counts[i] = lex.Count(n, &first_persona[i]);
      bytes[i] = n.size();
    }
  }
  std::vector<std::size_t> all(train.size());
  std::iota(all.begin(), all.end(), 0);
  FitNgrams(feats, train, all, o, &c.w_, &c.bias_);
  if (!stage2) return c;
  // Out-of-fold logits: each example scored by a model that did not see it
  // (nor, with a group, its siblings).
  const std::size_t k = static_cast<std::size_t>(o.folds);
  std::vector<std::size_t> fold(train.size());
  for (std::size_t i = 0; i < train.size(); ++i)
    fold[i] = train[i].group.empty() ? i % k : Fnv(train[i].group) % k;
  std::vector<double> oof(train.size(), 0.0);
  std::vector<float> w;
  for (std::size_t f = 0; f < k; ++f) {
    std::vector<std::size_t> in;
    for (std::size_t i = 0; i < train.size(); ++i)
      if (fold[i] != f) in.push_back(i);
    float b = 0;
    FitNgrams(feats, train, in, o, &w, &b);
    for (std::size_t i = 0; i < train.size(); ++i)
      if (fold[i] == f) oof[i] = Logit(w, b, feats[i]);
  }
  std::vector<Stage2Vector> x(train.size());
  std::vector<int> y(train.size());
  for (std::size_t i = 0; i < train.size(); ++i) {
    x[i] = Stage2Features(oof[i], counts[i], first_persona[i], bytes[i]);
    y[i] = train[i].label;
  }
  Stage2 s2;
  s2.lexicon = lex;
  FitStage2(x, y, o.stage2_l2, o.stage2_features, &s2.bias, &s2.weights);
  s2.veto = o.stage2_veto;
  s2.frame_margin = o.stage2_veto ? o.frame_margin : 0.0;
  s2.scope_words = s2.frame_margin != 0 ? o.scope_words : 0;
  c.stage2_ = std::move(s2);
  return c;
}

CrossValidation CrossValidate(const std::vector<Example>& train, const TrainOptions& o, int folds) {
  CrossValidation cv;
  const std::size_t k = static_cast<std::size_t>(std::max(folds, 2));
  cv.fold.resize(train.size());
  for (std::size_t i = 0; i < train.size(); ++i)
    cv.fold[i] = train[i].group.empty() ? i % k : Fnv(train[i].group, Fnv("cv:")) % k;
  for (std::size_t f = 0; f < k; ++f) {
    std::vector<Example> in;
    for (std::size_t i = 0; i < train.size(); ++i)
      if (cv.fold[i] != f) in.push_back(train[i]);
    cv.models.push_back(Classifier::Train(in, o));
  }
  return cv;
}

void Classifier::Calibrate(const std::vector<std::string_view>& benign, double max_fpr) {
  auto at = [&](const Classifier& m) {
    std::vector<double> scores;
    scores.reserve(benign.size());
    for (std::string_view t : benign) scores.push_back(m.Score(t));
    return ThresholdAtFpr(std::move(scores), max_fpr);
  };
  if (stage2_ && stage2_->veto) {
    Classifier alone = *this;
    alone.stage2_->veto = false;
    auto logit = [](double p) {
      p = std::clamp(p, 1e-12, 1 - 1e-12);
      return std::log(p / (1 - p));
    };
    const double t2 = at(alone);
    stage2_->ngram_offset = logit(t2) - logit(at(WithoutStage2()));
    threshold_ = t2;
    return;
  }
  threshold_ = at(*this);
}

double Classifier::NgramLogit(std::string_view n) const {
  thread_local std::vector<std::uint32_t> f;
  return WindowLogit(n, &f);
}

double Classifier::ScoreWindow(std::string_view n, std::vector<std::uint32_t>* f) const {
  const double z = WindowLogit(n, f);
  if (!stage2_) return Sigmoid(z);
  int first_persona = -1;
  bool scoped = false;
  const IntentCounts counts =
      stage2_->lexicon.Count(n, &first_persona, stage2_->scope_words, &scoped);
  const Stage2Vector x = Stage2Features(z, counts, first_persona, n.size());
  double s = stage2_->bias;
  for (int k = 0; k < kStage2Features; ++k) s += stage2_->weights[k] * x[k];
  if (stage2_->veto) {
    s = std::min(s, z + stage2_->ngram_offset);
    if (x[kFrameOnly] != 0 || (scoped && counts[kHarm] == 0))
      s = std::min(s, z + stage2_->ngram_offset - stage2_->frame_margin);
  }
  return Sigmoid(s);
}

double Classifier::WindowLogit(std::string_view n, std::vector<std::uint32_t>* f) const {
  // Features(): the first occurrence of each index kept, in order, with
  // the per-thread stamps (branch-free, so the stamp loads overlap); then
  // the weights of those summed in that order.
  const std::size_t n_idx = RawIndices(n, shape_, f);
  Stamps& st = ThreadStamps();
  const std::uint8_t gen = st.Next(w_.size());
  std::uint8_t* stamp = st.stamp.data();
  std::uint32_t* idx = f->data();
  std::size_t count = 0;
  constexpr std::size_t kAhead = 16;  // prefetch distance, in indices
  for (std::size_t i = 0; i < n_idx; ++i) {
    if (i + kAhead < n_idx) __builtin_prefetch(stamp + idx[i + kAhead], 1);
    const std::uint32_t k = idx[i];
    const bool fresh = stamp[k] != gen;
    stamp[k] = gen;
    idx[count] = k;
    count += fresh;
  }
  if (count == 0) return bias_;
  // The sum in a loop of its own: its chain of dependent additions (in
  // this order, for the same result bit for bit) no longer holds up the
  // stamp loads above.
  const float* w = w_.data();
  double z = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (i + kAhead < count) __builtin_prefetch(w + idx[i + kAhead], 0);
    z += static_cast<double>(w[idx[i]]);
  }
  return bias_ + z / std::sqrt(static_cast<double>(count));
}

double Classifier::Score(std::string_view text) const { return ScoreViews(ScoringViews(text)); }

double Classifier::ScoreViews(const std::vector<std::string>& views) const {
  thread_local std::vector<std::uint32_t> f;
  thread_local std::string lowered;
  double best = 0;
  for (const std::string& view : views) {
    LowerCollapseInto(view, &lowered);
    best = std::max(best, ScoreNormalised(lowered, &f));
  }
  return best;
}

double Classifier::ScoreNormalised(std::string_view n, std::vector<std::uint32_t>* scratch) const {
  std::vector<std::uint32_t>& f = *scratch;
  if (n.size() <= shape_.window) return ScoreWindow(n, &f);
  double best = 0;
  for (std::size_t off = 0; off < n.size(); off += shape_.stride) {
    best = std::max(best, ScoreWindow(n.substr(off, shape_.window), &f));
    if (off + shape_.window >= n.size()) break;
  }
  return best;
}

Status Classifier::Save(const std::filesystem::path& file) const {
  std::string weights(w_.size() * 4, '\0');
  for (std::size_t k = 0; k < w_.size(); ++k) {
    std::uint32_t bits;
    std::memcpy(&bits, &w_[k], 4);
    for (int b = 0; b < 4; ++b) weights[k * 4 + b] = static_cast<char>((bits >> (8 * b)) & 0xFF);
  }
  json::object h;
  h["dim_bits"] = shape_.dim_bits;
  h["char_ngrams"] = json::array{shape_.char_min, shape_.char_max};
  h["word_ngrams"] = json::array{1, shape_.word_max};
  h["window"] = shape_.window;
  h["stride"] = shape_.stride;
  h["bias"] = bias_;
  h["threshold"] = threshold_;
  h["weights_sha256"] = HexEncode(crypto::Sha256(weights));
  h["meta"] = meta_;
  if (stage2_) {
    json::array names, weights2;
    for (std::string_view n : kStage2FeatureNames) names.emplace_back(n);
    for (double v : stage2_->weights) weights2.emplace_back(v);
    h["stage2"] = json::object{{"features", names},
                               {"weights", weights2},
                               {"bias", stage2_->bias},
                               {"lexicon", stage2_->lexicon.ToJson()}};
    if (stage2_->veto) {
      h["stage2"].as_object()["combine"] = "veto";
      h["stage2"].as_object()["ngram_offset"] = stage2_->ngram_offset;
      if (stage2_->frame_margin != 0)
        h["stage2"].as_object()["frame_margin"] = stage2_->frame_margin;
      if (stage2_->scope_words != 0) h["stage2"].as_object()["scope_words"] = stage2_->scope_words;
    }
  }
  const int version = !stage2_ || !stage2_->veto   ? 3
                      : stage2_->scope_words != 0  ? kModelVersion
                      : stage2_->frame_margin != 0 ? 5
                                                   : 4;
  std::string out =
      std::string(kModelMagicPrefix) + std::to_string(version) + "\n" + ToJson(h) + "\n" + weights;
  return WriteFileAtomic(file, out);
}

Result<Classifier> Classifier::Load(const std::filesystem::path& file) {
  RAMPART_ASSIGN_OR_RETURN(std::string data, ReadFile(file, 256u << 20));
  auto bad = [&](const std::string& why) {
    return InvalidArgumentError(file.string() + ": not a guard model (" + why +
                                "); train one with `rampart guard train`");
  };
  std::size_t l1 = data.find('\n');
  if (l1 == std::string::npos || !data.starts_with(kModelMagicPrefix)) return bad("bad first line");
  const std::string version = data.substr(kModelMagicPrefix.size(), l1 - kModelMagicPrefix.size());
  if (version != "2" && version != "3" && version != "4" && version != "5" && version != "6")
    return InvalidArgumentError(file.string() + ": guard model format version " +
                                version.substr(0, 16) +
                                "; this build reads versions 2 to 6 (retrain the model with "
                                "this build's `rampart guard train`)");
  std::size_t l2 = data.find('\n', l1 + 1);
  if (l2 == std::string::npos) return bad("no header");
  auto h = ParseJson(std::string_view(data).substr(l1 + 1, l2 - l1 - 1));
  if (!h || !h->is_object()) return bad("header is not a JSON object");
  const json::object& o = h->as_object();
  Classifier c;
  try {
    c.shape_.dim_bits = static_cast<std::uint32_t>(o.at("dim_bits").to_number<std::int64_t>());
    c.shape_.char_min =
        static_cast<int>(o.at("char_ngrams").as_array().at(0).to_number<std::int64_t>());
    c.shape_.char_max =
        static_cast<int>(o.at("char_ngrams").as_array().at(1).to_number<std::int64_t>());
    c.shape_.word_max =
        static_cast<int>(o.at("word_ngrams").as_array().at(1).to_number<std::int64_t>());
    c.shape_.window = static_cast<std::size_t>(o.at("window").to_number<std::int64_t>());
    c.shape_.stride = static_cast<std::size_t>(o.at("stride").to_number<std::int64_t>());
    c.bias_ = static_cast<float>(o.at("bias").to_number<double>());
    c.threshold_ = o.at("threshold").to_number<double>();
    if (auto* m = o.if_contains("meta"); m && m->is_object()) c.meta_ = m->as_object();
    // Version 3: the second stage (optional: a model trained without it
    // scores with the n-grams alone, as version 2 files do).
    if (const json::value* s2 = o.if_contains("stage2"); s2 && version != "2") {
      const json::object& so = s2->as_object();
      const json::array& names = so.at("features").as_array();
      const json::array& ws = so.at("weights").as_array();
      if (names.size() != kStage2FeatureNames.size() || ws.size() != kStage2FeatureNames.size())
        return bad("stage2 has " + std::to_string(names.size()) + " features, this build " +
                   std::to_string(kStage2FeatureNames.size()));
      Stage2 st;
      for (std::size_t k = 0; k < names.size(); ++k) {
        if (names[k].as_string() != kStage2FeatureNames[k])
          return bad("stage2 feature " + std::to_string(k) + " is '" +
                     std::string(names[k].as_string()) + "', this build has '" +
                     std::string(kStage2FeatureNames[k]) + "'");
        st.weights[k] = static_cast<float>(ws[k].to_number<double>());
        if (!std::isfinite(st.weights[k])) return bad("stage2 weight is not finite");
      }
      st.bias = static_cast<float>(so.at("bias").to_number<double>());
      auto lex = IntentLexicon::FromJson(so.at("lexicon").as_object());
      if (!lex) return bad(lex.error().message());
      st.lexicon = *std::move(lex);
      // Version 4: how the stages combine ("weighted", the default, or "veto").
      const bool v4 = version == "4" || version == "5" || version == "6";
      if (const json::value* comb = so.if_contains("combine"); comb && v4) {
        if (comb->as_string() == "veto") {
          st.veto = true;
          st.ngram_offset = so.at("ngram_offset").to_number<double>();
          if (!std::isfinite(st.ngram_offset)) return bad("stage2 ngram_offset is not finite");
          // Version 5: the margin a bare persona frame's n-gram logit needs.
          const bool v5 = version == "5" || version == "6";
          if (const json::value* fm = so.if_contains("frame_margin"); fm && v5) {
            st.frame_margin = fm->to_number<double>();
            if (!std::isfinite(st.frame_margin) || st.frame_margin < 0)
              return bad("stage2 frame_margin is not a finite number >= 0");
          }
          // Version 6: the distance at which a fiction scope covers a lift.
          if (const json::value* sw = so.if_contains("scope_words"); sw && version == "6") {
            const double w = sw->to_number<double>();
            if (!(w >= 0 && w <= 64) || w != std::floor(w))
              return bad("stage2 scope_words is not a whole number 0..64");
            st.scope_words = static_cast<int>(w);
          }
        } else if (comb->as_string() != "weighted") {
          return bad("stage2 combine '" + std::string(comb->as_string()).substr(0, 32) +
                     "', this build has 'weighted' and 'veto'");
        }
      }
      c.stage2_ = std::move(st);
    }
  } catch (const std::exception& e) {
    return bad(std::string("header field: ") + e.what());
  }
  if (c.shape_.dim_bits < 8 || c.shape_.dim_bits > 26 || c.shape_.char_min < 1 ||
      c.shape_.char_max < c.shape_.char_min || c.shape_.char_max > 8 || c.shape_.word_max < 1 ||
      c.shape_.word_max > 2 || c.shape_.window < 64 || c.shape_.stride < 1 ||
      c.shape_.stride > c.shape_.window)
    return bad("header values out of range");
  std::string_view weights = std::string_view(data).substr(l2 + 1);
  if (weights.size() != (std::size_t{4} << c.shape_.dim_bits)) return bad("wrong weights size");
  const json::value* sha = o.if_contains("weights_sha256");
  if (!sha || !sha->is_string() || sha->as_string() != HexEncode(crypto::Sha256(weights)))
    return bad("weights do not match weights_sha256");
  c.w_.resize(std::size_t{1} << c.shape_.dim_bits);
  for (std::size_t k = 0; k < c.w_.size(); ++k) {
    std::uint32_t bits = 0;
    for (int b = 0; b < 4; ++b)
      bits |= static_cast<std::uint32_t>(static_cast<unsigned char>(weights[k * 4 + b])) << (8 * b);
    std::memcpy(&c.w_[k], &bits, 4);
  }
  return c;
}

Result<std::uint32_t> ParseStage2Features(std::string_view names) {
  if (names == "all") return (1u << kStage2Features) - 1;
  std::uint32_t mask = 0;
  while (!names.empty()) {
    const std::size_t comma = names.find(',');
    const std::string_view name = names.substr(0, comma);
    const auto it = std::find(kStage2FeatureNames.begin(), kStage2FeatureNames.end(), name);
    if (it == kStage2FeatureNames.end())
      return InvalidArgumentError("unknown second-stage feature '" + std::string(name) + "'");
    mask |= 1u << (it - kStage2FeatureNames.begin());
    names = comma == std::string_view::npos ? std::string_view() : names.substr(comma + 1);
  }
  if (mask == 0) return InvalidArgumentError("no second-stage feature named");
  return mask;
}

std::string Stage2FeaturesToString(std::uint32_t mask) {
  if (mask == (1u << kStage2Features) - 1) return "all";
  std::string out;
  for (int k = 0; k < kStage2Features; ++k)
    if ((mask >> k) & 1u) out += (out.empty() ? "" : ",") + std::string(kStage2FeatureNames[k]);
  return out;
}

double ThresholdAtFpr(std::vector<double> benign, double max_fpr) {
  if (benign.empty()) return 0.5;
  std::sort(benign.begin(), benign.end(), std::greater<>());
  // At most floor(max_fpr * n) benign scores may be >= the threshold.
  std::size_t allowed = static_cast<std::size_t>(std::floor(max_fpr * benign.size()));
  if (allowed >= benign.size()) return 0.0;
  // Just above the (allowed+1)-th highest benign score.
  return std::nextafter(benign[allowed], 2.0);
}

namespace internal {
bool SetVectorCharGrams(bool allowed) { return g_vector_char_grams.exchange(allowed); }
}  // namespace internal

}  // namespace rampart::guards
