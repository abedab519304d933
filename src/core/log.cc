#include "core/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <chrono>
#include <cstdio>

#include "core/clock.h"

namespace rampart {
namespace {

// Length of the well-formed UTF-8 sequence at s[i] (1-4), or 0 if the byte
// there does not start one (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
std::size_t Utf8SequenceAt(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  }
  return n;
}

void AppendHexByte(unsigned char c, spdlog::memory_buf_t& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char esc[4] = {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
  out.append(esc, esc + 4);
}

// A log message may quote untrusted bytes (a request path, a header value).
// Text logs keep one entry per line and hold only printable UTF-8: control
// bytes and bytes that are not well-formed UTF-8 are written as \n, \r, \t or
// \xNN, so a client cannot forge a log line or a terminal escape.
void AppendLogText(std::string_view s, spdlog::memory_buf_t& out) {
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    std::size_t n = c < 0x80 ? 0 : Utf8SequenceAt(s, i);
    if (n > 0) {
      out.append(s.data() + i, s.data() + i + n);
      i += n;
      continue;
    }
    if (c == '\n') {
      out.append(std::string_view("\\n"));
    } else if (c == '\r') {
      out.append(std::string_view("\\r"));
    } else if (c == '\t') {
      out.append(std::string_view("\\t"));
    } else {
      AppendHexByte(c, out);
    }
    ++i;
  }
}

// A JSON string. Bytes that are not well-formed UTF-8 become U+FFFD, so every
// line stays valid JSON (RFC 8259 section 8.1) whatever a message quotes.
void AppendJsonString(std::string_view s, spdlog::memory_buf_t& out) {
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      std::size_t n = Utf8SequenceAt(s, i);
      if (n == 0) {
        out.append(std::string_view("\\ufffd"));
        ++i;
      } else {
        out.append(s.data() + i, s.data() + i + n);
        i += n;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out.append(std::string_view("\\\""));
        break;
      case '\\':
        out.append(std::string_view("\\\\"));
        break;
      case '\n':
        out.append(std::string_view("\\n"));
        break;
      case '\r':
        out.append(std::string_view("\\r"));
        break;
      case '\t':
        out.append(std::string_view("\\t"));
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out.append(std::string_view(buf));
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

std::string_view LevelName(spdlog::level::level_enum level) {
  auto lvl = spdlog::level::to_string_view(level);
  return std::string_view(lvl.data(), lvl.size());
}

// One JSON object per line: {"ts":..., "level":..., "logger":..., "msg":...}.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string ts = FormatRfc3339(
        std::chrono::time_point_cast<std::chrono::system_clock::duration>(msg.time), 3);
    dest.append(std::string_view("{\"ts\":\""));
    dest.append(std::string_view(ts));
    dest.append(std::string_view("\",\"level\":\""));
    dest.append(LevelName(msg.level));
    dest.append(std::string_view("\",\"logger\":"));
    AppendJsonString(std::string_view(msg.logger_name.data(), msg.logger_name.size()), dest);
    dest.append(std::string_view(",\"msg\":"));
    AppendJsonString(std::string_view(msg.payload.data(), msg.payload.size()), dest);
    dest.append(std::string_view("}\n"));
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

// "2026-11-26T15:00:00.123Z info  gateway listening on 127.0.0.1:8443".
class TextFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string ts = FormatRfc3339(
        std::chrono::time_point_cast<std::chrono::system_clock::duration>(msg.time), 3);
    dest.append(std::string_view(ts));
    dest.push_back(' ');
    std::string_view lvl = LevelName(msg.level);
    dest.append(lvl);
    for (std::size_t k = lvl.size(); k < 5; ++k) dest.push_back(' ');
    dest.push_back(' ');
    AppendLogText(std::string_view(msg.payload.data(), msg.payload.size()), dest);
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TextFormatter>();
  }
};

}  // namespace

Result<LogFormat> ParseLogFormat(std::string_view s) {
  if (s == "text") return LogFormat::kText;
  if (s == "json") return LogFormat::kJson;
  return InvalidArgumentError("log format must be 'text' or 'json', not '" + std::string(s) + "'");
}

Result<spdlog::level::level_enum> ParseLogLevel(std::string_view s) {
  static const std::pair<std::string_view, spdlog::level::level_enum> kLevels[] = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
      {"error", spdlog::level::err},   {"off", spdlog::level::off}};
  for (auto& [name, lvl] : kLevels) {
    if (s == name) return lvl;
  }
  return InvalidArgumentError("log level must be trace|debug|info|warn|error|off, not '" +
                              std::string(s) + "'");
}

std::unique_ptr<spdlog::formatter> MakeLogFormatter(LogFormat format) {
  if (format == LogFormat::kJson) return std::make_unique<JsonFormatter>();
  return std::make_unique<TextFormatter>();
}

void InitLogging(LogFormat format, spdlog::level::level_enum level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("rampart", sink);
  logger->set_formatter(MakeLogFormatter(format));
  logger->set_level(level);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace rampart
