// Entry parsing (HTTP bodies, CLI input): never crashes; an accepted entry is
// canonical (re-parsing its canonical form gives the same bytes). The
// in-process sink's AdoptCanonicalEntry never crashes either, and on
// canonical text gives what ParseEntry gives.
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
  (void)ledger::AdoptCanonicalEntry(text, opts);
  ledger::EntryOptions unsigned_opts = opts;
  unsigned_opts.submitter.clear();
  if (auto c = ledger::ParseEntry(text, unsigned_opts)) {
    auto full = ledger::ParseEntry(c->canonical, opts);
    auto adopted = ledger::AdoptCanonicalEntry(c->canonical, opts);
    if (full.has_value() != adopted.has_value()) std::abort();
    if (full && (full->canonical != adopted->canonical || full->type != adopted->type ||
                 full->digests != adopted->digests))
      std::abort();
  }
  return 0;
}
