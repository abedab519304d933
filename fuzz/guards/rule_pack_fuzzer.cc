// Rule packs (user-written YAML and patterns) through the reader and the
// Hyperscan compiler: diagnostics or a database, never a crash. Scans the
// input itself with whatever compiled.
#include <algorithm>
#include <cstdint>
#include <string_view>

#include "guards/rules.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::guards;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  rampart::Diagnostics d;
  std::vector<Rule> rules;
  if (!ParseRulePack(text, "fuzz.yaml", &rules, &d).ok()) return 0;
  // Compile time, not correctness, grows with the rule count and the repeat
  // bounds: under ASan the built-in pack (14 rules, bounds summing to 522)
  // takes ~1.7 s to compile, and libFuzzer's 10 s timeout would otherwise
  // fire on packs the loader accepts (up to kMaxRepeatBudget, ~3 s without
  // sanitizers). Packs over the loader's limits still go to Compile, which
  // must refuse them before Hyperscan runs.
  if (rules.size() > 16) return 0;
  std::size_t sum = 0, max = 0;
  for (const Rule& r : rules) {
    RepeatWeight w = PatternRepeatWeight(r.pattern);
    sum += w.sum;
    max = std::max(max, w.max);
  }
  if (max <= kMaxRepeatBound && sum <= kMaxRepeatBudget && sum > 800) return 0;
  auto set = RuleSet::Compile(std::move(rules), &d);
  if (set) (void)(*set)->Scan(text);
  return 0;
}
