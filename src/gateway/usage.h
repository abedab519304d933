// LLM token accounting for rate limits: an estimate before admission and the
// actual usage read from the response (plain JSON or a Server-Sent Events
// stream, in any chunking).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rampart::gateway {

struct Usage {
  std::uint64_t prompt_tokens = 0;
  std::uint64_t completion_tokens = 0;
  std::uint64_t total_tokens = 0;
};

// From an OpenAI request body (chat/completions, completions, embeddings):
// prompt characters / 4 plus per-message overhead, plus max_tokens or
// max_completion_tokens (default_max_tokens when absent, 0 for embeddings).
std::uint64_t EstimateTokens(const boost::json::object& request,
                             std::uint64_t default_max_tokens = 256);

// Fed the response body as it streams; finds the OpenAI "usage" object (in a
// stream: the event that carries it, usually the last before "data: [DONE]").
// Memory is bounded by max_buffer. Not thread-safe (one per response).
class UsageScanner {
 public:
  explicit UsageScanner(bool event_stream, std::size_t max_buffer = 1 << 20);
  ~UsageScanner();
  UsageScanner(const UsageScanner&) = delete;
  UsageScanner& operator=(const UsageScanner&) = delete;
  // Never throws; bytes after the limit are dropped as described below.
  void Feed(std::string_view bytes);
  // The usage found, or nullopt. Call once, after the last Feed.
  std::optional<Usage> Finish();

  // Memory: an event stream buffers one line plus one event's data, at most
  // max_buffer bytes together; a larger event is skipped (usage events are
  // small). A plain body is buffered up to max_buffer; past that only the
  // tail is kept and the last "usage" object is found in it textually.
  bool overflowed() const { return overflow_; }

 private:
  void FeedStream(std::string_view bytes);
  void AppendLine(std::string_view part);
  void EndLine();
  void ProcessLine(std::string_view line);
  void DispatchEvent();
  void HandleData(std::string_view data);
  void FeedPlain(std::string_view bytes);

  bool event_stream_;
  std::size_t max_buffer_;
  // Both buffers come from (and go back to) a per-thread spare, so that a
  // response costs no allocation for them once warm.
  std::string buffer_;  // stream: the current line; plain: the body (or its tail)
  bool overflow_ = false;
  std::optional<Usage> usage_;
  // Event-stream state.
  std::string data_;  // the current event's data lines, joined by '\n'
  bool has_data_ = false;
  bool skip_line_ = false;   // the current line outgrew the buffer
  bool skip_event_ = false;  // the current event's data outgrew the buffer
  bool last_cr_ = false;     // a "\r\n" may be split across two Feeds
  bool finished_ = false;
};

}  // namespace rampart::gateway
