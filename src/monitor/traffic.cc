#include "monitor/traffic.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "monitor/sketch.h"

namespace rampart::monitor {

struct TrafficSim::Data {
  SimWorld w;
  std::uint64_t seed;
  std::vector<std::vector<float>> centers;         // the model's classes
  std::vector<std::vector<float>> scales;          // per class, per dim
  std::vector<std::vector<float>> public_centers;  // the attacker's dataset
  std::vector<std::string> words;
  std::vector<double> zipf;                         // cumulative
  std::vector<std::vector<std::string>> templates;  // sentence templates; "" = slot
};

namespace {

using Rng = std::mt19937_64;

double Uniform(Rng& r) { return std::uniform_real_distribution<double>(0, 1)(r); }

const std::string& Word(const TrafficSim::Data& d, Rng& r) {
  double u = Uniform(r);
  std::size_t i = std::lower_bound(d.zipf.begin(), d.zipf.end(), u) - d.zipf.begin();
  return d.words[std::min(i, d.words.size() - 1)];
}

std::string TensorBody(const std::vector<float>& x) {
  std::string s = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1," + std::to_string(x.size()) +
                  "],\"datatype\":\"FP32\",\"data\":[";
  char buf[32];
  for (std::size_t i = 0; i < x.size(); ++i) {
    int n = std::snprintf(buf, sizeof buf, i ? ",%.4f" : "%.4f", static_cast<double>(x[i]));
    s.append(buf, static_cast<std::size_t>(n));
  }
  return s + "]}]}";
}

std::string Escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o.push_back('\\');
    o.push_back(c);
  }
  return o;
}

std::string ChatBody(const std::string& prompt, const std::string& extra) {
  return "{\"model\":\"chat-7b\",\"messages\":[{\"role\":\"user\",\"content\":\"" + Escape(prompt) +
         "\"}]" + extra + "}";
}

std::vector<float> Sample(const TrafficSim::Data& d, const std::vector<float>& c,
                          const std::vector<float>& sc, Rng& r) {
  std::normal_distribution<float> n(0, 1);
  std::vector<float> x(c.size());
  for (std::size_t j = 0; j < c.size(); ++j) x[j] = c[j] + sc[j] * n(r);
  return x;
}

// A natural-ish prompt: 2–4 sentences, each from a random template with its
// slots filled from the Zipf vocabulary, then 0–30 free words.
std::string NaturalPrompt(const TrafficSim::Data& d, Rng& r) {
  std::string p;
  int sentences = 2 + static_cast<int>(r() % 3);
  for (int s = 0; s < sentences; ++s) {
    const auto& t = d.templates[r() % d.templates.size()];
    for (const std::string& w : t) {
      p += w.empty() ? Word(d, r) : w;
      p += ' ';
    }
  }
  int free = static_cast<int>(r() % 31);
  for (int i = 0; i < free; ++i) p += Word(d, r) + ' ';
  return p;
}

class BenignTensor final : public SimClient {
 public:
  BenignTensor(std::shared_ptr<const TrafficSim::Data> d, std::uint64_t id)
      : d_(std::move(d)), r_(Mix64(d_->seed ^ id)) {
    std::size_t k = 1 + r_() % 3;
    for (std::size_t i = 0; i < k; ++i) classes_.push_back(r_() % d_->w.classes);
  }
  std::string Next() override {
    std::size_t c = classes_[r_() % classes_.size()];
    return TensorBody(Sample(*d_, d_->centers[c], d_->scales[c], r_));
  }
  bool tensor() const override { return true; }

 private:
  std::shared_ptr<const TrafficSim::Data> d_;
  Rng r_;
  std::vector<std::size_t> classes_;
};

// Jacobian-based dataset augmentation (Papernot et al. 2017) as seen from
// the server: a few natural seeds, then rounds in which every point of the
// set so far is queried again moved by λ·sign(∇) (the substitute's gradient
// sign, random here: the server cannot tell them apart).
class Prada final : public SimClient {
 public:
  Prada(std::shared_ptr<const TrafficSim::Data> d, std::uint64_t id)
      : d_(std::move(d)), r_(Mix64(d_->seed ^ id ^ 0xabcdef)) {
    for (int i = 0; i < 10; ++i) {
      std::size_t c = r_() % d_->w.classes;
      set_.push_back(Sample(*d_, d_->centers[c], d_->scales[c], r_));
    }
    pending_ = set_;
  }
  std::string Next() override {
    if (next_ >= pending_.size()) {
      // A new round over the whole set (bounded: the newest 400 points).
      pending_.clear();
      std::size_t from = set_.size() > 400 ? set_.size() - 400 : 0;
      for (std::size_t i = from; i < set_.size(); ++i) {
        std::vector<float> x = set_[i];
        for (float& v : x) v += (r_() & 1) ? kLambda : -kLambda;
        pending_.push_back(std::move(x));
      }
      set_.insert(set_.end(), pending_.begin(), pending_.end());
      next_ = 0;
    }
    return TensorBody(pending_[next_++]);
  }
  bool tensor() const override { return true; }

 private:
  static constexpr float kLambda = 0.1f;
  std::shared_ptr<const TrafficSim::Data> d_;
  Rng r_;
  std::vector<std::vector<float>> set_, pending_;
  std::size_t next_ = 0;
};

// KnockoffNets (Orekondy et al. 2019): natural samples of a broad public
// dataset — the model's classes and many more — queried at random.
class Knockoff final : public SimClient {
 public:
  Knockoff(std::shared_ptr<const TrafficSim::Data> d, std::uint64_t id)
      : d_(std::move(d)), r_(Mix64(d_->seed ^ id ^ 0x1234567)) {}
  std::string Next() override {
    std::size_t all = d_->w.classes + d_->w.public_classes;
    std::size_t c = r_() % all;
    if (c < d_->w.classes) return TensorBody(Sample(*d_, d_->centers[c], d_->scales[c], r_));
    c -= d_->w.classes;
    return TensorBody(Sample(*d_, d_->public_centers[c], d_->scales[c % d_->w.classes], r_));
  }
  bool tensor() const override { return true; }

 private:
  std::shared_ptr<const TrafficSim::Data> d_;
  Rng r_;
};

// Targeted randomised perturbation (T-RND, Juuti et al. 2019) and boundary
// searches: from a natural seed, each query is the previous one with one
// feature moved by a fixed step; a new seed every 50 queries.
class Perturbation final : public SimClient {
 public:
  Perturbation(std::shared_ptr<const TrafficSim::Data> d, std::uint64_t id)
      : d_(std::move(d)), r_(Mix64(d_->seed ^ id ^ 0x7a7a)) {}
  std::string Next() override {
    if (n_++ % 50 == 0) {
      std::size_t c = r_() % d_->w.classes;
      x_ = Sample(*d_, d_->centers[c], d_->scales[c], r_);
    } else {
      x_[r_() % x_.size()] += (r_() & 1) ? 0.25f : -0.25f;
    }
    return TensorBody(x_);
  }
  bool tensor() const override { return true; }

 private:
  std::shared_ptr<const TrafficSim::Data> d_;
  Rng r_;
  std::vector<float> x_;
  std::size_t n_ = 0;
};

class Llm final : public SimClient {
 public:
  Llm(std::shared_ptr<const TrafficSim::Data> d, SimKind kind, std::uint64_t id,
      std::uint64_t group)
      : d_(std::move(d)), kind_(kind), r_(Mix64(d_->seed ^ id ^ 0x77)) {
    // Benign habits: some clients ask for a few logprobs now and then; most
    // use moderate max_tokens, a few the maximum now and then.
    logprob_user_ = Uniform(r_) < 0.05;
    if (kind_ == SimKind::kTemplateSweep || kind_ == SimKind::kColluder) {
      Rng g(Mix64(d_->seed ^ (kind_ == SimKind::kColluder ? group * 0x9e37 + 1 : id) ^ 0x55));
      // A 25-word instruction with two slots.
      for (int i = 0; i < 25; ++i) sweep_.push_back(i == 7 || i == 18 ? "" : Word(*d_, g));
    }
  }
  std::string Next() override {
    switch (kind_) {
      case SimKind::kTemplateSweep:
      case SimKind::kColluder: {
        std::string p;
        for (const std::string& w : sweep_) p += (w.empty() ? Word(*d_, r_) : w) + ' ';
        return ChatBody(p, ",\"max_tokens\":256");
      }
      case SimKind::kLogprobHarvest:
        return ChatBody(NaturalPrompt(*d_, r_),
                        ",\"logprobs\":true,\"top_logprobs\":20,\"max_tokens\":1");
      case SimKind::kMaxLength:
        return ChatBody(NaturalPrompt(*d_, r_), ",\"max_tokens\":4096");
      default: {
        std::string extra = ",\"max_tokens\":" + std::to_string(64 << (r_() % 6));
        if (Uniform(r_) < 0.02) extra = ",\"max_tokens\":4096";
        if (logprob_user_ && Uniform(r_) < 0.3)
          extra += ",\"logprobs\":true,\"top_logprobs\":" + std::to_string(1 + r_() % 2);
        return ChatBody(NaturalPrompt(*d_, r_), extra);
      }
    }
  }
  bool tensor() const override { return false; }

 private:
  std::shared_ptr<const TrafficSim::Data> d_;
  SimKind kind_;
  Rng r_;
  bool logprob_user_ = false;
  std::vector<std::string> sweep_;
};

}  // namespace

std::string_view SimKindName(SimKind k) {
  static constexpr std::string_view n[] = {"benign-tensor",    "benign-llm",     "prada-synthetic",
                                           "knockoff-natural", "template-sweep", "logprob-harvest",
                                           "max-length",       "colluding-keys", "perturbation"};
  return n[static_cast<std::size_t>(k)];
}

TrafficSim::TrafficSim(std::uint64_t seed, SimWorld w) {
  auto d = std::make_shared<Data>();
  d->w = w;
  d->seed = seed;
  Rng r(seed);
  std::normal_distribution<float> n(0, 1);
  auto center = [&] {
    std::vector<float> c(w.dims);
    for (float& v : c) v = n(r);
    return c;
  };
  for (std::size_t i = 0; i < w.classes; ++i) {
    d->centers.push_back(center());
    std::vector<float> s(w.dims);
    for (float& v : s) v = static_cast<float>(0.2 + 0.3 * Uniform(r));
    d->scales.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < w.public_classes; ++i) d->public_centers.push_back(center());
  static constexpr const char* kSyl[] = {"ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "an",
                                         "el", "or", "us", "ve", "zi", "da", "fe", "gu", "ho"};
  for (std::size_t i = 0; i < w.vocabulary; ++i) {
    std::string word;
    std::size_t k = 1 + r() % 3;
    for (std::size_t j = 0; j < k; ++j) word += kSyl[r() % 18];
    d->words.push_back(word + std::to_string(i % 7));
  }
  double sum = 0;
  for (std::size_t i = 0; i < w.vocabulary; ++i) sum += 1.0 / static_cast<double>(i + 1);
  double acc = 0;
  for (std::size_t i = 0; i < w.vocabulary; ++i) {
    acc += 1.0 / static_cast<double>(i + 1) / sum;
    d->zipf.push_back(acc);
  }
  // 200 sentence templates of 6–16 words, a third of them slots.
  for (int t = 0; t < 200; ++t) {
    std::vector<std::string> s;
    std::size_t len = 6 + r() % 11;
    for (std::size_t i = 0; i < len; ++i)
      s.push_back(r() % 3 == 0 ? std::string() : d->words[r() % 200]);
    d->templates.push_back(std::move(s));
  }
  data_ = std::move(d);
}

TrafficSim::~TrafficSim() = default;

std::unique_ptr<SimClient> TrafficSim::Client(SimKind kind, std::uint64_t id,
                                              std::uint64_t group) const {
  switch (kind) {
    case SimKind::kBenignTensor:
      return std::make_unique<BenignTensor>(data_, id);
    case SimKind::kPrada:
      return std::make_unique<Prada>(data_, id);
    case SimKind::kKnockoff:
      return std::make_unique<Knockoff>(data_, id);
    case SimKind::kPerturbation:
      return std::make_unique<Perturbation>(data_, id);
    default:
      return std::make_unique<Llm>(data_, kind, id, group);
  }
}

}  // namespace rampart::monitor
