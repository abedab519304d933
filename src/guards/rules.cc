#include "guards/rules.h"

#include <hs/hs.h>

#include <algorithm>
#include <array>
#include <set>

#include "core/file.h"
#include "core/yaml.h"

namespace rampart::guards {
namespace {

constexpr std::array<std::string_view, 4> kKinds = {"jailbreak", "prompt_extraction",
                                                    "exfiltration", "tool_abuse"};
constexpr std::array<std::string_view, 4> kSeverities = {"low", "medium", "high", "critical"};
constexpr unsigned kFlags = HS_FLAG_CASELESS | HS_FLAG_DOTALL | HS_FLAG_SINGLEMATCH;
constexpr std::size_t kMaxPatternBytes = 4096;

std::vector<std::string> Names(const auto& arr) { return {arr.begin(), arr.end()}; }

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-'))
      return false;
  }
  return true;
}

// Reads the digits at p[*i] (advancing *i); false if there are none.
// Saturates instead of overflowing.
bool ReadCount(std::string_view p, std::size_t* i, std::size_t* value) {
  std::size_t start = *i, v = 0;
  while (*i < p.size() && p[*i] >= '0' && p[*i] <= '9') {
    v = std::min<std::size_t>(v * 10 + static_cast<std::size_t>(p[*i] - '0'), 1u << 30);
    ++*i;
  }
  *value = v;
  return *i > start;
}

void ReportWideRepeat(std::string_view id, const SourceLocation& where, std::size_t bound,
                      Diagnostics* diags) {
  diags->Error(where, "guards.rule-pattern",
               "rule '" + std::string(id) + "': a repeat bound of " + std::to_string(bound) +
                   " is more than " + std::to_string(kMaxRepeatBound),
               "Hyperscan's compile time grows steeply with repeat bounds (.{0,4000} gaps "
               "took minutes); bound a gap at " +
                   std::to_string(kMaxRepeatBound) + " or split the rule");
}

}  // namespace

RepeatWeight PatternRepeatWeight(std::string_view p) {
  RepeatWeight w;
  std::size_t i = 0;
  while (i < p.size()) {
    const char c = p[i];
    if (c == '\\') {
      // An escape; \x{..}, \o{..}, \p{..}, \P{..}, \N{..} carry braces.
      if (i + 2 < p.size() && std::string_view("xopPN").find(p[i + 1]) != std::string_view::npos &&
          p[i + 2] == '{') {
        std::size_t close = p.find('}', i + 3);
        i = close == std::string_view::npos ? p.size() : close + 1;
      } else {
        i += 2;
      }
      continue;
    }
    if (c == '[') {  // a class: up to its closing ']' (a ']' first is literal)
      ++i;
      if (i < p.size() && p[i] == '^') ++i;
      if (i < p.size() && p[i] == ']') ++i;
      while (i < p.size() && p[i] != ']') i += p[i] == '\\' ? 2 : 1;
      ++i;
      continue;
    }
    if (c == '{') {
      std::size_t j = i + 1, lo = 0, hi = 0;
      if (ReadCount(p, &j, &lo)) {
        bool quantifier = false;
        std::size_t bound = lo;
        if (j < p.size() && p[j] == '}') {
          quantifier = true;  // {n}
        } else if (j < p.size() && p[j] == ',') {
          ++j;
          if (j < p.size() && p[j] == '}') {
            quantifier = true;  // {n,}
          } else if (ReadCount(p, &j, &hi) && j < p.size() && p[j] == '}') {
            quantifier = true;  // {n,m}
            bound = std::max(lo, hi);
          }
        }
        if (quantifier) {
          w.sum = std::min<std::size_t>(w.sum + bound, std::size_t{1} << 40);
          w.max = std::max(w.max, bound);
          i = j + 1;
          continue;
        }
      }
    }
    ++i;
  }
  return w;
}

std::string_view RuleKindName(RuleKind k) { return kKinds[static_cast<std::size_t>(k)]; }
std::string_view RuleSeverityName(RuleSeverity s) {
  return kSeverities[static_cast<std::size_t>(s)];
}
std::optional<RuleSeverity> RuleSeverityByName(std::string_view s) {
  for (std::size_t k = 0; k < kSeverities.size(); ++k) {
    if (kSeverities[k] == s) return static_cast<RuleSeverity>(k);
  }
  return std::nullopt;
}
double SeverityScore(RuleSeverity s) { return (static_cast<int>(s) + 1) / 4.0; }

Status ParseRulePack(std::string_view text, std::string_view file, std::vector<Rule>* out,
                     Diagnostics* diags) {
  RAMPART_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(text, file));
  YamlFields f(root, std::string(file), diags, "rule pack", "guards");
  if (!f.ok()) return OkStatus();
  if (auto v = f.Int("version", true, 1, 1); !v && f.Has("version")) return OkStatus();
  YAML::Node rules = f.Node("rules", true);
  f.CheckUnknown();
  if (!rules) return OkStatus();
  if (!rules.IsSequence()) {
    diags->Error(f.Where("rules"), "guards.rules", "rules must be a sequence of rules");
    return OkStatus();
  }
  for (const YAML::Node& n : rules) {
    YamlFields rf(n, std::string(file), diags, "rule", "guards");
    if (!rf.ok()) continue;
    Rule r;
    r.where = rf.Where();
    auto id = rf.String("id", true);
    auto pattern = rf.String("pattern", true);
    auto kind = rf.Enum("kind", Names(kKinds), true);
    auto sev = rf.Enum("severity", Names(kSeverities));
    if (auto d = rf.String("description")) r.description = *d;
    rf.CheckUnknown();
    if (!id || !pattern || !kind) continue;
    if (!ValidId(*id)) {
      diags->Error(rf.Where("id"), "guards.rule-id",
                   "rule id '" + *id + "' must be 1-128 of [A-Za-z0-9._-]",
                   "use a dotted name such as jailbreak.dan");
      continue;
    }
    if (pattern->empty() || pattern->size() > kMaxPatternBytes) {
      diags->Error(
          rf.Where("pattern"), "guards.rule-pattern",
          "rule '" + *id + "': pattern must be 1-" + std::to_string(kMaxPatternBytes) + " bytes");
      continue;
    }
    if (RepeatWeight w = PatternRepeatWeight(*pattern); w.max > kMaxRepeatBound) {
      ReportWideRepeat(*id, rf.Where("pattern"), w.max, diags);
      continue;
    }
    r.id = *id;
    r.pattern = *pattern;
    r.pattern_where = rf.Where("pattern");
    for (std::size_t k = 0; k < kKinds.size(); ++k) {
      if (kKinds[k] == *kind) r.kind = static_cast<RuleKind>(k);
    }
    if (sev) r.severity = *RuleSeverityByName(*sev);
    out->push_back(std::move(r));
  }
  return OkStatus();
}

Status LoadRulePack(const std::filesystem::path& file, std::vector<Rule>* out, Diagnostics* diags) {
  RAMPART_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  return ParseRulePack(text, file.string(), out, diags);
}

Result<std::shared_ptr<const RuleSet>> RuleSet::Compile(std::vector<Rule> rules,
                                                        Diagnostics* diags) {
  std::size_t errors_before = diags->error_count();
  std::set<std::string, std::less<>> ids;
  for (const Rule& r : rules) {
    if (!ids.insert(r.id).second) {
      diags->Error(r.where, "guards.duplicate-rule", "duplicate rule id '" + r.id + "'",
                   "rule ids must be unique across all packs");
    }
  }
  // The database's repeat budget: the rule that takes it over is the error.
  const std::size_t errors_before_budget = diags->error_count();
  std::size_t budget = 0;
  for (const Rule& r : rules) {
    RepeatWeight w = PatternRepeatWeight(r.pattern);
    budget += w.sum;
    if (w.max > kMaxRepeatBound) {
      ReportWideRepeat(r.id, r.pattern_where, w.max, diags);  // a Rule not read by ParseRulePack
    } else if (budget > kMaxRepeatBudget && budget - w.sum <= kMaxRepeatBudget) {
      diags->Error(r.pattern_where, "guards.rule-repeat-budget",
                   "rule '" + r.id + "': the repeat bounds of the rules compiled together sum to " +
                       std::to_string(budget) + " with it, more than " +
                       std::to_string(kMaxRepeatBudget),
                   "narrow the gaps (.{0,N}) of the packs' patterns or load fewer rules: compile "
                   "time grows with the sum");
    }
  }
  if (diags->error_count() > errors_before_budget) {
    return InvalidArgumentError("rule pack has " +
                                std::to_string(diags->error_count() - errors_before) +
                                " error(s):\n" + diags->ToString());
  }
  std::shared_ptr<RuleSet> set(new RuleSet());
  set->rules_ = std::move(rules);
  if (set->rules_.empty()) return std::shared_ptr<const RuleSet>(set);
  std::vector<const char*> exprs;
  std::vector<unsigned> flags, idsv;
  for (std::size_t k = 0; k < set->rules_.size(); ++k) {
    exprs.push_back(set->rules_[k].pattern.c_str());
    flags.push_back(kFlags);
    idsv.push_back(static_cast<unsigned>(k));
  }
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(exprs.data(), flags.data(), idsv.data(), static_cast<unsigned>(exprs.size()),
                       HS_MODE_BLOCK, nullptr, &set->db_, &err) != HS_SUCCESS) {
    std::string msg = err && err->message ? err->message : "unknown error";
    hs_free_compile_error(err);
    // Report every refused pattern at its rule: compile each alone (only on
    // this error path; compiling twice doubles the start-up cost).
    for (std::size_t k = 0; k < set->rules_.size(); ++k) {
      hs_database_t* one = nullptr;
      hs_compile_error_t* e1 = nullptr;
      if (hs_compile(exprs[k], kFlags, HS_MODE_BLOCK, nullptr, &one, &e1) != HS_SUCCESS) {
        const Rule& r = set->rules_[k];
        diags->Error(r.pattern_where, "guards.rule-pattern",
                     "rule '" + r.id + "': pattern not accepted: " +
                         std::string(e1 && e1->message ? e1->message : "unknown error"),
                     "patterns use Hyperscan syntax (PCRE without backreferences or lookaround)");
        hs_free_compile_error(e1);
      } else {
        hs_free_database(one);
      }
    }
    if (diags->error_count() > errors_before) {
      return InvalidArgumentError("rule pack has " +
                                  std::to_string(diags->error_count() - errors_before) +
                                  " error(s):\n" + diags->ToString());
    }
    return InvalidArgumentError("cannot compile the rule database: " + msg);
  }
  if (diags->error_count() > errors_before) {  // duplicate ids
    return InvalidArgumentError("rule pack has " +
                                std::to_string(diags->error_count() - errors_before) +
                                " error(s):\n" + diags->ToString());
  }
  if (hs_alloc_scratch(set->db_, &set->proto_) != HS_SUCCESS) {
    return InternalError("cannot allocate Hyperscan scratch space");
  }
  return std::shared_ptr<const RuleSet>(set);
}

RuleSet::~RuleSet() {
  for (hs_scratch* s : pool_) hs_free_scratch(s);
  if (proto_) hs_free_scratch(proto_);
  if (db_) hs_free_database(db_);
}

hs_scratch* RuleSet::TakeScratch() const {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!pool_.empty()) {
      hs_scratch* s = pool_.back();
      pool_.pop_back();
      return s;
    }
  }
  hs_scratch_t* s = nullptr;
  if (hs_clone_scratch(proto_, &s) != HS_SUCCESS) return nullptr;
  return s;
}

void RuleSet::ReturnScratch(hs_scratch* s) const {
  std::lock_guard<std::mutex> l(mu_);
  pool_.push_back(s);
}

std::vector<std::size_t> RuleSet::Scan(std::string_view text) const {
  std::vector<std::size_t> hits;
  if (!db_ || text.empty()) return hits;
  hs_scratch* s = TakeScratch();
  if (!s) return hits;
  auto on_match = [](unsigned id, unsigned long long, unsigned long long, unsigned,
                     void* ctx) -> int {
    static_cast<std::vector<std::size_t>*>(ctx)->push_back(id);
    return 0;
  };
  // Hyperscan takes an unsigned length; longer inputs are scanned in windows
  // that overlap by the longest span a pack pattern is meant to cover.
  constexpr std::size_t kWindow = 1u << 30;
  for (std::size_t off = 0; off < text.size(); off += kWindow) {
    std::string_view w = text.substr(off, kWindow + 4096);
    hs_scan(db_, w.data(), static_cast<unsigned>(w.size()), 0, s, on_match, &hits);
  }
  ReturnScratch(s);
  std::sort(hits.begin(), hits.end());
  hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
  return hits;
}

}  // namespace rampart::guards
