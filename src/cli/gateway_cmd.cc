// `rampart gateway ...`: placeholder until the gateway pillar lands.
#include "cli/cli.h"
#include "cli/serve.h"

namespace rampart::cli {

void RegisterGatewayCommands(CLI::App& app, CommandContext& ctx) {}

Result<std::unique_ptr<Service>> MakeGatewayService(ServeContext& ctx) {
  return std::unique_ptr<Service>();
}

}  // namespace rampart::cli
