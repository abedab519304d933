// `rampart ledger ...`: placeholder until the ledger pillar lands.
#include "cli/cli.h"
#include "cli/serve.h"

namespace rampart::cli {

void RegisterLedgerCommands(CLI::App& app, CommandContext& ctx) {}

Result<std::unique_ptr<Service>> MakeLedgerService(ServeContext& ctx) {
  return std::unique_ptr<Service>();
}

}  // namespace rampart::cli
