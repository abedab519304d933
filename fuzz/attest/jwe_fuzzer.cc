// JWKs and JWEs from the network (the broker reads tee-pubkey; the client
// reads the released JWE): never crash; nothing decrypts without the key.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "attest/jwe.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart;
  static const crypto::PrivateKey key = *crypto::PrivateKey::Generate(crypto::KeyType::kEcdsaP256);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  JsonLimits lim;
  lim.max_bytes = 1 << 16;
  auto v = ParseJson(text, lim);
  if (!v) return 0;
  if (auto k = attest::PublicKeyFromJwk(*v)) (void)attest::JwkThumbprint(*k);
  (void)attest::JweDecrypt(key, *v);
  return 0;
}
