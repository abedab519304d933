// Registration of the attest pillar's commands: `rampart seal`, `rampart
// unseal`, `rampart kbs`, `rampart attest client` (attest_cmd.cc).
#pragma once

#include "cli/cli.h"
#include "cli/serve.h"

namespace rampart::cli {

void RegisterAttestCommands(CLI::App& app, CommandContext& ctx);

// The key broker as a `rampart serve` service: nullptr when the estate has no
// attest: section. Uses the in-process ledger's AuditSink when there is one.
Result<std::unique_ptr<Service>> MakeKbsService(ServeContext& ctx);

}  // namespace rampart::cli
