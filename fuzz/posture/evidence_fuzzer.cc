// Evidence envelopes (untrusted files from --evidence DIR): every input ends
// as Evidence records with a state, never a crash. The estate digest of the
// context matches the seeds so that the result interpreters are reached.
#include <cstdint>
#include <string_view>

#include "posture/controls.h"
#include "posture/evidence.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::posture;
  static const Controls controls = [] {
    rampart::Diagnostics d;
    return *LoadControls(DefaultControlsText(), "controls.yaml", &d);
  }();
  EvidenceContext ctx;
  ctx.estate_digest = "sha256:aaaa";
  rampart::ParseRfc3339("2026-12-07T00:00:00Z", &ctx.now);
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (const auto& e : EvaluateEvidenceFile(bytes, "fuzz.json", ctx, controls)) {
    if (e.state == State::kPass && e.check.empty()) __builtin_trap();
  }
  return 0;
}
