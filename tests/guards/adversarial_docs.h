// Generated documents that probe the planted-instruction detector's
// segmenter and scanners: markup, addresses, cue words, slices of real
// documents, raw bytes and long runs, in random order. Shared by the pinned
// verdict test (tests/guards/instruction_test.cc) and the before/after bench
// (bench/guards/instruction_ab.sh), so both probe the same shapes.
//
// Deterministic: the same engine state and seeds give the same document
// (std::mt19937's output is fixed by the standard; the draws below are made
// in a fixed order, which the pinned verdicts depend on).
#pragma once

#include <cstddef>
#include <iterator>
#include <random>
#include <string>

namespace rampart::guards::fixtures {

// One document of up to 120 parts. `seed(i)` returns the i-th real document
// (a const std::string&), for i < `seeds`; seeds must be > 0.
template <class Seed>
std::string AdversarialDocument(std::mt19937& rng, std::size_t seeds, Seed seed) {
  static const char* const kPieces[] = {"<b>",
                                        "</p>",
                                        "<!--",
                                        "-->",
                                        "|",
                                        "\n",
                                        ". ",
                                        "@x.io ",
                                        "http://a.b ",
                                        "www.q.com",
                                        "+44 20 7946 0958",
                                        "\xE2\x80\x8B",
                                        "\xC3\xA9",
                                        "\xff",
                                        "AI assistant: ",
                                        "please ",
                                        "send ",
                                        "the user's ",
                                        "don't tell ",
                                        "\t",
                                        "\xEF\xBC\xA1\xEF\xBC\xA9",
                                        "a.co",
                                        ":",
                                        "\"",
                                        "> ",
                                        "#",
                                        "e-mail",
                                        "you must",
                                        "evil.ru/x",
                                        "\r",
                                        "<a href=\"x\xC3\xA9\">"};
  std::string d;
  const std::size_t parts = rng() % 120;
  for (std::size_t p = 0; p < parts; ++p) {
    switch (rng() % 4) {
      case 0:
        d += kPieces[rng() % std::size(kPieces)];
        break;
      case 1: {
        const std::string& s = seed(rng() % seeds);
        const std::size_t at = rng() % (s.size() + 1);
        d += s.substr(at, rng() % 60);
        break;
      }
      case 2:
        d += static_cast<char>(rng() % 256);
        break;
      default: {
        const std::size_t n = rng() % 3 == 0 ? 70 + rng() % 600 : 1 + rng() % 8;
        d += std::string(n, "aZ .e"[rng() % 5]);
      }
    }
  }
  return d;
}

}  // namespace rampart::guards::fixtures
