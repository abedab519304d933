#include "monitor/sketch.h"

#include <array>
#include <bit>
#include <cmath>
#include <cstring>

namespace rampart::monitor {

std::uint64_t Hash64(std::string_view s, std::uint64_t seed) {
  std::uint64_t h = 0xcbf29ce484222325ULL ^ Mix64(seed);
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0x100000001b3ULL;
    h ^= h >> 29;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  h = (h ^ tail ^ (static_cast<std::uint64_t>(s.size()) << 56)) * 0x100000001b3ULL;
  return Mix64(h);
}

namespace {

// kSignMask[b][k]: the sign bit to put on v for bit k of byte b (bit set:
// +v, clear: -v), so that a row is applied with XORs and adds the compiler
// vectorises (8 lanes per byte of the hash).
constexpr auto kSignMask = [] {
  std::array<std::array<std::uint32_t, 8>, 256> t{};
  for (unsigned b = 0; b < 256; ++b)
    for (unsigned k = 0; k < 8; ++k) t[b][k] = ((b >> k) & 1u) ? 0u : 0x80000000u;
  return t;
}();

}  // namespace

void Projector::Add(std::size_t i, float v, Projection* acc) const {
  // Row i: kProjDims signs, one bit each of a hash of (seed, i).
  std::uint64_t h = Mix64(seed_ ^ (i * 0x9e3779b97f4a7c15ULL));
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(v);
  static_assert(kProjDims == 32);
  for (std::size_t byte = 0; byte < 4; ++byte) {
    const auto& m = kSignMask[(h >> (8 * byte)) & 0xff];
    float* a = acc->data() + 8 * byte;
    for (std::size_t k = 0; k < 8; ++k) a[k] += std::bit_cast<float>(bits ^ m[k]);
  }
}

void Projector::Finish(Projection* acc) {
  // Entries are ±1: scale by 1/sqrt(k) so that E|xR|^2 = |x|^2.
  const float s = 1.0f / std::sqrt(static_cast<float>(kProjDims));
  for (float& v : *acc) v *= s;
}

float SquaredDistance(const Projection& a, const Projection& b) {
  // Eight running sums, one per lane, so the loop vectorises (a single sum
  // would fix the order of the additions and keep it scalar).
  float lane[8] = {};
  for (std::size_t j = 0; j < kProjDims; j += 8)
    for (std::size_t k = 0; k < 8; ++k) {
      float d = a[j + k] - b[j + k];
      lane[k] += d * d;
    }
  return ((lane[0] + lane[4]) + (lane[1] + lane[5])) + ((lane[2] + lane[6]) + (lane[3] + lane[7]));
}

namespace {

// kSpread[v]: byte j is bit j of v. Adding kSpread[byte] to a word counts
// eight bits at once, one count per byte (flushed before a byte overflows).
constexpr std::array<std::uint64_t, 256> kSpread = [] {
  std::array<std::uint64_t, 256> t{};
  for (unsigned v = 0; v < 256; ++v)
    for (unsigned j = 0; j < 8; ++j) t[v] |= static_cast<std::uint64_t>((v >> j) & 1u) << (8 * j);
  return t;
}();

// Per-bit counts of ones over a stream of 64-bit hashes.
class BitCounter {
 public:
  void Add(std::uint64_t h) {
    for (int k = 0; k < 8; ++k) packed_[k] += kSpread[(h >> (8 * k)) & 0xff];
    ++n_;
    if (++pending_ == 255) Flush();
  }
  // Bit b set when more than half of the hashes had it set.
  std::uint64_t Majority() {
    Flush();
    std::uint64_t out = 0;
    for (int b = 0; b < 64; ++b)
      if (2 * ones_[b] > n_) out |= 1ULL << b;
    return out;
  }

 private:
  void Flush() {
    for (int k = 0; k < 8; ++k) {
      for (int j = 0; j < 8; ++j) ones_[8 * k + j] += (packed_[k] >> (8 * j)) & 0xff;
      packed_[k] = 0;
    }
    pending_ = 0;
  }
  std::uint64_t packed_[8] = {};
  std::uint32_t ones_[64] = {};
  std::uint32_t n_ = 0;
  std::uint32_t pending_ = 0;
};

}  // namespace

std::uint64_t SimHash(std::string_view text, std::uint64_t seed, std::size_t max_words,
                      std::size_t* words) {
  BitCounter counter;
  auto add = [&](std::uint64_t h) { counter.Add(h); };
  std::uint64_t prev = 0;
  std::size_t n = 0;
  std::size_t i = 0;
  while (i < text.size() && n < max_words) {
    auto is_word = [](unsigned char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c >= 0x80;
    };
    while (i < text.size() && !is_word(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t len = 0;
    std::uint64_t h = 0xcbf29ce484222325ULL ^ seed;
    while (i < text.size() && is_word(static_cast<unsigned char>(text[i]))) {
      unsigned char c = static_cast<unsigned char>(text[i]);
      if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
      h = (h ^ c) * 0x100000001b3ULL;
      ++len;
      ++i;
    }
    if (len == 0) break;
    std::uint64_t uni = Mix64(h);
    add(uni);
    if (n > 0) add(Mix64(prev * 0x9e3779b97f4a7c15ULL + uni));
    prev = uni;
    ++n;
  }
  if (words) *words = n;
  return counter.Majority();
}

}  // namespace rampart::monitor
