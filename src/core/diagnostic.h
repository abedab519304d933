// Diagnostics: what a loader or checker tells a user about their input.
//
// Every finding in a user's file (estate, policy, manifest) carries the file,
// line and column it refers to, a stable code, a message and, where Rampart can
// tell, what to do about it. Printed as
//   examples/estate.yaml:42:11: error: unknown zone 'trainng' [estate.unknown-ref]
//     hint: did you mean 'training'?
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rampart {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown

  bool known() const { return line > 0; }
  std::string ToString() const;  // "file:line:col", "file" when unknown
};

enum class Severity { kNote, kWarning, kError };
std::string_view SeverityName(Severity s);

struct Diagnostic {
  Severity severity = Severity::kError;
  SourceLocation location;
  std::string code;  // stable id, e.g. "estate.unknown-ref"
  std::string message;
  std::string hint;  // what to do; may be empty

  std::string ToString() const;
};

// Collects diagnostics from a multi-step check.
class Diagnostics {
 public:
  void Add(Diagnostic d) { items_.push_back(std::move(d)); }
  void Error(SourceLocation loc, std::string code, std::string message, std::string hint = "");
  void Warning(SourceLocation loc, std::string code, std::string message, std::string hint = "");
  void Note(SourceLocation loc, std::string code, std::string message, std::string hint = "");

  bool has_errors() const;
  std::size_t error_count() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  std::vector<Diagnostic>& items() { return items_; }
  // Orders by file, line, column; stable for equal positions.
  void Sort();
  std::string ToString() const;  // one Diagnostic::ToString() per line

 private:
  std::vector<Diagnostic> items_;
};

// The candidate closest to `word` by edit distance, if close enough to be a
// plausible typo (distance <= max(1, len/3)); "" otherwise.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);
// "did you mean 'x'?" or "" when nothing is close.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace rampart
