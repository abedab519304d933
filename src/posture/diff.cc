#include "posture/diff.h"

#include <map>

#include "core/json.h"

namespace rampart::posture {

namespace {

// The aggregation order of docs/formats/controls.md; unknown statuses rank
// as the worst, so a file cannot hide a regression behind a new word.
int Rank(std::string_view s) {
  if (s == "not-applicable") return 0;
  if (s == "pass") return 1;
  if (s == "missing" || s == "absent") return 2;
  if (s == "stale") return 3;
  if (s == "invalid") return 4;
  return 5;
}

using Statuses = std::vector<std::pair<std::string, std::string>>;  // ordered (what, status)

Result<Statuses> Read(std::string_view text, std::string_view name) {
  std::string n(name);
  auto v = ParseJson(text, {}, name);
  if (!v) return InvalidArgumentError(n + ": " + v.error().message());
  if (!v->is_object() || !v->as_object().contains("rampart_assessment"))
    return InvalidArgumentError(n + ": not an assessment (rampart assess --format json)");
  const json::object& root = v->as_object();
  Statuses out;
  auto list = [&](const char* key) -> Result<const json::array*> {
    const auto* a = root.if_contains(key);
    if (!a || !a->is_array()) return InvalidArgumentError(n + ": \"" + key + "\" is not a list");
    return &a->as_array();
  };
  auto str = [](const json::object& o, const char* k) -> std::string {
    const auto* x = o.if_contains(k);
    return x && x->is_string() ? std::string(x->as_string()) : std::string();
  };
  RAMPART_ASSIGN_OR_RETURN(const json::array* cells, list("cells"));
  for (const auto& c : *cells) {
    if (!c.is_object()) return InvalidArgumentError(n + ": a cell is not an object");
    const auto& o = c.as_object();
    std::string layer = str(o, "layer"), control = str(o, "control"), st = str(o, "status");
    if (layer.empty() || control.empty() || st.empty())
      return InvalidArgumentError(n + ": a cell lacks layer, control or status");
    out.emplace_back("cell " + layer + " x " + control, st);
  }
  RAMPART_ASSIGN_OR_RETURN(const json::array* checks, list("checks"));
  for (const auto& c : *checks) {
    if (!c.is_object()) return InvalidArgumentError(n + ": a check is not an object");
    const auto& o = c.as_object();
    std::string id = str(o, "id"), st = str(o, "status");
    if (id.empty() || st.empty()) return InvalidArgumentError(n + ": a check lacks id or status");
    out.emplace_back("check " + id, st);
  }
  std::map<std::string_view, int> seen;
  for (const auto& [what, st] : out)
    if (++seen[what] > 1) return InvalidArgumentError(n + ": " + what + " appears twice");
  return out;
}

}  // namespace

int AssessmentDiff::regressions() const {
  int n = 0;
  for (const auto& c : changes) n += c.regressed;
  return n;
}

int AssessmentDiff::improvements() const {
  int n = 0;
  for (const auto& c : changes) n += !c.regressed && Rank(c.after) < Rank(c.before);
  return n;
}

Result<AssessmentDiff> DiffAssessments(std::string_view old_json, std::string_view old_name,
                                       std::string_view new_json, std::string_view new_name) {
  RAMPART_ASSIGN_OR_RETURN(Statuses before, Read(old_json, old_name));
  RAMPART_ASSIGN_OR_RETURN(Statuses after, Read(new_json, new_name));
  std::map<std::string, std::string, std::less<>> old_map(before.begin(), before.end());
  std::map<std::string, std::string, std::less<>> new_map(after.begin(), after.end());
  AssessmentDiff d;
  for (const auto& [what, st] : after) {
    auto it = old_map.find(what);
    std::string prev = it == old_map.end() ? "absent" : it->second;
    if (prev == st) continue;
    d.changes.push_back({what, prev, st, Rank(st) > Rank(prev)});
  }
  for (const auto& [what, st] : before) {
    if (new_map.contains(what)) continue;
    d.changes.push_back({what, st, "absent", Rank("absent") > Rank(st)});
  }
  return d;
}

std::string DiffToText(const AssessmentDiff& d) {
  std::string out;
  for (const auto& c : d.changes) {
    out += std::string(c.regressed                      ? "regressed "
                       : Rank(c.after) < Rank(c.before) ? "improved  "
                                                        : "changed   ") +
           c.what + ": " + c.before + " -> " + c.after + "\n";
  }
  out += std::to_string(d.improvements()) + " improved, " + std::to_string(d.regressions()) +
         " regressed\n";
  return out;
}

}  // namespace rampart::posture
