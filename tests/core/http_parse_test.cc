// The strict request parser (core/http/parse.h): every request-smuggling
// shape RFC 9112 leaves ambiguous is refused with the right status and code,
// well-formed requests parse to the framing the gateway forwards, and the
// chunked decoder refuses malformed sizes and framing however the bytes are
// split across reads. The response parser the gateway reads its upstreams
// with: the same refusals (as 502s), and the body framing of RFC 9112
// section 6.3 for every kind of response.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/ascii.h"
#include "core/http/parse.h"

namespace rampart::http {
namespace {

RequestLimits Limits() { return RequestLimits{}; }

HttpResult<RequestHead> Parse(const std::string& head, const RequestLimits& l = Limits()) {
  return ParseRequestHead(head, l);
}

// The code and status a head is refused with, "" / 0 when it parses.
struct Refusal {
  int status = 0;
  std::string code;
};
Refusal RefusalOf(const std::string& head, const RequestLimits& l = Limits()) {
  auto r = Parse(head, l);
  if (r) return {};
  return {r.error().http_status, r.error().code};
}

const std::string kPost = "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\n";

TEST(HttpParseTest, ParsesAWellFormedRequest) {
  std::string head = kPost +
                     "Content-Type: application/json\r\n"
                     "Content-Length:  42 \r\n"
                     "X-Empty:\r\n\r\n";
  auto r = Parse(head);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->target, "/v1/chat/completions");
  EXPECT_EQ(r->version_minor, 1);
  EXPECT_EQ(r->framing, BodyFraming::kContentLength);
  EXPECT_EQ(r->content_length, 42u);
  EXPECT_TRUE(r->keep_alive);
  EXPECT_FALSE(r->expect_continue);
  EXPECT_EQ(r->Find("content-type"), "application/json");  // case-insensitive
  EXPECT_EQ(r->Find("CONTENT-LENGTH"), "42");              // value trimmed
  EXPECT_TRUE(r->Has("x-empty"));
  EXPECT_EQ(r->Find("x-empty"), "");
  EXPECT_FALSE(r->Has("authorization"));
  ASSERT_EQ(r->headers.size(), 4u);
  EXPECT_EQ(r->headers[0].name, "Host");
}

TEST(HttpParseTest, FramingAndConnectionSemantics) {
  auto chunked = Parse(kPost + "Transfer-Encoding: Chunked\r\n\r\n");
  ASSERT_TRUE(chunked.has_value());
  EXPECT_EQ(chunked->framing, BodyFraming::kChunked);

  auto zero = Parse(kPost + "Content-Length: 0\r\nExpect: 100-continue\r\n\r\n");
  ASSERT_TRUE(zero.has_value());
  EXPECT_EQ(zero->framing, BodyFraming::kNone);
  EXPECT_FALSE(zero->expect_continue);  // nothing to continue with

  auto expect = Parse(kPost + "Content-Length: 5\r\nExpect: 100-Continue\r\n\r\n");
  ASSERT_TRUE(expect.has_value());
  EXPECT_TRUE(expect->expect_continue);

  auto get = Parse("GET /v1/models HTTP/1.1\r\nHost: gw\r\nConnection: keep-alive, Close\r\n\r\n");
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->framing, BodyFraming::kNone);
  EXPECT_FALSE(get->keep_alive);

  // HTTP/1.0: no Host needed, close unless keep-alive is asked for.
  auto v10 = Parse("GET /v1/models HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(v10.has_value());
  EXPECT_EQ(v10->version_minor, 0);
  EXPECT_FALSE(v10->keep_alive);
  auto v10ka = Parse("GET /v1/models HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  ASSERT_TRUE(v10ka.has_value());
  EXPECT_TRUE(v10ka->keep_alive);
}

TEST(HttpParseTest, RefusesEverySmugglingShape) {
  struct Case {
    const char* name;
    std::string head;
    int status;
    const char* code;
  };
  const std::string te = "Transfer-Encoding: chunked\r\n";
  const std::vector<Case> cases = {
      {"CL then TE", kPost + "Content-Length: 5\r\n" + te + "\r\n", 400, "smuggling"},
      {"TE then CL", kPost + te + "Content-Length: 5\r\n\r\n", 400, "smuggling"},
      {"CL 0 with TE", kPost + "Content-Length: 0\r\n" + te + "\r\n", 400, "smuggling"},
      {"duplicate equal CL", kPost + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n", 400,
       "smuggling"},
      {"differing CL", kPost + "Content-Length: 5\r\ncontent-length: 6\r\n\r\n", 400, "smuggling"},
      {"CL list", kPost + "Content-Length: 5, 5\r\n\r\n", 400, "smuggling"},
      {"CL plus sign", kPost + "Content-Length: +5\r\n\r\n", 400, "smuggling"},
      {"CL minus sign", kPost + "Content-Length: -1\r\n\r\n", 400, "smuggling"},
      {"CL hex", kPost + "Content-Length: 0x5\r\n\r\n", 400, "smuggling"},
      {"CL inner space", kPost + "Content-Length: 1 2\r\n\r\n", 400, "smuggling"},
      {"CL empty", kPost + "Content-Length:\r\n\r\n", 400, "smuggling"},
      {"CL 20 digits", kPost + "Content-Length: 18446744073709551616\r\n\r\n", 400, "smuggling"},
      {"CL decimal point", kPost + "Content-Length: 5.0\r\n\r\n", 400, "smuggling"},
      {"TE twice", kPost + te + te + "\r\n", 400, "smuggling"},
      {"TE gzip, chunked", kPost + "Transfer-Encoding: gzip, chunked\r\n\r\n", 400, "smuggling"},
      {"TE chunked, chunked", kPost + "Transfer-Encoding: chunked, chunked\r\n\r\n", 400,
       "smuggling"},
      {"TE identity", kPost + "Transfer-Encoding: identity\r\n\r\n", 400, "smuggling"},
      {"TE chunked;q", kPost + "Transfer-Encoding: chunked;q=1\r\n\r\n", 400, "smuggling"},
      {"TE xchunked", kPost + "Transfer-Encoding: xchunked\r\n\r\n", 400, "smuggling"},
      {"TE vertical tab",
       kPost + "Transfer-Encoding: \x0b"
               "chunked\r\n\r\n",
       400, "bad_header"},
      {"TE in HTTP/1.0", "POST /v1/chat/completions HTTP/1.0\r\n" + te + "\r\n", 400, "smuggling"},
      {"obs-fold SP", kPost + "X-A: a\r\n b\r\n\r\n", 400, "obs_fold"},
      {"obs-fold HTAB", kPost + "X-A: a\r\n\tb\r\n\r\n", 400, "obs_fold"},
      {"obs-fold of TE", kPost + "Transfer-Encoding:\r\n chunked\r\n\r\n", 400, "obs_fold"},
      {"first field folded", "POST / HTTP/1.1\r\n Host: gw\r\n\r\n", 400, "obs_fold"},
      {"space before colon", kPost + "Content-Length : 5\r\n\r\n", 400, "bad_header"},
      {"tab before colon", kPost + "Transfer-Encoding\t: chunked\r\n\r\n", 400, "bad_header"},
      {"no colon", kPost + "Garbage\r\n\r\n", 400, "bad_header"},
      {"empty field name", kPost + ": value\r\n\r\n", 400, "bad_header"},
      {"NUL in value", kPost + std::string("X-A: a\0b\r\n\r\n", 12), 400, "bad_header"},
      {"bare CR in value", kPost + "X-A: a\rb\r\n\r\n", 400, "bad_header"},
      {"DEL in value", kPost + "X-A: a\x7f\r\n\r\n", 400, "bad_header"},
      {"bare LF in field", kPost + "X-A: a\nX-B: b\r\n\r\n", 400, "bad_header"},
      {"bare LF request line", "GET / HTTP/1.1\nHost: gw\r\n\r\n", 400, "bad_request"},
      {"no Host", "GET / HTTP/1.1\r\n\r\n", 400, "bad_host"},
      {"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", 400, "bad_host"},
      {"two Hosts 1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400, "bad_host"},
      {"absolute-form", "GET http://evil/v1/models HTTP/1.1\r\nHost: gw\r\n\r\n", 400,
       "bad_request"},
      {"asterisk-form", "OPTIONS * HTTP/1.1\r\nHost: gw\r\n\r\n", 400, "bad_request"},
      {"authority-form", "CONNECT evil:443 HTTP/1.1\r\nHost: gw\r\n\r\n", 400, "bad_request"},
      {"fragment", "GET /v1/models#x HTTP/1.1\r\nHost: gw\r\n\r\n", 400, "bad_request"},
      {"non-ASCII target", "GET /v1/\xc3\xa9 HTTP/1.1\r\nHost: gw\r\n\r\n", 400, "bad_request"},
      {"tab in target", "GET /v1\t/models HTTP/1.1\r\nHost: gw\r\n\r\n", 400, "bad_request"},
      {"double space", "GET  /v1/models HTTP/1.1\r\nHost: gw\r\n\r\n", 400, "bad_request"},
      {"extra token", "GET /v1/models HTTP/1.1 x\r\nHost: gw\r\n\r\n", 400, "bad_request"},
      {"no version", "GET /v1/models\r\nHost: gw\r\n\r\n", 400, "bad_request"},
      {"bad method", "G(T /v1/models HTTP/1.1\r\nHost: gw\r\n\r\n", 400, "bad_request"},
      {"empty method", " /v1/models HTTP/1.1\r\nHost: gw\r\n\r\n", 400, "bad_request"},
      {"HTTP/2.0", "GET / HTTP/2.0\r\nHost: gw\r\n\r\n", 505, "http_version"},
      {"HTTP/0.9", "GET / HTTP/0.9\r\nHost: gw\r\n\r\n", 505, "http_version"},
      {"lower-case version", "GET / http/1.1\r\nHost: gw\r\n\r\n", 505, "http_version"},
      {"Expect other", kPost + "Content-Length: 5\r\nExpect: 200-ok\r\n\r\n", 417,
       "expectation_failed"},
      {"incomplete head", kPost + "Content-Length: 5\r\n", 400, "bad_request"},
  };
  for (const Case& c : cases) {
    Refusal r = RefusalOf(c.head);
    EXPECT_EQ(r.status, c.status) << c.name;
    EXPECT_EQ(r.code, c.code) << c.name;
  }
}

// Field values are checked eight bytes at a time; every forbidden byte is
// found wherever it sits in a long value, and the bytes a value may carry
// (HTAB, SP, VCHAR, obs-text) pass there too.
TEST(HttpParseTest, FieldValueBytesAreCheckedAtEveryPosition) {
  const std::string base(27, 'v');
  for (std::size_t at = 0; at < base.size(); ++at) {
    for (unsigned char bad : {0x00, 0x01, 0x08, 0x0b, 0x1f, 0x7f}) {
      std::string value = base;
      value[at] = static_cast<char>(bad);
      Refusal r = RefusalOf(kPost + "X-Long: " + value + "\r\n\r\n");
      EXPECT_EQ(r.code, "bad_header") << "byte " << int(bad) << " at " << at;
    }
    for (unsigned char good : {0x09, 0x20, 0x21, 0x7e, 0x80, 0x9f, 0xa0, 0xff}) {
      std::string value = base;
      value[at] = static_cast<char>(good);
      auto h = Parse(kPost + "X-Long: " + value + "\r\n\r\n");
      ASSERT_TRUE(h) << "byte " << int(good) << " at " << at;
    }
  }
}

TEST(HttpParseTest, EnforcesSizeLimits) {
  RequestLimits l;
  l.max_header_bytes = 256;
  l.max_headers = 3;
  l.max_target_bytes = 32;
  l.max_body_bytes = 1000;
  // The head limit counts every byte through the blank line.
  std::string fits = "GET / HTTP/1.1\r\nHost: gw\r\nX-Pad: ";
  fits += std::string(256 - fits.size() - 4, 'a') + "\r\n\r\n";
  ASSERT_EQ(fits.size(), 256u);
  EXPECT_TRUE(Parse(fits, l).has_value());
  std::string over = "GET / HTTP/1.1\r\nHost: gw\r\nX-Pad: ";
  over += std::string(256 - over.size() - 3, 'a') + "\r\n\r\n";
  Refusal big = RefusalOf(over, l);
  EXPECT_EQ(big.status, 431);
  EXPECT_EQ(big.code, "header_too_large");

  Refusal many = RefusalOf("GET / HTTP/1.1\r\nHost: gw\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", l);
  EXPECT_EQ(many.status, 431);
  EXPECT_EQ(many.code, "too_many_headers");
  EXPECT_TRUE(Parse("GET / HTTP/1.1\r\nHost: gw\r\nA: 1\r\nB: 2\r\n\r\n", l).has_value());

  Refusal uri = RefusalOf("GET /" + std::string(32, 'a') + " HTTP/1.1\r\nHost: gw\r\n\r\n", l);
  EXPECT_EQ(uri.status, 414);
  EXPECT_EQ(uri.code, "uri_too_long");

  Refusal body = RefusalOf(kPost + "Content-Length: 1001\r\n\r\n", l);
  EXPECT_EQ(body.status, 413);
  EXPECT_EQ(body.code, "body_too_large");
  auto exact = Parse(kPost + "Content-Length: 1000\r\n\r\n", l);
  ASSERT_TRUE(exact.has_value());
  EXPECT_EQ(exact->content_length, 1000u);
  // The largest 19-digit Content-Length is a number, just too large.
  EXPECT_EQ(RefusalOf(kPost + "Content-Length: 9999999999999999999\r\n\r\n", l).status, 413);
}

TEST(HttpParseTest, FindHeadEndNeedsTheBlankLine) {
  EXPECT_EQ(FindHeadEnd(""), 0u);
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\nHost: gw\r\n"), 0u);
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\n\n"), 0u);  // bare LFs never end a head
  std::string two = "GET / HTTP/1.1\r\nHost: gw\r\n\r\nGET /x HTTP/1.1\r\n\r\n";
  EXPECT_EQ(FindHeadEnd(two), 28u);
}

TEST(HttpParseTest, HopByHopFields) {
  for (const char* h :
       {"Connection", "keep-alive", "Proxy-Connection", "TE", "Trailer", "transfer-encoding",
        "Upgrade", "Proxy-Authorization", "proxy-authenticate"}) {
    EXPECT_TRUE(IsHopByHopField(h)) << h;
  }
  for (const char* h : {"Content-Length", "Authorization", "Host", "Content-Type", "X-TE"}) {
    EXPECT_FALSE(IsHopByHopField(h)) << h;
  }
  EXPECT_TRUE(EqualsIgnoreCase("Content-LENGTH", "content-length"));
  EXPECT_FALSE(EqualsIgnoreCase("content-length", "content-lengtx"));
  EXPECT_FALSE(EqualsIgnoreCase("a", "ab"));
  // Eight bytes at a time: every byte value against every other at each
  // position of names of 1 to 20 bytes (word edges, the overlapping last
  // word) gives what a byte-by-byte comparison gives.
  for (std::size_t len = 1; len <= 20; ++len) {
    std::string a(len, 'k'), b(len, 'k');
    for (std::size_t at : {std::size_t{0}, len / 2, len - 1}) {
      for (int x = 0; x < 256; ++x) {
        for (int y = 0; y < 256; ++y) {
          a[at] = static_cast<char>(x);
          b[at] = static_cast<char>(y);
          bool want = AsciiLower(a[at]) == AsciiLower(b[at]);
          ASSERT_EQ(EqualsIgnoreCase(a, b), want) << len << " " << at << " " << x << " " << y;
        }
      }
      a[at] = b[at] = 'k';
    }
  }
  static_assert(EqualsIgnoreCase("Content-LENGTH", "content-length"));
  static_assert(!EqualsIgnoreCase("Content-LENGTH", "content-lengtx"));
  // The length filter in front of the comparisons: same answers as a plain
  // loop, including for names of the same length as a listed one, and for
  // names of 64 characters and more, which the filter does not record.
  static constexpr std::string_view kNames[] = {"te", "upgrade", std::string_view(), ""};
  const std::string long_name(70, 'x');
  static constexpr std::string_view kWithLong[] = {"x"};
  EXPECT_TRUE(EqualsAnyIgnoreCase("TE", kNames, LengthMask(kNames)));
  EXPECT_TRUE(EqualsAnyIgnoreCase("UpGrade", kNames, LengthMask(kNames)));
  EXPECT_TRUE(EqualsAnyIgnoreCase("", kNames, LengthMask(kNames)));
  EXPECT_FALSE(EqualsAnyIgnoreCase("tf", kNames, LengthMask(kNames)));
  EXPECT_FALSE(EqualsAnyIgnoreCase("upgradf", kNames, LengthMask(kNames)));
  EXPECT_FALSE(EqualsAnyIgnoreCase("trailer", kNames, LengthMask(kNames)));
  EXPECT_FALSE(EqualsAnyIgnoreCase(long_name, kWithLong, LengthMask(kWithLong)));
  EXPECT_EQ(LengthMask(kNames), (std::uint64_t{1} << 2) | (std::uint64_t{1} << 7) | 1u);
}

// ---- chunked bodies ------------------------------------------------------------------------

struct Decoded {
  bool ok = false;
  bool done = false;
  std::string body;
  std::size_t consumed = 0;
  int status = 0;
  std::string code;
};

// Feeds `in` in pieces of `step` bytes (0 = all at once), through Feed or
// (in_place) FeedInPlace on a copy of each piece.
Decoded Decode(std::string_view in, std::size_t step = 0, const RequestLimits& l = Limits(),
               bool in_place = false) {
  ChunkedDecoder d(l);
  Decoded out;
  std::size_t pos = 0;
  while (pos < in.size() && !d.done()) {
    std::size_t n = step == 0 ? in.size() - pos : std::min(step, in.size() - pos);
    HttpResult<std::size_t> r;
    if (in_place) {
      std::string piece(in.substr(pos, n));
      std::size_t produced = 0;
      r = d.FeedInPlace(piece, &produced);
      if (r && produced > *r) return out;  // never more than consumed: fails the test
      out.body += piece.substr(0, produced);
    } else {
      r = d.Feed(in.substr(pos, n), &out.body);
    }
    if (!r) {
      out.status = r.error().http_status;
      out.code = r.error().code;
      return out;
    }
    pos += *r;
    if (*r < n) break;  // done mid-piece
  }
  out.ok = true;
  out.done = d.done();
  out.consumed = pos;
  return out;
}

TEST(ChunkedDecoderTest, DecodesWellFormedBodiesSplitAnywhere) {
  const std::string body =
      "5\r\nhello\r\n"
      "6;name=value;q=\"a b\"\r\n world\r\n"
      "A  \r\n0123456789\r\n"
      "0\r\n"
      "X-Trailer: yes\r\n"
      "\r\n";
  for (bool in_place : {false, true}) {
    for (std::size_t step : {0, 1, 2, 3, 7}) {
      Decoded d = Decode(body + "NEXT", step, Limits(), in_place);
      ASSERT_TRUE(d.ok) << step << ": " << d.code;
      EXPECT_TRUE(d.done) << step;
      EXPECT_EQ(d.body, "hello world0123456789") << step << " in place " << in_place;
      EXPECT_EQ(d.consumed, body.size()) << step;  // the next request's bytes are left alone
    }
  }
  Decoded empty = Decode("0\r\n\r\n");
  EXPECT_TRUE(empty.done);
  EXPECT_EQ(empty.body, "");
  Decoded upper = Decode("00000000000000F\r\n" + std::string(15, 'x') + "\r\n0\r\n\r\n");
  EXPECT_TRUE(upper.done);
  EXPECT_EQ(upper.body.size(), 15u);
}

TEST(ChunkedDecoderTest, NotDoneUntilTheFinalBlankLine) {
  Decoded partial = Decode("5\r\nhello\r\n0\r\n");
  EXPECT_TRUE(partial.ok);
  EXPECT_FALSE(partial.done);
  Decoded trailer = Decode("0\r\nX-A: b\r\n");
  EXPECT_TRUE(trailer.ok);
  EXPECT_FALSE(trailer.done);
}

TEST(ChunkedDecoderTest, RefusesMalformedChunks) {
  struct Case {
    const char* name;
    std::string in;
    int status;
    const char* code;
  };
  const std::vector<Case> cases = {
      {"non-hex size", "zz\r\nhello\r\n0\r\n\r\n", 400, "bad_chunk"},
      {"empty size", "\r\nhello\r\n0\r\n\r\n", 400, "bad_chunk"},
      {"0x prefix", "0x5\r\nhello\r\n0\r\n\r\n", 400, "bad_chunk"},
      {"negative size", "-5\r\nhello\r\n0\r\n\r\n", 400, "bad_chunk"},
      {"leading space", " 5\r\nhello\r\n0\r\n\r\n", 400, "bad_chunk"},
      {"space inside size", "5 5\r\nhello\r\n0\r\n\r\n", 400, "bad_chunk"},
      {"16 hex digits", "0000000000000005\r\nhello\r\n0\r\n\r\n", 400, "bad_chunk"},
      {"64-bit overflow", "10000000000000005\r\nhello\r\n0\r\n\r\n", 400, "bad_chunk"},
      {"size bare LF", "5\nhello\r\n0\r\n\r\n", 400, "bad_chunk"},
      {"size CR without LF", "5\rhello\r\n0\r\n\r\n", 400, "bad_chunk"},
      {"data longer than size", "5\r\nhelloX\r\n0\r\n\r\n", 400, "bad_chunk"},
      {"data bare LF", "5\r\nhello\n0\r\n\r\n", 400, "bad_chunk"},
      {"data CR then junk", "5\r\nhello\rX0\r\n\r\n", 400, "bad_chunk"},
      {"control in extension", "5;a=\x01\r\nhello\r\n0\r\n\r\n", 400, "bad_chunk"},
      {"junk after size", "5x\r\nhello\r\n0\r\n\r\n", 400, "bad_chunk"},
      {"trailer without colon", "0\r\nbad trailer\r\n\r\n", 400, "bad_chunk"},
      {"trailer bad name", "0\r\nBad Name: x\r\n\r\n", 400, "bad_chunk"},
      {"trailer control byte", "0\r\nX-A: \x01\r\n\r\n", 400, "bad_chunk"},
      {"trailer obs-fold", "0\r\nX-A: a\r\n b\r\n\r\n", 400, "bad_chunk"},
      {"trailer bare LF", "0\r\nX-A: a\n\r\n", 400, "bad_chunk"},
      {"final line bare LF", "0\r\n\n", 400, "bad_chunk"},
  };
  for (const Case& c : cases) {
    for (bool in_place : {false, true}) {
      for (std::size_t step : {0, 1}) {
        Decoded d = Decode(c.in, step, Limits(), in_place);
        EXPECT_FALSE(d.ok) << c.name << " step " << step << " in place " << in_place;
        EXPECT_EQ(d.status, c.status) << c.name << " step " << step;
        EXPECT_EQ(d.code, c.code) << c.name << " step " << step;
      }
    }
  }
}

TEST(ChunkedDecoderTest, EnforcesBodyLineAndTrailerLimits) {
  RequestLimits l;
  l.max_body_bytes = 10;
  l.max_chunk_line_bytes = 16;
  l.max_header_bytes = 32;
  Decoded fits = Decode("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", 0, l);
  EXPECT_TRUE(fits.done);
  // The total over several chunks counts, and a single declared size too
  // (refused before any of its data arrives).
  Decoded total = Decode("5\r\nhello\r\n6\r\nworld!\r\n0\r\n\r\n", 0, l);
  EXPECT_EQ(total.status, 413);
  EXPECT_EQ(total.code, "body_too_large");
  Decoded declared = Decode("FFFFFFFF\r\n", 0, l);
  EXPECT_EQ(declared.status, 413);
  Decoded line = Decode("5;" + std::string(20, 'e') + "\r\nhello\r\n0\r\n\r\n", 0, l);
  EXPECT_EQ(line.status, 400);
  EXPECT_EQ(line.code, "bad_chunk");
  Decoded trailers = Decode("0\r\nX-A: " + std::string(40, 'a') + "\r\n\r\n", 0, l);
  EXPECT_EQ(trailers.status, 431);
  EXPECT_EQ(trailers.code, "header_too_large");
}

// ---- responses (the gateway's upstreams) ---------------------------------------------------

HttpResult<ResponseHead> ParseResponse(const std::string& head, bool head_request = false,
                                       const ResponseLimits& l = ResponseLimits{}) {
  return ParseResponseHead(head, head_request, l);
}

TEST(HttpResponseParseTest, ParsesAWellFormedResponse) {
  std::string head =
      "HTTP/1.1 200 OK\r\n"
      "Content-Type: application/json\r\n"
      "Content-Length:  42 \r\n"
      "Set-Cookie: a=1\r\n"
      "set-cookie: b=2\r\n"
      "X-Empty:\r\n\r\n";
  auto r = ParseResponse(head);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->version_minor, 1);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->reason, "OK");
  EXPECT_EQ(r->framing, ResponseFraming::kContentLength);
  ASSERT_TRUE(r->content_length.has_value());
  EXPECT_EQ(*r->content_length, 42u);
  EXPECT_TRUE(r->keep_alive);
  EXPECT_EQ(r->Find("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(r->Find("content-length"), "42");
  EXPECT_EQ(r->Find("set-cookie"), "a=1");  // the first; both are kept
  ASSERT_EQ(r->headers.size(), 5u);
  EXPECT_EQ(r->headers[3].name, "set-cookie");
  EXPECT_EQ(r->headers[3].value, "b=2");
  EXPECT_EQ(r->Find("x-absent"), "");

  // An empty reason phrase, and one with spaces, tabs and obs-text.
  const std::string no_reason = "HTTP/1.1 204 \r\n\r\n";
  auto empty = ParseResponse(no_reason);
  ASSERT_TRUE(empty.has_value()) << empty.error().message;
  EXPECT_EQ(empty->reason, "");
  const std::string odd_reason = "HTTP/1.0 404 Not\tFound \xc3\xa9\r\nContent-Length: 0\r\n\r\n";
  auto spaced = ParseResponse(odd_reason);
  ASSERT_TRUE(spaced.has_value()) << spaced.error().message;
  EXPECT_EQ(spaced->reason, "Not\tFound \xc3\xa9");
  EXPECT_EQ(spaced->version_minor, 0);
  EXPECT_EQ(spaced->status, 404);
}

// RFC 9112 section 6.3 as a proxy applies it, row by row.
TEST(HttpResponseParseTest, FramingTable) {
  struct Row {
    const char* name;
    std::string head;
    bool head_request;
    ResponseFraming framing;
    bool keep_alive;
  };
  const auto N = ResponseFraming::kNone;
  const auto CL = ResponseFraming::kContentLength;
  const auto CH = ResponseFraming::kChunked;
  const auto UC = ResponseFraming::kUntilClose;
  const std::vector<Row> rows = {
      {"HEAD with a length", "HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n", true, N, true},
      {"HEAD chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", true, N, true},
      {"HEAD, no length", "HTTP/1.1 200 OK\r\n\r\n", true, N, true},
      {"100", "HTTP/1.1 100 Continue\r\n\r\n", false, N, true},
      {"103 with fields", "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", false, N, true},
      {"101", "HTTP/1.1 101 Switching\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n", false, N,
       true},
      {"204", "HTTP/1.1 204 No Content\r\n\r\n", false, N, true},
      {"204 declaring chunked", "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n",
       false, N, true},
      {"304 with a length", "HTTP/1.1 304 Not Modified\r\nContent-Length: 42\r\n\r\n", false, N,
       true},
      {"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false, CH, true},
      {"chunked any case", "HTTP/1.1 200 OK\r\ntransfer-encoding:  CHUNKED \r\n\r\n", false, CH,
       true},
      {"length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", false, CL, true},
      {"length 0", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false, N, true},
      {"length with leading zeros", "HTTP/1.1 200 OK\r\nContent-Length: 007\r\n\r\n", false, CL,
       true},
      {"neither: until close", "HTTP/1.1 200 OK\r\n\r\n", false, UC, false},
      {"500, until close", "HTTP/1.1 500 Oops\r\nContent-Type: text/plain\r\n\r\n", false, UC,
       false},
      {"1.1 close", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n", false, CL,
       false},
      {"1.1 close in a list",
       "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive, Close\r\n\r\n", false, CL,
       false},
      {"1.0 without keep-alive", "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n", false, CL, false},
      {"1.0 keep-alive", "HTTP/1.0 200 OK\r\nContent-Length: 5\r\nConnection: Keep-Alive\r\n\r\n",
       false, CL, true},
      {"1.0 until close", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n", false, UC, false},
  };
  for (const Row& row : rows) {
    auto r = ParseResponse(row.head, row.head_request);
    ASSERT_TRUE(r.has_value()) << row.name << ": " << r.error().message;
    EXPECT_EQ(r->framing, row.framing) << row.name;
    EXPECT_EQ(r->keep_alive, row.keep_alive) << row.name;
  }
  // The declared length is kept where the body is not sent.
  auto head = ParseResponse("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n", true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->content_length, std::optional<std::uint64_t>(42));
  auto chunked = ParseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  ASSERT_TRUE(chunked.has_value());
  EXPECT_FALSE(chunked->content_length.has_value());
}

TEST(HttpResponseParseTest, RefusesEveryAmbiguousOrMalformedHead) {
  const std::string ok = "HTTP/1.1 200 OK\r\n";
  const std::string te = "Transfer-Encoding: chunked\r\n";
  const std::vector<std::pair<const char*, std::string>> cases = {
      // Framing a proxy must not guess at.
      {"CL then TE", ok + "Content-Length: 5\r\n" + te + "\r\n"},
      {"TE then CL", ok + te + "Content-Length: 5\r\n\r\n"},
      {"CL+TE in a 304", "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n" + te + "\r\n"},
      {"duplicate equal CL", ok + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n"},
      {"differing CL", ok + "Content-Length: 5\r\ncontent-length: 6\r\n\r\n"},
      {"CL list", ok + "Content-Length: 5, 5\r\n\r\n"},
      {"CL plus sign", ok + "Content-Length: +5\r\n\r\n"},
      {"CL minus sign", ok + "Content-Length: -1\r\n\r\n"},
      {"CL hex", ok + "Content-Length: 0x5\r\n\r\n"},
      {"CL empty", ok + "Content-Length:\r\n\r\n"},
      {"CL 20 digits", ok + "Content-Length: 18446744073709551616\r\n\r\n"},
      {"TE gzip", ok + "Transfer-Encoding: gzip\r\n\r\n"},
      {"TE gzip, chunked", ok + "Transfer-Encoding: gzip, chunked\r\n\r\n"},
      {"TE chunked, chunked", ok + "Transfer-Encoding: chunked, chunked\r\n\r\n"},
      {"TE identity", ok + "Transfer-Encoding: identity\r\n\r\n"},
      {"two TE fields", ok + te + te + "\r\n"},
      {"TE in HTTP/1.0", "HTTP/1.0 200 OK\r\n" + te + "\r\n"},
      // Field syntax, as for requests.
      {"obs-fold", ok + "X-A: a\r\n b\r\n\r\n"},
      {"obs-fold tab", ok + "X-A: a\r\n\tb\r\n\r\n"},
      {"space before colon", ok + "Content-Length : 5\r\n\r\n"},
      {"tab before colon", ok + "X-A\t: 5\r\n\r\n"},
      {"no colon", ok + "X-A\r\n\r\n"},
      {"empty name", ok + ": v\r\n\r\n"},
      {"control byte in value", ok + "X-A: a\x01z\r\n\r\n"},
      {"DEL in value", ok + std::string("X-A: a\x7fz\r\n\r\n")},
      {"NUL in value", ok + std::string("X-A: a\0z\r\n\r\n", 12)},
      {"CR in value", ok + "X-A: a\rb\r\n\r\n"},
      {"bare LF in a field", ok + "X-A: a\nX-B: b\r\n\r\n"},
      {"bare LF after the status line", "HTTP/1.1 200 OK\nX-A: a\r\n\r\n"},
      // The status line.
      {"HTTP/1.2", "HTTP/1.2 200 OK\r\n\r\n"},
      {"HTTP/2", "HTTP/2 200 OK\r\n\r\n"},
      {"HTTP/2.0", "HTTP/2.0 200 OK\r\n\r\n"},
      {"lower-case version", "http/1.1 200 OK\r\n\r\n"},
      {"leading space", " HTTP/1.1 200 OK\r\n\r\n"},
      {"leading blank line", "\r\nHTTP/1.1 200 OK\r\n\r\n"},
      {"two spaces", "HTTP/1.1  200 OK\r\n\r\n"},
      {"two-digit status", "HTTP/1.1 20 OK\r\n\r\n"},
      {"four-digit status", "HTTP/1.1 2000 OK\r\n\r\n"},
      {"status with letters", "HTTP/1.1 2x0 OK\r\n\r\n"},
      {"status 099", "HTTP/1.1 099 Low\r\n\r\n"},
      {"status 600", "HTTP/1.1 600 High\r\n\r\n"},
      {"no space after the status", "HTTP/1.1 200\r\n\r\n"},
      {"tab after the status", "HTTP/1.1 200\tOK\r\n\r\n"},
      {"control byte in the reason", "HTTP/1.1 200 O\x01K\r\n\r\n"},
      {"no status line", "\r\n\r\n"},
      {"not HTTP", "HELLO\x01\x02 this is not HTTP\r\n\r\n"},
      {"incomplete", ok + "X-A: a\r\n"},
      {"bytes after the head", ok + "\r\nX"},
  };
  for (const auto& [name, head] : cases) {
    for (bool head_request : {false, true}) {
      auto r = ParseResponse(head, head_request);
      ASSERT_FALSE(r.has_value()) << name;
      EXPECT_EQ(r.error().http_status, 502) << name;
      EXPECT_EQ(r.error().code, "bad_upstream_response") << name;
      EXPECT_FALSE(r.error().message.empty()) << name;
    }
  }
}

TEST(HttpResponseParseTest, EnforcesHeadLimits) {
  ResponseLimits l;
  l.max_headers = 3;
  l.max_header_bytes = 64;
  std::string three = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
  EXPECT_TRUE(ParseResponse(three, false, l).has_value());
  auto four = ParseResponse("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", false, l);
  ASSERT_FALSE(four.has_value());
  EXPECT_EQ(four.error().code, "bad_upstream_response");
  EXPECT_NE(four.error().message.find("more than 3 header fields"), std::string::npos);
  std::string exact = "HTTP/1.1 200 OK\r\nX: " + std::string(64 - 24, 'a') + "\r\n\r\n";
  ASSERT_EQ(exact.size(), 64u);
  EXPECT_TRUE(ParseResponse(exact, false, l).has_value());
  auto big = ParseResponse("HTTP/1.1 200 OK\r\nX: " + std::string(41, 'a') + "\r\n\r\n", false, l);
  ASSERT_FALSE(big.has_value());
  EXPECT_NE(big.error().message.find("larger than 64 bytes"), std::string::npos);
  // The default: 64 KiB of head, 256 fields.
  ResponseLimits d;
  EXPECT_EQ(d.max_header_bytes, 64u * 1024);
  EXPECT_EQ(d.max_headers, 256u);
}

// The gateway's loop: bytes arrive in pieces, FindResponseHeadEnd is asked
// after each with what it already scanned. The length, 0 (more needed), or
// the refusal ("" when none).
struct HeadScan {
  std::size_t end = 0;
  std::string refusal;
  std::size_t refused_at = 0;  // bytes received when refused
};
HeadScan ScanInPieces(std::string_view bytes, std::size_t step, const ResponseLimits& l) {
  HeadScan out;
  std::size_t scanned = 0;
  for (std::size_t got = std::min(step, bytes.size());; got = std::min(got + step, bytes.size())) {
    auto r = FindResponseHeadEnd(bytes.substr(0, got), scanned, l);
    if (!r) {
      out.refusal = r.error().message;
      out.refused_at = got;
      return out;
    }
    if (*r > 0 || got == bytes.size()) {
      out.end = *r;
      return out;
    }
    scanned = got;
  }
}

TEST(HttpResponseParseTest, FindsTheHeadEndAndRefusesEarly) {
  ResponseLimits l;
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
  for (std::size_t step : {1, 2, 5, 1000}) {
    HeadScan s = ScanInPieces(head + "hello", step, l);
    EXPECT_EQ(s.refusal, "") << step;
    EXPECT_EQ(s.end, head.size()) << step;
  }
  EXPECT_EQ(*FindResponseHeadEnd("", 0, l), 0u);
  EXPECT_EQ(*FindResponseHeadEnd("HT", 0, l), 0u);
  EXPECT_EQ(*FindResponseHeadEnd("HTTP/1.1 200 OK\r\n", 0, l), 0u);
  // Not HTTP: refused with its first bytes, without waiting for a blank line.
  HeadScan garbage = ScanInPieces("HELLO\x01\x02 this is not HTTP", 1, l);
  EXPECT_NE(garbage.refusal, "");
  EXPECT_EQ(garbage.refused_at, 2u);
  EXPECT_FALSE(FindResponseHeadEnd("\r\n", 0, l).has_value());
  // A bare LF: refused as soon as it arrives, in any piece.
  for (std::size_t step : {1, 3, 100}) {
    HeadScan bare = ScanInPieces("HTTP/1.1 200 OK\nX-A: b\n\n", step, l);
    EXPECT_NE(bare.refusal, "") << step;
    EXPECT_LT(bare.refused_at, 16 + step) << step;  // the LF is byte 16
  }
  EXPECT_FALSE(FindResponseHeadEnd("HTTP/1.1 200 OK\r\n\n", 0, l).has_value());
  // Over the limit without the blank line: refused at the limit, not later.
  ResponseLimits small;
  small.max_header_bytes = 32;
  HeadScan endless = ScanInPieces("HTTP/1.1 200 OK\r\nX: " + std::string(100, 'a'), 4, small);
  EXPECT_NE(endless.refusal.find("larger than 32 bytes"), std::string::npos) << endless.refusal;
  EXPECT_EQ(endless.refused_at, 32u);
  std::string exact = "HTTP/1.1 200 OK\r\nX: " + std::string(32 - 24, 'a') + "\r\n\r\n";
  ASSERT_EQ(exact.size(), 32u);
  EXPECT_EQ(*FindResponseHeadEnd(exact + "body", 0, small), 32u);
  EXPECT_FALSE(FindResponseHeadEnd(
                   "HTTP/1.1 200 OK\r\nX: " + std::string(32 - 23, 'a') + "\r\n\r\nbody", 0, small)
                   .has_value());
  // An interim response's end is found first; the next head follows it.
  std::string two = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n";
  EXPECT_EQ(*FindResponseHeadEnd(two, 0, l), 25u);
}

TEST(ChunkedDecoderTest, ResponseBodiesHaveNoSizeLimitButBoundedLines) {
  ResponseLimits l;
  l.max_chunk_line_bytes = 16;
  l.max_header_bytes = 32;
  // 2 MiB in one chunk: over a request's default limit, fine for a response.
  std::string big = "200000\r\n" + std::string(2 * 1024 * 1024, 'x') + "\r\n0\r\n\r\n";
  ChunkedDecoder d(l);
  std::size_t produced = 0;
  auto used = d.FeedInPlace(big, &produced);
  ASSERT_TRUE(used.has_value()) << used.error().message;
  EXPECT_TRUE(d.done());
  EXPECT_EQ(*used, big.size());
  EXPECT_EQ(produced, 2u * 1024 * 1024);
  EXPECT_EQ(big.compare(0, produced, std::string(produced, 'x')), 0);  // moved to the start
  ChunkedDecoder line(l);
  std::string long_ext = "5;" + std::string(20, 'e') + "\r\nhello\r\n0\r\n\r\n";
  EXPECT_FALSE(line.FeedInPlace(long_ext, &produced).has_value());
  ChunkedDecoder trailers(l);
  std::string long_trailer = "0\r\nX-A: " + std::string(40, 'a') + "\r\n\r\n";
  EXPECT_FALSE(trailers.FeedInPlace(long_trailer, &produced).has_value());
  // A refusal still says what was decoded before the malformed bytes.
  ChunkedDecoder broken(l);
  std::string cut = "5\r\nhello\r\nZZ\r\nmore\r\n";
  produced = 0;
  EXPECT_FALSE(broken.FeedInPlace(cut, &produced).has_value());
  EXPECT_EQ(produced, 5u);
  EXPECT_EQ(cut.substr(0, 5), "hello");
  // What follows the body is left for the caller (a proxy then closes).
  ChunkedDecoder rest(l);
  std::string extra = "2\r\nok\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n";
  auto r = rest.FeedInPlace(extra, &produced);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 12u);
  EXPECT_EQ(produced, 2u);
  EXPECT_EQ(extra.substr(0, 2), "ok");
}

}  // namespace
}  // namespace rampart::http
