// Registration of the attest pillar's commands: `rampart seal`, `rampart
// unseal`, `rampart kbs`, `rampart attest client` (attest_cmd.cc).
#pragma once

#include "cli/cli.h"

namespace rampart::cli {

void RegisterAttestCommands(CLI::App& app, CommandContext& ctx);

}  // namespace rampart::cli
