// The AI-cluster segmentation invariants, checked on an estate.
//
// Each finding names the flows (and, for multi-hop findings, the whole path)
// that create it and points at the estate line to change. The invariants and
// how a service's plane is decided are documented in docs/design/zones.md.
// Pure function of the Estate; thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "estate/model.h"
#include "zones/lateral.h"

namespace rampart::zones {

enum class Plane { kInternet, kIngestion, kTraining, kInference, kMlops, kOther };
std::string_view ToString(Plane p);

// The zone's kind when it is specific; otherwise inferred from the service
// (compute -> training; inference, gateway -> inference; orchestrator,
// registry, ledger -> mlops; etl, labeling -> ingestion; storage/database by
// what it holds: a regulated dataset -> ingestion, crown-jewel datasets or
// models -> training).
Plane PlaneOf(const estate::Estate& e, const estate::Service& s);

struct Finding {
  std::string code;  // "zones.training-exposed", ...
  std::string message;
  SourceLocation where;            // the flow or service to change
  std::vector<std::string> flows;  // the flows that create it
  std::vector<Hop> path;           // for multi-hop findings
  std::string hint;
};

std::vector<Finding> CheckInvariants(const estate::Estate& e);

}  // namespace rampart::zones
