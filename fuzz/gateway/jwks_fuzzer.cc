// JWK sets fetched from an issuer's URL or read from a file.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gateway/jwks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto set = rampart::gateway::ParseJwks(text);
  if (set) {
    // A parsed set is never empty and never larger than the parser's bound.
    if ((*set)->size() == 0 || (*set)->size() > 100) std::abort();
    const auto* only = (*set)->Find("");
    if (((*set)->size() == 1) != (only != nullptr)) std::abort();
  }
  return 0;
}
