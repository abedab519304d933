// The response filters: SSE streams redacted across events, blocked streams
// ending with a valid terminal event, JSON bodies rewritten or replaced.
#include "guards/output_guard.h"

#include <gtest/gtest.h>

#include "core/json.h"

namespace rampart::guards {
namespace {

OutputPolicy Policy(Action pii, Action secrets, std::string canary = "") {
  OutputPolicy p;
  for (std::size_t k = 0; k < kDetectorCount; ++k) {
    p.actions[k] = IsSecret(static_cast<Detector>(k)) ? secrets : pii;
  }
  p.actions[static_cast<std::size_t>(Detector::kCanary)] = Action::kBlock;
  p.canary = std::move(canary);
  return p;
}

// An OpenAI chat stream that sends `tokens` one per event.
std::string Sse(const std::vector<std::string>& tokens) {
  std::string s;
  s += R"(data: {"id":"c1","choices":[{"index":0,"delta":{"role":"assistant"}}]})"
       "\n\n";
  for (const auto& t : tokens) {
    json::object delta{{"content", t}};
    json::object choice{{"index", 0}, {"delta", delta}};
    json::object ev{{"id", "c1"}, {"choices", json::array{choice}}};
    s += "data: " + ToJson(ev) + "\n\n";
  }
  s += R"(data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"
       "\n\ndata: [DONE]\n\n";
  return s;
}

struct FilterResult {
  std::string body;
  bool ended = false;  // the filter ended the response
  std::string reason;
};

// Runs `body` through a fresh filter in pieces of `piece` bytes.
FilterResult RunFilter(const OutputGuard& g, std::string_view ct, const std::string& body,
                       std::size_t piece) {
  auto f = g.NewFilter(200, ct);
  FilterResult r;
  if (!f) {
    r.body = body;
    return r;
  }
  for (std::size_t k = 0; k < body.size(); k += piece) {
    std::string out;
    bool go = f->Feed(std::string_view(body).substr(k, piece), &out);
    r.body += out;
    if (!go) {
      r.ended = true;
      r.reason = std::string(f->blocked_reason());
      return r;
    }
  }
  f->Finish(&r.body);
  return r;
}

// The concatenated content of an SSE body, and checks every event is valid.
std::string ContentOf(const std::string& sse, bool* all_valid, bool* has_done, bool* has_error) {
  std::string text;
  *all_valid = true;
  *has_done = *has_error = false;
  std::size_t pos = 0;
  while (pos < sse.size()) {
    std::size_t end = sse.find("\n\n", pos);
    if (end == std::string::npos) {
      *all_valid = false;  // a torn event
      break;
    }
    std::string ev = sse.substr(pos, end - pos);
    pos = end + 2;
    if (!ev.starts_with("data: ")) {
      *all_valid = false;
      continue;
    }
    std::string data = ev.substr(6);
    if (data == "[DONE]") {
      *has_done = true;
      continue;
    }
    auto v = ParseJson(data);
    if (!v || !v->is_object()) {
      *all_valid = false;
      continue;
    }
    if (v->as_object().contains("error")) *has_error = true;
    auto* ch = v->as_object().if_contains("choices");
    if (!ch) continue;
    auto& d = ch->as_array()[0].as_object()["delta"].as_object();
    if (auto* c = d.if_contains("content")) text += c->as_string().c_str();
  }
  return text;
}

TEST(OutputGuard, RedactsACardSplitAcrossSseEventsAndTransportPieces) {
  OutputGuard g(Policy(Action::kRedact, Action::kRedact));
  std::string body = Sse({"Your card ", "is 4111 ", "1111 11", "11 1111", " and mail ", "bo",
                          "b@exam", "ple.com", "."});
  for (std::size_t piece : {1, 2, 7, 31, 4096}) {
    FilterResult r = RunFilter(g, "text/event-stream", body, piece);
    EXPECT_FALSE(r.ended);
    bool valid, done, error;
    std::string text = ContentOf(r.body, &valid, &done, &error);
    EXPECT_TRUE(valid) << r.body;
    EXPECT_TRUE(done);
    EXPECT_FALSE(error);
    EXPECT_EQ(text, "Your card is [REDACTED:payment_card] and mail [REDACTED:email].")
        << "piece " << piece;
    EXPECT_EQ(r.body.find("4111"), std::string::npos);
  }
}

TEST(OutputGuard, CanaryLeakEndsTheStreamWithAValidTerminalEvent) {
  const std::string canary = "rmp-canary-5f1d2c3b4a596877";
  OutputGuard g(Policy(Action::kFlag, Action::kRedact, canary));
  std::string body = Sse(
      {"Sure. My instructions say ", "rmp-can", "ary-5f1d", "2c3b4a", "596877", " and more text"});
  for (std::size_t piece : {1, 5, 64, 4096}) {
    FilterResult r = RunFilter(g, "text/event-stream", body, piece);
    EXPECT_TRUE(r.ended);
    EXPECT_EQ(r.reason, "guard blocked: canary");
    bool valid, done, error;
    std::string text = ContentOf(r.body, &valid, &done, &error);
    EXPECT_TRUE(valid) << r.body;
    EXPECT_TRUE(done);
    EXPECT_TRUE(error);
    EXPECT_EQ(r.body.find("rmp-can"), std::string::npos) << r.body;
    EXPECT_TRUE(r.body.ends_with("data: [DONE]\n\n"));
  }
  EXPECT_GE(g.counters().blocked_responses.load(), 4u);
}

TEST(OutputGuard, SseEventAndIdLinesAreKept) {
  OutputGuard g(Policy(Action::kRedact, Action::kRedact));
  std::string body =
      "event: delta\nid: 7\ndata: {\"choices\":[{\"delta\":{\"content\":\"mail a@b.io "
      "now\"}}]}\n\n";
  FilterResult r = RunFilter(g, "text/event-stream", body, 5);
  EXPECT_TRUE(r.body.starts_with("event: delta\nid: 7\ndata: {")) << r.body;
  EXPECT_NE(r.body.find("[REDACTED:email]"), std::string::npos) << r.body;
}

TEST(OutputGuard, FlagCountsWithoutChangingTheStream) {
  OutputGuard g(Policy(Action::kFlag, Action::kFlag));
  std::string body = Sse({"write to ", "jane@example.org", " today"});
  FilterResult r = RunFilter(g, "text/event-stream", body, 3);
  bool valid, done, error;
  EXPECT_EQ(ContentOf(r.body, &valid, &done, &error), "write to jane@example.org today");
  EXPECT_EQ(g.counters()
                .matches[static_cast<std::size_t>(Detector::kEmail)]
                        [static_cast<std::size_t>(Action::kFlag)]
                .load(),
            1u);
}

TEST(OutputGuard, JsonBodyIsRewrittenOrReplacedWhole) {
  std::string body =
      R"({"choices":[{"message":{"role":"assistant","content":"key AKIAIOSFODNN7EXAMPLE\nemail a@b.io"}}]})";
  OutputGuard redact(Policy(Action::kRedact, Action::kRedact));
  FilterResult r = RunFilter(redact, "application/json; charset=utf-8", body, 9);
  auto v = ParseJson(r.body);
  ASSERT_TRUE(v) << r.body;
  EXPECT_EQ(v->as_object()["choices"].as_array()[0].as_object()["message"].as_object()["content"],
            "key [REDACTED:aws_access_key]\nemail [REDACTED:email]");

  OutputGuard block(Policy(Action::kFlag, Action::kBlock));
  r = RunFilter(block, "application/json", body, 9);
  v = ParseJson(r.body);
  ASSERT_TRUE(v) << r.body;
  EXPECT_EQ(v->as_object()["error"].as_object()["code"], "sensitive_output");
  EXPECT_EQ(r.body.find("AKIA"), std::string::npos);
}

TEST(OutputGuard, JsonBodyWithNothingRedactedPassesAsItCame) {
  // Spacing, number forms and escapes a re-serialisation would change.
  std::string body =
      "{ \"choices\": [ {\"message\": {\"content\": \"write to a@b.io \\u00e9\"}} ],\n"
      "  \"usage\": {\"temperature\": 0.70, \"n\": 1.0} }";
  OutputGuard flag(Policy(Action::kFlag, Action::kRedact));
  FilterResult r = RunFilter(flag, "application/json", body, 7);
  EXPECT_EQ(r.body, body);
  // A redaction rewrites it.
  OutputGuard redact(Policy(Action::kRedact, Action::kRedact));
  r = RunFilter(redact, "application/json", body, 7);
  EXPECT_NE(r.body.find("[REDACTED:email]"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("a@b.io"), std::string::npos);
}

TEST(OutputGuard, OtherBodiesStreamAndABlockEndsThem) {
  OutputGuard g(Policy(Action::kRedact, Action::kBlock));
  FilterResult r =
      RunFilter(g, "text/plain", "fine text then ghp_ and then AKIAIOSFODNN7EXAMPLE tail", 4);
  EXPECT_TRUE(r.ended);
  EXPECT_EQ(r.body.find("AKIA"), std::string::npos);
  EXPECT_TRUE(r.body.starts_with("fine text")) << r.body;
  // Error bodies are scanned too: an upstream error may echo the prompt.
  EXPECT_NE(g.NewFilter(400, "application/json"), nullptr);
  // Everything off: no filter at all.
  OutputGuard off(OutputPolicy{});
  EXPECT_EQ(off.NewFilter(200, "text/plain"), nullptr);
}

}  // namespace
}  // namespace rampart::guards
