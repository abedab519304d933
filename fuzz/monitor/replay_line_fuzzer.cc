// Untrusted lines of `rampart monitor replay` input: a record or a precise
// error, never a crash; an accepted record has an identity and a time.
#include <cstdint>
#include <string_view>

#include "monitor/replay.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::monitor;
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto r = ParseReplayLine(line);
  if (r && *r) {
    if ((*r)->identity.empty() || (*r)->time_us < 0) __builtin_trap();
  } else if (!r && r.error().message().empty()) {
    __builtin_trap();
  }
  return 0;
}
