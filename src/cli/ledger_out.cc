#include "cli/ledger_out.h"

#include <cstdlib>
#include <filesystem>

#include "core/file.h"
#include "core/http_audit_sink.h"
#include "ledger/ledger.h"
#include "ledger/local_audit_sink.h"
#include "ledger/note.h"
#include "ledger/store.h"

namespace rampart::cli {

namespace fs = std::filesystem;

namespace {

// The target as it may be printed: a password in a postgres:// or http://
// URL's user part is not.
std::string Redact(const std::string& t) {
  std::size_t scheme = t.find("://");
  if (scheme == std::string::npos) return t;
  std::size_t at = t.find('@', scheme + 3);
  std::size_t slash = t.find('/', scheme + 3);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return t;
  return t.substr(0, scheme + 3) + "***" + t.substr(at);
}

}  // namespace

void AddLedgerOutOptions(CLI::App* cmd, LedgerOutArgs& a, const char* what) {
  cmd->add_option("--ledger", a.target, what);
  cmd->add_option("--ledger-key", a.api_key,
                  "API key for an http(s) --ledger (default: $RAMPART_LEDGER_API_KEY)");
  cmd->add_option("--ledger-signer", a.signer_key,
                  "Signer key of a store --ledger (default: var/ledger.key)");
  cmd->add_option("--actor", a.actor, "Identity recorded as the event's actor (default: $USER)");
}

Result<std::unique_ptr<LedgerOut>> LedgerOut::Open(const LedgerOutArgs& a, std::string submitter) {
  std::unique_ptr<LedgerOut> out(new LedgerOut());
  out->target_ = Redact(a.target);
  out->actor_ = a.actor;
  if (out->actor_.empty()) {
    const char* u = std::getenv("USER");
    out->actor_ = u && *u ? u : "rampart-cli";
  }
  const std::string& t = a.target;
  const std::string& shown = out->target_;
  if (t.starts_with("http://") || t.starts_with("https://")) {
    HttpAuditSinkOptions o;
    o.url = t;
    o.api_key = a.api_key;
    if (o.api_key.empty()) {
      if (const char* k = std::getenv("RAMPART_LEDGER_API_KEY")) o.api_key = k;
    }
    auto sink = MakeHttpAuditSink(o);
    if (!sink) return sink.error().WithContext("--ledger " + shown);
    out->http_ = std::move(*sink);
    out->sink_ = out->http_.get();
    return out;
  }
  if (!t.starts_with("sqlite:") && !t.starts_with("postgres://") && !t.starts_with("postgresql://"))
    return InvalidArgumentError("--ledger " + shown +
                                ": expected a ledger service (http://HOST:PORT, https://...) or "
                                "a ledger store (sqlite:PATH, postgres://...)");
  if (t.starts_with("sqlite:")) {
    std::string path = t.substr(7);
    if (path.starts_with("//")) path = path.substr(2);
    std::error_code ec;
    if (!fs::exists(path, ec))
      return InvalidArgumentError("--ledger " + shown + ": no ledger at " + path +
                                  "; create one with `rampart ledger init --store " + t + "`");
  }
  std::error_code ec;
  if (!fs::exists(a.signer_key, ec))
    return InvalidArgumentError("--ledger-signer " + a.signer_key +
                                ": no signer key; a store --ledger is signed with the ledger's "
                                "key (rampart ledger init)");
  auto text = ReadFile(a.signer_key, 4096);
  if (!text) return text.error().WithContext("--ledger-signer");
  auto signer = ledger::NoteSigner::Parse(*text);
  if (!signer)
    return InvalidArgumentError("--ledger-signer " + a.signer_key + ": " +
                                signer.error().message());
  auto store = ledger::OpenStore(t);
  if (!store) return store.error().WithContext("--ledger " + shown);
  auto l = ledger::Ledger::Open(std::move(*store), std::move(*signer));
  if (!l) return l.error().WithContext("--ledger " + shown);
  out->ledger_ = std::shared_ptr<ledger::Ledger>(std::move(*l));
  out->local_ = std::make_shared<ledger::LocalAuditSink>(out->ledger_, std::move(submitter));
  out->sink_ = out->local_.get();
  return out;
}

LedgerOut::~LedgerOut() {
  if (local_) {
    (void)local_->Flush(std::chrono::seconds(5));
    local_->Close();
  }
}

Status LedgerOut::Drain(std::chrono::milliseconds timeout) {
  if (local_) {
    RAMPART_RETURN_IF_ERROR(local_->Flush(timeout));
    std::uint64_t failed = local_->failed();
    if (failed != failed_seen_) {
      failed_seen_ = failed;
      return UnavailableError("--ledger " + target_ + ": the ledger did not commit an event");
    }
    auto cp = ledger_->WaitForCheckpoint(ledger_->size(), timeout);
    if (!cp) return cp.error().WithContext("--ledger " + target_);
    return OkStatus();
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    Status flushed = http_->Flush(std::chrono::milliseconds(200));
    if (flushed.ok()) {
      if (http_->rejected() > 0)
        return InvalidArgumentError("--ledger " + target_ + ": the ledger refused an event (" +
                                    http_->last_failure() + ")");
      return OkStatus();
    }
    int st = http_->last_failure_status();
    if (st == 401 || st == 403)
      return UnauthenticatedError("--ledger " + target_ + ": the ledger refused the API key (" +
                                  http_->last_failure() + "); check --ledger-key");
    if (std::chrono::steady_clock::now() > deadline) {
      std::string why = http_->last_failure();
      return UnavailableError("--ledger " + target_ + ": " +
                              (why.empty() ? flushed.message() : "ledger " + why));
    }
  }
}

Status LedgerOut::Record(AuditEvent event, std::chrono::milliseconds timeout) {
  RAMPART_RETURN_IF_ERROR(sink_->Append(std::move(event)));
  return Drain(timeout);
}

}  // namespace rampart::cli
