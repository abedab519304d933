// A Linux IMA measurement list, ASCII or binary (untrusted: the node sends
// it), through the parser and the PCR 10 replay.
//
// Invariants: the replayed PCR 10 has its bank's digest size; every ima-ng
// entry has a path and a file digest.
#include <cstdint>
#include <cstdlib>

#include "attest/tpm/ima_log.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::attest::tpm;
  auto log = ParseImaLog(ByteView(data, size));
  if (!log) return 0;
  for (const auto& e : log->entries)
    if (e.template_name == "ima-ng" && e.file_digest.empty()) std::abort();
  PcrValues v;
  v[kAlgSha1];
  v[kAlgSha256];
  ReplayImaLog(*log, &v);
  if (v[kAlgSha1][kImaPcr].size() != 20 || v[kAlgSha256][kImaPcr].size() != 32) std::abort();
  return 0;
}
