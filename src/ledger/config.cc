#include "ledger/config.h"

#include "core/file.h"
#include "core/host_port.h"
#include "core/yaml.h"

namespace rampart::ledger {

LedgerConfig DefaultLedgerConfig(const estate::Estate* e, const std::filesystem::path& var_dir,
                                 const std::string& bind_host) {
  LedgerConfig c;
  std::string name = e != nullptr && !e->name.empty() ? e->name : "rampart";
  c.origin = name + ".rampart/ledger";
  c.storage = "sqlite:" + (var_dir / "ledger.db").string();
  c.key_file = var_dir / "ledger.key";
  c.listen_host = bind_host;
  if (e != nullptr) {
    for (const auto& s : e->services) {
      if (s.kind == estate::ServiceKind::kLedger && !s.ports.empty()) {
        c.listen_port = s.ports[0].first;
        break;
      }
    }
  }
  return c;
}

LedgerConfig ReadLedgerConfig(const estate::Estate& e, const std::filesystem::path& var_dir,
                              const std::string& bind_host, Diagnostics* diags) {
  LedgerConfig c = DefaultLedgerConfig(&e, var_dir, bind_host);
  const estate::Section* sec = e.FindSection("ledger");
  if (sec == nullptr) return c;
  YamlFields f(sec->node, sec->file, diags, "ledger", "ledger");
  if (!f.ok()) return c;
  if (auto v = f.String("origin")) {
    if (!IsValidKeyName(*v)) {
      diags->Error(f.Where("origin"), "ledger.origin",
                   "origin '" + *v + "' must be non-empty with no spaces and no '+'",
                   "use a schema-less URL such as acme.ai/ledger");
    }
    c.origin = *v;
  }
  if (auto v = f.String("storage")) c.storage = *v;
  if (auto v = f.String("key_file")) c.key_file = *v;
  if (auto v = f.String("listen")) {
    if (ParseHostPort(*v, &c.listen_host, &c.listen_port)) {
      c.listen_explicit = true;
    } else {
      diags->Error(f.Where("listen"), "ledger.listen",
                   "listen must be HOST:PORT with a port 0-65535, got '" + *v + "'");
    }
  }
  if (auto v = f.Int("checkpoint_interval_ms", false, 0, 60'000)) {
    c.checkpoint_interval = std::chrono::milliseconds(*v);
  }
  if (auto v = f.Int("deferred_commit_interval_ms", false, 0, 10'000)) {
    c.deferred_commit_interval = std::chrono::milliseconds(*v);
  }
  if (auto v = f.Enum("read_auth", {"open", "api_key"}))
    c.server.read_requires_auth = *v == "api_key";
  YAML::Node limits = f.Node("limits");
  if (limits) {
    YamlFields l(limits, sec->file, diags, "ledger.limits", "ledger");
    if (l.ok()) {
      if (auto v = l.Int("max_entry_bytes", false, 256, 16 << 20)) c.server.max_entry_bytes = *v;
      if (auto v = l.Int("max_body_bytes", false, 1024, 256 << 20)) c.server.max_body_bytes = *v;
      if (auto v = l.Int("max_batch_entries", false, 1, 100'000)) c.server.max_batch_entries = *v;
      if (auto v = l.Int("max_queue_entries", false, 1, 10'000'000)) c.max_queue_entries = *v;
      if (auto v = l.Int("max_connections", false, 1, 100'000)) c.server.max_connections = *v;
      if (auto v = l.Int("read_timeout_ms", false, 100, 600'000)) {
        c.server.read_timeout = std::chrono::milliseconds(*v);
      }
      if (auto v = l.Int("threads", false, 1, 64)) c.server.threads = static_cast<int>(*v);
      l.CheckUnknown();
    }
  }
  YAML::Node keys = f.Node("api_keys");
  if (keys) {
    if (!keys.IsSequence()) {
      diags->Error(f.Where("api_keys"), "ledger.api-keys", "api_keys must be a list");
    } else {
      for (const YAML::Node& k : keys) {
        YamlFields kf(k, sec->file, diags, "api key", "ledger");
        if (!kf.ok()) continue;
        auto id = kf.String("identity", true);
        auto hash = kf.String("hash", true);
        kf.CheckUnknown();
        if (!id || !hash) continue;
        if (e.FindIdentity(*id) == nullptr) {
          std::vector<std::string> names;
          for (const auto& i : e.identities) names.push_back(i.name);
          diags->Error(kf.Where("identity"), "ledger.unknown-identity",
                       "API key for unknown identity '" + *id + "'", DidYouMean(*id, names));
        }
        ApiKeyRecord rec{*id, *hash};
        if (Status s = CheckApiKeyRecord(rec); !s.ok()) {
          diags->Error(kf.Where("hash"), "ledger.api-key-hash", s.message(),
                       "generate one with `rampart ledger keygen --api-key IDENTITY`");
          continue;
        }
        c.server.api_keys.push_back(std::move(rec));
      }
    }
  }
  YAML::Node tls = f.Node("tls");
  if (tls) {
    YamlFields t(tls, sec->file, diags, "ledger.tls", "ledger");
    if (t.ok()) {
      if (auto v = t.String("cert", true)) c.server.tls_cert_file = *v;
      if (auto v = t.String("key", true)) c.server.tls_key_file = *v;
      if (auto v = t.String("client_ca")) c.server.client_ca_file = *v;
      t.CheckUnknown();
    }
    // Client certificates authenticate as the estate identity with that SPIFFE ID.
    for (const auto& id : e.identities) {
      if (!id.spiffe_id.empty()) c.server.mtls_identities[id.spiffe_id] = id.name;
    }
  }
  f.CheckUnknown();
  return c;
}

Result<NoteSigner> LoadOrCreateSigner(const std::filesystem::path& key_file,
                                      const std::string& origin, bool* created) {
  std::error_code ec;
  if (created != nullptr) *created = false;
  if (std::filesystem::exists(key_file, ec)) {
    RAMPART_ASSIGN_OR_RETURN(std::string text, ReadFile(key_file, 4096));
    auto s = NoteSigner::Parse(text);
    if (!s) return s.error().WithContext(key_file.string());
    return s;
  }
  RAMPART_ASSIGN_OR_RETURN(NoteSigner s, NoteSigner::Generate(origin));
  if (key_file.has_parent_path()) std::filesystem::create_directories(key_file.parent_path(), ec);
  RAMPART_RETURN_IF_ERROR(WriteFileAtomic(key_file, s.ToString() + "\n", 0600));
  if (created != nullptr) *created = true;
  return s;
}

}  // namespace rampart::ledger
