// TCB info and QE identity collateral: the signed-member extraction and the
// level matching over untrusted JSON.
#include <cstdint>
#include <string_view>

#include "attest/dcap.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::attest;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)RawJsonMember(text, "tcbInfo");
  (void)RawJsonMember(text, "enclaveIdentity");
  PlatformTcb p;
  p.sgx_svn.fill(3);
  p.pce_svn = 10;
  (void)MatchTcbLevel(text, 2, p);
  p.tee_tcb_svn = std::array<std::uint8_t, 16>{};
  (void)MatchTcbLevel(text, 3, p);
  return 0;
}
