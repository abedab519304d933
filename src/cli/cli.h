// Shared pieces of the `rampart` command line: the exit-code convention, the
// registration function of each pillar's subcommands, and output helpers.
//
// Subcommands are registered explicitly in main.cc, one line per pillar; no
// static-initialiser registries.
#pragma once

#include <signal.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "core/status.h"

namespace rampart::cli {

// Exit codes, the same for every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;  // findings, or a failed verification
inline constexpr int kExitUsage = 2;     // bad usage or unreadable input

struct CommandContext {
  int exit_code = kExitOk;
};

void RegisterEstateCommands(CLI::App& app, CommandContext& ctx);
void RegisterServeCommand(CLI::App& app, CommandContext& ctx);
void RegisterLedgerCommands(CLI::App& app, CommandContext& ctx);
void RegisterArtifactsCommands(CLI::App& app, CommandContext& ctx);
void RegisterGatewayCommands(CLI::App& app, CommandContext& ctx);
// `rampart gateway keys create|revoke|list`, under the `gateway` subcommand.
void RegisterGatewayKeysCommands(CLI::App& gateway_app, CommandContext& ctx);
void RegisterZonesCommands(CLI::App& app, CommandContext& ctx);
void RegisterGuardCommands(CLI::App& app, CommandContext& ctx);
void RegisterAssessCommands(CLI::App& app, CommandContext& ctx);
void RegisterNodeCommands(CLI::App& app, CommandContext& ctx);
// `rampart attest verify`, under the `attest` subcommand.
void RegisterAttestVerifyCommand(CLI::App& attest_app, CommandContext& ctx);

// Prints "rampart: <message>" to stderr and returns kExitUsage (for unreadable
// input) or kExitFindings, by status code: InvalidArgument/NotFound are usage.
int ReportError(const Status& s);

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (call before any
// thread starts, so every thread inherits the mask) and returns the set for
// sigwait(): long-lived commands handle signals synchronously.
sigset_t BlockServiceSignals();

// Writes text to stdout; fails with a message if stdout is closed.
void PrintOut(std::string_view text);

}  // namespace rampart::cli
