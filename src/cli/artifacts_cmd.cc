// `rampart artifacts scan | sign | verify | manifest`, with the top-level
// aliases users expect: `rampart scan`, `rampart sign`, `rampart verify`,
// `rampart manifest`.
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "artifacts/policy.h"
#include "artifacts/report.h"
#include "artifacts/scanner.h"
#include "cli/cli.h"

#ifndef RAMPART_VERSION
#define RAMPART_VERSION "0.0.0"
#endif

namespace rampart::cli {
namespace {

using namespace rampart::artifacts;

// ---- scan ----------------------------------------------------------------

struct ScanArgs {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string fail_on = "high";
  std::string min_severity = "low";
  std::vector<std::string> policies;
  unsigned jobs = 0;
  bool follow_symlinks = false;
  int max_depth = 5;
  bool print_policy = false;
};

int RunScan(const ScanArgs& a) {
  if (a.print_policy) {
    PrintOut(DefaultPolicyText());
    return kExitOk;
  }
  if (a.paths.empty()) return ReportError(InvalidArgumentError("scan: name at least one file or directory"));
  auto fail_on = ParseSeverity(a.fail_on);
  if (!fail_on) return ReportError(fail_on.error().WithContext("--fail-on"));
  auto min_sev = ParseSeverity(a.min_severity);
  if (!min_sev) return ReportError(min_sev.error().WithContext("--min-severity"));
  std::vector<std::filesystem::path> policy_files(a.policies.begin(), a.policies.end());
  auto policy = Policy::Load(policy_files);
  if (!policy) return ReportError(policy.error());
  ScanOptions so;
  so.policy = &*policy;
  so.jobs = a.jobs;
  so.follow_symlinks = a.follow_symlinks;
  so.max_depth = a.max_depth;
  Scanner scanner(so);
  bool tty = ::isatty(STDERR_FILENO) == 1;
  std::vector<std::filesystem::path> paths(a.paths.begin(), a.paths.end());
  auto reports = scanner.Scan(paths, [&](std::size_t done, std::size_t total) {
    if (tty) std::fprintf(stderr, "\rscanning %zu/%zu", done, total);
  });
  if (tty) std::fprintf(stderr, "\r\033[K");
  ReportOptions ro;
  ro.min_severity = *min_sev;
  ro.tool_version = RAMPART_VERSION;
  if (a.format == "json") {
    PrintOut(FormatJson(reports, ro));
  } else if (a.format == "sarif") {
    PrintOut(FormatSarif(reports, ro));
  } else {
    PrintOut(FormatText(reports, ro));
  }
  bool unreadable = false, failing = false;
  for (const auto& r : reports) {
    if (r.error) {
      unreadable = true;
      if (a.format != "text") std::fprintf(stderr, "rampart: %s\n", r.error->message().c_str());
    }
    for (const auto& f : r.findings) {
      if (f.severity >= *fail_on) failing = true;
    }
  }
  if (unreadable) return kExitUsage;
  return failing ? kExitFindings : kExitOk;
}

void AddScan(CLI::App* parent, CommandContext& ctx, ScanArgs& a) {
  auto* cmd = parent->add_subcommand(
      "scan", "Find code execution in model files (pickle, PyTorch, joblib, numpy, Keras, ONNX, "
              "GGUF, safetensors, archives) without loading them");
  cmd->add_option("paths", a.paths, "Files or directories (walked recursively)");
  cmd->add_option("--format", a.format, "text, json or sarif")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  cmd->add_option("--fail-on", a.fail_on,
                  "Exit 1 if a finding is at or above: info|low|medium|high|critical")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical"}));
  cmd->add_option("--min-severity", a.min_severity, "Leave out findings below this severity")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical"}));
  cmd->add_option("--policy", a.policies,
                  "Policy file extending the default (repeatable; see --print-default-policy)");
  cmd->add_option("-j,--jobs", a.jobs, "Files scanned in parallel (default: one per core)");
  cmd->add_flag("--follow-symlinks", a.follow_symlinks, "Scan symlink targets instead of reporting them");
  cmd->add_option("--max-depth", a.max_depth, "Containers nested inside containers")
      ->check(CLI::Range(1, 32));
  cmd->add_flag("--print-default-policy", a.print_policy, "Print the embedded default policy");
  cmd->callback([&ctx, &a] { ctx.exit_code = RunScan(a); });
}

}  // namespace

void RegisterArtifactsCommands(CLI::App& app, CommandContext& ctx) {
  static ScanArgs scan_a, scan_b;
  auto* artifacts = app.add_subcommand("artifacts", "Model and dataset artifacts: scan, sign, verify, manifest");
  artifacts->require_subcommand(1);
  AddScan(artifacts, ctx, scan_a);
  AddScan(&app, ctx, scan_b);
}

}  // namespace rampart::cli
