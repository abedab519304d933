// Rules as data: YAML rule packs (docs/formats/guard-rules.md) compiled into
// ONE Hyperscan database, run over prompt text in the gateway's OnRequest.
//
//   reader  ParseRulePack: YAML -> Rule values, every problem a diagnostic
//           with file:line:col (a bad pattern points at its `pattern:`);
//   compiler RuleSet::Compile: all patterns, caseless, dot-all, each
//           reported at most once per scan, into one block-mode database.
//
// Patterns are matched on bytes (no UTF-8 mode: Hyperscan's behaviour on
// invalid UTF-8 in UTF-8 mode is undefined, and prompts are untrusted).
//
// Thread-safety: a compiled RuleSet is immutable and may be scanned from
// many threads at once (scratch space comes from an internal pool).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "core/status.h"

struct hs_database;
struct hs_scratch;

namespace rampart::guards {

enum class RuleKind : std::uint8_t { kJailbreak, kPromptExtraction, kExfiltration, kToolAbuse };
std::string_view RuleKindName(RuleKind k);  // "jailbreak", "prompt_extraction", ...

enum class RuleSeverity : std::uint8_t { kLow, kMedium, kHigh, kCritical };
std::string_view RuleSeverityName(RuleSeverity s);  // "low" ... "critical"
std::optional<RuleSeverity> RuleSeverityByName(std::string_view s);
// The score `rampart guard check` prints for a rule hit: 0.25, 0.5, 0.75, 1.
double SeverityScore(RuleSeverity s);

struct Rule {
  std::string id;
  std::string pattern;
  RuleKind kind = RuleKind::kJailbreak;
  RuleSeverity severity = RuleSeverity::kHigh;
  std::string description;
  SourceLocation where;          // the rule
  SourceLocation pattern_where;  // its pattern
};

// Reads one pack. Problems go to *diags; the rules that are well-formed are
// appended to *out. InvalidArgument if the text is not YAML at all.
Status ParseRulePack(std::string_view text, std::string_view file, std::vector<Rule>* out,
                     Diagnostics* diags);
Status LoadRulePack(const std::filesystem::path& file, std::vector<Rule>* out, Diagnostics* diags);

// Hyperscan's compile time grows steeply with bounded repeats: the built-in
// pack compiles in 0.4 s, the same pack with its gaps widened to .{0,1000}
// in 16 s and to .{0,4000} in six minutes. So a repeat bound ({n}, {n,},
// {n,m}) may be at most kMaxRepeatBound, and the bounds of all the patterns
// compiled into one database may sum to at most kMaxRepeatBudget (about 3 s
// of compiling at the budget).
inline constexpr std::size_t kMaxRepeatBound = 255;
inline constexpr std::size_t kMaxRepeatBudget = 4096;

// The bounded repeats of a pattern: the sum of their bounds (the upper one,
// or n for {n} and {n,}) and the largest. Escapes (\{, \x{..}, \p{..})
// and braces inside [...] are not repeats; neither is a brace that does
// not form a quantifier.
struct RepeatWeight {
  std::size_t sum = 0;
  std::size_t max = 0;
};
RepeatWeight PatternRepeatWeight(std::string_view pattern);

// The pack that ships with Rampart (src/guards/default_rules.yaml, compiled in).
std::string_view DefaultRulePackText();
inline constexpr std::string_view kDefaultRulePackName = "<built-in rules>";

class RuleSet {
 public:
  // Compiles the rules. Each pattern Hyperscan refuses becomes an error at
  // its `pattern:`; duplicate ids are errors. InvalidArgument if any.
  static Result<std::shared_ptr<const RuleSet>> Compile(std::vector<Rule> rules,
                                                        Diagnostics* diags);
  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  // Indices of the rules matching `text`, ascending, each once.
  std::vector<std::size_t> Scan(std::string_view text) const;
  const Rule& rule(std::size_t i) const { return rules_[i]; }
  std::size_t size() const { return rules_.size(); }

 private:
  RuleSet() = default;
  hs_scratch* TakeScratch() const;
  void ReturnScratch(hs_scratch* s) const;

  std::vector<Rule> rules_;
  hs_database* db_ = nullptr;
  hs_scratch* proto_ = nullptr;
  mutable std::mutex mu_;
  mutable std::vector<hs_scratch*> pool_;
};

}  // namespace rampart::guards
