// `rampart zones compile | apply | check | analyze | paths | diff`.
#include <unistd.h>

#include <boost/json.hpp>

#include "cli/cli.h"
#include "core/file.h"
#include "core/json.h"
#include "core/yaml_doc.h"
#include "estate/loader.h"
#include "zones/analyze.h"
#include "zones/check.h"
#include "zones/diff.h"
#include "zones/estate_model.h"
#include "zones/k8s_compile.h"
#include "zones/lateral.h"
#include "zones/manifest.h"
#include "zones/nft.h"

namespace rampart::cli {
namespace {

namespace fs = std::filesystem;
using namespace rampart::zones;

std::vector<fs::path> Paths(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

// Loads an estate; validation errors stop the command (exit 1), unreadable
// input exits 2.
std::optional<estate::Estate> LoadEstate(const std::vector<std::string>& files, int* rc) {
  if (files.empty()) {
    *rc = ReportError(InvalidArgumentError("name an estate file"));
    return std::nullopt;
  }
  auto r = estate::LoadFiles(Paths(files));
  if (!r) {
    *rc = ReportError(r.error());
    return std::nullopt;
  }
  if (r->diagnostics.has_errors()) {
    std::fputs((r->diagnostics.ToString() + "\n").c_str(), stderr);
    std::fputs("rampart: the estate has errors; fix them first (rampart estate check)\n", stderr);
    *rc = kExitFindings;
    return std::nullopt;
  }
  return std::move(r->estate);
}

void PrintDiagnostics(const Diagnostics& d) {
  for (const auto& x : d.items()) std::fprintf(stderr, "%s\n", x.ToString().c_str());
}

boost::json::array DiagnosticsJson(const Diagnostics& d) {
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

// Writes to -o FILE atomically, or to stdout.
int Emit(const std::string& out_file, const std::string& text) {
  if (out_file.empty() || out_file == "-") {
    PrintOut(text);
    return kExitOk;
  }
  Status st = WriteFileAtomic(out_file, text);
  if (!st.ok()) return ReportError(st.WithContext(out_file));
  return kExitOk;
}

// An estate is a YAML mapping with estate keys and no `kind`; anything else
// is read as Kubernetes manifests.
bool LooksLikeEstate(const fs::path& p) {
  std::error_code ec;
  fs::path file = p;
  if (fs::is_directory(p, ec)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(p, ec)) {
      auto ext = e.path().extension();
      if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(e.path());
    }
    if (files.empty()) return false;
    std::sort(files.begin(), files.end());
    file = files.front();
  }
  auto text = ReadFile(file, 64u << 20);
  if (!text) return false;
  // Only the first document decides; manifests can be large.
  if (auto end = text->find("\n---"); end != std::string::npos) text->resize(end + 1);
  auto stream = ParseYamlStream(*text, file.string());
  if (!stream || stream->documents().empty() || !stream->documents()[0].IsMap()) return false;
  bool estate_key = false, kind = false;
  for (auto [key, value] : stream->documents()[0].Entries()) {
    if (!key.IsScalar()) continue;
    std::string_view k = key.Scalar();
    if (k == "kind") kind = true;
    if (k == "zones" || k == "flows" || k == "services") estate_key = true;
  }
  return estate_key && !kind;
}

// ---- compile / apply -------------------------------------------------------

struct CompileArgs {
  std::vector<std::string> files;
  std::string target = "nft";
  std::string out;
  bool apply = false;
};

int Compile(const CompileArgs& a) {
  int rc = kExitOk;
  auto e = LoadEstate(a.files, &rc);
  if (!e) return rc;
  Diagnostics diags;
  std::string text;
  if (a.target == "nft") {
    EstateModel m = BuildEstateModel(*e, &diags);
    text = CompileNft(m);
  } else if (a.target == "k8s") {
    text = CompileNetworkPolicies(*e, &diags);
  } else {
    text = CompileCilium(*e, &diags);
  }
  PrintDiagnostics(diags);
  if (a.apply) {
    if (a.target != "nft") {
      return ReportError(InvalidArgumentError("--apply loads nftables; use it with --target nft"));
    }
    if (diags.has_errors()) {
      std::fputs("rampart: not applying a ruleset that leaves flows unenforceable\n", stderr);
      return kExitFindings;
    }
    Status st = ApplyNft(text);
    if (!st.ok()) return ReportError(st);
    std::fprintf(stderr, "rampart: loaded table inet %s (nft -c checked, nft -f atomic)\n",
                 kNftTable);
  }
  rc = Emit(a.out, a.apply && a.out.empty() ? "" : text);
  if (rc != kExitOk) return rc;
  return diags.has_errors() ? kExitFindings : kExitOk;
}

// ---- check -----------------------------------------------------------------

boost::json::value FindingsSarif(const std::vector<Finding>& findings) {
  boost::json::array results;
  std::set<std::string> rule_ids;
  for (const auto& f : findings) {
    rule_ids.insert(f.code);
    boost::json::object r;
    r["ruleId"] = f.code;
    r["level"] = "error";
    std::string text = f.message;
    if (!f.flows.empty()) {
      text += " (flows:";
      for (const auto& fl : f.flows) text += " " + fl;
      text += ")";
    }
    r["message"] = {{"text", text}};
    boost::json::object region;
    region["startLine"] = std::max(1, f.where.line);
    region["startColumn"] = std::max(1, f.where.column);
    r["locations"] = boost::json::array{boost::json::object{
        {"physicalLocation",
         boost::json::object{{"artifactLocation", {{"uri", f.where.file}}}, {"region", region}}}}};
    results.push_back(std::move(r));
  }
  boost::json::array rules;
  for (const auto& id : rule_ids) rules.push_back(boost::json::object{{"id", id}});
  return boost::json::object{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", boost::json::array{boost::json::object{
                   {"tool", {{"driver", {{"name", "rampart-zones"}, {"rules", rules}}}}},
                   {"results", results}}}}};
}

int Check(const std::vector<std::string>& files, const std::string& format) {
  int rc = kExitOk;
  auto e = LoadEstate(files, &rc);
  if (!e) return rc;
  auto findings = CheckInvariants(*e);
  if (format == "json") {
    boost::json::array arr;
    for (const auto& f : findings) {
      boost::json::object o;
      o["code"] = f.code;
      o["message"] = f.message;
      o["file"] = f.where.file;
      o["line"] = f.where.line;
      o["column"] = f.where.column;
      boost::json::array flows;
      for (const auto& fl : f.flows) flows.push_back(boost::json::value(fl));
      o["flows"] = flows;
      boost::json::array path;
      for (const auto& h : f.path) {
        path.push_back(boost::json::object{{"from", h.from}, {"to", h.to}, {"rule", h.rule}});
      }
      o["path"] = path;
      o["hint"] = f.hint;
      arr.push_back(std::move(o));
    }
    PrintOut(ToPrettyJson(boost::json::object{{"ok", findings.empty()}, {"findings", arr}}) + "\n");
  } else if (format == "sarif") {
    PrintOut(ToPrettyJson(FindingsSarif(findings)) + "\n");
  } else {
    for (const auto& f : findings) {
      Diagnostic d{Severity::kError, f.where, f.code, f.message, ""};
      std::string s = d.ToString() + "\n";
      if (!f.flows.empty()) {
        s += "  flows:";
        for (const auto& fl : f.flows) s += " " + fl;
        s += "\n";
      }
      if (!f.hint.empty()) s += "  hint: " + f.hint + "\n";
      PrintOut(s);
    }
    PrintOut(findings.empty() ? "zones OK: no segmentation findings\n"
                              : std::to_string(findings.size()) + " segmentation finding(s)\n");
  }
  return findings.empty() ? kExitOk : kExitFindings;
}

// ---- analyze ---------------------------------------------------------------

struct AnalyzeArgs {
  std::vector<std::string> paths;
  std::string format = "text";
  std::vector<std::string> explain;
  std::string out;
};

std::string Dot(const Connectivity& c, const std::vector<Connection>& conns) {
  std::map<std::string, std::vector<std::string>> by_ns;
  std::set<std::string> ips;
  bool controller = false;
  for (const auto* w : c.workloads()) by_ns[w->ns].push_back(w->Id());
  for (const auto& x : conns) {
    for (const auto* p : {&x.src, &x.dst}) {
      if (*p == kIngressControllerName) {
        controller = true;
      } else if (p->find('/') == std::string::npos) {
        ips.insert(*p);
      }
    }
  }
  std::string out = "digraph {\n";
  for (auto& [ns, ids] : by_ns) {
    std::sort(ids.begin(), ids.end());
    out += "\tsubgraph \"cluster_" + ns + "\" {\n";
    for (const auto& id : ids) {
      out += "\t\t\"" + id + "\" [label=\"" + id.substr(ns.size() + 1) +
             "\" color=\"blue\" fontcolor=\"blue\"]\n";
    }
    out += "\t\tlabel=\"" + ns + "\"\n\t}\n";
  }
  for (const auto& ip : ips) {
    out += "\t\"" + ip + "\" [label=\"" + ip + "\" color=\"red2\" fontcolor=\"red2\"]\n";
  }
  if (controller) {
    std::string n(kIngressControllerName);
    out += "\t\"" + n + "\" [label=\"" + n + "\" color=\"blue\" fontcolor=\"blue\"]\n";
  }
  for (const auto& x : conns) {
    out += "\t\"" + x.src + "\" -> \"" + x.dst + "\" [label=\"" + x.conns.ToString() +
           "\" color=\"gold2\" fontcolor=\"darkgreen\"]\n";
  }
  return out + "}\n";
}

std::optional<Cluster> LoadCluster(const std::vector<std::string>& paths, Diagnostics* diags,
                                   int* rc) {
  if (paths.empty()) {
    *rc = ReportError(InvalidArgumentError("name manifest files or directories"));
    return std::nullopt;
  }
  auto c = LoadManifests(Paths(paths), diags);
  if (!c) {
    *rc = ReportError(c.error());
    return std::nullopt;
  }
  return std::move(*c);
}

void ReportSkipped(const Cluster& c, const Diagnostics& diags) {
  PrintDiagnostics(diags);
  if (!c.skipped.empty()) {
    std::fprintf(stderr, "rampart: %zu object(s) or file(s) skipped; the rest was analysed\n",
                 c.skipped.size());
  }
}

int Analyze(const AnalyzeArgs& a) {
  Diagnostics diags;
  int rc = kExitOk;
  auto cluster = LoadCluster(a.paths, &diags, &rc);
  if (!cluster) return rc;
  ReportSkipped(*cluster, diags);
  Connectivity conn = zones::Analyze(*cluster);
  std::string text;
  if (!a.explain.empty()) {
    auto src = conn.FindPeer(a.explain[0]);
    auto dst = conn.FindPeer(a.explain[1]);
    if (!src || !dst) {
      return ReportError(InvalidArgumentError(
          "--explain: unknown peer '" + (src ? a.explain[1] : a.explain[0]) +
          "'; name a workload as ns/name or ns/name[Kind], or an IPv4 address"));
    }
    for (const auto& line : conn.Explain(*src, *dst)) text += line + "\n";
  } else {
    auto list = conn.List();
    if (a.format == "json") {
      // Streamed, in ToPrettyJson's layout: a cluster's list runs to
      // hundreds of thousands of connections, too many to build as values.
      std::size_t size = 0;
      for (const auto& x : list) size += x.src.size() + x.dst.size() + 96;
      text.reserve(size);
      text = list.empty() ? "{\n  \"connections\": []" : "{\n  \"connections\": [\n";
      for (std::size_t i = 0; i < list.size(); ++i) {
        text += "    {\n      \"src\": ";
        AppendJsonString(list[i].src, &text);
        text += ",\n      \"dst\": ";
        AppendJsonString(list[i].dst, &text);
        text += ",\n      \"conn\": ";
        AppendJsonString(list[i].conns.ToString(), &text);
        text += i + 1 < list.size() ? "\n    },\n" : "\n    }\n  ]";
      }
      boost::json::array skipped;
      for (const auto& s : cluster->skipped) skipped.push_back(boost::json::value(s));
      text += ",\n  \"skipped\": ";
      AppendPrettyJson(skipped, 1, &text);
      text += ",\n  \"diagnostics\": ";
      AppendPrettyJson(DiagnosticsJson(diags), 1, &text);
      text += "\n}\n";
    } else if (a.format == "dot") {
      text = Dot(conn, list);
    } else {
      text = ConnectionsText(list);
    }
  }
  rc = Emit(a.out, text);
  if (rc != kExitOk) return rc;
  // Errors mean part of the input was not analysed: the answer is incomplete.
  return diags.has_errors() ? kExitUsage : kExitOk;
}

// ---- paths -----------------------------------------------------------------

struct PathsArgs {
  std::vector<std::string> paths;
  std::string from = "exposed";
  std::string to = "crown-jewels";
  std::string format = "text";
  std::size_t limit = 100;
};

int PrintPaths(const std::vector<LateralPath>& paths, const std::string& format) {
  if (format == "json") {
    boost::json::array arr;
    for (const auto& p : paths) {
      boost::json::array hops;
      for (const auto& h : p.hops) {
        hops.push_back(boost::json::object{{"from", h.from}, {"to", h.to}, {"rule", h.rule}});
      }
      arr.push_back(boost::json::object{{"source", p.source},
                                        {"target", p.target},
                                        {"target_note", p.target_note},
                                        {"hops", p.hops.size()},
                                        {"path", hops}});
    }
    PrintOut(ToPrettyJson(boost::json::object{{"paths", arr}}) + "\n");
  } else {
    for (const auto& p : paths) {
      std::string s = std::to_string(p.hops.size()) + " hop(s): " + p.source + " -> " + p.target;
      if (!p.target_note.empty()) s += " (" + p.target_note + ")";
      s += "\n";
      for (const auto& h : p.hops) s += "  " + h.from + " -> " + h.to + "  [" + h.rule + "]\n";
      PrintOut(s);
    }
    PrintOut(std::to_string(paths.size()) + " lateral path(s)\n");
  }
  return paths.empty() ? kExitOk : kExitFindings;
}

int LateralPaths(const PathsArgs& a) {
  if (a.paths.empty()) return ReportError(InvalidArgumentError("name an estate or manifests"));
  if (LooksLikeEstate(a.paths.front())) {
    int rc = kExitOk;
    auto e = LoadEstate(a.paths, &rc);
    if (!e) return rc;
    EstateGraph g(*e);
    std::vector<int> sources, targets;
    std::map<std::string, std::string> notes;
    if (a.from == "exposed") {
      sources = g.Exposed();
    } else if (int n = g.Find(a.from); n >= 0) {
      sources = {n};
    } else {
      return ReportError(InvalidArgumentError("--from: no service or zone '" + a.from + "'"));
    }
    if (a.to == "crown-jewels") {
      for (const auto& [n, note] : g.CrownJewels()) {
        targets.push_back(n);
        notes[g.Name(n)] = "crown jewels: " + note;
      }
    } else if (int n = g.Find(a.to); n >= 0) {
      targets = {n};
    } else {
      return ReportError(InvalidArgumentError("--to: no service or zone '" + a.to + "'"));
    }
    auto paths = ShortestPaths(g, sources, targets, a.limit);
    for (auto& p : paths) p.target_note = notes[p.target];
    return PrintPaths(paths, a.format);
  }
  Diagnostics diags;
  int rc = kExitOk;
  auto cluster = LoadCluster(a.paths, &diags, &rc);
  if (!cluster) return rc;
  ReportSkipped(*cluster, diags);
  Connectivity conn = zones::Analyze(*cluster);
  ClusterGraph g(conn);
  std::vector<int> sources, targets;
  auto pick = [&](const std::string& what, std::vector<int> named, std::vector<int>* out) {
    if (what == "exposed" || what == "crown-jewels") {
      *out = std::move(named);
      return true;
    }
    auto p = conn.FindPeer(what);
    if (!p) return false;
    *out = {p->is_ip ? static_cast<int>(conn.workloads().size()) + p->index : p->index};
    return true;
  };
  if (!pick(a.from, g.Exposed(), &sources)) {
    return ReportError(InvalidArgumentError("--from: no workload '" + a.from + "'"));
  }
  if (!pick(a.to, g.CrownJewels(), &targets)) {
    return ReportError(InvalidArgumentError("--to: no workload '" + a.to + "'"));
  }
  if (a.to == "crown-jewels" && targets.empty()) {
    std::fprintf(stderr,
                 "rampart: no workload is labelled %s=true; label the crown jewels' pod "
                 "templates, or name one with --to\n",
                 kCrownJewelLabel);
  }
  return PrintPaths(ShortestPaths(g, sources, targets, a.limit), a.format);
}

// ---- diff ------------------------------------------------------------------

int Diff(const std::string& a, const std::string& b, const std::string& format) {
  std::vector<DiffEntry> entries;
  bool estate_a = LooksLikeEstate(a), estate_b = LooksLikeEstate(b);
  if (estate_a != estate_b) {
    return ReportError(
        InvalidArgumentError("diff: compare two estates or two sets of manifests, "
                             "not one of each"));
  }
  if (estate_a) {
    int rc = kExitOk;
    auto ea = LoadEstate({a}, &rc);
    if (!ea) return rc;
    auto eb = LoadEstate({b}, &rc);
    if (!eb) return rc;
    entries = DiffEstates(*ea, *eb);
  } else {
    Diagnostics da, db;
    int rc = kExitOk;
    auto ca = LoadCluster({a}, &da, &rc);
    if (!ca) return rc;
    auto cb = LoadCluster({b}, &db, &rc);
    if (!cb) return rc;
    ReportSkipped(*ca, da);
    ReportSkipped(*cb, db);
    Connectivity xa = zones::Analyze(*ca), xb = zones::Analyze(*cb);
    entries = DiffConnectivity(xa, xb);
    if (da.has_errors() || db.has_errors()) {
      std::fputs("rampart: parts of the input were skipped; the diff covers the rest\n", stderr);
    }
  }
  if (format == "json") {
    boost::json::array arr;
    for (const auto& d : entries) {
      arr.push_back(boost::json::object{{"diff-type", d.kind},
                                        {"src", d.src},
                                        {"dst", d.dst},
                                        {"dir1", d.before.ToString()},
                                        {"dir2", d.after.ToString()},
                                        {"workloads-diff-info", d.info}});
    }
    PrintOut(ToPrettyJson(boost::json::object{{"diff", arr}}) + "\n");
  } else {
    std::string text = "Connectivity diff:\n";
    for (const auto& d : entries) text += d.ToString() + "\n";
    PrintOut(text);
  }
  return entries.empty() ? kExitOk : kExitFindings;
}

}  // namespace

void RegisterZonesCommands(CLI::App& app, CommandContext& ctx) {
  auto* zones = app.add_subcommand("zones", "Zero-trust segmentation: compile, analyze, enforce");
  zones->require_subcommand(1);

  static CompileArgs compile_args;
  auto* compile = zones->add_subcommand("compile", "Compile the estate's zones to a target");
  compile->add_option("estate", compile_args.files, "Estate files or directories")->required();
  compile->add_option("--target", compile_args.target, "nft, k8s or cilium")
      ->check(CLI::IsMember({"nft", "k8s", "cilium"}));
  compile->add_option("-o,--output", compile_args.out, "Write to FILE (atomically)");
  compile->add_flag("--apply", compile_args.apply,
                    "nft only: check with nft -c, then load atomically with nft -f");
  compile->callback([&ctx] { ctx.exit_code = Compile(compile_args); });

  static CompileArgs apply_args;
  auto* apply = zones->add_subcommand("apply", "Compile to nftables, check and load atomically");
  apply->add_option("estate", apply_args.files, "Estate files or directories")->required();
  apply->callback([&ctx] {
    apply_args.target = "nft";
    apply_args.apply = true;
    ctx.exit_code = Compile(apply_args);
  });

  static std::vector<std::string> check_files;
  static std::string check_format = "text";
  auto* check = zones->add_subcommand("check", "Check the AI-cluster segmentation invariants");
  check->add_option("estate", check_files, "Estate files or directories")->required();
  check->add_option("--format", check_format, "text, json or sarif")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  check->callback([&ctx] { ctx.exit_code = Check(check_files, check_format); });

  static AnalyzeArgs analyze_args;
  auto* analyze = zones->add_subcommand(
      "analyze", "Connectivity allowed by Kubernetes NetworkPolicies (np-guard convention)");
  analyze->add_option("paths", analyze_args.paths, "Manifest files or directories")->required();
  analyze->add_option("--format", analyze_args.format, "text, json or dot")
      ->check(CLI::IsMember({"text", "json", "dot"}));
  analyze
      ->add_option("--explain", analyze_args.explain,
                   "SRC DST: the policies and rules that allow or deny the pair")
      ->expected(2);
  analyze->add_option("-o,--output", analyze_args.out, "Write to FILE (atomically)");
  analyze->callback([&ctx] { ctx.exit_code = Analyze(analyze_args); });

  static PathsArgs paths_args;
  auto* paths = zones->add_subcommand("paths", "Multi-hop lateral paths to the crown jewels");
  paths->add_option("input", paths_args.paths, "An estate, or Kubernetes manifests")->required();
  paths->add_option("--from", paths_args.from, "exposed (default) or a service/workload name");
  paths->add_option("--to", paths_args.to, "crown-jewels (default) or a service/workload name");
  paths->add_option("--limit", paths_args.limit, "At most this many paths (default 100)");
  paths->add_option("--format", paths_args.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  paths->callback([&ctx] { ctx.exit_code = LateralPaths(paths_args); });

  static std::string diff_a, diff_b, diff_format = "text";
  auto* diff = zones->add_subcommand("diff", "Connections added and removed between A and B");
  diff->add_option("a", diff_a, "Estate or manifests (before)")->required();
  diff->add_option("b", diff_b, "Estate or manifests (after)")->required();
  diff->add_option("--format", diff_format, "text or json")->check(CLI::IsMember({"text", "json"}));
  diff->callback([&ctx] { ctx.exit_code = Diff(diff_a, diff_b, diff_format); });
}

}  // namespace rampart::cli
