#include "artifacts/finding.h"

#include <algorithm>
#include <array>
#include <cctype>

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

std::string_view CoverageName(Coverage c) {
  switch (c) {
    case Coverage::kFull:
      return "full";
    case Coverage::kPartial:
      return "partial";
    case Coverage::kSkipped:
      return "skipped";
    case Coverage::kNone:
      return "none";
  }
  return "none";
}

bool IsCoverageRule(std::string_view rule) {
  static constexpr std::array<std::string_view, 20> kRules = {
      "scan.unrecognized",      "scan.unreadable",
      "scan.member-unreadable", "scan.truncated",
      "archive.bomb",           "archive.nesting",
      "archive.entry-limit",    "archive.encrypted",
      "archive.malformed",      "zip.encrypted",
      "zip.unsupported-method", "zip.malformed",
      "pickle.malformed",       "pickle.limit",
      "joblib.unsized-array",   "keras.malformed",
      "onnx.malformed",         "gguf.malformed",
      "safetensors.malformed",  "safetensors.header-length"};
  return std::find(kRules.begin(), kRules.end(), rule) != kRules.end();
}

std::string_view ReadErrorRule(const Status& error) {
  if (error.code() == StatusCode::kResourceExhausted) return "archive.bomb";
  std::string m = error.message();
  std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return std::tolower(c); });
  // libarchive and zlib say so in words only.
  if (m.find("encrypt") != std::string::npos || m.find("passphrase") != std::string::npos) {
    return "archive.encrypted";
  }
  if (m.find("truncat") != std::string::npos || m.find("premature end") != std::string::npos ||
      m.find("unexpected end") != std::string::npos) {
    return "scan.truncated";
  }
  return "scan.unreadable";
}

}  // namespace rampart::artifacts
