#include "monitor/replay.h"

#include <cmath>

#include "core/clock.h"

namespace rampart::monitor {
namespace {

Result<std::string> OptString(const json::object& o, std::string_view k, std::size_t max) {
  const json::value* v = o.if_contains(k);
  if (!v) return std::string();
  if (!v->is_string()) return InvalidArgumentError("`" + std::string(k) + "` must be a string");
  if (v->get_string().size() > max)
    return InvalidArgumentError("`" + std::string(k) + "` is longer than " + std::to_string(max) +
                                " bytes");
  return std::string(v->get_string());
}

Result<std::uint64_t> OptCount(const json::object& o, std::string_view k, std::uint64_t dflt,
                               std::uint64_t max) {
  const json::value* v = o.if_contains(k);
  if (!v) return dflt;
  if (v->is_int64() && v->get_int64() >= 0 && static_cast<std::uint64_t>(v->get_int64()) <= max)
    return static_cast<std::uint64_t>(v->get_int64());
  if (v->is_uint64() && v->get_uint64() <= max) return v->get_uint64();
  return InvalidArgumentError("`" + std::string(k) + "` must be an integer in [0, " +
                              std::to_string(max) + "]");
}

}  // namespace

Result<std::optional<ReplayRecord>> ParseReplayLine(std::string_view line) {
  std::size_t b = line.find_first_not_of(" \t\r");
  if (b == std::string_view::npos || line[b] == '#') return std::optional<ReplayRecord>();
  if (line.size() > kMaxReplayLine)
    return InvalidArgumentError("line longer than " + std::to_string(kMaxReplayLine) + " bytes");
  JsonLimits limits;
  limits.max_bytes = kMaxReplayLine;
  auto v = ParseJson(line, limits);
  if (!v) return v.error();
  if (!v->is_object()) return InvalidArgumentError("a line must be a JSON object");
  const json::object& o = v->get_object();
  ReplayRecord r;
  const json::value* t = o.if_contains("time");
  if (!t) return InvalidArgumentError("`time` is required (RFC 3339 or Unix seconds)");
  if (t->is_string()) {
    Clock::SystemTime tp;
    if (!ParseRfc3339(std::string_view(t->get_string().data(), t->get_string().size()), &tp))
      return InvalidArgumentError("`time` is not an RFC 3339 time: '" +
                                  std::string(t->get_string()) + "'");
    r.time_us =
        std::chrono::duration_cast<std::chrono::microseconds>(tp.time_since_epoch()).count();
    // The same range as Unix seconds below: a time before 1970 is a broken
    // record, and the detectors' windows count from the epoch.
    if (r.time_us < 0 || r.time_us > std::int64_t{10'000'000'000} * 1'000'000)
      return InvalidArgumentError("`time` must be between 1970-01-01 and 2286-11-20: '" +
                                  std::string(t->get_string()) + "'");
  } else if (t->is_number()) {
    double s = t->to_number<double>();
    if (!std::isfinite(s) || s < 0 || s > 1e10)
      return InvalidArgumentError("`time` in Unix seconds must be in [0, 1e10]");
    r.time_us = static_cast<std::int64_t>(s * 1e6);
  } else {
    return InvalidArgumentError("`time` must be an RFC 3339 string or Unix seconds");
  }
  RAMPART_ASSIGN_OR_RETURN(r.identity, OptString(o, "identity", 256));
  if (r.identity.empty()) return InvalidArgumentError("`identity` is required (1-256 bytes)");
  RAMPART_ASSIGN_OR_RETURN(r.remote, OptString(o, "remote", 64));
  RAMPART_ASSIGN_OR_RETURN(r.route, OptString(o, "route", 256));
  RAMPART_ASSIGN_OR_RETURN(std::string protocol, OptString(o, "protocol", 32));
  if (!protocol.empty()) {
    if (protocol != "openai" && protocol != "kserve-v2" && protocol != "triton")
      return InvalidArgumentError("`protocol` must be openai, kserve-v2 or triton, got '" +
                                  protocol + "'");
    r.protocol = protocol;
  }
  RAMPART_ASSIGN_OR_RETURN(r.model, OptString(o, "model", 256));
  if (const json::value* body = o.if_contains("body")) {
    if (body->is_object()) {
      r.body = ToJson(*body);
      r.body_json = *body;
    } else if (body->is_string()) {
      r.body = std::string(body->get_string());
      if (auto p = ParseJson(r.body, limits); p && p->is_object()) r.body_json = std::move(*p);
    } else {
      return InvalidArgumentError("`body` must be an object or a string");
    }
  }
  RAMPART_ASSIGN_OR_RETURN(std::uint64_t status, OptCount(o, "status", 200, 999));
  r.status = static_cast<int>(status);
  RAMPART_ASSIGN_OR_RETURN(r.prompt_tokens, OptCount(o, "prompt_tokens", 0, 1ull << 40));
  RAMPART_ASSIGN_OR_RETURN(r.completion_tokens, OptCount(o, "completion_tokens", 0, 1ull << 40));
  return std::optional<ReplayRecord>(std::move(r));
}

}  // namespace rampart::monitor
