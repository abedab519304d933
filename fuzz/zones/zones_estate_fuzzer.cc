// Fuzzes everything the zones pillar derives from an estate: the address
// model, the three compilers, the invariant checks and the lateral paths.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "estate/loader.h"
#include "zones/check.h"
#include "zones/estate_model.h"
#include "zones/k8s_compile.h"
#include "zones/lateral.h"
#include "zones/nft.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::zones;
  if (size > (1u << 16)) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = rampart::estate::LoadString(text, "fuzz.yaml");
  if (!r || r->diagnostics.has_errors()) return 0;
  const auto& e = r->estate;
  rampart::Diagnostics d;
  EstateModel m = BuildEstateModel(e, &d);
  (void)CompileNft(m);
  (void)CompileNetworkPolicies(e, &d);
  (void)CompileCilium(e, &d);
  (void)CheckInvariants(e);
  EstateGraph g(e);
  std::vector<int> targets;
  for (const auto& [n, note] : g.CrownJewels()) targets.push_back(n);
  (void)ShortestPaths(g, g.Exposed(), targets, 100);
  return 0;
}
