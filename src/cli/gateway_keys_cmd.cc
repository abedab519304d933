// `rampart gateway keys create|revoke|list`: the gateway's API keys.
//
// `create` prints the new key once on stdout and nothing else there (so a
// script can capture it); the store keeps only a salted hash
// (gateway/key_store.h). A running gateway picks changes up on SIGHUP.
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "core/clock.h"
#include "core/json.h"
#include "estate/loader.h"
#include "gateway/config.h"
#include "gateway/key_store.h"

namespace rampart::cli {
namespace {

namespace fs = std::filesystem;
using gateway::KeyStore;

struct KeysArgs {
  std::vector<std::string> estate;
  std::string store;  // default: the estate's auth.keys_file, else var/gateway-keys.json
  std::string var_dir = "var";
  std::string identity;
  std::string id;
  std::string format = "text";
};

void AddCommon(CLI::App* cmd, KeysArgs& a) {
  cmd->add_option("--estate", a.estate, "Estate file(s): identities are checked against it")
      ->check(CLI::ExistingPath);
  cmd->add_option("--store", a.store,
                  "Key store file (default: the estate's gateway auth.keys_file, else "
                  "var/gateway-keys.json)");
  cmd->add_option("--var", a.var_dir, "Directory for state files (default var)");
}

// The estate (if any) and the store path the command works on.
Result<std::pair<std::optional<estate::Estate>, fs::path>> Resolve(const KeysArgs& a) {
  std::optional<estate::Estate> est;
  fs::path store = a.store.empty() ? fs::path(a.var_dir) / "gateway-keys.json" : fs::path(a.store);
  if (!a.estate.empty()) {
    std::vector<fs::path> files(a.estate.begin(), a.estate.end());
    RAMPART_ASSIGN_OR_RETURN(estate::Estate e, estate::LoadValid(files));
    Diagnostics d;
    auto cfg = gateway::LoadGatewayConfig(e, a.var_dir, "127.0.0.1", &d);
    if (!cfg) return cfg.error();
    if (a.store.empty()) store = cfg->auth.keys_file;
    est = std::move(e);
  }
  return std::pair{std::move(est), store};
}

std::string FormatTime(std::int64_t unix_seconds) {
  return FormatRfc3339(Clock::SystemTime(std::chrono::seconds(unix_seconds)));
}

int Create(const KeysArgs& a) {
  auto r = Resolve(a);
  if (!r) return ReportError(r.error());
  auto& [est, path] = *r;
  if (est) {
    if (est->FindIdentity(a.identity) == nullptr) {
      std::vector<std::string> names;
      for (const auto& i : est->identities) names.push_back(i.name);
      std::string hint = DidYouMean(a.identity, names);
      return ReportError(InvalidArgumentError("identity '" + a.identity + "' is not in the estate" +
                                              (hint.empty() ? "" : "; " + hint)));
    }
  } else {
    std::fprintf(stderr,
                 "rampart: no --estate given: identity '%s' is not checked (the gateway refuses "
                 "keys whose identity is not in its estate)\n",
                 a.identity.c_str());
  }
  auto store = KeyStore::Load(path);
  if (!store) return ReportError(store.error());
  auto k = store->Create(a.identity, std::chrono::system_clock::now());
  if (!k) return ReportError(k.error());
  if (Status s = store->Save(path); !s.ok()) return ReportError(s);
  PrintOut(k->key + "\n");
  std::fflush(stdout);
  std::fprintf(stderr,
               "rampart: created key %s for identity '%s' in %s; it is shown only once. "
               "Send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.\n",
               k->id.c_str(), a.identity.c_str(), path.string().c_str());
  return kExitOk;
}

int Revoke(const KeysArgs& a) {
  auto r = Resolve(a);
  if (!r) return ReportError(r.error());
  const fs::path& path = r->second;
  auto store = KeyStore::Load(path);
  if (!store) return ReportError(store.error());
  if (Status s = store->Revoke(a.id, std::chrono::system_clock::now()); !s.ok()) {
    return ReportError(s);
  }
  if (Status s = store->Save(path); !s.ok()) return ReportError(s);
  std::fprintf(stderr, "rampart: revoked key %s in %s (a running gateway drops it on SIGHUP)\n",
               a.id.c_str(), path.string().c_str());
  return kExitOk;
}

int List(const KeysArgs& a) {
  auto r = Resolve(a);
  if (!r) return ReportError(r.error());
  auto store = KeyStore::Load(r->second);
  if (!store) return ReportError(store.error());
  auto keys = store->List();
  if (a.format == "json") {
    json::array arr;
    for (const auto& k : keys) {
      json::object o{{"id", k.id}, {"identity", k.identity}, {"created", FormatTime(k.created)}};
      if (k.revoked != 0) o["revoked"] = FormatTime(k.revoked);
      arr.push_back(std::move(o));
    }
    PrintOut(ToPrettyJson(json::object{{"keys", std::move(arr)}}) + "\n");
    return kExitOk;
  }
  if (keys.empty()) {
    std::fprintf(stderr, "rampart: no keys in %s\n", r->second.string().c_str());
    return kExitOk;
  }
  std::string out = "ID                IDENTITY                  CREATED               STATUS\n";
  for (const auto& k : keys) {
    std::string ident = k.identity;
    if (ident.size() < 24) ident.resize(24, ' ');
    out += k.id + "  " + ident + "  " + FormatTime(k.created) + "  " +
           (k.revoked != 0 ? "revoked " + FormatTime(k.revoked) : std::string("active")) + "\n";
  }
  PrintOut(out);
  return kExitOk;
}

}  // namespace

void RegisterGatewayKeysCommands(CLI::App& gateway_app, CommandContext& ctx) {
  auto* keys = gateway_app.add_subcommand("keys", "API keys of the gateway (salted hashes only)");
  keys->require_subcommand(1);

  static KeysArgs create_args;
  auto* create = keys->add_subcommand(
      "create", "Create an API key for an estate identity; prints the key once on stdout");
  create->add_option("--identity", create_args.identity, "Estate identity the key acts as")
      ->required();
  AddCommon(create, create_args);
  create->callback([&ctx] { ctx.exit_code = Create(create_args); });

  static KeysArgs revoke_args;
  auto* revoke = keys->add_subcommand("revoke", "Revoke a key by its id");
  revoke->add_option("id", revoke_args.id, "Key id (see `keys list`)")->required();
  AddCommon(revoke, revoke_args);
  revoke->callback([&ctx] { ctx.exit_code = Revoke(revoke_args); });

  static KeysArgs list_args;
  auto* list = keys->add_subcommand("list", "List key ids, identities and creation times");
  AddCommon(list, list_args);
  list->add_option("--format", list_args.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  list->callback([&ctx] { ctx.exit_code = List(list_args); });
}

}  // namespace rampart::cli
