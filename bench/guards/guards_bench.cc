// Guards benchmark and evaluation table.
//
// 1. The classifier, trained here on ../shared/testdata/injection/train.jsonl
//    (provenance: that folder's README), threshold chosen at 1 % FPR on the
//    first half of dev.jsonl; figures on the other half, per kind, and on a
//    benign trigger-word set written for this benchmark (never trained on).
// 2. Latency per request on one core (classifier + rules) for 200 B, 2 KB and
//    32 KB prompts, p50/p99.
// 3. The output stream scanner's throughput, next to a plain copy of the
//    same bytes in the same run (the baseline).
//
// Usage: guards_bench DATA_DIR TRIGGER_FILE
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/json.h"
#include "guards/classifier.h"
#include "guards/config.h"
#include "guards/guard_filter.h"
#include "guards/normalize.h"
#include "guards/stream_scanner.h"

namespace {

using namespace rampart;
using namespace rampart::guards;
using Clock = std::chrono::steady_clock;

struct Record {
  std::string text, kind;
  int label = 0;
};

std::vector<Record> Read(const std::string& path) {
  std::vector<Record> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto v = ParseJson(line);
    if (!v || !v->is_object()) continue;
    auto& o = v->as_object();
    Record r;
    r.text = o["text"].as_string().c_str();
    r.label = static_cast<int>(o["label"].as_int64());
    if (auto* k = o.if_contains("kind"); k && k->is_string()) r.kind = k->as_string().c_str();
    out.push_back(std::move(r));
  }
  return out;
}

double Pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: guards_bench DATA_DIR TRIGGER_FILE\n");
    return 2;
  }
  std::string dir = argv[1];
  auto train = Read(dir + "/train.jsonl");
  auto dev = Read(dir + "/dev.jsonl");
  if (train.empty() || dev.empty()) {
    std::fprintf(stderr, "guards bench: no data in %s\n", dir.c_str());
    return 2;
  }
  std::vector<Example> ex;
  for (const auto& r : train) ex.push_back({r.text, r.label});
  auto t0 = Clock::now();
  Classifier c = Classifier::Train(ex, TrainOptions{});
  double train_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<double> benign;
  for (std::size_t i = 0; i < dev.size(); i += 2) {
    if (dev[i].label == 0) benign.push_back(c.Score(dev[i].text));
  }
  c.set_threshold(ThresholdAtFpr(benign, 0.01));

  std::printf("Data: %s (train %zu records, dev %zu); see its README for sources and licences\n",
              dir.c_str(), train.size(), dev.size());
  std::printf(
      "Classifier: hashed char 3-5 + word 1-2 grams, logistic regression, 2^18 weights; "
      "trained in %.1f s\n",
      train_s);
  std::printf("Threshold %.4f: 1 %% FPR on the even records of dev.jsonl\n\n", c.threshold());

  std::map<std::string, std::pair<int, int>> by_kind;  // kind -> (hits, n)
  int tp = 0, pos = 0, fp = 0, neg = 0;
  for (std::size_t i = 1; i < dev.size(); i += 2) {
    bool hit = c.Score(dev[i].text) >= c.threshold();
    auto& k = by_kind[dev[i].kind];
    k.first += hit;
    k.second += 1;
    if (dev[i].label) {
      ++pos;
      tp += hit;
    } else {
      ++neg;
      fp += hit;
    }
  }
  std::printf("%-44s %8s %8s\n", "held-out (odd records of dev.jsonl)", "n", "flagged");
  std::printf("%-44s %8d %7.1f%%  (recall; target >= 97%%)\n", "all injections", pos,
              100.0 * tp / pos);
  std::printf("%-44s %8d %7.1f%%  (false positives)\n", "all benign", neg, 100.0 * fp / neg);
  for (const auto& [kind, hn] : by_kind) {
    std::printf("  %-42s %8d %7.1f%%\n", kind.c_str(), hn.second, 100.0 * hn.first / hn.second);
  }

  Diagnostics d;
  RulesPolicy rp;
  auto rules = *LoadRules(rp, &d);
  std::ifstream tin(argv[2]);
  std::string line;
  int tn = 0, tflag = 0, rflag = 0;
  while (std::getline(tin, line)) {
    if (line.empty()) continue;
    ++tn;
    tflag += c.Score(line) >= c.threshold();
    rflag += JudgeText(*rules, rp, PromptRole::kUser, line).decision != Action::kOff;
  }
  std::printf("\nbenign prompts with trigger words (%s, %d, never trained on):\n", argv[2], tn);
  std::printf(
      "  classifier false positives %d (%.1f%%), rules false positives %d (%.1f%%); "
      "target <= 5%%\n",
      tflag, 100.0 * tflag / tn, rflag, 100.0 * rflag / tn);

  // Latency per request, one core: classifier + rules on one user prompt.
  std::printf("\nlatency per prompt (classifier + rules, one thread):\n");
  std::string corpus;
  for (const auto& r : dev) corpus += r.text + " ";
  for (std::size_t size : {200u, 2048u, 32768u}) {
    std::vector<double> us;
    for (int i = 0; i < 400; ++i) {
      std::size_t off = (static_cast<std::size_t>(i) * 7919) % (corpus.size() - size);
      std::string_view p = std::string_view(corpus).substr(off, size);
      auto a = Clock::now();
      volatile double s = c.Score(p);
      auto v = JudgeText(*rules, rp, PromptRole::kUser, p);
      (void)s;
      (void)v;
      us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
    }
    std::printf("  %6zu B: p50 %7.1f us  p99 %7.1f us%s\n", size, Pct(us, 0.5), Pct(us, 0.99),
                size == 2048 ? "  (target p99 < 200 us)" : "");
  }
  // The share of that spent on normalisation (folding + decoded payloads).
  for (std::size_t size : {2048u, 32768u}) {
    std::vector<double> us;
    for (int i = 0; i < 400; ++i) {
      std::size_t off = (static_cast<std::size_t>(i) * 7919) % (corpus.size() - size);
      std::string_view p = std::string_view(corpus).substr(off, size);
      auto a = Clock::now();
      auto v = ScoringViews(p);
      us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
    }
    std::printf("  %6zu B: normalisation alone p50 %7.1f us  p99 %7.1f us\n", size, Pct(us, 0.5),
                Pct(us, 0.99));
  }

  // The output scanner over a response-sized text, in 64-byte pieces.
  std::string text = corpus.substr(0, 4u << 20);
  ScanOptions o;
  o.enabled.set();
  o.canary = "rmp-canary-0123456789abcdef01234567";
  auto a = Clock::now();
  StreamScanner s(o);
  std::vector<Segment> segs;
  std::size_t matches = 0;
  for (std::size_t k = 0; k < text.size(); k += 64) {
    segs.clear();
    s.Push(std::string_view(text).substr(k, 64), &segs);
    for (const auto& g : segs) matches += g.match.has_value();
  }
  s.Finish(&segs);
  double scan_s = std::chrono::duration<double>(Clock::now() - a).count();
  a = Clock::now();
  std::string copy;
  for (std::size_t k = 0; k < text.size(); k += 64) copy.append(text, k, 64);
  double copy_s = std::chrono::duration<double>(Clock::now() - a).count();
  std::printf(
      "\noutput scanner, %zu MB in 64-byte pieces, every detector on: %.0f MB/s "
      "(%zu matches); baseline, copying the same pieces: %.0f MB/s\n",
      text.size() >> 20, text.size() / 1e6 / scan_s, matches,
      text.size() / 1e6 / std::max(copy_s, 1e-9));
  std::printf(
      "not measured here yet: gateway throughput with guards on vs off, indirect "
      "injections in e-mails beyond dev's kinds\n");
  return 0;
}
