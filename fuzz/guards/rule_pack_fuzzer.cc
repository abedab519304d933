// Rule packs (user-written YAML and patterns) through the reader and the
// Hyperscan compiler: diagnostics or a database, never a crash. Scans the
// input itself with whatever compiled.
#include <cstdint>
#include <string_view>

#include "guards/rules.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::guards;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  rampart::Diagnostics d;
  std::vector<Rule> rules;
  if (!ParseRulePack(text, "fuzz.yaml", &rules, &d).ok()) return 0;
  if (rules.size() > 16) return 0;  // compile time, not correctness, grows with count
  auto set = RuleSet::Compile(std::move(rules), &d);
  if (set) (void)(*set)->Scan(text);
  return 0;
}
