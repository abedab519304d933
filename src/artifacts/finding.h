// What the scanner reports: one Finding per suspicious construct, with where
// it is (file, path inside containers, byte offset), what it is (format, rule
// id, the resolved import or call) and how bad it is (severity).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace rampart::artifacts {

// Ordered: a finding "at or above" a threshold compares >=.
enum class Severity { kInfo = 0, kLow, kMedium, kHigh, kCritical };

std::string_view SeverityName(Severity s);  // "info" ... "critical"
Result<Severity> ParseSeverity(std::string_view s);

struct Finding {
  std::string file;                // the path the user named (or found in a walk)
  std::vector<std::string> inner;  // member names, outermost first, inside containers
  std::string format;              // format of the innermost object: "pickle", "zip", ...
  Severity severity = Severity::kInfo;
  std::string rule;                     // stable rule id: "pickle.import", "zip.crc-mismatch"
  std::string message;                  // one sentence for people
  std::string symbol;                   // the resolved import or call: "os.system"
  std::string call;                     // how it is called: "REDUCE", "BUILD (__setstate__)"
  std::optional<std::uint64_t> offset;  // byte offset inside the innermost object

  // "model.pt!archive/data.pkl" (members joined with '!').
  std::string Location() const;
};

// What a format parser reports before the scanner knows where the object
// sits: the scanner adds the location and (unless given) the policy's severity.
struct Issue {
  std::string rule;
  std::string message;
  std::optional<std::uint64_t> offset;
  std::string symbol;
  std::optional<Severity> severity;  // overrides the policy's rule severity
};

// The result of scanning one top-level file.
struct FileReport {
  std::string file;
  std::string format;  // detected format of the file itself
  std::vector<Finding> findings;
  std::uint64_t bytes = 0;      // size of the file
  std::optional<Status> error;  // set when the file could not be read at all
};

}  // namespace rampart::artifacts
