// `rampart monitor ...` (monitor_cmd.cc), registered by main.cc.
#pragma once

#include "cli/cli.h"

namespace rampart::cli {
void RegisterMonitorCommands(CLI::App& app, CommandContext& ctx);
}  // namespace rampart::cli
