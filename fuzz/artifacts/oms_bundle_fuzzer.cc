// Fuzzes the OMS bundle parser and, when the bundle parses, the statement
// parser on its payload and on the raw input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "artifacts/oms.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::artifacts;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto b = ParseBundle(text);
  if (b) (void)ParseStatement(b->payload);
  (void)ParseStatement(text);
  return 0;
}
