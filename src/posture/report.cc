#include "posture/report.h"

#include <algorithm>
#include <boost/json.hpp>

#include "core/json.h"

namespace rampart::posture {

namespace {

const char* Symbol(State s) {
  switch (s) {
    case State::kPass:
      return "\u2713";  // ✓
    case State::kFail:
      return "\u2717";  // ✗
    case State::kInvalid:
      return "!";
    case State::kStale:
      return "~";
    case State::kMissing:
      return "?";
    case State::kNotApplicable:
      return "\u2013";  // –
  }
  return "?";
}

const char* Color(State s) {
  switch (s) {
    case State::kPass:
      return "\033[32m";
    case State::kFail:
    case State::kInvalid:
      return "\033[31m";
    case State::kStale:
    case State::kMissing:
      return "\033[33m";
    case State::kNotApplicable:
      return "\033[90m";
  }
  return "";
}

// Display width of UTF-8 text (code points; the matrix uses no wide glyphs).
std::size_t Width(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Pad(std::string s, std::size_t w) {
  std::size_t n = Width(s);
  if (n < w) s.append(w - n, ' ');
  return s;
}

const Layer* LayerOf(const Assessment& a, const Cell& c) {
  for (const auto& l : a.controls->layers)
    if (l.id == c.layer) return &l;
  return nullptr;
}

const Control* ControlOf(const Assessment& a, const Cell& c) {
  for (const auto& x : a.controls->controls)
    if (x.id == c.control) return &x;
  return nullptr;
}

std::string Verdict(const Assessment& a) { return a.EssentialNotPassing() == 0 ? "pass" : "fail"; }

}  // namespace

std::string CellAnchor(const Cell& c) { return "cell-" + c.layer + "-" + c.control; }

// ---- text -------------------------------------------------------------------

std::string ToText(const Assessment& a, bool color) {
  const Controls& ctl = *a.controls;
  std::string out;
  out += "posture of " + a.estate_name + " at " + a.time + " (estate " + a.estate_digest + ")\n\n";
  std::size_t lw = 6;
  for (const auto& l : ctl.layers) lw = std::max(lw, Width(l.name));
  constexpr std::size_t kCw = 26;
  out += Pad("", lw + 2);
  for (const auto& c : ctl.controls) out += Pad(c.name, kCw);
  out += "\n";
  for (std::size_t li = 0; li < ctl.layers.size(); ++li) {
    const Layer& l = ctl.layers[li];
    out += Pad(l.name, lw + 2);
    for (const auto& c : ctl.controls) {
      const CellResult* r = nullptr;
      for (const auto& x : a.cells)
        if (x.cell->layer == l.id && x.cell->control == c.id) r = &x;
      if (!r) {
        out += Pad("", kCw);
        continue;
      }
      std::string text = std::string(Symbol(r->state)) + " " + std::string(ToString(r->state)) +
                         " (" + std::string(ToString(r->cell->importance)) + ")";
      std::string padded = Pad(text, kCw);
      if (color) padded = Color(r->state) + padded + "\033[0m";
      out += padded;
    }
    out += "\n";
  }
  out += "\nchecks:\n";
  for (const auto& c : a.checks) {
    std::string line = "  " + std::string(Symbol(c.state)) + " " + Pad(c.check->id, 24) + " " +
                       Pad(std::string(ToString(c.state)), 15) + c.check->title;
    if (color) line = Color(c.state) + line + "\033[0m";
    out += line + "\n";
    for (const auto& ev : c.evidence) {
      if (ev.state == State::kPass) continue;
      out += "      " + ev.source + ": " + std::string(ToString(ev.state));
      if (!ev.reason.empty()) out += ": " + ev.reason;
      out += "\n";
      std::size_t shown = 0;
      for (const auto& d : ev.details) {
        if (++shown > 5) {
          out += "        ... " + std::to_string(ev.details.size() - 5) + " more\n";
          break;
        }
        out += "        " + (d.where.known() ? d.where.ToString() + ": " : "") + d.message + "\n";
      }
    }
  }
  for (const auto& ev : a.unattributed)
    out += "  ! " + ev.source + ": invalid evidence: " + ev.reason + "\n";
  out += "\n" + std::to_string(a.cells.size()) +
         " cells: " + std::to_string(a.Count(State::kPass)) + " pass, " +
         std::to_string(a.Count(State::kFail)) + " fail, " +
         std::to_string(a.Count(State::kInvalid)) + " invalid, " +
         std::to_string(a.Count(State::kStale)) + " stale, " +
         std::to_string(a.Count(State::kMissing)) + " missing, " +
         std::to_string(a.Count(State::kNotApplicable)) + " not applicable; " +
         std::to_string(a.EssentialNotPassing()) + " essential cell(s) not passing\n";
  return out;
}

// ---- JSON -------------------------------------------------------------------

namespace {

json::array DetailsJson(const std::vector<Detail>& ds) {
  json::array arr;
  for (const auto& d : ds) {
    json::object o;
    o["message"] = d.message;
    if (!d.where.file.empty()) o["file"] = d.where.file;
    if (d.where.line > 0) o["line"] = d.where.line;
    if (d.where.column > 0) o["column"] = d.where.column;
    arr.push_back(std::move(o));
  }
  return arr;
}

json::object EvidenceJson(const Evidence& ev) {
  json::object o;
  o["source"] = ev.source;
  o["time"] = ev.time;
  o["digest"] = ev.digest;
  o["status"] = ToString(ev.state);
  if (!ev.reason.empty()) o["reason"] = ev.reason;
  o["details"] = DetailsJson(ev.details);
  return o;
}

}  // namespace

std::string ToJson(const Assessment& a) {
  const Controls& ctl = *a.controls;
  json::object root;
  root["rampart_assessment"] = 1;
  json::array files;
  for (const auto& f : a.estate_files) files.push_back(json::string(f));
  root["estate"] = json::object{
      {"name", a.estate_name}, {"files", std::move(files)}, {"digest", a.estate_digest}};
  root["time"] = a.time;
  json::object summary;
  summary["cells"] = a.cells.size();
  for (State s : {State::kPass, State::kFail, State::kInvalid, State::kStale, State::kMissing,
                  State::kNotApplicable})
    summary[ToString(s)] = a.Count(s);
  summary["essential_not_passing"] = a.EssentialNotPassing();
  summary["invalid_evidence_files"] = a.unattributed.size();
  summary["verdict"] = Verdict(a);
  root["summary"] = std::move(summary);
  json::array layers;
  for (std::size_t i = 0; i < ctl.layers.size(); ++i)
    layers.push_back(json::object{{"id", ctl.layers[i].id},
                                  {"name", ctl.layers[i].name},
                                  {"applicable", static_cast<bool>(a.layer_applies[i])}});
  root["layers"] = std::move(layers);
  json::array controls;
  for (const auto& c : ctl.controls)
    controls.push_back(
        json::object{{"id", c.id}, {"name", c.name}, {"cost", c.cost}, {"threat", c.threat}});
  root["controls"] = std::move(controls);
  json::array cells;
  for (const auto& r : a.cells) {
    json::array checks;
    for (const auto& id : r.cell->checks) checks.push_back(json::string(id));
    cells.push_back(json::object{{"layer", r.cell->layer},
                                 {"control", r.cell->control},
                                 {"importance", ToString(r.cell->importance)},
                                 {"threat", r.cell->threat},
                                 {"status", ToString(r.state)},
                                 {"checks", std::move(checks)}});
  }
  root["cells"] = std::move(cells);
  json::array checks;
  for (const auto& c : a.checks) {
    json::array maps;
    for (const auto& m : c.check->mappings)
      maps.push_back(json::object{{"framework", m.framework}, {"ref", m.ref}, {"why", m.why}});
    json::array evs;
    for (const auto& ev : c.evidence) evs.push_back(EvidenceJson(ev));
    checks.push_back(json::object{{"id", c.check->id},
                                  {"title", c.check->title},
                                  {"status", ToString(c.state)},
                                  {"mappings", std::move(maps)},
                                  {"evidence", std::move(evs)}});
  }
  root["checks"] = std::move(checks);
  json::array bad;
  for (const auto& ev : a.unattributed) bad.push_back(EvidenceJson(ev));
  root["invalid_evidence"] = std::move(bad);
  return ToPrettyJson(root) + "\n";
}

// ---- SARIF ------------------------------------------------------------------

std::string ToSarif(const Assessment& a) {
  json::array rules, results;
  std::string fallback = a.estate_files.empty() ? "" : a.estate_files.front();
  auto add = [&](const std::string& rule, const std::string& level, const std::string& text,
                 const SourceLocation& where) {
    json::object region;
    std::string uri = where.file.empty() ? fallback : where.file;
    json::object phys{{"artifactLocation", json::object{{"uri", uri}}}};
    if (where.line > 0) {
      region["startLine"] = where.line;
      if (where.column > 0) region["startColumn"] = where.column;
      phys["region"] = std::move(region);
    }
    results.push_back(json::object{
        {"ruleId", rule},
        {"level", level},
        {"message", json::object{{"text", text}}},
        {"locations", json::array{json::object{{"physicalLocation", std::move(phys)}}}}});
  };
  for (const auto& c : a.checks) {
    if (c.state == State::kPass || c.state == State::kNotApplicable) continue;
    rules.push_back(json::object{{"id", c.check->id},
                                 {"shortDescription", json::object{{"text", c.check->title}}}});
    std::string level = c.state == State::kFail || c.state == State::kInvalid ? "error" : "warning";
    if (c.evidence.empty()) {
      add(c.check->id, level, c.check->id + ": no evidence (" + c.check->title + ")", {});
      continue;
    }
    for (const auto& ev : c.evidence) {
      if (ev.state == State::kPass || ev.state == State::kNotApplicable) continue;
      std::string head = c.check->id + ": " + std::string(ToString(ev.state)) +
                         (ev.reason.empty() ? "" : ": " + ev.reason) + " [" + ev.source + "]";
      if (ev.details.empty()) add(c.check->id, level, head, {});
      for (const auto& d : ev.details) add(c.check->id, level, head + ": " + d.message, d.where);
    }
  }
  json::object driver{{"name", "rampart"},
                      {"informationUri", "https://github.com/rampart"},
                      {"rules", std::move(rules)}};
  json::object run{{"tool", json::object{{"driver", std::move(driver)}}},
                   {"results", std::move(results)}};
  json::object root{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                    {"version", "2.1.0"},
                    {"runs", json::array{std::move(run)}}};
  return ToPrettyJson(root) + "\n";
}

// ---- HTML -------------------------------------------------------------------

namespace {

std::string Esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Badge(State s) {
  return "<span class=\"badge s-" + std::string(ToString(s)) + "\">" + Symbol(s) + " " +
         std::string(ToString(s)) + "</span>";
}

constexpr const char* kCss = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#14213d;color:#fff;padding:20px 32px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:2px 0;color:#cfd6e4;font-size:13px}
main{padding:16px 32px 48px;max-width:1320px}
h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid #d0d5dd;padding-bottom:4px}
h3{font-size:15px;margin:0 0 6px}
.verdict{display:inline-block;padding:6px 14px;border-radius:4px;font-weight:600;margin-top:8px}
.verdict.pass{background:#1f883d}.verdict.fail{background:#cf222e}
.counts span{display:inline-block;margin:0 12px 6px 0}
table{border-collapse:collapse;background:#fff}
table.matrix{width:100%;table-layout:fixed}
.matrix th,.matrix td{border:1px solid #c9ced6;padding:8px;vertical-align:top;text-align:left}
.matrix thead th{background:#e9ecf1}
.matrix th.row{width:18%;background:#f0f2f5}
.matrix td a{display:block;color:inherit;text-decoration:none}
.matrix td .st{font-weight:700;font-size:15px}
.matrix td .imp{font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.matrix td .chk{font-size:11px;color:#444;margin-top:4px}
.matrix tr.na th.row{color:#6e7781}
td.s-pass{background:#c6efce}td.s-fail{background:#f8b4b4}td.s-invalid{background:#f3a6c8}
td.s-stale{background:#fde68a}td.s-missing{background:#fff3c4}td.s-not-applicable{background:#eceff3;color:#6e7781}
td.essential{box-shadow:inset 4px 0 0 #14213d}
.cost td,.cost th{font-size:12px;color:#333}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}
.badge.s-pass{background:#c6efce;color:#0b5d1e}.badge.s-fail{background:#f8b4b4;color:#7a0b0b}
.badge.s-invalid{background:#f3a6c8;color:#6b0a3a}.badge.s-stale{background:#fde68a;color:#6b4e00}
.badge.s-missing{background:#fff3c4;color:#6b4e00}.badge.s-not-applicable{background:#eceff3;color:#57606a}
.legend span{margin-right:10px}
section.cell{background:#fff;border:1px solid #d0d5dd;border-radius:6px;padding:12px 16px;margin:12px 0}
section.cell:target{outline:3px solid #0969da}
.ev{width:100%;font-size:12px;margin:6px 0}
.ev th,.ev td{border:1px solid #e1e4e8;padding:4px 6px;text-align:left;vertical-align:top}
.ev th{background:#f6f8fa}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
ul.details{margin:4px 0 0 16px;padding:0}
.maps{font-size:12px;color:#333;margin:4px 0 10px}
.gaps li{margin:2px 0}
footer{color:#57606a;font-size:12px;margin-top:32px}
)";

}  // namespace

std::string ToHtml(const Assessment& a) {
  const Controls& ctl = *a.controls;
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<title>Rampart posture: " + Esc(a.estate_name) + "</title>\n<style>" + kCss +
       "</style>\n</head>\n<body>\n";
  std::string verdict = Verdict(a);
  h += "<header>\n<h1>Security posture of " + Esc(a.estate_name) + "</h1>\n";
  h += "<p>Assessed " + Esc(a.time) + " by <code>rampart assess</code> from checked evidence</p>\n";
  std::string files;
  for (const auto& f : a.estate_files) files += (files.empty() ? "" : ", ") + f;
  h += "<p>Estate " + Esc(files) + " &middot; <span class=\"mono\">" + Esc(a.estate_digest) +
       "</span></p>\n";
  h += "<div class=\"verdict " + verdict + "\">" +
       (verdict == "pass" ? std::string("Every essential control is evidenced")
                          : std::to_string(a.EssentialNotPassing()) +
                                " essential control(s) not evidenced as passing") +
       "</div>\n</header>\n<main>\n";

  // Summary.
  h += "<h2 id=\"summary\">Summary</h2>\n<p class=\"counts\">";
  for (State s : {State::kPass, State::kFail, State::kInvalid, State::kStale, State::kMissing,
                  State::kNotApplicable})
    h += "<span>" + Badge(s) + " " + std::to_string(a.Count(s)) + "</span>";
  h += "</p>\n<p>" + std::to_string(a.cells.size()) +
       " cells. A cell passes only when every check that satisfies it has current, valid evidence "
       "that passes; missing, stale or invalid evidence never counts as a pass.</p>\n";
  std::string gaps;
  for (const auto& r : a.cells) {
    if (r.cell->importance != Importance::kEssential || r.state == State::kPass ||
        r.state == State::kNotApplicable)
      continue;
    const Layer* l = LayerOf(a, *r.cell);
    const Control* c = ControlOf(a, *r.cell);
    gaps += "<li><a href=\"#" + CellAnchor(*r.cell) + "\">" + Esc(l ? l->name : r.cell->layer) +
            " &times; " + Esc(c ? c->name : r.cell->control) + "</a> " + Badge(r.state) + " " +
            Esc(r.cell->threat) + "</li>\n";
  }
  if (!gaps.empty()) h += "<h3>Essential gaps</h3>\n<ul class=\"gaps\">\n" + gaps + "</ul>\n";

  // Matrix.
  h += "<h2 id=\"matrix\">Control matrix</h2>\n<p class=\"legend\">";
  for (State s : {State::kPass, State::kFail, State::kInvalid, State::kStale, State::kMissing,
                  State::kNotApplicable})
    h += Badge(s) + " ";
  h += "&middot; a dark left edge marks an essential cell</p>\n";
  h += "<table class=\"matrix\">\n<thead><tr><th class=\"row\">Layer</th>";
  for (const auto& c : ctl.controls) h += "<th>" + Esc(c.name) + "</th>";
  h += "</tr></thead>\n<tbody>\n";
  for (std::size_t li = 0; li < ctl.layers.size(); ++li) {
    const Layer& l = ctl.layers[li];
    h += std::string("<tr") + (a.layer_applies[li] ? "" : " class=\"na\"") + "><th class=\"row\">" +
         Esc(l.name) + (a.layer_applies[li] ? "" : "<br><small>not in this estate</small>") +
         "</th>";
    for (const auto& c : ctl.controls) {
      const CellResult* r = nullptr;
      for (const auto& x : a.cells)
        if (x.cell->layer == l.id && x.cell->control == c.id) r = &x;
      if (!r) {
        h += "<td></td>";
        continue;
      }
      std::string st(ToString(r->state));
      std::string imp(ToString(r->cell->importance));
      h += "<td class=\"s-" + st + " " + imp + "\" id=\"m-" + Esc(l.id) + "-" + Esc(c.id) +
           "\" data-status=\"" + st + "\" data-importance=\"" + imp + "\"><a href=\"#" +
           Esc(CellAnchor(*r->cell)) + "\"><span class=\"st\">" + Symbol(r->state) + " " + st +
           "</span><br><span class=\"imp\">" + imp + "</span><div class=\"chk\">";
      for (std::size_t i = 0; i < r->cell->checks.size(); ++i)
        h += (i ? ", " : "") + Esc(r->cell->checks[i]);
      h += "</div></a></td>";
    }
    h += "</tr>\n";
  }
  h += "</tbody>\n<tfoot class=\"cost\">\n<tr><th class=\"row\">Cost</th>";
  for (const auto& c : ctl.controls) h += "<td>" + Esc(c.cost) + "</td>";
  h += "</tr>\n<tr><th class=\"row\">Threat mitigated</th>";
  for (const auto& c : ctl.controls) h += "<td>" + Esc(c.threat) + "</td>";
  h += "</tr>\n</tfoot>\n</table>\n";

  // Drill-down per cell.
  h += "<h2 id=\"cells\">Cells and their evidence</h2>\n";
  for (const auto& r : a.cells) {
    const Layer* l = LayerOf(a, *r.cell);
    const Control* c = ControlOf(a, *r.cell);
    h += "<section class=\"cell\" id=\"" + Esc(CellAnchor(*r.cell)) + "\">\n<h3>" +
         Esc(l ? l->name : r.cell->layer) + " &times; " + Esc(c ? c->name : r.cell->control) + " " +
         Badge(r.state) + "</h3>\n";
    h += "<p><strong>" + std::string(ToString(r.cell->importance)) +
         "</strong> &middot; threat: " + Esc(r.cell->threat) +
         (c ? " &middot; cost: " + Esc(c->cost) : "") + "</p>\n";
    if (r.state == State::kNotApplicable && l) {
      h += "<p>Not applicable: the estate has no " + Esc(l->name) + " assets or services.</p>\n";
    }
    for (const auto& id : r.cell->checks) {
      const CheckResult* cr = a.FindCheck(id);
      if (!cr) continue;
      h += "<h4><code>" + Esc(id) + "</code> " + Badge(cr->state) + " " + Esc(cr->check->title) +
           "</h4>\n";
      h += "<table class=\"ev\"><thead><tr><th>source</th><th>time</th><th>digest</th>"
           "<th>status</th><th>reason and details</th></tr></thead><tbody>\n";
      if (cr->evidence.empty())
        h += "<tr><td colspan=\"5\">No evidence: nothing was checked for this, so it does "
             "not count as a pass.</td></tr>\n";
      for (const auto& ev : cr->evidence) {
        h += "<tr><td>" + Esc(ev.source) + "</td><td class=\"mono\">" + Esc(ev.time) +
             "</td><td class=\"mono\">" + Esc(ev.digest) + "</td><td>" + Badge(ev.state) +
             "</td><td>" + Esc(ev.reason);
        if (!ev.details.empty()) {
          h += "<ul class=\"details\">";
          for (const auto& d : ev.details)
            h += "<li>" + (d.where.known() ? "<code>" + Esc(d.where.ToString()) + "</code> " : "") +
                 Esc(d.message) + "</li>";
          h += "</ul>";
        }
        h += "</td></tr>\n";
      }
      h += "</tbody></table>\n<div class=\"maps\">";
      for (const auto& m : cr->check->mappings)
        h += "<div><strong>" + Esc(m.framework) + " " + Esc(m.ref) + "</strong>: " + Esc(m.why) +
             "</div>";
      h += "</div>\n";
    }
    h += "<p><a href=\"#matrix\">back to the matrix</a></p>\n</section>\n";
  }

  // Lateral paths, drawn.
  h += "<h2 id=\"paths\">Lateral paths to the crown jewels</h2>\n";
  if (a.paths.empty()) {
    h += "<p>No path from an exposed entry point reaches a crown jewel.</p>\n";
  } else {
    h += "<p>Each row is the shortest path from an exposed entry point to a service holding "
         "crown jewels; every hop is a flow of the estate (a node that can connect to the next "
         "is assumed able to compromise it).</p>\n";
    constexpr int kBoxW = 150, kGap = 70, kRowH = 64, kBoxH = 34;
    std::size_t longest = 0;
    for (const auto& p : a.paths) longest = std::max(longest, p.nodes.size());
    int width = static_cast<int>(longest) * (kBoxW + kGap) + 440;
    int height = static_cast<int>(a.paths.size()) * kRowH + 10;
    h += "<svg class=\"paths\" width=\"" + std::to_string(width) + "\" height=\"" +
         std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) + " " +
         std::to_string(height) +
         "\" role=\"img\" aria-label=\"lateral paths\">\n"
         "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
         "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" "
         "fill=\"#555\"/></marker></defs>\n";
    for (std::size_t r = 0; r < a.paths.size(); ++r) {
      const PathView& p = a.paths[r];
      int y = static_cast<int>(r) * kRowH + 8;
      for (std::size_t i = 0; i < p.nodes.size(); ++i) {
        int x = static_cast<int>(i) * (kBoxW + kGap) + 4;
        bool first = i == 0, last = i + 1 == p.nodes.size();
        std::string fill = first ? "#dbe4f3" : last ? "#f8b4b4" : "#fff3c4";
        h += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
             std::to_string(kBoxW) + "\" height=\"" + std::to_string(kBoxH) +
             "\" rx=\"5\" fill=\"" + fill + "\" stroke=\"#555\"/>";
        h += "<text x=\"" + std::to_string(x + kBoxW / 2) + "\" y=\"" + std::to_string(y + 22) +
             "\" text-anchor=\"middle\" font-size=\"13\">" + Esc(p.nodes[i]) + "</text>";
        if (!last) {
          int x1 = x + kBoxW, x2 = x + kBoxW + kGap - 2;
          h += "<line x1=\"" + std::to_string(x1) + "\" y1=\"" + std::to_string(y + kBoxH / 2) +
               "\" x2=\"" + std::to_string(x2) + "\" y2=\"" + std::to_string(y + kBoxH / 2) +
               "\" stroke=\"#555\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\">" + "<title>" +
               Esc(i < p.rules.size() ? p.rules[i] : "") + "</title></line>";
        } else {
          h += "<text x=\"" + std::to_string(x + kBoxW + 8) + "\" y=\"" + std::to_string(y + 22) +
               "\" font-size=\"12\" fill=\"#7a0b0b\">" + Esc(p.target_note) + "</text>";
        }
      }
      h += "\n";
    }
    h += "</svg>\n<ul class=\"details\">";
    for (const auto& p : a.paths) {
      h += "<li>";
      for (std::size_t i = 0; i < p.nodes.size(); ++i) {
        h += Esc(p.nodes[i]);
        if (i < p.rules.size()) h += " &rarr; <small>(" + Esc(p.rules[i]) + ")</small> ";
      }
      h += "</li>";
    }
    h += "</ul>\n";
  }

  // Compliance mappings.
  h += "<h2 id=\"mappings\">Compliance mappings</h2>\n<table class=\"ev\"><thead><tr>"
       "<th>check</th><th>status</th><th>framework</th><th>reference</th><th>why</th>"
       "</tr></thead><tbody>\n";
  for (const auto& cr : a.checks) {
    for (const auto& m : cr.check->mappings)
      h += "<tr><td><code>" + Esc(cr.check->id) + "</code></td><td>" + Badge(cr.state) +
           "</td><td>" + Esc(m.framework) + "</td><td>" + Esc(m.ref) + "</td><td>" + Esc(m.why) +
           "</td></tr>\n";
  }
  h += "</tbody></table>\n";
  if (!a.unattributed.empty()) {
    h += "<h2 id=\"invalid-evidence\">Evidence files that could not be used</h2>\n<ul>";
    for (const auto& ev : a.unattributed)
      h += "<li><code>" + Esc(ev.source) + "</code> <span class=\"mono\">" + Esc(ev.digest) +
           "</span>: " + Esc(ev.reason) + "</li>";
    h += "</ul>\n";
  }
  h += "<footer>Generated by Rampart. Statuses: pass (current, valid evidence that passes), "
       "fail, invalid (evidence malformed, for another estate or unsigned), stale (older than "
       "the maximum age), missing (no evidence), not applicable (no such layer in the estate)."
       "</footer>\n</main>\n</body>\n</html>\n";
  return h;
}

}  // namespace rampart::posture
