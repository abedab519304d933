// Scan results for people (text), programs (JSON, one object per finding)
// and code-scanning dashboards (SARIF 2.1.0). docs/formats/scan-output.md.
#pragma once

#include <string>
#include <vector>

#include "artifacts/finding.h"

namespace rampart::artifacts {

struct ReportOptions {
  Severity min_severity = Severity::kLow;  // findings below are left out
  std::string tool_version = "0.0.0";
};

std::string FormatText(const std::vector<FileReport>& reports, const ReportOptions& opt);
std::string FormatJson(const std::vector<FileReport>& reports, const ReportOptions& opt);
std::string FormatSarif(const std::vector<FileReport>& reports, const ReportOptions& opt);

}  // namespace rampart::artifacts
