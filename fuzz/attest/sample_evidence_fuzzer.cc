// Sample evidence reaches the broker from the network: the verifier never
// crashes, and accepts nothing that was not signed by the pinned key.
#include <cstdint>
#include <cstdlib>

#include "attest/sample.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart;
  static const crypto::PrivateKey key =
      *crypto::PrivateKey::FromRawEd25519Seed(std::vector<std::uint8_t>(32, 7));
  static const attest::SampleVerifier verifier(key.public_key());
  attest::VerifyOptions opts;
  auto c = verifier.Verify(std::span<const std::uint8_t>(data, size), opts);
  (void)c;
  return 0;
}
