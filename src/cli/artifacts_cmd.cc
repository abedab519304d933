// `rampart artifacts ...`: placeholder until the artifacts pillar lands.
#include "cli/cli.h"

namespace rampart::cli {

void RegisterArtifactsCommands(CLI::App& app, CommandContext& ctx) {}

}  // namespace rampart::cli
