#include "core/log.h"

#include <gtest/gtest.h>

#include <string>

#include "core/json.h"

namespace rampart {
namespace {

std::string Format(LogFormat format, std::string_view payload,
                   spdlog::level::level_enum level = spdlog::level::info) {
  auto formatter = MakeLogFormatter(format);
  spdlog::details::log_msg msg("rampart", level,
                               spdlog::string_view_t(payload.data(), payload.size()));
  spdlog::memory_buf_t buf;
  formatter->format(msg, buf);
  return std::string(buf.data(), buf.size());
}

// The message part of a text line: after "<ts> <level padded to 5> ".
std::string TextMessage(const std::string& line) {
  auto first = line.find(' ');
  EXPECT_NE(first, std::string::npos);
  return line.substr(first + 7);
}

TEST(LogTest, TextLinesKeepPrintableUtf8AsWritten) {
  std::string line = Format(LogFormat::kText, "gateway listening on 127.0.0.1:8443 — ok ✓ 𝔸");
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_EQ(TextMessage(line), "gateway listening on 127.0.0.1:8443 — ok ✓ 𝔸\n");
  EXPECT_NE(line.find("Z info  gateway"), std::string::npos) << line;
  EXPECT_NE(Format(LogFormat::kText, "x", spdlog::level::warn).find("Z warning x"),
            std::string::npos);
}

TEST(LogTest, TextLinesCannotBeForgedByQuotedBytes) {
  // A path a client sent, with a newline and a fake entry after it, a
  // terminal escape, DEL, a NUL and bytes that are not UTF-8.
  std::string quoted("a\nZ 2026-01-01T00:00:00.000Z info  admin logged in\r\t\x1b[31m\x7f");
  quoted += std::string("\0", 1) + "\xff\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82";
  std::string line = Format(LogFormat::kText, "refused '" + quoted + "'");
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  for (char ch : line.substr(0, line.size() - 1)) {
    unsigned char c = static_cast<unsigned char>(ch);
    EXPECT_TRUE(c >= 0x20 && c != 0x7f) << "control byte " << int(c) << " in " << line;
  }
  EXPECT_EQ(TextMessage(line),
            "refused 'a\\nZ 2026-01-01T00:00:00.000Z info  admin logged in\\r\\t\\x1b[31m\\x7f"
            "\\x00\\xff\\xc0\\xaf\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80\\xe2\\x82'\n");
}

TEST(LogTest, JsonLinesStayValidJsonWhateverAMessageQuotes) {
  std::string quoted("q\"\\\n\r\t\x01\x7f");
  quoted += std::string("\0", 1) + "\xff é ✓ 𝔸 \xc0\xaf \xed\xa0\x80 \xe2\x82";
  std::string line = Format(LogFormat::kJson, "refused '" + quoted + "'");
  ASSERT_EQ(line.find('\n'), line.size() - 1) << line;
  auto parsed = ParseJson(line.substr(0, line.size() - 1));
  ASSERT_TRUE(parsed.has_value()) << parsed.status().message() << " in " << line;
  const auto& obj = parsed->as_object();
  EXPECT_EQ(obj.at("level").as_string(), "info");
  EXPECT_EQ(obj.at("logger").as_string(), "rampart");
  std::string want("refused 'q\"\\\n\r\t\x01\x7f");
  want += std::string("\0", 1) +
          "\xef\xbf\xbd é ✓ 𝔸 \xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
          "\xef\xbf\xbd\xef\xbf\xbd'";
  EXPECT_EQ(std::string(obj.at("msg").as_string()), want);
}

TEST(LogTest, FormatNamesAreStrict) {
  EXPECT_TRUE(ParseLogFormat("json").has_value());
  EXPECT_TRUE(ParseLogFormat("text").has_value());
  EXPECT_FALSE(ParseLogFormat("JSON").has_value());
  EXPECT_FALSE(ParseLogLevel("verbose").has_value());
}

}  // namespace
}  // namespace rampart
