// NVIDIA GPU attestation reports (binary or hex) from an untrusted GPU/driver.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "attest/nvidia.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::attest;
  std::span<const std::uint8_t> in(data, size);
  auto bytes = NvidiaReportBytes(in);
  if (!bytes) return 0;
  auto r = ParseNvidiaReport(*bytes);
  if (r) {
    if (r->signed_size + 96 != bytes->size()) std::abort();
    (void)r->driver_version();
    (void)r->vbios_version();
  }
  return 0;
}
