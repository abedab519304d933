// The core HTTP server's request parse/validation path on untrusted bytes, exactly as
// the server runs it (core/http/parse.h): find the head, parse and check
// it (limits, smuggling shapes), then decode a chunked body fed in pieces.
// Invariants checked: a head that parses has a consistent framing, and the
// chunked decoder never yields more than the body limit.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/http/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::http;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  RequestLimits limits;
  limits.max_header_bytes = 4096;
  limits.max_body_bytes = 8192;
  std::size_t end = FindHeadEnd(in);
  if (end == 0) return 0;
  auto head = ParseRequestHead(in.substr(0, end), limits);
  if (!head) {
    if (head.error().http_status < 400 || head.error().http_status > 505) std::abort();
    return 0;
  }
  if (head->framing == BodyFraming::kContentLength &&
      (head->content_length == 0 || head->content_length > limits.max_body_bytes)) {
    std::abort();
  }
  if (head->target.empty() || head->target.front() != '/') std::abort();
  (void)head->Find("host");
  if (head->framing != BodyFraming::kChunked) return 0;
  // Feed the rest in pieces of varying size, as reads would deliver it.
  ChunkedDecoder dec(limits);
  std::string body;
  std::string_view rest = in.substr(end);
  std::size_t step = 1 + (size % 7);
  while (!rest.empty() && !dec.done()) {
    std::string_view piece = rest.substr(0, step);
    auto used = dec.Feed(piece, &body);
    if (!used) break;
    if (*used > piece.size()) std::abort();
    if (*used < piece.size() && !dec.done()) std::abort();
    rest.remove_prefix(*used);
    step = step * 3 % 17 + 1;
  }
  if (body.size() > limits.max_body_bytes) std::abort();
  return 0;
}
