// Replay input lines (docs/formats/monitor-replay.md): records and precise
// errors.
#include "monitor/replay.h"

#include <gtest/gtest.h>

namespace rampart::monitor {
namespace {

TEST(ReplayLine, ReadsBothTimeFormsAndBothBodyForms) {
  auto r = ParseReplayLine(
      R"({"time":"2026-12-07T01:00:00Z","identity":"app","remote":"10.0.0.7","route":"infer","protocol":"kserve-v2","model":"m","body":{"inputs":[]},"status":503,"prompt_tokens":3})");
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_TRUE(*r);
  EXPECT_EQ((*r)->time_us, 1796605200LL * 1000000);
  EXPECT_EQ((*r)->identity, "app");
  EXPECT_EQ((*r)->protocol, "kserve-v2");
  EXPECT_EQ((*r)->body, R"({"inputs":[]})");
  EXPECT_EQ((*r)->status, 503);
  EXPECT_EQ((*r)->prompt_tokens, 3u);
  r = ParseReplayLine(R"({"time":1796605200.5,"identity":"b","body":"{\"model\":\"x\"}"})");
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->time_us, 1796605200500000LL);
  EXPECT_EQ((*r)->protocol, "openai");
  ASSERT_TRUE((*r)->body_json);
  EXPECT_EQ((*r)->body_json->as_object().at("model").as_string(), "x");
  // Skipped lines.
  EXPECT_FALSE(*ParseReplayLine(""));
  EXPECT_FALSE(*ParseReplayLine("   # a comment"));
}

TEST(ReplayLine, BadLinesSayWhatIsWrong) {
  auto msg = [](std::string_view line) {
    auto r = ParseReplayLine(line);
    return r ? std::string("accepted") : r.error().message();
  };
  EXPECT_NE(msg("{").find("line 1"), std::string::npos) << msg("{");
  EXPECT_NE(msg("[1]").find("JSON object"), std::string::npos);
  EXPECT_NE(msg(R"({"identity":"a"})").find("`time` is required"), std::string::npos);
  EXPECT_NE(msg(R"({"time":"yesterday","identity":"a"})").find("RFC 3339"), std::string::npos);
  EXPECT_NE(msg(R"({"time":-1,"identity":"a"})").find("Unix seconds"), std::string::npos);
  // Found by replay_line_fuzzer: an RFC 3339 time before 1970 was accepted
  // with a negative time.
  EXPECT_NE(msg(R"({"time":"1696-12-07T01:00:00Z","identity":"a"})").find("between 1970"),
            std::string::npos);
  EXPECT_NE(msg(R"({"time":1,"identity":""})").find("`identity` is required"), std::string::npos);
  EXPECT_NE(msg(R"({"time":1,"identity":7})").find("must be a string"), std::string::npos);
  EXPECT_NE(msg(R"({"time":1,"identity":"a","protocol":"smtp"})").find("`protocol`"),
            std::string::npos);
  EXPECT_NE(msg(R"({"time":1,"identity":"a","status":-4})").find("`status`"), std::string::npos);
  EXPECT_NE(msg(R"({"time":1,"identity":"a","body":5})").find("`body`"), std::string::npos);
}

}  // namespace
}  // namespace rampart::monitor
