// SEV-SNP attestation reports from an untrusted guest.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "attest/snp.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::attest;
  std::span<const std::uint8_t> in(data, size);
  auto r = ParseSnpReport(in);
  if (r && size != kSnpReportSize) std::abort();
  if (r) (void)DecodeSnpTcb(r->reported_tcb, r->reported_tcb & 1);
  // The whole verifier, with no endorsement key: must refuse, never crash.
  static const auto verifier = MakeSnpVerifier({});
  VerifyOptions opts;
  if (verifier->Verify(in, opts)) std::abort();
  return 0;
}
