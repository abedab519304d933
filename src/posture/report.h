// An assessment rendered: the terminal matrix, JSON (documented in
// docs/formats/controls.md, deterministic), SARIF 2.1.0 for what does not
// pass, and a self-contained HTML report (inline CSS, no script, no external
// resource).
#pragma once

#include <string>

#include "posture/assess.h"

namespace rampart::posture {

std::string ToText(const Assessment& a, bool color);
std::string ToJson(const Assessment& a);
std::string ToSarif(const Assessment& a);
std::string ToHtml(const Assessment& a);

// The HTML anchor of a cell's drill-down: "cell-<layer>-<control>".
std::string CellAnchor(const Cell& c);

}  // namespace rampart::posture
