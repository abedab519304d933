// The assessment: the matrix filled from evidence. Pure function of the
// controls, the estate and the evidence gathered by the caller (the CLI runs
// the other pillars and hands their results in as Evidence); checks whose
// source is the estate itself are computed here.
#pragma once

#include <string>
#include <vector>

#include "estate/model.h"
#include "posture/controls.h"
#include "posture/evidence.h"

namespace rampart::posture {

struct CheckResult {
  const Check* check = nullptr;
  State state = State::kMissing;
  std::vector<Evidence> evidence;
};

struct CellResult {
  const Cell* cell = nullptr;
  State state = State::kMissing;
};

// A lateral path from an exposed entry point to a crown jewel, for the
// report's graph: node names in order, and what each hop rides on.
struct PathView {
  std::vector<std::string> nodes;  // entry point first, crown-jewel holder last
  std::vector<std::string> rules;  // rules[i] allows nodes[i] -> nodes[i+1]
  std::string target_note;         // "crown jewels: training-data, checkpoints"
};

struct Assessment {
  const Controls* controls = nullptr;
  std::string estate_name;
  std::vector<std::string> estate_files;
  std::string estate_digest;
  std::string time;                    // RFC 3339, the assessment's "now"
  std::vector<bool> layer_applies;     // parallel to controls->layers
  std::vector<CellResult> cells;       // parallel to controls->cells
  std::vector<CheckResult> checks;     // parallel to controls->checks
  std::vector<Evidence> unattributed;  // evidence files whose kind could not be read
  std::vector<PathView> paths;         // lateral paths to crown jewels (drawn in HTML)

  int Count(State s) const;
  int EssentialNotPassing() const;  // essential cells neither pass nor n/a
  const CheckResult* FindCheck(std::string_view id) const;
};

// Whether a layer applies to the estate (AppliesWhen).
bool LayerApplies(const Layer& layer, const estate::Estate& e);

// estate.flow-identities: flows into asset-holding and compute services name
// a workload or service-account identity.
Evidence CheckFlowIdentities(const estate::Estate& e, const std::string& time);

// The estate digest: "sha256:" + hex of the estate files' bytes in order.
std::string EstateDigest(const std::vector<std::string>& file_contents);

// REQUIRES: `controls` outlives the result.
Assessment Assess(const Controls& controls, const estate::Estate& e, std::string estate_digest,
                  std::string time, std::vector<Evidence> evidence);

}  // namespace rampart::posture
