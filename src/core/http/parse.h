// Strict HTTP/1.1 request parsing for every Rampart server (core/http/server.h):
// the request head and the chunked body decoder. Pure functions over bytes,
// shared by the server and the request fuzzer (fuzz/core/http_request_fuzzer.cc).
//
// The server decides how a request is framed; a proxy behind it (the
// gateway) never passes the client's framing on (bodies are re-sent with a
// Content-Length). Anything that two HTTP implementations could frame
// differently is refused rather than normalised (RFC 9112 section 6.3,
// 11.2): Content-Length together with Transfer-Encoding, more than one
// Content-Length, a Content-Length that is not plain digits, a
// Transfer-Encoding other than exactly "chunked", obsolete line folding,
// bare LF line ends, whitespace before a header's colon, control bytes in a
// header, malformed chunk sizes. Every refusal is an HttpError (error.h)
// carrying the status to answer with; the connection is then closed.
//
// Thread-safety: the functions are pure; a ChunkedDecoder is one request's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/error.h"

namespace rampart::http {

struct RequestLimits {
  std::size_t max_header_bytes = 16 * 1024;  // request line + header fields + blank line
  std::size_t max_headers = 100;
  std::size_t max_target_bytes = 8 * 1024;
  std::uint64_t max_body_bytes = 1 << 20;   // after de-chunking
  std::size_t max_chunk_line_bytes = 1024;  // a chunk-size line with its extensions
};

struct HeaderField {
  std::string_view name;   // as sent
  std::string_view value;  // without surrounding whitespace
};

enum class BodyFraming { kNone, kContentLength, kChunked };

// Views into the bytes given to ParseRequestHead; valid while they are.
struct RequestHead {
  std::string_view method;
  std::string_view target;  // origin-form: starts with '/'
  int version_minor = 1;    // HTTP/1.0 or HTTP/1.1
  std::vector<HeaderField> headers;
  BodyFraming framing = BodyFraming::kNone;
  std::uint64_t content_length = 0;  // with kContentLength
  bool keep_alive = true;
  bool expect_continue = false;

  // The first field named `name` (case-insensitive), or empty.
  std::string_view Find(std::string_view name) const;
  bool Has(std::string_view name) const;
};

// Checks a request target (origin-form, no control bytes, '#' or non-ASCII,
// within max_target_bytes): the refusal, or nullopt. HTTP/2's :path too.
std::optional<HttpError> ValidateTarget(std::string_view target, const RequestLimits& limits);

// Length of the head at the start of `buf` including its terminating blank
// line, or 0 when the blank line has not arrived yet.
std::size_t FindHeadEnd(std::string_view buf);

// Parses and validates a complete head (FindHeadEnd's prefix).
HttpResult<RequestHead> ParseRequestHead(std::string_view head, const RequestLimits& limits);
// The same into `*out` (reusing its storage); the refusal, or nullopt.
std::optional<HttpError> ParseRequestHeadInto(std::string_view head, const RequestLimits& limits,
                                              RequestHead* out);

// Hop-by-hop fields (RFC 9110 section 7.6.1) the gateway never forwards, in
// either direction, besides those a Connection field names.
bool IsHopByHopField(std::string_view name);

// Decodes a chunked request body incrementally (RFC 9112 section 7.1).
// Trailer fields are validated and dropped.
class ChunkedDecoder {
 public:
  explicit ChunkedDecoder(const RequestLimits& limits) : limits_(limits) {}

  // Consumes a prefix of `in`, appending body bytes to `*out`; returns how
  // many bytes of `in` were consumed (all of them unless done() became true,
  // in which case the rest belongs to the next request).
  HttpResult<std::size_t> Feed(std::string_view in, std::string* out);
  bool done() const { return state_ == State::kDone; }

 private:
  enum class State { kSize, kSizeLf, kData, kDataCr, kDataLf, kTrailer, kTrailerLf, kDone };
  HttpResult<std::size_t> ParseSizeLine();
  HttpError Malformed(std::string message) const;

  RequestLimits limits_;
  State state_ = State::kSize;
  std::string line_;  // the current chunk-size or trailer line
  std::uint64_t remaining_ = 0;
  std::uint64_t total_ = 0;
  std::size_t trailer_bytes_ = 0;
  bool last_chunk_ = false;
};

}  // namespace rampart::http
