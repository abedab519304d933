// Upstream response bodies (untrusted: a model server controls them) through
// UsageScanner, and request bodies through EstimateTokens.
//
// Input: byte 0 picks the mode (bit 0: event stream) and the chunk size for
// a second, chunked pass; the rest is the body. An event stream must give
// the same usage however it is chunked.
#include <boost/json.hpp>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gateway/usage.h"

namespace {
bool Same(const std::optional<rampart::gateway::Usage>& a,
          const std::optional<rampart::gateway::Usage>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->prompt_tokens == b->prompt_tokens &&
                a->completion_tokens == b->completion_tokens && a->total_tokens == b->total_tokens);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using rampart::gateway::UsageScanner;
  if (size == 0) return 0;
  const bool stream = (data[0] & 1) != 0;
  const std::size_t chunk = 1 + (data[0] >> 1) % 17;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  constexpr std::size_t kBuffer = 512;  // small, so the overflow paths run too

  UsageScanner whole(stream, kBuffer);
  whole.Feed(body);
  auto a = whole.Finish();

  UsageScanner pieces(stream, kBuffer);
  for (std::size_t i = 0; i < body.size(); i += chunk) pieces.Feed(body.substr(i, chunk));
  auto b = pieces.Finish();
  if ((stream || (!whole.overflowed() && !pieces.overflowed())) && !Same(a, b)) std::abort();

  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (!ec && v.is_object()) (void)rampart::gateway::EstimateTokens(v.get_object(), 256);
  return 0;
}
