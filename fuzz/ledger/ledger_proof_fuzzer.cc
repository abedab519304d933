// Proof bundles (verify-proof input) and raw proof verification.
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/query.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::ledger;
  static const NoteVerifier verifier =
      *NoteVerifier::Parse("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto b = ParseProofBundle(text);
  if (b) (void)VerifyProofBundle(*b, verifier);

  // Interpret the bytes as sizes and hashes for the raw verifiers.
  if (size >= 16) {
    std::uint64_t a, c;
    std::memcpy(&a, data, 8);
    std::memcpy(&c, data + 8, 8);
    std::vector<HashView> hashes;
    for (std::size_t off = 16; off < size; off += 32) {
      hashes.emplace_back(data + off, std::min<std::size_t>(32, size - off));
    }
    if (!hashes.empty()) {
      HashView first = hashes[0];
      std::span<const HashView> rest(hashes.data() + 1, hashes.size() - 1);
      (void)VerifyInclusion(a % 4096, c % 8192, first, rest, first);
      (void)VerifyConsistency(a % 4096, c % 8192, rest, first, first);
      (void)VerifySubtreeConsistency(a % 64, c % 128, (a ^ c) % 256, rest, first, first);
      (void)VerifySubtreeInclusion(a % 64, a % 32, c % 128, first, rest, first);
    }
  }
  return 0;
}
