// Where a command records its events (`--ledger`): a ledger service
// (http:// or https://, authenticated with an API key), or a ledger store
// opened in process (sqlite:PATH or postgres://..., the store of
// `rampart ledger init`, whose checkpoints are signed with the ledger's signer
// key). One helper so that every command that records — `rampart assess`,
// `rampart node poll` — takes the same options and fails the same way.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "cli/cli.h"
#include "core/audit_sink.h"
#include "core/status.h"

namespace rampart::ledger {
class Ledger;
class LocalAuditSink;
}  // namespace rampart::ledger

namespace rampart {
class HttpAuditSink;
}

namespace rampart::cli {

struct LedgerOutArgs {
  std::string target;                         // URL or store; empty: record nothing
  std::string api_key;                        // service: default $RAMPART_LEDGER_API_KEY
  std::string signer_key = "var/ledger.key";  // store: the ledger's signer key
  std::string actor;                          // default: $USER
};

// --ledger, --ledger-key (the service's API key), --ledger-signer (the
// store's signer key), --actor.
void AddLedgerOutOptions(CLI::App* cmd, LedgerOutArgs& a, const char* what);

class LedgerOut {
 public:
  // `submitter` is recorded as who submitted when writing to a store (a
  // service records the API key's identity itself). InvalidArgument for a
  // target that is neither a URL nor a store, a store that does not exist, or
  // a missing signer key.
  static Result<std::unique_ptr<LedgerOut>> Open(const LedgerOutArgs& a, std::string submitter);
  ~LedgerOut();

  AuditSink* sink() const { return sink_; }
  const std::string& actor() const { return actor_; }
  // The target as it may be printed (a password in the URL replaced).
  const std::string& where() const { return target_; }

  // Appends one event and waits until the ledger holds it durably (and, for
  // a store, a signed checkpoint covers it). Fails at once on a refused API
  // key; Unavailable after `timeout`.
  Status Record(AuditEvent event, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Waits until every event appended through sink() so far is durable.
  Status Drain(std::chrono::milliseconds timeout);

 private:
  LedgerOut() = default;
  std::string target_, actor_;
  std::shared_ptr<HttpAuditSink> http_;
  std::shared_ptr<ledger::Ledger> ledger_;
  std::shared_ptr<ledger::LocalAuditSink> local_;
  AuditSink* sink_ = nullptr;
  std::uint64_t failed_seen_ = 0;
};

}  // namespace rampart::cli
