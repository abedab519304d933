// Strict HTTP/1.1 request parsing for every Rampart server (core/http/server.h):
// the request head and the chunked body decoder. Pure functions over bytes,
// shared by the server and the request fuzzer (fuzz/core/http_request_fuzzer.cc).
// Also the response side for a proxy reading its HTTP/1.1 upstreams (the
// gateway): the response head and its body framing, with the same
// strictness (fuzz/core/http_response_fuzzer.cc).
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
#include <span>
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

// ---- responses: a proxy reading an HTTP/1.1 upstream -------------------------------------
//
// A proxy must frame an upstream's response exactly as the upstream meant,
// or a response could be cut short or run into the next one on a reused
// connection (response splitting). So, as for requests, whatever two
// implementations could frame differently is refused, never guessed at:
// Content-Length together with Transfer-Encoding, more than one
// Content-Length or Transfer-Encoding, a Content-Length that is not plain
// digits, a transfer-coding other than exactly "chunked", Transfer-Encoding
// in an HTTP/1.0 response, obsolete line folding, bare LF line ends,
// whitespace before a colon, control bytes. Every refusal is a 502
// "bad_upstream_response".

struct ResponseLimits {
  std::size_t max_header_bytes = 64 * 1024;  // status line + header fields + blank line
  std::size_t max_headers = 256;
  std::size_t max_chunk_line_bytes = 1024;  // a chunk-size line with its extensions
};

// How a response body is delimited (RFC 9112 section 6.3).
enum class ResponseFraming {
  kNone,           // HEAD's response, 1xx, 204, 304, or Content-Length: 0
  kContentLength,  // content_length bytes
  kChunked,        // chunked transfer-coding (ChunkedDecoder)
  kUntilClose,     // neither field: the body ends when the upstream closes
};

// Views into the bytes given to ParseResponseHead; valid while they are.
struct ResponseHead {
  int version_minor = 1;  // HTTP/1.0 or HTTP/1.1
  int status = 0;         // 100-599
  std::string_view reason;
  std::vector<HeaderField> headers;
  ResponseFraming framing = ResponseFraming::kNone;
  // The declared Content-Length, whatever the framing (a HEAD or 304
  // response declares the length of the body it does not carry).
  std::optional<std::uint64_t> content_length;
  // The connection may carry another exchange once this body was read:
  // per version and Connection field; never after a close-delimited body.
  bool keep_alive = true;

  // The first field named `name` (case-insensitive), or empty.
  std::string_view Find(std::string_view name) const;
};

// Where a response head ends in the bytes received so far: its length
// (with the blank line) once complete, 0 while more bytes are needed, or the
// refusal as soon as the bytes cannot begin a valid head: they do not start
// with "HTTP/", hold a bare LF, or pass limits.max_header_bytes without the
// blank line. `scanned`: how many leading bytes of `buf` an earlier call on
// the same bytes already looked at (0 the first time); each byte is looked
// at once however the head is split across reads.
HttpResult<std::size_t> FindResponseHeadEnd(std::string_view buf, std::size_t scanned,
                                            const ResponseLimits& limits);

// Parses and validates a complete response head (FindResponseHeadEnd's
// prefix) and decides its body's framing. `head_request`: the request was
// HEAD, so the response carries no body whatever its fields declare.
HttpResult<ResponseHead> ParseResponseHead(std::string_view head, bool head_request,
                                           const ResponseLimits& limits);
// The same into `*out` (reusing its storage); the refusal, or nullopt.
std::optional<HttpError> ParseResponseHeadInto(std::string_view head, bool head_request,
                                               const ResponseLimits& limits, ResponseHead* out);

// Decodes a chunked body incrementally (RFC 9112 section 7.1): a request's
// or an upstream response's. Trailer fields are validated and dropped.
class ChunkedDecoder {
 public:
  explicit ChunkedDecoder(const RequestLimits& limits) : limits_(limits) {}
  // A response body: no size limit (it is streamed); chunk lines and
  // trailers within `limits`.
  explicit ChunkedDecoder(const ResponseLimits& limits);

  // Consumes a prefix of `in`, appending body bytes to `*out`; returns how
  // many bytes of `in` were consumed (all of them unless done() became true,
  // in which case the rest belongs to the next request).
  HttpResult<std::size_t> Feed(std::string_view in, std::string* out);
  // The same without a copy: the body bytes `in` holds are moved to its
  // start, *produced says how many (never more than were consumed; on a
  // refusal, those decoded before the malformed bytes).
  HttpResult<std::size_t> FeedInPlace(std::span<char> in, std::size_t* produced);
  bool done() const { return state_ == State::kDone; }

 private:
  enum class State { kSize, kSizeLf, kData, kDataCr, kDataLf, kTrailer, kTrailerLf, kDone };
  // Consumes framing bytes of `in` up to and including one run of body
  // bytes (*data, a view into `in`; empty when none came) or to the end.
  HttpResult<std::size_t> Step(std::string_view in, std::string_view* data);
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
