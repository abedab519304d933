// A UEFI measured-boot event log (untrusted: the node sends it) through the
// parser, the replay and the facts extraction.
//
// Invariants: a replay holds PCRs 0..23 in every known declared bank, each of
// the bank's digest size.
#include <cstdint>
#include <cstdlib>

#include "attest/tpm/event_log.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::attest::tpm;
  EventLogLimits limits;
  limits.max_events = 4096;
  auto log = ParseEventLog(ByteView(data, size), limits);
  if (!log) return 0;
  PcrValues v = ReplayEventLog(*log);
  for (const auto& [alg, bank] : v) {
    if (bank.size() != 24) std::abort();
    for (const auto& [i, value] : bank)
      if (value.size() != TpmDigestSize(alg)) std::abort();
  }
  (void)ExtractBootFacts(*log);
  return 0;
}
