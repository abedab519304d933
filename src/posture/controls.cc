#include "posture/controls.h"

#include <set>

#include "core/yaml.h"

namespace rampart::posture {

std::string_view ToString(Importance i) {
  switch (i) {
    case Importance::kEssential:
      return "essential";
    case Importance::kRecommended:
      return "recommended";
    case Importance::kOptional:
      return "optional";
  }
  return "?";
}

const Check* Controls::FindCheck(std::string_view id) const {
  for (const auto& c : checks)
    if (c.id == id) return &c;
  return nullptr;
}

const Cell* Controls::FindCell(std::string_view layer, std::string_view control) const {
  for (const auto& c : cells)
    if (c.layer == layer && c.control == control) return &c;
  return nullptr;
}

namespace {

constexpr std::string_view kCode = "controls";

// Calls f(item) for each element of the sequence `key` of `f`.
template <typename F>
void ForEach(YamlFields& fields, std::string_view key, Diagnostics* diags, F f) {
  YAML::Node n = fields.Node(key, /*required=*/true);
  if (!n) return;
  if (!n.IsSequence()) {
    diags->Error(fields.Where(key), "controls.type", std::string(key) + " must be a list");
    return;
  }
  for (const auto& item : n) f(item);
}

void LoadMappings(YamlFields& fields, const std::string& file, Diagnostics* diags, Check* c) {
  static const std::vector<std::string> kFrameworks = {"hipaa", "gdpr", "owasp-llm", "atlas",
                                                       "nist-ai-rmf"};
  YAML::Node n = fields.Node("mappings");
  if (!n) return;
  if (!n.IsSequence()) {
    diags->Error(fields.Where("mappings"), "controls.type", "mappings must be a list");
    return;
  }
  for (const auto& item : n) {
    YamlFields m(item, file, diags, "mapping", std::string(kCode));
    if (!m.ok()) continue;
    Mapping map;
    map.framework = m.Enum("framework", kFrameworks, true).value_or("");
    map.ref = m.String("ref", true).value_or("");
    map.why = m.String("why", true).value_or("");
    m.CheckUnknown();
    c->mappings.push_back(std::move(map));
  }
}

}  // namespace

Result<Controls> LoadControls(std::string_view text, std::string_view file, Diagnostics* diags) {
  std::string f(file);
  auto root = ParseYaml(text, file);
  if (!root) return root.error();
  YamlFields top(*root, f, diags, "controls file", std::string(kCode));
  if (!top.ok()) return InvalidArgumentError(f + ": a controls file is a YAML mapping");
  Controls out;
  if (auto v = top.Int("version", true); v && *v != 1) {
    diags->Error(top.Where("version"), "controls.version", "unsupported version; expected 1");
  }
  std::set<std::string, std::less<>> layer_ids, control_ids, check_ids;
  ForEach(top, "layers", diags, [&](const YAML::Node& item) {
    YamlFields l(item, f, diags, "layer", std::string(kCode));
    if (!l.ok()) return;
    Layer layer;
    layer.id = l.String("id", true).value_or("");
    layer.name = l.String("name", true).value_or(layer.id);
    if (YAML::Node aw = l.Node("applies_when", true)) {
      YamlFields a(aw, f, diags, "applies_when", std::string(kCode));
      if (a.ok()) {
        layer.applies_when.always = a.Bool("always").value_or(false);
        layer.applies_when.asset_kinds =
            a.StringList("asset_kinds").value_or(std::vector<std::string>{});
        layer.applies_when.service_kinds =
            a.StringList("service_kinds").value_or(std::vector<std::string>{});
        layer.applies_when.zone_kinds =
            a.StringList("zone_kinds").value_or(std::vector<std::string>{});
        a.CheckUnknown();
      }
    }
    l.CheckUnknown();
    if (!layer_ids.insert(layer.id).second)
      diags->Error(l.Where("id"), "controls.duplicate", "duplicate layer '" + layer.id + "'");
    out.layers.push_back(std::move(layer));
  });
  ForEach(top, "controls", diags, [&](const YAML::Node& item) {
    YamlFields c(item, f, diags, "control", std::string(kCode));
    if (!c.ok()) return;
    Control control;
    control.id = c.String("id", true).value_or("");
    control.name = c.String("name", true).value_or(control.id);
    control.cost = c.String("cost", true).value_or("");
    control.threat = c.String("threat", true).value_or("");
    c.CheckUnknown();
    if (!control_ids.insert(control.id).second)
      diags->Error(c.Where("id"), "controls.duplicate", "duplicate control '" + control.id + "'");
    out.controls.push_back(std::move(control));
  });
  ForEach(top, "checks", diags, [&](const YAML::Node& item) {
    YamlFields c(item, f, diags, "check", std::string(kCode));
    if (!c.ok()) return;
    Check check;
    check.id = c.String("id", true).value_or("");
    check.title = c.String("title", true).value_or(check.id);
    std::string source = c.Enum("source", {"live", "estate", "evidence"}, true).value_or("live");
    check.source = source == "estate"     ? CheckSource::kEstate
                   : source == "evidence" ? CheckSource::kEvidence
                                          : CheckSource::kLive;
    check.evidence_kind =
        c.Enum("evidence_kind", {"scan", "verify", "ledger-verify", "attestation"},
               check.source == CheckSource::kEvidence)
            .value_or("");
    LoadMappings(c, f, diags, &check);
    c.CheckUnknown();
    if (!check_ids.insert(check.id).second)
      diags->Error(c.Where("id"), "controls.duplicate", "duplicate check '" + check.id + "'");
    out.checks.push_back(std::move(check));
  });
  std::vector<std::string> known_checks(check_ids.begin(), check_ids.end());
  std::vector<Cell> cells;
  ForEach(top, "cells", diags, [&](const YAML::Node& item) {
    YamlFields c(item, f, diags, "cell", std::string(kCode));
    if (!c.ok()) return;
    Cell cell;
    cell.where = c.Where();
    cell.layer = c.String("layer", true).value_or("");
    cell.control = c.String("control", true).value_or("");
    std::string imp =
        c.Enum("importance", {"essential", "recommended", "optional"}, true).value_or("");
    cell.importance = imp == "essential"     ? Importance::kEssential
                      : imp == "recommended" ? Importance::kRecommended
                                             : Importance::kOptional;
    cell.threat = c.String("threat", true).value_or("");
    cell.checks = c.StringList("checks", true).value_or(std::vector<std::string>{});
    if (!layer_ids.contains(cell.layer))
      diags->Error(c.Where("layer"), "controls.unknown-ref", "unknown layer '" + cell.layer + "'");
    if (!control_ids.contains(cell.control))
      diags->Error(c.Where("control"), "controls.unknown-ref",
                   "unknown control '" + cell.control + "'");
    if (cell.checks.empty())
      diags->Error(c.Where("checks"), "controls.no-checks",
                   "a cell names at least one check that satisfies it");
    for (const auto& id : cell.checks) {
      if (!check_ids.contains(id))
        diags->Error(c.Where("checks"), "controls.unknown-ref", "unknown check '" + id + "'",
                     DidYouMean(id, known_checks));
    }
    c.CheckUnknown();
    cells.push_back(std::move(cell));
  });
  top.CheckUnknown();
  // One cell per layer x control, ordered by layer then control.
  for (const auto& l : out.layers) {
    for (const auto& c : out.controls) {
      const Cell* found = nullptr;
      for (const auto& cell : cells) {
        if (cell.layer != l.id || cell.control != c.id) continue;
        if (found) {
          diags->Error(cell.where, "controls.duplicate",
                       "a second cell for " + l.id + " x " + c.id);
        }
        found = &cell;
      }
      if (!found) {
        diags->Error(top.Where("cells"), "controls.missing-cell",
                     "no cell for layer '" + l.id + "' x control '" + c.id + "'");
      } else {
        out.cells.push_back(*found);
      }
    }
  }
  if (diags->has_errors())
    return InvalidArgumentError(f + ": the controls file has " +
                                std::to_string(diags->error_count()) + " error(s)");
  return out;
}

}  // namespace rampart::posture
