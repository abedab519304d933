// Fuzzes the estate loader: YAML parsing, schema reading and validation.
// Any input must give a Status or diagnostics, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "estate/graph.h"
#include "estate/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = rampart::estate::LoadString(text, "fuzz.yaml");
  if (r && !r->diagnostics.has_errors()) {
    // A valid estate must also render.
    (void)rampart::estate::GraphDot(r->estate);
    (void)rampart::estate::ToJson(r->estate);
  }
  return 0;
}
