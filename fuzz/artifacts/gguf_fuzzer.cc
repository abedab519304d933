// Fuzzes the GGUF header, metadata and tensor-info checks.
#include <cstddef>
#include <cstdint>

#include "artifacts/gguf.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::artifacts;
  BufferedReader r(std::span<const std::uint8_t>(data, size));
  auto issues = CheckGguf(r, size);
  (void)issues;
  return 0;
}
