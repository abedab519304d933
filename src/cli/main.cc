// rampart: one binary, one subcommand per pillar.
#include <cstdio>
#include <exception>

#include "cli/attest_cmds.h"
#include "cli/cli.h"
#include "cli/monitor_cmd.h"
#include "core/log.h"

#ifndef RAMPART_VERSION
#define RAMPART_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  using namespace rampart;
  CLI::App app{"Rampart: defense in depth for AI infrastructure", "rampart"};
  app.set_version_flag("--version", std::string("rampart ") + RAMPART_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  std::string log_format = "text";
  std::string log_level = "info";
  app.add_option("--log-format", log_format, "Log format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.parse_complete_callback(
      [&] { InitLogging(*ParseLogFormat(log_format), *ParseLogLevel(log_level)); });

  cli::CommandContext ctx;
  // The explicit list of pillars: adding one is one line here.
  cli::RegisterEstateCommands(app, ctx);
  cli::RegisterServeCommand(app, ctx);
  cli::RegisterLedgerCommands(app, ctx);
  cli::RegisterArtifactsCommands(app, ctx);
  cli::RegisterGatewayCommands(app, ctx);
  cli::RegisterZonesCommands(app, ctx);
  cli::RegisterGuardCommands(app, ctx);
  cli::RegisterAssessCommands(app, ctx);
  cli::RegisterNodeCommands(app, ctx);
  cli::RegisterAttestCommands(app, ctx);
  cli::RegisterMonitorCommands(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? cli::kExitOk : cli::kExitUsage;
  } catch (const std::exception& e) {
    // Adapters should have turned this into a Status; fail loudly, not silently.
    std::fprintf(stderr, "rampart: internal error: %s\n", e.what());
    return cli::kExitUsage;
  }
  std::fflush(stdout);
  if (std::ferror(stdout)) {
    std::fprintf(stderr, "rampart: cannot write to standard output\n");
    return cli::kExitUsage;
  }
  return ctx.exit_code;
}
