#include "artifacts/report.h"

#include <map>
#include <set>

#include "core/json.h"

namespace rampart::artifacts {
namespace {

std::string HumanBytes(std::uint64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

json::object FindingJson(const Finding& f) {
  json::object o;
  o["file"] = f.file;
  json::array inner;
  for (const auto& m : f.inner) inner.push_back(json::value(m));
  o["path"] = std::move(inner);
  o["location"] = f.Location();
  o["format"] = f.format;
  o["severity"] = SeverityName(f.severity);
  o["rule"] = f.rule;
  o["message"] = f.message;
  if (!f.symbol.empty()) o["symbol"] = f.symbol;
  if (!f.call.empty()) o["call"] = f.call;
  if (f.offset) o["offset"] = *f.offset;
  return o;
}

}  // namespace

std::string FormatText(const std::vector<FileReport>& reports, const ReportOptions& opt) {
  std::string out;
  std::map<Severity, std::size_t> counts;
  std::map<Coverage, std::size_t> coverage;
  std::uint64_t bytes = 0;
  std::size_t errors = 0;
  for (const auto& r : reports) {
    bytes += r.bytes;
    if (r.error) {
      out += r.file + ": error: " + r.error->message() + "\n";
      ++errors;
      continue;
    }
    coverage[r.coverage]++;
    for (const auto& f : r.findings) {
      if (f.severity < opt.min_severity) continue;
      counts[f.severity]++;
      out += f.Location() + ": " + std::string(SeverityName(f.severity)) + ": " + f.message;
      if (f.offset) out += " (offset " + std::to_string(*f.offset) + ")";
      out += " [" + f.rule + "]\n";
    }
  }
  out += "scanned " + std::to_string(reports.size()) + " file(s), " + HumanBytes(bytes) + ": ";
  std::size_t total = 0;
  std::string parts;
  for (Severity s :
       {Severity::kCritical, Severity::kHigh, Severity::kMedium, Severity::kLow, Severity::kInfo}) {
    if (counts[s] == 0) continue;
    total += counts[s];
    if (!parts.empty()) parts += ", ";
    parts += std::to_string(counts[s]) + " " + std::string(SeverityName(s));
  }
  // "no findings" only ever speaks of files that were inspected in full.
  std::size_t full = coverage[Coverage::kFull];
  if (total == 0 && full > 0) {
    parts = full == reports.size()
                ? "no findings"
                : "no findings in " + std::to_string(full) + " fully inspected file(s)";
  }
  auto also = [&](std::size_t n, const std::string& what) {
    if (n == 0) return;
    if (!parts.empty()) parts += "; ";
    parts += std::to_string(n) + " " + what;
  };
  also(coverage[Coverage::kPartial], "only partly inspected");
  also(coverage[Coverage::kSkipped], "skipped (not model formats)");
  also(coverage[Coverage::kNone], "not inspected");
  also(errors, "unreadable");
  out += parts + "\n";
  return out;
}

std::string FormatJson(const std::vector<FileReport>& reports, const ReportOptions& opt) {
  json::array findings, files;
  for (const auto& r : reports) {
    json::object fo;
    fo["file"] = r.file;
    fo["format"] = r.format;
    fo["bytes"] = r.bytes;
    fo["coverage"] = CoverageName(r.coverage);
    if (r.error) fo["error"] = r.error->message();
    std::size_t n = 0;
    for (const auto& f : r.findings) {
      if (f.severity < opt.min_severity) continue;
      findings.push_back(FindingJson(f));
      ++n;
    }
    fo["findings"] = n;
    files.push_back(std::move(fo));
  }
  json::object root;
  root["findings"] = std::move(findings);
  root["files"] = std::move(files);
  return ToPrettyJson(root) + "\n";
}

std::string FormatSarif(const std::vector<FileReport>& reports, const ReportOptions& opt) {
  auto level = [](Severity s) {
    switch (s) {
      case Severity::kCritical:
      case Severity::kHigh:
        return "error";
      case Severity::kMedium:
        return "warning";
      default:
        return "note";
    }
  };
  auto score = [](Severity s) {
    switch (s) {
      case Severity::kCritical:
        return "9.5";
      case Severity::kHigh:
        return "8.0";
      case Severity::kMedium:
        return "5.5";
      case Severity::kLow:
        return "3.0";
      default:
        return "0.0";
    }
  };
  std::map<std::string, std::size_t> rule_index;
  json::array rules, results, notifications;
  for (const auto& r : reports) {
    if (r.error) {
      json::object n;
      n["level"] = "error";
      n["message"] = json::object{{"text", r.error->message()}};
      n["locations"] = json::array{json::object{
          {"physicalLocation", json::object{{"artifactLocation", json::object{{"uri", r.file}}}}}}};
      notifications.push_back(std::move(n));
      continue;
    }
    for (const auto& f : r.findings) {
      if (f.severity < opt.min_severity) continue;
      if (!rule_index.contains(f.rule)) {
        rule_index[f.rule] = rules.size();
        json::object rule;
        rule["id"] = f.rule;
        rule["name"] = f.rule;
        rule["shortDescription"] = json::object{{"text", f.rule}};
        rule["helpUri"] = "https://rampart.invalid/docs/formats/scan-policy.md#rules";
        rules.push_back(std::move(rule));
      }
      json::object res;
      res["ruleId"] = f.rule;
      res["ruleIndex"] = rule_index[f.rule];
      res["level"] = level(f.severity);
      res["message"] = json::object{{"text", f.message}};
      json::object phys;
      phys["artifactLocation"] = json::object{{"uri", f.file}};
      if (f.offset && f.inner.empty()) phys["region"] = json::object{{"byteOffset", *f.offset}};
      json::object loc;
      loc["physicalLocation"] = std::move(phys);
      if (!f.inner.empty()) {
        json::array logical;
        std::string fq = f.file;
        for (const auto& m : f.inner) {
          fq += "!" + m;
        }
        logical.push_back(
            json::object{{"name", f.inner.back()}, {"fullyQualifiedName", fq}, {"kind", "member"}});
        loc["logicalLocations"] = std::move(logical);
      }
      res["locations"] = json::array{std::move(loc)};
      json::object props;
      props["severity"] = SeverityName(f.severity);
      props["security-severity"] = score(f.severity);
      props["format"] = f.format;
      if (!f.symbol.empty()) props["symbol"] = f.symbol;
      if (!f.call.empty()) props["call"] = f.call;
      if (f.offset) props["offset"] = *f.offset;
      if (!f.inner.empty()) {
        json::array inner;
        for (const auto& m : f.inner) inner.push_back(json::value(m));
        props["path"] = std::move(inner);
      }
      res["properties"] = std::move(props);
      json::object fp;
      fp["rampart/v1"] = f.Location() + "|" + f.rule + "|" + f.symbol;
      res["partialFingerprints"] = std::move(fp);
      results.push_back(std::move(res));
    }
  }
  json::object driver;
  driver["name"] = "rampart";
  driver["semanticVersion"] = opt.tool_version;
  driver["informationUri"] = "https://rampart.invalid/";
  driver["rules"] = std::move(rules);
  json::object run;
  run["tool"] = json::object{{"driver", std::move(driver)}};
  run["results"] = std::move(results);
  json::object invocation;
  invocation["executionSuccessful"] = notifications.empty();
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = std::move(notifications);
  run["invocations"] = json::array{std::move(invocation)};
  json::object root;
  root["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  root["version"] = "2.1.0";
  root["runs"] = json::array{std::move(run)};
  return ToPrettyJson(root) + "\n";
}

}  // namespace rampart::artifacts
