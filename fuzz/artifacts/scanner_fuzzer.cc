// Fuzzes the whole scanner on one in-memory file: format detection, npy
// headers, Keras configs, libarchive containers and nesting.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "artifacts/scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::artifacts;
  ScanOptions o;
  o.limits.max_decompressed = 64u << 20;
  o.limits.max_spill = 16u << 20;
  o.limits.max_members = 256;
  o.pickle.max_live_bytes = 16u << 20;
  o.pickle.max_memo = 1 << 14;
  o.pickle.max_stack = 1 << 14;
  Scanner s(o);
  auto r = s.ScanBytes(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  (void)r;
  return 0;
}
