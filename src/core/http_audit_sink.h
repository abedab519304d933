// A remote AuditSink: batches events and POSTs them to a ledger's
// /v1/entries (docs/formats/ledger-api.md) with an API key.
//
// Memory is bounded by back-pressure, not spill to disk: at most
// `max_buffered_events` events wait in memory for the ledger to acknowledge
// them; beyond that Append() returns ResourceExhausted at once and the caller
// decides (the gateway counts and logs; the CLI fails). An event leaves the
// buffer only when the ledger has answered 201 for it (durable there), or
// 400/413 for it alone (the ledger will never take it: logged at error
// level and counted in rejected()). While the ledger is down, the sender
// retries with exponential backoff. Nothing is dropped silently; events
// still buffered when the sink is destroyed are logged as undelivered.
//
// Thread-safety: thread-safe; one background sender thread per sink.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/audit_sink.h"
#include "core/status.h"

namespace rampart {

struct HttpAuditSinkOptions {
  std::string url;      // the ledger's base URL: http://host:port or https://host:port
  std::string api_key;  // sent as "Authorization: Bearer <key>"
  // https: the CA that signed the ledger's certificate (system roots when
  // empty); with a client certificate the ledger can authenticate the sink by
  // mTLS instead of an API key.
  std::string ca_file;
  std::string client_cert_file;
  std::string client_key_file;
  std::size_t max_buffered_events = 10000;
  std::size_t max_batch = 500;                // events per request
  std::chrono::milliseconds batch_delay{50};  // wait this long to fill a batch
  std::chrono::milliseconds request_timeout{5000};
  std::chrono::milliseconds max_backoff{5000};
};

class HttpAuditSink : public AuditSink {
 public:
  // Events the ledger refused for good (bad entry), and events acknowledged.
  virtual std::uint64_t rejected() const = 0;
  virtual std::uint64_t delivered() const = 0;
  // The last failed delivery attempt: the HTTP status (0 when the ledger was
  // unreachable, -1 when nothing has failed) and a description. A caller that
  // cannot wait (the CLI) stops early on 401/403, which retrying won't fix.
  virtual int last_failure_status() const = 0;
  virtual std::string last_failure() const = 0;
};

Result<std::shared_ptr<HttpAuditSink>> MakeHttpAuditSink(const HttpAuditSinkOptions& opts);

}  // namespace rampart
