// The ledger's configuration: the estate's `ledger:` section (schema in
// docs/design/ledger.md), read with YamlFields so problems carry
// file:line:col. Every field has an embedded default, so an estate without a
// `ledger:` section but with a service of kind `ledger` runs on defaults.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "core/status.h"
#include "estate/model.h"
#include "ledger/api_key.h"
#include "ledger/server.h"

namespace rampart::ledger {

struct LedgerConfig {
  std::string origin;              // checkpoint origin and key name
  std::string storage;             // storage URL
  std::filesystem::path key_file;  // signer key; generated on first start if missing
  std::string listen_host;
  std::uint16_t listen_port = 7000;
  bool listen_explicit = false;  // `listen:` given: a busy port is an error
  std::chrono::milliseconds checkpoint_interval{200};
  std::chrono::milliseconds deferred_commit_interval{10};  // LedgerOptions'
  std::size_t max_queue_entries = 65536;
  std::size_t max_batch_entries = 8192;  // per transaction
  ServerOptions server;                  // host/port filled from listen_*
};

// Defaults for an estate: origin "<estate name>.rampart/ledger", storage and
// key under `var_dir`, port from the estate's ledger service (7000 if none).
LedgerConfig DefaultLedgerConfig(const estate::Estate* e, const std::filesystem::path& var_dir,
                                 const std::string& bind_host);

// Applies the `ledger:` section of `e` (if any) over the defaults. Errors
// (unknown keys, wrong types, unknown identities) go to `diags`.
LedgerConfig ReadLedgerConfig(const estate::Estate& e, const std::filesystem::path& var_dir,
                              const std::string& bind_host, Diagnostics* diags);

// Reads the signer key file, or creates one (mode 0600) named `origin` when
// it does not exist yet.
Result<NoteSigner> LoadOrCreateSigner(const std::filesystem::path& key_file,
                                      const std::string& origin, bool* created = nullptr);

}  // namespace rampart::ledger
