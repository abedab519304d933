// `rampart monitor replay FILE|-`: the monitor's detectors over recorded
// traffic (docs/formats/monitor-replay.md), so thresholds can be tuned on a
// site's own history. The policy is the estate's `gateway.monitor`
// (--estate) or the defaults. Exit 1 when an alert was raised, 2 on bad
// input (FILE:LINE: what is wrong; nothing more is printed).
#include "cli/monitor_cmd.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "cli/ledger_read.h"
#include "core/clock.h"
#include "core/json.h"
#include "estate/loader.h"
#include "monitor/config.h"
#include "monitor/monitor.h"
#include "monitor/replay.h"
#include "monitor/report.h"

namespace rampart::cli {
namespace {

using namespace rampart::monitor;

struct ReplayArgs {
  std::string input;
  std::vector<std::string> estate;
  std::string format = "text";
};

std::string Rfc3339(std::int64_t us) {
  return FormatRfc3339(Clock::SystemTime(std::chrono::microseconds(us)));
}

int Replay(const ReplayArgs& a) {
  MonitorConfig config = DefaultMonitorConfig();
  if (!a.estate.empty()) {
    auto e = estate::LoadValid({a.estate.begin(), a.estate.end()});
    if (!e) return ReportError(e.error());
    Diagnostics d;
    auto c = LoadMonitorConfig(*e, &d);
    if (!c) return ReportError(InvalidArgumentError(d.ToString()));
    if (c->enabled) config = *c;
  }
  std::ifstream file;
  std::istream* in = &std::cin;
  if (a.input != "-") {
    file.open(a.input, std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "rampart: %s: cannot open (does it exist and is it readable?)\n",
                   a.input.c_str());
      return kExitUsage;
    }
    in = &file;
  }
  Monitor m(config);
  std::string out;
  std::uint64_t alerts = 0, lineno = 0;
  std::string line;
  while (std::getline(*in, line)) {
    ++lineno;
    auto rec = ParseReplayLine(line);
    if (!rec) {
      std::fprintf(stderr, "rampart: %s:%llu: %s (fix or delete the line)\n", a.input.c_str(),
                   static_cast<unsigned long long>(lineno), rec.error().message().c_str());
      return kExitUsage;
    }
    if (!*rec) continue;
    const ReplayRecord& r = **rec;
    Query q;
    q.identity = r.identity;
    q.remote = r.remote;
    q.protocol = r.protocol;
    q.route = r.route;
    q.model = r.model;
    q.body = r.body;
    q.time_us = r.time_us;
    if (r.protocol == "openai" && r.body_json && r.body_json->is_object())
      q.json_body = &r.body_json->get_object();
    Verdict v = m.Observe(q);
    Outcome o;
    o.status = r.status;
    o.prompt_tokens = r.prompt_tokens;
    o.completion_tokens = r.completion_tokens;
    m.Complete(r.identity, r.remote, o);
    for (const Alert& al : v.alerts) {
      ++alerts;
      if (a.format == "json") {
        json::object j{{"time", Rfc3339(al.time_us)},
                       {"line", lineno},
                       {"identity", al.client},
                       {"detector", std::string(DetectorName(al.detector))},
                       {"score", al.score},
                       {"threshold", al.threshold},
                       {"policy", std::string(PolicyName(al.policy))},
                       {"queries", al.queries}};
        out += ToJson(j) + "\n";
      } else {
        out += fmt::format(
            "{} line {}: {} alert for '{}': score {:.4g} (threshold {:g}) after {} "
            "queries; policy {}\n",
            Rfc3339(al.time_us), lineno, DetectorName(al.detector), al.client, al.score,
            al.threshold, al.queries, PolicyName(al.policy));
      }
    }
  }
  if (in->bad()) {
    std::fprintf(stderr, "rampart: %s: read error\n", a.input.c_str());
    return kExitUsage;
  }
  MonitorStats s = m.stats();
  if (a.format == "json") {
    out += ToJson(json::object{{"requests", s.requests},
                               {"clients", s.clients},
                               {"alerts", alerts},
                               {"evictions", s.evictions}}) +
           "\n";
  } else {
    out += fmt::format("{} request(s), {} client(s) tracked, {} alert(s), {} eviction(s)\n",
                       s.requests, s.clients, alerts, s.evictions);
  }
  PrintOut(out);
  return alerts > 0 ? kExitFindings : kExitOk;
}

struct ReportArgs {
  std::string store, ledger, ledger_key, ca_file, access_log, since, until;
  std::string format = "text";
};

// `rampart monitor report`: alerts and refusals per detector, client and
// source network over a time window, from a ledger (its store or its HTTP
// API) or an access log. Exit 0 (nothing in the window) or 1 (alerts or
// refusals found); 2 on bad input (FILE:LINE for an access log).
int ReportCmd(const ReportArgs& a) {
  int sources = !a.store.empty() + !a.ledger.empty() + !a.access_log.empty();
  if (sources != 1) {
    std::fprintf(stderr,
                 "rampart: monitor report needs exactly one of --store URL, --ledger URL or "
                 "--access-log FILE\n");
    return kExitUsage;
  }
  const std::int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  ReportWindow w;
  if (!a.since.empty()) {
    auto t = ParseReportTime(a.since, now);
    if (!t) return ReportError(t.error().WithContext("--since"));
    w.since_us = *t;
  }
  if (!a.until.empty()) {
    auto t = ParseReportTime(a.until, now);
    if (!t) return ReportError(t.error().WithContext("--until"));
    w.until_us = *t;
  }
  if (w.since_us >= w.until_us) {
    std::fprintf(stderr, "rampart: --since must be before --until\n");
    return kExitUsage;
  }
  Report report(w);
  if (!a.access_log.empty()) {
    std::ifstream file;
    std::istream* in = &std::cin;
    if (a.access_log != "-") {
      file.open(a.access_log, std::ios::binary);
      if (!file) {
        std::fprintf(stderr, "rampart: %s: cannot open (does it exist and is it readable?)\n",
                     a.access_log.c_str());
        return kExitUsage;
      }
      in = &file;
    }
    std::string line;
    std::uint64_t lineno = 0;
    while (std::getline(*in, line)) {
      ++lineno;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto v = ParseJson(line);
      Status st = !v                ? v.error()
                  : !v->is_object() ? InvalidArgumentError("not a JSON object")
                                    : report.AddAccessRecord(v->get_object());
      if (!st.ok()) {
        std::fprintf(stderr,
                     "rampart: %s:%llu: %s (is this a gateway access log? "
                     "docs/formats/gateway-config.md)\n",
                     a.access_log.c_str(), static_cast<unsigned long long>(lineno),
                     st.message().c_str());
        return kExitUsage;
      }
    }
    if (in->bad()) {
      std::fprintf(stderr, "rampart: %s: read error\n", a.access_log.c_str());
      return kExitUsage;
    }
  } else {
    auto add = [&](std::uint64_t index, const json::object& e) -> Status {
      Status st = report.AddLedgerEntry(e);
      return st.ok() ? st : st.WithContext("ledger entry " + std::to_string(index));
    };
    Status st;
    if (!a.store.empty()) {
      st = ScanLedgerStore(a.store, add);
    } else {
      std::string key = a.ledger_key;
      if (key.empty())
        if (const char* k = std::getenv("RAMPART_LEDGER_API_KEY")) key = k;
      st = ScanLedgerHttp(a.ledger, key, a.ca_file, add);
    }
    if (!st.ok()) return ReportError(st);
  }
  PrintOut(a.format == "json" ? ToJson(report.Json()) + "\n" : report.Text());
  return report.in_window() > 0 ? kExitFindings : kExitOk;
}

}  // namespace

void RegisterMonitorCommands(CLI::App& app, CommandContext& ctx) {
  static ReplayArgs replay_args;
  auto* monitor = app.add_subcommand("monitor", "Anomalous-query and model-extraction detection");
  monitor->require_subcommand(1);
  auto* replay = monitor->add_subcommand(
      "replay", "Run the detectors over recorded traffic (JSON Lines); print the alerts");
  replay->add_option("input", replay_args.input, "File, or - for stdin")->required();
  replay
      ->add_option("--estate", replay_args.estate,
                   "Take gateway.monitor from this estate (repeatable)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  replay->add_option("--format", replay_args.format, "text | json")
      ->check(CLI::IsMember({"text", "json"}));
  replay->callback([&ctx] { ctx.exit_code = Replay(replay_args); });

  static ReportArgs report_args;
  auto* report = monitor->add_subcommand(
      "report", "Alerts and throttles per detector, client and source network over a time window");
  report->add_option("--store", report_args.store,
                     "Ledger storage URL: sqlite:PATH or postgres://...");
  report->add_option("--ledger", report_args.ledger,
                     "Ledger service URL (http://127.0.0.1:PORT or https://...)");
  report->add_option("--ledger-key", report_args.ledger_key,
                     "API key for --ledger (default: $RAMPART_LEDGER_API_KEY)");
  report->add_option("--ca-file", report_args.ca_file, "CA bundle for an https:// --ledger");
  report->add_option("--access-log", report_args.access_log,
                     "Gateway access log (JSON Lines), or - for stdin");
  report->add_option("--since", report_args.since,
                     "Start of the window: RFC 3339, or a duration before now (24h, 7d)");
  report->add_option("--until", report_args.until,
                     "End of the window (exclusive): RFC 3339, or a duration before now");
  report->add_option("--format", report_args.format, "text | json")
      ->check(CLI::IsMember({"text", "json"}));
  report->callback([&ctx] { ctx.exit_code = ReportCmd(report_args); });
}

}  // namespace rampart::cli
