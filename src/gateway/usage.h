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
  void Feed(std::string_view bytes);
  std::optional<Usage> Finish();

 private:
  bool event_stream_;
  std::size_t max_buffer_;
  std::string buffer_;
  bool overflow_ = false;
  std::optional<Usage> usage_;
};

}  // namespace rampart::gateway
