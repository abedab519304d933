// Fuzzes the libyaml document tree (core/yaml_doc.h): no input may crash, hang,
// trip a sanitizer or leak, and every node of an accepted stream must be
// walkable with positions inside the text. Aliases are walked by reference, so
// the walk is bounded by the alias limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/yaml_doc.h"

namespace {

// Returns the nodes visited; aborts on an impossible position.
std::uint64_t Walk(rampart::YamlNode n, int depth, std::uint64_t budget) {
  if (budget == 0 || depth > 300) return 0;
  if (n.line() < 1 || n.column() < 1) std::abort();
  std::uint64_t seen = 1;
  for (rampart::YamlNode e : n.Elements()) seen += Walk(e, depth + 1, budget - seen);
  for (auto [k, v] : n.Entries()) {
    seen += Walk(k, depth + 1, budget - seen);
    seen += Walk(v, depth + 1, budget - seen);
    (void)n.Get(k.Scalar());
  }
  (void)rampart::YamlTypeName(n);
  return seen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > (1u << 16)) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  rampart::YamlLimits limits;
  limits.max_alias_nodes = 100000;
  auto r = rampart::ParseYamlStream(text, "fuzz.yaml", limits);
  if (!r) return 0;
  for (rampart::YamlNode d : r->documents()) {
    if (!d.IsDefined()) std::abort();
    (void)Walk(d, 0, 1'000'000);
  }
  return 0;
}
