// The sealed-model manifest parser (sealed.json is read from a directory an
// attacker may have handed over): never crashes; an accepted manifest
// serialises and re-parses to the same manifest.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "attest/sealed.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::attest;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)CheckResourcePath(text);
  auto m = ParseSealedManifest(text);
  if (m) {
    std::string again = SerializeSealedManifest(*m);
    auto m2 = ParseSealedManifest(again);
    if (!m2 || SerializeSealedManifest(*m2) != again) std::abort();
    Key k{};
    (void)CheckManifestMac(*m, k);
    (void)UnwrapDataKey(*m, k);
  }
  return 0;
}
