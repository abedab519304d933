// Upstream response bodies (untrusted: a model server controls them) through
// UsageScanner, and request bodies through EstimateTokens.
//
// Input: byte 0 picks the mode (bit 0: event stream) and the chunk size for
// a second, chunked pass; the rest is the body. An event stream must give
// the same usage however it is chunked, and a plain body that parses as an
// object must give what the parsed object says (the scanner reads it in one
// pass without building the document; the reference below builds it).
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
// A non-negative integer from a JSON number, or nullopt.
std::optional<std::uint64_t> Count(const boost::json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64()) {
    if (v->get_int64() < 0) return std::nullopt;
    return static_cast<std::uint64_t>(v->get_int64());
  }
  if (v->is_double()) {
    double d = v->get_double();
    if (!(d >= 0) || d > 1.8e19 || d != static_cast<double>(static_cast<std::uint64_t>(d))) {
      return std::nullopt;
    }
    return static_cast<std::uint64_t>(d);
  }
  return std::nullopt;
}

// The usage a parsed response object holds, built the plain way.
std::optional<rampart::gateway::Usage> Reference(const boost::json::object& o) {
  const auto* u = o.if_contains("usage");
  if (u == nullptr || !u->is_object()) return std::nullopt;
  auto p = Count(u->get_object().if_contains("prompt_tokens"));
  auto c = Count(u->get_object().if_contains("completion_tokens"));
  auto t = Count(u->get_object().if_contains("total_tokens"));
  if (!p && !c && !t) return std::nullopt;
  constexpr std::uint64_t kMax = ~std::uint64_t{0};
  rampart::gateway::Usage r;
  r.prompt_tokens = p.value_or(0);
  if (c) {
    r.completion_tokens = *c;
  } else if (t && *t >= r.prompt_tokens) {
    r.completion_tokens = *t - r.prompt_tokens;
  }
  r.total_tokens =
      t ? *t
        : (r.prompt_tokens > kMax - r.completion_tokens ? kMax
                                                        : r.prompt_tokens + r.completion_tokens);
  return r;
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
  boost::json::parse_options opts;
  opts.max_depth = 64;  // the scanner's
  boost::json::value v = boost::json::parse(body, ec, {}, opts);
  if (!ec && v.is_object()) {
    if (!stream && !whole.overflowed() && !Same(a, Reference(v.get_object()))) std::abort();
    (void)rampart::gateway::EstimateTokens(v.get_object(), 256);
  }
  return 0;
}
