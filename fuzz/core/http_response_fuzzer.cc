// The gateway's upstream response path on untrusted bytes, exactly as the
// gateway runs it (core/http/parse.h): find the head as its bytes arrive in
// pieces, parse and check it (limits, framing a proxy must not guess at),
// then de-chunk a chunked body in place, fed in pieces.
// Invariants checked: the head's end does not depend on how the bytes were
// split; a refusal is a 502; a head that parses has a consistent framing, and
// none for HEAD; the in-place decoder never yields more than it consumed and
// yields the same body as the copying one.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/http/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::http;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ResponseLimits limits;
  limits.max_header_bytes = 4096;
  limits.max_headers = 32;
  auto whole = FindResponseHeadEnd(in, 0, limits);
  // The same bytes as reads would deliver them.
  std::size_t scanned = 0, got = 0, step = 1 + (size % 5);
  HttpResult<std::size_t> split = std::size_t{0};
  while (got < size) {
    got = std::min(size, got + step);
    split = FindResponseHeadEnd(in.substr(0, got), scanned, limits);
    if (!split || *split > 0) break;
    scanned = got;
    step = step * 3 % 11 + 1;
  }
  if (whole.has_value() != split.has_value()) std::abort();
  if (whole && *whole != *split) std::abort();
  if (!whole) {
    if (whole.error().http_status != 502) std::abort();
    return 0;
  }
  std::size_t end = *whole;
  if (end == 0) return 0;
  auto head = ParseResponseHead(in.substr(0, end), false, limits);
  auto head_answer = ParseResponseHead(in.substr(0, end), true, limits);
  if (head.has_value() != head_answer.has_value()) std::abort();
  if (!head) {
    if (head.error().http_status != 502 || head.error().code != "bad_upstream_response") {
      std::abort();
    }
    return 0;
  }
  if (head->status < 100 || head->status > 599) std::abort();
  if (head_answer->framing != ResponseFraming::kNone) std::abort();
  if ((head->status / 100 == 1 || head->status == 204 || head->status == 304) &&
      head->framing != ResponseFraming::kNone) {
    std::abort();
  }
  if (head->framing == ResponseFraming::kContentLength &&
      (!head->content_length || *head->content_length == 0)) {
    std::abort();
  }
  if (head->framing == ResponseFraming::kChunked && head->content_length) std::abort();
  if (head->framing == ResponseFraming::kUntilClose && head->keep_alive) std::abort();
  (void)head->Find("content-type");
  if (head->framing != ResponseFraming::kChunked) return 0;
  // De-chunk the rest in place, in pieces of varying size, as the gateway
  // does on its buffer; and all at once with the copying decoder.
  std::string_view rest = in.substr(end);
  ChunkedDecoder dec(limits);
  std::string body;
  std::string piece;
  step = 1 + (size % 7);
  while (!rest.empty() && !dec.done()) {
    piece.assign(rest.substr(0, step));
    std::size_t produced = 0;
    auto used = dec.FeedInPlace(piece, &produced);
    if (!used) break;
    if (*used > piece.size() || produced > *used) std::abort();
    if (*used < piece.size() && !dec.done()) std::abort();
    body.append(piece, 0, produced);
    rest.remove_prefix(*used);
    step = step * 3 % 17 + 1;
  }
  ChunkedDecoder copying(limits);
  std::string copied;
  auto used = copying.Feed(in.substr(end), &copied);
  if (used && dec.done() && (!copying.done() || copied != body)) std::abort();
  return 0;
}
