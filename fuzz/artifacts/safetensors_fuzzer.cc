// Fuzzes the safetensors header checks (length prefix + JSON header).
#include <cstddef>
#include <cstdint>

#include "artifacts/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::artifacts;
  BufferedReader r(std::span<const std::uint8_t>(data, size));
  auto issues = CheckSafetensors(r, size);
  (void)issues;
  return 0;
}
