// Entry parsing (HTTP bodies, CLI input): never crashes; an accepted entry is
// canonical (re-parsing its canonical form gives the same bytes).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/clock.h"
#include "ledger/entry.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart;
  static FakeClock clock;
  ledger::EntryOptions opts;
  opts.clock = &clock;
  opts.submitter = "fuzz";
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto e = ledger::ParseEntry(text, opts);
  if (e) {
    auto again = ledger::ReparseStoredEntry(e->canonical);
    if (!again || again->canonical != e->canonical) std::abort();
  }
  (void)ledger::ReparseStoredEntry(text);
  return 0;
}
