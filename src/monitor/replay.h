// One line of `rampart monitor replay` input (docs/formats/monitor-replay.md):
// a recorded request, parsed from untrusted JSON. The caller adds FILE:LINE
// to errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/status.h"

namespace rampart::monitor {

inline constexpr std::size_t kMaxReplayLine = 64u << 20;

struct ReplayRecord {
  std::int64_t time_us = 0;
  std::string identity;
  std::string remote;
  std::string route;
  std::string protocol = "openai";
  std::string model;
  std::string body;                      // the body as sent
  std::optional<json::value> body_json;  // set when `body` is a JSON object
  int status = 200;
  std::uint64_t prompt_tokens = 0;
  std::uint64_t completion_tokens = 0;
};

// nullopt for a line to skip (empty, or a # comment); InvalidArgument with
// what is wrong otherwise.
Result<std::optional<ReplayRecord>> ParseReplayLine(std::string_view line);

}  // namespace rampart::monitor
