// `rampart serve`: runs the estate's long-lived services in one process.
//
// Startup is a list of named steps (main.cc -> RunServe): load the estate,
// start the ledger (if configured), hand its AuditSink to the gateway, start
// the gateway, then wait for SIGINT/SIGTERM (stop in reverse order) or SIGHUP
// (reload each service).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/audit_sink.h"
#include "core/service.h"
#include "core/status.h"
#include "estate/model.h"

namespace rampart::cli {

struct ServeContext {
  const estate::Estate* estate = nullptr;
  std::vector<std::filesystem::path> estate_files;  // for reloads
  std::filesystem::path var_dir = "var";            // embedded state (SQLite) lives here
  std::string bind_host = "127.0.0.1";
  // Set by the ledger when it runs in this process; the gateway reads it.
  std::shared_ptr<AuditSink> audit;
};

// Each factory returns nullptr when the estate does not call for the service.
// Defined by the pillar's command file (ledger_cmd.cc, gateway_cmd.cc).
Result<std::unique_ptr<Service>> MakeLedgerService(ServeContext& ctx);
Result<std::unique_ptr<Service>> MakeGatewayService(ServeContext& ctx);

}  // namespace rampart::cli
