// `rampart serve`: the main job. One foreground process that runs the estate's
// long-lived services on embedded defaults and stops cleanly on a signal.
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include "cli/attest_cmds.h"
#include "cli/cli.h"
#include "cli/serve.h"
#include "estate/loader.h"

namespace rampart::cli {
namespace {

struct ServeArgs {
  std::vector<std::string> estate_files;
  std::string var_dir = "var";
  std::string bind = "127.0.0.1";
};

int RunServe(const ServeArgs& args) {
  // Step 1: block the signals we wait for, before any thread starts, so every
  // service thread inherits the mask and only sigwait() below sees them.
  sigset_t signals = BlockServiceSignals();

  // Step 2: load and validate the estate.
  std::vector<std::filesystem::path> files(args.estate_files.begin(), args.estate_files.end());
  auto estate = estate::LoadValid(files);
  if (!estate) return ReportError(estate.error());
  spdlog::info("estate '{}' loaded: {} zones, {} services, {} flows", estate->name,
               estate->zones.size(), estate->services.size(), estate->flows.size());

  // Step 3: the state directory for embedded defaults.
  std::error_code ec;
  std::filesystem::create_directories(args.var_dir, ec);
  if (ec) {
    return ReportError(InvalidArgumentError("cannot create state directory " + args.var_dir + ": " +
                                            ec.message()));
  }

  ServeContext ctx;
  ctx.estate = &*estate;
  ctx.estate_files = files;
  ctx.var_dir = args.var_dir;
  ctx.bind_host = args.bind;

  // Step 4: start services in dependency order: the ledger first, so the
  // gateway can write audit records to it.
  using Factory = Result<std::unique_ptr<Service>> (*)(ServeContext&);
  const std::pair<const char*, Factory> factories[] = {
      {"ledger", &MakeLedgerService},
      {"gateway", &MakeGatewayService},
      {"kbs", &MakeKbsService},
  };
  std::vector<std::unique_ptr<Service>> running;
  auto stop_all = [&] {
    for (auto it = running.rbegin(); it != running.rend(); ++it) {
      spdlog::info("stopping {}", (*it)->name());
      (*it)->Stop();
    }
    running.clear();
  };
  for (const auto& [name, make] : factories) {
    auto svc = make(ctx);
    if (!svc) {
      stop_all();
      return ReportError(svc.error().WithContext(std::string("cannot configure ") + name));
    }
    if (!*svc) {
      spdlog::info("{}: not configured in this estate", name);
      continue;
    }
    if (Status s = (*svc)->Start(); !s.ok()) {
      stop_all();
      return ReportError(s.WithContext(std::string("cannot start ") + name));
    }
    running.push_back(std::move(*svc));
  }
  spdlog::info("rampart serve: {} service(s) running; Ctrl-C or SIGTERM stops, SIGHUP reloads",
               running.size());

  // Step 5: wait for signals.
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP: reloading");
      for (auto& s : running) {
        if (Status st = s->Reload(); !st.ok()) {
          spdlog::error("{}: reload failed, keeping the previous configuration: {}", s->name(),
                        st.message());
        }
      }
      continue;
    }
    spdlog::info("{}: shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    break;
  }
  stop_all();
  spdlog::info("rampart serve: stopped");
  return kExitOk;
}

}  // namespace

void RegisterServeCommand(CLI::App& app, CommandContext& ctx) {
  static ServeArgs args;
  auto* serve = app.add_subcommand("serve", "Run the estate's long-lived services");
  serve->add_option("-e,--estate", args.estate_files, "Estate file or directory; repeatable")
      ->required();
  serve->add_option("--var-dir", args.var_dir, "Directory for embedded state (default ./var)");
  serve->add_option("--bind", args.bind, "Address services listen on (default 127.0.0.1)");
  serve->callback([&ctx] { ctx.exit_code = RunServe(args); });
}

}  // namespace rampart::cli
