// `rampart artifacts scan | sign | verify | manifest`, with the top-level
// aliases users expect: `rampart scan`, `rampart sign`, `rampart verify`,
// `rampart manifest`.
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>

#include "artifacts/audit_events.h"
#include "artifacts/dataset_manifest.h"
#include "artifacts/oms.h"
#include "artifacts/policy.h"
#include "artifacts/report.h"
#include "artifacts/scanner.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/http_audit_sink.h"
#include "core/json.h"

#ifndef RAMPART_VERSION
#define RAMPART_VERSION "0.0.0"
#endif

#define RAMPART_RETURN_IF_ERROR_CLI(expr)                                \
  do {                                                                   \
    if (::rampart::Status _s = (expr); !_s.ok()) return ReportError(_s); \
  } while (0)

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
  int max_depth = 0;  // 0: the policy's limits.max_depth
  bool print_policy = false;
};

int RunScan(const ScanArgs& a) {
  if (a.print_policy) {
    PrintOut(DefaultPolicyText());
    return kExitOk;
  }
  if (a.paths.empty())
    return ReportError(InvalidArgumentError("scan: name at least one file or directory"));
  auto fail_on = ParseSeverity(a.fail_on);
  if (!fail_on) return ReportError(fail_on.error().WithContext("--fail-on"));
  auto min_sev = ParseSeverity(a.min_severity);
  if (!min_sev) return ReportError(min_sev.error().WithContext("--min-severity"));
  std::vector<std::filesystem::path> policy_files(a.policies.begin(), a.policies.end());
  auto policy = Policy::Load(policy_files);
  if (!policy) return ReportError(policy.error());
  ScanOptions so = ScanOptions::ForPolicy(*policy);
  so.jobs = a.jobs;
  so.follow_symlinks = a.follow_symlinks;
  if (a.max_depth != 0) so.limits.max_depth = a.max_depth;
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
      "scan",
      "Find code execution in model files (pickle, PyTorch, joblib, numpy, Keras, ONNX, "
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
                  "Policy file extending the default (repeatable; see --print-default-policy)")
      ->allow_extra_args(false);
  cmd->add_option("-j,--jobs", a.jobs, "Files scanned in parallel (default: one per core)");
  cmd->add_flag("--follow-symlinks", a.follow_symlinks,
                "Scan symlink targets instead of reporting them");
  cmd->add_option("--max-depth", a.max_depth,
                  "Containers nested inside containers (default: the policy's limits.max_depth, "
                  "5)")
      ->check(CLI::Range(1, 32));
  cmd->add_flag("--print-default-policy", a.print_policy, "Print the embedded default policy");
  cmd->callback([&ctx, &a] { ctx.exit_code = RunScan(a); });
}

// ---- shared ----------------------------------------------------------------

Result<std::uint64_t> ParseSize(const std::string& s) {
  // "1000000000", "1G" (10^9), "512Mi" (2^20).
  std::uint64_t mult = 1;
  std::string num = s;
  struct Suffix {
    const char* s;
    std::uint64_t m;
  };
  for (auto [suf, m] :
       {Suffix{"Ki", 1ull << 10}, Suffix{"Mi", 1ull << 20}, Suffix{"Gi", 1ull << 30},
        Suffix{"K", 1000ull}, Suffix{"M", 1000000ull}, Suffix{"G", 1000000000ull}}) {
    if (num.ends_with(suf)) {
      num.resize(num.size() - std::strlen(suf));
      mult = m;
      break;
    }
  }
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  if (ec != std::errc() || p != num.data() + num.size() || v == 0) {
    return InvalidArgumentError("'" + s + "' is not a positive size (e.g. 1000000000, 1G, 512Mi)");
  }
  return v * mult;
}

// Where and as whom `--ledger` records events. The API key comes from
// --ledger-key or $RAMPART_LEDGER_API_KEY (so it stays out of shell history).
struct LedgerArgs {
  std::string url, api_key, actor;
};

void AddLedgerOptions(CLI::App* cmd, LedgerArgs& l, const char* what) {
  cmd->add_option("--ledger", l.url, what);
  cmd->add_option("--ledger-key", l.api_key,
                  "API key for --ledger (default: $RAMPART_LEDGER_API_KEY)");
  cmd->add_option("--actor", l.actor, "Identity recorded as the event's actor (default: $USER)");
}

// Sends one event and waits until the ledger has made it durable. The work
// product (bundle, manifest) is already written when this runs; a failure
// here says so, and the command fails.
Status RecordInLedger(const LedgerArgs& l, AuditEvent event) {
  HttpAuditSinkOptions o;
  o.url = l.url;
  o.api_key = l.api_key;
  if (o.api_key.empty()) {
    if (const char* k = std::getenv("RAMPART_LEDGER_API_KEY")) o.api_key = k;
  }
  auto sink = MakeHttpAuditSink(o);
  if (!sink) return sink.error().WithContext("--ledger " + l.url);
  RAMPART_RETURN_IF_ERROR((*sink)->Append(std::move(event)));
  // Wait for durability, but give up at once on a refused key: retrying
  // cannot fix that.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  Status flushed;
  for (;;) {
    flushed = (*sink)->Flush(std::chrono::milliseconds(200));
    if (flushed.ok()) break;
    int st = (*sink)->last_failure_status();
    if (st == 401 || st == 403) {
      flushed = UnauthenticatedError("the ledger refused the API key (" + (*sink)->last_failure() +
                                     "); check --ledger-key");
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      std::string why = (*sink)->last_failure();
      flushed = UnavailableError(why.empty() ? flushed.message() : "ledger " + why);
      break;
    }
  }
  if (!flushed.ok() || (*sink)->delivered() != 1) {
    return UnavailableError(
        "--ledger " + l.url + ": the event was not recorded (" +
        (flushed.ok() ? std::string("the ledger refused it") : flushed.message()) +
        "); the output itself was written");
  }
  return OkStatus();
}

std::string Actor(const LedgerArgs& l) {
  if (!l.actor.empty()) return l.actor;
  const char* u = std::getenv("USER");
  return u && *u ? u : "rampart-cli";
}

// ---- sign ------------------------------------------------------------------

struct SignArgs {
  std::string model, key, cert_chain, signing_cert, signature = "model.sig", shard_size;
  std::string hash = "sha256", model_name;
  LedgerArgs ledger;
  std::vector<std::string> ignore_paths;
  bool allow_symlinks = false;
  unsigned threads = 0;
};

int RunSign(const SignArgs& a) {
  auto pem = ReadFile(a.key, 1u << 20);
  if (!pem) return ReportError(pem.error());
  auto key = OmsPrivateKey::FromPem(*pem);
  if (!key) return ReportError(key.error().WithContext(a.key));
  Signer signer{*key, {}};
  if (!a.signing_cert.empty()) {
    auto t = ReadFile(a.signing_cert, 1u << 20);
    if (!t) return ReportError(t.error());
    auto c = crypto::Certificate::FromPem(*t);
    if (!c) return ReportError(c.error().WithContext(a.signing_cert));
    signer.chain.push_back(*c);
  }
  if (!a.cert_chain.empty()) {
    auto t = ReadFile(a.cert_chain, 16u << 20);
    if (!t) return ReportError(t.error());
    auto c = crypto::Certificate::ChainFromPem(*t);
    if (!c) return ReportError(c.error().WithContext(a.cert_chain));
    signer.chain.insert(signer.chain.end(), c->begin(), c->end());
  }
  SignOptions so;
  auto alg = ParseDigestAlgorithm(a.hash);
  if (!alg) return ReportError(alg.error());
  so.hash.algorithm = *alg;
  so.hash.allow_symlinks = a.allow_symlinks;
  so.hash.threads = a.threads;
  so.model_name = a.model_name;
  if (!a.shard_size.empty()) {
    auto s = ParseSize(a.shard_size);
    if (!s) return ReportError(s.error().WithContext("--shard-size"));
    so.hash.shard_size = *s;
  }
  std::filesystem::path model(a.model);
  std::error_code ec;
  bool dir = std::filesystem::is_directory(model, ec);
  for (const auto& p : a.ignore_paths) {
    std::filesystem::path pp(p);
    std::string rel = pp.is_absolute() || std::filesystem::exists(pp, ec)
                          ? std::filesystem::weakly_canonical(pp, ec)
                                .lexically_relative(std::filesystem::weakly_canonical(model, ec))
                                .generic_string()
                          : p;
    if (rel.empty() || rel.starts_with("..")) continue;
    so.hash.ignore_paths.push_back(rel);
  }
  // The signature never signs itself.
  if (dir) {
    auto rel = std::filesystem::weakly_canonical(a.signature, ec)
                   .lexically_relative(std::filesystem::weakly_canonical(model, ec))
                   .generic_string();
    if (!rel.empty() && !rel.starts_with("..")) so.hash.ignore_paths.push_back(rel);
  }
  Statement st;
  auto bundle = SignModel(model, signer, so, &st);
  if (!bundle) return ReportError(bundle.error());
  Status w = WriteFileAtomic(a.signature, *bundle);
  if (!w.ok()) return ReportError(w);
  std::fprintf(stderr,
               "rampart: signed %zu resource(s) of %s (root sha256:%s) with the %s method -> %s\n",
               st.resources.size(), a.model.c_str(), st.root_digest.c_str(),
               signer.chain.empty() ? "key" : "certificate", a.signature.c_str());
  if (!a.ledger.url.empty()) {
    auto digest = crypto::Sha256(*bundle);
    Status r = RecordInLedger(
        a.ledger,
        artifacts::ModelSignedEvent(st, signer.chain.empty() ? "key" : "certificate", a.signature,
                                    HexEncode(digest), Actor(a.ledger), Clock::Real()));
    if (!r.ok()) return ReportError(r);
    std::fprintf(stderr, "rampart: recorded model.signed in the ledger at %s\n",
                 a.ledger.url.c_str());
  }
  return kExitOk;
}

void AddSign(CLI::App* parent, CommandContext& ctx, SignArgs& a) {
  auto* cmd =
      parent->add_subcommand("sign", "Sign a model (file or directory) as an OMS v1.0 bundle");
  cmd->add_option("model", a.model, "Model file or directory")->required();
  cmd->add_option("--key", a.key, "Private key (PEM, EC P-256 or P-384)")->required();
  cmd->add_option(
      "--cert-chain", a.cert_chain,
      "Certificate method: PEM chain, signing certificate first (or after --signing-cert)");
  cmd->add_option("--signing-cert", a.signing_cert,
                  "Certificate method: the signing certificate (PEM)");
  cmd->add_option("--signature", a.signature, "Where to write the bundle (default model.sig)");
  cmd->add_option("--shard-size", a.shard_size,
                  "Hash byte ranges of this size in parallel (\"shards\" method), e.g. 1G");
  cmd->add_option("--hash", a.hash, "sha256 (default) or blake2b")
      ->check(CLI::IsMember({"sha256", "blake2b"}));
  cmd->add_option("--ignore-paths", a.ignore_paths, "Paths to leave out (relative to the model)");
  cmd->add_flag("--allow-symlinks", a.allow_symlinks, "Follow symlinks (deprecated in OMS)");
  cmd->add_option("--threads", a.threads, "Hashing threads (default: one per core)");
  cmd->add_option("--model-name", a.model_name, "Subject name (default: the model's basename)");
  AddLedgerOptions(cmd, a.ledger, "Record the signing in the audit ledger at this URL");
  cmd->callback([&ctx, &a] { ctx.exit_code = RunSign(a); });
}

// ---- verify ----------------------------------------------------------------

struct VerifyArgs {
  std::string model, signature, key, cert_chain, format = "text";
  std::vector<std::string> ignore_paths;
  bool ignore_unsigned = false, bundle_only = false;
  unsigned threads = 0;
};

int RunVerify(const VerifyArgs& a) {
  auto text = ReadFile(a.signature, 256u << 20);
  if (!text) return ReportError(text.error());
  Trust trust;
  if (!a.key.empty()) {
    auto pem = ReadFile(a.key, 1u << 20);
    if (!pem) return ReportError(pem.error());
    auto k = OmsPublicKey::FromPem(*pem);
    if (!k) return ReportError(k.error().WithContext(a.key));
    trust.key = *k;
  }
  if (!a.cert_chain.empty()) {
    auto t = ReadFile(a.cert_chain, 16u << 20);
    if (!t) return ReportError(t.error());
    auto c = crypto::Certificate::ChainFromPem(*t);
    if (!c) return ReportError(c.error().WithContext(a.cert_chain));
    trust.anchors = *c;
  }
  auto fail = [&](const Status& s) {
    if (a.format == "json") {
      json::object o{{"ok", false}, {"error", s.message()}};
      PrintOut(ToPrettyJson(o) + "\n");
    }
    std::fprintf(stderr, "rampart: %s: %s\n", a.signature.c_str(), s.message().c_str());
    return s.code() == StatusCode::kUnauthenticated ? kExitFindings : kExitUsage;
  };
  if (a.bundle_only) {
    // Structure (the OMS schemas) and, when a key or chain is given, the signature.
    auto b = ParseBundle(*text);
    if (!b) return fail(b.error());
    Result<Statement> st = ParseStatement(b->payload);
    if (st && (trust.key || !trust.anchors.empty())) {
      std::vector<std::string> notes;
      st = VerifyBundleSignature(*b, trust, &notes);
    }
    if (!st) return fail(st.error());
    std::string msg = "bundle OK: " + std::string(SigningMethodName(b->method)) + " method, " +
                      std::to_string(st->resources.size()) + " resource(s), " +
                      st->serialization.method + "/" + st->serialization.hash_type +
                      ", root sha256:" + st->root_digest +
                      ((trust.key || !trust.anchors.empty()) ? ", signature verified"
                                                             : ", signature not checked") +
                      "\n";
    if (a.format == "json") {
      PrintOut(ToPrettyJson(json::object{{"ok", true},
                                         {"method", SigningMethodName(b->method)},
                                         {"resources", st->resources.size()},
                                         {"root_digest", st->root_digest}}) +
               "\n");
    } else {
      PrintOut(msg);
    }
    return kExitOk;
  }
  if (a.model.empty())
    return ReportError(InvalidArgumentError("verify: name the model (or use --bundle-only)"));
  if (!trust.key && trust.anchors.empty()) {
    return ReportError(
        InvalidArgumentError("verify: pass --key PUBLIC.pem or --cert-chain CA.pem"));
  }
  VerifyOptions vo;
  vo.extra_ignore_paths = a.ignore_paths;
  vo.ignore_unsigned_files = a.ignore_unsigned;
  vo.signature_path = a.signature;
  vo.threads = a.threads;
  auto rep = VerifyModel(a.model, *text, trust, vo);
  if (!rep) return fail(rep.error());
  if (a.format == "json") {
    json::object o;
    o["ok"] = rep->ok();
    o["method"] = SigningMethodName(rep->method);
    o["root_digest"] = rep->statement.root_digest;
    o["checked"] = rep->checked;
    json::array missing, extra, changed, notes;
    for (const auto& m : rep->missing) missing.push_back(json::value(m));
    for (const auto& m : rep->extra) extra.push_back(json::value(m));
    for (const auto& c : rep->changed)
      changed.push_back(
          json::object{{"name", c.name}, {"expected", c.expected}, {"actual", c.actual}});
    for (const auto& n : rep->notes) notes.push_back(json::value(n));
    o["missing"] = std::move(missing);
    o["extra"] = std::move(extra);
    o["changed"] = std::move(changed);
    o["notes"] = std::move(notes);
    PrintOut(ToPrettyJson(o) + "\n");
  } else {
    std::string out;
    for (const auto& n : rep->notes) out += "note: " + n + "\n";
    for (const auto& m : rep->missing) out += "missing: " + m + " (signed, not found)\n";
    for (const auto& m : rep->extra) out += "extra: " + m + " (present, not signed)\n";
    for (const auto& c : rep->changed)
      out += "changed: " + c.name + " (expected " + c.expected + ", got " + c.actual + ")\n";
    if (rep->ok()) {
      out += "verified: " + a.model + " matches " + a.signature + " (" +
             std::string(SigningMethodName(rep->method)) + " method, " +
             std::to_string(rep->checked) +
             " resource(s), root sha256:" + rep->statement.root_digest + ")\n";
    } else {
      out += "FAILED: " + a.model + " does not match " + a.signature + "\n";
    }
    PrintOut(out);
  }
  return rep->ok() ? kExitOk : kExitFindings;
}

void AddVerify(CLI::App* parent, CommandContext& ctx, VerifyArgs& a) {
  auto* cmd = parent->add_subcommand("verify", "Verify a model against an OMS v1.0 bundle");
  cmd->add_option("model", a.model, "Model file or directory");
  cmd->add_option("--signature", a.signature, "The OMS bundle")->required();
  cmd->add_option("--key", a.key, "Public key (PEM) for the key method");
  cmd->add_option("--cert-chain", a.cert_chain,
                  "Trusted CA certificates (PEM) for the certificate method");
  cmd->add_option("--ignore-paths", a.ignore_paths, "More paths to leave out");
  cmd->add_flag("--ignore-unsigned-files", a.ignore_unsigned,
                "Do not fail on files the bundle does not list");
  cmd->add_flag(
      "--bundle-only", a.bundle_only,
      "Check the bundle's structure (and signature, given a key or chain) without a model");
  cmd->add_option("--format", a.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--threads", a.threads, "Hashing threads (default: one per core)");
  cmd->callback([&ctx, &a] { ctx.exit_code = RunVerify(a); });
}

// ---- manifest --------------------------------------------------------------

struct ManifestArgs {
  std::string dir, output, format = "text";
  LedgerArgs ledger;
  std::string old_m, new_m;
  std::vector<std::string> ignore_paths;
  unsigned threads = 0;
};

Result<DatasetManifest> LoadOrBuild(const std::string& p, const ManifestArgs& a) {
  std::error_code ec;
  if (std::filesystem::is_directory(p, ec)) {
    HashOptions ho;
    ho.threads = a.threads;
    ho.ignore_paths = a.ignore_paths;
    return BuildManifest(p, ho, Clock::Real());
  }
  RAMPART_ASSIGN_OR_RETURN(std::string text, ReadFile(p, 1u << 30));
  return ParseManifest(text, p);
}

int RunManifest(const ManifestArgs& a) {
  if (a.dir.empty()) return ReportError(InvalidArgumentError("manifest: name a dataset directory"));
  HashOptions ho;
  ho.threads = a.threads;
  ho.ignore_paths = a.ignore_paths;
  auto m = BuildManifest(a.dir, ho, Clock::Real());
  if (!m) return ReportError(m.error());
  std::string text = ManifestToJson(*m);
  if (a.output.empty()) {
    PrintOut(text);
  } else {
    Status w = WriteFileAtomic(a.output, text);
    if (!w.ok()) return ReportError(w);
    std::fprintf(stderr, "rampart: %zu file(s), %llu bytes, root sha256:%s -> %s\n",
                 m->files.size(), static_cast<unsigned long long>(m->total_bytes()),
                 m->root_digest.c_str(), a.output.c_str());
  }
  if (!a.ledger.url.empty()) {
    Status r = RecordInLedger(a.ledger,
                              artifacts::DatasetManifestEvent(*m, Actor(a.ledger), Clock::Real()));
    if (!r.ok()) return ReportError(r);
    std::fprintf(stderr, "rampart: recorded dataset.manifest in the ledger at %s\n",
                 a.ledger.url.c_str());
  }
  return kExitOk;
}

int RunManifestDiff(const ManifestArgs& a) {
  auto o = LoadOrBuild(a.old_m, a);
  if (!o) return ReportError(o.error());
  auto n = LoadOrBuild(a.new_m, a);
  if (!n) return ReportError(n.error());
  if (o->hash_type != n->hash_type) {
    return ReportError(InvalidArgumentError("the manifests use different hash types (" +
                                            o->hash_type + ", " + n->hash_type + ")"));
  }
  ManifestDiff d = DiffManifests(*o, *n);
  std::uint64_t added = 0, removed = 0;
  for (const auto& f : d.added) added += f.size;
  for (const auto& f : d.removed) removed += f.size;
  if (a.format == "json") {
    json::object j;
    json::array ja, jr, jc;
    for (const auto& f : d.added)
      ja.push_back(json::object{{"name", f.name}, {"size", f.size}, {"digest", f.digest}});
    for (const auto& f : d.removed)
      jr.push_back(json::object{{"name", f.name}, {"size", f.size}, {"digest", f.digest}});
    for (const auto& c : d.changed) {
      jc.push_back(json::object{{"name", c.name},
                                {"old_size", c.old_size},
                                {"new_size", c.new_size},
                                {"old_digest", c.old_digest},
                                {"new_digest", c.new_digest}});
    }
    j["added"] = std::move(ja);
    j["removed"] = std::move(jr);
    j["changed"] = std::move(jc);
    j["unchanged"] = d.unchanged;
    j["added_bytes"] = added;
    j["removed_bytes"] = removed;
    PrintOut(ToPrettyJson(j) + "\n");
  } else {
    std::string out;
    for (const auto& f : d.added)
      out += "+ " + f.name + " (" + std::to_string(f.size) + " bytes)\n";
    for (const auto& f : d.removed)
      out += "- " + f.name + " (" + std::to_string(f.size) + " bytes)\n";
    for (const auto& c : d.changed) {
      out += "~ " + c.name + " (" + std::to_string(c.old_size) + " -> " +
             std::to_string(c.new_size) + " bytes)\n";
    }
    out += std::to_string(d.added.size()) + " added (" + std::to_string(added) + " bytes), " +
           std::to_string(d.removed.size()) + " removed (" + std::to_string(removed) + " bytes), " +
           std::to_string(d.changed.size()) + " changed, " + std::to_string(d.unchanged) +
           " unchanged\n";
    PrintOut(out);
  }
  return d.empty() ? kExitOk : kExitFindings;
}

void AddManifest(CLI::App* parent, CommandContext& ctx, ManifestArgs& a, ManifestArgs& d) {
  auto* cmd =
      parent->add_subcommand("manifest", "Hash a dataset tree into a manifest; diff two manifests");
  cmd->add_option("dir", a.dir, "Dataset directory");
  cmd->add_option("-o,--output", a.output, "Write the manifest here (default: stdout)");
  cmd->add_option("--ignore-paths", a.ignore_paths,
                  "Paths to leave out (relative to the directory)");
  cmd->add_option("--threads", a.threads, "Hashing threads (default: one per core)");
  AddLedgerOptions(cmd, a.ledger, "Record the manifest in the audit ledger at this URL");
  cmd->callback([&ctx, &a, cmd] {
    if (cmd->get_subcommands().empty()) ctx.exit_code = RunManifest(a);
  });
  auto* diff =
      cmd->add_subcommand("diff", "Added, removed and changed files between two snapshots");
  diff->add_option("old", d.old_m, "Old manifest (JSON) or directory")->required();
  diff->add_option("new", d.new_m, "New manifest (JSON) or directory")->required();
  diff->add_option("--format", d.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  diff->add_option("--threads", d.threads, "Hashing threads for directories");
  diff->callback([&ctx, &d] { ctx.exit_code = RunManifestDiff(d); });
}

}  // namespace

void RegisterArtifactsCommands(CLI::App& app, CommandContext& ctx) {
  static ScanArgs scan_a, scan_b;
  static SignArgs sign_a, sign_b;
  static VerifyArgs verify_a, verify_b;
  static ManifestArgs man_a, man_b, diff_a, diff_b;
  auto* artifacts =
      app.add_subcommand("artifacts", "Model and dataset artifacts: scan, sign, verify, manifest");
  artifacts->require_subcommand(1);
  AddScan(artifacts, ctx, scan_a);
  AddSign(artifacts, ctx, sign_a);
  AddVerify(artifacts, ctx, verify_a);
  AddManifest(artifacts, ctx, man_a, diff_a);
  // Top-level aliases.
  AddScan(&app, ctx, scan_b);
  AddSign(&app, ctx, sign_b);
  AddVerify(&app, ctx, verify_b);
  AddManifest(&app, ctx, man_b, diff_b);
}

}  // namespace rampart::cli
