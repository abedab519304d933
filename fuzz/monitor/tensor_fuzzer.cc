// Untrusted KServe v2 bodies through the tensor reader and the whole
// monitor (as the gateway feeds it): any bytes give a classified result and
// a verdict, never a crash; a sketched tensor has finite coordinates.
#include <cmath>
#include <cstdint>
#include <string_view>

#include "monitor/monitor.h"
#include "monitor/tensor.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::monitor;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  static const Projector projector(1);
  TensorSketch s = SketchTensor(body, projector, 4096);
  if (s.issue == TensorIssue::kNone) {
    for (float v : s.proj)
      if (std::isnan(v)) __builtin_trap();
  }
  static Monitor* m = [] {
    MonitorConfig c = DefaultMonitorConfig();
    c.memory_bytes = 1 << 20;
    c.max_tensor_elements = 4096;
    return new Monitor(c);
  }();
  static std::int64_t t = 1'800'000'000'000'000LL;
  Query q;
  q.identity = size % 2 ? "a" : "b";
  q.remote = "10.0.0.1";
  q.protocol = "kserve-v2";
  q.body = body;
  q.time_us = t += 1000;
  (void)m->Observe(q);
  return 0;
}
