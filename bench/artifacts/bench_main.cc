// In-memory throughput of the pickle machine on an opcode-dense pickle,
// generated here so the figure does not depend on disk.
#include <benchmark/benchmark.h>

#include <string>

#include "artifacts/pickle_machine.h"

namespace {

std::string DensePickle(std::size_t n) {
  // [ (i, 'k<i>', {'a': i}) ... ] in protocol 4 with MEMOIZE after each object.
  std::string p = "\x80\x04]\x94(";
  for (std::size_t i = 0; i < n; ++i) {
    p += 'J';
    std::uint32_t v = static_cast<std::uint32_t>(i);
    p.append(reinterpret_cast<const char*>(&v), 4);
    std::string k = "k" + std::to_string(i);
    p += '\x8c';
    p += static_cast<char>(k.size());
    p += k;
    p += "\x94}\x94\x8c\x01\x61\x94K\x07s\x87\x94";
    if (i % 1000 == 999) p += "e(";
  }
  p += "e.";
  return p;
}

void BM_DensePickle(benchmark::State& state) {
  std::string data = DensePickle(1'000'000);
  const auto& policy = rampart::artifacts::Policy::Default();
  for (auto _ : state) {
    rampart::artifacts::BufferedReader r(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
    auto res = rampart::artifacts::ScanPickle(r, policy);
    benchmark::DoNotOptimize(res.ops);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_DensePickle)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
