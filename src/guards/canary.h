// Canary tokens: a per-deployment secret marker the gateway inserts into the
// system prompt of chat requests. A response that echoes it (whole, or split
// across stream pieces — the output guard's kCanary detector) proves that
// the model was made to leak its instructions: the response is blocked and
// the leak counted and logged.
//
// The token comes from the config (`gateway.guards.canary.token`) or is
// generated once and kept in <var>/guards-canary (mode 0600), so that it
// stays the same across restarts and replicas sharing the var directory.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/status.h"

namespace rampart::guards {

// The configured token if non-empty (at least 16 characters of
// [A-Za-z0-9_-]), else the one in <var_dir>/guards-canary, created if absent:
// "rmp-canary-" + 24 random hex digits.
Result<std::string> LoadOrCreateCanary(const std::filesystem::path& var_dir,
                                       std::string_view configured);

// The request body with the canary in its system prompt: appended to the
// first system (or developer) message whose content is a string, else a new
// system message in front. nullopt when the body has no `messages` array.
std::optional<std::string> InsertCanary(const json::object& body, std::string_view canary);

}  // namespace rampart::guards
