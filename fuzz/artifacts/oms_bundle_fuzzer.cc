// Fuzzes the OMS bundle parser and, when the bundle parses, the statement
// parser on its payload and on the raw input, and signature verification:
// with a fixed key (rawBytes keys as PEM or DER, the DSSE and model_signing
// 0.2 PAE encodings) and, for chains, with the bundle's own first
// certificate as the anchor (certificate DER, chain building, key usage).
// The corpus holds every bundle shape model_signing 0.2.x-1.x wrote.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "artifacts/oms.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::artifacts;
  static const OmsPublicKey kKey = OmsPrivateKey::Generate("P-384")->public_key();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto b = ParseBundle(text);
  if (b) {
    (void)ParseStatement(b->payload);
    Trust trust;
    trust.key = kKey;
    if (!b->certificates.empty()) {
      auto anchor = rampart::crypto::Certificate::FromDer(b->certificates[0]);
      if (anchor) trust.anchors.push_back(std::move(*anchor));
    }
    std::vector<std::string> notes;
    (void)VerifyBundleSignature(*b, trust, &notes);
  }
  (void)ParseStatement(text);
  return 0;
}
