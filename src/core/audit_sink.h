// AuditSink: how a pillar records an event in the audit ledger without
// linking the ledger pillar.
//
// The gateway appends access summaries, the artifacts pillar appends signing
// and manifest events. `rampart serve` / the CLI wire in an implementation:
// the ledger's in-process sink when the ledger runs in the same process, or a
// remote sink that POSTs batches to a ledger's HTTP API.
//
// Contract for every implementation:
//  - Append() never blocks for long and never drops an event silently: when
//    the sink cannot accept more (its bounded buffer is full because the
//    ledger is down), it returns ResourceExhausted or Unavailable and the
//    caller decides (the gateway counts and logs it; the CLI fails).
//  - Flush() waits until every event accepted so far is durable in the ledger
//    or the deadline passes.
//  - Thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "core/status.h"

namespace rampart {

// An artifact an event is about: "sha256:<hex>" and a human name.
struct AuditSubject {
  std::string digest;
  std::string name;
};

struct AuditEvent {
  std::string type;   // a ledger entry type: "access.summary", "model.signed", "x-..."
  std::string actor;  // the identity that caused it
  std::chrono::system_clock::time_point time;
  std::vector<AuditSubject> subjects;
  boost::json::object fields;  // type-specific, see docs/formats/ledger-entry.md
};

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual Status Append(AuditEvent event) = 0;
  // The same for an event given as the JSON text of its entry (the shape of
  // core/audit_json.h: "type", "actor", "time", "subjects" and the
  // type-specific fields side by side), from a producer that writes many
  // records and serialises them itself instead of building a json tree (the
  // gateway's access summaries). Members written in canonical (RFC 8785)
  // order spare the ledger a re-sort; it validates and canonicalises the
  // entry either way. The default parses the text into an AuditEvent and
  // calls Append; InvalidArgument when the text is not such an entry.
  virtual Status AppendJson(const std::string& entry_json);
  virtual Status Flush(std::chrono::milliseconds timeout) = 0;
};

// Called first by each thread that carries audit records towards the ledger
// in bulk (the gateway's audit batcher, the ledger's builder and writer):
// names the calling thread (`name`, at most 15 characters) and moves it to
// SCHED_BATCH. A SCHED_BATCH thread keeps its fair share of the CPU (same
// weight as its nice value), so the audit trail is never starved, but its
// wake-ups never preempt the running task: under SCHED_OTHER, the batcher
// woken by an I/O thread (batch full) preempted that I/O thread and the
// ledger threads it woke in turn ran before it, 0.3-0.5 ms in which the
// request in flight waited (docs/design/gateway-cost.md). Failures are
// ignored: it is a scheduling hint.
void BecomeAuditThread(const char* name);

}  // namespace rampart
