// Upstream response bodies (untrusted: a model server controls them) through
// the output guards: the stream scanner and the SSE, JSON and byte-stream
// filters. Byte 0 picks the content type and the piece size.
//
// Invariants: the undecided tail never exceeds the hold-back bound plus one
// piece; the scanner's segments cover the input exactly, whatever the
// pieces; a blocked SSE stream ends with "data: [DONE]\n\n".
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "guards/output_guard.h"
#include "guards/stream_scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::guards;
  if (size == 0) return 0;
  const std::size_t piece = 1 + (data[0] >> 2) % 29;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  constexpr std::string_view kCanary = "rmp-canary-00112233";

  // The scanner: segments cover the input, the hold-back stays bounded.
  ScanOptions o;
  o.enabled.set();
  o.canary = std::string(kCanary);
  o.max_hold_back = 256;
  StreamScanner s(o);
  std::vector<Segment> segs;
  std::string joined;
  std::uint64_t next = 0;
  auto take = [&] {
    for (const Segment& g : segs) {
      if (g.begin != next || g.end - g.begin != g.text.size()) std::abort();
      next = g.end;
      joined.append(g.text);
    }
    segs.clear();
  };
  for (std::size_t k = 0; k < body.size(); k += piece) {
    s.Push(body.substr(k, piece), &segs);
    take();
    if (s.held() > o.max_hold_back + piece) std::abort();
  }
  s.Finish(&segs);
  take();
  if (joined != body) std::abort();

  // The filters.
  OutputPolicy p;
  for (std::size_t k = 0; k < kDetectorCount; ++k) p.actions[k] = static_cast<Action>(k % 4);
  p.actions[static_cast<std::size_t>(Detector::kCanary)] = Action::kBlock;
  p.canary = std::string(kCanary);
  p.max_hold_back = 256;
  p.max_json_body = 4096;
  p.max_event_bytes = 4096;
  OutputGuard g(p);
  static constexpr std::string_view kTypes[] = {"text/event-stream", "application/json",
                                                "text/plain", "application/x-ndjson"};
  std::string_view ct = kTypes[data[0] & 3];
  auto f = g.NewFilter(200, ct);
  if (!f) std::abort();
  std::string out;
  bool ended = false;
  for (std::size_t k = 0; k < body.size() && !ended; k += piece) {
    ended = !f->Feed(body.substr(k, piece), &out);
  }
  if (!ended) f->Finish(&out);
  if (ended && ct == "text/event-stream" && !std::string_view(out).ends_with("data: [DONE]\n\n"))
    std::abort();
  return 0;
}
