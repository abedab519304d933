// SGX and TDX quotes from an untrusted enclave or TD.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "attest/dcap.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::attest;
  std::span<const std::uint8_t> in(data, size);
  auto q = ParseDcapQuote(in);
  if (q && q->signed_size > size) std::abort();
  if (q && q->sgx.has_value() == q->td.has_value()) std::abort();
  // The whole verifier, with no roots and no collateral: must refuse.
  static const auto sgx = MakeDcapVerifier(TeeType::kSgx, {});
  static const auto tdx = MakeDcapVerifier(TeeType::kTdx, {});
  VerifyOptions opts;
  if (sgx->Verify(in, opts) || tdx->Verify(in, opts)) std::abort();
  return 0;
}
