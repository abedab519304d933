// `rampart assess ESTATE`: the control matrix filled from evidence
// (docs/formats/controls.md). The posture library links no other pillar: this
// command runs the estate, zones and gateway checks in process, reads evidence
// files, and hands everything to posture::Assess as Evidence records.
//
// `rampart assess evidence --kind K --estate ESTATE FILE` wraps a tool's
// output into an evidence envelope.
#include <unistd.h>

#include <algorithm>
#include <set>

#include "cli/cli.h"
#include "cli/ledger_out.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/json.h"
#include "core/yaml.h"
#include "estate/loader.h"
#include "gateway/config.h"
#include "ledger/note.h"
#include "ledger/store.h"
#include "ledger/verify.h"
#include "posture/assess.h"
#include "posture/controls.h"
#include "posture/diff.h"
#include "posture/evidence.h"
#include "posture/record.h"
#include "posture/report.h"
#include "zones/check.h"
#include "zones/lateral.h"

namespace rampart::cli {
namespace {

namespace fs = std::filesystem;
using posture::Detail;
using posture::Evidence;
using posture::LiveEvidence;
using posture::State;

constexpr std::uint64_t kMaxEvidenceBytes = 16u << 20;

struct AssessArgs {
  std::vector<std::string> estate;
  std::string evidence_dir;
  std::string controls;
  std::string format = "text";
  std::string html;
  std::string now;
  std::string max_age = "7d";
  std::string evidence_key;
  std::string ledger_store;
  std::string ledger_pub;
  bool print_digest = false;
  LedgerOutArgs record;  // --ledger: record the assessment (posture.assessed)
};

// ---- live checks: the zones pillar -------------------------------------------

void ZonesEvidence(const estate::Estate& e, const std::string& time, std::vector<Evidence>* out,
                   std::vector<posture::PathView>* views) {
  std::vector<Detail> details;
  for (const auto& f : zones::CheckInvariants(e))
    details.push_back({f.message + " [" + f.code + "]", f.where});
  State st = details.empty() ? State::kPass : State::kFail;
  std::string reason =
      details.empty() ? "" : std::to_string(details.size()) + " segmentation finding(s)";
  out->push_back(LiveEvidence("zones.invariants", "rampart zones check", time, st,
                              std::move(reason), std::move(details)));

  // Lateral paths from the exposed entry points to the crown jewels, split by
  // what the target holds: datasets, or weights/registries/secrets.
  zones::EstateGraph g(e);
  std::vector<int> data, models;
  auto holds = [&](const std::string& node, auto pred) {
    for (const auto& a : e.assets) {
      if (!a.crown_jewel || !pred(a.kind)) continue;
      if (a.service == node || (a.service.empty() && a.zone == node)) return true;
    }
    return false;
  };
  for (const auto& [n, note] : g.CrownJewels()) {
    std::string name = g.Name(n);
    if (holds(name, [](estate::AssetKind k) { return k == estate::AssetKind::kDataset; }))
      data.push_back(n);
    if (holds(name, [](estate::AssetKind k) { return k != estate::AssetKind::kDataset; }))
      models.push_back(n);
  }
  auto paths = [&](const char* check, const std::vector<int>& targets, const char* what) {
    std::vector<Detail> ds;
    for (const auto& p : zones::ShortestPaths(g, g.Exposed(), targets, 100)) {
      SourceLocation where;
      if (!p.hops.empty()) {
        const auto& last = p.hops.back();
        auto flows = g.FlowsOf(g.Find(last.from), g.Find(last.to));
        if (!flows.empty()) where = flows.front()->where;
      }
      ds.push_back({p.ToString(), where});
      posture::PathView v;
      for (const auto& hop : p.hops) {
        if (v.nodes.empty()) v.nodes.push_back(hop.from);
        v.nodes.push_back(hop.to);
        v.rules.push_back(hop.rule);
      }
      for (const auto& [n, note] : g.CrownJewels())
        if (g.Name(n) == p.target) v.target_note = "crown jewels: " + note;
      bool seen = false;
      for (const auto& x : *views) seen |= x.nodes == v.nodes;
      if (!seen) views->push_back(std::move(v));
    }
    State s = ds.empty() ? State::kPass : State::kFail;
    std::string r =
        ds.empty() ? "" : std::to_string(ds.size()) + " lateral path(s) to crown-jewel " + what;
    out->push_back(LiveEvidence(check, "rampart zones paths --to crown-jewels", time, s,
                                std::move(r), std::move(ds)));
  };
  paths("zones.paths-to-data", data, "data");
  paths("zones.paths-to-models", models, "weights, registries or keys");
}

// ---- live checks: the gateway configuration ----------------------------------

void GatewayEvidence(const estate::Estate& e, const std::string& time, std::vector<Evidence>* out) {
  const char* kSource = "estate gateway: section";
  const std::vector<std::string> ids = {"gateway.auth",   "gateway.authz", "gateway.limits",
                                        "gateway.guards", "gateway.tls",   "gateway.audit"};
  bool has_inference = false, has_gateway = false, has_ledger = false;
  for (const auto& s : e.services) {
    has_inference |= s.kind == estate::ServiceKind::kInference;
    has_gateway |= s.kind == estate::ServiceKind::kGateway;
    has_ledger |= s.kind == estate::ServiceKind::kLedger;
  }
  const estate::Section* section = e.FindSection("gateway");
  auto all = [&](State s, const std::string& reason, std::vector<Detail> d) {
    for (const auto& id : ids) out->push_back(LiveEvidence(id, kSource, time, s, reason, d));
  };
  if (!section) {
    if (!has_inference && !has_gateway) return all(State::kNotApplicable, "no inference", {});
    return all(State::kFail, "no Rampart gateway configured in front of the inference services",
               {});
  }
  Diagnostics diags;
  auto cfg = gateway::LoadGatewayConfig(e, "var", "127.0.0.1", &diags);
  if (!cfg) {
    std::vector<Detail> d;
    for (const auto& x : diags.items())
      if (x.severity == Severity::kError) d.push_back({x.message, x.location});
    return all(State::kInvalid, "the gateway configuration does not load", std::move(d));
  }
  const YAML::Node& root = section->node;
  auto at = [&](const char* key) {
    YAML::Node n = root[key];
    return n ? LocationOf(n, section->file) : LocationOf(root, section->file);
  };
  auto emit = [&](const std::string& id, std::vector<Detail> problems, std::string reason,
                  std::vector<Detail> notes = {}) {
    State s = problems.empty() ? State::kPass : State::kFail;
    if (problems.empty()) problems = std::move(notes);
    out->push_back(LiveEvidence(id, kSource, time, s,
                                problems.empty() || s == State::kPass ? "" : std::move(reason),
                                std::move(problems)));
  };
  // Authentication.
  {
    std::vector<std::string> methods;
    if (cfg->auth.api_keys) methods.push_back("API keys");
    if (!cfg->auth.jwks.empty()) methods.push_back("JWT");
    if (cfg->auth.mtls && !cfg->listener.client_ca.empty()) methods.push_back("mTLS");
    std::string m;
    for (const auto& x : methods) m += (m.empty() ? "" : ", ") + x;
    if (methods.empty())
      emit("gateway.auth", {{"no authentication method enabled", at("auth")}},
           "requests cannot be authenticated");
    else
      emit("gateway.auth", {}, "", {{"every route requires one of: " + m, at("auth")}});
  }
  // Authorization per model.
  {
    std::vector<Detail> problems, notes;
    if (cfg->access.empty())
      problems.push_back({"no access rule: the gateway denies everything", at("access")});
    for (const auto& r : cfg->access) {
      bool any_model = std::find(r.models.begin(), r.models.end(), "*") != r.models.end();
      bool admin_only = !r.roles.empty() && r.identities.empty() &&
                        std::all_of(r.roles.begin(), r.roles.end(), [&](const std::string& x) {
                          return std::find(cfg->admin_roles.begin(), cfg->admin_roles.end(), x) !=
                                 cfg->admin_roles.end();
                        });
      std::string label = r.name.empty() ? "an access rule" : "access rule '" + r.name + "'";
      if (any_model && !admin_only)
        problems.push_back({label + " grants every model (\"*\") outside admin_roles", r.where});
      else
        notes.push_back({label + ": " + std::to_string(r.models.size()) + " model(s)", r.where});
    }
    emit("gateway.authz", std::move(problems), "access rules grant models wholesale",
         std::move(notes));
  }
  // Limits.
  {
    const auto& rl = cfg->rate_limits;
    if (rl.default_identity.empty())
      emit("gateway.limits",
           {{"no default per-identity limit (requests per second or concurrency)",
             at("rate_limits")}},
           "identities without a limit");
    else
      emit("gateway.limits", {}, "",
           {{"default identity limit set; " + std::to_string(rl.identities.size()) +
                 " identity and " + std::to_string(rl.models.size()) + " model override(s)",
             at("rate_limits")}});
  }
  // Guards.
  {
    YAML::Node g = root["guards"];
    std::vector<Detail> problems;
    if (!g || !g.IsMap()) {
      problems.push_back({"no guards: prompts and responses are not inspected", at("guards")});
    } else {
      YAML::Node rules = g["rules"];
      std::string action = rules && rules.IsMap() && rules["action"] && rules["action"].IsScalar()
                               ? rules["action"].as<std::string>()
                               : "";
      if (action != "block")
        problems.push_back({"prompt rules do not block (rules.action: block)",
                            LocationOf(rules ? rules : g, section->file)});
      if (!g["output"]) problems.push_back({"no output guards", LocationOf(g, section->file)});
    }
    emit("gateway.guards", std::move(problems), "guards incomplete",
         {{"prompt rules block; output guards on", at("guards")}});
  }
  // TLS.
  if (cfg->listener.tls())
    emit("gateway.tls", {}, "", {{"listener terminates TLS", at("tls")}});
  else
    emit("gateway.tls", {{"the listener serves plain HTTP (no tls: cert/key)", at("listen")}},
         "traffic to the gateway is not encrypted");
  // Audit.
  {
    std::vector<Detail> problems;
    if (!cfg->audit.enabled) problems.push_back({"audit is disabled", at("audit")});
    if (!has_ledger)
      problems.push_back({"the estate has no ledger service to receive audit records", {}});
    emit("gateway.audit", std::move(problems), "gateway decisions are not audited",
         {{"every decision is batched into the ledger", at("audit")}});
  }
}

// ---- live check: the ledger, verified against its pinned key ------------------

Evidence LedgerEvidence(const std::string& store_url, const std::string& pub,
                        const std::string& time) {
  std::string source = "rampart ledger verify --store " + store_url;
  auto invalid = [&](std::string reason) {
    return LiveEvidence("ledger.verify", source, time, State::kInvalid, std::move(reason), {});
  };
  auto text = ReadFile(pub, 4096);
  if (!text) return invalid(text.error().message());
  auto verifier = ledger::NoteVerifier::Parse(*text);
  if (!verifier) return invalid(pub + ": " + verifier.error().message());
  if (store_url.starts_with("sqlite:")) {
    std::string path = store_url.substr(7);
    if (path.starts_with("//")) path = path.substr(2);
    std::error_code ec;
    if (!fs::exists(path, ec)) return invalid("no ledger at " + path);
  }
  auto store = ledger::OpenStore(store_url);
  if (!store) return invalid(store.error().message());
  auto report = ledger::VerifyLog(**store, *verifier);
  if (!report) return invalid(report.error().message());
  std::vector<Detail> details;
  for (const auto& p : report->problems) details.push_back({p, {}});
  if (report->ok())
    details.push_back({std::to_string(report->entries) + " entries match all " +
                           std::to_string(report->checkpoints) + " signed checkpoints",
                       {}});
  return LiveEvidence("ledger.verify", source, time, report->ok() ? State::kPass : State::kFail,
                      report->ok() ? "" : "the ledger does not verify", std::move(details));
}

// ---- evidence files -----------------------------------------------------------

Result<std::vector<Evidence>> ReadEvidenceDir(const std::string& dir,
                                              const posture::EvidenceContext& ctx,
                                              const posture::Controls& controls) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return InvalidArgumentError("--evidence " + dir + ": not a directory");
  std::vector<fs::path> files;
  for (const auto& ent : fs::directory_iterator(dir, ec))
    if (ent.path().extension() == ".json") files.push_back(ent.path());
  if (ec) return InvalidArgumentError("--evidence " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<Evidence> out;
  for (const auto& f : files) {
    auto bytes = ReadFile(f, kMaxEvidenceBytes);
    std::string name = f.filename().string();
    if (!bytes) {
      Evidence e;
      e.source = name;
      e.state = State::kInvalid;
      e.reason = bytes.error().message();
      out.push_back(std::move(e));
      continue;
    }
    for (auto& e : posture::EvaluateEvidenceFile(*bytes, name, ctx, controls))
      out.push_back(std::move(e));
  }
  return out;
}

Result<std::string> ReadEstateDigest(const std::vector<std::string>& files) {
  std::vector<std::string> contents;
  for (const auto& f : files) {
    auto c = ReadFile(f);
    if (!c) return c.error();
    contents.push_back(std::move(*c));
  }
  return posture::EstateDigest(contents);
}

int Assess(const AssessArgs& a) {
  if (a.estate.empty()) return ReportError(InvalidArgumentError("name an estate file"));
  auto digest = ReadEstateDigest(a.estate);
  if (!digest) return ReportError(digest.error());
  if (a.print_digest) {
    PrintOut(*digest + "\n");
    return kExitOk;
  }
  Clock::SystemTime now = std::chrono::system_clock::now();
  if (!a.now.empty() && !ParseRfc3339(a.now, &now))
    return ReportError(
        InvalidArgumentError("--now: expected an RFC 3339 time, e.g. "
                             "2026-12-07T00:00:00Z"));
  std::string time = FormatRfc3339(now);
  if (a.ledger_store.empty() != a.ledger_pub.empty())
    return ReportError(InvalidArgumentError(
        "--ledger-store and --ledger-pub go together: the ledger is verified against its "
        "pinned verifier key"));
  auto max_age = posture::ParseMaxAge(a.max_age);
  if (!max_age) return ReportError(max_age.error());
  // Opened before anything is assessed, so a wrong --ledger fails first.
  std::unique_ptr<LedgerOut> record;
  if (!a.record.target.empty()) {
    auto r = LedgerOut::Open(a.record, "rampart-assess");
    if (!r) return ReportError(r.error());
    record = std::move(*r);
  }

  // The matrix.
  std::string controls_text(posture::DefaultControlsText());
  std::string controls_name = "controls.yaml (built in)";
  if (!a.controls.empty()) {
    auto t = ReadFile(a.controls);
    if (!t) return ReportError(t.error());
    controls_text = std::move(*t);
    controls_name = a.controls;
  }
  Diagnostics cdiags;
  auto controls = posture::LoadControls(controls_text, controls_name, &cdiags);
  if (!controls) {
    if (!cdiags.items().empty()) std::fputs((cdiags.ToString() + "\n").c_str(), stderr);
    return ReportError(controls.error());
  }

  // The estate; its validation is the first piece of evidence.
  std::vector<fs::path> paths(a.estate.begin(), a.estate.end());
  auto loaded = estate::LoadFiles(paths);
  if (!loaded) return ReportError(loaded.error());
  if (loaded->diagnostics.has_errors()) {
    std::fputs((loaded->diagnostics.ToString() + "\n").c_str(), stderr);
    std::fputs("rampart: the estate has errors; fix them first (rampart estate check)\n", stderr);
    return kExitFindings;
  }
  const estate::Estate& e = loaded->estate;
  std::vector<Evidence> evidence;
  {
    std::vector<Detail> warnings;
    for (const auto& d : loaded->diagnostics.items())
      warnings.push_back({"warning: " + d.message + " [" + d.code + "]", d.location});
    evidence.push_back(LiveEvidence("estate.valid", "rampart estate check", time, State::kPass, "",
                                    std::move(warnings)));
  }
  std::vector<posture::PathView> views;
  ZonesEvidence(e, time, &evidence, &views);
  GatewayEvidence(e, time, &evidence);

  if (!a.ledger_store.empty())
    evidence.push_back(LedgerEvidence(a.ledger_store, a.ledger_pub, time));
  if (!a.evidence_dir.empty()) {
    posture::EvidenceContext ctx;
    ctx.estate_digest = *digest;
    ctx.now = now;
    ctx.max_age = *max_age;
    if (!a.evidence_key.empty()) {
      auto pem = ReadFile(a.evidence_key);
      if (!pem) return ReportError(pem.error());
      auto key = crypto::PublicKey::FromPem(*pem);
      if (!key) return ReportError(key.error().WithContext(a.evidence_key));
      ctx.key = std::move(*key);
    }
    auto files = ReadEvidenceDir(a.evidence_dir, ctx, *controls);
    if (!files) return ReportError(files.error());
    for (auto& x : *files) evidence.push_back(std::move(x));
  }

  posture::Assessment result = posture::Assess(*controls, e, *digest, time, std::move(evidence));
  result.paths = std::move(views);
  std::string report_json = posture::ToJson(result);
  if (record) {
    // Recorded before the report is written or printed: a report means the
    // ledger holds its digest.
    Status st = record->Record(posture::AssessedEvent(
        result, posture::DigestOf(controls_text), posture::DigestOf(report_json), record->actor()));
    if (!st.ok()) return ReportError(st.WithContext("the assessment was not recorded"));
    std::fprintf(stderr, "rampart: recorded posture.assessed (report %s) in the ledger at %s\n",
                 posture::DigestOf(report_json).c_str(), record->where().c_str());
  }
  if (!a.html.empty()) {
    Status st = WriteFileAtomic(a.html, posture::ToHtml(result));
    if (!st.ok()) return ReportError(st.WithContext(a.html));
  }
  if (a.format == "json") {
    PrintOut(report_json);
  } else if (a.format == "sarif") {
    PrintOut(posture::ToSarif(result));
  } else {
    bool color = isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
    PrintOut(posture::ToText(result, color));
  }
  return result.EssentialNotPassing() == 0 ? kExitOk : kExitFindings;
}

// ---- assess evidence: wrap a tool's output -----------------------------------

struct WrapArgs {
  std::string kind;
  std::vector<std::string> estate;
  std::string key;
  std::string source;
  std::string file;
  std::string time;
};

int Wrap(const WrapArgs& a) {
  auto digest = ReadEstateDigest(a.estate);
  if (!digest) return ReportError(digest.error());
  auto text = ReadFile(a.file, kMaxEvidenceBytes);
  if (!text) return ReportError(text.error());
  auto result = ParseJson(*text, {}, a.file);
  if (!result) return ReportError(result.error());
  if (!result->is_object())
    return ReportError(InvalidArgumentError(a.file + ": the tool output must be a JSON object"));
  Clock::SystemTime now = std::chrono::system_clock::now();
  if (!a.time.empty() && !ParseRfc3339(a.time, &now))
    return ReportError(InvalidArgumentError("--time: expected an RFC 3339 time"));
  json::object env;
  env["rampart_evidence"] = 1;
  env["kind"] = a.kind;
  env["estate"] = *digest;
  env["time"] = FormatRfc3339(now);
  env["source"] = a.source.empty() ? a.file : a.source;
  env["result"] = std::move(*result);
  if (!a.key.empty()) {
    auto pem = ReadFile(a.key);
    if (!pem) return ReportError(pem.error());
    auto key = crypto::PrivateKey::FromPem(*pem);
    if (!key) return ReportError(key.error().WithContext(a.key));
    if (key->type() != crypto::KeyType::kEd25519)
      return ReportError(InvalidArgumentError(a.key + ": evidence is signed with Ed25519 keys"));
    auto sig = key->Sign(crypto::AsBytes(CanonicalJson(env)));
    if (!sig) return ReportError(sig.error());
    env["signature"] = json::object{{"alg", "ed25519"}, {"value", Base64Encode(*sig)}};
  }
  PrintOut(ToPrettyJson(env) + "\n");
  return kExitOk;
}

int Diff(const std::string& old_file, const std::string& new_file) {
  auto a = ReadFile(old_file, 64u << 20);
  if (!a) return ReportError(a.error());
  auto b = ReadFile(new_file, 64u << 20);
  if (!b) return ReportError(b.error());
  auto d = posture::DiffAssessments(*a, old_file, *b, new_file);
  if (!d) return ReportError(d.error());
  PrintOut(posture::DiffToText(*d));
  return d->regressions() == 0 ? kExitOk : kExitFindings;
}

}  // namespace

void RegisterAssessCommands(CLI::App& app, CommandContext& ctx) {
  static AssessArgs a;
  auto* cmd = app.add_subcommand("assess", "The security-control matrix filled from evidence");
  cmd->add_option("estate", a.estate, "Estate file(s)");
  cmd->add_option("--evidence", a.evidence_dir, "Directory of evidence envelopes (*.json)");
  cmd->add_option("--controls", a.controls, "Control matrix (YAML; default: built in)");
  cmd->add_option("--format", a.format, "text, json or sarif")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  cmd->add_option("--html", a.html, "Also write a self-contained HTML report to FILE");
  cmd->add_option("--now", a.now, "Assess as of this RFC 3339 time (default: now)");
  cmd->add_option("--max-age", a.max_age, "Evidence older than this is stale (default 7d)");
  cmd->add_option("--evidence-key", a.evidence_key, "Public key (PEM) verifying signed evidence");
  cmd->add_option("--ledger-store", a.ledger_store,
                  "Verify this ledger (sqlite:PATH or postgres://...) in process");
  cmd->add_option("--ledger-pub", a.ledger_pub, "The ledger's verifier key (pinned)");
  cmd->add_flag("--print-digest", a.print_digest, "Print the estate digest evidence binds to");
  AddLedgerOutOptions(cmd, a.record,
                      "Record the assessment (posture.assessed) in this ledger: a service URL "
                      "or a store");
  cmd->callback([&ctx, cmd] {
    if (cmd->get_subcommands().empty()) ctx.exit_code = Assess(a);
  });

  static WrapArgs w;
  auto* wrap = cmd->add_subcommand("evidence", "Wrap a tool's JSON output into evidence");
  wrap->add_option("--kind", w.kind, "scan, verify, ledger-verify or attestation")
      ->required()
      ->check(CLI::IsMember({"scan", "verify", "ledger-verify", "attestation"}));
  wrap->add_option("--estate", w.estate, "The estate file(s) the evidence is about")->required();
  wrap->add_option("--key", w.key, "Ed25519 private key (PEM) to sign the envelope");
  wrap->add_option("--source", w.source, "What produced it (default: the file name)");
  wrap->add_option("--time", w.time, "When it was produced (RFC 3339; default: now)");
  wrap->add_option("file", w.file, "The tool's JSON output")->required();
  wrap->callback([&ctx] { ctx.exit_code = Wrap(w); });

  static std::string diff_old, diff_new;
  auto* diff = cmd->add_subcommand("diff", "What improved or regressed between two assessments");
  diff->add_option("old", diff_old, "The earlier assessment (--format json)")->required();
  diff->add_option("new", diff_new, "The later assessment")->required();
  diff->callback([&ctx] { ctx.exit_code = Diff(diff_old, diff_new); });
}

}  // namespace rampart::cli
