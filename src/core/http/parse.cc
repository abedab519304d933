#include "core/http/parse.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>

#include "core/ascii.h"

namespace rampart::http {
namespace {

// RFC 9110 tchar.
constexpr std::array<bool, 256> MakeTchar() {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kTchar = MakeTchar();

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return kTchar[static_cast<unsigned char>(c)]; });
}

// field-value characters: VCHAR, obs-text, SP, HTAB.
bool IsFieldValueChar(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

HttpError Bad(std::string code, std::string message) {
  return MakeHttpError(400, std::move(code), std::move(message));
}

HttpError BadResponse(std::string message) {
  return MakeHttpError(502, "bad_upstream_response", std::move(message));
}

// What is wrong with a head's header fields.
struct FieldFault {
  std::string_view code;  // the request's refusal code
  std::string_view message;
  bool too_many = false;  // more than the limit of fields
};

// The fields that frame a message, as ParseFields found them.
struct FramingFields {
  std::size_t content_length_fields = 0;
  std::size_t transfer_encoding_fields = 0;
  std::string_view content_length, transfer_encoding;
  bool conn_close = false, conn_keep_alive = false;
};

// Parses the header fields from `pos` (just after the start line) to the
// blank line that ends `head` (which ends with CRLF CRLF) into *fields, and
// gathers the framing fields: the same rules for requests and responses.
// True when every byte of `v` is a field-value character. Eight bytes at a
// time: a word none of whose bytes is below 0x20 or equal to 0x7f needs no
// closer look (a tab, the one control character allowed, is looked at
// byte by byte).
bool AllFieldValueChars(std::string_view v) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  std::size_t i = 0;
  for (; i + 8 <= v.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, v.data() + i, 8);
    // A byte < 0x20 (exact for bytes without the high bit; a byte with it
    // set is not below 0x20, and its false alarm only costs the slow path).
    std::uint64_t below = (w - kOnes * 0x20) & ~w & kHigh;
    std::uint64_t x = w ^ (kOnes * 0x7f);  // a zero byte where w has 0x7f
    std::uint64_t del = (x - kOnes) & ~x & kHigh;
    if ((below | del) != 0) {
      for (std::size_t k = i; k < i + 8; ++k) {
        if (!IsFieldValueChar(static_cast<unsigned char>(v[k]))) return false;
      }
    }
  }
  for (; i < v.size(); ++i) {
    if (!IsFieldValueChar(static_cast<unsigned char>(v[i]))) return false;
  }
  return true;
}

// The end of the line that starts at `pos`: the first "\r\n" at or after it.
std::size_t FindCrlf(std::string_view head, std::size_t pos) {
  while (pos < head.size()) {
    const void* cr = std::memchr(head.data() + pos, '\r', head.size() - pos);
    if (cr == nullptr) return std::string_view::npos;
    std::size_t at = static_cast<const char*>(cr) - head.data();
    if (at + 1 < head.size() && head[at + 1] == '\n') return at;
    pos = at + 1;
  }
  return std::string_view::npos;
}

std::optional<FieldFault> ParseFields(std::string_view head, std::size_t pos,
                                      std::size_t max_headers, std::vector<HeaderField>* fields,
                                      FramingFields* framing) {
  while (pos < head.size()) {
    std::size_t end = FindCrlf(head, pos);
    std::string_view field = head.substr(pos, end - pos);
    pos = end + 2;
    if (field.empty()) break;  // the blank line
    if (field.front() == ' ' || field.front() == '\t') {
      return FieldFault{"obs_fold", "obsolete line folding is not accepted"};
    }
    if (fields->size() >= max_headers) return FieldFault{"too_many_headers", "", true};
    // The name: token characters up to the colon.
    std::size_t colon = 0;
    while (colon < field.size() && kTchar[static_cast<unsigned char>(field[colon])]) ++colon;
    if (colon == field.size() || field[colon] != ':' || colon == 0) {
      if (field.find(':') == std::string_view::npos) {
        return FieldFault{"bad_header", "header field without a colon"};
      }
      // Covers "Name : value" (whitespace before the colon, RFC 9112 5.1).
      return FieldFault{"bad_header", "malformed header field name"};
    }
    std::string_view name = field.substr(0, colon);
    std::string_view raw_value = field.substr(colon + 1);
    if (!AllFieldValueChars(raw_value)) {
      return FieldFault{"bad_header", "control character in header field value"};
    }
    std::string_view value = TrimOws(raw_value);
    fields->push_back({name, value});
    switch (name.size()) {
      case 14:
        if (EqualsIgnoreCase(name, "content-length")) {
          ++framing->content_length_fields;
          framing->content_length = value;
        }
        break;
      case 17:
        if (EqualsIgnoreCase(name, "transfer-encoding")) {
          ++framing->transfer_encoding_fields;
          framing->transfer_encoding = value;
        }
        break;
      case 10:
        if (EqualsIgnoreCase(name, "connection")) {
          ForEachListItem(value, [&](std::string_view t) {
            if (EqualsIgnoreCase(t, "close")) framing->conn_close = true;
            if (EqualsIgnoreCase(t, "keep-alive")) framing->conn_keep_alive = true;
          });
        }
        break;
      default:
        break;
    }
  }
  if (pos != head.size()) return FieldFault{"bad_request", "bytes after the header"};
  return std::nullopt;
}

// The smuggling checks on the framing fields (RFC 9112 sections 6.1, 6.3),
// the same for requests and responses: what is wrong, or nullopt with
// *chunked, or *length when one Content-Length was given.
std::optional<std::string_view> CheckFraming(const FramingFields& f, int version_minor,
                                             bool* chunked, std::optional<std::uint64_t>* length) {
  *chunked = false;
  length->reset();
  if (f.content_length_fields > 0 && f.transfer_encoding_fields > 0) {
    return "Content-Length and Transfer-Encoding together are not accepted";
  }
  if (f.content_length_fields > 1) return "more than one Content-Length field";
  if (f.transfer_encoding_fields > 1) return "more than one Transfer-Encoding field";
  if (f.transfer_encoding_fields == 1) {
    if (version_minor == 0) return "Transfer-Encoding in an HTTP/1.0 message";
    if (!EqualsIgnoreCase(f.transfer_encoding, "chunked")) {
      return "the only accepted Transfer-Encoding is 'chunked'";
    }
    *chunked = true;
  } else if (f.content_length_fields == 1) {
    std::string_view cl = f.content_length;
    if (cl.empty() || cl.size() > 19 ||
        !std::all_of(cl.begin(), cl.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return "Content-Length must be a decimal number";
    }
    std::uint64_t n = 0;
    for (char c : cl) n = n * 10 + static_cast<std::uint64_t>(c - '0');
    *length = n;
  }
  return std::nullopt;
}

bool KeepAlive(int version_minor, const FramingFields& f) {
  return version_minor == 1 ? !f.conn_close : (f.conn_keep_alive && !f.conn_close);
}

std::string_view FindField(const std::vector<HeaderField>& fields, std::string_view name) {
  for (const HeaderField& f : fields) {
    if (EqualsIgnoreCase(f.name, name)) return f.value;
  }
  return {};
}

}  // namespace

bool IsHopByHopField(std::string_view name) {
  static constexpr std::string_view kHop[] = {
      "connection",        "keep-alive",        "proxy-connection", "te",
      "trailer",           "transfer-encoding", "upgrade",          "proxy-authorization",
      "proxy-authenticate"};
  static constexpr std::uint64_t kLengths = LengthMask(kHop);
  return EqualsAnyIgnoreCase(name, kHop, kLengths);
}

std::string_view RequestHead::Find(std::string_view name) const { return FindField(headers, name); }

bool RequestHead::Has(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const HeaderField& f) { return EqualsIgnoreCase(f.name, name); });
}

std::optional<HttpError> ValidateTarget(std::string_view target, const RequestLimits& limits) {
  if (target.size() > limits.max_target_bytes) {
    return MakeHttpError(414, "uri_too_long", "request target is too long");
  }
  if (target.empty() || target.front() != '/') {
    return Bad("bad_request", "request target must be a path (origin-form)");
  }
  for (char c : target) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || u >= 0x80 || c == '#') {
      return Bad("bad_request", "invalid character in request target");
    }
  }
  return std::nullopt;
}

std::size_t FindHeadEnd(std::string_view buf) {
  std::size_t p = buf.find("\r\n\r\n");
  return p == std::string_view::npos ? 0 : p + 4;
}

HttpResult<RequestHead> ParseRequestHead(std::string_view head, const RequestLimits& limits) {
  RequestHead out;
  if (auto err = ParseRequestHeadInto(head, limits, &out)) return std::unexpected(std::move(*err));
  return out;
}

std::optional<HttpError> ParseRequestHeadInto(std::string_view head, const RequestLimits& limits,
                                              RequestHead* result) {
  RequestHead& out = *result;
  out.headers.clear();
  out.framing = BodyFraming::kNone;
  out.content_length = 0;
  out.keep_alive = true;
  out.expect_continue = false;
  if (head.size() > limits.max_header_bytes) {
    return (MakeHttpError(
        431, "header_too_large",
        "request header is larger than " + std::to_string(limits.max_header_bytes) + " bytes"));
  }
  if (!head.ends_with("\r\n\r\n")) return (Bad("bad_request", "incomplete header"));
  // Request line: method SP request-target SP HTTP-version CRLF, nothing else.
  std::size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  std::size_t sp1 = line.find(' ');
  std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return (Bad("bad_request", "malformed request line"));
  }
  out.method = line.substr(0, sp1);
  out.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(out.method)) return (Bad("bad_request", "malformed method"));
  if (auto e = ValidateTarget(out.target, limits)) return e;
  if (version == "HTTP/1.1") {
    out.version_minor = 1;
  } else if (version == "HTTP/1.0") {
    out.version_minor = 0;
  } else {
    return (MakeHttpError(505, "http_version", "only HTTP/1.0 and HTTP/1.1 are served"));
  }

  // Header fields.
  FramingFields ff;
  if (auto fault = ParseFields(head, eol + 2, limits.max_headers, &out.headers, &ff)) {
    if (fault->too_many) {
      return (MakeHttpError(431, "too_many_headers",
                            "more than " + std::to_string(limits.max_headers) + " header fields"));
    }
    return Bad(std::string(fault->code), std::string(fault->message));
  }
  std::size_t host_fields = 0;
  for (const HeaderField& f : out.headers) {
    if (EqualsIgnoreCase(f.name, "host")) {
      ++host_fields;
    } else if (EqualsIgnoreCase(f.name, "expect")) {
      if (!EqualsIgnoreCase(f.value, "100-continue")) {
        return (
            MakeHttpError(417, "expectation_failed", "only 'Expect: 100-continue' is supported"));
      }
      out.expect_continue = true;
    }
  }

  if (out.version_minor == 1 && host_fields != 1) {
    return (Bad("bad_host", "an HTTP/1.1 request needs exactly one Host field"));
  }
  if (host_fields > 1) return (Bad("bad_host", "more than one Host field"));

  // Framing: the request-smuggling checks.
  bool chunked = false;
  std::optional<std::uint64_t> length;
  if (auto why = CheckFraming(ff, out.version_minor, &chunked, &length)) {
    return Bad("smuggling", std::string(*why));
  }
  if (chunked) {
    out.framing = BodyFraming::kChunked;
  } else if (length) {
    if (*length > limits.max_body_bytes) {
      return (MakeHttpError(
          413, "body_too_large",
          "request body is larger than " + std::to_string(limits.max_body_bytes) + " bytes"));
    }
    out.content_length = *length;
    out.framing = *length == 0 ? BodyFraming::kNone : BodyFraming::kContentLength;
  }
  out.keep_alive = KeepAlive(out.version_minor, ff);
  if (out.framing == BodyFraming::kNone) out.expect_continue = false;
  return std::nullopt;
}

std::string_view ResponseHead::Find(std::string_view name) const {
  return FindField(headers, name);
}

HttpResult<std::size_t> FindResponseHeadEnd(std::string_view buf, std::size_t scanned,
                                            const ResponseLimits& limits) {
  constexpr std::string_view kHttp = "HTTP/";
  std::size_t n = std::min(buf.size(), kHttp.size());
  if (buf.substr(0, n) != kHttp.substr(0, n)) {
    return std::unexpected(BadResponse("the response does not start with an HTTP version"));
  }
  // Every LF must end a CRLF; CRLF CRLF ends the head.
  for (std::size_t i = std::min(scanned, buf.size()); i < buf.size();) {
    const void* hit = std::memchr(buf.data() + i, '\n', buf.size() - i);
    if (hit == nullptr) break;
    std::size_t lf = static_cast<std::size_t>(static_cast<const char*>(hit) - buf.data());
    if (lf == 0 || buf[lf - 1] != '\r') {
      return std::unexpected(BadResponse("bare LF in the response head"));
    }
    if (lf >= 3 && buf[lf - 2] == '\n' && buf[lf - 3] == '\r') {
      if (lf + 1 > limits.max_header_bytes) break;
      return lf + 1;
    }
    i = lf + 1;
  }
  if (buf.size() >= limits.max_header_bytes) {
    return std::unexpected(BadResponse("the response head is larger than " +
                                       std::to_string(limits.max_header_bytes) + " bytes"));
  }
  return 0;
}

HttpResult<ResponseHead> ParseResponseHead(std::string_view head, bool head_request,
                                           const ResponseLimits& limits) {
  ResponseHead out;
  if (auto err = ParseResponseHeadInto(head, head_request, limits, &out)) {
    return std::unexpected(std::move(*err));
  }
  return out;
}

std::optional<HttpError> ParseResponseHeadInto(std::string_view head, bool head_request,
                                               const ResponseLimits& limits, ResponseHead* result) {
  ResponseHead& out = *result;
  out.headers.clear();
  out.status = 0;
  out.reason = {};
  out.framing = ResponseFraming::kNone;
  out.content_length.reset();
  out.keep_alive = true;
  if (head.size() > limits.max_header_bytes) {
    return BadResponse("the response head is larger than " +
                       std::to_string(limits.max_header_bytes) + " bytes");
  }
  if (!head.ends_with("\r\n\r\n")) return BadResponse("incomplete response head");
  // status-line = HTTP-version SP 3DIGIT SP [ reason-phrase ] CRLF
  std::size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  if (line.starts_with("HTTP/1.1 ")) {
    out.version_minor = 1;
  } else if (line.starts_with("HTTP/1.0 ")) {
    out.version_minor = 0;
  } else {
    return BadResponse("the response is not HTTP/1.0 or HTTP/1.1");
  }
  std::string_view code = line.substr(9, 3);
  if (code.size() != 3 || line.size() < 13 || line[12] != ' ' ||
      !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return BadResponse("malformed status line");
  }
  out.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  if (out.status < 100 || out.status > 599) return BadResponse("status code out of range");
  out.reason = line.substr(13);
  for (char c : out.reason) {
    if (!IsFieldValueChar(static_cast<unsigned char>(c))) {
      return BadResponse("control character in the reason phrase");
    }
  }

  FramingFields ff;
  if (auto fault = ParseFields(head, eol + 2, limits.max_headers, &out.headers, &ff)) {
    if (fault->too_many) {
      return BadResponse("more than " + std::to_string(limits.max_headers) +
                         " header fields in the response");
    }
    return BadResponse(std::string(fault->message));
  }
  bool chunked = false;
  if (auto why = CheckFraming(ff, out.version_minor, &chunked, &out.content_length)) {
    return BadResponse(std::string(*why));
  }
  out.keep_alive = KeepAlive(out.version_minor, ff);
  // RFC 9112 section 6.3, in its order.
  if (head_request || out.status / 100 == 1 || out.status == 204 || out.status == 304) {
    out.framing = ResponseFraming::kNone;
  } else if (chunked) {
    out.framing = ResponseFraming::kChunked;
  } else if (out.content_length) {
    out.framing =
        *out.content_length == 0 ? ResponseFraming::kNone : ResponseFraming::kContentLength;
  } else {
    out.framing = ResponseFraming::kUntilClose;
    out.keep_alive = false;
  }
  return std::nullopt;
}

ChunkedDecoder::ChunkedDecoder(const ResponseLimits& limits) {
  limits_.max_body_bytes = std::numeric_limits<std::uint64_t>::max();
  limits_.max_chunk_line_bytes = limits.max_chunk_line_bytes;
  limits_.max_header_bytes = limits.max_header_bytes;  // trailers
}

HttpError ChunkedDecoder::Malformed(std::string message) const {
  return Bad("bad_chunk", std::move(message));
}

HttpResult<std::size_t> ChunkedDecoder::ParseSizeLine() {
  // chunk-size [ chunk-ext ]: 1*HEXDIG, then optionally ;name[=value] pairs.
  std::string_view l = line_;
  std::size_t i = 0;
  std::uint64_t size = 0;
  while (i < l.size() && HexDigitValue(l[i]) >= 0) {
    if (i >= 15) return std::unexpected(Malformed("chunk size is too large"));
    size = size * 16 + static_cast<std::uint64_t>(HexDigitValue(l[i]));
    ++i;
  }
  if (i == 0) return std::unexpected(Malformed("malformed chunk size"));
  std::string_view ext = l.substr(i);
  // Only BWS ";" extensions, each a token with an optional token or quoted value.
  while (!ext.empty()) {
    while (!ext.empty() && (ext.front() == ' ' || ext.front() == '\t')) ext.remove_prefix(1);
    if (ext.empty()) break;
    if (ext.front() != ';') return std::unexpected(Malformed("malformed chunk size"));
    ext.remove_prefix(1);
    for (char c : ext) {
      if (!IsFieldValueChar(static_cast<unsigned char>(c))) {
        return std::unexpected(Malformed("control character in a chunk extension"));
      }
    }
    break;  // extensions are ignored once known to be printable
  }
  return static_cast<std::size_t>(size);
}

HttpResult<std::size_t> ChunkedDecoder::Feed(std::string_view in, std::string* out) {
  std::size_t i = 0;
  while (i < in.size() && !done()) {
    std::string_view data;
    auto used = Step(in.substr(i), &data);
    if (!used) return used;
    out->append(data);
    i += *used;
  }
  return i;
}

HttpResult<std::size_t> ChunkedDecoder::FeedInPlace(std::span<char> in, std::size_t* produced) {
  *produced = 0;
  std::size_t i = 0;
  while (i < in.size() && !done()) {
    std::string_view data;
    auto used = Step(std::string_view(in.data() + i, in.size() - i), &data);
    if (!used) return used;
    if (!data.empty()) {
      // Framing bytes only ever go: the run moves towards the start.
      std::memmove(in.data() + *produced, data.data(), data.size());
      *produced += data.size();
    }
    i += *used;
  }
  return i;
}

HttpResult<std::size_t> ChunkedDecoder::Step(std::string_view in, std::string_view* data) {
  *data = {};
  std::size_t i = 0;
  while (i < in.size() && state_ != State::kDone) {
    char c = in[i];
    switch (state_) {
      case State::kSize:
        if (c == '\r') {
          state_ = State::kSizeLf;
        } else if (c == '\n') {
          return std::unexpected(Malformed("chunk size line must end with CRLF"));
        } else {
          if (line_.size() >= limits_.max_chunk_line_bytes) {
            return std::unexpected(Malformed("chunk size line is too long"));
          }
          line_.push_back(c);
        }
        ++i;
        break;
      case State::kSizeLf: {
        if (c != '\n') return std::unexpected(Malformed("chunk size line must end with CRLF"));
        ++i;
        auto size = ParseSizeLine();
        if (!size) return std::unexpected(size.error());
        line_.clear();
        if (*size > limits_.max_body_bytes || total_ + *size > limits_.max_body_bytes) {
          return std::unexpected(MakeHttpError(
              413, "body_too_large",
              "request body is larger than " + std::to_string(limits_.max_body_bytes) + " bytes"));
        }
        if (*size == 0) {
          last_chunk_ = true;
          state_ = State::kTrailer;
        } else {
          remaining_ = *size;
          state_ = State::kData;
        }
        break;
      }
      case State::kData: {
        std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size() - i));
        *data = in.substr(i, n);
        i += n;
        remaining_ -= n;
        total_ += n;
        if (remaining_ == 0) state_ = State::kDataCr;
        return i;
      }
      case State::kDataCr:
        if (c != '\r') return std::unexpected(Malformed("chunk data must end with CRLF"));
        state_ = State::kDataLf;
        ++i;
        break;
      case State::kDataLf:
        if (c != '\n') return std::unexpected(Malformed("chunk data must end with CRLF"));
        state_ = State::kSize;
        ++i;
        break;
      case State::kTrailer:
        // A trailer line, or the empty line that ends the body.
        if (c == '\r') {
          state_ = State::kTrailerLf;
        } else if (c == '\n') {
          return std::unexpected(Malformed("trailer line must end with CRLF"));
        } else {
          if (line_.empty() && (c == ' ' || c == '\t')) {
            return std::unexpected(Malformed("obsolete line folding in a trailer"));
          }
          if (++trailer_bytes_ > limits_.max_header_bytes) {
            return std::unexpected(
                MakeHttpError(431, "header_too_large", "trailer fields are too large"));
          }
          line_.push_back(c);
        }
        ++i;
        break;
      case State::kTrailerLf: {
        if (c != '\n') return std::unexpected(Malformed("trailer line must end with CRLF"));
        ++i;
        if (line_.empty()) {
          state_ = State::kDone;
          break;
        }
        std::size_t colon = line_.find(':');
        if (colon == std::string::npos || !IsToken(std::string_view(line_).substr(0, colon))) {
          return std::unexpected(Malformed("malformed trailer field"));
        }
        for (char v : std::string_view(line_).substr(colon + 1)) {
          if (!IsFieldValueChar(static_cast<unsigned char>(v))) {
            return std::unexpected(Malformed("control character in a trailer field"));
          }
        }
        line_.clear();
        state_ = State::kTrailer;
        break;
      }
      case State::kDone:
        break;
    }
  }
  return i;
}

}  // namespace rampart::http
