// Fuzzes the ONNX protobuf wire-format walker.
#include <cstddef>
#include <cstdint>

#include "artifacts/onnx.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::artifacts;
  BufferedReader r(std::span<const std::uint8_t>(data, size));
  auto issues = CheckOnnx(r, size, Policy::Default(), std::nullopt);
  (void)issues;
  return 0;
}
