// `rampart ledger init | keygen | append | get | find | lineage | prove |
// verify | verify-proof | serve | export`, and the ledger service of
// `rampart serve`.
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <set>

#include "cli/cli.h"
#include "cli/serve.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/host_port.h"
#include "core/json.h"
#include "core/url.h"
#include "estate/loader.h"
#include "ledger/api_key.h"
#include "ledger/checkpoint.h"
#include "ledger/config.h"
#include "ledger/ledger.h"
#include "ledger/local_audit_sink.h"
#include "ledger/query.h"
#include "ledger/server.h"
#include "ledger/verify.h"

namespace rampart::cli {
namespace {

namespace fs = std::filesystem;
using namespace rampart::ledger;

struct Common {
  std::string store = "sqlite:var/ledger.db";
  std::string key = "var/ledger.key";
  std::string format = "text";
};

void AddStore(CLI::App* cmd, Common& c) {
  cmd->add_option("--store", c.store,
                  "Storage URL: sqlite:PATH or postgres://... (default sqlite:var/ledger.db)");
}
void AddKey(CLI::App* cmd, Common& c) {
  cmd->add_option("--key", c.key, "Signer key file (default var/ledger.key)");
}
void AddFormat(CLI::App* cmd, Common& c) {
  cmd->add_option("--format", c.format, "text or json")->check(CLI::IsMember({"text", "json"}));
}

std::string B64(const Hash& h) {
  return Base64Encode(std::span<const std::uint8_t>(h.data(), h.size()));
}

// Opens an existing store; a missing SQLite file is an error, not a new ledger.
Result<std::unique_ptr<Store>> OpenExisting(const std::string& url) {
  if (url.starts_with("sqlite:")) {
    std::string path = url.substr(7);
    if (path.starts_with("//")) path = path.substr(2);
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      return InvalidArgumentError("no ledger at " + path +
                                  "; create one with `rampart ledger init --store " + url + "`");
    }
  }
  return OpenStore(url);
}

Result<NoteSigner> LoadSigner(const std::string& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    return InvalidArgumentError(
        "no signer key at " + file +
        "; create one with `rampart ledger init` or `rampart ledger keygen`");
  }
  RAMPART_ASSIGN_OR_RETURN(std::string text, ReadFile(file, 4096));
  auto s = NoteSigner::Parse(text);
  if (!s) return InvalidArgumentError(file + ": " + s.error().message());
  return s;
}

Result<NoteVerifier> LoadVerifier(const std::string& file) {
  RAMPART_ASSIGN_OR_RETURN(std::string text, ReadFile(file, 4096));
  if (text.starts_with("PRIVATE+KEY+")) {
    auto s = NoteSigner::Parse(text);
    if (!s) return InvalidArgumentError(file + ": " + s.error().message());
    return s->verifier();
  }
  auto v = NoteVerifier::Parse(text);
  if (!v) return InvalidArgumentError(file + ": " + v.error().message());
  return v;
}

Result<std::string> ReadInput(const std::string& file) {
  if (file == "-") {
    std::string s((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (s.size() > (64u << 20)) return InvalidArgumentError("standard input is over 64 MiB");
    return s;
  }
  return ReadFile(file, 64u << 20);
}

bool Terminal() { return isatty(STDERR_FILENO) == 1; }

// ---- init / keygen ------------------------------------------------------------------

struct InitArgs {
  Common c;
  std::string origin = "rampart.local/ledger";
};

int Init(const InitArgs& a) {
  bool created = false;
  auto signer = LoadOrCreateSigner(a.c.key, a.origin, &created);
  if (!signer) return ReportError(signer.error());
  auto store = OpenStore(a.c.store);
  if (!store) return ReportError(store.error());
  auto l = Ledger::Open(std::move(*store), *signer);
  if (!l) return ReportError(l.error().WithContext(RedactUrl(a.c.store)));
  std::string vkey = (*l)->verifier().ToString();
  if (a.c.format == "json") {
    PrintOut(ToJson(json::object{{"store", RedactUrl(a.c.store)},
                                 {"origin", (*l)->origin()},
                                 {"vkey", vkey},
                                 {"size", (*l)->size()},
                                 {"key_created", created}}) +
             "\n");
  } else {
    // stdout carries only the verifier key, so `rampart ledger init > ledger.pub`
    // gives auditors the file they need; the rest is for the person.
    std::fprintf(stderr, "rampart: ledger ready at %s (%llu entries)\n",
                 RedactUrl(a.c.store).c_str(), static_cast<unsigned long long>((*l)->size()));
    if (created) {
      std::fprintf(stderr, "rampart: new signer key written to %s (keep it secret)\n",
                   a.c.key.c_str());
    }
    std::fprintf(stderr, "rampart: verifier key (share it with auditors) follows on stdout\n");
    PrintOut(vkey + "\n");
  }
  return kExitOk;
}

struct KeygenArgs {
  std::string name = "rampart.local/ledger";
  std::string out;
  std::string pub;
  std::string api_key_identity;
  std::string format = "text";
};

int Keygen(const KeygenArgs& a) {
  if (!a.api_key_identity.empty()) {
    auto k = GenerateApiKey(a.api_key_identity);
    if (!k) return ReportError(k.error());
    if (a.format == "json") {
      PrintOut(ToJson(json::object{{"identity", k->record.identity},
                                   {"token", k->token},
                                   {"hash", k->record.salted_hash}}) +
               "\n");
    } else {
      PrintOut(k->token + "\n");
      std::fflush(stdout);
      std::fprintf(stderr,
                   "rampart: the key above is shown once. Add its hash to the estate's ledger "
                   "section:\n  api_keys:\n    - {identity: %s, hash: \"%s\"}\n",
                   k->record.identity.c_str(), k->record.salted_hash.c_str());
    }
    return kExitOk;
  }
  auto s = NoteSigner::Generate(a.name);
  if (!s) return ReportError(s.error());
  if (!a.out.empty()) {
    std::error_code ec;
    if (fs::exists(a.out, ec)) {
      return ReportError(
          InvalidArgumentError(a.out + " exists; refusing to overwrite a signer key"));
    }
    if (fs::path(a.out).has_parent_path())
      fs::create_directories(fs::path(a.out).parent_path(), ec);
    if (Status st = WriteFileAtomic(a.out, s->ToString() + "\n", 0600); !st.ok())
      return ReportError(st);
  }
  if (!a.pub.empty()) {
    if (Status st = WriteFileAtomic(a.pub, s->verifier().ToString() + "\n", 0644); !st.ok()) {
      return ReportError(st);
    }
  }
  if (a.format == "json") {
    json::object o{{"name", s->name()}, {"vkey", s->verifier().ToString()}};
    if (a.out.empty()) o["skey"] = s->ToString();
    PrintOut(ToJson(o) + "\n");
  } else if (a.out.empty()) {
    PrintOut(s->ToString() + "\n" + s->verifier().ToString() + "\n");
  } else {
    PrintOut(s->verifier().ToString() + "\n");
  }
  return kExitOk;
}

// ---- append / get / find / lineage ----------------------------------------------------

struct AppendArgs {
  Common c;
  std::vector<std::string> files;
};

int Append(const AppendArgs& a) {
  std::vector<std::string> files = a.files.empty() ? std::vector<std::string>{"-"} : a.files;
  EntryOptions eo;
  eo.submitter = "cli";
  std::vector<ParsedEntry> entries;
  for (const std::string& f : files) {
    auto text = ReadInput(f);
    if (!text) return ReportError(text.error());
    JsonLimits limits;
    limits.max_depth = 34;
    limits.max_bytes = 64u << 20;
    auto v = ParseJson(*text, limits, f == "-" ? "<stdin>" : f);
    if (!v) return ReportError(v.error());
    std::vector<json::value> items;
    if (v->is_array()) {
      items.assign(v->get_array().begin(), v->get_array().end());
    } else {
      items.push_back(std::move(*v));
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto e = ParseEntryValue(std::move(items[i]), eo);
      if (!e) {
        std::string where = (f == "-" ? std::string("<stdin>") : f) +
                            (items.size() > 1 ? ": entry " + std::to_string(i) : "");
        return ReportError(
            InvalidArgumentError(where + ": " + e.error().message() + "; nothing was appended"));
      }
      entries.push_back(std::move(*e));
    }
  }
  auto signer = LoadSigner(a.c.key);
  if (!signer) return ReportError(signer.error());
  auto store = OpenExisting(a.c.store);
  if (!store) return ReportError(store.error());
  auto l = Ledger::Open(std::move(*store), *signer);
  if (!l) return ReportError(l.error());
  auto r = (*l)->Append(std::move(entries));
  if (!r) return ReportError(r.error());
  auto cp = (*l)->WaitForCheckpoint(r->tree_size, std::chrono::seconds(5));
  if (a.c.format == "json") {
    json::array arr;
    for (const AppendResult& e : r->entries) {
      arr.push_back(json::object{{"index", e.index}, {"leaf_hash", B64(e.leaf)}});
    }
    json::object o{{"entries", std::move(arr)}, {"tree_size", r->tree_size}};
    if (cp) o["checkpoint"] = cp->note;
    PrintOut(ToPrettyJson(o) + "\n");
  } else {
    for (const AppendResult& e : r->entries)
      PrintOut("appended entry " + std::to_string(e.index) + "\n");
    PrintOut("tree size " + std::to_string(r->tree_size) +
             (cp ? ", covered by a signed checkpoint\n" : "\n"));
  }
  return kExitOk;
}

struct ReadArgs {
  Common c;
  std::uint64_t index = 0;
  std::string digest;
  std::string out;
  std::size_t limit = 1000;
};

int Get(const ReadArgs& a) {
  auto store = OpenExisting(a.c.store);
  if (!store) return ReportError(store.error());
  auto rec = (*store)->ReadEntry(a.index);
  if (!rec) return ReportError(rec.error());
  if (a.c.format == "json") {
    auto v = ParseJson(rec->data);
    if (!v) return ReportError(CorruptionError("stored entry is not JSON"));
    PrintOut(ToPrettyJson(json::object{
                 {"index", rec->index}, {"leaf_hash", B64(rec->leaf)}, {"entry", std::move(*v)}}) +
             "\n");
  } else {
    PrintOut(rec->data + "\n");
  }
  return kExitOk;
}

std::string Str(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
}

std::string SubjectNames(const json::object& o) {
  std::string out;
  auto it = o.find("subjects");
  if (it == o.end() || !it->value().is_array()) return out;
  for (const json::value& s : it->value().get_array()) {
    if (!s.is_object()) continue;
    std::string n = Str(s.get_object(), "name");
    if (!n.empty()) out += (out.empty() ? "" : ", ") + n;
  }
  return out;
}

std::string EntryLine(const EntryView& v) {
  std::string names = SubjectNames(v.entry);
  return "#" + std::to_string(v.index) + "  " + Str(v.entry, "time") + "  " + Str(v.entry, "type") +
         "  by " + Str(v.entry, "actor") + (names.empty() ? "" : "  [" + names + "]");
}

int Find(const ReadArgs& a) {
  if (!IsValidDigest(a.digest)) {
    return ReportError(InvalidArgumentError("--digest must look like sha256:<64 lowercase hex>"));
  }
  auto store = OpenExisting(a.c.store);
  if (!store) return ReportError(store.error());
  auto found = FindEntries(**store, a.digest, a.limit);
  if (!found) return ReportError(found.error());
  if (a.c.format == "json") {
    json::array arr;
    for (EntryView& v : *found)
      arr.push_back(json::object{{"index", v.index}, {"entry", std::move(v.entry)}});
    PrintOut(ToPrettyJson(json::object{{"digest", a.digest}, {"entries", std::move(arr)}}) + "\n");
  } else {
    if (found->empty()) PrintOut("no entries name " + a.digest + "\n");
    for (const EntryView& v : *found) PrintOut(EntryLine(v) + "\n");
  }
  return kExitOk;
}

void PrintLineage(const Lineage& l, const std::string& digest, int depth,
                  std::set<std::string>& seen) {
  std::string pad(depth * 2, ' ');
  std::string names;
  auto ev = l.events.find(digest);
  if (ev != l.events.end()) {
    for (const EntryView& v : ev->second) {
      std::string n = SubjectNames(v.entry);
      if (!n.empty() && names.find(n) == std::string::npos)
        names += (names.empty() ? "" : ", ") + n;
    }
  }
  PrintOut(pad + digest + (names.empty() ? "" : "  (" + names + ")") + "\n");
  if (ev != l.events.end()) {
    for (const EntryView& v : ev->second) PrintOut(pad + "  " + EntryLine(v) + "\n");
  }
  if (!seen.insert(digest).second) return;
  for (const LineageEdge& e : l.edges) {
    if (e.child != digest) continue;
    PrintOut(pad + "  <- " + e.type + " #" + std::to_string(e.index) + " from:\n");
    PrintLineage(l, e.parent, depth + 2, seen);
  }
}

int LineageCmd(const ReadArgs& a) {
  if (!IsValidDigest(a.digest)) {
    return ReportError(InvalidArgumentError("the digest must look like sha256:<64 lowercase hex>"));
  }
  auto store = OpenExisting(a.c.store);
  if (!store) return ReportError(store.error());
  auto l = WalkLineage(**store, a.digest);
  if (!l) return ReportError(l.error());
  if (a.c.format == "json") {
    PrintOut(ToPrettyJson(LineageToJson(*l)) + "\n");
  } else {
    std::set<std::string> seen;
    PrintLineage(*l, a.digest, 0, seen);
    if (l->truncated) PrintOut("(lineage truncated)\n");
  }
  return kExitOk;
}

// ---- prove / verify / verify-proof / export --------------------------------------------

int Prove(const ReadArgs& a) {
  auto store = OpenExisting(a.c.store);
  if (!store) return ReportError(store.error());
  auto b = MakeProofBundle(**store, a.index);
  if (!b) return ReportError(b.error());
  std::string text = ProofBundleToJson(*b);
  if (a.out.empty()) {
    PrintOut(text);
  } else if (Status st = WriteFileAtomic(a.out, text); !st.ok()) {
    return ReportError(st);
  }
  return kExitOk;
}

struct VerifyArgs {
  Common c;
  std::string pub;
  std::string bundle;
};

int Verify(const VerifyArgs& a) {
  Result<NoteVerifier> v = a.pub.empty() ? LoadVerifier(a.c.key) : LoadVerifier(a.pub);
  if (!v) {
    return ReportError(
        InvalidArgumentError(v.error().message() +
                             "; verify needs the ledger's public key (--pub FILE or --key FILE): "
                             "the key stored in the database is not trusted"));
  }
  auto store = OpenExisting(a.c.store);
  if (!store) return ReportError(store.error());
  bool tty = Terminal() && a.c.format == "text";
  auto report = VerifyLog(**store, *v, [&](std::uint64_t done, std::uint64_t total) {
    if (tty)
      std::fprintf(stderr, "\rverifying: %llu / %llu entries",
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
  });
  if (tty) std::fprintf(stderr, "\r\033[K");
  if (!report) return ReportError(report.error());
  if (a.c.format == "json") {
    json::array problems;
    for (const std::string& p : report->problems) problems.push_back(json::string(p));
    json::object o{{"ok", report->ok()},
                   {"entries", report->entries},
                   {"checkpoints", report->checkpoints},
                   {"problems", std::move(problems)}};
    if (report->first_bad_index) o["first_bad_index"] = *report->first_bad_index;
    PrintOut(ToPrettyJson(o) + "\n");
  } else if (report->ok()) {
    PrintOut("ledger OK: " + std::to_string(report->entries) + " entries match all " +
             std::to_string(report->checkpoints) + " signed checkpoints\n");
  } else {
    if (report->first_bad_index) {
      PrintOut("ledger TAMPERED: the first index that no longer matches is " +
               std::to_string(*report->first_bad_index) + "\n");
    } else {
      PrintOut("ledger FAILED verification\n");
    }
    for (const std::string& p : report->problems) PrintOut("  " + p + "\n");
  }
  return report->ok() ? kExitOk : kExitFindings;
}

int VerifyProof(const VerifyArgs& a) {
  if (a.pub.empty())
    return ReportError(
        InvalidArgumentError("verify-proof needs --pub FILE (the ledger's verifier key)"));
  auto v = LoadVerifier(a.pub);
  if (!v) return ReportError(v.error());
  auto text = ReadInput(a.bundle);
  if (!text) return ReportError(text.error());
  auto b = ParseProofBundle(*text);
  if (!b) return ReportError(b.error().WithContext(a.bundle));
  auto size = VerifyProofBundle(*b, *v);
  if (a.c.format == "json") {
    json::object o{{"ok", size.has_value()}, {"index", b->index}};
    if (size)
      o["tree_size"] = *size;
    else
      o["error"] = size.error().message();
    PrintOut(ToJson(o) + "\n");
    return size ? kExitOk : kExitFindings;
  }
  if (!size) {
    std::fprintf(stderr, "rampart: %s: proof does NOT verify: %s\n", a.bundle.c_str(),
                 size.error().message().c_str());
    return kExitFindings;
  }
  PrintOut("proof OK: entry " + std::to_string(b->index) + " is in the tree of size " +
           std::to_string(*size) + " signed by " + v->name() + "\n");
  return kExitOk;
}

int Export(const ReadArgs& a) {
  auto store = OpenExisting(a.c.store);
  if (!store) return ReportError(store.error());
  Store& s = **store;
  auto origin = s.GetMeta("origin");
  auto vkey = s.GetMeta("vkey");
  auto size = s.Size();
  if (!origin || !vkey || !size) return ReportError(UnavailableError("cannot read the ledger"));
  std::string out = ToJson(json::object{{"format", "rampart-ledger-export-1"},
                                        {"origin", origin->value_or("")},
                                        {"vkey", vkey->value_or("")},
                                        {"size", *size}}) +
                    "\n";
  bool tty = Terminal();
  Status st = s.Scan(0, *size, [&](const EntryRecord& r) -> Status {
    auto v = ParseJson(r.data);
    if (!v) return CorruptionError("stored entry " + std::to_string(r.index) + " is not JSON");
    out += ToJson(
        json::object{{"index", r.index}, {"leaf_hash", B64(r.leaf)}, {"entry", std::move(*v)}});
    out += "\n";
    if (tty && r.index % 65536 == 0)
      std::fprintf(stderr, "\rexporting: %llu", static_cast<unsigned long long>(r.index));
    return OkStatus();
  });
  if (tty) std::fprintf(stderr, "\r\033[K");
  if (!st.ok()) return ReportError(st);
  st = s.ScanCheckpoints([&](const CheckpointRecord& cp) {
    out +=
        ToJson(json::object{{"checkpoint", cp.note}, {"size", cp.size}, {"created", cp.created}});
    out += "\n";
    return OkStatus();
  });
  if (!st.ok()) return ReportError(st);
  if (a.out.empty()) {
    PrintOut(out);
  } else if (Status w = WriteFileAtomic(a.out, out); !w.ok()) {
    return ReportError(w);
  }
  return kExitOk;
}

// ---- the service ---------------------------------------------------------------------

class LedgerService final : public Service {
 public:
  LedgerService(LedgerConfig cfg, ServeContext* ctx) : cfg_(std::move(cfg)), ctx_(ctx) {}
  ~LedgerService() override { Stop(); }

  std::string_view name() const override { return "ledger"; }

  Status Start() override {
    bool created = false;
    RAMPART_ASSIGN_OR_RETURN(NoteSigner signer,
                             LoadOrCreateSigner(cfg_.key_file, cfg_.origin, &created));
    if (created) spdlog::info("ledger: generated signer key {}", cfg_.key_file.string());
    if (signer.name() != cfg_.origin) {
      spdlog::warn(
          "ledger: key {} is named '{}', not the configured origin '{}'; checkpoints use '{}'",
          cfg_.key_file.string(), signer.name(), cfg_.origin, signer.name());
    }
    StoreOptions so;
    RAMPART_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(cfg_.storage, so));
    LedgerOptions lo;
    lo.checkpoint_interval = cfg_.checkpoint_interval;
    lo.deferred_commit_interval = cfg_.deferred_commit_interval;
    lo.max_queue_entries = cfg_.max_queue_entries;
    lo.max_batch_entries = cfg_.max_batch_entries;
    RAMPART_ASSIGN_OR_RETURN(std::unique_ptr<Ledger> l, Ledger::Open(std::move(store), signer, lo));
    ledger_ = std::shared_ptr<Ledger>(std::move(l));
    ServerOptions opts = cfg_.server;
    opts.host = cfg_.listen_host;
    opts.port = cfg_.listen_port;
    opts.fallback_to_any_port = !cfg_.listen_explicit;
    RAMPART_ASSIGN_OR_RETURN(server_, LedgerServer::Start(*ledger_, opts));
    spdlog::info("ledger: origin {}, {} entries, storage {}; verifier key {}", ledger_->origin(),
                 ledger_->size(), RedactUrl(cfg_.storage), ledger_->verifier().ToString());
    if (ctx_ != nullptr) {
      sink_ = std::make_shared<LocalAuditSink>(ledger_, "rampart-serve", cfg_.max_queue_entries / 2,
                                               cfg_.server.max_entry_bytes);
      ctx_->audit = sink_;
    }
    return OkStatus();
  }

  Status Reload() override {
    if (ctx_ == nullptr || ctx_->estate_files.empty()) return OkStatus();
    RAMPART_ASSIGN_OR_RETURN(estate::Estate e, estate::LoadValid(ctx_->estate_files));
    Diagnostics d;
    LedgerConfig next = ReadLedgerConfig(e, ctx_->var_dir, ctx_->bind_host, &d);
    if (d.has_errors()) return InvalidArgumentError(d.ToString());
    RAMPART_RETURN_IF_ERROR(server_->SetApiKeys(next.server.api_keys));
    spdlog::info("ledger: reloaded {} API key(s); other changes need a restart",
                 next.server.api_keys.size());
    return OkStatus();
  }

  void Stop() override {
    if (server_) server_->Stop();
    // Appends the server accepted complete into its (stopped) I/O context;
    // let them finish before that context is destroyed.
    if (ledger_ && !ledger_->Drain(std::chrono::seconds(30))) {
      spdlog::error("ledger: appends still pending after 30 s at shutdown");
    }
    if (sink_) {
      if (Status s = sink_->Flush(std::chrono::seconds(10)); !s.ok())
        spdlog::error("ledger: {}", s.message());
      sink_->Close();
    }
    server_.reset();
    sink_.reset();
    ledger_.reset();  // the last reference commits what is queued
  }

  std::uint16_t port() const { return server_ ? server_->port() : 0; }

 private:
  LedgerConfig cfg_;
  ServeContext* ctx_;
  std::shared_ptr<Ledger> ledger_;
  std::unique_ptr<LedgerServer> server_;
  std::shared_ptr<LocalAuditSink> sink_;
};

struct ServeArgs {
  Common c;
  std::vector<std::string> estate;
  std::string var_dir = "var";
  std::string listen;
  std::string origin;
  std::vector<std::string> api_keys;  // IDENTITY=HASH
  int checkpoint_ms = -1;
};

int ServeStandalone(const ServeArgs& a) {
  sigset_t signals = BlockServiceSignals();

  LedgerConfig cfg;
  std::optional<estate::Estate> est;
  if (!a.estate.empty()) {
    std::vector<fs::path> files(a.estate.begin(), a.estate.end());
    auto e = estate::LoadValid(files);
    if (!e) return ReportError(e.error());
    est = std::move(*e);
    Diagnostics d;
    cfg = ReadLedgerConfig(*est, a.var_dir, "127.0.0.1", &d);
    if (d.has_errors()) {
      std::fputs(d.ToString().c_str(), stderr);
      return kExitUsage;
    }
  } else {
    cfg = DefaultLedgerConfig(nullptr, a.var_dir, "127.0.0.1");
    cfg.storage = a.c.store;
    cfg.key_file = a.c.key;
  }
  if (!a.origin.empty()) cfg.origin = a.origin;
  if (a.checkpoint_ms >= 0) cfg.checkpoint_interval = std::chrono::milliseconds(a.checkpoint_ms);
  if (!a.listen.empty()) {
    if (!ParseHostPort(a.listen, &cfg.listen_host, &cfg.listen_port))
      return ReportError(InvalidArgumentError(
          "--listen must be HOST:PORT with a port 0-65535, got '" + a.listen + "'"));
    cfg.listen_explicit = true;
  }
  cfg.listen_explicit = true;  // standalone: a busy port is an error
  for (const std::string& k : a.api_keys) {
    std::size_t eq = k.find('=');
    if (eq == std::string::npos)
      return ReportError(InvalidArgumentError("--api-key wants IDENTITY=HASH"));
    ApiKeyRecord rec{k.substr(0, eq), k.substr(eq + 1)};
    if (Status s = CheckApiKeyRecord(rec); !s.ok()) return ReportError(s);
    cfg.server.api_keys.push_back(rec);
  }
  LedgerService svc(cfg, nullptr);
  if (Status s = svc.Start(); !s.ok()) return ReportError(s.WithContext("cannot start the ledger"));
  spdlog::info("rampart ledger serve: running; Ctrl-C or SIGTERM stops");
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) continue;
    break;
  }
  svc.Stop();
  spdlog::info("rampart ledger serve: stopped");
  return kExitOk;
}

}  // namespace

void RegisterLedgerCommands(CLI::App& app, CommandContext& ctx) {
  auto* ledger = app.add_subcommand("ledger", "Tamper-evident audit trail of the ML pipeline");
  ledger->require_subcommand(1);

  static InitArgs init_args;
  auto* init = ledger->add_subcommand("init", "Create a ledger (and its signer key if missing)");
  AddStore(init, init_args.c);
  AddKey(init, init_args.c);
  AddFormat(init, init_args.c);
  init->add_option("--origin", init_args.origin, "Checkpoint origin / key name for a new key");
  init->callback([&ctx] { ctx.exit_code = Init(init_args); });

  static KeygenArgs keygen_args;
  auto* keygen =
      ledger->add_subcommand("keygen", "Generate a checkpoint signer key, or an API key");
  keygen->add_option("--name", keygen_args.name,
                     "Key name = checkpoint origin (e.g. acme.ai/ledger)");
  keygen->add_option("--out", keygen_args.out, "Write the signer key to this file (mode 0600)");
  keygen->add_option("--pub", keygen_args.pub, "Write the verifier key to this file");
  keygen->add_option("--api-key", keygen_args.api_key_identity,
                     "Generate an API key for this estate identity instead");
  keygen->add_option("--format", keygen_args.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  keygen->callback([&ctx] { ctx.exit_code = Keygen(keygen_args); });

  static AppendArgs append_args;
  auto* append =
      ledger->add_subcommand("append", "Append entries (JSON object or array; - for stdin)");
  append->add_option("files", append_args.files, "Entry files");
  AddStore(append, append_args.c);
  AddKey(append, append_args.c);
  AddFormat(append, append_args.c);
  append->callback([&ctx] { ctx.exit_code = Append(append_args); });

  static ReadArgs get_args;
  auto* get = ledger->add_subcommand("get", "Print one entry");
  get->add_option("index", get_args.index, "Entry index")->required();
  AddStore(get, get_args.c);
  AddFormat(get, get_args.c);
  get->callback([&ctx] { ctx.exit_code = Get(get_args); });

  static ReadArgs find_args;
  auto* find = ledger->add_subcommand("find", "List every entry about an artifact");
  find->add_option("--digest", find_args.digest, "Artifact digest, sha256:<hex>")->required();
  find->add_option("--limit", find_args.limit, "At most this many entries (default 1000)");
  AddStore(find, find_args.c);
  AddFormat(find, find_args.c);
  find->callback([&ctx] { ctx.exit_code = Find(find_args); });

  static ReadArgs lineage_args;
  auto* lineage =
      ledger->add_subcommand("lineage", "Walk a model back to the data it was trained on");
  lineage->add_option("digest", lineage_args.digest, "Model (or dataset) digest")->required();
  AddStore(lineage, lineage_args.c);
  AddFormat(lineage, lineage_args.c);
  lineage->callback([&ctx] { ctx.exit_code = LineageCmd(lineage_args); });

  static ReadArgs prove_args;
  auto* prove =
      ledger->add_subcommand("prove", "Write an offline-verifiable proof bundle for an entry");
  prove->add_option("index", prove_args.index, "Entry index")->required();
  prove->add_option("-o,--out", prove_args.out, "Write the bundle to this file");
  AddStore(prove, prove_args.c);
  prove->callback([&ctx] { ctx.exit_code = Prove(prove_args); });

  static VerifyArgs verify_args;
  auto* verify = ledger->add_subcommand(
      "verify", "Recompute the whole tree and check it against every signed checkpoint");
  AddStore(verify, verify_args.c);
  AddKey(verify, verify_args.c);
  verify->add_option("--pub", verify_args.pub, "Verifier key file (instead of --key)");
  AddFormat(verify, verify_args.c);
  verify->callback([&ctx] { ctx.exit_code = Verify(verify_args); });

  static VerifyArgs vp_args;
  auto* vp = ledger->add_subcommand("verify-proof",
                                    "Check a proof bundle offline with only the verifier key");
  vp->add_option("bundle", vp_args.bundle, "Proof bundle from `rampart ledger prove` (- for stdin)")
      ->required();
  vp->add_option("--pub", vp_args.pub, "Verifier key file")->required();
  AddFormat(vp, vp_args.c);
  vp->callback([&ctx] { ctx.exit_code = VerifyProof(vp_args); });

  static ServeArgs serve_args;
  auto* serve = ledger->add_subcommand("serve", "Run the ledger's HTTP API alone");
  serve->add_option("-e,--estate", serve_args.estate, "Estate file(s) with a ledger: section");
  serve->add_option("--var-dir", serve_args.var_dir,
                    "State directory for estate defaults (default ./var)");
  serve->add_option("--listen", serve_args.listen, "HOST:PORT (default 127.0.0.1:7000)");
  serve->add_option("--origin", serve_args.origin, "Origin for a newly generated key");
  serve->add_option("--api-key", serve_args.api_keys,
                    "IDENTITY=HASH accepted for appends; repeatable");
  serve->add_option("--checkpoint-interval-ms", serve_args.checkpoint_ms,
                    "Checkpoint signing interval");
  AddStore(serve, serve_args.c);
  AddKey(serve, serve_args.c);
  serve->callback([&ctx] { ctx.exit_code = ServeStandalone(serve_args); });

  static ReadArgs export_args;
  auto* exp = ledger->add_subcommand("export", "Export entries and checkpoints as JSON Lines");
  exp->add_option("-o,--out", export_args.out, "Write to this file (atomically)");
  AddStore(exp, export_args.c);
  exp->callback([&ctx] { ctx.exit_code = Export(export_args); });
}

Result<std::unique_ptr<Service>> MakeLedgerService(ServeContext& ctx) {
  if (ctx.estate == nullptr) return std::unique_ptr<Service>();
  bool has_service = false;
  for (const auto& s : ctx.estate->services) has_service |= s.kind == estate::ServiceKind::kLedger;
  if (ctx.estate->FindSection("ledger") == nullptr && !has_service)
    return std::unique_ptr<Service>();
  Diagnostics d;
  LedgerConfig cfg = ReadLedgerConfig(*ctx.estate, ctx.var_dir, ctx.bind_host, &d);
  if (d.has_errors()) return InvalidArgumentError(d.ToString());
  return std::unique_ptr<Service>(std::make_unique<LedgerService>(std::move(cfg), &ctx));
}

}  // namespace rampart::cli
