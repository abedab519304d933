// Fuzzes the pickle-machine emulator: any bytes, bounded memory, no crash.
#include <cstddef>
#include <cstdint>

#include "artifacts/pickle_machine.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::artifacts;
  PickleOptions o;
  o.limits.max_stack = 1 << 14;
  o.limits.max_memo = 1 << 14;
  o.limits.max_live_bytes = 16u << 20;
  BufferedReader r(std::span<const std::uint8_t>(data, size));
  auto res = ScanPickle(r, Policy::Default(), o);
  (void)res;
  return 0;
}
