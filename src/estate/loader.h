// Loading and validating an estate from one or more YAML files.
//
// The pipeline is reader -> collector -> validator: each file is parsed on its
// own (a syntax error stops there, naming file:line:col), the sections of all
// files are collected into one Estate, then cross-references are checked.
// Several files combine by concatenating their lists; a directory means every
// *.yaml / *.yml file in it, sorted by name (not recursive).
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "core/status.h"
#include "estate/model.h"

namespace rampart::estate {

struct LoadResult {
  Estate estate;
  // Validation findings. Errors mean the estate must not be used for
  // enforcement; warnings are advice.
  Diagnostics diagnostics;
};

// Returns a non-OK Status only when input is unreadable or not YAML (exit 2);
// schema and reference problems are in LoadResult::diagnostics (exit 1).
Result<LoadResult> LoadFiles(const std::vector<std::filesystem::path>& paths);
Result<LoadResult> LoadString(std::string_view yaml, std::string_view file_name);

// For pillars: loads and returns the estate only if it has no errors;
// otherwise InvalidArgument with every error diagnostic in the message.
Result<Estate> LoadValid(const std::vector<std::filesystem::path>& paths);

// Parses "tcp/8000", "udp/53", "29500-29600" (tcp), "8000" (tcp).
Result<PortRange> ParsePortRange(std::string_view s);

}  // namespace rampart::estate
