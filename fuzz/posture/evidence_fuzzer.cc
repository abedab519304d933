// Evidence envelopes (untrusted files from --evidence DIR): every input ends
// as Evidence records with a state, never a crash. The estate digest of the
// context matches the seeds so that the result interpreters are reached.
// Attestation evidence must carry a valid signature, which a mutated input
// never has: each input is also evaluated re-signed with the context's key,
// so that the attestation interpreters (state list, node verify output, TEE
// claims) see arbitrary results too.
#include <cstdint>
#include <string_view>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/json.h"
#include "posture/controls.h"
#include "posture/evidence.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::posture;
  namespace crypto = rampart::crypto;
  static const Controls controls = [] {
    rampart::Diagnostics d;
    return *LoadControls(DefaultControlsText(), "controls.yaml", &d);
  }();
  static const crypto::PrivateKey key = *crypto::PrivateKey::Generate(crypto::KeyType::kEd25519);
  EvidenceContext ctx;
  ctx.estate_digest = "sha256:aaaa";
  rampart::ParseRfc3339("2026-12-07T00:00:00Z", &ctx.now);
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto check = [&](std::string_view in, const EvidenceContext& c) {
    for (const auto& e : EvaluateEvidenceFile(in, "fuzz.json", c, controls)) {
      if (e.state == State::kPass && e.check.empty()) __builtin_trap();
    }
  };
  check(bytes, ctx);
  auto signed_bytes = SignedBytes(bytes);
  if (!signed_bytes) return 0;
  auto sig = key.Sign(crypto::AsBytes(*signed_bytes));
  auto v = rampart::ParseJson(bytes);
  if (!sig || !v || !v->is_object()) return 0;
  v->as_object()["signature"] =
      rampart::json::object{{"alg", "ed25519"}, {"value", rampart::Base64Encode(*sig)}};
  EvidenceContext keyed = ctx;
  keyed.key = key.public_key();
  check(rampart::ToJson(*v), keyed);
  return 0;
}
