// Guards benchmark and evaluation table.
//
// 1. The classifier, trained here on ../shared/testdata/injection/train.jsonl
//    (provenance: that folder's README), threshold chosen at 1 % FPR on the
//    first half of dev.jsonl; figures on the other half, per kind; on a
//    benign trigger-word set written for this benchmark; on benign role-play
//    frames and on documents with and without planted instructions
//    (roleplay_benign.jsonl, indirect.jsonl from
//    scripts/guards/gen_heldout_sets.py; roleplay_benign2.jsonl from
//    scripts/guards/gen_heldout_roleplay2.py, roleplay_benign3.jsonl from
//    scripts/guards/gen_heldout_roleplay3.py, roleplay_benign4.jsonl from
//    scripts/guards/gen_heldout_roleplay4.py and roleplay_benign5.jsonl from
//    scripts/guards/gen_heldout_roleplay5.py, written without sight of the
//    training generators, see docs/design/guards-heldout-roleplay2.md,
//    guards-heldout-roleplay3.md, guards-heldout-roleplay4.md and
//    guards-heldout-roleplay5.md).
//    None of these is trained or tuned on.
// 2. Latency per request on one core (normalisation + classifier + rules)
//    for 200 B, 2 KB and 32 KB prompts, p50/p99, wall and thread CPU time,
//    next to one FNV-1a pass over the same bytes in the same run.
// 3. The output stream scanner's throughput, next to a plain copy of the
//    same bytes in the same run (the baseline).
//
// The classifier is trained as the shipped model is (docs/formats/guard-model.md):
// train.jsonl plus EXTRA_TRAIN (bench/guards/run.sh passes the concatenation
// of data/guards/benign_trigger_train.jsonl and documents_train.jsonl), once.
// GUARDS_BENCH_MODEL=FILE skips training and scores with that model.
// GUARDS_BENCH_SKIP_BLIND=1 leaves out the blind role-play sets
// (roleplay_benign2.jsonl to roleplay_benign5.jsonl) unread.
// GUARDS_BENCH_SCORES=FILE writes every score exactly and exits
// (bench/guards/scores_ab.sh compares two builds).
//
// Usage: guards_bench DATA_DIR TRIGGER_FILE [EXTRA_TRAIN]
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/json.h"
#include "guards/classifier.h"
#include "guards/config.h"
#include "guards/guard_filter.h"
#include "guards/instruction.h"
#include "guards/normalize.h"
#include "guards/stream_scanner.h"

namespace {

using namespace rampart;
using namespace rampart::guards;
using Clock = std::chrono::steady_clock;

struct Record {
  std::string text, kind, source, group, frame;
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
    if (auto* k = o.if_contains("source"); k && k->is_string()) r.source = k->as_string().c_str();
    if (auto* k = o.if_contains("group"); k && k->is_string()) r.group = k->as_string().c_str();
    if (auto* k = o.if_contains("frame"); k && k->is_string()) r.frame = k->as_string().c_str();
    out.push_back(std::move(r));
  }
  return out;
}

// The recipe's knobs; the environment may override them for experiments
// (GUARDS_BENCH_REPEAT, GUARDS_BENCH_EPOCHS, GUARDS_BENCH_L2, GUARDS_BENCH_BITS).
double EnvOr(const char* name, double fallback) {
  const char* v = std::getenv(name);
  return v ? std::atof(v) : fallback;
}
TrainOptions Recipe() {
  TrainOptions o;
  o.epochs = static_cast<int>(EnvOr("GUARDS_BENCH_EPOCHS", o.epochs));
  o.l2 = EnvOr("GUARDS_BENCH_L2", o.l2);
  o.shape.dim_bits = static_cast<std::uint32_t>(EnvOr("GUARDS_BENCH_BITS", o.shape.dim_bits));
  o.shape.window = static_cast<std::size_t>(EnvOr("GUARDS_BENCH_WINDOW", o.shape.window));
  o.shape.stride = static_cast<std::size_t>(EnvOr("GUARDS_BENCH_STRIDE", o.shape.stride));
  o.folds = static_cast<int>(EnvOr("GUARDS_BENCH_FOLDS", o.folds));
  o.intent = o.folds >= 2;
  o.stage2_l2 = EnvOr("GUARDS_BENCH_STAGE2_L2", o.stage2_l2);
  if (const char* f = std::getenv("GUARDS_BENCH_STAGE2_FEATURES"))
    o.stage2_features = *ParseStage2Features(f);
  // The recipe combines the stages by veto (scripts/guards/train_model.sh);
  // GUARDS_BENCH_STAGE2_VETO=0 for the weighted second stage.
  o.stage2_veto = EnvOr("GUARDS_BENCH_STAGE2_VETO", 1) != 0;
  // The recipe's margin for bare persona frames under the veto (3 logits);
  // GUARDS_BENCH_FRAME_MARGIN=0 for none.
  o.frame_margin = o.stage2_veto ? EnvOr("GUARDS_BENCH_FRAME_MARGIN", 3.0) : 0.0;
  // The recipe's fiction scope for lifts (words); GUARDS_BENCH_SCOPE_WORDS=0 for none.
  o.scope_words = o.frame_margin != 0 ? static_cast<int>(EnvOr("GUARDS_BENCH_SCOPE_WORDS", 6)) : 0;
  return o;
}
int ExtraRepeat() { return static_cast<int>(EnvOr("GUARDS_BENCH_REPEAT", 1)); }

double Pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// The second stage (intent features) against the n-gram model alone, both
// from the same training run (the n-gram part is the same model), each with
// its threshold at 1 % FPR on the even records of dev: dev recall and
// false positives on the odd records, the role-play kinds of dev, the
// benign trigger-word and role-play sets (name -> records).
void CompareStages(const Classifier& full, const std::vector<Record>& dev,
                   const std::string& trigger_file,
                   const std::vector<std::pair<std::string, std::vector<Record>>>& roleplay) {
  std::vector<std::string> trig;
  {
    std::ifstream in(trigger_file);
    std::string line;
    while (std::getline(in, line))
      if (!line.empty()) trig.push_back(line);
  }
  struct Row {
    std::string name;
    int n = 0;
    std::array<int, 2> hits{};
  };
  std::vector<Row> rows;
  auto row = [&](const std::string& name) -> Row& {
    for (auto& r : rows)
      if (r.name == name) return r;
    rows.push_back({name});
    return rows.back();
  };
  std::array<double, 2> thresholds{};
  const std::array<Classifier, 2> models = {full.WithoutStage2(), full};
  for (int m = 0; m < 2; ++m) {
    const Classifier& c = models[static_cast<std::size_t>(m)];
    std::vector<double> benign;
    for (std::size_t i = 0; i < dev.size(); i += 2)
      if (dev[i].label == 0) benign.push_back(c.Score(dev[i].text));
    // The full model's threshold is the one main() calibrated (with a veto
    // second stage, not the 1 % point of its own scores).
    const double t = m == 1 ? full.threshold() : ThresholdAtFpr(benign, 0.01);
    thresholds[static_cast<std::size_t>(m)] = t;
    auto count = [&](const std::string& name, bool hit) {
      Row& r = row(name);
      if (m == 0) ++r.n;
      r.hits[static_cast<std::size_t>(m)] += hit;
    };
    for (std::size_t i = 0; i < dev.size(); ++i) {
      const bool hit = c.Score(dev[i].text) >= t;
      const bool acp = dev[i].source.starts_with("f/awesome-chatgpt-prompts");
      if (acp) count("dev, awesome-chatgpt-prompts (benign role-play), all", hit);
      if (i % 2 == 0) continue;
      count(dev[i].label ? "dev odd, injections (recall)" : "dev odd, benign (FPR)", hit);
      if (dev[i].kind == "jailbreak" || dev[i].kind == "benign_roleplay_prompt" ||
          dev[i].kind == "benign_long_prompt")
        count("dev odd, kind " + dev[i].kind, hit);
      if (acp) count("dev odd, awesome-chatgpt-prompts", hit);
    }
    for (const auto& l : trig) count("trigger_benign.txt", c.Score(l) >= t);
    for (const auto& [name, rows] : roleplay)
      for (const auto& r : rows) count(name, c.Score(r.text) >= t);
  }
  std::printf(
      "\nsecond stage (intent features) vs the n-gram model alone, same training run; threshold "
      "at 1 %% FPR on the even records of dev each (n-grams %.4f, with stage 2 %.4f):\n",
      thresholds[0], thresholds[1]);
  std::printf("  %-52s %5s %16s %16s\n", "", "n", "n-grams only", "with stage 2");
  for (const auto& r : rows)
    std::printf("  %-52s %5d %5d (%5.1f%%) %6d (%5.1f%%)\n", r.name.c_str(), r.n, r.hits[0],
                100.0 * r.hits[0] / std::max(r.n, 1), r.hits[1],
                100.0 * r.hits[1] / std::max(r.n, 1));
  if (const Stage2* s2 = full.stage2()) {
    std::printf("  stage 2: bias %.3f", s2->bias);
    for (int k = 0; k < kStage2Features; ++k)
      std::printf(", %s %.3f",
                  std::string(kStage2FeatureNames[static_cast<std::size_t>(k)]).c_str(),
                  s2->weights[static_cast<std::size_t>(k)]);
    std::printf("\n");
  }
}

// False positives of the classifier (at its threshold) and of the rules on a
// set of benign role-play prompts judged as user prompts; with a frame
// column in the records, the false positives per frame as well.
void PrintRoleplayFalsePositives(const std::string& name, const std::vector<Record>& rows,
                                 const Classifier& c, const RuleSet& rules, const RulesPolicy& rp,
                                 bool verbose) {
  int cf = 0, rf = 0;
  std::map<std::string, std::array<int, 3>> frames;  // frame -> {n, classifier, rules}
  for (const auto& r : rows) {
    const bool f = c.Score(r.text) >= c.threshold();
    const bool rl = JudgeText(rules, rp, PromptRole::kUser, r.text).decision != Action::kOff;
    cf += f;
    rf += rl;
    if (!r.frame.empty()) {
      auto& a = frames[r.frame];
      a[0] += 1;
      a[1] += f;
      a[2] += rl;
    }
    if (f && verbose) std::printf("  [false positive] %.200s\n", r.text.c_str());
  }
  const double n = static_cast<double>(rows.size());
  std::printf(
      "\nbenign role-play / jailbreak-framed prompts (%s, %zu, never trained "
      "on):\n  classifier false positives %d (%.1f%%), rules false positives %d (%.1f%%); "
      "target <= 5%%\n",
      name.c_str(), rows.size(), cf, 100.0 * cf / n, rf, 100.0 * rf / n);
  if (frames.empty()) return;
  std::printf("  %-28s %5s %10s %6s\n", "per frame", "n", "classifier", "rules");
  for (const auto& [frame, a] : frames)
    std::printf("  %-28s %5d %10d %6d\n", frame.c_str(), a[0], a[1], a[2]);
}

// Adds one document's two verdicts to (*t)[its kind] and (*t)["all"]:
// {planted n, first, second, either; clean n, first, second, either}.
void Tally(const Record& r, bool first, bool second, std::map<std::string, std::array<int, 8>>* t) {
  for (const std::string& k : {r.kind, std::string("all")}) {
    auto& a = (*t)[k];
    const int base = r.label ? 0 : 4;
    a[base] += 1;
    a[base + 1] += first;
    a[base + 2] += second;
    a[base + 3] += first || second;
  }
}

// Recall on planted instructions and false positives on clean documents, per
// kind: t[kind] = {planted n, judge 1, judge 2, judge 3; clean n, the same}.
void PrintDocumentTable(const char* title, const std::array<const char*, 3>& judges,
                        const std::map<std::string, std::array<int, 8>>& t) {
  std::printf("\n%s\n", title);
  std::printf("  %-8s %9s %22s %22s %22s\n", "kind", "n", judges[0], judges[1], judges[2]);
  auto pct = [](int k, int n) { return n ? 100.0 * k / n : 0.0; };
  for (const auto& [kind, a] : t)
    std::printf("  %-8s %4d/%-4d %9.1f%% / %5.1f%% %9.1f%% / %5.1f%% %9.1f%% / %5.1f%%\n",
                kind.c_str(), a[0], a[4], pct(a[1], a[0]), pct(a[5], a[4]), pct(a[2], a[0]),
                pct(a[6], a[4]), pct(a[3], a[0]), pct(a[7], a[4]));
  std::printf("  target: recall >= 80%% at <= 2%% false positives on clean documents\n");
}

// GUARDS_BENCH_SCORES=FILE: the model's scores (before calibration, as the
// gateway scores with the file) and the rules' verdicts, exactly (%a), for
// every record of dev.jsonl, every line of the trigger-word file and the
// slices of dev.jsonl the latency figures use, one line each; then exits.
// bench/guards/scores_ab.sh compares two builds' files.
int DumpScores(const Classifier& c, const std::vector<Record>& dev,
               const std::vector<std::string>& trigger, const char* file) {
  Diagnostics d;
  RulesPolicy rp;
  auto rules = *LoadRules(rp, &d);
  std::FILE* f = std::fopen(file, "w");
  if (f == nullptr) {
    std::fprintf(stderr, "guards bench: cannot write %s\n", file);
    return 2;
  }
  const Classifier ngrams = c.WithoutStage2();
  auto one = [&](const char* set, std::size_t i, std::string_view text) {
    const auto views = ScoringViews(text);
    std::fprintf(f, "%s %zu %a %a", set, i, c.ScoreViews(views), ngrams.ScoreViews(views));
    for (PromptRole role : {PromptRole::kUser, PromptRole::kTool}) {
      const RuleVerdict v = JudgeViews(*rules, rp, role, views);
      std::fprintf(f, " | %a", v.score);
      for (std::size_t r : v.rules) std::fprintf(f, " %zu", r);
    }
    std::fprintf(f, "\n");
  };
  std::string corpus;
  for (std::size_t i = 0; i < dev.size(); ++i) {
    one("dev", i, dev[i].text);
    corpus += dev[i].text + " ";
  }
  for (std::size_t i = 0; i < trigger.size(); ++i) one("trigger", i, trigger[i]);
  for (std::size_t size : {200u, 2048u, 32768u})
    for (std::size_t i = 0; i < (size > 4096 ? 100u : 1000u); ++i) {
      std::size_t off = (i * 7919) % (corpus.size() - size);
      one(size == 200    ? "slice200"
          : size == 2048 ? "slice2048"
                         : "slice32768",
          i, std::string_view(corpus).substr(off, size));
    }
  return std::fclose(f) == 0 ? 0 : 2;
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
  std::size_t extra_n = 0;
  if (argc > 3) {
    auto extra = Read(argv[3]);
    extra_n = extra.size();
    for (int k = 0; k < ExtraRepeat(); ++k)
      for (const auto& r : extra) ex.push_back({r.text, r.label, r.group});
  }
  auto t0 = Clock::now();
  // GUARDS_BENCH_MODEL=FILE scores with a trained model file instead (for
  // profiling the scoring path without training first).
  const char* model_file = std::getenv("GUARDS_BENCH_MODEL");
  // GUARDS_BENCH_VERBOSE=1 lists the misses and false positives.
  const bool verbose = std::getenv("GUARDS_BENCH_VERBOSE") != nullptr;
  Classifier c = model_file ? *Classifier::Load(model_file) : Classifier::Train(ex, Recipe());
  double train_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (const char* out = std::getenv("GUARDS_BENCH_SCORES")) {
    std::vector<std::string> trigger;
    std::ifstream tin(argv[2]);
    for (std::string line; std::getline(tin, line);)
      if (!line.empty()) trigger.push_back(line);
    return DumpScores(c, dev, trigger, out);
  }
  std::vector<std::string_view> benign;
  for (std::size_t i = 0; i < dev.size(); i += 2) {
    if (dev[i].label == 0) benign.push_back(dev[i].text);
  }
  c.Calibrate(benign, 0.01);

  std::printf("Data: %s (train %zu records, dev %zu); see its README for sources and licences\n",
              dir.c_str(), train.size(), dev.size());
  if (argc > 3)
    std::printf("      + %s (%zu examples written for Rampart, x%d)\n", argv[3], extra_n,
                ExtraRepeat());
  const ClassifierShape shape;
  std::printf(
      "Classifier: hashed char %d-%d + word 1-%d grams, logistic regression, 2^%u weights; "
      "trained in %.1f s\n",
      shape.char_min, shape.char_max, shape.word_max, shape.dim_bits, train_s);
  std::printf("Threshold %.4f: 1 %% FPR on the even records of dev.jsonl\n\n", c.threshold());

  std::map<std::string, std::pair<int, int>> by_kind;  // kind -> (hits, n)
  int tp = 0, pos = 0, fp = 0, neg = 0;
  for (std::size_t i = 1; i < dev.size(); i += 2) {
    bool hit = c.Score(dev[i].text) >= c.threshold();
    if (verbose && hit != (dev[i].label == 1))
      std::printf("  [%s] %s: %.200s\n", hit ? "false positive" : "missed", dev[i].kind.c_str(),
                  dev[i].text.c_str());
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
    const bool flagged = c.Score(line) >= c.threshold();
    tflag += flagged;
    if (flagged && verbose) std::printf("  [false positive] %s\n", line.c_str());
    rflag += JudgeText(*rules, rp, PromptRole::kUser, line).decision != Action::kOff;
  }
  std::printf("\nbenign prompts with trigger words (%s, %d, never trained on):\n", argv[2], tn);
  std::printf(
      "  classifier false positives %d (%.1f%%), rules false positives %d (%.1f%%); "
      "target <= 5%%\n",
      tflag, 100.0 * tflag / tn, rflag, 100.0 * rflag / tn);

  // The held-out sets of scripts/guards/gen_heldout_sets.py (never trained
  // on), next to the trigger-word file: benign role-play frames judged as
  // user prompts, and documents with and without planted instructions judged
  // as tool results (the role retrieved content has in the gateway).
  const std::string bench_dir = std::string(argv[2]).substr(0, std::string(argv[2]).rfind('/') + 1);
  // roleplay_benign2.jsonl to roleplay_benign5.jsonl are optional (blind
  // sets with a frame per record); the sets that are absent or empty are
  // left out.
  // GUARDS_BENCH_SKIP_BLIND=1 leaves out the blind sets (roleplay_benign2
  // to roleplay_benign5) without reading them: for runs made while the guard is
  // being changed, so that the blind figure is only looked at once, after.
  const bool skip_blind = std::getenv("GUARDS_BENCH_SKIP_BLIND") != nullptr &&
                          std::string(std::getenv("GUARDS_BENCH_SKIP_BLIND")) != "0";
  std::vector<std::pair<std::string, std::vector<Record>>> roleplay;
  for (const char* f : {"roleplay_benign.jsonl", "roleplay_benign2.jsonl", "roleplay_benign3.jsonl",
                        "roleplay_benign4.jsonl", "roleplay_benign5.jsonl"}) {
    const bool blind = std::string(f) != "roleplay_benign.jsonl";
    if (blind && skip_blind) {
      std::printf("%s: skipped (GUARDS_BENCH_SKIP_BLIND)\n", f);
      continue;
    }
    if (auto rows = Read(bench_dir + f); !rows.empty()) roleplay.emplace_back(f, std::move(rows));
  }
  auto docs = Read(bench_dir + "indirect.jsonl");
  if (c.stage2() != nullptr) CompareStages(c, dev, argv[2], roleplay);
  for (const auto& [name, rows] : roleplay)
    PrintRoleplayFalsePositives(name, rows, c, *rules, rp, verbose);
  if (!docs.empty()) {
    // kind -> {planted, planted caught by classifier, by rules, by either,
    //          clean, clean flagged by classifier, by rules, by either}
    std::map<std::string, std::array<int, 8>> t;
    for (const auto& r : docs) {
      const bool cl = c.Score(r.text) >= c.threshold();
      const bool ru = JudgeText(*rules, rp, PromptRole::kTool, r.text).decision != Action::kOff;
      Tally(r, cl, ru, &t);
      if (verbose && (cl || ru) != (r.label == 1))
        std::printf("  [%s] %s\n", r.label ? "missed" : "false positive", r.text.c_str());
    }
    PrintDocumentTable(
        "documents as tool results (indirect.jsonl, never trained on): recall on planted "
        "instructions / false positives on clean documents",
        {"classifier", "rules (tool)", "either"}, t);
  }

  // ---- The planted-instruction detector (instruction.h) -----------------
  // Judged as the gateway judges outside content (role tool), with its
  // default threshold (kInstructionThreshold, set on the tuning documents of
  // data/guards/instruction_docs.jsonl and the shared training data, never
  // on indirect.jsonl or dev.jsonl).
  {
    auto planted = [](const std::string& t) {
      return JudgeInstructions(t).score >= kInstructionThreshold;
    };
    if (!docs.empty()) {
      // kind -> {planted n, classifier, detector, both; clean n, classifier, detector, both}
      std::map<std::string, std::array<int, 8>> t;
      for (const auto& r : docs) {
        const bool cl = c.Score(r.text) >= c.threshold();
        const bool in = planted(r.text);
        Tally(r, cl, in, &t);
        if (verbose && in != (r.label == 1))
          std::printf("  [instruction %s] %s\n", r.label ? "missed" : "false positive",
                      r.text.c_str());
      }
      PrintDocumentTable(
          "planted-instruction detector, documents as tool results (indirect.jsonl, never "
          "tuned on): recall / false positives on clean documents",
          {"classifier alone", "detector alone", "both (either flags)"}, t);
    }
    // dev.jsonl: the detector must not turn its benign documents and tool
    // prompts into false positives when they are judged as tool results, and
    // the classifier's held-out figures (odd records, threshold above) must
    // not get worse when the detector runs beside it on those kinds.
    auto outside = [](const std::string& kind) {
      return kind == "benign_document" || kind == "benign_tool_prompt" ||
             kind.starts_with("indirect_injection");
    };
    std::map<std::string, std::pair<int, int>> dk;  // kind -> (flagged, n), all of dev
    int tp1 = 0, fp1 = 0, tp2 = 0, fp2 = 0, p1 = 0, n1 = 0;
    for (std::size_t i = 0; i < dev.size(); ++i) {
      const auto& r = dev[i];
      const bool in = outside(r.kind) && planted(r.text);
      if (outside(r.kind)) {
        auto& k = dk[r.kind];
        k.first += in;
        k.second += 1;
        if (verbose && in && r.label == 0)
          std::printf("  [instruction false positive] %s: %.300s\n", r.kind.c_str(),
                      r.text.c_str());
      }
      if (i % 2 == 1) {
        const bool cl = c.Score(r.text) >= c.threshold();
        (r.label ? p1 : n1) += 1;
        (r.label ? tp1 : fp1) += cl;
        (r.label ? tp2 : fp2) += cl || in;
      }
    }
    std::printf(
        "\nplanted-instruction detector on dev.jsonl, outside-content kinds judged as tool "
        "results (all records):\n");
    for (const auto& [kind, fn] : dk)
      std::printf("  %-42s %5d flagged %4d (%.1f%%)\n", kind.c_str(), fn.second, fn.first,
                  100.0 * fn.first / std::max(fn.second, 1));
    std::printf(
        "  held-out half of dev: classifier alone recall %.1f%% FPR %.2f%%; classifier or "
        "detector (on those kinds) recall %.1f%% FPR %.2f%%\n",
        100.0 * tp1 / std::max(p1, 1), 100.0 * fp1 / std::max(n1, 1), 100.0 * tp2 / std::max(p1, 1),
        100.0 * fp2 / std::max(n1, 1));
    // The same on the shared training data's outside-content kinds (the
    // detector is not trained, so these are held out for it too).
    std::map<std::string, std::pair<int, int>> tk;
    for (const auto& r : train) {
      if (!outside(r.kind)) continue;
      auto& k = tk[r.kind];
      k.first += planted(r.text);
      k.second += 1;
    }
    std::printf("  train.jsonl, same kinds:\n");
    for (const auto& [kind, fn] : tk)
      std::printf("  %-42s %5d flagged %4d (%.1f%%)\n", kind.c_str(), fn.second, fn.first,
                  100.0 * fn.first / std::max(fn.second, 1));
    // The tuning documents (scripts/guards/gen_instruction_docs.py).
    auto tune = Read(bench_dir + "../../data/guards/instruction_docs.jsonl");
    if (!tune.empty()) {
      int tp = 0, pos = 0, fp = 0, neg = 0;
      for (const auto& r : tune) {
        const bool in = planted(r.text);
        (r.label ? pos : neg) += 1;
        (r.label ? tp : fp) += in;
      }
      std::printf(
          "  tuning documents (data/guards/instruction_docs.jsonl, %zu): recall %.1f%%, false "
          "positives %.1f%%\n",
          tune.size(), 100.0 * tp / std::max(pos, 1), 100.0 * fp / std::max(neg, 1));
    }
  }

  // Latency per request, one core: classifier + rules on one user prompt,
  // as the gateway runs them: the scoring views (normalisation and decoded
  // payloads) once, then the classifier and the rule database on them.
  // Wall time and the thread's CPU time (the latter leaves out time the
  // thread spent preempted on a loaded machine). The baseline, in the same
  // run: one FNV-1a pass over the same bytes, the least any scorer does.
  // GUARDS_BENCH_EVAL_ONLY=1 stops after the evaluation (for experiments).
  if (std::getenv("GUARDS_BENCH_EVAL_ONLY") != nullptr) return 0;
  std::printf(
      "\nlatency per prompt (normalisation + classifier + rules, one thread; slices of "
      "dev.jsonl):\n");
  std::string corpus;
  for (const auto& r : dev) corpus += r.text + " ";
  auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
  };
  for (std::size_t size : {200u, 2048u, 32768u}) {
    const int n = size > 4096 ? 400 : 4000;
    std::vector<double> us, cpu, norm, base;
    for (int i = 0; i < n; ++i) {
      std::size_t off = (static_cast<std::size_t>(i) * 7919) % (corpus.size() - size);
      std::string_view p = std::string_view(corpus).substr(off, size);
      double c0 = cpu_now();
      auto a = Clock::now();
      auto views = ScoringViews(p);
      auto mid = Clock::now();
      volatile double s = c.ScoreViews(views);
      auto v = JudgeViews(*rules, rp, PromptRole::kUser, views);
      auto e = Clock::now();
      double c1 = cpu_now();
      (void)s;
      (void)v;
      us.push_back(std::chrono::duration<double, std::micro>(e - a).count());
      norm.push_back(std::chrono::duration<double, std::micro>(mid - a).count());
      cpu.push_back(c1 - c0);
      a = Clock::now();
      std::uint64_t h = 1469598103934665603ull;
      for (char ch : p) h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
      volatile std::uint64_t sink = h;
      (void)sink;
      base.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
    }
    std::printf(
        "  %6zu B: p50 %7.1f us  p99 %7.1f us  (CPU p50 %7.1f p99 %7.1f; normalisation p50 %6.1f "
        "p99 %6.1f)%s\n",
        size, Pct(us, 0.5), Pct(us, 0.99), Pct(cpu, 0.5), Pct(cpu, 0.99), Pct(norm, 0.5),
        Pct(norm, 0.99), size == 2048 ? "  target p99 < 200 us" : "");
    std::printf(
        "           baseline, one FNV-1a pass over the same bytes: p50 %5.2f us; ratio %.0fx\n",
        Pct(base, 0.5), Pct(us, 0.5) / std::max(Pct(base, 0.5), 1e-3));
  }

  // ---- The planted-instruction detector's latency ------------------------
  // Its own p50/p99 on 2 KB and 32 KB documents (slices of the same
  // corpus), and the whole request path for a 2 KB tool result: views,
  // classifier, rules (tool role) and the detector. Against an earlier
  // version of the detector, same verdicts and same run:
  // bench/guards/instruction_ab.sh REF.
  std::printf("\nlatency of the planted-instruction detector (one thread, CPU time):\n");
  for (std::size_t size : {2048u, 32768u}) {
    const int n = size > 4096 ? 400 : 4000;
    std::vector<double> det, all;
    for (int i = 0; i < n; ++i) {
      std::size_t off = (static_cast<std::size_t>(i) * 7919) % (corpus.size() - size);
      std::string_view p = std::string_view(corpus).substr(off, size);
      double c0 = cpu_now();
      volatile double s = JudgeInstructions(p).score;
      double c1 = cpu_now();
      (void)s;
      det.push_back(c1 - c0);
      if (size == 2048) {
        c0 = cpu_now();
        auto views = ScoringViews(p);
        volatile double sc = c.ScoreViews(views);
        auto v = JudgeViews(*rules, rp, PromptRole::kTool, views);
        volatile double si = JudgeInstructions(p).score;
        (void)sc;
        (void)si;
        (void)v;
        all.push_back(cpu_now() - c0);
      }
    }
    std::printf("  %6zu B: detector p50 %7.1f us  p99 %7.1f us\n", size, Pct(det, 0.5),
                Pct(det, 0.99));
    if (!all.empty())
      std::printf(
          "           tool result, normalisation + classifier + rules + detector: p50 %7.1f us  "
          "p99 %7.1f us  (target p99 < 200 us)\n",
          Pct(all, 0.5), Pct(all, 0.99));
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
  return 0;
}
