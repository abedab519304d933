// `rampart zones ...`: placeholder until the zones pillar lands.
#include "cli/cli.h"

namespace rampart::cli {

void RegisterZonesCommands(CLI::App& app, CommandContext& ctx) {}

}  // namespace rampart::cli
