#include "artifacts/finding.h"

namespace rampart::artifacts {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "unknown";
}

Result<Severity> ParseSeverity(std::string_view s) {
  if (s == "info") return Severity::kInfo;
  if (s == "low") return Severity::kLow;
  if (s == "medium") return Severity::kMedium;
  if (s == "high") return Severity::kHigh;
  if (s == "critical") return Severity::kCritical;
  return InvalidArgumentError("unknown severity '" + std::string(s) +
                              "' (use info, low, medium, high or critical)");
}

std::string Finding::Location() const {
  std::string out = file;
  for (const auto& m : inner) {
    out += '!';
    out += m;
  }
  return out;
}

}  // namespace rampart::artifacts
