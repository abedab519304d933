// A quote as a node sends it (untrusted until its signature verifies):
// TPMS_ATTEST / TPM2B_ATTEST, TPMT_SIGNATURE, TPM2B_PUBLIC, and the agent's
// JSON answer that carries them. Byte 0 picks the structure.
//
// Invariants: a parsed selection lists PCRs ascending below 32; a parsed
// public area's Name is nameAlg plus a digest of its size.
#include <cstdint>
#include <cstdlib>

#include "attest/tpm/agent.h"
#include "attest/tpm/quote.h"
#include "attest/tpm/wire.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::attest::tpm;
  if (size == 0) return 0;
  ByteView in(data + 1, size - 1);
  switch (data[0] % 5) {
    case 0:
    case 1: {
      auto a = ParseAttest(in, data[0] % 5 == 1);
      if (!a) return 0;
      for (const auto& sel : a->pcr_select) {
        for (std::size_t i = 0; i < sel.pcrs.size(); ++i) {
          if (sel.pcrs[i] >= 32 || (i > 0 && sel.pcrs[i] <= sel.pcrs[i - 1])) std::abort();
        }
      }
      PcrValues none;
      (void)ComputePcrDigest(*a, none, kAlgSha256);
      break;
    }
    case 2:
      (void)ParseSignature(in);
      break;
    case 3: {
      auto p = ParsePublic(in);
      if (!p) return 0;
      if (p->Name().size() != 2 + TpmDigestSize(p->name_alg)) std::abort();
      (void)p->Key();
      break;
    }
    case 4:
      (void)EvidenceFromJson(std::string_view(reinterpret_cast<const char*>(in.data()), in.size()));
      break;
  }
  return 0;
}
