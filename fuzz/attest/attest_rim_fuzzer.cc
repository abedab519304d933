// Reference integrity manifests (SWID tags with XML signatures) from an
// untrusted cache.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "attest/nvidia.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::attest;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // No RIM root: nothing may verify.
  if (VerifyRim(text, {}, std::chrono::system_clock::now())) std::abort();
  return 0;
}
