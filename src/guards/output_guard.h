// Output guards: the response filters that find secrets, personal data and
// the canary in what an upstream answers, and redact, block or flag each per
// policy, without buffering a stream.
//
// By content type:
//   text/event-stream   the text of each event's choices[0] (delta.content
//                       or text) is scanned as ONE stream across events, so
//                       a secret the model emits token by token is found;
//                       events are held only while their text is undecided
//                       and re-serialised with the redacted text. Other
//                       string fields are scanned within their event. A
//                       block ends the stream with a valid terminal event:
//                       `data: {"error":{...}}` then `data: [DONE]`.
//   application/json    held up to `max_json_body` bytes (a non-streamed
//                       answer is bounded), every string value scanned; a
//                       block replaces the whole body with a JSON error.
//                       Larger bodies fall back to the byte stream below.
//   anything else       scanned as a byte stream with the bounded hold-back;
//                       a block ends the body where it is.
//
// Thread-safety: an OutputGuard is shared by all requests (read-only policy,
// atomic counters); each response gets its own ResponseFilter.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/gateway_filter.h"
#include "core/json.h"
#include "guards/detectors.h"
#include "guards/stream_scanner.h"

namespace rampart::guards {

enum class Action : std::uint8_t { kOff, kFlag, kRedact, kBlock };
inline constexpr std::size_t kActionCount = 4;
std::string_view ActionName(Action a);  // "off" | "flag" | "redact" | "block"
std::optional<Action> ActionByName(std::string_view name);

struct OutputPolicy {
  std::array<Action, kDetectorCount> actions{};  // default: all off
  std::string canary;                            // "" = no canary
  std::size_t max_hold_back = 8192;
  std::size_t max_json_body = 1 << 20;
  std::size_t max_event_bytes = 1 << 20;  // one SSE event
};

// Counters shared by every response of one OutputGuard.
struct OutputCounters {
  std::array<std::array<std::atomic<std::uint64_t>, kActionCount>, kDetectorCount> matches{};
  std::atomic<std::uint64_t> blocked_responses{0};
};

// The redaction marker for a detector: "[REDACTED:<name>]".
std::string RedactionMarker(Detector d);

class OutputGuard {
 public:
  explicit OutputGuard(OutputPolicy p);

  // Null when no detector is on. Error bodies are scanned too (an upstream
  // error may echo the prompt, and with it the canary).
  std::unique_ptr<ResponseFilter> NewFilter(int status, std::string_view content_type) const;

  const OutputPolicy& policy() const { return policy_; }
  ScanOptions scan_options() const;
  const OutputCounters& counters() const { return *counters_; }
  OutputCounters& counters() { return *counters_; }

 private:
  OutputPolicy policy_;
  std::shared_ptr<OutputCounters> counters_;
};

// Applies the policy to scanned segments: appends the text to *out with
// redactions made, counts matches, and returns the first detector whose
// action is block (nullopt: none). Used by every mode and by `guard check`.
std::optional<Detector> ApplySegments(const std::vector<Segment>& segs, const OutputPolicy& p,
                                      OutputCounters* c, std::string* out);

// Scans and rewrites every string value of `v` in place (each string on its
// own). Returns the first blocking detector, if any. With `changed`, tells
// whether a string was rewritten.
std::optional<Detector> GuardJsonStrings(boost::json::value& v, const OutputPolicy& p,
                                         OutputCounters* c, bool* changed = nullptr);

}  // namespace rampart::guards
