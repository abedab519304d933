// `rampart guard check | scan | check-rules`: the guards outside the gateway,
// so users can evaluate them on their own traffic and documents.
//
//   check [FILE|-]   one decision per input line: JSON Lines
//                    {"text": ..., "role": ...} or plain text lines;
//   scan FILE|DIR    retrieved documents, judged as outside content (role
//                    "tool"), before they reach an index;
//   Each decision names the `detector` that decided it (rules, classifier,
//   instruction) and, for the roles the planted-instruction detector judges
//   (tool by default), its `instruction` verdict: score, the byte offset and
//   length of the segment, its cues.
//   check-rules PACK...  diagnostics for rule packs, file:line:col.
//
// The policy is the estate's `gateway.guards` (--estate) or the defaults;
// --rules adds packs. Exit 1 when something would be blocked.
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/cli.h"
#include "core/file.h"
#include "core/json.h"
#include "estate/loader.h"
#include "guards/classifier.h"
#include "guards/config.h"
#include "guards/guard_filter.h"
#include "guards/instruction.h"
#include "guards/stream_scanner.h"

namespace rampart::cli {
namespace {

namespace fs = std::filesystem;
using namespace rampart::guards;

constexpr std::size_t kMaxDocumentBytes = 64u << 20;
// Boost.JSON prints doubles as "7.5E-1"; scores go out as "0.75".
constexpr std::string_view kScoreSlot = "@score@";

constexpr std::string_view kInstructionScoreSlot = "@instruction-score@";

std::string Line(const json::object& o, double score, double instruction_score = 0) {
  std::string s = ToJson(o);
  for (auto [name, value] :
       {std::pair{kScoreSlot, score}, {kInstructionScoreSlot, instruction_score}}) {
    std::string slot = "\"" + std::string(name) + "\"";
    if (auto p = s.find(slot); p != std::string::npos)
      s.replace(p, slot.size(), fmt::format("{:g}", value));
  }
  return s + "\n";
}

struct GuardArgs {
  std::string input = "-";
  std::vector<std::string> estate;
  std::vector<std::string> rules;
  bool no_builtin = false;
  std::string model;  // a classifier (guard train); "" = rules only
};

struct Loaded {
  GuardsConfig config;
  std::shared_ptr<const RuleSet> rules;
  std::optional<Classifier> model;
};

Result<Loaded> LoadPolicy(const GuardArgs& a) {
  Loaded l;
  l.config = DefaultGuardsConfig();
  if (!a.estate.empty()) {
    RAMPART_ASSIGN_OR_RETURN(estate::Estate e,
                             estate::LoadValid({a.estate.begin(), a.estate.end()}));
    Diagnostics d;
    auto c = LoadGuardsConfig(e, &d);
    if (!c) return InvalidArgumentError(d.ToString());
    l.config = *c;
  }
  if (a.no_builtin) l.config.rules.builtin = false;
  for (const auto& r : a.rules) l.config.rules.packs.emplace_back(r);
  Diagnostics d;
  auto rs = LoadRules(l.config.rules, &d);
  if (!rs) return InvalidArgumentError(d.has_errors() ? d.ToString() : rs.error().message());
  l.rules = *rs;
  if (!a.model.empty()) {
    RAMPART_ASSIGN_OR_RETURN(Classifier c, Classifier::Load(a.model));
    l.model = std::move(c);
  }
  return l;
}

// The output detectors found in a text, by name (secrets and personal data).
json::object DetectorCounts(std::string_view text, const GuardsConfig& c) {
  ScanOptions o;
  for (std::size_t k = 0; k < kDetectorCount; ++k)
    o.enabled.set(k, c.output.actions[k] != Action::kOff);
  o.enabled.reset(static_cast<std::size_t>(Detector::kCanary));
  o.max_hold_back = c.output.max_hold_back;
  std::string storage;
  json::object out;
  for (const auto& s : ScanText(text, o, &storage)) {
    if (!s.match) continue;
    json::value& v = out[std::string(DetectorName(*s.match))];
    v = (v.is_int64() ? v.as_int64() : 0) + 1;
  }
  return out;
}

// The decision on one text. `detector` names what decided it: "rules",
// "classifier" or "instruction" (absent when allowed).
json::object Decision(const Loaded& l, PromptRole role, std::string_view text, double* score,
                      double* instruction_score) {
  RuleVerdict v = JudgeText(*l.rules, l.config.rules, role, text);
  *score = v.score;
  std::string detector = v.decision != Action::kOff ? "rules" : "";
  if (l.model) {
    // The classifier's probability is the score; at or above the model's
    // threshold (chosen on held-out data) the text is judged an injection.
    double p = l.model->Score(text);
    *score = std::max(*score, p);
    if (p >= l.model->threshold() && v.decision == Action::kOff) {
      v.decision = Action::kBlock;
      detector = "classifier";
    }
  }
  // The planted-instruction detector, on the roles the policy has it judge
  // (by default tool: documents, tool results): its highest segment, with
  // the segment's byte offset and length in the text.
  json::object instruction;
  const InstructionPolicy& ip = l.config.instruction;
  const auto& it = ip.threshold[static_cast<std::size_t>(role)];
  if (ip.enabled && ip.action != Action::kOff && it) {
    InstructionVerdict iv = JudgeInstructions(text);
    const double threshold = std::isnan(*it) ? kInstructionThreshold : *it;
    *instruction_score = iv.score;
    *score = std::max(*score, iv.score);  // the top-level score is the highest judge's
    instruction["score"] = kInstructionScoreSlot;
    instruction["offset"] = iv.offset;
    instruction["length"] = iv.length;
    json::array cues;
    for (std::string_view c : InstructionCueNames(iv.cues)) cues.push_back(json::value(c));
    instruction["cues"] = std::move(cues);
    if (iv.score >= threshold) {
      instruction["decision"] = std::string(ActionName(ip.action));
      if (v.decision == Action::kOff || ip.action > v.decision) {
        v.decision = ip.action;
        detector = "instruction";
      }
    }
  }
  json::object o;
  o["score"] = kScoreSlot;
  o["decision"] = v.decision == Action::kOff ? "allow" : std::string(ActionName(v.decision));
  if (!detector.empty()) o["detector"] = detector;
  if (!instruction.empty()) o["instruction"] = std::move(instruction);
  json::array ids;
  for (std::size_t i : v.rules) ids.push_back(json::value(l.rules->rule(i).id));
  o["rules"] = std::move(ids);
  o["role"] = std::string(PromptRoleName(role));
  json::object det = DetectorCounts(text, l.config);
  if (!det.empty()) o["detectors"] = std::move(det);
  return o;
}

int Check(const GuardArgs& a) {
  auto l = LoadPolicy(a);
  if (!l) return ReportError(l.error());
  std::ifstream file;
  std::istream* in = &std::cin;
  if (a.input != "-") {
    file.open(a.input, std::ios::binary);
    if (!file) return ReportError(InvalidArgumentError("cannot read " + a.input));
    in = &file;
  }
  bool blocked = false;
  std::string line;
  std::size_t n = 0;
  while (std::getline(*in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string_view text = line;
    PromptRole role = PromptRole::kUser;
    json::value parsed;
    if (line.starts_with("{")) {
      auto v = ParseJson(line);
      const json::object* o = v ? v->if_object() : nullptr;
      const json::value* t = o ? o->if_contains("text") : nullptr;
      if (!t || !t->is_string()) {
        std::fprintf(stderr, "%s:%zu:1: error: expected a JSON object with a string \"text\"%s\n",
                     a.input == "-" ? "<stdin>" : a.input.c_str(), n,
                     v ? "" : (" (" + v.error().message() + ")").c_str());
        PrintOut("{\"line\":" + std::to_string(n) +
                 ",\"error\":\"not a {\\\"text\\\": ...} object\"}\n");
        continue;
      }
      parsed = std::move(*v);
      const json::object& po = parsed.as_object();
      const json::string& ts = po.at("text").as_string();
      text = std::string_view(ts.data(), ts.size());
      if (const json::value* r = po.if_contains("role"); r && r->is_string())
        role = PromptRoleOf(std::string_view(r->as_string().data(), r->as_string().size()));
    }
    double score = 0, instruction_score = 0;
    json::object d = Decision(*l, role, text, &score, &instruction_score);
    blocked |= d["decision"] == "block";
    json::object out;
    out["line"] = n;
    for (auto& kv : d) out[kv.key()] = kv.value();
    PrintOut(Line(out, score, instruction_score));
  }
  return blocked ? kExitFindings : kExitOk;
}

int Scan(const GuardArgs& a) {
  auto l = LoadPolicy(a);
  if (!l) return ReportError(l.error());
  std::error_code ec;
  std::vector<fs::path> files;
  fs::path root(a.input);
  if (fs::is_directory(root, ec)) {
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_regular_file(ec)) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
  } else if (fs::is_regular_file(root, ec)) {
    files.push_back(root);
  } else {
    return ReportError(InvalidArgumentError(a.input + ": no such file or directory"));
  }
  bool blocked = false;
  for (const auto& f : files) {
    auto text = ReadFile(f, kMaxDocumentBytes);
    json::object out;
    out["file"] = f.string();
    if (!text) {
      out["error"] = text.error().message();
      PrintOut(ToJson(out) + "\n");
      continue;
    }
    double score = 0, instruction_score = 0;
    json::object d = Decision(*l, PromptRole::kTool, *text, &score, &instruction_score);
    blocked |= d["decision"] == "block";
    for (auto& kv : d) out[kv.key()] = kv.value();
    PrintOut(Line(out, score, instruction_score));
  }
  return blocked ? kExitFindings : kExitOk;
}

int CheckRules(const std::vector<std::string>& packs) {
  if (packs.empty()) return ReportError(InvalidArgumentError("check-rules: name a rule pack"));
  Diagnostics d;
  std::vector<Rule> rules;
  for (const auto& p : packs) {
    Status s = LoadRulePack(p, &rules, &d);
    if (!s.ok()) {
      // Not YAML at all: the message already names file:line:col.
      std::fprintf(stderr, "%s\n", s.message().c_str());
      return kExitUsage;
    }
  }
  std::size_t n = rules.size();
  (void)RuleSet::Compile(std::move(rules), &d);  // every problem at once
  d.Sort();
  PrintOut(d.ToString());
  if (d.has_errors()) {
    std::fprintf(stderr, "rampart: rule packs have %zu error(s)\n", d.error_count());
    return kExitUsage;
  }
  PrintOut("rules OK: " + std::to_string(n) + " rule(s) compiled into one database\n");
  return kExitOk;
}

struct TrainArgs {
  std::string data;
  std::string dev;
  std::string out;
  int epochs = 6;
  int bits = 18;
  int folds = 4;  // the second stage's out-of-fold folds; 0 = n-grams only
  double max_fpr = 0.01;
  int cv = 0;          // grouped cross-validation folds of the whole recipe; 0 = none
  std::string cv_out;  // per-example out-of-fold scores (JSON Lines)
  std::string stage2_features = "all";
  bool stage2_veto = false;
  double frame_margin = 0;  // with the veto: Stage2::frame_margin
  int scope_words = 0;      // with the margin: Stage2::scope_words
};

// With kinds, also each row's "kind" ("" if it has none).
Result<std::vector<Example>> ReadExamples(const std::string& path,
                                          std::vector<std::string>* kinds = nullptr) {
  RAMPART_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 1u << 30));
  std::vector<Example> out;
  std::size_t line = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string_view l = std::string_view(text).substr(pos, nl - pos);
    pos = nl + 1;
    ++line;
    if (l.empty()) continue;
    auto v = ParseJson(l);
    const json::object* o = v ? v->if_object() : nullptr;
    const json::value* t = o ? o->if_contains("text") : nullptr;
    const json::value* lab = o ? o->if_contains("label") : nullptr;
    if (!t || !t->is_string() || !lab || !lab->is_int64() ||
        (lab->as_int64() != 0 && lab->as_int64() != 1)) {
      return InvalidArgumentError(path + ":" + std::to_string(line) +
                                  ":1: expected {\"text\": string, \"label\": 0 or 1}");
    }
    const json::value* g = o->if_contains("group");
    if (g && !g->is_string())
      return InvalidArgumentError(path + ":" + std::to_string(line) +
                                  ":1: \"group\" must be a string");
    if (kinds) {
      const json::value* k = o->if_contains("kind");
      kinds->push_back(k && k->is_string()
                           ? std::string(k->as_string().data(), k->as_string().size())
                           : std::string());
    }
    out.push_back({std::string(t->as_string().data(), t->as_string().size()),
                   static_cast<int>(lab->as_int64()),
                   g ? std::string(g->as_string().data(), g->as_string().size()) : std::string()});
  }
  if (out.empty()) return InvalidArgumentError(path + ": no examples");
  return out;
}

// Recall and false-positive rate at the model's threshold.
json::object Evaluate(const Classifier& c, const std::vector<Example>& data) {
  std::size_t tp = 0, fp = 0, pos = 0, neg = 0;
  for (const auto& e : data) {
    bool hit = c.Score(e.text) >= c.threshold();
    if (e.label == 1) {
      ++pos;
      tp += hit;
    } else {
      ++neg;
      fp += hit;
    }
  }
  json::object o;
  o["positives"] = pos;
  o["negatives"] = neg;
  o["recall"] = pos ? static_cast<double>(tp) / static_cast<double>(pos) : 0.0;
  o["false_positive_rate"] = neg ? static_cast<double>(fp) / static_cast<double>(neg) : 0.0;
  return o;
}

std::vector<std::string_view> BenignTexts(const std::vector<Example>& rows) {
  std::vector<std::string_view> out;
  for (const auto& e : rows)
    if (e.label == 0) out.push_back(e.text);
  return out;
}

// Grouped cross-validation of the recipe on the training rows: every row
// scored by a model trained without its fold (and group), each fold's model
// with its own threshold at max_fpr on dev. Per kind of row: how many were
// flagged. Per row (cv_out): the score, the threshold, and why — the fold
// model's n-gram logit and the intent counts — never the text.
Result<json::object> CrossValidateReport(const TrainArgs& a, const std::vector<Example>& train,
                                         const std::vector<std::string>& kinds,
                                         const std::vector<Example>& dev, const TrainOptions& o) {
  CrossValidation cv = CrossValidate(train, o, a.cv);
  const std::vector<std::string_view> benign = BenignTexts(dev);
  std::vector<double> thresholds;
  for (Classifier& m : cv.models) {
    m.Calibrate(benign, a.max_fpr);
    thresholds.push_back(m.threshold());
  }
  std::ofstream out;
  if (!a.cv_out.empty()) {
    out.open(a.cv_out, std::ios::binary | std::ios::trunc);
    if (!out) return InvalidArgumentError(a.cv_out + ": cannot write");
  }
  std::map<std::string, std::array<std::size_t, 2>> by_kind;  // kind/label -> {rows, flagged}
  const IntentLexicon& lex = IntentLexicon::Default();
  for (std::size_t i = 0; i < train.size(); ++i) {
    const Classifier& m = cv.models[cv.fold[i]];
    const double score = m.Score(train[i].text);
    const bool flagged = score >= thresholds[cv.fold[i]];
    auto& k = by_kind[(kinds[i].empty() ? std::string("-") : kinds[i]) + "/" +
                      std::to_string(train[i].label)];
    ++k[0];
    k[1] += flagged;
    if (!out.is_open()) continue;
    std::string n = NormaliseForModel(train[i].text);
    if (n.size() > o.shape.window) n.resize(o.shape.window);
    int first_persona = -1;
    bool scoped = false;
    const IntentCounts c = lex.Count(n, &first_persona, o.scope_words, &scoped);
    json::object intent;
    for (int j = 0; j < kIntentCategories; ++j)
      intent[kIntentCategoryNames[static_cast<std::size_t>(j)]] = c[static_cast<std::size_t>(j)];
    json::object row{{"line", i + 1},
                     {"kind", kinds[i]},
                     {"group", train[i].group},
                     {"label", train[i].label},
                     {"fold", cv.fold[i]},
                     {"score", score},
                     {"threshold", thresholds[cv.fold[i]]},
                     {"flagged", flagged},
                     {"ngram_logit", m.NgramLogit(n)},
                     {"ngram_offset", m.stage2() ? m.stage2()->ngram_offset : 0.0},
                     {"intent", intent},
                     {"first_persona", first_persona},
                     {"lifts_scoped", scoped}};
    out << ToJson(row) << '\n';
  }
  json::object report;
  for (const auto& [kind, k] : by_kind) {
    const bool positive = kind.back() == '1';
    report[kind] = json::object{
        {"rows", k[0]},
        {positive ? "recall" : "flagged", static_cast<double>(k[1]) / static_cast<double>(k[0])},
        {"flagged_rows", k[1]}};
  }
  return json::object{{"folds", a.cv}, {"by_kind_and_label", report}};
}

int Train(const TrainArgs& a) {
  std::vector<std::string> kinds;
  auto train = ReadExamples(a.data, &kinds);
  if (!train) return ReportError(train.error());
  TrainOptions o;
  o.epochs = a.epochs;
  o.shape.dim_bits = static_cast<std::uint32_t>(a.bits);
  o.folds = a.folds;
  o.intent = a.folds >= 2;
  auto mask = ParseStage2Features(a.stage2_features);
  if (!mask) return ReportError(mask.error());
  o.stage2_features = *mask;
  o.stage2_veto = a.stage2_veto;
  if (a.frame_margin != 0 && !a.stage2_veto)
    return ReportError(InvalidArgumentError("--stage2-frame-margin needs --stage2-veto"));
  o.frame_margin = a.frame_margin;
  if (a.scope_words != 0 && a.frame_margin == 0)
    return ReportError(InvalidArgumentError("--stage2-fiction-scope needs --stage2-frame-margin"));
  o.scope_words = a.scope_words;
  json::object cv_report;
  if (a.cv >= 2) {
    if (a.dev.empty()) return ReportError(InvalidArgumentError("--cv needs --dev (thresholds)"));
    auto dev = ReadExamples(a.dev);
    if (!dev) return ReportError(dev.error());
    auto r = CrossValidateReport(a, *train, kinds, *dev, o);
    if (!r) return ReportError(r.error());
    cv_report = *std::move(r);
  }
  Classifier c = Classifier::Train(*train, o);
  json::object meta;
  meta["trained_on"] = fs::path(a.data).filename().string();
  meta["train_examples"] = train->size();
  meta["recipe"] = "rampart guard train --epochs " + std::to_string(a.epochs) + " --bits " +
                   std::to_string(a.bits) + " --folds " + std::to_string(a.folds) + " --max-fpr " +
                   fmt::format("{:g}", a.max_fpr) +
                   (*mask == (1u << kStage2Features) - 1
                        ? ""
                        : " --stage2-features " + Stage2FeaturesToString(*mask)) +
                   (a.stage2_veto ? " --stage2-veto" : "") +
                   (a.frame_margin != 0 ? fmt::format(" --stage2-frame-margin {:g}", a.frame_margin)
                                        : std::string()) +
                   (a.scope_words != 0 ? fmt::format(" --stage2-fiction-scope {}", a.scope_words)
                                       : std::string());
  if (!a.dev.empty()) {
    auto dev = ReadExamples(a.dev);
    if (!dev) return ReportError(dev.error());
    c.Calibrate(BenignTexts(*dev), a.max_fpr);
    meta["threshold_from"] = fs::path(a.dev).filename().string();
    meta["max_fpr"] = a.max_fpr;
    meta["dev_eval"] = Evaluate(c, *dev);
  }
  meta["train_eval"] = Evaluate(c, *train);
  c.meta() = meta;
  Status s = c.Save(a.out);
  if (!s.ok()) return ReportError(s);
  json::object report{{"model", a.out}, {"threshold", c.threshold()}, {"meta", meta}};
  if (a.cv >= 2) report["cross_validation"] = cv_report;
  PrintOut(ToPrettyJson(report) + "\n");
  return kExitOk;
}

}  // namespace

void RegisterGuardCommands(CLI::App& app, CommandContext& ctx) {
  static GuardArgs check_args, scan_args;
  static std::vector<std::string> packs;
  auto* guard = app.add_subcommand("guard", "Prompt rules, canaries and output guards");
  guard->require_subcommand(1);
  auto add_policy = [](CLI::App* cmd, GuardArgs& a) {
    cmd->add_option("--estate", a.estate, "Take gateway.guards from this estate (repeatable)")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    cmd->add_option("--rules", a.rules, "Another rule pack (repeatable)")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    cmd->add_flag("--no-builtin", a.no_builtin, "Leave out the built-in rule pack");
    cmd->add_option("--model", a.model, "An injection classifier (rampart guard train)");
  };
  auto* check = guard->add_subcommand(
      "check", "Judge JSON Lines {\"text\",\"role\"} or plain lines; one JSON decision per line");
  check->add_option("input", check_args.input, "File, or - for stdin (default)");
  add_policy(check, check_args);
  check->callback([&ctx] { ctx.exit_code = Check(check_args); });

  auto* scan = guard->add_subcommand("scan", "Judge documents (as retrieved content)");
  scan->add_option("path", scan_args.input, "File or directory")->required();
  add_policy(scan, scan_args);
  scan->callback([&ctx] { ctx.exit_code = Scan(scan_args); });

  static TrainArgs train_args;
  auto* train = guard->add_subcommand(
      "train", "Train the injection classifier on JSON Lines {\"text\", \"label\": 0|1}");
  train->add_option("data", train_args.data, "Training data (JSON Lines)")->required();
  train->add_option("-o,--output", train_args.out, "Model file to write")->required();
  train->add_option("--dev", train_args.dev,
                    "Held-out data: the threshold is chosen on it (--max-fpr)");
  train->add_option("--max-fpr", train_args.max_fpr, "False-positive rate allowed on --dev")
      ->check(CLI::Range(0.0, 1.0));
  train->add_option("--epochs", train_args.epochs, "Passes over the data")
      ->check(CLI::Range(1, 100));
  train->add_option("--bits", train_args.bits, "log2 of the number of weights")
      ->check(CLI::Range(10, 24));
  train
      ->add_option("--folds", train_args.folds,
                   "Folds for the second stage's out-of-fold scores (0: n-grams only)")
      ->check(CLI::Range(0, 20));
  train
      ->add_option("--cv", train_args.cv,
                   "Also cross-validate the recipe on the training rows over this many folds "
                   "(a row's group in one fold; thresholds from --dev)")
      ->check(CLI::Range(2, 20));
  train->add_option("--cv-out", train_args.cv_out,
                    "With --cv: each row's out-of-fold score, threshold, n-gram logit and intent "
                    "counts (JSON Lines, no text)");
  train->add_option("--stage2-features", train_args.stage2_features,
                    "The second stage's inputs, comma-separated names (docs/formats/"
                    "guard-model.md), or all");
  train->add_flag("--stage2-veto", train_args.stage2_veto,
                  "The second stage may only lower the n-gram model's verdict: a text is "
                  "flagged when both flag it, each at its threshold on --dev");
  train
      ->add_option("--stage2-frame-margin", train_args.frame_margin,
                   "With --stage2-veto: a bare persona frame (no lift, harm or override "
                   "phrase) is flagged only if its n-gram logit clears the n-gram threshold "
                   "by this many logits too")
      ->check(CLI::Range(0.0, 50.0));
  train
      ->add_option("--stage2-fiction-scope", train_args.scope_words,
                   "With --stage2-frame-margin: a text whose lift and override phrases all "
                   "start within this many words of a fiction_scope phrase (a story's, a "
                   "game's rules), with no model_scope or harm phrase, needs the margin too")
      ->check(CLI::Range(0, 64));
  train->callback([&ctx] { ctx.exit_code = Train(train_args); });

  auto* rules =
      guard->add_subcommand("check-rules", "Check rule packs (file:line:col diagnostics)");
  rules->add_option("packs", packs, "Rule pack files")->required();
  rules->callback([&ctx] { ctx.exit_code = CheckRules(packs); });
}

}  // namespace rampart::cli
