// `rampart assess diff OLD.json NEW.json`: what improved or regressed between
// two assessments (their JSON, docs/formats/controls.md). The files are
// untrusted input: a malformed one is an InvalidArgument naming it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace rampart::posture {

struct Change {
  std::string what;    // "cell training-data x zero-trust", "check gateway.tls"
  std::string before;  // status, or "absent"
  std::string after;
  bool regressed = false;  // worse than before (by the aggregation order)
};

struct AssessmentDiff {
  std::vector<Change> changes;  // cells first, then checks, in the new file's order
  int regressions() const;
  int improvements() const;
};

Result<AssessmentDiff> DiffAssessments(std::string_view old_json, std::string_view old_name,
                                       std::string_view new_json, std::string_view new_name);

std::string DiffToText(const AssessmentDiff& d);

}  // namespace rampart::posture
