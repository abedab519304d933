// `rampart gateway ...`: placeholder until the gateway pillar lands.
#include "cli/cli.h"
#include "cli/serve.h"

namespace rampart::cli {

void RegisterGatewayCommands(CLI::App& app, CommandContext& ctx) {
  auto* gateway =
      app.add_subcommand("gateway", "Zero-trust gateway in front of inference endpoints");
  gateway->require_subcommand(1);
  RegisterGatewayKeysCommands(*gateway, ctx);
}

Result<std::unique_ptr<Service>> MakeGatewayService(ServeContext& ctx) {
  return std::unique_ptr<Service>();
}

}  // namespace rampart::cli
