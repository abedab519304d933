// The control matrix as data: layers x controls, each cell's importance,
// cost and threat, the checks that satisfy it, and each check's compliance
// mappings (docs/formats/controls.md). Loaded from YAML; the default is
// embedded in the binary (controls.yaml). A loaded Controls is immutable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "core/status.h"

namespace rampart::posture {

enum class Importance { kEssential, kRecommended, kOptional };
std::string_view ToString(Importance i);

// When a layer applies to an estate: any listed kind present, or always.
struct AppliesWhen {
  bool always = false;
  std::vector<std::string> asset_kinds;    // estate::ToString(AssetKind) names
  std::vector<std::string> service_kinds;  // estate::ToString(ServiceKind) names
  std::vector<std::string> zone_kinds;     // estate::ToString(ZoneKind) names
};

struct Layer {
  std::string id;
  std::string name;
  AppliesWhen applies_when;
};

struct Control {
  std::string id;
  std::string name;
  std::string cost;
  std::string threat;
};

struct Cell {
  std::string layer;
  std::string control;
  Importance importance = Importance::kRecommended;
  std::string threat;
  std::vector<std::string> checks;
  SourceLocation where;
};

struct Mapping {
  std::string framework;  // hipaa, gdpr, owasp-llm, atlas, nist-ai-rmf
  std::string ref;        // "164.312(b)", "Art. 32", "LLM01", "AML.T0024", "Govern"
  std::string why;        // one line of reasoning
};

enum class CheckSource { kLive, kEstate, kEvidence };

struct Check {
  std::string id;
  std::string title;
  CheckSource source = CheckSource::kLive;
  std::string evidence_kind;  // source kEvidence: scan, verify, ledger-verify, attestation
  std::vector<Mapping> mappings;
};

struct Controls {
  std::vector<Layer> layers;
  std::vector<Control> controls;
  std::vector<Cell> cells;  // ordered by layer, then control
  std::vector<Check> checks;

  const Check* FindCheck(std::string_view id) const;
  const Cell* FindCell(std::string_view layer, std::string_view control) const;
};

// The embedded default (src/posture/controls.yaml).
std::string_view DefaultControlsText();

// Parses a controls file. Problems go to `diags` with file:line:col;
// InvalidArgument if any is an error. Every layer x control pair must have
// exactly one cell.
Result<Controls> LoadControls(std::string_view text, std::string_view file, Diagnostics* diags);

}  // namespace rampart::posture
