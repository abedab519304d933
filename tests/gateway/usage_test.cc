#include "gateway/usage.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>

namespace rampart::gateway {
namespace {

const std::string kStream =
    ": keep-alive comment\n"
    "event: message\n"
    "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"Hel\"}}],\"usage\":null}\n"
    "\n"
    "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"lo \\\"usage\\\": {}\"}}]}\n"
    "\n"
    "data: {\"id\":\"c1\",\"choices\":[],\n"
    "data: \"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19}}\n"
    "\n"
    "data: [DONE]\n"
    "\n";

const std::string kPlain =
    "{\"id\":\"c2\",\"object\":\"chat.completion\",\"choices\":[{\"message\":"
    "{\"role\":\"assistant\",\"content\":\"hi\"}}],"
    "\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":2,\"total_tokens\":42}}";

std::string Crlf(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

void ExpectUsage(const std::optional<Usage>& u, std::uint64_t p, std::uint64_t c, std::uint64_t t,
                 const std::string& where) {
  ASSERT_TRUE(u.has_value()) << where;
  EXPECT_EQ(u->prompt_tokens, p) << where;
  EXPECT_EQ(u->completion_tokens, c) << where;
  EXPECT_EQ(u->total_tokens, t) << where;
}

TEST(UsageScannerTest, StreamSplitAtEveryByte) {
  for (const std::string& body : {kStream, Crlf(kStream)}) {
    for (std::size_t cut = 0; cut <= body.size(); ++cut) {
      UsageScanner s(true);
      s.Feed(std::string_view(body).substr(0, cut));
      s.Feed(std::string_view(body).substr(cut));
      ExpectUsage(s.Finish(), 12, 7, 19, "cut at " + std::to_string(cut));
    }
  }
}

TEST(UsageScannerTest, StreamOneByteAtATime) {
  for (const std::string& body : {kStream, Crlf(kStream)}) {
    UsageScanner s(true);
    for (char c : body) s.Feed(std::string_view(&c, 1));
    ExpectUsage(s.Finish(), 12, 7, 19, "bytewise");
  }
}

TEST(UsageScannerTest, StreamWithBareCarriageReturns) {
  std::string body;
  for (char c : kStream) body += c == '\n' ? '\r' : c;
  for (std::size_t cut = 0; cut <= body.size(); cut += 7) {
    UsageScanner s(true);
    s.Feed(std::string_view(body).substr(0, cut));
    s.Feed(std::string_view(body).substr(cut));
    ExpectUsage(s.Finish(), 12, 7, 19, "cut at " + std::to_string(cut));
  }
}

TEST(UsageScannerTest, StreamWithoutUsage) {
  UsageScanner s(true);
  s.Feed(
      "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}],\"usage\":null}\n\ndata: [DONE]\n\n");
  EXPECT_FALSE(s.Finish().has_value());
}

TEST(UsageScannerTest, StreamEndingWithoutBlankLineStillCounts) {
  UsageScanner s(true);
  s.Feed("data: {\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}");
  ExpectUsage(s.Finish(), 1, 2, 3, "unterminated");
}

TEST(UsageScannerTest, LastUsageWins) {
  UsageScanner s(true);
  s.Feed("data: {\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}\n\n");
  s.Feed("data:{\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":6,\"total_tokens\":11}}\n\n");
  ExpectUsage(s.Finish(), 5, 6, 11, "last");
}

TEST(UsageScannerTest, OversizedEventIsSkippedAndLaterUsageFound) {
  UsageScanner s(true, 256);
  s.Feed(
      "data: {\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":9,\"total_tokens\":18},"
      "\"pad\":\"");
  s.Feed(std::string(10000, 'x'));
  s.Feed("\"}\n\n");
  s.Feed("data: {\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}\n\n");
  EXPECT_TRUE(s.overflowed());
  ExpectUsage(s.Finish(), 3, 4, 7, "after overflow");
}

TEST(UsageScannerTest, OversizedMultiLineEventIsSkipped) {
  UsageScanner s(true, 128);
  s.Feed("data: {\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":9,\"total_tokens\":18},\n");
  for (int i = 0; i < 10; ++i) s.Feed("data: \"" + std::string(30, 'y') + "\":1,\n");
  s.Feed("data: \"z\":2}\n\n");
  EXPECT_FALSE(s.Finish().has_value());
  EXPECT_TRUE(s.overflowed());
}

TEST(UsageScannerTest, PlainJsonSplitAtEveryByte) {
  for (std::size_t cut = 0; cut <= kPlain.size(); ++cut) {
    UsageScanner s(false);
    s.Feed(std::string_view(kPlain).substr(0, cut));
    s.Feed(std::string_view(kPlain).substr(cut));
    ExpectUsage(s.Finish(), 40, 2, 42, "cut at " + std::to_string(cut));
  }
}

TEST(UsageScannerTest, PlainJsonLargerThanTheBufferKeepsTheTail) {
  std::string body = "{\"data\":[\"" + std::string(100000, 'a') +
                     "\"],\"note\":\"\\\"usage\\\": {\\\"prompt_tokens\\\": 1}\","
                     "\"usage\" : {\"prompt_tokens\":8,\"total_tokens\":8}}";
  UsageScanner s(false, 4096);
  for (std::size_t i = 0; i < body.size(); i += 1000) {
    s.Feed(std::string_view(body).substr(i, 1000));
  }
  EXPECT_TRUE(s.overflowed());
  ExpectUsage(s.Finish(), 8, 0, 8, "tail");  // embeddings: no completion tokens
}

TEST(UsageScannerTest, PlainJsonWithoutUsageOrBroken) {
  for (std::string body :
       {"{\"choices\":[]}", "not json", "", "{\"usage\":7}", "{\"usage\":{\"prompt_tokens\":-1}}",
        "[1,2]", "{\"x\":{\"usage\":{\"prompt_tokens\":1}}}"}) {
    UsageScanner s(false);
    s.Feed(body);
    EXPECT_FALSE(s.Finish().has_value()) << body;
  }
}

// A whole body is read in one pass without building the document; what it
// finds is what a parsed object says: the top-level member only, the last
// of a repeated member, escapes decoded, counts that are whole numbers >= 0.
TEST(UsageScannerTest, PlainJsonReadAsAParsedObjectWould) {
  struct Case {
    std::string body;
    std::optional<Usage> want;
  };
  const std::vector<Case> cases = {
      {R"({"usage":{"prompt_tokens":1,"total_tokens":3},"usage":{"prompt_tokens":4}})",
       Usage{4, 0, 4}},
      {R"({"usage":{"prompt_tokens":1,"total_tokens":3},"usage":null})", std::nullopt},
      {R"({"usage":[1],"usage":{"completion_tokens":2}})", Usage{0, 2, 2}},
      {R"({"usage":{"prompt_tokens":5,"prompt_tokens":"x","total_tokens":9}})", Usage{0, 9, 9}},
      {R"({"usage":{"prompt_tokens":{"total_tokens":1},"completion_tokens":[2]}})", std::nullopt},
      {R"({"us\u0061ge":{"prompt_tokens":2.0,"completion_tokens":1e1}})", Usage{2, 10, 12}},
      {R"({"usage":{"prompt_tokens":2.5,"completion_tokens":3}})", Usage{0, 3, 3}},
      {R"({"usage":{"prompt_tokens":18446744073709551615,"completion_tokens":1}})",
       Usage{18446744073709551615ull, 1, 18446744073709551615ull}},
      {R"({"choices":[{"usage":{"prompt_tokens":1}}],"note":"\"usage\":{\"prompt_tokens\":2}"})",
       std::nullopt},
      {R"({"usage":{"extra":{"usage":{"prompt_tokens":7}},"total_tokens":8}} )", Usage{0, 8, 8}},
      {R"({"usage":{"prompt_tokens":1}} {"usage":{"prompt_tokens":2}})", Usage{2, 0, 2}},
  };
  for (const auto& c : cases) {
    UsageScanner s(false);
    s.Feed(c.body);
    auto got = s.Finish();
    if (!c.want) {
      EXPECT_FALSE(got.has_value()) << c.body;
    } else {
      ExpectUsage(got, c.want->prompt_tokens, c.want->completion_tokens, c.want->total_tokens,
                  c.body);
    }
  }
}

TEST(UsageScannerTest, TruncatedPlainJsonStillYieldsUsage) {
  std::string body = kPlain.substr(0, kPlain.size() - 1);  // missing the final '}'
  UsageScanner s(false);
  s.Feed(body);
  ExpectUsage(s.Finish(), 40, 2, 42, "truncated");
}

// Scanners reuse the buffers of earlier ones on the same thread: what an
// earlier response left (unfinished, or a stream's half line) is never seen.
TEST(UsageScannerTest, ABufferReusedFromAnEarlierScannerStartsEmpty) {
  {
    UsageScanner unfinished(false);
    unfinished.Feed("{\"usage\":{\"prompt_tokens\":999,\"total_tokens\":999}}");
  }
  {
    UsageScanner next(false);  // gets the buffer `unfinished` left
    next.Feed("{\"choices\":[]}");
    EXPECT_FALSE(next.Finish().has_value());
  }
  {
    UsageScanner half_line(true);
    half_line.Feed("data: {\"usage\":{\"prompt_tokens\":7,");
  }
  {
    UsageScanner next(true);  // gets the buffer holding that half line
    next.Feed("\"total_tokens\":3}}\n\ndata: [DONE]\n\n");
    EXPECT_FALSE(next.Finish().has_value());
  }
  UsageScanner plain(false);
  plain.Feed(kPlain);
  ExpectUsage(plain.Finish(), 40, 2, 42, "plain after reuse");
}

TEST(UsageScannerTest, TotalDerivedWhenAbsent) {
  UsageScanner s(false);
  s.Feed("{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5}}");
  ExpectUsage(s.Finish(), 10, 5, 15, "derived");
}

boost::json::object Obj(std::string_view text) { return boost::json::parse(text).as_object(); }

TEST(EstimateTokensTest, ChatMessages) {
  // 12 + 8 bytes of text = 5 tokens, 3 priming + 2 * 4 per message, 50 to complete.
  auto req = Obj(R"({"model":"m","max_tokens":50,"messages":[
      {"role":"system","content":"hello world!"},
      {"role":"user","content":[{"type":"text","text":"12345678"}]}]})");
  EXPECT_EQ(EstimateTokens(req), 5u + 3 + 8 + 50);
}

TEST(EstimateTokensTest, CompletionBudget) {
  auto base = R"("messages":[{"role":"user","content":"abcd"}])";  // 1 + 3 + 4 = 8
  EXPECT_EQ(EstimateTokens(Obj(std::string("{") + base + "}")), 8u + 256);
  EXPECT_EQ(EstimateTokens(Obj(std::string("{") + base + "}"), 100), 8u + 100);
  EXPECT_EQ(EstimateTokens(
                Obj(std::string("{") + base + R"(,"max_tokens":10,"max_completion_tokens":20})")),
            8u + 20);
  EXPECT_EQ(EstimateTokens(Obj(std::string("{") + base + R"(,"max_tokens":10,"n":3})")), 8u + 30);
  EXPECT_EQ(EstimateTokens(Obj(std::string("{") + base + R"(,"max_tokens":-5})")), 8u + 256);
}

TEST(EstimateTokensTest, CompletionsAndEmbeddings) {
  EXPECT_EQ(EstimateTokens(Obj(R"({"prompt":"abcdefgh","max_tokens":16})")), 2u + 16);
  EXPECT_EQ(EstimateTokens(Obj(R"({"prompt":["abcd","abcde"],"max_tokens":0})")), 3u);
  EXPECT_EQ(EstimateTokens(Obj(R"({"prompt":[1,2,3],"max_tokens":1})")), 4u);
  EXPECT_EQ(EstimateTokens(Obj(R"({"input":"abcdefgh"})")), 2u);
  EXPECT_EQ(EstimateTokens(Obj(R"({"input":[[1,2,3],[4,5]]})")), 5u);
}

TEST(EstimateTokensTest, ToolsCountTowardsThePrompt) {
  auto without = EstimateTokens(Obj(R"({"messages":[],"max_tokens":0})"));
  auto with = EstimateTokens(Obj(
      R"({"messages":[],"max_tokens":0,"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]})"));
  EXPECT_GT(with, without + 10);
}

TEST(EstimateTokensTest, HugeValuesSaturate) {
  auto req = Obj(R"({"prompt":"x","max_tokens":18446744073709551615,"n":100})");
  EXPECT_EQ(EstimateTokens(req), std::numeric_limits<std::uint64_t>::max());
}

}  // namespace
}  // namespace rampart::gateway
