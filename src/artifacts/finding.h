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

// How much of a file the scanner inspected. Every file ends in exactly one
// state; each state other than kFull is explained by a finding
// (docs/formats/scan-output.md).
enum class Coverage {
  kFull,     // every byte a loader interprets was inspected
  kPartial,  // some of it was not (an encrypted member, a limit, a truncation...)
  kSkipped,  // a known inert format (text, image, ...): nothing a loader runs
  kNone,     // not inspected at all: unrecognized content or unreadable
};
std::string_view CoverageName(Coverage c);  // "full", "partial", "skipped", "none"

// True for rules that say some bytes were not inspected (scan.truncated,
// archive.encrypted, archive.bomb, ...): a file with one is at best kPartial.
bool IsCoverageRule(std::string_view rule);

// The rule for an error met while reading a stream or a container member:
// archive.bomb for limits, archive.encrypted, scan.truncated when the bytes
// end early, scan.unreadable otherwise (the scanner reports it as
// scan.member-unreadable inside containers).
std::string_view ReadErrorRule(const Status& error);

// The result of scanning one top-level file.
struct FileReport {
  std::string file;
  std::string format;  // detected format of the file itself
  std::vector<Finding> findings;
  std::uint64_t bytes = 0;      // size of the file
  std::optional<Status> error;  // set when the file could not be read at all
  Coverage coverage = Coverage::kFull;
};

}  // namespace rampart::artifacts
