// The planted-instruction detector against an earlier version of itself,
// in one process (bench/guards/instruction_ab.sh builds it): the earlier
// instruction.cc is compiled with its namespace renamed (rampart_before).
//
// 1. Same verdicts: every segment's score, range and cues, and the top
//    verdict, on the documents of DOCS (one JSON string per line, decoded
//    by the script), on random slices of CORPUS and on 20,000 documents
//    built from pieces of both with tags, comments, addresses, non-ASCII
//    and control bytes mixed in (fixed seed). Exits 1 on any difference.
// 2. CPU time per document (thread CPU clock), p50/p99, for 2 KB and
//    32 KB slices of CORPUS at the offsets bench/guards uses, the two
//    versions alternating on each slice, two rounds.
//
// Usage: instruction_ab CORPUS DOCS
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "guards/adversarial_docs.h"
#include "guards/instruction.h"

namespace rampart_before::guards {
struct InstructionVerdict {
  double score;
  std::size_t offset, length;
  std::uint32_t cues;
};
std::vector<InstructionVerdict> JudgeSegments(std::string_view text);
InstructionVerdict JudgeInstructions(std::string_view text);
}  // namespace rampart_before::guards

namespace {

namespace before = rampart_before::guards;
namespace after = rampart::guards;

std::string Slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
double CpuUs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}
double Pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

long checked = 0, differ = 0;
void Compare(std::string_view d) {
  ++checked;
  const auto a = before::JudgeSegments(d);
  const auto b = after::JudgeSegments(d);
  bool same = a.size() == b.size();
  for (std::size_t k = 0; same && k < a.size(); ++k)
    same = a[k].score == b[k].score && a[k].offset == b[k].offset && a[k].length == b[k].length &&
           a[k].cues == b[k].cues;
  const auto x = before::JudgeInstructions(d);
  const auto y = after::JudgeInstructions(d);
  same = same && x.score == y.score && x.offset == y.offset && x.length == y.length &&
         x.cues == y.cues;
  if (!same && ++differ <= 5)
    std::fprintf(stderr, "different verdicts (%zu bytes): %.200s\n", d.size(),
                 std::string(d).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: instruction_ab CORPUS DOCS\n");
    return 2;
  }
  const std::string corpus = Slurp(argv[1]);
  std::vector<std::string> docs;
  {
    std::ifstream in(argv[2], std::ios::binary);
    for (std::string line; std::getline(in, line, '\0');) docs.push_back(line);
  }
  if (corpus.size() < 40000 || docs.empty()) {
    std::fprintf(stderr, "instruction_ab: %s or %s is empty or too small\n", argv[1], argv[2]);
    return 2;
  }
  for (const auto& d : docs) Compare(d);
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    const std::size_t size = rng() % 5000;
    Compare(std::string_view(corpus).substr(rng() % (corpus.size() - size), size));
  }
  for (int i = 0; i < 20000; ++i) {
    const std::string d = rampart::guards::fixtures::AdversarialDocument(
        rng, docs.size(), [&](std::size_t k) -> const std::string& { return docs[k]; });
    Compare(d);
  }
  std::printf("same verdicts: %ld documents compared, %ld different\n", checked, differ);
  if (differ != 0) return 1;

  std::printf("CPU time per document (one thread), before | after, same slices:\n");
  for (int round = 1; round <= 2; ++round) {
    for (std::size_t size : {2048u, 32768u}) {
      const int n = size > 4096 ? 400 : 4000;
      std::vector<double> a, b;
      for (int i = 0; i < n; ++i) {
        const std::size_t off = (static_cast<std::size_t>(i) * 7919) % (corpus.size() - size);
        const std::string_view p = std::string_view(corpus).substr(off, size);
        const double c0 = CpuUs();
        volatile double s = before::JudgeInstructions(p).score;
        const double c1 = CpuUs();
        volatile double t = after::JudgeInstructions(p).score;
        const double c2 = CpuUs();
        (void)s;
        (void)t;
        a.push_back(c1 - c0);
        b.push_back(c2 - c1);
      }
      std::printf(
          "  round %d %6zu B: before p50 %6.1f us p99 %6.1f us | after p50 %6.1f us p99 %6.1f us\n",
          round, size, Pct(a, 0.5), Pct(a, 0.99), Pct(b, 0.5), Pct(b, 0.99));
    }
  }
  return 0;
}
