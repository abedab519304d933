// `rampart estate check | show | graph`.
#include <boost/json.hpp>

#include "cli/cli.h"
#include "core/json.h"
#include "estate/graph.h"
#include "estate/loader.h"

namespace rampart::cli {
namespace {

struct EstateArgs {
  std::vector<std::string> files;
  std::string format;
};

std::vector<std::filesystem::path> Paths(const EstateArgs& a) {
  return {a.files.begin(), a.files.end()};
}

void AddFiles(CLI::App* cmd, EstateArgs& a) {
  cmd->add_option("files", a.files, "Estate files or directories (combined)");
  cmd->add_option("-f,--file", a.files, "Estate file or directory; repeatable");
}

boost::json::value DiagnosticsJson(const Diagnostics& d) {
  boost::json::array arr;
  for (const auto& x : d.items()) {
    boost::json::object o;
    o["file"] = x.location.file;
    o["line"] = x.location.line;
    o["column"] = x.location.column;
    o["severity"] = SeverityName(x.severity);
    o["code"] = x.code;
    o["message"] = x.message;
    if (!x.hint.empty()) o["hint"] = x.hint;
    arr.push_back(std::move(o));
  }
  return arr;
}

int Check(const EstateArgs& a) {
  if (a.files.empty()) return ReportError(InvalidArgumentError("estate check: name a file"));
  auto r = estate::LoadFiles(Paths(a));
  if (!r) return ReportError(r.error());
  const auto& d = r->diagnostics;
  if (a.format == "json") {
    boost::json::object o;
    o["ok"] = !d.has_errors();
    o["diagnostics"] = DiagnosticsJson(d);
    PrintOut(ToPrettyJson(o) + "\n");
  } else {
    PrintOut(d.ToString());
    const auto& e = r->estate;
    std::string summary =
        (d.has_errors() ? "estate has " + std::to_string(d.error_count()) + " error(s)"
                        : std::string("estate OK")) +
        ": " + std::to_string(e.zones.size()) + " zones, " + std::to_string(e.assets.size()) +
        " assets, " + std::to_string(e.services.size()) + " services, " +
        std::to_string(e.identities.size()) + " identities, " + std::to_string(e.flows.size()) +
        " flows\n";
    PrintOut(summary);
  }
  return d.has_errors() ? kExitFindings : kExitOk;
}

// Loads for show/graph: validation errors go to stderr and stop the command.
std::optional<estate::Estate> LoadOrReport(const EstateArgs& a, int* rc) {
  if (a.files.empty()) {
    *rc = ReportError(InvalidArgumentError("name an estate file"));
    return std::nullopt;
  }
  auto r = estate::LoadFiles(Paths(a));
  if (!r) {
    *rc = ReportError(r.error());
    return std::nullopt;
  }
  if (r->diagnostics.has_errors()) {
    std::fputs(r->diagnostics.ToString().c_str(), stderr);
    std::fputs("rampart: the estate has errors; fix them first\n", stderr);
    *rc = kExitFindings;
    return std::nullopt;
  }
  return std::move(r->estate);
}

}  // namespace

void RegisterEstateCommands(CLI::App& app, CommandContext& ctx) {
  auto* estate = app.add_subcommand("estate", "The estate: zones, assets, services, flows");
  estate->require_subcommand(1);

  static EstateArgs check_args, show_args, graph_args;
  auto* check = estate->add_subcommand("check", "Validate estate files");
  AddFiles(check, check_args);
  check_args.format = "text";
  check->add_option("--format", check_args.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  check->callback([&ctx] { ctx.exit_code = Check(check_args); });

  auto* show = estate->add_subcommand("show", "Print the normalised estate model");
  AddFiles(show, show_args);
  show_args.format = "text";
  show->add_option("--format", show_args.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  show->callback([&ctx] {
    int rc = kExitOk;
    auto e = LoadOrReport(show_args, &rc);
    if (!e) {
      ctx.exit_code = rc;
      return;
    }
    PrintOut(show_args.format == "json" ? ToPrettyJson(estate::ToJson(*e)) + "\n"
                                        : estate::ToText(*e));
  });

  auto* graph = estate->add_subcommand("graph", "Print the data-flow graph");
  AddFiles(graph, graph_args);
  graph_args.format = "dot";
  graph->add_option("--format", graph_args.format, "dot or json")
      ->check(CLI::IsMember({"dot", "json"}));
  graph->callback([&ctx] {
    int rc = kExitOk;
    auto e = LoadOrReport(graph_args, &rc);
    if (!e) {
      ctx.exit_code = rc;
      return;
    }
    PrintOut(graph_args.format == "json" ? ToPrettyJson(estate::GraphJson(*e)) + "\n"
                                         : estate::GraphDot(*e));
  });
}

}  // namespace rampart::cli
