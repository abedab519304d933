#include "monitor/config.h"

#include <cstdlib>
#include <string>

#include "core/yaml.h"

namespace rampart::monitor {
namespace {

constexpr std::string_view kCode = "gateway";
constexpr std::array<std::string_view, kDetectorCount> kNames = {
    "prada", "coverage", "template", "logprobs", "max_length", "collusion", "lineage"};

// A number in [lo, hi] from a scalar; records a diagnostic otherwise.
std::optional<double> Number(YamlFields& f, std::string_view key, double lo, double hi,
                             Diagnostics* diags) {
  auto v = f.String(key);
  if (!v) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(v->c_str(), &end);
  if (end == v->c_str() || *end != '\0' || !(d >= lo && d <= hi)) {
    diags->Error(f.Where(key), "gateway.range",
                 std::string(key) + " must be a number in [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "], got '" + *v + "'");
    return std::nullopt;
  }
  return d;
}

}  // namespace

std::string_view DetectorName(Detector d) { return kNames[static_cast<std::size_t>(d)]; }

std::optional<Detector> DetectorByName(std::string_view s) {
  for (std::size_t i = 0; i < kDetectorCount; ++i)
    if (kNames[i] == s) return static_cast<Detector>(i);
  return std::nullopt;
}

std::string_view PolicyName(Policy p) {
  static constexpr std::array<std::string_view, 4> k = {"off", "alert", "throttle", "block"};
  return k[static_cast<std::size_t>(p)];
}

MonitorConfig DefaultMonitorConfig() {
  MonitorConfig c;
  c.enabled = true;
  c.at(Detector::kPrada) = {Policy::kThrottle, 100, 0.75};
  c.at(Detector::kCoverage) = {Policy::kThrottle, 200, 2.0};
  c.at(Detector::kTemplate) = {Policy::kAlert, 32, 0.6};
  c.at(Detector::kLogprobs) = {Policy::kAlert, 32, 4.0};
  c.at(Detector::kMaxLength) = {Policy::kAlert, 64, 0.8};
  c.at(Detector::kCollusion) = {Policy::kAlert, 1, 0};
  c.at(Detector::kLineage) = {Policy::kThrottle, 32, 0.5};
  return c;
}

Result<MonitorConfig> LoadMonitorConfig(const estate::Estate& e, Diagnostics* diags) {
  MonitorConfig c = DefaultMonitorConfig();
  c.enabled = false;
  const estate::Section* sec = e.FindSection("gateway");
  if (sec == nullptr || !sec->node.IsMap()) return c;
  YAML::Node m = sec->node["monitor"];
  if (!m.IsDefined()) return c;
  c.enabled = true;
  if (m.IsNull()) return c;
  std::size_t errors_before = diags->error_count();
  const std::string& file = sec->file;
  YamlFields f(m, file, diags, "gateway.monitor", std::string(kCode));
  if (f.ok()) {
    if (auto v = f.Bool("enabled")) c.enabled = *v;
    if (auto v = f.Int("memory_mb", false, 1, 65536)) c.memory_bytes = std::uint64_t(*v) << 20;
    if (auto v = f.Int("max_tensor_elements", false, 1, 64 << 20)) c.max_tensor_elements = *v;
    if (auto v = f.Int("seed", false, 0)) c.seed = static_cast<std::uint64_t>(*v);
    if (auto v = f.Int("throttle_s", false, 1, 86400)) c.throttle_s = *v;
    if (auto v = f.Int("alert_interval_s", false, 0, 86400)) c.alert_interval_s = *v;
    if (auto v = f.Bool("network_content")) c.network_content = *v;
    if (YAML::Node n = f.Node("network_prefix")) {
      YamlFields nf(n, file, diags, "gateway.monitor.network_prefix", std::string(kCode));
      if (nf.ok()) {
        if (auto v = nf.Int("v4", false, 8, 32)) c.v4_prefix = static_cast<int>(*v);
        if (auto v = nf.Int("v6", false, 16, 128)) c.v6_prefix = static_cast<int>(*v);
        nf.CheckUnknown();
      }
    }
    if (YAML::Node d = f.Node("detectors")) {
      YamlFields df(d, file, diags, "gateway.monitor.detectors", std::string(kCode));
      if (df.ok()) {
        for (std::size_t k = 0; k < kDetectorCount; ++k) {
          YAML::Node dn = df.Node(kNames[k]);
          if (!dn) continue;
          std::string what = "gateway.monitor.detectors." + std::string(kNames[k]);
          YamlFields x(dn, file, diags, what, std::string(kCode));
          if (!x.ok()) continue;
          DetectorConfig& dc = c.detectors[k];
          if (auto v = x.Enum("policy", {"off", "alert", "throttle", "block"})) {
            dc.policy = *v == "off"        ? Policy::kOff
                        : *v == "alert"    ? Policy::kAlert
                        : *v == "throttle" ? Policy::kThrottle
                                           : Policy::kBlock;
          }
          auto d = static_cast<Detector>(k);
          if (d != Detector::kCollusion) {
            std::int64_t lo = 8, hi = 1'000'000;
            if (d == Detector::kPrada) hi = 5000;
            if (d == Detector::kCoverage) lo = 16;
            if (d == Detector::kTemplate) hi = 64;
            if (auto v = x.Int("min_queries", false, lo, hi)) dc.min_queries = *v;
          }
          switch (d) {
            case Detector::kPrada:
              if (auto v = x.Int("window", false, 8, 128)) c.prada_window = *v;
              if (auto v = Number(x, "delta", 0, 1, diags)) dc.threshold = *v;
              break;
            case Detector::kCoverage:
              if (auto v = Number(x, "lift", 1, 1000, diags)) dc.threshold = *v;
              break;
            case Detector::kTemplate:
              if (auto v = Number(x, "fraction", 0, 1, diags)) dc.threshold = *v;
              if (auto v = x.Int("hamming", false, 1, 32))
                c.template_hamming = static_cast<int>(*v);
              break;
            case Detector::kLogprobs:
              if (auto v = Number(x, "intensity", 1e-6, 1e6, diags)) dc.threshold = *v;
              break;
            case Detector::kMaxLength:
              if (auto v = Number(x, "fraction", 0, 1, diags)) dc.threshold = *v;
              if (auto v = x.Int("max_tokens", false, 1, 10'000'000)) c.max_length_tokens = *v;
              break;
            case Detector::kCollusion:
              if (auto v = x.Int("identities", false, 2, 8)) c.collusion_identities = *v;
              if (auto v = x.Int("window_s", false, 1, 86400)) c.collusion_window_s = *v;
              break;
            case Detector::kLineage:
              if (auto v = Number(x, "fraction", 0, 1, diags)) dc.threshold = *v;
              if (auto v = Number(x, "ratio", 0.01, 1, diags)) c.lineage_ratio = *v;
              if (auto v = x.Int("history_mb", false, 1, 65536))
                c.history_bytes = std::uint64_t(*v) << 20;
              break;
          }
          x.CheckUnknown();
        }
        df.CheckUnknown();
      }
    }
    f.CheckUnknown();
  }
  if (diags->error_count() > errors_before) {
    return InvalidArgumentError("gateway.monitor has " +
                                std::to_string(diags->error_count() - errors_before) +
                                " error(s):\n" + diags->ToString());
  }
  return c;
}

}  // namespace rampart::monitor
