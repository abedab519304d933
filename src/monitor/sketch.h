// Fixed-size sketches of request content: a keyed 64-bit hash, a seeded
// sparse random projection of tensors to kProjDims dimensions, and a 64-bit
// SimHash of prompt text. docs/design/monitor.md says why each and its error.
// Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rampart::monitor {

inline constexpr std::size_t kProjDims = 32;
using Projection = std::array<float, kProjDims>;

// splitmix64's finaliser: a bijection with full avalanche.
inline std::uint64_t Mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A seeded hash of bytes (FNV-1a, 8 bytes a step, then Mix64). Not
// cryptographic: the seed keeps clients from aiming at a bucket.
std::uint64_t Hash64(std::string_view s, std::uint64_t seed);

// Accumulates x · R / sqrt(k) for a d × k random sign matrix R (entries ±1
// with probability 1/2, Achlioptas 2003), so that E|xR|² = |x|² and a change
// of one input element moves the sketch by exactly |Δ| (every row has norm
// sqrt(k)); row i comes from Mix64(seed, i): any dimension, no table.
class Projector {
 public:
  explicit Projector(std::uint64_t seed) : seed_(seed) {}
  // Adds value v at element index i to *acc.
  void Add(std::size_t i, float v, Projection* acc) const;
  // Scales the accumulated sum (call once at the end).
  static void Finish(Projection* acc);

 private:
  std::uint64_t seed_;
};

float SquaredDistance(const Projection& a, const Projection& b);

// The SimHash of the word unigrams and bigrams of `text` (ASCII letters
// lowercased; words are runs of letters, digits and bytes >= 0x80; at most
// `max_words` words are read). *words receives the number of words read.
std::uint64_t SimHash(std::string_view text, std::uint64_t seed, std::size_t max_words,
                      std::size_t* words);

inline int Hamming(std::uint64_t a, std::uint64_t b) { return __builtin_popcountll(a ^ b); }

}  // namespace rampart::monitor
