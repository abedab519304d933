// `rampart seal`, `rampart unseal` (docs/formats/sealed.md), and the key
// broker's commands: `rampart kbs serve` and `rampart attest client`
// (docs/formats/kbs-protocol.md).
#include <cstdio>
#include <filesystem>
#include <string>

#include "attest/keys.h"
#include "attest/sealed.h"
#include "cli/attest_cmds.h"
#include "cli/cli.h"
#include "core/file.h"
#include "core/json.h"

namespace rampart::cli {
namespace {

namespace fs = std::filesystem;
using namespace rampart::attest;

struct SealArgs {
  std::string model, out, resource, kek, format = "text";
  bool create_kek = false;
  std::uint64_t chunk_size = 1u << 20;
};

int SealCmd(const SealArgs& a) {
  std::error_code ec;
  if (a.create_kek && !fs::exists(a.kek, ec)) {
    auto k = RandomKey();
    if (!k) return ReportError(k.error());
    if (Status s = WriteKeyFile(a.kek, KeyKind::kKek, *k); !s.ok()) return ReportError(s);
    std::fprintf(stderr, "rampart: wrote a new key-encryption key to %s (keep it with the broker)\n",
                 a.kek.c_str());
  }
  auto kek = ReadKeyFile(a.kek, KeyKind::kKek);
  if (!kek) return ReportError(kek.error());
  SealOptions o;
  o.resource = a.resource;
  o.chunk_size = a.chunk_size;
  auto r = Seal(a.model, a.out, *kek, o);
  if (!r) return ReportError(r.error().WithContext("cannot seal " + a.model));
  if (a.format == "json") {
    json::object j{{"sealed", a.out},
                   {"resource", a.resource},
                   {"root_digest", r->root_digest},
                   {"files", r->files},
                   {"bytes", r->bytes}};
    PrintOut(ToJson(j) + "\n");
  } else {
    PrintOut("sealed " + std::to_string(r->files) + " file(s), " + std::to_string(r->bytes) +
             " bytes, into " + a.out + "\n  resource    " + a.resource + "\n  root digest " +
             r->root_digest + "\n");
  }
  return kExitOk;
}

struct UnsealArgs {
  std::string sealed, out, key, kek, data_key, format = "text";
};

// The data key from a KEK file (unwrapped from the manifest) or a released
// data-key file; --key takes either and tells them apart by their first word.
Result<Key> DataKeyFor(const UnsealArgs& a) {
  std::string kek = a.kek, dk = a.data_key;
  if (!a.key.empty()) {
    RAMPART_ASSIGN_OR_RETURN(std::string text, ReadFile(a.key, 4096));
    (text.starts_with("rampart-kek-v1") ? kek : dk) = a.key;
  }
  if (kek.empty() == dk.empty()) {
    return InvalidArgumentError(
        "give exactly one key: --kek FILE (the broker's key-encryption key) or --data-key FILE "
        "(a key released by `rampart attest client`)");
  }
  if (!dk.empty()) return ReadKeyFile(dk, KeyKind::kDataKey);
  RAMPART_ASSIGN_OR_RETURN(Key k, ReadKeyFile(kek, KeyKind::kKek));
  RAMPART_ASSIGN_OR_RETURN(SealedManifest m, ReadSealedManifest(a.sealed));
  return UnwrapDataKey(m, k);
}

int UnsealCmd(const UnsealArgs& a) {
  auto dk = DataKeyFor(a);
  if (!dk) return ReportError(dk.error());
  auto r = Unseal(a.sealed, a.out, *dk);
  if (!r) return ReportError(r.error().WithContext("refused to unseal " + a.sealed));
  if (a.format == "json") {
    json::object j{{"out", a.out}, {"root_digest", r->root_digest}, {"files", r->files},
                   {"bytes", r->bytes}};
    PrintOut(ToJson(j) + "\n");
  } else {
    PrintOut("unsealed " + std::to_string(r->files) + " file(s), " + std::to_string(r->bytes) +
             " bytes, into " + a.out + "; every chunk authenticated\n  root digest " +
             r->root_digest + "\n");
  }
  return kExitOk;
}

}  // namespace

void RegisterAttestCommands(CLI::App& app, CommandContext& ctx) {
  static SealArgs seal_args;
  auto* seal = app.add_subcommand("seal", "Encrypt a model for release by the key broker");
  seal->add_option("model", seal_args.model, "Model directory (or file)")->required();
  seal->add_option("-o,--out", seal_args.out, "Sealed directory to create")->required();
  seal->add_option("--resource", seal_args.resource, "Broker resource path repo/type/tag")
      ->required();
  seal->add_option("--kek", seal_args.kek, "The broker's key-encryption key file")->required();
  seal->add_flag("--create-kek", seal_args.create_kek, "Create the --kek file if it is missing");
  seal->add_option("--chunk-size", seal_args.chunk_size,
                   "Authenticated chunk size in bytes (default 1 MiB)");
  seal->add_option("--format", seal_args.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  seal->callback([&ctx] { ctx.exit_code = SealCmd(seal_args); });

  static UnsealArgs unseal_args;
  auto* unseal = app.add_subcommand("unseal", "Decrypt a sealed model, all or nothing");
  unseal->add_option("sealed", unseal_args.sealed, "Sealed directory")->required();
  unseal->add_option("-o,--out", unseal_args.out, "Directory to create")->required();
  unseal->add_option("--key", unseal_args.key, "A key file: key-encryption key or data key");
  unseal->add_option("--kek", unseal_args.kek, "The broker's key-encryption key file");
  unseal->add_option("--data-key", unseal_args.data_key, "A released data key file");
  unseal->add_option("--format", unseal_args.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  unseal->callback([&ctx] { ctx.exit_code = UnsealCmd(unseal_args); });
}

}  // namespace rampart::cli
