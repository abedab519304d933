#include "core/diagnostic.h"

#include <algorithm>
#include <tuple>

namespace rampart {

std::string SourceLocation::ToString() const {
  if (line <= 0) return file;
  std::string s = file + ":" + std::to_string(line);
  if (column > 0) s += ":" + std::to_string(column);
  return s;
}

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kNote:
      return "note";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "error";
}

std::string Diagnostic::ToString() const {
  std::string s = location.ToString();
  if (!s.empty()) s += ": ";
  s += SeverityName(severity);
  s += ": ";
  s += message;
  if (!code.empty()) s += " [" + code + "]";
  if (!hint.empty()) s += "\n  hint: " + hint;
  return s;
}

void Diagnostics::Error(SourceLocation loc, std::string code, std::string message,
                        std::string hint) {
  Add({Severity::kError, std::move(loc), std::move(code), std::move(message), std::move(hint)});
}
void Diagnostics::Warning(SourceLocation loc, std::string code, std::string message,
                          std::string hint) {
  Add({Severity::kWarning, std::move(loc), std::move(code), std::move(message), std::move(hint)});
}
void Diagnostics::Note(SourceLocation loc, std::string code, std::string message,
                       std::string hint) {
  Add({Severity::kNote, std::move(loc), std::move(code), std::move(message), std::move(hint)});
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(
      std::count_if(items_.begin(), items_.end(),
                    [](const Diagnostic& d) { return d.severity == Severity::kError; }));
}

void Diagnostics::Sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.location.file, a.location.line, a.location.column) <
           std::tie(b.location.file, b.location.line, b.location.column);
  });
}

std::string Diagnostics::ToString() const {
  std::string s;
  for (const auto& d : items_) {
    s += d.ToString();
    s += '\n';
  }
  return s;
}

namespace {
// Optimal string alignment distance: insertions, deletions, substitutions
// and transpositions of adjacent characters ("prots" -> "ports" is 1).
std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}
}  // namespace

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = SIZE_MAX;
  for (const auto& c : candidates) {
    std::size_t d = EditDistance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  std::size_t limit = std::max<std::size_t>(1, std::max(word.size(), best.size()) / 3);
  if (best_d == SIZE_MAX || best_d > limit || best_d == 0) return "";
  return best;
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string m = ClosestMatch(word, candidates);
  if (m.empty()) return "";
  return "did you mean '" + m + "'?";
}

}  // namespace rampart
