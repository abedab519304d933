// Logging on spdlog. Call InitLogging() once in main(); elsewhere use the
// spdlog free functions (spdlog::info(...)). Logs go to stderr so stdout stays
// for command output.
#pragma once

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string_view>

#include "core/status.h"

namespace rampart {

enum class LogFormat {
  kText,  // "2026-11-26T15:00:00.123Z info  gateway listening on 127.0.0.1:8443"
  kJson,  // {"ts":"...","level":"info","logger":"rampart","msg":"..."} per line
};

Result<LogFormat> ParseLogFormat(std::string_view s);                 // "text" | "json"
Result<spdlog::level::level_enum> ParseLogLevel(std::string_view s);  // "debug", "info", ...

// The formatter InitLogging installs. Either keeps one entry per line whatever
// a message quotes: text escapes control bytes and malformed UTF-8 as \xNN,
// JSON escapes controls and turns malformed UTF-8 into U+FFFD.
std::unique_ptr<spdlog::formatter> MakeLogFormatter(LogFormat format);

void InitLogging(LogFormat format, spdlog::level::level_enum level = spdlog::level::info);

}  // namespace rampart
