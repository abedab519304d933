// Controls files (user-written YAML): a matrix or diagnostics, never a crash.
#include <cstdint>
#include <string_view>

#include "posture/controls.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  rampart::Diagnostics d;
  (void)rampart::posture::LoadControls(text, "fuzz.yaml", &d);
  return 0;
}
